"""Table 11-2's default DNN and its variants: names, wiring, a few steps."""

import numpy as np
import pytest

from tf1_dnn import defaults, tf


def _data(rng, n=128, n_inputs=20, n_outputs=3):
    X = rng.randn(n, n_inputs).astype(np.float32)
    W = rng.randn(n_inputs, n_outputs)
    return X, (X @ W).argmax(1)


def _op_types(graph):
    return {op.type for op in graph.get_operations()}


def _values(sess, variables):
    return {v.op.name: sess.run(v) for v in variables}


def _softmax_xent_grad(logits, y):
    """Mean sparse softmax cross-entropy and its gradient w.r.t. logits."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y]).mean()
    dz = p.copy()
    dz[np.arange(n), y] -= 1.0
    return loss, dz / n


def _assert_close(actual, expected, names):
    for name in names:
        np.testing.assert_allclose(actual[name], expected[name], rtol=1e-5,
                                   atol=1e-6, err_msg=name)


def test_table_11_2():
    assert defaults.TABLE_11_2 == {
        "initialization": "He initialization", "activation": "ELU",
        "normalization": "Batch Normalization", "regularization": "Dropout",
        "optimizer": "Nesterov Accelerated Gradient",
        "learning_rate_schedule": None}


def test_default_names_wiring_and_training(graph, session_config, rng):
    dnn = defaults.default_dnn(20, 3, n_hidden=(16, 8), dropout_rate=0.1,
                               learning_rate=0.05, seed=1)
    assert (dnn.X.name, dnn.y.name, dnn.training.name) == \
        ("X:0", "y:0", "training:0")
    assert dnn.loss.name == "loss/loss:0"
    assert dnn.accuracy.name == "eval/accuracy:0"
    assert dnn.logits.name == "dnn/outputs/BiasAdd:0"
    assert [v.op.name for v in tf.trainable_variables()] == [
        "hidden1/kernel", "hidden1/bias", "bn1/gamma", "bn1/beta",
        "hidden2/kernel", "hidden2/bias", "bn2/gamma", "bn2/beta",
        "outputs/kernel", "outputs/bias"]
    assert len(dnn.extra_update_ops) == 4
    assert set(dnn.extra_update_ops) <= set(dnn.training_op.control_inputs)
    types = _op_types(graph)
    assert "Elu" in types
    # Nesterov momentum
    momentum_ops = [op for op in graph.get_operations()
                    if op.type == "ApplyMomentum"]
    assert momentum_ops and all(op.get_attr("use_nesterov")
                                for op in momentum_ops)
    # He init: hidden1 kernel variance 2 / fan_in (checked below)
    # One training step, checked against Nesterov's update in numpy:
    # accum = g (the slot starts at 0), var -= lr * (g + momentum * accum),
    # so var1 = var0 - 0.05 * 1.9 * g. The gradients g come from a first
    # session; a second session, from the same weights, runs training_op.
    # A seeded dropout op restarts its random sequence in every session, so
    # both see the same masks (asserted through the dropped inputs).
    X, y = _data(rng)
    feed = {dnn.X: X, dnn.y: y, dnn.training: True}
    variables = tf.trainable_variables()
    grads = tf.gradients(dnn.loss, variables)
    x_dropped = graph.get_operation_by_name("dnn/hidden1/MatMul").inputs[0]
    with tf.Session(config=session_config) as sess:
        sess.run(dnn.init)
        start = _values(sess, tf.global_variables())
        g, x_drop0 = sess.run([grads, x_dropped], feed)
    with tf.Session(config=session_config) as sess:
        sess.run(dnn.init)
        for v in tf.global_variables():
            v.load(start[v.op.name], sess)
        _, x_drop1 = sess.run([dnn.training_op, x_dropped], feed)
        after = _values(sess, tf.global_variables())
    np.testing.assert_array_equal(x_drop0, x_drop1)
    assert 0 < (x_drop1 == 0).mean() < 0.3           # dropout 0.1 was on
    names = [v.op.name for v in variables]
    expected = {n: start[n] - 0.05 * 1.9 * g_ for n, g_ in zip(names, g)}
    _assert_close(after, expected, names)
    slots = {n + "/Momentum": g_ for n, g_ in zip(names, g)}
    _assert_close(after, slots, slots)
    # batch-norm statistics moved because training_op ran the updates:
    # moving = 0.9 * moving + 0.1 * batch statistic (of hidden1's output).
    h1 = x_drop1.astype(np.float64) @ start["hidden1/kernel"] \
        + start["hidden1/bias"]
    np.testing.assert_allclose(after["bn1/moving_mean"], 0.1 * h1.mean(0),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(after["bn1/moving_variance"],
                               0.9 + 0.1 * h1.var(0), rtol=1e-5, atol=1e-6)
    assert dnn.config["variant"] == "default"


def test_he_init_in_default_dnn(graph, session_config):
    dnn = defaults.default_dnn(1000, 3, n_hidden=(400,), seed=3)
    with tf.Session(config=session_config) as sess:
        sess.run(dnn.init)
        kernel = sess.run("hidden1/kernel:0")
    assert np.var(kernel) == pytest.approx(2.0 / 1000, rel=0.03)


def test_fast_variant_leaky_relu_no_batch_norm(graph, session_config, rng):
    dnn = defaults.default_dnn(20, 3, n_hidden=(16,), variant="fast",
                               learning_rate=0.05, seed=2)
    names = [v.op.name for v in tf.global_variables()]
    assert not any(n.startswith("bn") for n in names)
    assert dnn.extra_update_ops == []
    assert graph.get_operation_by_name("dnn/Maximum").type == "Maximum"
    assert "Elu" not in _op_types(graph)
    # Two Nesterov steps against numpy (forward, backprop, update):
    # z = X W1 + b1, h = max(0.01 z, z), logits = h W2 + b2;
    # accum = 0.9 accum + g; var -= 0.05 * (g + 0.9 * accum).
    X, y = _data(rng)
    feed = {dnn.X: X, dnn.y: y, dnn.training: True}
    names = ["hidden1/kernel", "hidden1/bias", "outputs/kernel",
             "outputs/bias"]
    with tf.Session(config=session_config) as sess:
        sess.run(dnn.init)
        start = _values(sess, tf.trainable_variables())
        loss0 = sess.run(dnn.loss, {dnn.X: X, dnn.y: y})
        for _ in range(2):
            sess.run(dnn.training_op, feed)
        after = _values(sess, tf.trainable_variables())
    w = {n: start[n].astype(np.float64) for n in names}
    accum = {n: np.zeros_like(w[n]) for n in names}
    losses = []
    for _ in range(2):
        z = X @ w["hidden1/kernel"] + w["hidden1/bias"]
        h = np.maximum(0.01 * z, z)
        loss, dlogits = _softmax_xent_grad(
            h @ w["outputs/kernel"] + w["outputs/bias"], y)
        losses.append(loss)
        dz = (dlogits @ w["outputs/kernel"].T) * np.where(z > 0, 1.0, 0.01)
        g = {"outputs/kernel": h.T @ dlogits, "outputs/bias": dlogits.sum(0),
             "hidden1/kernel": X.T @ dz, "hidden1/bias": dz.sum(0)}
        for n in names:
            accum[n] = 0.9 * accum[n] + g[n]
            w[n] = w[n] - 0.05 * (g[n] + 0.9 * accum[n])
    assert loss0 == pytest.approx(losses[0], rel=1e-5)
    _assert_close(after, w, names)


def test_sparse_variant_l1_and_ftrl(graph, session_config, rng):
    dnn = defaults.default_dnn(20, 3, n_hidden=(16,), variant="sparse",
                               learning_rate=0.3, l1_scale=0.003, seed=4)
    reg = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [t.op.name for t in reg] == [
        "dnn/hidden1/kernel/Regularizer/l1_regularizer",
        "dnn/outputs/kernel/Regularizer/l1_regularizer"]
    assert any(op.type.startswith("ApplyFtrl") for op in graph.get_operations())
    # One FTRL step against TF's documented ApplyFtrl update in numpy
    # (initial accumulator 0.1, lr_power -0.5, l1 = l1_scale, l2 = 0):
    #   accum' = accum + g^2
    #   linear' = linear + g - (sqrt(accum') - sqrt(accum)) / lr * var
    #   var' = (sign(linear') l1 - linear') / (sqrt(accum') / lr)
    #          if |linear'| > l1 else 0
    # with g the gradient of loss = cross-entropy + l1 * sum|kernel|.
    # Pitfall (TF1's FTRL-proximal): var' no longer depends on the
    # initial weights except through `linear`.
    X, y = _data(rng)
    feed = {dnn.X: X, dnn.y: y, dnn.training: True}
    variables = tf.trainable_variables()
    names = [v.op.name for v in variables]
    grads = tf.gradients(dnn.loss, variables)
    with tf.Session(config=session_config) as sess:
        sess.run(dnn.init)
        start = _values(sess, variables)
        g = sess.run(grads, feed)      # no dropout: the same gradients as
        sess.run(dnn.training_op, feed)                      # training_op's
        after = _values(sess, tf.global_variables())
    lr, l1 = 0.3, 0.003
    expected, linears = {}, {}
    for n, g_ in zip(names, g):
        accum = 0.1 + g_.astype(np.float64) ** 2
        linear = g_ - (np.sqrt(accum) - np.sqrt(0.1)) / lr * start[n]
        expected[n] = np.where(np.abs(linear) > l1,
                               (np.sign(linear) * l1 - linear)
                               / (np.sqrt(accum) / lr), 0.0)
        expected[n + "/Ftrl"] = accum
        expected[n + "/Ftrl_1"] = linear
        linears[n] = linear
    _assert_close(after, expected, expected)
    # FTRL's l1 produces exact zeros (but not all of them), where numpy says
    kernel, linear = after["hidden1/kernel"], linears["hidden1/kernel"]
    clear = np.abs(np.abs(linear) - l1) > 1e-6
    np.testing.assert_array_equal((kernel == 0)[clear],
                                  (np.abs(linear) <= l1)[clear])
    assert 0.1 < (kernel == 0).mean() < 0.9


def test_bad_arguments():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="unknown variant 'quick'"):
            defaults.default_dnn(4, 2, variant="quick")
        with pytest.raises(ValueError, match="at least one hidden layer"):
            defaults.default_dnn(4, 2, n_hidden=())
        with pytest.raises(ValueError, match=r"dropout_rate must be in \[0, 1\)"):
            defaults.default_dnn(4, 2, dropout_rate=1.0)
