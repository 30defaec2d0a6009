"""The rest of TF 1.15's public tf.estimator: early stopping, BestExporter,
add_metrics, the baseline estimators, InMemoryEvaluatorHook, the export names.

The public-name list is pinned from TF 1.15's API (tf.compat.v1.estimator of
TF 2.0, built from the same tensorflow_estimator code line, whose docs list it
module by module); the names we leave out are listed explicitly. Behaviour
tests feed the metrics a hook or exporter reads (an eval metric that is a
table of the global step) and compute the expected stop step or exported
checkpoints from that table by hand; baseline predictions are compared with
the class prior / label mean computed in numpy.
"""

import os

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.estimator.early_stopping import EarlyStoppingMetricError
from tf1_dnn.estimator.errors import (EstimatorError, EstimatorTypeError,
                                      ModelDirMismatchError)

# --- TF 1.15's public names ------------------------------------------------

TF115_ESTIMATOR = [
    "BaselineClassifier", "BaselineEstimator", "BaselineRegressor",
    "BestExporter", "BinaryClassHead", "BoostedTreesClassifier",
    "BoostedTreesEstimator", "BoostedTreesRegressor", "CheckpointSaverHook",
    "CheckpointSaverListener", "DNNClassifier", "DNNEstimator",
    "DNNLinearCombinedClassifier", "DNNLinearCombinedEstimator",
    "DNNLinearCombinedRegressor", "DNNRegressor", "Estimator",
    "EstimatorSpec", "EvalSpec", "Exporter", "FeedFnHook", "FinalExporter",
    "FinalOpsHook", "GlobalStepWaiterHook", "Head", "LatestExporter",
    "LinearClassifier", "LinearEstimator", "LinearRegressor",
    "LoggingTensorHook", "LogisticRegressionHead", "ModeKeys",
    "MultiClassHead", "MultiHead", "MultiLabelHead",
    "NanLossDuringTrainingError", "NanTensorHook", "PoissonRegressionHead",
    "ProfilerHook", "RegressionHead", "RunConfig", "SecondOrStepTimer",
    "SessionRunArgs", "SessionRunContext", "SessionRunHook",
    "SessionRunValues", "StepCounterHook", "StopAtStepHook",
    "SummarySaverHook", "TrainSpec", "VocabInfo", "WarmStartSettings",
    "add_metrics", "classifier_parse_example_spec",
    "regressor_parse_example_spec", "train_and_evaluate",
    "experimental", "export", "inputs", "tpu",
]
TF115_EXPERIMENTAL = [
    "InMemoryEvaluatorHook", "KMeans", "LinearSDCA",
    "build_raw_supervised_input_receiver_fn", "call_logit_fn",
    "dnn_logit_fn_builder", "linear_logit_fn_builder",
    "make_early_stopping_hook", "make_stop_at_checkpoint_step_hook",
    "stop_if_higher_hook", "stop_if_lower_hook", "stop_if_no_decrease_hook",
    "stop_if_no_increase_hook",
]
TF115_EXPORT = [
    "ClassificationOutput", "ExportOutput", "PredictOutput",
    "RegressionOutput", "ServingInputReceiver", "TensorServingInputReceiver",
    "build_parsing_serving_input_receiver_fn",
    "build_raw_serving_input_receiver_fn",
]
TF115_INPUTS = ["numpy_input_fn", "pandas_input_fn"]

# Left out on purpose (docs/estimator.md says why).
LEFT_ESTIMATOR = {
    "BoostedTreesClassifier", "BoostedTreesEstimator",
    "BoostedTreesRegressor",                       # TF 2.21 has no BT kernels API
    "Head", "BinaryClassHead", "MultiClassHead", "MultiHead",
    "MultiLabelHead", "RegressionHead", "LogisticRegressionHead",
    "PoissonRegressionHead",                       # v2 head classes
    "BaselineEstimator", "DNNEstimator", "LinearEstimator",
    "DNNLinearCombinedEstimator",                  # they take a Head
    "tpu",                                         # TPUEstimator
}
LEFT_EXPERIMENTAL = {
    "LinearSDCA", "build_raw_supervised_input_receiver_fn", "call_logit_fn",
    "dnn_logit_fn_builder", "linear_logit_fn_builder",
}
TF115_CONTRIB_ESTIMATOR_PROVIDED = [
    "stop_if_higher_hook", "stop_if_lower_hook", "stop_if_no_decrease_hook",
    "stop_if_no_increase_hook", "make_early_stopping_hook",
    "read_eval_metrics", "InMemoryEvaluatorHook", "add_metrics",
    "forward_features",
]


@pytest.mark.parametrize("root", ["tf.estimator", "tf.compat.v1.estimator"])
def test_tf115_public_names_resolve_or_are_listed_as_left(root):
    estimator = tf.estimator if root == "tf.estimator" else \
        tf.compat.v1.estimator
    modules = [(estimator, TF115_ESTIMATOR, LEFT_ESTIMATOR),
               (estimator.experimental, TF115_EXPERIMENTAL,
                LEFT_EXPERIMENTAL),
               (estimator.export, TF115_EXPORT, set()),
               (estimator.inputs, TF115_INPUTS, set())]
    provided = 0
    for module, names, left in modules:
        for name in names:
            if name in left:
                with pytest.raises(AttributeError):
                    getattr(module, name)
            else:
                assert getattr(module, name) is not None, name
                provided += 1
    assert provided == 83 - len(LEFT_ESTIMATOR) - len(LEFT_EXPERIMENTAL) == 62
    assert len(TF115_ESTIMATOR) + len(TF115_EXPERIMENTAL) + \
        len(TF115_EXPORT) + len(TF115_INPUTS) == 83


def test_contrib_estimator_is_the_tf_estimator_objects():
    for name in TF115_CONTRIB_ESTIMATOR_PROVIDED:
        assert getattr(tf.contrib.estimator, name) is not None
    assert tf.contrib.estimator.add_metrics is tf.estimator.add_metrics
    assert tf.contrib.estimator.stop_if_no_decrease_hook is \
        tf.estimator.experimental.stop_if_no_decrease_hook
    with pytest.raises(AttributeError, match="contrib.estimator.RNNClassifier"):
        tf.contrib.estimator.RNNClassifier
    assert tf.estimator.experimental.KMeans is \
        tf.contrib.factorization.KMeansClustering


# --- a tiny model whose eval metrics are a table of the global step ---------

RNG = np.random.RandomState(0)
X = RNG.randn(40, 3).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(
    np.float32)
EVERY = 5   # save_checkpoints_steps: evaluations at steps 5, 10, 15, ...


def table_model_fn(features, labels, mode, params):
    """y = xW + b trained by SGD; in EVAL, `loss` and the metric `m` are
    params["table"][global_step // EVERY] (fed values, not learned ones)."""
    pred = tf.layers.dense(features["x"], 1, name="linear")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": pred})
    mse = tf.losses.mean_squared_error(labels, pred)
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.train.GradientDescentOptimizer(0.05).minimize(
            mse, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=mse, train_op=train_op)
    step = tf.train.get_global_step()
    fed = tf.gather(tf.constant(params["table"], tf.float32),
                    tf.cast(step, tf.int32) // EVERY)
    return tf.estimator.EstimatorSpec(
        mode, loss=fed, predictions={"y": pred},
        eval_metric_ops={"m": tf.metrics.mean(fed),
                         "mse": tf.metrics.mean_squared_error(labels, pred)})


def table_estimator(model_dir, table):
    return tf.estimator.Estimator(
        table_model_fn, model_dir=str(model_dir),
        params={"table": [float(v) for v in table]},
        config=tf.estimator.RunConfig(save_checkpoints_steps=EVERY,
                                      tf_random_seed=1,
                                      log_step_count_steps=None))


def train_input():
    return tf.estimator.inputs.numpy_input_fn(
        {"x": X}, Y, batch_size=10, num_epochs=None, shuffle=False)


def eval_input():
    return tf.estimator.inputs.numpy_input_fn({"x": X}, Y, batch_size=40,
                                              shuffle=False)


def run_train_and_evaluate(est, hooks=(), exporters=(), max_steps=35):
    return tf.estimator.train_and_evaluate(
        est, tf.estimator.TrainSpec(train_input(), max_steps=max_steps,
                                    hooks=list(hooks)),
        tf.estimator.EvalSpec(eval_input(), steps=None, throttle_secs=0,
                              exporters=list(exporters)))


def final_step(est):
    return int(est.get_variable_value("global_step"))


# The table: index i is the value evaluated at global step EVERY * i.
TABLE = [9.0, 5.0, 3.0, 3.5, 3.2, 3.0, 2.0, 1.0, 0.5, 0.4, 0.3, 0.2, 0.1]


def reference_no_decrease_stop(table, max_steps, min_steps=0):
    """The first evaluation step at which TF 1.15's rule fires (None: never).
    The hook sees evaluations at EVERY, 2*EVERY, ... (step 0 is skipped)."""
    best = best_step = None
    for i in range(1, len(table)):
        step = EVERY * i
        if step < min_steps:
            continue
        if best is None or table[i] < best:
            best, best_step = table[i], step
        if step - best_step >= max_steps:
            return step
    return None


def test_stop_if_no_decrease_stops_at_the_step_the_eval_metrics_give(
        tmp_path):
    est = table_estimator(tmp_path, TABLE)
    hook = tf.estimator.experimental.stop_if_no_decrease_hook(
        est, "m", max_steps_without_decrease=15, run_every_secs=None,
        run_every_steps=1)
    expected = reference_no_decrease_stop(TABLE, 15)
    # best 3.0 at step 10; 3.5, 3.2, then 3.0 again at 25 (equal: no reset).
    assert expected == 25
    result, _ = run_train_and_evaluate(est, [hook])
    assert final_step(est) == expected
    assert result["global_step"] == expected
    assert result["m"] == pytest.approx(TABLE[expected // EVERY])
    assert est.latest_checkpoint().endswith(f"model.ckpt-{expected}")
    # The STOP flag is checkpointed (the saver is built after the hooks'
    # begin(), as in TF 1.15), but step 25 was saved before the hook set it.
    assert "signal_early_stopping/STOP" in est.get_variable_names()
    assert not est.get_variable_value("signal_early_stopping/STOP")


def test_stop_if_no_decrease_min_steps_drops_earlier_evaluations(tmp_path):
    est = table_estimator(tmp_path, TABLE)
    hook = tf.contrib.estimator.stop_if_no_decrease_hook(
        est, "m", max_steps_without_decrease=10, min_steps=15,
        run_every_secs=None, run_every_steps=1)
    expected = reference_no_decrease_stop(TABLE, 10, min_steps=15)
    # from step 15: best 3.5 (15), 3.2 (20), 3.0 (25): never stalls
    assert expected is None
    run_train_and_evaluate(est, [hook], max_steps=25)
    assert final_step(est) == 25
    # without min_steps the same table stops at step 20 (best 3.0 at 10)
    est2 = table_estimator(tmp_path / "b", TABLE)
    hook2 = tf.estimator.experimental.stop_if_no_decrease_hook(
        est2, "m", 10, run_every_secs=None, run_every_steps=1)
    run_train_and_evaluate(est2, [hook2], max_steps=25)
    assert final_step(est2) == reference_no_decrease_stop(TABLE, 10) == 20


@pytest.mark.parametrize("factory, threshold, expected", [
    # first evaluation with m < 2.5 is 2.0 at step 30
    ("stop_if_lower_hook", 2.5, 30),
    # m > 4.0 only at step 5 (the untrained step-0 save is not evaluated)
    ("stop_if_higher_hook", 4.0, 5),
])
def test_threshold_hooks(tmp_path, factory, threshold, expected):
    est = table_estimator(tmp_path, TABLE)
    hook = getattr(tf.estimator.experimental, factory)(
        est, "m", threshold, run_every_secs=None, run_every_steps=1)
    run_train_and_evaluate(est, [hook])
    assert final_step(est) == expected


def test_stop_if_no_increase_on_fed_event_files(tmp_path):
    """The hooks only read eval/ event files: results written by hand stop a
    train() call on its first step (TF 1.15's pitfall for a second run)."""
    est = table_estimator(tmp_path, TABLE)
    with tf.Graph().as_default():
        writer = tf.summary.FileWriter(est.eval_dir())
        for step, acc in [(100, 0.5), (200, 0.7), (300, 0.7), (400, 0.69)]:
            writer.add_summary(tf.Summary(value=[tf.Summary.Value(
                tag="accuracy", simple_value=acc)]), step)
        writer.close()
    metrics = tf.contrib.estimator.read_eval_metrics(est.eval_dir())
    assert list(metrics) == [100, 200, 300, 400]
    assert metrics[300]["accuracy"] == pytest.approx(0.7)
    # best 0.7 at 200; 400 - 200 = 200 >= 200: stop
    stop = tf.estimator.experimental.stop_if_no_increase_hook(
        est, "accuracy", 200, run_every_secs=None, run_every_steps=1)
    est.train(train_input(), steps=30, hooks=[stop])
    assert final_step(est) == 1
    # 201 steps are not reached yet: trains on
    keep = tf.estimator.experimental.stop_if_no_increase_hook(
        est, "accuracy", 201, run_every_secs=None, run_every_steps=1)
    est.train(train_input(), steps=9, hooks=[keep])
    assert final_step(est) == 10


def test_adding_the_hook_to_a_resumed_run_names_the_stop_variable(tmp_path):
    """TF 1.15 pitfall: the hook's STOP variable is checkpointed, so a
    checkpoint written without the hook does not restore with it."""
    est = table_estimator(tmp_path / "old", TABLE)
    est.train(train_input(), steps=3)
    hook = tf.estimator.experimental.stop_if_lower_hook(
        est, "m", 0.0, run_every_secs=None, run_every_steps=1)
    with pytest.raises(ModelDirMismatchError,
                       match="'signal_early_stopping/STOP' is not in the "
                             "checkpoint.*warm_start_from="):
        est.train(train_input(), steps=3, hooks=[hook])
    assert final_step(est) == 3          # nothing was overwritten
    # The workaround the message gives: a new model_dir, warm-started.
    new = tf.estimator.Estimator(
        table_model_fn, model_dir=str(tmp_path / "new"),
        params={"table": TABLE}, warm_start_from=str(tmp_path / "old"),
        config=est.config.replace(model_dir=str(tmp_path / "new")))
    hook = tf.estimator.experimental.stop_if_lower_hook(
        new, "m", 0.0, run_every_secs=None, run_every_steps=1)
    new.train(train_input(), steps=1, hooks=[hook])
    np.testing.assert_allclose(
        new.get_variable_value("linear/bias"),
        est.get_variable_value("linear/bias") - 0.05 * 2 * np.mean(
            (X[:10] @ est.get_variable_value("linear/kernel")
             + est.get_variable_value("linear/bias") - Y[:10])),
        rtol=1e-5, atol=1e-6)


def test_make_stop_at_checkpoint_step_hook_is_a_stop_at_step_hook(tmp_path):
    est = table_estimator(tmp_path, TABLE)
    hook = tf.estimator.experimental.make_stop_at_checkpoint_step_hook(est, 7)
    assert isinstance(hook, tf.train.StopAtStepHook)
    est.train(train_input(), hooks=[hook])     # the input never ends
    assert final_step(est) == 7


def test_early_stopping_bad_input(tmp_path):
    est = table_estimator(tmp_path, TABLE)
    with pytest.raises(EstimatorTypeError, match="must have type"):
        tf.estimator.experimental.stop_if_lower_hook("not an estimator",
                                                     "loss", 1.0)
    assert issubclass(EstimatorTypeError, TypeError)
    assert issubclass(EstimatorTypeError, Tf1DnnError)
    with pytest.raises(EstimatorError, match="Only one of `run_every_secs`"):
        tf.estimator.experimental.stop_if_lower_hook(
            est, "loss", 1.0, run_every_secs=10, run_every_steps=10)
    with pytest.raises(EstimatorTypeError, match="should_stop_fn"):
        tf.estimator.experimental.make_early_stopping_hook(est, 3)
    # a metric the evaluations do not have: named, with the ones they have
    hook = tf.estimator.experimental.stop_if_lower_hook(
        est, "acuracy", 0.5, run_every_secs=None, run_every_steps=1)
    with pytest.raises(EarlyStoppingMetricError,
                       match=r"'acuracy'.*\['loss', 'm', 'mse'\]"):
        run_train_and_evaluate(est, [hook], max_steps=10)
    assert issubclass(EarlyStoppingMetricError, KeyError)


# --- BestExporter -----------------------------------------------------------

LOSSES = [9.0, 4.0, 2.0, 3.0, 1.0, 1.5]   # eval loss at steps 0, 5, ..., 25


def serving_fn():
    return tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3])})


def exported_steps(export_dir):
    steps = []
    for stamp in sorted(os.listdir(export_dir)):
        variables = os.path.join(export_dir, stamp, "variables", "variables")
        steps.append(int(tf.train.load_variable(variables, "global_step")))
    return steps


def test_best_exporter_keeps_the_exports_whose_loss_was_best(tmp_path):
    est = table_estimator(tmp_path, LOSSES)
    exporter = tf.estimator.BestExporter(
        name="best", serving_input_receiver_fn=serving_fn(),
        exports_to_keep=2)
    _, exports = run_train_and_evaluate(est, exporters=[exporter],
                                        max_steps=25)
    # Strict improvements after the first evaluation (TF 1.15 pitfall: the
    # first one, already in eval/'s event files, is not better than itself):
    # 2.0 at 10, 1.0 at 20. 3.0 (15) and 1.5 (25) are worse.
    improvements, best = [], LOSSES[1]
    for i in range(2, len(LOSSES)):
        if LOSSES[i] < best:
            best = LOSSES[i]
            improvements.append(EVERY * i)
    assert improvements == [10, 20]
    assert len(exports) == 2
    assert exported_steps(tmp_path / "export" / "best") == improvements
    # exports_to_keep=1 keeps only the best (the newest improvement)
    est1 = table_estimator(tmp_path / "one", LOSSES)
    run_train_and_evaluate(est1, exporters=[tf.estimator.BestExporter(
        name="best", serving_input_receiver_fn=serving_fn(),
        exports_to_keep=1)], max_steps=25)
    assert exported_steps(tmp_path / "one" / "export" / "best") == [20]


def test_best_exporter_without_event_files_exports_the_first(tmp_path):
    est = table_estimator(tmp_path, LOSSES)
    exporter = tf.estimator.BestExporter(
        name="best", serving_input_receiver_fn=serving_fn(),
        event_file_pattern=None, exports_to_keep=None)
    run_train_and_evaluate(est, exporters=[exporter], max_steps=25)
    assert exported_steps(tmp_path / "export" / "best") == [5, 10, 20]


def test_best_exporter_custom_compare_fn_and_bad_input(tmp_path):
    # higher `m` is better: the table's m equals its loss, so the exports are
    # the steps where LOSSES rises to a new maximum after step 5: none until
    # ... 9.0 is at step 0 (not evaluated), 4.0 at 5 is the first; no later
    # value exceeds 4.0.
    def bigger_m(best_eval_result, current_eval_result):
        return current_eval_result["m"] > best_eval_result["m"]

    est = table_estimator(tmp_path, [0.0, 1.0, 3.0, 2.0, 5.0, 4.0])
    exporter = tf.estimator.BestExporter(
        name="m", serving_input_receiver_fn=serving_fn(),
        compare_fn=bigger_m)
    run_train_and_evaluate(est, exporters=[exporter], max_steps=25)
    assert exported_steps(tmp_path / "export" / "m") == [10, 20]

    with pytest.raises(EstimatorError, match="must include current_eval_res"):
        tf.estimator.BestExporter(compare_fn=lambda best_eval_result: True)
    with pytest.raises(EstimatorError, match="not expected args: \\['x'\\]"):
        tf.estimator.BestExporter(
            compare_fn=lambda best_eval_result, current_eval_result, x: 1)
    with pytest.raises(EstimatorError, match="must not be None"):
        tf.estimator.BestExporter(compare_fn=None)
    with pytest.raises(EstimatorError, match="must be a positive number"):
        tf.estimator.BestExporter(exports_to_keep=0)
    default = tf.estimator.BestExporter()
    with pytest.raises(EstimatorError, match="no loss is found"):
        default._compare_fn(best_eval_result={"accuracy": 1.0},
                            current_eval_result={"loss": 1.0})


# --- add_metrics --------------------------------------------------------------

def test_add_metrics_adds_a_metric_computed_in_numpy(tmp_path):
    est = table_estimator(tmp_path, TABLE)
    est.train(train_input(), steps=7)

    def metric_fn(labels, predictions, features):
        err = tf.abs(labels - predictions["y"])
        return {"mae": tf.metrics.mean(err),
                "m": tf.metrics.mean(features["x"][:, :1])}   # replaces m

    est2 = tf.estimator.add_metrics(est, metric_fn)
    assert type(est2) is tf.estimator.Estimator
    assert est2.model_dir == est.model_dir
    result = est2.evaluate(eval_input())
    w, b = (est.get_variable_value("linear/kernel"),
            est.get_variable_value("linear/bias"))
    pred = X @ w + b
    np.testing.assert_allclose(result["mae"], np.abs(Y - pred).mean(),
                               rtol=1e-5)
    np.testing.assert_allclose(result["mse"], ((Y - pred) ** 2).mean(),
                               rtol=1e-5)
    np.testing.assert_allclose(result["m"], X[:, 0].mean(), rtol=1e-5,
                               atol=1e-7)
    assert result["global_step"] == 7

    with pytest.raises(EstimatorError,
                       match=r"not expected args: \['mode'\]"):
        tf.estimator.add_metrics(est, lambda labels, mode: {})
    with pytest.raises(EstimatorTypeError, match="must be a tf.estimator"):
        tf.estimator.add_metrics("est", lambda labels: {})


def test_forward_features_adds_the_inputs_to_predictions(tmp_path):
    est = table_estimator(tmp_path, TABLE)
    est.train(train_input(), steps=3)
    ids = np.arange(100, 140, dtype=np.int64)
    fwd = tf.contrib.estimator.forward_features(est, "id")
    preds = list(fwd.predict(tf.estimator.inputs.numpy_input_fn(
        {"x": X, "id": ids}, batch_size=16, shuffle=False)))
    w, b = (est.get_variable_value("linear/kernel"),
            est.get_variable_value("linear/bias"))
    assert [p["id"] for p in preds] == list(ids)
    np.testing.assert_allclose(np.stack([p["y"] for p in preds]),
                               X @ w + b, rtol=1e-5, atol=1e-6)
    # the serving signature forwards it too
    path = fwd.export_saved_model(
        str(tmp_path / "export"),
        tf.estimator.export.build_raw_serving_input_receiver_fn(
            {"x": tf.placeholder(tf.float32, [None, 3]),
             "id": tf.placeholder(tf.int64, [None])})).decode()
    with tf.Graph().as_default(), tf.Session() as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], path)
        sig = meta.signature_def["serving_default"]
        out = sess.run(sig.outputs["id"].name,
                       {sig.inputs["x"].name: X[:2],
                        sig.inputs["id"].name: ids[:2]})
    np.testing.assert_array_equal(out, ids[:2])
    with pytest.raises(EstimatorError,
                       match=r"key \(y\)\. Since it does exist in predictions"):
        list(tf.contrib.estimator.forward_features(est, "y").predict(
            tf.estimator.inputs.numpy_input_fn({"x": X, "y": ids},
                                               shuffle=False)))
    with pytest.raises(EstimatorTypeError, match="string or a list"):
        tf.contrib.estimator.forward_features(est, 3)


# --- the baseline estimators ------------------------------------------------

def full_batch(features, labels, n):
    return tf.estimator.inputs.numpy_input_fn(
        features, labels, batch_size=n, num_epochs=None, shuffle=False)


def test_baseline_classifier_learns_the_class_prior(tmp_path):
    labels = np.array([0] * 5 + [1] * 10 + [2] * 25, np.int64)
    prior = np.bincount(labels) / len(labels)
    feats = {"x": RNG.randn(40, 2).astype(np.float32)}
    clf = tf.estimator.BaselineClassifier(model_dir=str(tmp_path),
                                          n_classes=3)
    clf.train(full_batch(feats, labels, 40), steps=200)
    assert sorted(clf.get_variable_names()) == [
        "baseline/bias", "baseline/bias/Ftrl", "baseline/bias/Ftrl_1",
        "global_step"]
    assert clf.get_variable_value("baseline/bias").shape == (3,)
    preds = list(clf.predict(tf.estimator.inputs.numpy_input_fn(
        {"x": feats["x"][:3]}, shuffle=False)))
    for p in preds:     # the features are ignored
        np.testing.assert_allclose(p["probabilities"], prior, atol=1e-4)
        assert p["class_ids"] == [2]
    result = clf.evaluate(full_batch(feats, labels, 40), steps=1)
    entropy = -(prior * np.log(prior)).sum()
    np.testing.assert_allclose(result["average_loss"], entropy, rtol=1e-3)
    # v1 loss reduction SUM: loss = batch size x average loss
    np.testing.assert_allclose(result["loss"], 40 * result["average_loss"],
                               rtol=1e-5)


def test_baseline_binary_classifier_and_weighted_regressor(tmp_path):
    y = np.array([1] * 12 + [0] * 28, np.int64)
    feats = {"x": np.zeros((40, 1), np.float32)}
    clf = tf.estimator.BaselineClassifier(model_dir=str(tmp_path / "c"))
    clf.train(full_batch(feats, y, 40), steps=200)
    assert clf.get_variable_value("baseline/bias").shape == (1,)
    p = next(clf.predict(tf.estimator.inputs.numpy_input_fn(
        {"x": feats["x"][:1]}, shuffle=False)))
    np.testing.assert_allclose(p["logistic"], [y.mean()], atol=1e-4)

    targets = RNG.randn(40, 2).astype(np.float32) * 3 + [1.0, -2.0]
    weights = RNG.uniform(0.5, 2.0, size=(40, 1)).astype(np.float32)
    reg = tf.estimator.BaselineRegressor(
        model_dir=str(tmp_path / "r"), label_dimension=2, weight_column="w")
    reg.train(full_batch({"x": feats["x"], "w": weights}, targets, 40),
              steps=300)
    weighted_mean = (weights * targets).sum(0) / weights.sum()
    np.testing.assert_allclose(reg.get_variable_value("baseline/bias"),
                               weighted_mean, atol=1e-4)
    p = next(reg.predict(tf.estimator.inputs.numpy_input_fn(
        {"x": feats["x"][:1]}, shuffle=False)))
    np.testing.assert_allclose(p["predictions"], weighted_mean, atol=1e-4)


def test_baseline_bad_input(tmp_path):
    reg = tf.estimator.BaselineRegressor(model_dir=str(tmp_path))
    y = np.zeros((4, 1), np.float32)
    with pytest.raises(EstimatorError, match="features as a dict"):
        reg.train(tf.estimator.inputs.numpy_input_fn(
            np.zeros((4, 1), np.float32), y, shuffle=False), steps=1)
    reg_w = tf.estimator.BaselineRegressor(model_dir=str(tmp_path / "w"),
                                           weight_column="w")
    with pytest.raises(EstimatorError, match="at least one feature"):
        reg_w.train(tf.estimator.inputs.numpy_input_fn(
            {"w": np.ones((4, 1), np.float32)}, y, shuffle=False), steps=1)
    with pytest.raises(EstimatorError, match="n_classes must be > 1"):
        tf.estimator.BaselineClassifier(n_classes=1)


# --- InMemoryEvaluatorHook, TensorServingInputReceiver ------------------------

def test_in_memory_evaluator_evaluates_without_checkpoints(tmp_path):
    est = tf.estimator.Estimator(
        table_model_fn, model_dir=str(tmp_path),
        params={"table": [0.0] * 10},
        config=tf.estimator.RunConfig(save_checkpoints_steps=None,
                                      save_checkpoints_secs=None,
                                      tf_random_seed=1))
    hook = tf.estimator.experimental.InMemoryEvaluatorHook(
        est, eval_input(), every_n_iter=4)
    # No checkpoint at all: the hook evaluates the session's live variables.
    est.train(train_input(), steps=10, hooks=[hook])
    assert est.latest_checkpoint() is None
    assert [r["global_step"] for r in hook.results] == [0, 4, 8, 10]
    metrics = tf.contrib.estimator.read_eval_metrics(est.eval_dir())
    assert list(metrics) == [0, 4, 8, 10]
    # The step-0 evaluation is the initial weights: mse from numpy with the
    # seeded initial kernel is not known here, but a zero bias is, and SGD
    # lowers the mse: the sequence must decrease on this convex problem.
    mses = [r["mse"] for r in hook.results]
    assert all(a > b for a, b in zip(mses, mses[1:]))
    with pytest.raises(EstimatorError, match="every_n_iter=0"):
        tf.estimator.experimental.InMemoryEvaluatorHook(est, eval_input(),
                                                        every_n_iter=0)


def test_in_memory_evaluator_last_result_matches_numpy(tmp_path):
    est = table_estimator(tmp_path, [0.0] * 10)
    hook = tf.estimator.experimental.InMemoryEvaluatorHook(
        est, eval_input(), every_n_iter=100)
    est.train(train_input(), steps=6, hooks=[hook])
    w, b = (est.get_variable_value("linear/kernel"),
            est.get_variable_value("linear/bias"))
    np.testing.assert_allclose(hook.results[-1]["mse"],
                               ((Y - (X @ w + b)) ** 2).mean(), rtol=1e-5)
    assert hook.results[-1]["global_step"] == 6


def test_tensor_serving_input_receiver_passes_the_tensor(tmp_path):
    def model_fn(features, labels, mode):
        assert isinstance(features, tf.Tensor)
        pred = tf.layers.dense(features, 1, name="linear")
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"y": pred})
        loss = tf.losses.mean_squared_error(labels, pred)
        return tf.estimator.EstimatorSpec(
            mode, loss=loss, train_op=tf.train.GradientDescentOptimizer(
                0.1).minimize(loss, tf.train.get_global_step()))

    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    est.train(tf.estimator.inputs.numpy_input_fn(X, Y, batch_size=40,
                                                 shuffle=False), steps=3)

    def receiver_fn():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        return tf.estimator.export.TensorServingInputReceiver(x, {"x": x})

    path = est.export_saved_model(str(tmp_path / "export"),
                                  receiver_fn).decode()
    w, b = (est.get_variable_value("linear/kernel"),
            est.get_variable_value("linear/bias"))
    with tf.Graph().as_default(), tf.Session() as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], path)
        sig = meta.signature_def["serving_default"]
        out = sess.run(sig.outputs["y"].name,
                       {sig.inputs["x"].name: X[:4]})
    np.testing.assert_allclose(out, X[:4] @ w + b, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="single Tensor"):
        tf.estimator.export.TensorServingInputReceiver({"x": 1}, {})
