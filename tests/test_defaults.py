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


def _train(dnn, X, y, session_config, steps=30):
    feed_train = {dnn.X: X, dnn.y: y, dnn.training: True}
    feed_eval = {dnn.X: X, dnn.y: y}
    with tf.Session(config=session_config) as sess:
        sess.run(dnn.init)
        loss0 = sess.run(dnn.loss, feed_eval)
        for _ in range(steps):
            sess.run(dnn.training_op, feed_train)
        loss1, acc = sess.run([dnn.loss, dnn.accuracy], feed_eval)
        variables = {v.op.name: sess.run(v) for v in tf.global_variables()}
    return loss0, loss1, acc, variables


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
    X, y = _data(rng)
    loss0, loss1, acc, variables = _train(dnn, X, y, session_config)
    assert loss1 < loss0
    # batch-norm statistics moved because training_op ran the updates
    assert np.abs(variables["bn1/moving_mean"]).max() > 0
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
    X, y = _data(rng)
    loss0, loss1, _, _ = _train(dnn, X, y, session_config)
    assert loss1 < loss0


def test_sparse_variant_l1_and_ftrl(graph, session_config, rng):
    dnn = defaults.default_dnn(20, 3, n_hidden=(16,), variant="sparse",
                               learning_rate=0.3, l1_scale=0.003, seed=4)
    reg = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [t.op.name for t in reg] == [
        "dnn/hidden1/kernel/Regularizer/l1_regularizer",
        "dnn/outputs/kernel/Regularizer/l1_regularizer"]
    assert any(op.type.startswith("ApplyFtrl") for op in graph.get_operations())
    X, y = _data(rng)
    loss0, loss1, acc, variables = _train(dnn, X, y, session_config)
    assert loss1 < loss0 and acc > 0.8
    # FTRL's l1 produces exact zeros (but not all of them)
    assert 0.1 < (variables["hidden1/kernel"] == 0).mean() < 0.9


def test_bad_arguments():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="unknown variant 'quick'"):
            defaults.default_dnn(4, 2, variant="quick")
        with pytest.raises(ValueError, match="at least one hidden layer"):
            defaults.default_dnn(4, 2, n_hidden=())
        with pytest.raises(ValueError, match=r"dropout_rate must be in \[0, 1\)"):
            defaults.default_dnn(4, 2, dropout_rate=1.0)
