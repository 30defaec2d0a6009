"""tf.contrib.slim / framework / losses / metrics: every name the brief
lists resolves through `from tf1_dnn import tf` and runs; variables helpers,
checkpoint helpers, losses and metrics against tf-slim 1.1 (bitwise) or
closed forms; slim.learning.train checkpoints and resumes."""

import os

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.contrib import losses as L
from tf1_dnn.contrib import metrics as M
from tf1_dnn.contrib.variables import VariableNotFoundError

tf_slim = pytest.importorskip("tf_slim")

LAYER_NAMES = [
    "conv2d", "convolution2d", "convolution", "convolution1d",
    "convolution3d", "conv2d_transpose", "convolution2d_transpose",
    "separable_conv2d", "max_pool2d", "avg_pool2d", "max_pool3d",
    "avg_pool3d", "flatten", "layer_norm", "instance_norm",
    "one_hot_encoding", "repeat", "stack", "linear", "softmax", "bias_add",
    "unit_norm", "embed_sequence", "optimize_loss", "batch_norm",
    "fully_connected", "dropout", "l1_regularizer", "l2_regularizer",
    "l1_l2_regularizer", "xavier_initializer",
    "variance_scaling_initializer"]
SLIM_NAMES = [
    "arg_scope", "add_arg_scope", "variable", "model_variable",
    "get_variables", "get_variables_by_name", "get_variables_by_suffix",
    "get_model_variables", "get_variables_to_restore",
    "get_trainable_variables", "get_local_variables",
    "assign_from_checkpoint", "assign_from_checkpoint_fn", "losses",
    "metrics", "learning", "evaluation"]
FRAMEWORK_NAMES = [
    "get_variables_to_restore", "get_variables", "get_model_variables",
    "get_or_create_global_step", "get_global_step", "list_variables",
    "load_variable", "init_from_checkpoint", "assign_from_checkpoint",
    "assign_from_checkpoint_fn", "model_variable", "variable",
    "local_variable", "add_model_variable", "arg_scope", "add_arg_scope"]
LOSS_NAMES = [
    "softmax_cross_entropy", "sparse_softmax_cross_entropy", "log_loss",
    "mean_squared_error", "absolute_difference", "hinge_loss",
    "sigmoid_cross_entropy", "cosine_distance", "add_loss", "get_losses",
    "get_regularization_losses", "get_total_loss",
    "mean_pairwise_squared_error", "compute_weighted_loss"]
METRIC_NAMES = [
    "streaming_accuracy", "streaming_mean", "streaming_recall",
    "streaming_precision", "streaming_auc", "streaming_mean_absolute_error",
    "streaming_mean_squared_error", "streaming_root_mean_squared_error",
    "streaming_true_positives", "streaming_false_negatives",
    "streaming_mean_relative_error", "streaming_mean_iou",
    "streaming_recall_at_k", "streaming_percentage_less",
    "streaming_mean_cosine_distance", "streaming_mean_tensor",
    "aggregate_metrics", "aggregate_metric_map"]
LEARNING_NAMES = ["create_train_op", "train", "train_step",
                  "clip_gradient_norms", "multiply_gradients"]


def _layer_calls(slim, x, img, vol):
    """name -> a call of it (built inside a fresh graph)."""
    return {
        "conv2d": lambda: slim.conv2d(img, 2, 3),
        "convolution2d": lambda: slim.convolution2d(img, 2, 3),
        "convolution": lambda: slim.convolution(vol, 2, 3),
        "convolution1d": lambda: slim.convolution1d(img[:, 0], 2, 3),
        "convolution3d": lambda: slim.convolution3d(vol, 2, 3),
        "conv2d_transpose": lambda: slim.conv2d_transpose(img, 2, 3, 2),
        "convolution2d_transpose":
            lambda: slim.convolution2d_transpose(img, 2, 3),
        "separable_conv2d": lambda: slim.separable_conv2d(img, 2, 3),
        "max_pool2d": lambda: slim.max_pool2d(img, 2),
        "avg_pool2d": lambda: slim.avg_pool2d(img, 2),
        "max_pool3d": lambda: slim.max_pool3d(vol, 2),
        "avg_pool3d": lambda: slim.avg_pool3d(vol, 2),
        "flatten": lambda: slim.flatten(img),
        "layer_norm": lambda: slim.layer_norm(x),
        "instance_norm": lambda: slim.instance_norm(img),
        "one_hot_encoding": lambda: slim.one_hot_encoding([1, 0], 2),
        "repeat": lambda: slim.repeat(x, 2, slim.fully_connected, 3),
        "stack": lambda: slim.stack(x, slim.fully_connected, [3, 2]),
        "linear": lambda: slim.linear(x, 2),
        "softmax": lambda: slim.softmax(x),
        "bias_add": lambda: slim.bias_add(x),
        "unit_norm": lambda: slim.unit_norm(x, 1),
        "embed_sequence": lambda: slim.embed_sequence(
            [[1, 2]], vocab_size=3, embed_dim=2),
        "optimize_loss": lambda: slim.optimize_loss(
            tf.reduce_sum(slim.fully_connected(x, 1)),
            tf.train.get_or_create_global_step(), 0.1, "Adam"),
        "batch_norm": lambda: slim.batch_norm(x),
        "fully_connected": lambda: slim.fully_connected(x, 2),
        "dropout": lambda: slim.dropout(x, 0.5),
        "l1_regularizer": lambda: slim.l1_regularizer(0.1)(x),
        "l2_regularizer": lambda: slim.l2_regularizer(0.1)(x),
        "l1_l2_regularizer": lambda: slim.l1_l2_regularizer()(x),
        "xavier_initializer": lambda: slim.xavier_initializer()([2, 2]),
        "variance_scaling_initializer":
            lambda: slim.variance_scaling_initializer()([2, 2]),
    }


@pytest.mark.parametrize("namespace", ["layers", "slim"])
def test_every_layer_name_builds_and_runs(namespace):
    module = getattr(tf.contrib, namespace)
    ran = []
    for name in LAYER_NAMES:
        with tf.Graph().as_default():
            x = tf.constant(np.arange(8, dtype=np.float32).reshape(2, 4))
            img = tf.ones([2, 4, 4, 3])
            vol = tf.ones([1, 4, 4, 4, 2])
            out = _layer_calls(module, x, img, vol)[name]()
            with tf.Session() as s:
                s.run(tf.global_variables_initializer())
                value = s.run(out)
            assert np.all(np.isfinite(value)), name
            ran.append(name)
    assert ran == LAYER_NAMES
    if namespace == "slim":
        for name in LAYER_NAMES:
            assert getattr(tf.contrib.slim, name) is \
                getattr(tf.contrib.layers, name)


def test_every_framework_slim_loss_metric_learning_name_resolves():
    for name in FRAMEWORK_NAMES:
        assert callable(getattr(tf.contrib.framework, name)), name
    for name in SLIM_NAMES:
        assert getattr(tf.contrib.slim, name) is not None, name
    for name in LOSS_NAMES:
        assert getattr(tf.contrib.slim.losses, name) is \
            getattr(tf.contrib.losses, name)
    for name in METRIC_NAMES:
        assert getattr(tf.contrib.slim.metrics, name) is \
            getattr(tf.contrib.metrics, name)
    for name in LEARNING_NAMES:
        assert callable(getattr(tf.contrib.slim.learning, name)), name
    assert callable(tf.contrib.slim.evaluation.evaluate_once)
    with pytest.raises(AttributeError, match=r"tf\.contrib\.slim\.data is "
                                             "not provided"):
        tf.contrib.slim.data  # noqa: B018


# -- variables ----------------------------------------------------------------
def test_variable_helpers_names_collections(graph):
    slim = tf.contrib.slim
    with tf.variable_scope("conv1"):
        w = slim.model_variable("weights", shape=[2, 2],
                                regularizer=slim.l2_regularizer(0.1))
        b = slim.variable("biases", shape=[2])
    with tf.variable_scope("conv10"):
        w10 = slim.model_variable("weights", shape=[1])
    with tf.variable_scope("logits"):
        lw = slim.model_variable("weights", shape=[1], trainable=False)
    local = tf.contrib.framework.local_variable(0.0, name="count")
    extra = tf.Variable(1.0, name="extra")
    tf.contrib.framework.add_model_variable(extra)
    tf.contrib.framework.add_model_variable(extra)
    names = lambda vs: [v.op.name for v in vs]  # noqa: E731
    assert names(slim.get_model_variables()) == [
        "conv1/weights", "conv10/weights", "logits/weights", "extra"]
    assert names(slim.get_variables("conv1")) == [
        "conv1/weights", "conv1/biases", "conv10/weights"]   # regex prefix!
    assert names(slim.get_variables("conv1/")) == ["conv1/weights",
                                                   "conv1/biases"]
    assert names(slim.get_variables_by_name("weights")) == [
        "conv1/weights", "conv10/weights", "logits/weights"]
    assert names(slim.get_variables_by_suffix("biases")) == ["conv1/biases"]
    assert names(slim.get_trainable_variables()) == [
        "conv1/weights", "conv1/biases", "conv10/weights", "extra"]
    assert slim.get_local_variables() == [local]
    assert names(slim.get_variables_to_restore(exclude=["logits"])) == [
        "conv1/weights", "conv1/biases", "conv10/weights", "extra"]
    assert names(slim.get_variables_to_restore(include=["conv1/", "logits"],
                                               exclude=["conv1/biases"])) == \
        ["conv1/weights", "logits/weights"]
    assert slim.get_unique_variable("conv1/weights") is w
    with pytest.raises(VariableNotFoundError, match="Couldn't find"):
        slim.get_unique_variable("conv2/weights")
    with pytest.raises(TypeError, match=r"write exclude=\['logits'\]"):
        slim.get_variables_to_restore(exclude="logits")
    assert [l.op.name for l in slim.losses.get_regularization_losses()] == [
        "conv1/weights/Regularizer/l2_regularizer"]
    step = tf.contrib.framework.get_or_create_global_step()
    assert tf.contrib.framework.get_global_step() is step
    assert (b, w10, lw) == tuple(slim.get_variables_to_restore(
        include=["conv1/biases", "conv10", "logits"]))


def test_variable_device_through_arg_scope(graph):
    slim = tf.contrib.slim
    with slim.arg_scope([slim.model_variable], device="/cpu:0"):
        v = slim.model_variable("v", shape=[1])
    assert v.device.endswith("CPU:0") or v.device.endswith("cpu:0")


def _save_checkpoint(tmp_path):
    with tf.Graph().as_default():
        with tf.variable_scope("net"):
            tf.get_variable("w", initializer=tf.constant([[1.0, 2.0]]))
            tf.get_variable("b", initializer=tf.constant([3.0]))
        saver = tf.train.Saver()
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            return saver.save(s, str(tmp_path / "model.ckpt"))


def test_checkpoint_helpers(tmp_path):
    prefix = _save_checkpoint(tmp_path)
    fw = tf.contrib.framework
    assert sorted(fw.list_variables(prefix)) == [("net/b", [1]),
                                                 ("net/w", [1, 2])]
    np.testing.assert_array_equal(fw.load_variable(str(tmp_path), "net/w"),
                                  [[1.0, 2.0]])
    with tf.Graph().as_default():
        with tf.variable_scope("net"):
            w = tf.get_variable("w", shape=[1, 2])
            b = tf.get_variable("b", shape=[1])
            extra = tf.get_variable("extra", shape=[1],
                                    initializer=tf.zeros_initializer())
        op, feed = fw.assign_from_checkpoint(prefix, [w, b])
        with pytest.raises(VariableNotFoundError, match=r"net/extra.*"
                                                        "ignore_missing_vars"):
            fw.assign_from_checkpoint(prefix, [w, extra])
        init_fn = fw.assign_from_checkpoint_fn(prefix, [w, b, extra],
                                               ignore_missing_vars=True)
        renamed = tf.get_variable("renamed", shape=[1])
        op2, feed2 = fw.assign_from_checkpoint(prefix, {"net/b": renamed})
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            s.run(op, feed)
            s.run(op2, feed2)
            assert s.run(w).tolist() == [[1.0, 2.0]]
            assert s.run(renamed).tolist() == [3.0]
            s.run(tf.global_variables_initializer())
            init_fn(s)
            assert s.run(b).tolist() == [3.0]
    with tf.Graph().as_default():
        with tf.variable_scope("new"):
            w = tf.get_variable("w", shape=[1, 2])
        fw.init_from_checkpoint(prefix, {"net/": "new/"})
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            assert s.run(w).tolist() == [[1.0, 2.0]]


# -- losses -------------------------------------------------------------------
def _loss_calls(losses, logits, onehot, ids, probs, weights):
    return [
        losses.softmax_cross_entropy(logits, onehot, label_smoothing=0.1),
        losses.sparse_softmax_cross_entropy(logits, ids, weights=weights),
        losses.log_loss(probs, onehot),
        losses.mean_squared_error(probs, onehot, weights=weights[:, None]),
        losses.absolute_difference(probs, onehot, weights=2.0),
        losses.hinge_loss(logits, onehot),
        losses.sigmoid_cross_entropy(logits, onehot, weights=weights),
        losses.cosine_distance(tf.nn.l2_normalize(probs, 1), onehot, axis=1),
        losses.mean_pairwise_squared_error(probs, onehot),
        losses.get_total_loss(),
    ]


def test_losses_match_tf_slim_bitwise(rng):
    logits = rng.randn(6, 4).astype(np.float32)
    ids = rng.randint(0, 4, 6)
    onehot = np.eye(4, dtype=np.float32)[ids]
    probs = rng.rand(6, 4).astype(np.float32)
    weights = np.array([1, 0, 2, 1, 1, 0.5], np.float32)
    results = []
    for module in (L, tf_slim.losses):
        with tf.Graph().as_default():
            outs = _loss_calls(module, tf.constant(logits),
                               tf.constant(onehot), tf.constant(ids),
                               tf.constant(probs), tf.constant(weights))
            coll = [t.name for t in tf.get_collection(tf.GraphKeys.LOSSES)]
            with tf.Session() as s:
                results.append(([t.name for t in outs], coll, s.run(outs)))
    assert results[0][0] == results[1][0]       # names, e.g. log_loss/value
    assert results[0][1] == results[1][1]       # hinge_loss not collected
    for a, b in zip(results[0][2], results[1][2]):
        np.testing.assert_array_equal(a, b)
    # closed form of one: weighted sparse softmax cross entropy
    z = logits - logits.max(1, keepdims=True)
    ce = -(z[np.arange(6), ids] - np.log(np.exp(z).sum(1)))
    expected = (ce * weights).sum() / (weights != 0).sum()
    assert results[0][2][1] == pytest.approx(expected, rel=1e-5)


def test_losses_argument_order_pitfall(graph, sess):
    logits = tf.constant([[4.0, 0.0]])
    onehot = tf.constant([[0.0, 1.0]])
    contrib = L.softmax_cross_entropy(logits, onehot)       # logits first
    core = tf.losses.softmax_cross_entropy(onehot, logits)  # labels first
    assert sess.run(contrib) == pytest.approx(sess.run(core))
    with pytest.raises(ValueError, match="no losses found"):
        with tf.Graph().as_default():
            L.get_total_loss()


# -- metrics ------------------------------------------------------------------
def _metric_calls(metrics, pred_ids, label_ids, probs, bool_pred, bool_lab):
    return {
        "accuracy": metrics.streaming_accuracy(pred_ids, label_ids),
        "mean": metrics.streaming_mean(probs),
        "precision": metrics.streaming_precision(bool_pred, bool_lab),
        "recall": metrics.streaming_recall(bool_pred, bool_lab),
        "auc": metrics.streaming_auc(probs[:, 0], bool_lab),
        "mae": metrics.streaming_mean_absolute_error(probs[:, 0], probs[:, 1]),
        "mse": metrics.streaming_mean_squared_error(probs[:, 0], probs[:, 1]),
        "rmse": metrics.streaming_root_mean_squared_error(probs[:, 0],
                                                          probs[:, 1]),
        "tp": metrics.streaming_true_positives(bool_pred, bool_lab),
        "recall_at_2": metrics.streaming_recall_at_k(probs, label_ids, 2),
        "cos": metrics.streaming_mean_cosine_distance(probs, probs, 1),
        "less": metrics.streaming_percentage_less(probs, 0.5),
        "iou": metrics.streaming_mean_iou(pred_ids, label_ids, 3),
    }


def test_metrics_match_tf_slim_and_numpy(rng):
    batches = [(rng.rand(8, 3).astype(np.float32), rng.randint(0, 3, 8))
               for _ in range(3)]
    results = []
    for module in (M, tf_slim.metrics):
        with tf.Graph().as_default():
            P = tf.placeholder(tf.float32, (None, 3))
            Y = tf.placeholder(tf.int64, (None,))
            pred = tf.argmax(P, 1)
            calls = _metric_calls(module, pred, Y, P, P[:, 0] > 0.5,
                                  tf.equal(Y, 0))
            values, updates = module.aggregate_metric_map(calls)
            names = sorted(v.op.name for v in tf.local_variables())
            with tf.Session() as s:
                s.run(tf.local_variables_initializer())
                for p, y in batches:
                    s.run(updates, {P: p, Y: y})
                results.append((names, s.run(values)))
    assert results[0][0] == results[1][0]
    for key in results[0][1]:
        np.testing.assert_array_equal(results[0][1][key],
                                      results[1][1][key], err_msg=key)
    p = np.concatenate([b[0] for b in batches])
    y = np.concatenate([b[1] for b in batches])
    ours = results[0][1]
    assert ours["accuracy"] == pytest.approx((p.argmax(1) == y).mean())
    assert ours["mse"] == pytest.approx(((p[:, 0] - p[:, 1]) ** 2).mean(),
                                        rel=1e-5)
    assert ours["precision"] == pytest.approx(
        ((p[:, 0] > 0.5) & (y == 0)).sum() / (p[:, 0] > 0.5).sum())
    top2 = np.argsort(-p, 1)[:, :2]
    assert ours["recall_at_2"] == pytest.approx(
        np.mean([y[i] in top2[i] for i in range(len(y))]))


def test_metrics_argument_order_pitfall(graph, sess):
    predictions = tf.constant([True, True, True, False])
    labels = tf.constant([True, False, False, False])
    contrib, update = M.streaming_precision(predictions, labels)
    core, core_update = tf.metrics.precision(labels, predictions)
    swapped, swapped_update = tf.metrics.precision(predictions, labels)
    sess.run(tf.local_variables_initializer())
    sess.run([update, core_update, swapped_update])
    assert sess.run(contrib) == pytest.approx(1 / 3) == sess.run(core)
    assert sess.run(swapped) == 1.0         # the silent swap
    with pytest.raises(ValueError, match="at least one"):
        M.aggregate_metrics()


# -- learning -----------------------------------------------------------------
def _regression_graph(seed=0):
    tf.set_random_seed(seed)
    rng = np.random.RandomState(seed)
    x = rng.randn(32, 3).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3
    slim = tf.contrib.slim
    pred = slim.fully_connected(tf.constant(x), 1, activation_fn=None,
                                scope="lin")
    slim.losses.mean_squared_error(pred, tf.constant(y))
    total = slim.losses.get_total_loss()
    tf.summary.scalar("total_loss", total)
    return total


def test_create_train_op_step_and_clipping(graph, sess):
    w1 = tf.get_variable("w1", initializer=3.0)
    w2 = tf.get_variable("w2", initializer=0.1)
    loss = tf.square(w1) + tf.square(w2)
    counter = tf.get_variable("counter", initializer=0.0, trainable=False)
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS,
                         tf.assign_add(counter, 1.0))
    train_op = tf.contrib.slim.learning.create_train_op(
        loss, tf.train.GradientDescentOptimizer(0.1), clip_gradient_norm=1.0)
    assert train_op in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    sess.run(tf.global_variables_initializer())
    # the returned loss may be read before or after the update (TF 1.x:
    # nothing orders the loss's variable reads against the assign)
    assert 8.4 < sess.run(train_op) <= 9.01 + 1e-5
    # each gradient clipped to norm 1 separately: 6 -> 1, 0.2 stays (a
    # global-norm clip would have scaled 0.2 down too)
    np.testing.assert_allclose(sess.run([w1, w2]), [3.0 - 0.1, 0.1 - 0.02],
                               rtol=1e-6)
    assert sess.run(counter) == 1.0                       # UPDATE_OPS ran
    assert sess.run(tf.train.get_global_step()) == 1


def test_train_checkpoints_resumes_and_init_fn(tmp_path):
    slim = tf.contrib.slim
    logdir = str(tmp_path / "train")
    calls = []
    with tf.Graph().as_default():
        total = _regression_graph()
        train_op = slim.learning.create_train_op(
            total, tf.train.GradientDescentOptimizer(0.1))
        first = slim.learning.train(
            train_op, logdir, number_of_steps=20, log_every_n_steps=0,
            save_summaries_secs=0, save_interval_secs=0,
            init_fn=lambda sess: calls.append("init"))
    assert calls == ["init"]
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-20")
    assert any(f.startswith("events.out.tfevents")
               for f in os.listdir(logdir))
    with tf.Graph().as_default():
        total = _regression_graph()
        train_op = slim.learning.create_train_op(
            total, tf.train.GradientDescentOptimizer(0.1))
        steps = []

        def step_fn(sess, op, global_step, kwargs):
            loss, stop = slim.learning.train_step(sess, op, global_step,
                                                  kwargs)
            steps.append(loss)
            return loss, stop

        second = slim.learning.train(
            train_op, logdir, number_of_steps=30, train_step_fn=step_fn,
            init_fn=lambda sess: calls.append("init again"))
    assert calls == ["init"]                  # resumed: init_fn not called
    assert len(steps) == 10                   # global steps 21..30
    # The losses of an uninterrupted 30-step run in numpy, from the same
    # initial weights (graph seed 0): train returns the last step's
    # pre-update loss, the resumed run continues from step 20's weights.
    with tf.Graph().as_default():
        _regression_graph()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            w = sess.run("lin/weights:0").astype(np.float64)
            b = sess.run("lin/biases:0").astype(np.float64)
    rng = np.random.RandomState(0)
    x = rng.randn(32, 3).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3
    losses = []
    for _ in range(30):
        err = x @ w + b - y
        losses.append((err ** 2).mean())
        w, b = w - 0.1 * 2 * x.T @ err / 32, b - 0.1 * 2 * err.sum(0) / 32
    # The MSE is ~1e-3 by then, of float32 residuals ~0.03: absolute error
    # ~2e-9 (measured), hence atol 1e-7 (restarting from the initial
    # weights would give losses above 1).
    assert first == pytest.approx(losses[19], rel=1e-5, abs=1e-7)
    np.testing.assert_allclose(steps, losses[20:], rtol=1e-5, atol=1e-7)
    assert second == pytest.approx(losses[29], rel=1e-5, abs=1e-7)
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-30")
    with pytest.raises(ValueError, match="number_of_steps must be"):
        slim.learning.train(train_op, logdir, number_of_steps=0)


def test_evaluate_once_restores_and_computes(tmp_path):
    slim = tf.contrib.slim
    prefix = _save_checkpoint(tmp_path)
    with tf.Graph().as_default():
        with tf.variable_scope("net"):
            w = tf.get_variable("w", shape=[1, 2])
            tf.get_variable("b", shape=[1])
        value, update = slim.metrics.streaming_mean(tf.reduce_sum(w))
        result = slim.evaluation.evaluate_once(
            "", prefix, str(tmp_path / "eval"), num_evals=3, eval_op=update,
            final_op=value)
    assert result == pytest.approx(3.0)


def test_evaluation_loop_and_end_points(tmp_path):
    slim = tf.contrib.slim
    prefix = _save_checkpoint(tmp_path)
    with tf.Graph().as_default():
        with tf.variable_scope("net"):
            w = tf.get_variable("w", shape=[1, 2])
            tf.get_variable("b", shape=[1])
        value, update = slim.metrics.streaming_mean(tf.reduce_max(w))
        result = slim.evaluation.evaluation_loop(
            "", os.path.dirname(prefix), None, num_evals=2, eval_op=update,
            final_op=value, eval_interval_secs=0,
            max_number_of_evaluations=1, timeout=5)
    assert result == pytest.approx(2.0)
    with tf.Graph().as_default():
        with slim.arg_scope([slim.conv2d, slim.max_pool2d],
                            outputs_collections="vgg_end_points"):
            with tf.variable_scope("vgg"):
                net = slim.conv2d(tf.ones([1, 4, 4, 1]), 2, 3, scope="conv1")
                net = slim.max_pool2d(net, 2, scope="pool1")
        end_points = slim.utils.convert_collection_to_dict("vgg_end_points")
        assert list(end_points) == ["vgg/conv1", "vgg/pool1"]
        assert end_points["vgg/pool1"] is net
        assert slim.utils.two_element_tuple(3) == (3, 3)
        assert slim.utils.last_dimension(net.shape) == 2


def test_every_loss_and_metric_name_builds_and_runs():
    losses, metrics = tf.contrib.losses, tf.contrib.metrics
    p = tf.constant([[0.2, 0.8], [0.6, 0.4]])
    y = tf.constant([[0.0, 1.0], [1.0, 0.0]])
    ids = tf.constant([1, 0], tf.int64)
    loss_calls = {
        "softmax_cross_entropy": lambda: losses.softmax_cross_entropy(p, y),
        "sparse_softmax_cross_entropy":
            lambda: losses.sparse_softmax_cross_entropy(p, ids),
        "log_loss": lambda: losses.log_loss(p, y),
        "mean_squared_error": lambda: losses.mean_squared_error(p, y),
        "absolute_difference": lambda: losses.absolute_difference(p, y),
        "hinge_loss": lambda: losses.hinge_loss(p, y),
        "sigmoid_cross_entropy": lambda: losses.sigmoid_cross_entropy(p, y),
        "cosine_distance": lambda: losses.cosine_distance(p, y, axis=1),
        "mean_pairwise_squared_error":
            lambda: losses.mean_pairwise_squared_error(p, y),
        "compute_weighted_loss":
            lambda: losses.compute_weighted_loss(p, [[1.0], [0.0]]),
        "add_loss": lambda: losses.add_loss(tf.constant(1.0)) or
            losses.get_losses()[-1],
        "get_losses": lambda: losses.get_losses(),
        "get_regularization_losses":
            lambda: losses.get_regularization_losses() or tf.constant(0.0),
        "get_total_loss": lambda: losses.get_total_loss(),
    }
    pred = tf.argmax(p, 1)
    metric_calls = {
        "streaming_accuracy": lambda: metrics.streaming_accuracy(pred, ids),
        "streaming_mean": lambda: metrics.streaming_mean(p),
        "streaming_recall": lambda: metrics.streaming_recall(pred, ids),
        "streaming_precision": lambda: metrics.streaming_precision(pred, ids),
        "streaming_auc": lambda: metrics.streaming_auc(p[:, 1], ids),
        "streaming_mean_absolute_error":
            lambda: metrics.streaming_mean_absolute_error(p, y),
        "streaming_mean_squared_error":
            lambda: metrics.streaming_mean_squared_error(p, y),
        "streaming_root_mean_squared_error":
            lambda: metrics.streaming_root_mean_squared_error(p, y),
        "streaming_true_positives":
            lambda: metrics.streaming_true_positives(pred, ids),
        "streaming_false_negatives":
            lambda: metrics.streaming_false_negatives(pred, ids),
        "streaming_mean_relative_error":
            lambda: metrics.streaming_mean_relative_error(p, y, y + 1.0),
        "streaming_mean_iou": lambda: metrics.streaming_mean_iou(pred, ids, 2),
        "streaming_recall_at_k":
            lambda: metrics.streaming_recall_at_k(p, ids, 1),
        "streaming_percentage_less":
            lambda: metrics.streaming_percentage_less(p, 0.5),
        "streaming_mean_cosine_distance":
            lambda: metrics.streaming_mean_cosine_distance(p, y, 1),
        "streaming_mean_tensor": lambda: metrics.streaming_mean_tensor(p),
        "aggregate_metrics": lambda: metrics.aggregate_metrics(
            metrics.streaming_mean(p), metrics.streaming_mean(y)),
        "aggregate_metric_map": lambda: metrics.aggregate_metric_map(
            {"m": metrics.streaming_mean(p)}),
    }
    assert sorted(loss_calls) == sorted(LOSS_NAMES)
    assert sorted(metric_calls) == sorted(METRIC_NAMES)
    with tf.Session() as sess:
        for name, call in loss_calls.items():
            value = sess.run(call())
            assert np.all(np.isfinite(value)), name
        built = {name: call() for name, call in metric_calls.items()}
        sess.run(tf.local_variables_initializer())
        for name, (value, update) in built.items():
            sess.run(update)
            result = sess.run(value)
            if isinstance(result, dict):            # aggregate_metric_map
                result = list(result.values())
            assert np.all(np.isfinite(np.asarray(result, float))), name


def test_every_framework_name_builds_and_runs(tmp_path):
    fw = tf.contrib.framework
    prefix = _save_checkpoint(tmp_path)
    with tf.Graph().as_default():
        with fw.arg_scope([fw.model_variable], trainable=False):
            with tf.variable_scope("net"):
                w = fw.model_variable("w", shape=[1, 2])
                b = fw.variable("b", shape=[1])
        local = fw.local_variable(1.0, name="local")
        fw.add_model_variable(b)
        step = fw.get_or_create_global_step()
        assert fw.get_global_step() is step
        assert fw.get_variables("net") == [w, b]
        assert fw.get_model_variables() == [w, b]
        assert fw.get_variables_to_restore(exclude=["global_step"]) == [w, b]
        op, feed = fw.assign_from_checkpoint(prefix, [w])
        init_fn = fw.assign_from_checkpoint_fn(prefix, [b])
        fw.init_from_checkpoint(prefix, {"net/b": b})
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(),
                      tf.local_variables_initializer()])
            assert sess.run(b).tolist() == [3.0]      # init_from_checkpoint
            sess.run(op, feed)
            init_fn(sess)
            assert sess.run(w).tolist() == [[1.0, 2.0]]
            assert sess.run(local) == 1.0
    assert [n for n, _ in fw.list_variables(prefix)] == ["net/b", "net/w"]
    assert fw.load_variable(prefix, "net/b").tolist() == [3.0]
    for name in FRAMEWORK_NAMES:
        assert callable(getattr(fw, name)), name
