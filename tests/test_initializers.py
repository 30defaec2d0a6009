"""Initializers: native vs contrib defaults, variances vs theory, table 11-1."""

import math

import numpy as np
import pytest

from tf1_dnn import initializers, tf
from tf1_dnn.contrib import layers as contrib_layers

SHAPE = (1000, 400)          # fan_in 1000, fan_out 400
FAN_IN, FAN_OUT = 1000.0, 400.0
FAN_AVG = (FAN_IN + FAN_OUT) / 2


def _phi(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _Phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


# variance of a standard normal truncated to [-2, 2] (closed form)
TRUNC_VAR = 1 - 4 * _phi(2.0) / (2 * _Phi(2.0) - 1)


def _values(init, sess, shape=SHAPE, name="w"):
    w = tf.get_variable(name, shape=shape, initializer=init)
    sess.run(w.initializer)
    return sess.run(w)


def test_truncated_normal_variance_constant():
    assert TRUNC_VAR == pytest.approx(0.7737413, abs=1e-6)
    # the constant TF uses to widen its truncated normal
    assert math.sqrt(TRUNC_VAR) == pytest.approx(0.87962566103423978, abs=1e-9)


def test_tf1_paths_resolve():
    assert tf.contrib.layers.variance_scaling_initializer is \
        initializers.variance_scaling_initializer
    assert tf.contrib.layers.xavier_initializer is initializers.xavier_initializer
    assert contrib_layers.xavier_initializer_conv2d is initializers.xavier_initializer
    import tensorflow
    # native names stay native
    assert tf.variance_scaling_initializer is \
        tensorflow.compat.v1.variance_scaling_initializer
    assert tf.glorot_uniform_initializer is \
        tensorflow.compat.v1.glorot_uniform_initializer


def test_native_no_arg_variance_scaling_is_lecun_truncated(sess):
    init = tf.variance_scaling_initializer(seed=1)
    assert (init.scale, init.mode, init.distribution) == \
        (1.0, "fan_in", "truncated_normal")
    w = _values(init, sess)
    stddev = math.sqrt(1.0 / FAN_IN) / 0.87962566103423978
    assert np.var(w) == pytest.approx(1.0 / FAN_IN, rel=0.02)   # LeCun
    assert np.abs(w).max() <= 2 * stddev + 1e-7                  # truncated
    assert np.abs(w).max() > 1.95 * stddev
    assert abs(np.mean(w)) < 3e-4


def test_native_scale_2_is_he(sess):
    w = _values(tf.variance_scaling_initializer(scale=2.0, seed=2), sess)
    assert np.var(w) == pytest.approx(2.0 / FAN_IN, rel=0.02)


@pytest.mark.parametrize("mode,n", [("FAN_IN", FAN_IN), ("FAN_OUT", FAN_OUT),
                                    ("FAN_AVG", FAN_AVG)])
def test_contrib_default_is_he_with_1_3_correction(sess, mode, n):
    init = initializers.variance_scaling_initializer(mode=mode, seed=3)
    w = _values(init, sess)
    trunc_stddev = math.sqrt(1.3 * 2.0 / n)
    # truncated at 2 * sqrt(1.3 * factor / n)
    assert np.abs(w).max() <= 2 * trunc_stddev + 1e-7
    assert np.abs(w).max() > 1.95 * trunc_stddev
    # variance = 1.3 * 0.7737 * factor / n = 1.0058 * factor / n
    assert np.var(w) == pytest.approx(1.3 * TRUNC_VAR * 2.0 / n, rel=0.02)
    assert 1.3 * TRUNC_VAR == pytest.approx(1.00586, abs=1e-4)


@pytest.mark.parametrize("mode,n", [("FAN_IN", FAN_IN), ("FAN_AVG", FAN_AVG)])
def test_contrib_uniform_limit(sess, mode, n):
    init = initializers.variance_scaling_initializer(
        factor=2.0, mode=mode, uniform=True, seed=4)
    w = _values(init, sess)
    limit = math.sqrt(3 * 2.0 / n)
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.999 * limit
    assert np.var(w) == pytest.approx(2.0 / n, rel=0.02)


def test_xavier_is_glorot(sess):
    w = _values(initializers.xavier_initializer(seed=5), sess, name="xu")
    r = math.sqrt(6.0 / (FAN_IN + FAN_OUT))
    assert np.abs(w).max() <= r and np.abs(w).max() > 0.999 * r
    assert np.var(w) == pytest.approx(2.0 / (FAN_IN + FAN_OUT), rel=0.02)
    w = _values(initializers.xavier_initializer(uniform=False, seed=5), sess,
                name="xn")
    assert np.var(w) == pytest.approx(
        1.3 * TRUNC_VAR * 2.0 / (FAN_IN + FAN_OUT), rel=0.02)
    # same distribution as the native glorot_uniform
    g = _values(tf.glorot_uniform_initializer(seed=6), sess, name="g")
    assert np.abs(g).max() <= r and np.var(g) == pytest.approx(np.var(w),
                                                                rel=0.04)


def test_conv_kernel_fans():
    assert initializers.compute_fans([3, 3, 16, 32]) == (3 * 3 * 16.0,
                                                         3 * 3 * 32.0)
    assert initializers.compute_fans([7]) == (7.0, 7.0)
    assert initializers.compute_fans([]) == (1.0, 1.0)


@pytest.mark.parametrize("helper,variance,bound", [
    ("he_normal", 2 / FAN_IN, None),
    ("he_uniform", 2 / FAN_IN, math.sqrt(6 / FAN_IN)),
    ("lecun_normal", 1 / FAN_IN, None),
    ("lecun_uniform", 1 / FAN_IN, math.sqrt(3 / FAN_IN)),
    ("glorot_normal", 2 / (FAN_IN + FAN_OUT), None),
    ("glorot_uniform", 2 / (FAN_IN + FAN_OUT),
     math.sqrt(6 / (FAN_IN + FAN_OUT))),
])
def test_plain_helpers(sess, helper, variance, bound):
    w = _values(getattr(initializers, helper)(seed=7), sess)
    assert np.var(w) == pytest.approx(variance, rel=0.02)
    if bound is None:  # truncated normal, widened: cut at 2 / 0.8796 sigma
        assert np.abs(w).max() <= 2 * math.sqrt(variance) / 0.87962566 + 1e-7
    else:
        assert np.abs(w).max() <= bound


def test_table_11_1_params_closed_form():
    r, s = initializers.table_11_1_params("logistic", 1000, 400)
    assert (r, s) == (pytest.approx(math.sqrt(6 / 1400)),
                      pytest.approx(math.sqrt(2 / 1400)))
    r, s = initializers.table_11_1_params("tanh", 1000, 400)
    assert (r, s) == (pytest.approx(4 * math.sqrt(6 / 1400)),
                      pytest.approx(4 * math.sqrt(2 / 1400)))
    r, s = initializers.table_11_1_params("relu", 1000, 400)
    assert (r, s) == (pytest.approx(math.sqrt(2) * math.sqrt(6 / 1400)),
                      pytest.approx(math.sqrt(2) * math.sqrt(2 / 1400)))


@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu"])
def test_table_11_1_initializers_match_table(sess, activation):
    r, sigma = initializers.table_11_1_params(activation, FAN_IN, FAN_OUT)
    u = _values(initializers.table_11_1_initializer(activation, "uniform",
                                                    seed=8), sess, name="u")
    assert np.abs(u).max() <= r and np.abs(u).max() > 0.999 * r
    n = _values(initializers.table_11_1_initializer(activation, "normal",
                                                    seed=9), sess, name="n")
    assert np.std(n) == pytest.approx(sigma, rel=0.01)
    assert np.abs(n).max() > 3.5 * sigma   # untruncated


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(TypeError, match="Unknown mode 'fan_in'.*upper case"):
        initializers.variance_scaling_initializer(mode="fan_in")
    with pytest.raises(TypeError, match="non-floating point type int32"):
        initializers.variance_scaling_initializer(dtype=tf.int32)
    with pytest.raises(ValueError, match="no row for activation 'selu'"):
        initializers.table_11_1_initializer("selu")
    with pytest.raises(ValueError, match="distribution must be"):
        initializers.table_11_1_initializer("relu", "truncated")


def test_book_he_init_listing_runs(graph, session_config):
    # Chapter 11 listing, as printed (contrib-era He init + tf.layers.dense).
    n_inputs, n_hidden1 = 28 * 28, 300
    X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
    he_init = tf.contrib.layers.variance_scaling_initializer()
    hidden1 = tf.layers.dense(X, n_hidden1, activation=tf.nn.relu,
                              kernel_initializer=he_init, name="hidden1")
    kernel = graph.get_tensor_by_name("hidden1/kernel:0")
    with tf.Session(config=session_config) as s:
        s.run(tf.global_variables_initializer())
        w = s.run(kernel)
        out = s.run(hidden1, {X: np.ones((2, n_inputs), np.float32)})
    assert out.shape == (2, n_hidden1)
    assert np.var(w) == pytest.approx(1.3 * TRUNC_VAR * 2 / n_inputs, rel=0.03)
