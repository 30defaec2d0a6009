"""Bad input to tf1_dnn.layers fails with a message naming the layer, the
input's shape/dtype, the problem and the fix -- and overwrites nothing.

(The eager-execution error is tested in tests/test_namespace.py, in a fresh
process, because this process is in TF1 graph mode.)
"""

import numpy as np
import pytest

from tf1_dnn import layers
from tf1_dnn import tf
from tf1_dnn.layers import InputError


def _raises(fn, *fragments, exc=InputError):
    with pytest.raises(exc) as info:
        fn()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def test_input_error_is_a_value_error():
    assert issubclass(InputError, ValueError)  # TF1 raised ValueError here


# --- Dense -----------------------------------------------------------------------

def test_dense_unknown_last_dimension(graph):
    X = tf.placeholder(tf.float32, shape=(None, None))
    _raises(lambda: layers.dense(X, 3, name="hidden1"),
            "Dense layer 'hidden1'", "shape (?, ?)", "last dimension",
            "must be known", "shape=(None, 784)")
    X = tf.placeholder(tf.float32)  # unknown rank
    _raises(lambda: layers.dense(X, 3, name="hidden1"),
            "Dense layer 'hidden1'", "shape <unknown>", "last dimension")


def test_dense_wrong_rank(graph):
    X = tf.placeholder(tf.float32, shape=(5,))
    _raises(lambda: layers.dense(X, 3, name="hidden1"),
            "Dense layer 'hidden1'", "shape (5,)", "rank 2 or more",
            "tf.reshape(X, [-1, n_inputs])")


@pytest.mark.parametrize("dtype", ["int32", "uint8", "bool"])
def test_dense_non_float_input(dtype, graph):
    X = tf.placeholder(dtype, shape=(None, 784))
    _raises(lambda: layers.dense(X, 3), "Dense layer 'dense'",
            f"shape (?, 784) and dtype {dtype}", "floating-point",
            "tf.cast(X, tf.float32)")


def test_dense_bad_units_and_unknown_keyword(graph):
    _raises(lambda: layers.Dense(0, name="out"), "Dense layer 'out'",
            "units must be a positive integer, got 0", exc=ValueError)
    _raises(lambda: layers.Dense(3, kernel_initialiser=None),
            "Dense() got unexpected keyword arguments: ['kernel_initialiser']",
            exc=TypeError)


def test_failed_call_creates_no_variables(graph):
    layer = layers.Dense(3, name="hidden1")
    with pytest.raises(InputError):
        layer(tf.placeholder(tf.int32, shape=(None, 4)))
    assert tf.global_variables() == [] and not layer.built
    layer(tf.placeholder(tf.float32, shape=(None, 4)))  # still usable
    assert [v.name for v in tf.global_variables()] == ["hidden1/kernel:0",
                                                       "hidden1/bias:0"]


def test_existing_variables_are_never_overwritten(graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 2))
    layers.dense(X, 2, name="hidden1",
                 kernel_initializer=tf.constant_initializer(7.0))
    # Same name again without reuse: TF1's error, not a silent new kernel.
    _raises(lambda: layers.dense(X, 2, name="hidden1"),
            "Variable hidden1/kernel already exists, disallowed",
            "reuse=True or reuse=tf.AUTO_REUSE", exc=ValueError)
    # Reuse with another input size: the shapes are named.
    _raises(lambda: layers.dense(tf.placeholder(tf.float32, (None, 5)), 2,
                                 name="hidden1", reuse=True),
            "hidden1/kernel", "(5, 2)", "(2, 2)", exc=ValueError)
    # reuse=True of a layer that does not exist.
    _raises(lambda: layers.dense(X, 2, name="nope", reuse=True),
            "Variable nope/kernel does not exist", exc=ValueError)
    assert [v.name for v in tf.global_variables()] == ["hidden1/kernel:0",
                                                       "hidden1/bias:0"]
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(tf.global_variables()[0]),
                                  np.full((2, 2), 7.0))


def test_scope_name_before_first_call():
    _raises(lambda: layers.Dense(3, name="late").scope_name,
            'layer "late" has not been used yet', "call the layer before",
            exc=ValueError)


# --- batch normalization ---------------------------------------------------------

def test_batch_norm_unknown_rank_and_non_float(graph):
    _raises(lambda: layers.batch_normalization(tf.placeholder(tf.float32),
                                               name="bn1"),
            "BatchNormalization layer 'bn1'", "shape <unknown>",
            "rank of the inputs must be known")
    _raises(lambda: layers.batch_normalization(
        tf.placeholder(tf.int64, shape=(None, 3)), name="bn1"),
        "BatchNormalization layer 'bn1'", "shape (?, 3) and dtype int64",
        "floating-point", "tf.cast(X, tf.float32)")


def test_batch_norm_axis_problems(graph):
    X = tf.placeholder(tf.float32, shape=(None, 3))
    _raises(lambda: layers.batch_normalization(X, axis=2, name="bn1"),
            "BatchNormalization layer 'bn1'", "shape (?, 3)",
            "axis 2 is out of range for rank 2", "[-2, 1]")
    _raises(lambda: layers.batch_normalization(X, axis=[1, -1], name="bn2"),
            "'bn2'", "axis [1, -1] names an axis twice")
    # The normalized axis must have a static size (gamma/beta's shape).
    X = tf.placeholder(tf.float32, shape=(None, None))
    _raises(lambda: layers.batch_normalization(X, name="bn3"),
            "'bn3'", "shape (?, ?)", "normalized axis 1 is unknown",
            "shape=(None, 100)")
    assert tf.global_variables() == []


def test_batch_norm_bad_renorm_clipping_says_so(graph):
    # renorm / virtual_batch_size / adjustment: tests/test_batch_norm_options.py
    _raises(lambda: layers.BatchNormalization(
        renorm=True, renorm_clipping={"r_max": 3.0}, name="bn"),
        "'bn'", "renorm_clipping", "['r_max']", "'rmax'")


# --- flatten and dropout ------------------------------------------------------------

def test_flatten_scalar(graph):
    _raises(lambda: layers.flatten(tf.placeholder(tf.float32, shape=()),
                                   name="flat"),
            "Flatten layer 'flat'", "shape ()", "rank 1 or more")
    _raises(lambda: layers.Flatten(data_format="NHWC"),
            "'channels_last' or 'channels_first', got 'NHWC'", exc=ValueError)


def test_dropout_rate_and_dtype(graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 3))
    for rate in (1.0, -0.1, 1.5):
        _raises(lambda: layers.dropout(X, rate=rate),
                "Dropout layer 'dropout", f"got {rate}",
                "keep_prob=0.9 is rate=0.1", exc=ValueError)
    Xi = tf.placeholder(tf.int32, shape=(None, 3))
    _raises(lambda: layers.dropout(Xi, 0.5, training=True, name="drop"),
            "Dropout layer 'drop'", "dtype int32", "floating-point")
    # Not training: the identity, as in TF1, whatever the dtype.
    out = layers.dropout(Xi, 0.5)
    assert sess.run(out, {Xi: [[1, 2, 3]]}).tolist() == [[1, 2, 3]]
    # A tensor rate is accepted (validated by tf.nn.dropout at run time).
    rate = tf.placeholder_with_default(0.5, shape=())
    layers.dropout(X, rate=rate, training=True)
