"""MC dropout: the average is the numpy mean of N independent stochastic
passes, each pass really is dropout, and it matches the deterministic output
for rate 0 (and in expectation for a linear model)."""

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.mc_dropout import mc_dropout_predict

KERNEL = np.array([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25], [2.0, 1.0]],
                  np.float32)


def _model(rate):
    tf.set_random_seed(7)
    X = tf.placeholder(tf.float32, [None, 4], name="X")
    training = tf.placeholder_with_default(False, shape=(), name="training")
    dropped = tf.layers.dropout(X, rate=rate, training=training, seed=3)
    outputs = tf.matmul(dropped, KERNEL)      # linear: E[outputs] = X @ K
    return X, training, dropped, outputs


X_TEST = np.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 2.0, -3.0]], np.float32)


def test_average_is_the_mean_of_n_independent_passes(graph, session_config):
    X, training, dropped, outputs = _model(0.5)
    feed = {X: X_TEST}
    with tf.Session(config=session_config) as s:
        mean, samples = mc_dropout_predict(s, outputs, feed, training,
                                           n_samples=20, return_samples=True)
    assert feed == {X: X_TEST}                       # caller's dict untouched
    # A fresh session of the same seeded graph replays the same masks:
    with tf.Session(config=session_config) as s:
        manual = [s.run(outputs, {X: X_TEST, training: True})
                  for _ in range(20)]
    np.testing.assert_array_equal(samples, np.stack(manual))
    np.testing.assert_allclose(mean, np.mean(manual, axis=0), rtol=1e-6)
    assert samples.shape == (20, 2, 2)
    assert len({s.tobytes() for s in samples}) > 1   # passes differ


def test_each_pass_is_inverted_dropout(graph, sess):
    X, training, dropped, _ = _model(0.5)
    mean, std, samples = mc_dropout_predict(
        sess, dropped, {X: X_TEST}, training, n_samples=50, return_std=True,
        return_samples=True)
    kept = samples != 0
    np.testing.assert_allclose(samples[kept],
                               np.broadcast_to(2 * X_TEST, samples.shape)[kept],
                               rtol=1e-6)
    assert 0.35 < kept.mean() < 0.65
    np.testing.assert_allclose(std, samples.std(axis=0), rtol=1e-6)
    # without feeding training the same graph is deterministic (identity)
    np.testing.assert_array_equal(sess.run(dropped, {X: X_TEST}), X_TEST)


def test_rate_zero_equals_the_deterministic_output(graph, sess):
    X, training, _, outputs = _model(0.0)
    det = sess.run(outputs, {X: X_TEST})
    np.testing.assert_array_equal(det, X_TEST @ KERNEL)
    mean = mc_dropout_predict(sess, outputs, {X: X_TEST}, training,
                              n_samples=5)
    np.testing.assert_array_equal(mean, det)


def test_mean_converges_to_the_expectation(graph, sess):
    X, training, _, outputs = _model(0.2)
    det = X_TEST @ KERNEL
    mean, std = mc_dropout_predict(sess, outputs, {X: X_TEST}, training,
                                   n_samples=2000, return_std=True)
    err = np.abs(mean - det)
    assert np.all(err < 5 * std / np.sqrt(2000)), (err, std)
    assert np.all(std > 0)


def test_errors(graph, sess):
    X, training, _, outputs = _model(0.5)
    with pytest.raises(ValueError, match="needs the `training` placeholder"):
        mc_dropout_predict(sess, outputs, {X: X_TEST})
    with pytest.raises(TypeError, match="must be a boolean tensor"):
        mc_dropout_predict(sess, outputs, {X: X_TEST}, training=X)
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1"):
        mc_dropout_predict(sess, outputs, {X: X_TEST}, training, n_samples=0)
