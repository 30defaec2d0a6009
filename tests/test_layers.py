"""tf1_dnn.layers behaves like TF 1.x tf.layers: names, scopes, collections,
initializers, regularizers, constraints, batch norm and dropout numbers.

Numbers are checked against closed forms or numpy; names against the strings
TF 1.x scripts use. (Parity with the official layers: tests/test_parity.py.)
"""

import numpy as np
import pytest

from tf1_dnn import layers
from tf1_dnn import tf


def _names(variables):
    return [v.name for v in variables]


# --- scopes and names ---------------------------------------------------------

def test_variables_in_variable_scope_ops_in_name_scope(graph):
    X = tf.placeholder(tf.float32, shape=(None, 4), name="X")
    with tf.name_scope("dnn"):
        hidden1 = layers.dense(X, 3, activation=tf.nn.relu, name="hidden1")
    assert _names(tf.global_variables()) == ["hidden1/kernel:0",
                                             "hidden1/bias:0"]
    assert hidden1.name == "dnn/hidden1/Relu:0"
    ops = {op.name for op in graph.get_operations()}
    assert {"dnn/hidden1/MatMul", "dnn/hidden1/BiasAdd"} <= ops
    assert graph.get_tensor_by_name("hidden1/kernel:0").shape.as_list() == [4, 3]


def test_default_names_are_unique_per_graph(graph):
    X = tf.placeholder(tf.float32, shape=(None, 4))
    outs = [layers.dense(X, 2), layers.dense(X, 2),
            layers.batch_normalization(X), layers.batch_normalization(X)]
    assert [o.op.name.split("/")[0] for o in outs] == [
        "dense", "dense_1", "batch_normalization", "batch_normalization_1"]
    with tf.Graph().as_default():  # a new graph starts again at "dense"
        assert layers.dense(tf.zeros([1, 4]), 2).op.name.startswith("dense/")


def test_class_instance_with_taken_name_gets_unique_scope(graph):
    X = tf.placeholder(tf.float32, shape=(None, 4))
    first, second = layers.Dense(2, name="hidden1"), layers.Dense(2, name="hidden1")
    first(X)
    second(X)
    assert (first.scope_name, second.scope_name) == ("hidden1", "hidden1_1")
    assert second.kernel.name == "hidden1_1/kernel:0"


def test_reuse_true_and_auto_reuse_share_variables(graph):
    X = tf.placeholder(tf.float32, shape=(None, 4))
    a = layers.dense(X, 2, name="shared")
    b = layers.dense(X, 2, name="shared", reuse=True)
    c = layers.dense(X, 2, name="auto", reuse=tf.AUTO_REUSE)
    d = layers.dense(X, 2, name="auto", reuse=tf.AUTO_REUSE)
    assert _names(tf.global_variables()) == [
        "shared/kernel:0", "shared/bias:0", "auto/kernel:0", "auto/bias:0"]
    # Ops of the second call get a fresh name scope, variables are shared.
    assert (a.op.name, b.op.name) == ("shared/BiasAdd", "shared_1/BiasAdd")
    assert (c.op.name, d.op.name) == ("auto/BiasAdd", "auto_1/BiasAdd")
    with tf.variable_scope("outer"):
        layers.batch_normalization(X, name="bn")
    with tf.variable_scope("outer", reuse=True):
        layers.batch_normalization(X, name="bn")
    assert len(tf.global_variables()) == 4 + 4


def test_calling_an_instance_twice_shares_variables(graph, sess):
    layer = layers.Dense(3, name="shared")
    X1 = tf.placeholder(tf.float32, (None, 2))
    X2 = tf.placeholder(tf.float32, (None, 2))
    y1, y2 = layer(X1), layer(X2)
    assert _names(tf.global_variables()) == ["shared/kernel:0", "shared/bias:0"]
    sess.run(tf.global_variables_initializer())
    x = np.arange(4, dtype=np.float32).reshape(2, 2)
    a, b = sess.run([y1, y2], {X1: x, X2: x})
    np.testing.assert_array_equal(a, b)


def test_trainable_false_keeps_variables_out_of_trainable_collection(graph):
    X = tf.placeholder(tf.float32, shape=(None, 4))
    layers.dense(X, 2, name="frozen", trainable=False)
    layers.dense(X, 2, name="free")
    bn = layers.BatchNormalization(trainable=False, name="frozen_bn")
    bn.apply(X, training=True)
    assert _names(tf.trainable_variables()) == ["free/kernel:0", "free/bias:0"]
    assert len(tf.global_variables()) == 2 + 2 + 4
    # A frozen batch norm normalizes with batch stats but adds no updates.
    assert bn.updates == [] and tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []


# --- initializers, regularizers, constraints -------------------------------

def test_initializers_are_used(graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 4))
    layers.dense(X, 3, name="const", kernel_initializer=tf.constant_initializer(0.5),
                 bias_initializer=tf.constant_initializer(-2.0))
    layers.dense(X, 200, name="glorot")
    layers.dense(tf.placeholder(tf.float32, (None, 400)), 200, name="he",
                 kernel_initializer=tf.variance_scaling_initializer(scale=2.0))
    sess.run(tf.global_variables_initializer())
    values = {v.op.name: sess.run(v) for v in tf.global_variables()}
    np.testing.assert_array_equal(values["const/kernel"], np.full((4, 3), 0.5))
    np.testing.assert_array_equal(values["const/bias"], np.full(3, -2.0))
    np.testing.assert_array_equal(values["glorot/bias"], np.zeros(200))
    # Default: Glorot (Xavier) uniform, limit sqrt(6 / (fan_in + fan_out)).
    limit = np.sqrt(6.0 / (4 + 200))
    assert np.abs(values["glorot/kernel"]).max() <= limit
    assert np.abs(values["glorot/kernel"]).max() > 0.9 * limit
    # He (scale 2, fan_in, truncated normal): variance 2 / fan_in.
    assert np.var(values["he/kernel"]) == pytest.approx(2.0 / 400, rel=0.05)


def test_regularizer_losses_and_none_skipped(graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 2))
    init = tf.constant_initializer([[1.0, -2.0], [3.0, 0.5]])
    layer = layers.Dense(2, name="hidden1", kernel_initializer=init,
                         kernel_regularizer=lambda w: 0.1 * tf.nn.l2_loss(w),
                         bias_regularizer=lambda b: None)  # max-norm style
    layer(X)
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [t.name for t in losses] == ["hidden1/kernel/Regularizer/mul:0"]
    assert layer.losses == losses
    sess.run(tf.global_variables_initializer())
    expected = 0.1 * 0.5 * (1 + 4 + 9 + 0.25)
    assert sess.run(losses[0]) == pytest.approx(expected)
    assert sess.run(tf.losses.get_regularization_loss()) == pytest.approx(expected)
    # Reusing the layer's variables adds no second loss.
    layers.dense(X, 2, name="hidden1", reuse=True,
                 kernel_regularizer=lambda w: tf.reduce_sum(w))
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1


def test_activity_regularizer_is_divided_by_batch_size(graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 2))
    out = layers.dense(X, 2, kernel_initializer=tf.ones_initializer(),
                       activity_regularizer=tf.reduce_sum, name="act")
    loss, = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    sess.run(tf.global_variables_initializer())
    x = np.array([[1, 2], [3, 4], [5, 6]], np.float32)
    out_v, loss_v = sess.run([out, loss], {X: x})
    assert loss_v == pytest.approx(out_v.sum() / 3)  # TF 1.15: mean per example


def test_constraint_is_applied_by_optimizer_after_update(graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 2))
    out = layers.dense(X, 1, name="h", kernel_initializer=tf.ones_initializer(),
                       kernel_constraint=lambda w: tf.clip_by_value(w, -0.5, 0.5),
                       bias_constraint=lambda b: tf.clip_by_norm(b, 0.1))
    kernel, bias = tf.trainable_variables()
    assert kernel.constraint is not None and bias.constraint is not None
    loss = -tf.reduce_sum(out)  # gradient pushes both up
    train = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    sess.run(tf.global_variables_initializer())
    assert sess.run(kernel).ravel().tolist() == [1.0, 1.0]  # not at init
    sess.run(train, {X: [[1.0, 2.0]]})
    np.testing.assert_allclose(sess.run(kernel).ravel(), [0.5, 0.5])
    np.testing.assert_allclose(sess.run(bias), [0.1], rtol=1e-6)


# --- the chapter's op-name tricks ----------------------------------------------

def test_reuse_weights_from_another_framework_via_assign_input(graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 3), name="X")
    with tf.name_scope("dnn"):
        h = layers.dense(X, 2, activation=tf.nn.relu, name="hidden1")
        h = layers.dense(h, 2, activation=tf.nn.relu, name="hidden2")
        layers.dense(h, 2, activation=tf.nn.relu, name="hidden3")
    original_w = np.arange(6, dtype=np.float32).reshape(3, 2)
    assign_kernel = graph.get_operation_by_name("hidden1/kernel/Assign")
    init_kernel = assign_kernel.inputs[1]
    init = tf.global_variables_initializer()
    sess.run(init, feed_dict={init_kernel: original_w})
    np.testing.assert_array_equal(
        sess.run(graph.get_tensor_by_name("hidden1/kernel:0")), original_w)
    hidden3 = graph.get_tensor_by_name("dnn/hidden3/Relu:0")
    assert sess.run(hidden3, {X: np.ones((1, 3))}).shape == (1, 2)


# --- batch normalization ---------------------------------------------------------

def _bn_numpy(x, axes, gamma, beta, eps=1e-3):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def test_batch_norm_defaults_variables_and_update_ops(graph):
    X = tf.placeholder(tf.float32, shape=(None, 3))
    training = tf.placeholder_with_default(False, shape=(), name="training")
    bn = layers.BatchNormalization(name="bn")
    bn.apply(X, training=training)
    assert (bn.momentum, bn.epsilon, bn.axis) == (0.99, 1e-3, -1)
    assert _names(bn.variables) == ["bn/gamma:0", "bn/beta:0",
                                    "bn/moving_mean:0", "bn/moving_variance:0"]
    assert _names(tf.trainable_variables()) == ["bn/gamma:0", "bn/beta:0"]
    assert _names(tf.global_variables())[2:] == ["bn/moving_mean:0",
                                                "bn/moving_variance:0"]
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert update_ops == bn.updates and len(update_ops) == 2
    assert all(isinstance(op, tf.Operation) for op in update_ops)
    # With a tensor `training`, each update is a cond around one AssignSub.
    assign_subs = [op for op in graph.get_operations() if op.type == "AssignSub"]
    assert [op.name for op in assign_subs] == ["bn/cond_2/AssignMovingAvg",
                                              "bn/cond_3/AssignMovingAvg"]
    assert [op.name for op in update_ops] == ["bn/cond_2/Merge", "bn/cond_3/Merge"]


@pytest.mark.parametrize("shape,axis,fused", [
    ((8, 3), -1, None), ((8, 3), 0, None), ((4, 3, 3, 2), -1, None),
    ((4, 3, 3, 2), -1, False), ((4, 2, 3, 3), 1, None), ((4, 2, 3, 3), 1, False),
    ((4, 2, 3, 3), [1, 2], None)])
def test_batch_norm_training_inference_and_moving_stats(shape, axis, fused, graph,
                                                        sess, rng):
    X = tf.placeholder(tf.float32, shape=shape)
    training = tf.placeholder_with_default(False, shape=(), name="training")
    bn = layers.BatchNormalization(
        axis=axis, momentum=0.9, fused=fused,
        gamma_initializer=tf.constant_initializer(2.0),
        beta_initializer=tf.constant_initializer(0.5),
        moving_variance_initializer=tf.constant_initializer(4.0))
    out = bn.apply(X, training=training)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(update_ops) == 2
    sess.run(tf.global_variables_initializer())
    axes = [axis] if isinstance(axis, int) else axis
    axes = [a % len(shape) for a in axes]
    reduce = tuple(i for i in range(len(shape)) if i not in axes)
    x = (rng.randn(*shape) * 3 + 1).astype(np.float32)
    # Inference before any update: moving mean 0, moving variance 4.
    np.testing.assert_allclose(sess.run(out, {X: x}),
                               2.0 * x / np.sqrt(4.0 + 1e-3) + 0.5, atol=1e-5)
    y, _ = sess.run([out, update_ops], {X: x, training: True})
    np.testing.assert_allclose(y, _bn_numpy(x, reduce, 2.0, 0.5), atol=1e-4)
    fused_path = len(shape) == 4 and fused is None and axes in ([1], [3])
    assert bn.fused == fused_path
    ddof = 1 if fused_path else 0  # the fused kernel's Bessel correction
    mm = 0.1 * x.mean(axis=reduce)
    mv = 0.9 * 4.0 + 0.1 * x.var(axis=reduce, ddof=ddof)
    got_mm, got_mv = sess.run([bn.moving_mean, bn.moving_variance])
    np.testing.assert_allclose(got_mm.ravel(), mm.ravel(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_mv.ravel(), mv.ravel(), rtol=1e-5)
    # Running the updates with training=False changes nothing.
    sess.run(update_ops, {X: x})
    np.testing.assert_allclose(sess.run(bn.moving_mean).ravel(), mm.ravel(),
                               rtol=1e-5, atol=1e-6)


def test_batch_norm_python_bool_training_and_center_scale_off(graph, sess, rng):
    X = tf.placeholder(tf.float32, shape=(None, 3))
    y_train = layers.batch_normalization(X, training=True, center=False,
                                         scale=False, name="bn_train")
    y_test = layers.batch_normalization(X, name="bn_test")  # training=False
    assert _names(tf.global_variables()) == [
        "bn_train/moving_mean:0", "bn_train/moving_variance:0",
        "bn_test/gamma:0", "bn_test/beta:0", "bn_test/moving_mean:0",
        "bn_test/moving_variance:0"]
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert [op.name for op in update_ops] == ["bn_train/AssignMovingAvg",
                                              "bn_train/AssignMovingAvg_1"]
    sess.run(tf.global_variables_initializer())
    x = rng.randn(10, 3).astype(np.float32)
    a, b = sess.run([y_train, y_test], {X: x})
    np.testing.assert_allclose(a, _bn_numpy(x, (0,), 1.0, 0.0), atol=1e-5)
    np.testing.assert_allclose(b, x / np.sqrt(1 + 1e-3), atol=1e-6)


def test_batch_norm_float64_and_16_bit_inputs(graph, sess, rng):
    x = rng.randn(6, 2, 2, 3)
    X64 = tf.placeholder(tf.float64, shape=(None, 2, 2, 3))
    bn64 = layers.BatchNormalization(name="bn64")
    y64 = bn64.apply(X64, training=True)
    X16 = tf.placeholder(tf.float16, shape=(None, 2, 2, 3))
    bn16 = layers.BatchNormalization(name="bn16")
    y16 = bn16.apply(X16, training=True)
    assert not bn64.fused and bn16.fused  # the fused kernel has no float64
    assert bn64.moving_mean.dtype.base_dtype == tf.float64
    assert bn16.moving_mean.dtype.base_dtype == tf.float32  # float32 stats
    assert (y64.dtype, y16.dtype) == (tf.float64, tf.float16)
    sess.run(tf.global_variables_initializer())
    a, b = sess.run([y64, y16], {X64: x, X16: x.astype(np.float16)})
    np.testing.assert_allclose(a, _bn_numpy(x, (0, 1, 2), 1.0, 0.0), atol=1e-10)
    np.testing.assert_allclose(b, a, atol=1e-2)


# --- dropout and flatten --------------------------------------------------------

def test_dropout_training_and_identity(graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 1000))
    training = tf.placeholder_with_default(False, shape=(), name="training")
    out = layers.dropout(X, rate=0.3, training=training, seed=7)
    x = np.ones((20, 1000), np.float32)
    np.testing.assert_array_equal(sess.run(out, {X: x}), x)
    y = sess.run(out, {X: x, training: True})
    kept = y != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert layers.dropout(X, 0.3).op.type == "Identity"  # training=False


def test_dropout_noise_shape_and_seed(graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 6, 50))
    out = layers.dropout(X, 0.5, noise_shape=[None, 1, 50], training=True,
                         seed=3)
    y = sess.run(out, {X: np.ones((4, 6, 50), np.float32)})
    # One mask per example and column, shared along axis 1.
    assert (y == y[:, :1, :]).all()
    assert 0.3 < (y != 0).mean() < 0.7
    with tf.Graph().as_default() as g2:
        tf.set_random_seed(0)
        X2 = tf.placeholder(tf.float32, shape=(None, 6, 50))
        out2 = layers.dropout(X2, 0.5, training=True, seed=3)
        with tf.Session(graph=g2) as s2:
            first = s2.run(out2, {X2: np.ones((2, 6, 50), np.float32)})
    with tf.Graph().as_default() as g3:
        tf.set_random_seed(0)
        X3 = tf.placeholder(tf.float32, shape=(None, 6, 50))
        out3 = layers.dropout(X3, 0.5, training=True, seed=3)
        with tf.Session(graph=g3) as s3:
            second = s3.run(out3, {X3: np.ones((2, 6, 50), np.float32)})
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("shape,expected", [
    ((None, 2, 3, 4), [None, 24]), ((None, None, 3), [None, None]),
    ((5, None), [5, None]), ((None,), [None, 1])])
def test_flatten_shapes(shape, expected, graph, sess):
    X = tf.placeholder(tf.float32, shape=shape)
    out = layers.flatten(X)
    assert out.shape.as_list() == expected
    concrete = [d or 5 for d in shape]
    x = np.arange(np.prod(concrete), dtype=np.float32).reshape(concrete)
    y = sess.run(out, {X: x})
    np.testing.assert_array_equal(y, x.reshape(concrete[0], -1))


def test_flatten_channels_first_moves_channels_last(graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 2, 3, 3))
    out = layers.flatten(X, data_format="channels_first")
    x = np.arange(36, dtype=np.float32).reshape(2, 2, 3, 3)
    y = sess.run(out, {X: x})
    assert y[0, :4].tolist() == [0.0, 9.0, 1.0, 10.0]  # channels interleaved
    np.testing.assert_array_equal(y, np.transpose(x, (0, 2, 3, 1)).reshape(2, -1))


# --- Layer attributes and subclassing ------------------------------------------

def test_layer_attributes_tf1_users_touch(graph):
    X = tf.placeholder(tf.float32, shape=(None, 3))
    dense = layers.Dense(2, name="d", kernel_regularizer=tf.nn.l2_loss)
    dense(X)
    assert dense.kernel.name == "d/kernel:0" and dense.bias.name == "d/bias:0"
    assert dense.trainable_weights == [dense.kernel, dense.bias]
    assert dense.variables == dense.weights == [dense.kernel, dense.bias]
    assert dense.non_trainable_weights == [] and dense.updates == []
    assert [t.name for t in dense.losses] == ["d/kernel/Regularizer/L2Loss:0"]
    assert dense.scope_name == "d" and dense.built
    bn = layers.BatchNormalization(name="bn")
    bn.apply(X, training=True)
    assert bn.non_trainable_weights == [bn.moving_mean, bn.moving_variance]
    assert bn.updates == tf.get_collection(tf.GraphKeys.UPDATE_OPS)


def test_dense_rank3_and_float64(graph, sess, rng):
    X3 = tf.placeholder(tf.float32, shape=(None, 4, 3))
    layer = layers.Dense(2, name="td")
    y3 = layer(X3)
    assert y3.shape.as_list() == [None, 4, 2] and y3.op.type == "BiasAdd"
    assert graph.get_operation_by_name("td/Tensordot/MatMul")
    X64 = tf.placeholder(tf.float64, shape=(None, 3))
    y64 = layers.dense(X64, 2, name="d64")
    assert y64.dtype == tf.float64
    assert tf.global_variables()[-2].dtype.base_dtype == tf.float64
    sess.run(tf.global_variables_initializer())
    x = rng.randn(2, 4, 3).astype(np.float32)
    k, b = sess.run([layer.kernel, layer.bias])
    np.testing.assert_allclose(sess.run(y3, {X3: x}), x @ k + b, atol=1e-6)


def test_subclassing_tf_layers_layer(graph, sess):
    class Scale(tf.layers.Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_variable(
                "w", shape=[input_shape[-1]],
                initializer=tf.constant_initializer(self.factor))
            super().build(input_shape)

        def call(self, inputs):
            return inputs * self.w

    X = tf.placeholder(tf.float32, shape=(None, 2))
    with tf.name_scope("net"):
        layer = Scale(3.0)
        y = layer(X)
    assert layer.w.name == "scale/w:0" and y.op.name == "net/scale/mul"
    assert tf.trainable_variables() == [layer.w]
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(y, {X: [[1.0, 2.0]]}), [[3.0, 6.0]])
