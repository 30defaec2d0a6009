"""hparam_search.train_mlp on bad input, and a diverging trial."""

import numpy as np
import pytest

from tf1_dnn import errors
from tf1_dnn.hparam_search import random_search, train_mlp


def _data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 4).astype(np.float32)
    return X, (X[:, 0] > 0.5).astype(np.int64)


SMALL = dict(hidden_layers=(8,), n_epochs=2, batch_size=10, random_state=0)


@pytest.mark.parametrize("change, fragment", [
    (lambda X, y: (X, y[:-1], X, y), "X_train must be [n, features] and "
     "y_train [n] with the same n > 0; got shapes (60, 4) and (59,)"),
    (lambda X, y: (X[:0], y[:0], X, y), "got shapes (0, 4) and (0,)"),
    (lambda X, y: (X, y, X[:, 0], y), "X_val must be [n, features]"),
])
def test_bad_shapes(change, fragment, session_config):
    X, y = _data()
    with pytest.raises(errors.InputError) as info:
        train_mlp(*change(X, y), 0.01, 0.0, session_config=session_config,
                  **SMALL)
    assert fragment in str(info.value)


def test_nan_input_is_refused(session_config):
    X, y = _data()
    X_val = X.copy()
    X_val[5, 1] = np.nan
    with pytest.raises(errors.InputError, match=r"X_val holds 1 NaN/Inf "
                       r"value\(s\) \(the first in row 5\)"):
        train_mlp(X, y, X_val, y, 0.01, 0.0, session_config=session_config,
                  **SMALL)


@pytest.mark.parametrize("name, value", [("batch_size", 0),
                                         ("n_epochs", -1),
                                         ("batch_size", 2.5)])
def test_bad_counts(name, value, session_config):
    X, y = _data()
    kwargs = dict(SMALL, **{name: value})
    with pytest.raises(errors.InputError,
                       match=f"train_mlp: {name} must be an integer"):
        train_mlp(X, y, X, y, 0.01, 0.0, session_config=session_config,
                  **kwargs)


def test_diverged_trial_is_reported_and_ranks_last(session_config):
    X, y = _data(100)

    def train_fn(X_train, y_train, X_val, y_val, learning_rate,
                 weight_decay, **kw):
        # Trial 1 gets a learning rate that makes SGD blow up.
        lr = 1e30 if train_fn.calls == 1 else learning_rate
        train_fn.calls += 1
        return train_mlp(X_train, y_train, X_val, y_val, lr, weight_decay,
                         **kw)
    train_fn.calls = 0
    results = random_search(X, y, n_trials=2, learning_rate_range=(-2, -1),
                            train_fn=train_fn, random_state=0,
                            session_config=session_config, hidden_layers=(8,),
                            n_epochs=2, batch_size=10)
    assert [r["trial"] for r in results] == [0, 1]
    assert results[1]["diverged"] and not np.isfinite(
        results[1]["final_loss"])
    assert not results[0]["diverged"]
