"""tf.contrib.layers / framework: names, collections, numbers, and the book's
contrib-era listings (Hands-On ML 1st ed., ch. 11, first printing)."""

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.contrib import framework
from tf1_dnn.contrib import layers as C

EPS = 0.001


def _names(variables):
    return [v.op.name for v in variables]


# -- namespace ----------------------------------------------------------------
def test_tf1_paths_resolve():
    assert tf.contrib.layers is C
    assert tf.contrib.layers.fully_connected is C.fully_connected
    assert tf.contrib.layers.batch_norm is C.batch_norm
    assert tf.contrib.layers.dropout is C.dropout
    assert tf.contrib.framework.arg_scope is framework.arg_scope
    assert tf.contrib.framework.add_arg_scope is framework.add_arg_scope
    import tf1_dnn.contrib.opt
    assert tf.contrib.opt is tf1_dnn.contrib.opt
    with pytest.raises(AttributeError, match=r"tf\.contrib\.slimmer is not "
                                             "provided by tf1_dnn"):
        tf.contrib.slimmer  # noqa: B018
    with pytest.raises(AttributeError, match=r"tf\.contrib\.layers\."
                                             "spatial_softmax is not provided"):
        tf.contrib.layers.spatial_softmax  # noqa: B018


# -- fully_connected ----------------------------------------------------------
def test_fully_connected_names_collections_and_values(graph, sess, rng):
    X = tf.placeholder(tf.float32, shape=(None, 5), name="X")
    h = C.fully_connected(X, 4)
    h1 = C.fully_connected(h, 3)
    named = C.fully_connected(h1, 2, scope="hidden1")
    assert _names(tf.global_variables()) == [
        "fully_connected/weights", "fully_connected/biases",
        "fully_connected_1/weights", "fully_connected_1/biases",
        "hidden1/weights", "hidden1/biases"]
    assert tf.get_collection(tf.GraphKeys.MODEL_VARIABLES) == \
        tf.global_variables()
    assert tf.trainable_variables() == tf.global_variables()
    # default activation is ReLU (tf.layers.dense: linear)
    assert h.op.name == "fully_connected/Relu"
    assert named.op.name == "hidden1/Relu"
    assert graph.get_operation_by_name("hidden1/MatMul").type == "MatMul"
    assert graph.get_operation_by_name("hidden1/BiasAdd").type == "BiasAdd"
    sess.run(tf.global_variables_initializer())
    x = rng.randn(7, 5).astype(np.float32)
    w, b = sess.run(["fully_connected/weights:0", "fully_connected/biases:0"])
    np.testing.assert_allclose(sess.run(h, {X: x}),
                               np.maximum(x @ w + b, 0), rtol=1e-5, atol=1e-6)
    assert not b.any()  # zeros
    # default weights initializer: Xavier uniform, r = sqrt(6 / (5 + 4))
    assert np.abs(w).max() <= np.sqrt(6 / 9)


def test_fully_connected_options(graph, sess, rng):
    X = tf.constant(rng.randn(6, 5).astype(np.float32))
    out = C.fully_connected(
        X, 3, activation_fn=None, weights_initializer=tf.ones_initializer(),
        biases_initializer=None, scope="lin",
        weights_regularizer=C.l2_regularizer(0.5),
        variables_collections={"weights": ["my_weights"]},
        outputs_collections=["my_outputs"])
    assert _names(tf.global_variables()) == ["lin/weights"]
    assert _names(tf.get_collection("my_weights")) == ["lin/weights"]
    assert tf.get_collection("my_outputs") == [out]
    assert out.aliases == ["lin"]
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    # TF 1.15 / tf-slim: the loss keeps Dense's name (kernel), the variable
    # is renamed weights by contrib's custom getter.
    assert [l.op.name for l in losses] == ["lin/kernel/Regularizer/l2_regularizer"]
    sess.run(tf.global_variables_initializer())
    assert sess.run(losses[0]) == pytest.approx(0.5 * 15 / 2)
    # reuse shares the variables and adds no second loss
    again = C.fully_connected(X, 3, activation_fn=None, biases_initializer=None,
                              scope="lin", reuse=True,
                              weights_regularizer=C.l2_regularizer(0.5))
    assert len(tf.global_variables()) == 1
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1
    sess.run(tf.global_variables_initializer())
    x = sess.run(X)
    np.testing.assert_allclose(sess.run(again), x @ np.ones((5, 3)), rtol=1e-5)
    # rank-3 input: applied over the last axis
    X3 = tf.constant(rng.randn(2, 4, 5).astype(np.float32))
    out3 = C.fully_connected(X3, 3, scope="seq")
    assert out3.shape.as_list() == [2, 4, 3]


def test_fully_connected_without_biases_under_normalizer(graph):
    X = tf.placeholder(tf.float32, shape=(None, 5))
    C.fully_connected(X, 4, normalizer_fn=C.batch_norm, scope="hidden1")
    assert _names(tf.global_variables()) == [
        "hidden1/weights", "hidden1/BatchNorm/beta",
        "hidden1/BatchNorm/moving_mean", "hidden1/BatchNorm/moving_variance"]


def test_fully_connected_errors(graph):
    with pytest.raises(ValueError, match="num_outputs should be an int, got 3.0"):
        C.fully_connected(tf.zeros([2, 3]), 3.0)
    with pytest.raises(ValueError, match=r"last dimension must be known.*"
                                         r"shape=\(None, 784\)"):
        C.fully_connected(tf.placeholder(tf.float32, shape=(None, None)), 3)
    with pytest.raises(ValueError, match="rank >= 2"):
        C.fully_connected(tf.zeros([3]), 3)
    with pytest.raises(ValueError, match=r"floating-point.*tf\.cast"):
        C.fully_connected(tf.zeros([2, 3], dtype=tf.int32), 3)


# -- batch_norm ---------------------------------------------------------------
def _bn_graph(x, **kwargs):
    X = tf.placeholder(tf.float32, shape=(None,) + x.shape[1:], name="X")
    return X, C.batch_norm(X, **kwargs)


def test_batch_norm_names_defaults_and_update_ops(graph, sess, rng):
    x = (3 + 2 * rng.randn(40, 3)).astype(np.float32)
    X, out = _bn_graph(x)
    assert _names(tf.global_variables()) == [
        "BatchNorm/beta", "BatchNorm/moving_mean", "BatchNorm/moving_variance"]
    assert _names(tf.trainable_variables()) == ["BatchNorm/beta"]
    assert tf.get_collection(tf.GraphKeys.MODEL_VARIABLES) == \
        tf.global_variables()
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    sess.run(tf.global_variables_initializer())
    mu, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(sess.run(out, {X: x}),
                               (x - mu) / np.sqrt(var + EPS), rtol=1e-4,
                               atol=1e-4)
    # nothing moves unless the UPDATE_OPS run
    assert sess.run("BatchNorm/moving_mean:0").tolist() == [0, 0, 0]
    sess.run(updates, {X: x})
    mm, mv = sess.run(["BatchNorm/moving_mean:0",
                       "BatchNorm/moving_variance:0"])
    decay = 0.999
    np.testing.assert_allclose(mm, (1 - decay) * mu, rtol=1e-4)
    # rank 2 + fused=None -> fused kernel -> UNBIASED batch variance
    n = len(x)
    np.testing.assert_allclose(mv, decay + (1 - decay) * var * n / (n - 1),
                               rtol=1e-5)
    # second batch of a second scope: default names are made unique
    C.batch_norm(X)
    assert "BatchNorm_1/beta" in _names(tf.global_variables())


def test_batch_norm_unfused_tracks_biased_variance_like_tf_keras(graph, sess,
                                                                 rng):
    from tf_keras.src.legacy_tf_layers import normalization as oracle
    x = (1 + 3 * rng.randn(30, 4)).astype(np.float32)
    X = tf.constant(x)
    out = C.batch_norm(X, decay=0.9, scale=True, fused=False)
    ref = oracle.batch_normalization(X, momentum=0.9, epsilon=EPS,
                                     training=True, name="ref")
    ref_updates = [u for u in tf.get_collection(tf.GraphKeys.UPDATE_OPS)
                   if u.name.startswith("ref")]
    ours = [u for u in tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            if u.name.startswith("BatchNorm")]
    assert len(ours) == 2
    # the tf.layers class's order, as TF 1.15 / tf-slim delegated
    assert _names(tf.trainable_variables()[:2]) == ["BatchNorm/gamma",
                                                     "BatchNorm/beta"]
    sess.run(tf.global_variables_initializer())
    y, y_ref = sess.run([out, ref])
    np.testing.assert_allclose(y, y_ref, rtol=1e-4, atol=1e-5)
    sess.run(ours + ref_updates)
    mv, mv_ref = sess.run(["BatchNorm/moving_variance:0",
                           "ref/moving_variance:0"])
    np.testing.assert_allclose(mv, mv_ref, rtol=1e-5)
    np.testing.assert_allclose(mv, 0.9 + 0.1 * x.var(0), rtol=1e-5)


def test_batch_norm_updates_in_place_when_collection_is_none(graph, sess, rng):
    x = rng.randn(20, 2).astype(np.float32) + 5
    X, out = _bn_graph(x, updates_collections=None, decay=0.5)
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    sess.run(tf.global_variables_initializer())
    sess.run(out, {X: x})
    np.testing.assert_allclose(sess.run("BatchNorm/moving_mean:0"),
                               0.5 * x.mean(0), rtol=1e-5)
    sess.run(out, {X: x})   # every evaluation updates again
    np.testing.assert_allclose(sess.run("BatchNorm/moving_mean:0"),
                               0.75 * x.mean(0), rtol=1e-5)


def test_batch_norm_is_training_tensor_and_constant(graph, sess, rng):
    x = rng.randn(16, 3).astype(np.float32) * 2 + 1
    X = tf.placeholder(tf.float32, shape=(None, 3))
    is_training = tf.placeholder(tf.bool, shape=(), name="is_training")
    out = C.batch_norm(X, is_training=is_training, updates_collections=None,
                       decay=0.9, scope="bn")
    test_only = C.batch_norm(X, is_training=False, scope="bn_test")
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    sess.run(tf.global_variables_initializer())
    # inference: moving stats (0, 1); running it does not update them
    np.testing.assert_allclose(sess.run(out, {X: x, is_training: False}),
                               x / np.sqrt(1 + EPS), rtol=1e-5)
    np.testing.assert_allclose(sess.run(test_only, {X: x}),
                               x / np.sqrt(1 + EPS), rtol=1e-5)
    assert not sess.run("bn/moving_mean:0").any()
    y = sess.run(out, {X: x, is_training: True})
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + EPS),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(sess.run("bn/moving_mean:0"), 0.1 * x.mean(0),
                               rtol=1e-5)


def test_batch_norm_update_ops_follow_is_training_tensor(graph, sess, rng):
    x = rng.randn(10, 2).astype(np.float32) + 3
    is_training = tf.placeholder(tf.bool, shape=())
    C.batch_norm(tf.constant(x), is_training=is_training, decay=0.5)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    sess.run(tf.global_variables_initializer())
    sess.run(updates, {is_training: False})
    assert not sess.run("BatchNorm/moving_mean:0").any()
    sess.run(updates, {is_training: True})
    np.testing.assert_allclose(sess.run("BatchNorm/moving_mean:0"),
                               0.5 * x.mean(0), rtol=1e-5)


def test_batch_norm_rank4_default_is_fused(graph, sess, rng):
    # TF 1.15 (and tf-slim 1.1, checked with tf_keras's layer behind it):
    # fused=None -> True -> the layer's fused kernel -> UNBIASED variance.
    x = rng.randn(4, 3, 3, 2).astype(np.float32)
    out = C.batch_norm(tf.constant(x), decay=0.0)
    assert [op.type for op in graph.get_operations()
            if op.type.startswith("FusedBatchNorm")] == ["FusedBatchNormV3"]
    sess.run(tf.global_variables_initializer())
    sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    np.testing.assert_allclose(sess.run("BatchNorm/moving_variance:0"),
                               x.var(axis=(0, 1, 2), ddof=1), rtol=1e-5)
    assert sess.run(out).shape == x.shape


def test_batch_norm_errors(graph):
    with pytest.raises(ValueError, match=r"unknown param_initializers keys "
                                         r"\['betta'\]"):
        C.batch_norm(tf.zeros([2, 3]), param_initializers={"betta": None})
    with pytest.raises(ValueError, match="data_format"):
        C.batch_norm(tf.zeros([2, 3]), data_format="NWC")
    with pytest.raises(ValueError, match="renorm is not supported with "
                                         "batch_weights, updates_collections"):
        C.batch_norm(tf.zeros([2, 3]), renorm=True, updates_collections=None)
    with pytest.raises(TypeError, match="is_training must be a Python bool"):
        C.batch_norm(tf.zeros([2, 3]), is_training=None)
    with pytest.raises(TypeError, match="dropout: is_training must be"):
        C.dropout(tf.zeros([2, 3]), is_training=None)


# -- dropout ------------------------------------------------------------------
def test_dropout_keep_prob_and_is_training(graph, sess):
    x = np.ones((1000, 100), np.float32)
    is_training = tf.placeholder_with_default(True, shape=())
    out = C.dropout(tf.constant(x), keep_prob=0.8, is_training=is_training,
                    seed=1)
    assert out.name.startswith("Dropout/")
    y = sess.run(out)                    # is_training defaults to True
    assert set(np.unique(y).round(5)) == {0.0, 1.25}
    assert (y == 0).mean() == pytest.approx(0.2, abs=0.01)
    np.testing.assert_array_equal(sess.run(out, {is_training: False}), x)
    np.testing.assert_array_equal(
        sess.run(C.dropout(tf.constant(x), is_training=False)), x)
    with pytest.raises(ValueError, match=r"keep_prob must be in \(0, 1\]"):
        C.dropout(tf.constant(x), keep_prob=0.0)


# -- arg_scope ----------------------------------------------------------------
def test_arg_scope_defaults_override_nesting_and_reuse(graph):
    X = tf.placeholder(tf.float32, shape=(None, 5))
    with framework.arg_scope([C.fully_connected], activation_fn=tf.nn.elu,
                             biases_initializer=None) as outer:
        a = C.fully_connected(X, 3, scope="a")
        b = C.fully_connected(X, 3, activation_fn=None, scope="b")
        with framework.arg_scope([C.fully_connected], activation_fn=tf.nn.tanh):
            c = C.fully_connected(X, 3, scope="c")
    d = C.fully_connected(X, 3, scope="d")
    with framework.arg_scope(outer):
        e = C.fully_connected(X, 3, scope="e")
    assert [t.op.type for t in (a, b, c, d, e)] == \
        ["Elu", "MatMul", "Tanh", "Relu", "Elu"]
    # biases_initializer=None from the outer scope also reached c
    assert "c/biases" not in _names(tf.global_variables())
    assert "d/biases" in _names(tf.global_variables())
    assert framework.has_arg_scope(C.batch_norm)
    assert "activation_fn" in framework.arg_scoped_arguments(C.fully_connected)


def test_arg_scope_rejects_undecorated_and_non_list():
    with pytest.raises(ValueError, match="not decorated with @add_arg_scope"):
        with framework.arg_scope([tf.layers.dense], units=3):
            pass
    with pytest.raises(TypeError, match="list/tuple"):
        with framework.arg_scope(C.fully_connected, activation_fn=None):
            pass
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with framework.arg_scope({}, activation_fn=None):
            pass

    @framework.add_arg_scope
    def f(x, y=1):
        return x + y

    with framework.arg_scope([f], y=10):
        assert f(1) == 11 and f(1, y=2) == 3
    assert f(1) == 2


# -- the book's contrib-era listings -------------------------------------------
# Only change: `from tensorflow.contrib.layers import ...` became
# `from tf1_dnn.contrib.layers import ...` (the module `tensorflow.contrib`
# cannot exist on TF 2); `tf.contrib.*` paths are used as printed.
N_INPUTS, N_HIDDEN1, N_HIDDEN2, N_OUTPUTS = 28 * 28, 300, 100, 10


def _synthetic(rng, n=64):
    X = rng.rand(n, N_INPUTS).astype(np.float32)
    W = rng.randn(N_INPUTS, N_OUTPUTS)
    return X, (X @ W).argmax(1).astype(np.int32)


def _check_steps(loss, training_op, feeds, session_config, lr,
                 momentum=0.0, steps=2, extra=()):
    """Runs the listing's `training_op` `steps` times and checks the
    trainable variables against the optimizer's update in numpy:
    accum = momentum * accum + g; var -= lr * accum (plain gradient descent
    with momentum 0). The gradients g come from a first session that loads
    numpy's weights before each step; a second session, from the same
    start, runs training_op. A seeded dropout op restarts its random
    sequence in every session, so step k sees the same masks in both.
    Returns numpy's weights before each step and after the last one."""
    variables = tf.trainable_variables()
    grads = tf.gradients(loss, variables)
    with tf.Session(config=session_config) as sess:
        sess.run(tf.global_variables_initializer())
        start = [sess.run(v) for v in tf.global_variables()]
        w = [sess.run(v).astype(np.float64) for v in variables]
        accum = [np.zeros_like(x) for x in w]
        history = [w]
        for _ in range(steps):
            for v, x in zip(variables, w):
                v.load(x, sess)
            g = sess.run(grads, feeds)
            accum = [momentum * a + g_ for a, g_ in zip(accum, g)]
            w = [x - lr * a for x, a in zip(w, accum)]
            history.append(w)
    with tf.Session(config=session_config) as sess:
        sess.run(tf.global_variables_initializer())
        for v, x in zip(tf.global_variables(), start):
            v.load(x, sess)
        for _ in range(steps):
            sess.run([training_op] + list(extra), feeds)
        after = [sess.run(v) for v in variables]
    for v, actual, expected in zip(variables, after, w):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6,
                                   err_msg=v.op.name)
    return [dict(zip([v.op.name for v in variables], ws)) for ws in history]


def test_book_batch_norm_listing_with_arg_scope(graph, session_config, rng):
    from tf1_dnn.contrib.layers import batch_norm, fully_connected

    tf.set_random_seed(42)  # not in the book: makes the test deterministic
    X = tf.placeholder(tf.float32, shape=(None, N_INPUTS), name="X")
    y = tf.placeholder(tf.int64, shape=(None), name="y")
    is_training = tf.placeholder(tf.bool, shape=(), name='is_training')
    bn_params = {
        'is_training': is_training,
        'decay': 0.99,
        'updates_collections': None
    }

    with tf.contrib.framework.arg_scope(
            [fully_connected],
            normalizer_fn=batch_norm,
            normalizer_params=bn_params):
        hidden1 = fully_connected(X, N_HIDDEN1, scope="hidden1")
        hidden2 = fully_connected(hidden1, N_HIDDEN2, scope="hidden2")
        logits = fully_connected(hidden2, N_OUTPUTS, scope="outputs",
                                 activation_fn=None)
    with tf.name_scope("loss"):
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits)
        loss = tf.reduce_mean(xentropy, name="loss")
    with tf.name_scope("train"):
        optimizer = tf.train.GradientDescentOptimizer(0.01)
        training_op = optimizer.minimize(loss)

    assert "hidden1/BatchNorm/moving_mean" in _names(tf.global_variables())
    assert "hidden1/biases" not in _names(tf.global_variables())
    Xv, yv = _synthetic(rng)
    history = _check_steps(loss, training_op,
                           {is_training: True, X: Xv, y: yv},
                           session_config, lr=0.01)
    # updates_collections=None: the moving mean moved in place, in each
    # step: moving = 0.99 * moving + 0.01 * batch mean of X @ weights.
    with tf.Session(config=session_config) as sess:
        sess.run(tf.global_variables_initializer())
        for w in history[:-1]:
            for v in tf.trainable_variables():
                v.load(w[v.op.name], sess)
            sess.run(training_op, {is_training: True, X: Xv, y: yv})
        moving_mean = sess.run("hidden1/BatchNorm/moving_mean:0")
    expected = 0.0
    for w in history[:-1]:
        expected = 0.99 * expected + 0.01 * (Xv @ w["hidden1/weights"]).mean(0)
    np.testing.assert_allclose(moving_mean, expected, rtol=1e-5, atol=1e-7)


def test_book_he_init_elu_dropout_listing(graph, session_config, rng):
    from tf1_dnn.contrib.layers import dropout, fully_connected

    tf.set_random_seed(42)  # not in the book: makes the test deterministic
    X = tf.placeholder(tf.float32, shape=(None, N_INPUTS), name="X")
    y = tf.placeholder(tf.int64, shape=(None), name="y")
    he_init = tf.contrib.layers.variance_scaling_initializer()
    is_training = tf.placeholder(tf.bool, shape=(), name='is_training')
    keep_prob = 0.5
    X_drop = dropout(X, keep_prob, is_training=is_training)
    hidden1 = fully_connected(X_drop, N_HIDDEN1, weights_initializer=he_init,
                              activation_fn=tf.nn.elu, scope="hidden1")
    hidden1_drop = dropout(hidden1, keep_prob, is_training=is_training)
    hidden2 = fully_connected(hidden1_drop, N_HIDDEN2, scope="hidden2")
    hidden2_drop = dropout(hidden2, keep_prob, is_training=is_training)
    logits = fully_connected(hidden2_drop, N_OUTPUTS, activation_fn=None,
                             scope="outputs")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=logits))
    training_op = tf.train.MomentumOptimizer(0.01, momentum=0.9).minimize(loss)
    Xv, yv = _synthetic(rng)
    _check_steps(loss, training_op, {is_training: True, X: Xv, y: yv},
                 session_config, lr=0.01, momentum=0.9)


def test_book_l1_and_max_norm_contrib_listings(graph, session_config, rng):
    from tf1_dnn.contrib.framework import arg_scope
    from tf1_dnn.contrib.layers import fully_connected

    tf.set_random_seed(42)  # not in the book: makes the test deterministic
    X = tf.placeholder(tf.float32, shape=(None, N_INPUTS), name="X")
    y = tf.placeholder(tf.int64, shape=(None), name="y")
    with arg_scope(
            [fully_connected],
            weights_regularizer=tf.contrib.layers.l1_regularizer(scale=0.01)):
        hidden1 = fully_connected(X, N_HIDDEN1, scope="hidden1")
        hidden2 = fully_connected(hidden1, N_HIDDEN2, scope="hidden2")
        logits = fully_connected(hidden2, N_OUTPUTS, activation_fn=None,
                                 scope="out")
    base_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=logits))
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    loss = tf.add_n([base_loss] + reg_losses, name="loss")
    # max-norm, first-printing style
    threshold = 1.0
    weights = tf.get_default_graph().get_tensor_by_name("hidden1/weights:0")
    clipped_weights = tf.clip_by_norm(weights, clip_norm=threshold, axes=1)
    clip_weights = tf.assign(weights, clipped_weights)
    training_op = tf.train.GradientDescentOptimizer(0.001).minimize(loss)

    assert len(reg_losses) == 3
    Xv, yv = _synthetic(rng)
    feeds = {X: Xv, y: yv}
    history = _check_steps(loss, training_op, feeds, session_config,
                           lr=0.001, steps=1)
    # The gradient descent step included the l1 term: numpy's step used
    # TF's gradient of the total loss; check its l1 part, scale * sign(w).
    base_grad = tf.gradients(base_loss, weights)[0]
    with tf.Session(config=session_config) as sess:
        sess.run(tf.global_variables_initializer())
        w0 = weights.eval()
        g_base = sess.run(base_grad, feeds)
        sess.run(training_op, feeds)
        np.testing.assert_allclose(weights.eval(),
                                   w0 - 0.001 * (g_base + 0.01 * np.sign(w0)),
                                   rtol=1e-5, atol=1e-7)
        w1 = weights.eval()
        np.testing.assert_allclose(history[-1]["hidden1/weights"], w1,
                                   rtol=1e-5, atol=1e-6)
        # Glorot rows of 300 have norms ~0.75 < threshold: scaled by 1.35,
        # some rows exceed it and some do not.
        (weights_var,) = [v for v in tf.global_variables()
                          if v.op.name == "hidden1/weights"]
        weights_var.load(1.35 * w1, sess)
        w_big = weights.eval().astype(np.float64)
        clip_weights.eval()
        clipped = weights.eval()
    # max-norm: each row of the kernel rescaled to norm <= threshold.
    norms = np.linalg.norm(w_big, axis=1, keepdims=True)
    assert (norms > 1.0).any() and (norms < 1.0).any()
    np.testing.assert_allclose(clipped, w_big * np.minimum(1.0, 1.0 / norms),
                               rtol=1e-5, atol=1e-7)


def test_seed_batch_norm_listing_verbatim(graph, session_config, rng):
    # Seed 000's batch-norm listing (tf.layers era), unchanged but for the
    # data: `mnist.train.next_batch` became a synthetic batch.
    from functools import partial

    tf.set_random_seed(42)  # not in the book: makes the test deterministic
    n_inputs = 28 * 28
    n_hidden1 = 300
    n_hidden2 = 100
    n_outputs = 10

    X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
    y = tf.placeholder(tf.int32, shape=(None), name="y")

    training = tf.placeholder_with_default(False, shape=(), name='training')

    my_batch_norm_layer = partial(tf.layers.batch_normalization,
                                  training=training, momentum=0.9)

    hidden1 = tf.layers.dense(X, n_hidden1, name="hidden1")
    bn1 = my_batch_norm_layer(hidden1)
    bn1_act = tf.nn.elu(bn1)
    hidden2 = tf.layers.dense(bn1_act, n_hidden2, name="hidden2")
    bn2 = my_batch_norm_layer(hidden2)
    bn2_act = tf.nn.elu(bn2)
    logits_before_bn = tf.layers.dense(bn2_act, n_outputs, name="outputs")
    logits = my_batch_norm_layer(logits_before_bn)

    with tf.name_scope("loss"):
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits)
        loss = tf.reduce_mean(xentropy, name="loss")
    with tf.name_scope("train"):
        training_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)

    extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(extra_update_ops) == 6
    X_batch, y_batch = _synthetic(rng)
    feeds = {training: True, X: X_batch, y: y_batch}
    history = _check_steps(loss, training_op, feeds, session_config,
                           lr=0.01, extra=[extra_update_ops])
    # The extra update ops ran with each step: moving = 0.9 * moving +
    # 0.1 * batch mean of hidden1 (X @ kernel + bias, before the step).
    with tf.Session(config=session_config) as sess:
        sess.run(tf.global_variables_initializer())
        for _ in history[:-1]:
            sess.run([training_op, extra_update_ops], feed_dict=feeds)
        moving_mean = sess.run("batch_normalization/moving_mean:0")
    expected = 0.0
    for w in history[:-1]:
        expected = 0.9 * expected + 0.1 * (
            X_batch @ w["hidden1/kernel"] + w["hidden1/bias"]).mean(0)
    np.testing.assert_allclose(moving_mean, expected, rtol=1e-5, atol=1e-7)


def test_real_tf113_contrib_bn_checkpoint_into_rebuilt_graph(
        tf1_checkpoints_dir, session_config, rng):
    """martinjedwabny's c11_bn_final.ckpt (TF 1.13.1): the book's
    fully_connected + batch_norm network. Rebuilt with our contrib layers,
    a plain Saver restores every variable by name and the forward pass
    (is_training=True; the checkpoint's moving statistics are NaN) equals
    the original graph's; the output op keeps its TF 1.x name."""
    prefix = str(tf1_checkpoints_dir /
                 "martinjedwabny__HandsOnMLTensorflow__c11_bn_final.ckpt" /
                 "c11_bn_final.ckpt")
    x = rng.rand(8, 784).astype(np.float32)
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session(config=session_config) as sess:
            saver.restore(sess, prefix)
            want = sess.run("outputs/BatchNorm/Reshape_1:0",
                            {"X:0": x, "is_training:0": True})
    with tf.Graph().as_default():
        X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
        is_training = tf.placeholder(tf.bool, shape=(), name="is_training")
        bn_params = {"is_training": is_training, "decay": 0.99,
                     "updates_collections": None, "scale": True}
        with tf.contrib.framework.arg_scope(
                [C.fully_connected], normalizer_fn=C.batch_norm,
                normalizer_params=bn_params):
            hidden1 = C.fully_connected(X, 300, scope="hidden1")
            hidden2 = C.fully_connected(hidden1, 100, scope="hidden2")
            logits = C.fully_connected(hidden2, 10, scope="outputs",
                                       activation_fn=None)
        assert logits.op.name == "outputs/BatchNorm/Reshape_1"
        assert sorted(_names(tf.global_variables())) == sorted(
            name for name, _ in tf.train.list_variables(prefix))
        saver = tf.train.Saver()
        with tf.Session(config=session_config) as sess:
            saver.restore(sess, prefix)
            got = sess.run(logits, {X: x, is_training: True})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert np.isfinite(got).all()


def test_real_tf11_contrib_fully_connected_checkpoint(tf1_checkpoints_dir,
                                                      session_config, rng):
    """nachocarracedo's my_model_final.ckpt (TF 1.1.0): its contrib head
    (hidden1/weights, ...; ops under the name scope dnn_2) restores by name
    with a plain Saver into our fully_connected layers, and forwards like
    the original graph."""
    prefix = str(tf1_checkpoints_dir /
                 "nachocarracedo__tensor_flow__my_model_final.ckpt-fcc0a22" /
                 "my_model_final.ckpt")
    x = rng.rand(4, 784).astype(np.float32)
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session(config=session_config) as sess:
            saver.restore(sess, prefix)
            want = sess.run("dnn_2/outputs/BiasAdd:0", {"X_1:0": x})
    with tf.Graph().as_default():
        X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
        with tf.name_scope("dnn"):
            hidden1 = C.fully_connected(X, 300, scope="hidden1")
            hidden2 = C.fully_connected(hidden1, 100, scope="hidden2")
            logits = C.fully_connected(hidden2, 10, scope="outputs",
                                       activation_fn=None)
        assert logits.op.name == "dnn/outputs/BiasAdd"
        assert _names(tf.model_variables()) == [
            "hidden1/weights", "hidden1/biases", "hidden2/weights",
            "hidden2/biases", "outputs/weights", "outputs/biases"]
        saver = tf.train.Saver()
        with tf.Session(config=session_config) as sess:
            saver.restore(sess, prefix)
            got = sess.run(logits, {X: x})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_batch_norm_routed_updates_and_frozen_layer(graph, sess, rng):
    x = rng.randn(6, 3).astype(np.float32) + 2
    C.batch_norm(tf.constant(x), updates_collections=["my_updates"],
                 decay=0.5, scope="routed")
    C.batch_norm(tf.constant(x), trainable=False, scope="frozen")
    C.batch_norm(tf.constant(x), trainable=False, updates_collections=None,
                 decay=0.5, scope="frozen_in_place")
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    routed = tf.get_collection("my_updates")
    assert len(routed) == 2
    sess.run(tf.global_variables_initializer())
    sess.run(routed)
    np.testing.assert_allclose(sess.run("routed/moving_mean:0"),
                               0.5 * x.mean(0), rtol=1e-5)
    sess.run("frozen_in_place/Reshape_1:0")     # in place: still updates
    np.testing.assert_allclose(sess.run("frozen_in_place/moving_mean:0"),
                               0.5 * x.mean(0), rtol=1e-5)
    assert _names(tf.trainable_variables()) == ["routed/beta"]
