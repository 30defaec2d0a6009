"""tf.contrib.learn shims: the book's chapter 10 listing, SKCompat, MetricSpec,
ValidationMonitor (tiny data, few steps)."""

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.estimator import EstimatorError

RNG = np.random.RandomState(2)
X_train = RNG.rand(120, 6).astype(np.float32)
y_train = (X_train[:, 0] * 3).astype(np.int64) % 3
X_test, y_test = X_train[:30], y_train[:30]


def softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def forward(est, x):
    h = np.maximum(x @ est.get_variable_value("dnn/hiddenlayer_0/kernel")
                   + est.get_variable_value("dnn/hiddenlayer_0/bias"), 0)
    return h @ est.get_variable_value("dnn/logits/kernel") + \
        est.get_variable_value("dnn/logits/bias")


def test_book_chapter_10_listing(tmp_path):
    feature_cols = tf.contrib.learn.infer_real_valued_columns_from_input(
        X_train)
    assert feature_cols[0].key == "" and feature_cols[0].shape == (6,)
    dnn_clf = tf.contrib.learn.DNNClassifier(
        hidden_units=[10], n_classes=3, feature_columns=feature_cols,
        model_dir=str(tmp_path),
        config=tf.contrib.learn.RunConfig(tf_random_seed=42))
    dnn_clf = tf.contrib.learn.SKCompat(dnn_clf)
    dnn_clf.fit(X_train, y_train, batch_size=50, steps=40)
    y_pred = dnn_clf.predict(X_test)
    assert set(y_pred) == {"classes", "probabilities", "logits"}
    probs = softmax(forward(dnn_clf, X_test))
    np.testing.assert_allclose(y_pred["probabilities"], probs, rtol=1e-4,
                               atol=1e-6)
    np.testing.assert_array_equal(y_pred["classes"], probs.argmax(1))
    assert y_pred["classes"].dtype == np.int64
    assert dnn_clf.get_variable_value("global_step") == 40
    scores = dnn_clf.score(X_test, y_test)
    xent = -np.log(probs[np.arange(30), y_test])
    np.testing.assert_allclose(scores["accuracy"],
                               np.mean(probs.argmax(1) == y_test))
    # contrib.learn's loss is the batch *mean* (one batch of 30 here).
    np.testing.assert_allclose(scores["loss"], xent.mean(), rtol=1e-4)


def test_unwrapped_fit_evaluate_predict_and_metric_spec(tmp_path):
    cols = tf.contrib.learn.infer_real_valued_columns_from_input(X_train)
    clf = tf.contrib.learn.DNNClassifier(hidden_units=[8], n_classes=3,
                                         feature_columns=cols,
                                         model_dir=str(tmp_path))
    assert clf.fit(X_train, y_train, batch_size=40, steps=10) is clf
    classes = list(clf.predict(X_test))
    probs = softmax(forward(clf, X_test))
    assert classes == probs.argmax(1).tolist()
    np.testing.assert_allclose(clf.predict_proba(X_test, as_iterable=False),
                               probs, rtol=1e-4, atol=1e-6)
    result = clf.evaluate(X_test, y_test, metrics={
        "my_accuracy": tf.contrib.learn.MetricSpec(
            metric_fn=tf.metrics.accuracy, prediction_key="classes"),
        "streaming_style": tf.contrib.learn.MetricSpec(
            metric_fn=lambda predictions, labels: tf.metrics.accuracy(
                labels, predictions), prediction_key="classes")})
    acc = np.mean(probs.argmax(1) == y_test)
    np.testing.assert_allclose(result["my_accuracy"], acc)
    np.testing.assert_allclose(result["streaming_style"], acc)
    np.testing.assert_allclose(result["accuracy"], acc)


def test_validation_monitor_early_stopping(tmp_path):
    cols = tf.contrib.learn.infer_real_valued_columns_from_input(X_train)
    clf = tf.contrib.learn.DNNClassifier(
        hidden_units=[4], n_classes=3, feature_columns=cols,
        model_dir=str(tmp_path), optimizer=tf.train.GradientDescentOptimizer(
            0.0),               # nothing improves: stops after the rounds
        config=tf.contrib.learn.RunConfig(save_checkpoints_steps=5,
                                          save_checkpoints_secs=None))
    monitor = tf.contrib.learn.monitors.ValidationMonitor(
        X_test, y_test, every_n_steps=5, early_stopping_rounds=10)
    clf.fit(X_train, y_train, steps=100, monitors=[monitor])
    assert monitor.early_stopped
    assert monitor.best_step == 5
    assert clf.get_variable_value("global_step") == 15


def test_regressors_and_errors(tmp_path):
    y = X_train @ np.arange(1, 7, dtype=np.float32)
    cols = tf.contrib.learn.infer_real_valued_columns_from_input(X_train)
    reg = tf.contrib.learn.LinearRegressor(
        feature_columns=cols, model_dir=str(tmp_path),
        optimizer=tf.train.GradientDescentOptimizer(0.1))
    reg.fit(X_train, y, steps=5, batch_size=120)
    # linear_model names the "" column's variable private_fc_linear_wrapper
    (w_name,) = [n for n in reg.get_variable_names()
                 if n.endswith("/weights")]
    w = reg.get_variable_value(w_name)
    b = reg.get_variable_value("linear/linear_model/bias_weights")
    pred = reg.predict(X_test, as_iterable=False)
    np.testing.assert_allclose(pred, (X_test @ w + b)[:, 0], rtol=1e-4)
    sk = tf.contrib.learn.SKCompat(reg).predict(X_test)
    np.testing.assert_allclose(sk["scores"], pred, rtol=1e-6)
    with pytest.raises(EstimatorError, match="either x"):
        reg.fit(steps=1)
    with pytest.raises(EstimatorError, match="SKCompat wraps"):
        tf.contrib.learn.SKCompat(object())


def test_datasets_mnist_alias():
    from tf1_dnn.examples.tutorials.mnist import input_data
    assert tf.contrib.learn.datasets.mnist.read_data_sets is \
        input_data.read_data_sets


CONTRIB_NAMES = [
    "learn.SKCompat", "learn.DNNClassifier", "learn.DNNRegressor",
    "learn.LinearClassifier", "learn.LinearRegressor",
    "learn.infer_real_valued_columns_from_input", "learn.MetricSpec",
    "learn.monitors.ValidationMonitor", "learn.RunConfig",
    "learn.datasets.mnist.read_data_sets", "training.HParams",
    "factorization.KMeans", "factorization.KMeansClustering",
    "factorization.RANDOM_INIT", "factorization.KMEANS_PLUS_PLUS_INIT",
]


@pytest.mark.parametrize("name", CONTRIB_NAMES)
def test_contrib_names_resolve(name):
    obj = tf.contrib
    for part in name.split("."):
        obj = getattr(obj, part)
    assert obj is not None


def test_pandas_input_fn():
    """Batches of a DataFrame when pandas is installed; a named error if not."""
    from tf1_dnn.estimator import InputFnError
    try:
        import pandas as pd
    except ImportError:
        with pytest.raises(InputFnError, match="needs pandas"):
            tf.estimator.inputs.pandas_input_fn(object(), shuffle=False)
        return
    df = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5.0) * 2})
    fn = tf.estimator.inputs.pandas_input_fn(df, pd.Series(np.arange(5)),
                                             batch_size=5, shuffle=False)
    from tf1_dnn.estimator.inputs import input_hooks
    with tf.Graph().as_default() as g:
        feats, labels = fn()
        with tf.train.MonitoredSession(hooks=input_hooks(g)) as sess:
            f, l = sess.run([feats, labels])
    np.testing.assert_array_equal(f["b"], np.arange(5.0) * 2)
    np.testing.assert_array_equal(l, np.arange(5))
