"""tf.estimator: Estimator, specs, RunConfig, inputs, export, train_and_evaluate.

Numbers are checked against numpy computed from the checkpoint's variables
(read back independently with tf.train.load_variable), file layouts against
what TF 1.x wrote, errors by type and message fragment.
"""

import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO
from tf1_dnn import tf
from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.estimator import (EstimatorError, InputFnError,
                               ModelDirMismatchError, ModelFnError,
                               NoCheckpointError)

RNG = np.random.RandomState(0)
X = RNG.randn(60, 3).astype(np.float32)
W_TRUE = np.array([[1.5], [-2.0], [0.5]], np.float32)
Y = (X @ W_TRUE + 0.25).astype(np.float32)


def linear_model_fn(features, labels, mode, params):
    """y = x W + b, MSE, SGD; metric: mean absolute error."""
    pred = tf.layers.dense(features["x"], 1, name="linear")
    predictions = {"y": pred}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.losses.mean_squared_error(labels, pred)
    train_op = tf.train.GradientDescentOptimizer(params["lr"]).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(
        mode, loss=loss, train_op=train_op, predictions=predictions,
        eval_metric_ops={"mae": tf.metrics.mean_absolute_error(labels, pred)})


def make_est(model_dir, lr=0.1, **config):
    config.setdefault("save_checkpoints_steps", 5)
    config.setdefault("tf_random_seed", 3)
    return tf.estimator.Estimator(
        linear_model_fn, model_dir=str(model_dir), params={"lr": lr},
        config=tf.estimator.RunConfig(**config))


def train_fn(num_epochs=None, batch_size=20, shuffle=True):
    return tf.estimator.inputs.numpy_input_fn(
        {"x": X}, Y, batch_size=batch_size, num_epochs=num_epochs,
        shuffle=shuffle)


def weights(est):
    return (est.get_variable_value("linear/kernel"),
            est.get_variable_value("linear/bias"))


def event_tags(folder):
    tags = {}
    for path in glob.glob(os.path.join(folder, "events.out.tfevents.*")):
        for event in tf.train.summary_iterator(path):
            for v in event.summary.value:
                tags.setdefault(v.tag, []).append((event.step, v.simple_value))
    return tags


def test_train_writes_tf1_model_dir_and_evaluate_matches_numpy(tmp_path):
    est = make_est(tmp_path, log_step_count_steps=4, save_summary_steps=4)
    assert est.train(train_fn(), steps=12) is est
    files = set(os.listdir(tmp_path))
    assert {"checkpoint", "graph.pbtxt"} <= files
    for step in (5, 10, 12):
        assert f"model.ckpt-{step}.index" in files
        assert f"model.ckpt-{step}.meta" in files
    assert est.latest_checkpoint() == str(tmp_path / "model.ckpt-12")
    tags = event_tags(str(tmp_path))
    assert "global_step/sec" in tags
    assert [step for step, _ in tags["loss"]] == [1, 5, 9]
    assert sorted(est.get_variable_names()) == [
        "global_step", "linear/bias", "linear/kernel"]
    # evaluate over one epoch in batches of 25 (25, 25, 10):
    result = est.evaluate(train_fn(num_epochs=1, batch_size=25,
                                   shuffle=False))
    w, b = weights(est)
    err = X @ w + b - Y
    assert result["global_step"] == 12
    np.testing.assert_allclose(result["mae"], np.abs(err).mean(), rtol=1e-5)
    # `loss` is the mean of the three per-batch losses (TF 1.x's mean metric).
    batch_mse = [np.mean(err[i:i + 25] ** 2) for i in (0, 25, 50)]
    np.testing.assert_allclose(result["loss"], np.mean(batch_mse), rtol=1e-5)
    eval_tags = event_tags(str(tmp_path / "eval"))
    assert eval_tags["mae"][0][0] == 12
    np.testing.assert_allclose(eval_tags["mae"][0][1], result["mae"],
                               rtol=1e-6)
    est.evaluate(train_fn(num_epochs=1), steps=1, name="valid")
    assert os.path.isdir(tmp_path / "eval_valid")


def test_training_learns_the_line(tmp_path):
    est = make_est(tmp_path, lr=0.2)
    est.train(train_fn(), steps=150)
    w, b = weights(est)
    np.testing.assert_allclose(w, W_TRUE, atol=0.02)
    np.testing.assert_allclose(b, [0.25], atol=0.02)


def test_second_train_resumes_and_max_steps_is_absolute(tmp_path):
    est = make_est(tmp_path)
    est.train(train_fn(), steps=6)
    w6 = weights(est)[0]
    est2 = make_est(tmp_path)        # a new Estimator on the same model_dir
    est2.train(train_fn(), steps=3)
    assert est2.get_variable_value("global_step") == 9
    assert not np.array_equal(w6, weights(est2)[0])
    est2.train(train_fn(), max_steps=9)   # already there: skipped
    assert est2.get_variable_value("global_step") == 9
    est2.train(train_fn(), max_steps=11)
    assert est2.get_variable_value("global_step") == 11
    with pytest.raises(EstimatorError, match="both steps and max_steps"):
        est2.train(train_fn(), steps=1, max_steps=20)


def test_end_of_input_ends_training(tmp_path):
    """num_epochs=1 over 60 examples in batches of 25: 3 steps (25, 25, 10)."""
    est = make_est(tmp_path)
    est.train(train_fn(num_epochs=1, batch_size=25), steps=100)
    assert est.get_variable_value("global_step") == 3
    est.train(train_fn(num_epochs=2, batch_size=25))
    assert est.get_variable_value("global_step") == 3 + 5


def test_dataset_input_fn_and_hooks(tmp_path):
    def input_fn():
        ds = tf.data.Dataset.from_tensor_slices(({"x": X}, Y))
        return ds.batch(10)               # 6 batches, then OutOfRange

    seen = []

    class CountHook(tf.estimator.SessionRunHook):
        def after_run(self, run_context, run_values):
            seen.append(1)

    est = make_est(tmp_path)
    est.train(input_fn, hooks=[CountHook()])
    assert len(seen) == 6
    assert est.get_variable_value("global_step") == 6
    assert est.evaluate(input_fn)["global_step"] == 6


def test_predict_matches_numpy(tmp_path):
    est = make_est(tmp_path)
    est.train(train_fn(), steps=5)
    w, b = weights(est)
    pred_fn = tf.estimator.inputs.numpy_input_fn({"x": X[:7]}, batch_size=3,
                                                 shuffle=False)
    rows = list(est.predict(pred_fn))
    assert len(rows) == 7 and set(rows[0]) == {"y"}
    np.testing.assert_allclose(np.array([r["y"] for r in rows]),
                               X[:7] @ w + b, rtol=1e-5, atol=1e-6)
    batches = list(est.predict(pred_fn, yield_single_examples=False))
    assert [len(bt["y"]) for bt in batches] == [3, 3, 1]
    only = list(est.predict(pred_fn, predict_keys=["y"]))
    assert len(only) == 7
    with pytest.raises(EstimatorError, match="not prediction keys"):
        list(est.predict(pred_fn, predict_keys=["nope"]))


def test_export_round_trip_tf1_loader(tmp_path):
    est = make_est(tmp_path / "model")
    est.train(train_fn(), steps=5)
    receiver = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3])})
    path = est.export_saved_model(str(tmp_path / "export"), receiver)
    assert isinstance(path, bytes)
    path = path.decode()
    assert os.path.exists(os.path.join(path, "saved_model.pb"))
    assert not [d for d in os.listdir(tmp_path / "export")
                if d.startswith("temp-")]
    w, b = weights(est)
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], path)
        sig = meta.signature_def["serving_default"]
        out = sess.run(sig.outputs["y"].name, {sig.inputs["x"].name: X[:4]})
    np.testing.assert_allclose(out, X[:4] @ w + b, rtol=1e-5, atol=1e-6)
    # The older spelling exports too (to a new timestamped directory).
    path2 = est.export_savedmodel(str(tmp_path / "export"), receiver).decode()
    assert path2 != path and os.path.isdir(path2)


def test_export_loads_in_tensorflow2_eager(tmp_path):
    """TF 2.21's own tf.saved_model.load serves the TF1 SavedModel."""
    est = make_est(tmp_path / "model")
    est.train(train_fn(), steps=5)
    receiver = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3])})
    path = est.export_saved_model(str(tmp_path / "export"),
                                  receiver).decode()
    w, b = weights(est)
    code = (
        "import json, sys, numpy as np, tensorflow as tf\n"
        "m = tf.saved_model.load(sys.argv[1])\n"
        "f = m.signatures['serving_default']\n"
        "x = np.array(json.loads(sys.argv[2]), np.float32)\n"
        "print(json.dumps(f(x=tf.constant(x))['y'].numpy().tolist()))\n")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", code, path,
                          json.dumps(X[:4].tolist())], capture_output=True,
                         text=True, env=env, timeout=600, cwd=str(REPO))
    assert out.returncode == 0, out.stderr[-3000:]
    served = np.array(json.loads(out.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(served, X[:4] @ w + b, rtol=1e-5, atol=1e-6)


def test_train_and_evaluate_local(tmp_path):
    est = make_est(tmp_path, save_checkpoints_steps=4)
    receiver = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3])})
    exporter = tf.estimator.FinalExporter("final", receiver)
    result, exports = tf.estimator.train_and_evaluate(
        est, tf.estimator.TrainSpec(train_fn(), max_steps=10),
        tf.estimator.EvalSpec(train_fn(num_epochs=1), steps=None,
                              exporters=[exporter], throttle_secs=0))
    assert result["global_step"] == 10
    assert set(result) == {"loss", "mae", "global_step"}
    assert len(exports) == 1
    assert exports[0].decode().startswith(str(tmp_path / "export" / "final"))
    # evaluated after the saves at 4 and 8 and the final one at 10
    steps = sorted(s for s, _ in event_tags(str(tmp_path / "eval"))["mae"])
    assert steps == [4, 8, 10]


def test_train_and_evaluate_ignores_a_wall_clock_stepped_back(tmp_path,
                                                              monkeypatch):
    """throttle_secs counts on a monotonic clock: a wall clock that steps
    back between two saves (NTP on a fresh CI machine) skips no evaluation."""
    import types
    from tf1_dnn.estimator import training as training_mod
    wall = iter(range(10**6, 0, -1000))       # each call: 1000 s earlier
    fake = types.SimpleNamespace(time=lambda: float(next(wall)),
                                 monotonic=training_mod.time.monotonic)
    monkeypatch.setattr(training_mod, "time", fake)
    est = make_est(tmp_path, save_checkpoints_steps=4)
    tf.estimator.train_and_evaluate(
        est, tf.estimator.TrainSpec(train_fn(), max_steps=10),
        tf.estimator.EvalSpec(train_fn(num_epochs=1), steps=None,
                              throttle_secs=0))
    steps = sorted(s for s, _ in event_tags(str(tmp_path / "eval"))["mae"])
    assert steps == [4, 8, 10]


def test_warm_start_copies_variables(tmp_path):
    a = make_est(tmp_path / "a")
    a.train(train_fn(), steps=5)
    b = tf.estimator.Estimator(
        linear_model_fn, model_dir=str(tmp_path / "b"), params={"lr": 0.0},
        config=tf.estimator.RunConfig(save_checkpoints_steps=5),
        warm_start_from=tf.estimator.WarmStartSettings(
            str(tmp_path / "a"), vars_to_warm_start="linear.*"))
    b.train(train_fn(), steps=1)
    np.testing.assert_array_equal(weights(b)[0], weights(a)[0])
    assert b.get_variable_value("global_step") == 1


def test_works_in_a_tf2_process_and_import_changes_nothing(tmp_path):
    """Plain TensorFlow 2 (eager on): importing tf1_dnn.estimator keeps eager
    on, and a canned estimator trains, evaluates and predicts."""
    code = (
        "import sys, numpy as np, tensorflow as tf\n"
        "import tf1_dnn.estimator as E\n"
        "import tf1_dnn.contrib.learn, tf1_dnn.contrib.factorization\n"
        "assert tf.executing_eagerly()\n"
        "X = np.random.RandomState(0).rand(40, 3).astype(np.float32)\n"
        "y = (X[:, 0] > .5).astype(np.int64)\n"
        "c = [tf.compat.v1.feature_column.numeric_column('x', shape=[3])]\n"
        "clf = E.DNNClassifier([4], c, model_dir=sys.argv[1])\n"
        "clf.train(E.inputs.numpy_input_fn({'x': X}, y, num_epochs=None,\n"
        "          shuffle=True, batch_size=10), steps=3)\n"
        "r = clf.evaluate(E.inputs.numpy_input_fn({'x': X}, y, shuffle=False))\n"
        "p = list(clf.predict(E.inputs.numpy_input_fn({'x': X}, shuffle=False)))\n"
        "assert tf.executing_eagerly()\n"
        "print(int(r['global_step']), len(p))\n")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)],
                         capture_output=True, text=True, env=env, timeout=600,
                         cwd=str(REPO))
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "3 40"


def test_run_config_defaults_and_errors():
    c = tf.estimator.RunConfig()
    assert (c.save_checkpoints_secs, c.save_checkpoints_steps,
            c.keep_checkpoint_max, c.save_summary_steps,
            c.log_step_count_steps) == (600, None, 5, 100, 100)
    c2 = c.replace(save_checkpoints_steps=7)
    assert (c2.save_checkpoints_steps, c2.save_checkpoints_secs) == (7, None)
    with pytest.raises(EstimatorError, match="both save_checkpoints_secs"):
        tf.estimator.RunConfig(save_checkpoints_steps=1,
                               save_checkpoints_secs=1)
    with pytest.raises(EstimatorError, match="different values"):
        tf.estimator.Estimator(linear_model_fn, model_dir="/tmp/a",
                               config=tf.estimator.RunConfig(model_dir="/b"))


# -- errors ----------------------------------------------------------------

@pytest.mark.parametrize("bad, fragment", [
    (lambda: ({"x": tf.constant(X)}, tf.constant(Y), 1), "3 items"),
    (lambda: X, "type ndarray"),
    (lambda: ({"x": X}, tf.constant(Y)), "entry 'x' is a ndarray"),
])
def test_input_fn_wrong_structure(tmp_path, bad, fragment):
    with pytest.raises(InputFnError, match=fragment) as info:
        make_est(tmp_path).train(bad, steps=1)
    assert isinstance(info.value, Tf1DnnError)
    assert isinstance(info.value, ValueError)


def test_model_fn_missing_loss_or_train_op(tmp_path):
    def no_train_op(features, labels, mode):
        pred = tf.layers.dense(features["x"], 1)
        return tf.estimator.EstimatorSpec(
            mode, loss=tf.losses.mean_squared_error(labels, pred))

    def no_loss(features, labels, mode):
        pred = tf.layers.dense(features["x"], 1)
        return tf.estimator.EstimatorSpec(mode, train_op=tf.no_op())

    for fn, fragment in ((no_train_op, "Missing train_op"),
                         (no_loss, "Missing loss")):
        est = tf.estimator.Estimator(fn, model_dir=str(tmp_path))
        with pytest.raises(ModelFnError, match=fragment):
            est.train(train_fn(), steps=1)
    with pytest.raises(ModelFnError, match="Loss must be scalar"):
        with tf.Graph().as_default():
            tf.estimator.EstimatorSpec("eval", loss=tf.zeros([3]))


def test_model_dir_of_another_model_names_variables(tmp_path):
    make_est(tmp_path).train(train_fn(), steps=2)

    def other_model_fn(features, labels, mode):
        pred = tf.layers.dense(features["x"], 1, name="other_dense")
        loss = tf.losses.mean_squared_error(labels, pred)
        return tf.estimator.EstimatorSpec(
            mode, loss=loss, train_op=tf.train.GradientDescentOptimizer(
                0.1).minimize(loss, tf.train.get_global_step()))

    est = tf.estimator.Estimator(other_model_fn, model_dir=str(tmp_path))
    with pytest.raises(ModelDirMismatchError) as info:
        est.train(train_fn(), steps=1)
    message = str(info.value)
    assert "other_dense/kernel" in message and str(tmp_path) in message
    with pytest.raises(ModelDirMismatchError, match="other_dense/bias"):
        est.evaluate(train_fn(num_epochs=1))


def test_predict_before_any_checkpoint(tmp_path):
    est = make_est(tmp_path)
    fn = tf.estimator.inputs.numpy_input_fn({"x": X}, shuffle=False)
    with pytest.raises(NoCheckpointError,
                       match="Could not find trained model"):
        next(est.predict(fn))
    with pytest.raises(NoCheckpointError):
        est.export_saved_model(str(tmp_path / "e"), lambda: None)


def test_numpy_input_fn_checks_arguments():
    with pytest.raises(InputFnError, match="shuffle must be provided"):
        tf.estimator.inputs.numpy_input_fn({"x": X}, Y)
    with pytest.raises(InputFnError, match="Length of tensors in x and y"):
        tf.estimator.inputs.numpy_input_fn({"x": X}, Y[:5], shuffle=False)
    with pytest.raises(InputFnError, match="duplicate keys"):
        tf.estimator.inputs.numpy_input_fn({"x": X}, {"x": Y}, shuffle=False)


def test_numpy_input_fn_batches_and_array_features():
    """x as one array -> features is that tensor; last batch is partial."""
    fn = tf.estimator.inputs.numpy_input_fn(X[:7], Y[:7], batch_size=3,
                                            num_epochs=1, shuffle=False)
    from tf1_dnn.estimator.inputs import input_hooks
    with tf.Graph().as_default() as g:
        feats, labels = fn()
        hooks = input_hooks(g)
        with tf.train.MonitoredSession(hooks=hooks) as sess:
            got = []
            while not sess.should_stop():
                got.append(sess.run([feats, labels]))
    assert [len(f) for f, _ in got] == [3, 3, 1]
    np.testing.assert_array_equal(np.concatenate([f for f, _ in got]), X[:7])
    np.testing.assert_array_equal(np.concatenate([l for _, l in got]), Y[:7])


ESTIMATOR_NAMES = [
    "Estimator", "EstimatorSpec", "ModeKeys", "RunConfig", "TrainSpec",
    "EvalSpec", "train_and_evaluate", "WarmStartSettings", "VocabInfo",
    "DNNClassifier", "DNNRegressor", "LinearClassifier", "LinearRegressor",
    "DNNLinearCombinedClassifier", "DNNLinearCombinedRegressor",
    "Exporter", "FinalExporter", "LatestExporter",
    "classifier_parse_example_spec", "regressor_parse_example_spec",
    "SessionRunHook", "SessionRunArgs", "SessionRunContext",
    "SessionRunValues", "LoggingTensorHook", "StopAtStepHook",
    "CheckpointSaverHook", "CheckpointSaverListener", "SummarySaverHook",
    "NanTensorHook", "NanLossDuringTrainingError", "StepCounterHook",
    "GlobalStepWaiterHook", "FinalOpsHook", "FeedFnHook", "ProfilerHook",
    "inputs.numpy_input_fn", "inputs.pandas_input_fn",
    "export.ServingInputReceiver", "export.build_raw_serving_input_receiver_fn",
    "export.build_parsing_serving_input_receiver_fn", "export.PredictOutput",
    "export.ClassificationOutput", "export.RegressionOutput",
]


@pytest.mark.parametrize("name", ESTIMATOR_NAMES)
def test_names_resolve_through_the_namespace(name):
    obj = tf.estimator
    for part in name.split("."):
        obj = getattr(obj, part)
    assert obj is not None
    if name.endswith("Hook") or name.startswith("SessionRun"):
        assert obj is getattr(tf.train, name)
    compat = tf.compat.v1.estimator
    for part in name.split("."):
        compat = getattr(compat, part)
    assert compat is obj
