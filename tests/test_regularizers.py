"""l1/l2 regularizers (contrib semantics) and the chapter's max-norm."""

from functools import partial

import numpy as np
import pytest

from tf1_dnn import regularizers, tf
from tf1_dnn.contrib import layers as contrib_layers

W = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -0.5]], dtype=np.float32)


def _run(sess, t):
    return sess.run(t)


def test_tf1_paths_resolve():
    for name in ("l1_regularizer", "l2_regularizer", "l1_l2_regularizer",
                 "sum_regularizer", "apply_regularization"):
        assert getattr(tf.contrib.layers, name) is getattr(regularizers, name)
        assert getattr(contrib_layers, name) is getattr(regularizers, name)


def test_l1_l2_values_and_names(sess):
    w = tf.constant(W)
    l1 = regularizers.l1_regularizer(0.01)(w)
    l2 = regularizers.l2_regularizer(0.01)(w)
    both = regularizers.l1_l2_regularizer(0.01, 0.02)(w)
    assert l1.op.name == "l1_regularizer"
    assert l2.op.name == "l2_regularizer"
    assert both.op.name == "l1_l2_regularizer"
    assert _run(sess, l1) == pytest.approx(0.01 * np.abs(W).sum(), rel=1e-6)
    # l2 is HALF the sum of squares (tf.nn.l2_loss)
    assert _run(sess, l2) == pytest.approx(0.01 * (W ** 2).sum() / 2, rel=1e-6)
    assert _run(sess, both) == pytest.approx(
        0.01 * np.abs(W).sum() + 0.02 * (W ** 2).sum() / 2, rel=1e-6)


def test_zero_scale_disables_and_integer_scale_raises():
    w = tf.constant(W)
    assert regularizers.l1_regularizer(0.0)(w) is None
    assert regularizers.l2_regularizer(0.0)(w) is None
    assert regularizers.l1_l2_regularizer(0.0, 0.0)(w) is None
    with pytest.raises(ValueError, match=r"scale cannot be an integer: 0.*0\.0"):
        regularizers.l1_regularizer(0)
    with pytest.raises(ValueError, match="scale_l2 cannot be an integer: 1"):
        regularizers.l1_l2_regularizer(1.0, 1)
    with pytest.raises(ValueError, match="less than 0"):
        regularizers.l2_regularizer(-0.1)


def test_l1_l2_with_one_zero_scale_is_the_other(sess):
    w = tf.constant(W)
    only_l2 = regularizers.l1_l2_regularizer(0.0, 0.5)(w)
    assert _run(sess, only_l2) == pytest.approx(0.5 * (W ** 2).sum() / 2)


def test_sum_regularizer_skips_none(sess):
    w = tf.constant(W)
    assert regularizers.sum_regularizer([None]) is None
    reg = regularizers.sum_regularizer(
        [regularizers.l1_regularizer(1.0), lambda _: None])
    assert _run(sess, reg(w)) == pytest.approx(np.abs(W).sum())
    assert regularizers.sum_regularizer([lambda _: None])(w) is None


def test_apply_regularization(graph, sess):
    a = tf.constant(W)
    b = tf.constant(2 * W)
    total = regularizers.apply_regularization(
        regularizers.l1_regularizer(0.1), [a, b])
    assert total.op.name == "get_regularization_penalty"
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == [total]
    assert _run(sess, total) == pytest.approx(0.1 * 3 * np.abs(W).sum(),
                                              rel=1e-6)
    with pytest.raises(ValueError, match="No weights to regularize"):
        regularizers.apply_regularization(regularizers.l1_regularizer(0.1))
    with pytest.raises(ValueError, match="scalar Tensor instead of a Tensor "
                                         "with rank 2"):
        regularizers.apply_regularization(lambda w: w, [a])


def test_dense_kernel_regularizer_goes_to_collection(graph, sess):
    X = tf.constant(W)
    tf.layers.dense(X, 4, kernel_regularizer=regularizers.l2_regularizer(0.5),
                    name="hidden1")
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1
    sess.run(tf.global_variables_initializer())
    kernel = sess.run(graph.get_tensor_by_name("hidden1/kernel:0"))
    assert sess.run(losses[0]) == pytest.approx(0.5 * (kernel ** 2).sum() / 2,
                                                rel=1e-5)


def test_max_norm_regularizer_rows_after_clip(graph, sess, rng):
    # the chapter's listing: a regularizer that returns None + clip ops
    max_norm_reg = regularizers.max_norm_regularizer(threshold=1.0)
    X = tf.placeholder(tf.float32, shape=(None, 20), name="X")
    hidden1 = tf.layers.dense(X, 30, activation=tf.nn.relu,
                              kernel_regularizer=max_norm_reg, name="hidden1",
                              kernel_initializer=tf.random_normal_initializer(
                                  stddev=3.0, seed=1))
    hidden2 = tf.layers.dense(hidden1, 5, kernel_regularizer=max_norm_reg,
                              name="hidden2")
    del hidden2
    clip_all_weights = tf.get_collection("max_norm")
    assert [t.op.name for t in clip_all_weights] == \
        ["hidden1/kernel/Regularizer/max_norm",
         "hidden2/kernel/Regularizer/max_norm"]
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == []
    sess.run(tf.global_variables_initializer())
    kernel = graph.get_tensor_by_name("hidden1/kernel:0")
    before = sess.run(kernel)
    assert np.linalg.norm(before, axis=1).max() > 1.5
    sess.run(clip_all_weights)
    after = sess.run(kernel)
    row_norms = np.linalg.norm(after, axis=1)
    assert row_norms.max() <= 1.0 + 1e-5
    # independently: clip each row of the old kernel with numpy
    expected = before * np.minimum(
        1.0, 1.0 / np.linalg.norm(before, axis=1, keepdims=True))
    np.testing.assert_allclose(after, expected, rtol=1e-5, atol=1e-6)


def test_max_norm_regularizer_with_fully_connected_adds_one_op(graph, sess):
    # first-printing listing: weights_regularizer=max_norm_reg on contrib layers
    from tf1_dnn.contrib.layers import fully_connected
    max_norm_reg = regularizers.max_norm_regularizer(threshold=1.0)
    X = tf.placeholder(tf.float32, shape=(None, 8), name="X")
    hidden1 = fully_connected(X, 6, scope="hidden1",
                              weights_regularizer=max_norm_reg)
    fully_connected(hidden1, 4, scope="hidden2",
                    weights_regularizer=max_norm_reg)
    clip_all_weights = tf.get_collection("max_norm")
    # TF 1.15 contrib delegates to Dense: the regularizer runs under the
    # layer's `kernel/Regularizer` name scope (the variable is `weights`).
    assert [t.op.name for t in clip_all_weights] == [
        "hidden1/kernel/Regularizer/max_norm",
        "hidden2/kernel/Regularizer/max_norm"]
    sess.run(tf.global_variables_initializer())
    sess.run(tf.assign(graph.get_tensor_by_name("hidden1/weights:0"),
                       5 * tf.ones([8, 6])))
    sess.run(clip_all_weights)
    np.testing.assert_allclose(
        np.linalg.norm(sess.run("hidden1/weights:0"), axis=1), 1.0, rtol=1e-5)


def test_native_get_variable_regularizer_naming_on_tf2(graph):
    # Known TF 2.x difference (documented): tf.get_variable(regularizer=...)
    # first calls the regularizer OUTSIDE the "<var>/Regularizer/" name scope
    # (to test for None), so the chapter's max-norm op is named "max_norm",
    # not "w/Regularizer/max_norm" as in TF 1.x. tf1_dnn layers keep the
    # TF 1.x name (see the dense and fully_connected tests above).
    max_norm_reg = regularizers.max_norm_regularizer(threshold=1.0)
    tf.get_variable("w", shape=[3, 3], regularizer=max_norm_reg)
    assert [t.op.name for t in tf.get_collection("max_norm")] == ["max_norm"]


def test_max_norm_constraint_columns_after_training_step(graph, sess, rng):
    X = tf.constant(rng.randn(64, 20).astype(np.float32))
    y = tf.constant(rng.randn(64, 10).astype(np.float32))
    out = tf.layers.dense(X, 10, kernel_constraint=regularizers.max_norm(0.5),
                          name="out")
    loss = tf.reduce_mean(tf.square(out - 100.0 * y))
    training_op = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    sess.run(tf.global_variables_initializer())
    kernel = graph.get_tensor_by_name("out/kernel:0")
    # independent check: unconstrained SGD step would exceed the bound
    grad = tf.gradients(loss, [kernel])[0]
    w0, g0 = sess.run([kernel, grad])
    unconstrained = w0 - 1.0 * g0
    assert np.linalg.norm(unconstrained, axis=0).max() > 0.5
    sess.run(training_op)
    w1 = sess.run(kernel)
    col_norms = np.linalg.norm(w1, axis=0)
    assert col_norms.max() <= 0.5 + 1e-5
    expected = unconstrained * np.minimum(
        1.0, 0.5 / np.linalg.norm(unconstrained, axis=0, keepdims=True))
    np.testing.assert_allclose(w1, expected, rtol=1e-4, atol=1e-5)


def test_max_norm_bad_threshold():
    with pytest.raises(ValueError, match="threshold .* must be > 0"):
        regularizers.max_norm_regularizer(0.0)
    with pytest.raises(ValueError, match="threshold .* must be > 0"):
        regularizers.max_norm(-1.0)


def test_book_l1_listings_run(graph, session_config, rng):
    # Chapter 11, l1 regularization, both listings as printed.
    tf.set_random_seed(42)  # not in the book: makes the test deterministic
    n_inputs, n_hidden1, n_hidden2, n_outputs = 20, 30, 10, 3
    X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
    y = tf.placeholder(tf.int32, shape=(None,), name="y")
    scale = 0.001  # l1 regularization hyperparameter
    my_dense_layer = partial(
        tf.layers.dense, activation=tf.nn.relu,
        kernel_regularizer=tf.contrib.layers.l1_regularizer(scale))

    with tf.name_scope("dnn"):
        hidden1 = my_dense_layer(X, n_hidden1, name="hidden1")
        hidden2 = my_dense_layer(hidden1, n_hidden2, name="hidden2")
        logits = my_dense_layer(hidden2, n_outputs, activation=None,
                                name="outputs")
    with tf.name_scope("loss"):
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits)
        base_loss = tf.reduce_mean(xentropy, name="avg_xentropy")
        reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        loss = tf.add_n([base_loss] + reg_losses, name="loss")
    # the manual variant of the same listing
    W1 = tf.get_default_graph().get_tensor_by_name("hidden1/kernel:0")
    W2 = tf.get_default_graph().get_tensor_by_name("outputs/kernel:0")
    manual = tf.reduce_sum(tf.abs(W1)) + tf.reduce_sum(tf.abs(W2))
    training_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

    assert len(reg_losses) == 3
    Xv = rng.randn(50, n_inputs).astype(np.float32)
    yv = rng.randint(0, n_outputs, 50)
    with tf.Session(config=session_config) as s:
        s.run(tf.global_variables_initializer())
        reg0, man0, w2 = s.run(
            [tf.add_n(reg_losses), manual,
             tf.get_default_graph().get_tensor_by_name("hidden2/kernel:0")])
        assert reg0 == pytest.approx(scale * (man0 + np.abs(w2).sum()),
                                     rel=1e-5)
        names = [v.op.name for v in tf.trainable_variables()]
        start = dict(zip(names, s.run(tf.trainable_variables())))
        losses = []
        for _ in range(2):
            losses.append(s.run(loss, {X: Xv, y: yv}))
            s.run(training_op, {X: Xv, y: yv})
        after = dict(zip(names, s.run(tf.trainable_variables())))
    # Two gradient-descent steps in numpy: forward, backprop, and the l1
    # term's gradient scale * sign(w) added to every kernel's gradient.
    w = {n: v.astype(np.float64) for n, v in start.items()}
    for step in range(2):
        z1 = Xv @ w["hidden1/kernel"] + w["hidden1/bias"]
        h1 = np.maximum(z1, 0.0)
        z2 = h1 @ w["hidden2/kernel"] + w["hidden2/bias"]
        h2 = np.maximum(z2, 0.0)
        logits = h2 @ w["outputs/kernel"] + w["outputs/bias"]
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        l1_sum = sum(np.abs(w[n]).sum() for n in w if n.endswith("kernel"))
        expected_loss = (-np.log(p[np.arange(50), yv]).mean()
                         + scale * l1_sum)
        assert losses[step] == pytest.approx(expected_loss, rel=1e-5), step
        dl = p.copy()
        dl[np.arange(50), yv] -= 1.0
        dl /= 50
        dz2 = (dl @ w["outputs/kernel"].T) * (z2 > 0)
        dz1 = (dz2 @ w["hidden2/kernel"].T) * (z1 > 0)
        g = {"outputs/kernel": h2.T @ dl, "outputs/bias": dl.sum(0),
             "hidden2/kernel": h1.T @ dz2, "hidden2/bias": dz2.sum(0),
             "hidden1/kernel": Xv.T @ dz1, "hidden1/bias": dz1.sum(0)}
        for n in w:
            if n.endswith("kernel"):
                g[n] = g[n] + scale * np.sign(w[n])
            w[n] = w[n] - 0.1 * g[n]
    for n in names:
        np.testing.assert_allclose(after[n], w[n], rtol=1e-5, atol=1e-6,
                                   err_msg=n)
