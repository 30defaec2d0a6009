"""tf1_dnn.hparam_search: log-scale sampling, validation split, weight decay."""

import gzip
import math

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.hparam_search import (format_result, log_uniform, narrow_ranges,
                                   random_search, split_validation, train_mlp,
                                   weight_decay_loss)


def test_log_uniform_samples_exponents_uniformly():
    sample = log_uniform(-6, -2)
    rng = np.random.RandomState(0)
    values = np.array([sample(rng) for _ in range(4000)])
    exps = np.log10(values)
    assert exps.min() >= -6 and exps.max() <= -2
    # Uniform on [-6, -2]: mean -4, variance (4 ** 2) / 12, a quarter per unit.
    assert exps.mean() == pytest.approx(-4.0, abs=0.06)
    assert exps.var() == pytest.approx(16 / 12, rel=0.05)
    assert np.mean(exps < -5) == pytest.approx(0.25, abs=0.03)
    # Same generator state, same values: the draw is 10 ** rng.uniform(-6, -2).
    assert sample(np.random.RandomState(7)) == \
        10.0 ** np.random.RandomState(7).uniform(-6, -2)


def test_log_uniform_rejects_reversed_range():
    with pytest.raises(ValueError, match=r"low_exponent < high_exponent.*\(-6, -2\)"):
        log_uniform(-2, -6)


def test_split_validation_holds_out_a_fifth_without_overlap():
    X = np.arange(100).reshape(50, 2)
    y = np.arange(50)
    (X_tr, y_tr), (X_val, y_val) = split_validation(X, y, 0.2, random_state=1)
    assert len(X_val) == 10 and len(X_tr) == 40
    assert sorted(np.concatenate([y_tr, y_val])) == list(range(50))
    np.testing.assert_array_equal(X_val[:, 0], 2 * y_val)    # rows stay paired
    perm = np.random.RandomState(1).permutation(50)
    np.testing.assert_array_equal(y_val, perm[:10])          # the book's slicing
    np.testing.assert_array_equal(y, np.arange(50))          # input untouched


@pytest.mark.parametrize("rate", [0, 1, 1.5, 0.001])
def test_split_validation_bad_rate(rate):
    with pytest.raises(ValueError, match="split_validation"):
        split_validation(np.zeros((50, 2)), np.zeros(50), rate)


def test_split_validation_length_mismatch():
    with pytest.raises(ValueError, match="X has 5 rows but y has 4"):
        split_validation(np.zeros((5, 2)), np.zeros(4))


def test_weight_decay_loss_and_gradient_closed_form(sess):
    rng = np.random.RandomState(0)
    w1 = rng.randn(4, 3).astype(np.float32)
    w2 = rng.randn(3, 2).astype(np.float32)
    W1, W2 = tf.Variable(w1), tf.Variable(w2)
    loss = weight_decay_loss([W1, W2], 0.01)
    grads = tf.gradients(loss, [W1, W2])
    sess.run(tf.global_variables_initializer())
    loss_val, (g1, g2) = sess.run([loss, grads])
    assert loss_val == pytest.approx(0.5 * 0.01 * ((w1 ** 2).sum() + (w2 ** 2).sum()),
                                     rel=1e-5)
    np.testing.assert_allclose(g1, 0.01 * w1, rtol=1e-5)     # lambda * W
    np.testing.assert_allclose(g2, 0.01 * w2, rtol=1e-5)
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        weight_decay_loss([W1], -1.0)


def _fake_train(X_train, y_train, X_val, y_val, learning_rate, weight_decay,
                calls=None, **kwargs):
    """Best at lr 1e-3 and wd 1e-6 (a smooth bump in log space)."""
    if calls is not None:
        calls.append((len(X_train), len(X_val), kwargs))
    d = (math.log10(learning_rate) + 3) ** 2 + (math.log10(weight_decay) + 6) ** 2
    return {"val_acc": math.exp(-d), "train_acc": 1.0}


def test_random_search_samples_sorts_and_narrows():
    calls = []
    X, y = np.zeros((100, 3)), np.zeros(100)
    results = random_search(X, y, n_trials=60, train_fn=_fake_train,
                            random_state=3, calls=calls, n_epochs=7)
    assert len(results) == 60 and len(calls) == 60
    assert calls[0] == (80, 20, {"n_epochs": 7})      # 20 % validation split
    accs = [r["val_acc"] for r in results]
    assert accs == sorted(accs, reverse=True)
    assert sorted(r["trial"] for r in results) == list(range(60))
    assert all(1e-6 <= r["learning_rate"] <= 1e-2 for r in results)
    assert all(1e-8 <= r["weight_decay"] <= 1e-4 for r in results)
    best = results[0]
    assert abs(math.log10(best["learning_rate"]) + 3) < 0.6
    assert abs(math.log10(best["weight_decay"]) + 6) < 0.6
    # The same seed reproduces the same trials.
    again = random_search(X, y, n_trials=60, train_fn=_fake_train, random_state=3)
    assert [r["learning_rate"] for r in again] == [r["learning_rate"] for r in results]
    ranges = narrow_ranges(results, top_k=5)
    lr_exps = [math.log10(r["learning_rate"]) for r in results[:5]]
    assert ranges["learning_rate"] == (math.floor(min(lr_exps)), math.ceil(max(lr_exps)))
    lo, hi = ranges["weight_decay"]
    assert lo <= -6 <= hi and hi - lo <= 3


def test_narrow_ranges_width_at_least_one_decade_and_format():
    results = [{"val_acc": 0.9, "learning_rate": 1e-3, "weight_decay": 1e-6}]
    assert narrow_ranges(results) == {"learning_rate": (-3, -2),
                                      "weight_decay": (-6, -5)}
    assert format_result({"val_acc": 0.77, "learning_rate": 0.0042,
                          "weight_decay": 3.1e-07}) == \
        "val acc:0.7700 | lr:0.0042, weight decay:3.1e-07"
    with pytest.raises(ValueError, match="no results"):
        narrow_ranges([])


def _read_fashion(directory, n):
    with gzip.open(directory / "train-images-idx3-ubyte.gz") as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:n]
    with gzip.open(directory / "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
    return X.astype(np.float32) / 255.0, y


@pytest.mark.slow
def test_train_mlp_learns_and_a_huge_decay_hurts(fashion_mnist_dir, session_config):
    X, y = _read_fashion(fashion_mnist_dir, 600)
    (X_tr, y_tr), (X_val, y_val) = split_validation(X, y, 0.2, random_state=0)
    kw = dict(hidden_layers=(50, 50), n_epochs=8, batch_size=20, random_state=0,
              session_config=session_config)
    good = train_mlp(X_tr, y_tr, X_val, y_val, 0.05, 1e-6, **kw)
    assert good["val_acc"] > 0.55          # 10 classes: chance is 0.1
    assert good["train_acc"] >= good["val_acc"] - 0.05
    tiny_lr = train_mlp(X_tr, y_tr, X_val, y_val, 1e-7, 1e-6, **kw)
    assert tiny_lr["val_acc"] < good["val_acc"] - 0.3
    huge_decay = train_mlp(X_tr, y_tr, X_val, y_val, 0.05, 1.0, **kw)
    assert huge_decay["val_acc"] < good["val_acc"]
    # The same seed gives the same trial.
    assert train_mlp(X_tr, y_tr, X_val, y_val, 0.05, 1e-6, **kw) == good
