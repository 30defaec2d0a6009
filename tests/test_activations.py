"""Activations of chapter 11 and contrib's alpha dropout, against numpy."""

import numpy as np
import pytest

from tf1_dnn import activations, initializers, tf
from tf1_dnn.contrib import nn as contrib_nn

Z = np.linspace(-5.0, 5.0, 101).astype(np.float32)


def _np_elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * (np.exp(z) - 1))


def _np_selu(z):
    return 1.0507009873554805 * _np_elu(z, 1.6732632423543772)


def test_selu_constants():
    assert activations.SELU_ALPHA == 1.6732632423543772
    assert activations.SELU_SCALE == 1.0507009873554805
    assert contrib_nn.ALPHA_P == pytest.approx(
        -activations.SELU_SCALE * activations.SELU_ALPHA, abs=1e-15)


def test_leaky_relu_is_the_chapters_and_native_default_differs(sess):
    out = activations.leaky_relu(tf.constant(Z), name="lrelu")
    assert out.op.name == "lrelu" and out.op.type == "Maximum"
    np.testing.assert_allclose(sess.run(out), np.maximum(0.01 * Z, Z),
                               rtol=1e-6)
    np.testing.assert_allclose(
        sess.run(activations.leaky_relu(tf.constant(Z), alpha=0.2)),
        np.maximum(0.2 * Z, Z), rtol=1e-6)
    # pitfall: native tf.nn.leaky_relu defaults to alpha=0.2
    np.testing.assert_allclose(sess.run(tf.nn.leaky_relu(tf.constant(Z))),
                               np.maximum(0.2 * Z, Z), rtol=1e-6)


def test_elu_and_selu_values(sess):
    z = tf.constant(Z)
    e1 = activations.elu(z)
    assert e1.op.type == "Elu"
    np.testing.assert_allclose(sess.run(e1), _np_elu(Z), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sess.run(activations.elu(z, alpha=0.5)),
                               _np_elu(Z, 0.5), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sess.run(activations.selu(z)), _np_selu(Z),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sess.run(tf.nn.selu(z)), _np_selu(Z),
                               rtol=1e-5, atol=1e-6)


def _deep_stats(activation, init, n_layers, session_config):
    rng = np.random.RandomState(42)
    with tf.Graph().as_default():
        X = tf.constant(rng.normal(size=(500, 100)).astype(np.float32))
        Zt = X
        for layer in range(n_layers):
            Zt = tf.layers.dense(Zt, 100, activation=activation,
                                 kernel_initializer=init,
                                 name=f"layer{layer}")
        with tf.Session(config=session_config) as s:
            s.run(tf.global_variables_initializer())
            out = s.run(Zt)
    return np.mean(out, axis=0).mean(), np.std(out, axis=0).mean()


def test_selu_self_normalizes_over_100_layers(session_config):
    mean, std = _deep_stats(activations.selu, initializers.lecun_normal(seed=0),
                            100, session_config)
    assert abs(mean) < 0.2
    assert 0.75 < std < 1.25
    # contrast: ReLU with the same init shrinks the signal by ~sqrt(2) per
    # layer (std ~ 2**-15 after 30 layers)
    mean_relu, std_relu = _deep_stats(tf.nn.relu,
                                      initializers.lecun_normal(seed=0),
                                      30, session_config)
    assert std_relu < 1e-3


def test_rrelu_training_slopes_uniform_and_test_slope_mean(graph, sess):
    z = tf.constant(-np.ones(200000, np.float32) * 2.0)
    training = tf.placeholder_with_default(False, shape=(), name="training")
    out = activations.rrelu(z, lower=0.1, upper=0.3, training=training,
                            seed=3)
    slopes = sess.run(out, {training: True}) / -2.0
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert slopes.mean() == pytest.approx(0.2, abs=2e-3)
    assert slopes.std() == pytest.approx(0.2 / np.sqrt(12), rel=0.02)
    # a fresh draw each run
    assert not np.array_equal(slopes, sess.run(out, {training: True}) / -2.0)
    np.testing.assert_allclose(sess.run(out), -2.0 * 0.2, rtol=1e-6)
    # positive part is the identity, default is test mode
    pos = activations.rrelu(tf.constant(Z))
    mean_slope = (1 / 8 + 1 / 3) / 2
    np.testing.assert_allclose(sess.run(pos),
                               np.where(Z >= 0, Z, mean_slope * Z), rtol=1e-6)
    with pytest.raises(ValueError, match="0 <= lower <= upper"):
        activations.rrelu(z, lower=0.5, upper=0.1)


def test_prelu_variable_names_values_and_training(graph, sess, rng):
    X = tf.constant(rng.randn(32, 5).astype(np.float32))
    hidden1 = tf.layers.dense(X, 4, activation=activations.prelu,
                              name="hidden1")
    hidden2 = tf.layers.dense(hidden1, 3, name="hidden2")
    act2 = activations.prelu(hidden2, name="hidden2")
    top = activations.prelu(act2)
    top2 = activations.prelu(top)
    names = [v.op.name for v in tf.trainable_variables()
             if v.op.name.endswith("alpha")]
    assert names == ["hidden1/alpha", "hidden2/alpha", "prelu/alpha",
                     "prelu_1/alpha"]
    alpha = graph.get_tensor_by_name("hidden1/alpha:0")
    assert alpha.shape.as_list() == [4]
    sess.run(tf.global_variables_initializer())
    pre = sess.run(graph.get_tensor_by_name("hidden1/BiasAdd:0"))
    np.testing.assert_allclose(sess.run(hidden1),
                               np.where(pre >= 0, pre, 0.25 * pre), rtol=1e-6)
    loss = tf.reduce_mean(tf.square(top2 - 1.0))
    sess.run(tf.train.GradientDescentOptimizer(0.5).minimize(loss))
    assert not np.allclose(sess.run(alpha), 0.25)
    with pytest.raises(ValueError, match="known last dimension"):
        activations.prelu(tf.placeholder(tf.float32, shape=None))


def test_alpha_dropout_keeps_mean_and_variance(graph, sess, rng):
    x_np = rng.normal(size=1_000_000).astype(np.float32)
    q = 0.8
    out = contrib_nn.alpha_dropout(tf.constant(x_np), keep_prob=q, seed=1)
    assert out.op.name == "alpha_dropout"
    y = sess.run(out)
    assert y.mean() == pytest.approx(0.0, abs=5e-3)
    assert y.var() == pytest.approx(1.0, abs=5e-3)
    # independently: kept units are a*x+b, dropped ones a*alpha_p+b
    alpha_p = -1.0507009873554805 * 1.6732632423543772
    a = (q + q * (1 - q) * alpha_p ** 2) ** -0.5
    b = -a * alpha_p * (1 - q)
    dropped = np.isclose(y, a * alpha_p + b, atol=1e-6)
    assert dropped.mean() == pytest.approx(1 - q, abs=2e-3)
    np.testing.assert_allclose(y[~dropped], a * x_np[~dropped] + b, rtol=1e-5,
                               atol=1e-5)
    # ordinary dropout does not keep the variance
    plain = sess.run(tf.nn.dropout(tf.constant(x_np), rate=1 - q, seed=1))
    assert plain.var() > 1.2


def test_alpha_dropout_tf1_path_and_edge_cases(graph, sess):
    assert tf.contrib.nn.alpha_dropout is contrib_nn.alpha_dropout
    x = tf.constant(Z)
    assert contrib_nn.alpha_dropout(x, 1.0) is x
    with pytest.raises(ValueError, match=r"range \(0, 1\], got 0"):
        contrib_nn.alpha_dropout(x, 0.0)
    keep = tf.placeholder(tf.float32, shape=())
    y = sess.run(contrib_nn.alpha_dropout(x, keep), {keep: 1.0})
    np.testing.assert_allclose(y, Z, rtol=1e-6)
