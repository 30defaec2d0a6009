"""DNNClassifier on bad input: named errors, and a diverging fit stops with
the last finite weights instead of predicting class 0 for everything."""

import numpy as np
import pytest

pytest.importorskip("sklearn")

from tf1_dnn import errors, tf  # noqa: E402
from tf1_dnn.sklearn import DNNClassifier  # noqa: E402


def _data(n=80, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 4).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 1).astype(np.int64)
    return X, y


def _small(session_config, **kwargs):
    params = dict(n_hidden_layers=2, n_neurons=8, n_epochs=3, batch_size=10,
                  random_state=0, session_config=session_config)
    params.update(kwargs)
    return DNNClassifier(**params)


def test_nan_in_X_is_refused(session_config):
    X, y = _data()
    X[11, 3] = np.nan
    with pytest.raises(errors.InputError,
                       match=r"X holds 1 NaN/Inf value\(s\) \(the first in row "
                       "11\)"):
        _small(session_config).fit(X, y)


def test_huge_learning_rate_stops_and_keeps_finite_weights(session_config):
    X, y = _data()
    model = _small(session_config, learning_rate=1e30,
                   optimizer_class=tf.train.GradientDescentOptimizer)
    with pytest.raises(errors.TrainingDivergedError) as info:
        model.fit(X, y)
    e = info.value
    assert e.epoch == 0 and not e.input_has_nan
    assert "DNNClassifier.fit: the training loss became" in str(e)
    assert "learning rate" in str(e)
    assert isinstance(e, FloatingPointError)
    proba = model.predict_proba(X)  # fitted with the last finite weights
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert model.n_epochs_ == 0


def test_predict_with_nan_is_refused(session_config):
    X, y = _data()
    model = _small(session_config, n_epochs=1).fit(X, y)
    X_bad = X[:5].copy()
    X_bad[2, 0] = np.inf
    with pytest.raises(errors.InputError, match=r"\(the first in row 2\)"):
        model.predict(X_bad)
    model.close()


@pytest.mark.parametrize("params, fragment", [
    ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
    ({"n_epochs": 0}, "n_epochs must be a positive integer, got 0"),
    ({"n_neurons": -3}, "n_neurons must be a positive integer, got -3"),
    ({"learning_rate": -0.1}, "learning_rate must be > 0"),
    ({"dropout_rate": 1.0}, "dropout_rate must be None or in [0, 1)"),
    ({"validation_fraction": 1.5}, "validation_fraction must be 0/None"),
])
def test_bad_params(session_config, params, fragment):
    X, y = _data()
    with pytest.raises(errors.InputError) as info:
        _small(session_config, **params).fit(X, y)
    assert fragment in str(info.value)


@pytest.mark.parametrize("X_shape, y_len, fragment", [
    ((80, 4), 79, "y must be 1-D with one label per row of X (80)"),
    ((0, 4), 0, "X is empty (0 rows)"),
    ((80,), 80, "X must be 2-D"),
])
def test_bad_shapes(session_config, X_shape, y_len, fragment):
    X = np.zeros(X_shape, np.float32)
    y = np.arange(y_len) % 2
    with pytest.raises(errors.InputError) as info:
        _small(session_config).fit(X, y)
    assert fragment in str(info.value)


def test_predict_with_wrong_feature_count(session_config):
    X, y = _data()
    model = _small(session_config, n_epochs=1).fit(X, y)
    with pytest.raises(errors.InputError, match="X has 3 features, but the "
                       "model was fitted with 4"):
        model.predict(X[:, :3])
    model.close()
