"""Canned estimators (TF 1.15's v1 DNN/Linear/combined) on tiny data.

No TF 1.x canned-estimator model directory exists in ../shared/tf1_checkpoints
(checked: none of its 29 entries has `dnn/hiddenlayer_0`), so the variable
names are pinned against TF 1.15's documented names (canned/dnn.py:
`dnn/hiddenlayer_%d`, `dnn/logits`, dense `kernel`/`bias`; linear.py:
`linear/linear_model/<column>/weights`, `bias_weights`). Outputs are checked
against numpy run on the checkpoint's variables.
"""

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.estimator import EstimatorError, LabelShapeError

RNG = np.random.RandomState(1)
X = RNG.randn(90, 4).astype(np.float32)
Y3 = ((X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)).astype(np.int64)
Y2 = (X[:, 0] + X[:, 2] > 0).astype(np.int64)
COLS = [tf.feature_column.numeric_column("x", shape=[4])]


def fn(y=None, num_epochs=None, batch_size=30, shuffle=True, x=X):
    return tf.estimator.inputs.numpy_input_fn(
        {"x": x}, y, batch_size=batch_size, num_epochs=num_epochs,
        shuffle=shuffle)


def config(**kw):
    kw.setdefault("save_checkpoints_steps", 1000)
    return tf.estimator.RunConfig(tf_random_seed=5, **kw)


def dnn_forward(est, x, n_hidden):
    net = x
    for i in range(n_hidden):
        k = est.get_variable_value(f"dnn/hiddenlayer_{i}/kernel")
        b = est.get_variable_value(f"dnn/hiddenlayer_{i}/bias")
        net = np.maximum(net @ k + b, 0)
    return net @ est.get_variable_value("dnn/logits/kernel") + \
        est.get_variable_value("dnn/logits/bias")


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_dnn_classifier_names_predictions_and_metrics(tmp_path):
    clf = tf.estimator.DNNClassifier(hidden_units=[8, 5], n_classes=3,
                                     feature_columns=COLS,
                                     model_dir=str(tmp_path), config=config())
    clf.train(fn(Y3), steps=20)
    shapes = {n: tuple(tf.train.load_variable(clf.latest_checkpoint(), n).shape)
              for n in clf.get_variable_names()}
    assert shapes == {
        "dnn/hiddenlayer_0/kernel": (4, 8), "dnn/hiddenlayer_0/bias": (8,),
        "dnn/hiddenlayer_1/kernel": (8, 5), "dnn/hiddenlayer_1/bias": (5,),
        "dnn/logits/kernel": (5, 3), "dnn/logits/bias": (3,),
        "dnn/hiddenlayer_0/kernel/Adagrad": (4, 8),
        "dnn/hiddenlayer_0/bias/Adagrad": (8,),
        "dnn/hiddenlayer_1/kernel/Adagrad": (8, 5),
        "dnn/hiddenlayer_1/bias/Adagrad": (5,),
        "dnn/logits/kernel/Adagrad": (5, 3), "dnn/logits/bias/Adagrad": (3,),
        "global_step": ()}
    logits = dnn_forward(clf, X, 2)
    probs = softmax(logits)
    rows = list(clf.predict(fn(num_epochs=1, shuffle=False)))
    assert set(rows[0]) == {"logits", "probabilities", "class_ids", "classes",
                            "all_class_ids", "all_classes"}
    np.testing.assert_allclose([r["probabilities"] for r in rows], probs,
                               rtol=1e-4, atol=1e-6)
    ids = probs.argmax(axis=1)
    assert [int(r["class_ids"][0]) for r in rows] == ids.tolist()
    assert [r["classes"][0] for r in rows] == [str(i).encode() for i in ids]
    assert rows[0]["all_classes"].tolist() == [b"0", b"1", b"2"]
    # One evaluation batch holding all 90 examples.
    result = clf.evaluate(fn(Y3, num_epochs=1, batch_size=90, shuffle=False))
    xent = -np.log(probs[np.arange(90), Y3])
    assert set(result) == {"accuracy", "average_loss", "loss", "global_step"}
    np.testing.assert_allclose(result["accuracy"], np.mean(ids == Y3))
    np.testing.assert_allclose(result["average_loss"], xent.mean(), rtol=1e-4)
    # v1 canned loss reduction is SUM: the batch loss is the sum.
    np.testing.assert_allclose(result["loss"], xent.sum(), rtol=1e-4)


def test_dnn_classifier_default_optimizer_is_adagrad_005(tmp_path):
    """One Adagrad step: |w1 - w0| = 0.05 |g| / sqrt(0.1 + g^2)."""
    clf = tf.estimator.DNNClassifier(hidden_units=[3], n_classes=3,
                                     feature_columns=COLS,
                                     model_dir=str(tmp_path),
                                     config=config(save_checkpoints_steps=1))
    clf.train(fn(Y3), steps=1)
    w0 = tf.train.load_variable(str(tmp_path / "model.ckpt-0"),
                                "dnn/logits/kernel")
    w1 = clf.get_variable_value("dnn/logits/kernel")
    acc = clf.get_variable_value("dnn/logits/kernel/Adagrad")
    g2 = acc.astype(np.float64) - 0.1
    # Entries with a clear gradient (acc - 0.1 loses float32 bits for tiny
    # ones); a dead ReLU unit's row has exactly g = 0 and does not move.
    clear = g2 > 1e-4
    assert clear.sum() >= 3
    np.testing.assert_allclose(np.abs(w1 - w0)[clear],
                               0.05 * np.sqrt(g2 / acc)[clear], rtol=1e-3)
    np.testing.assert_array_equal((w1 - w0)[g2 == 0], 0)


def test_binary_classifier_keys_and_logistic(tmp_path):
    clf = tf.estimator.DNNClassifier(hidden_units=[6], feature_columns=COLS,
                                     model_dir=str(tmp_path), config=config())
    clf.train(fn(Y2), steps=30)
    logit = dnn_forward(clf, X[:5], 1)
    assert logit.shape == (5, 1)
    rows = list(clf.predict(fn(num_epochs=1, shuffle=False, x=X[:5])))
    p = 1 / (1 + np.exp(-logit[:, 0]))
    np.testing.assert_allclose([r["logistic"][0] for r in rows], p, rtol=1e-4)
    np.testing.assert_allclose([r["probabilities"] for r in rows],
                               np.stack([1 - p, p], 1), rtol=1e-4, atol=1e-6)
    result = clf.evaluate(fn(Y2, num_epochs=1, shuffle=False))
    assert {"accuracy", "average_loss", "loss", "precision", "recall", "auc",
            "auc_precision_recall", "prediction/mean", "label/mean",
            "accuracy_baseline", "global_step"} == set(result)
    np.testing.assert_allclose(result["label/mean"], Y2.mean(), rtol=1e-6)
    np.testing.assert_allclose(result["accuracy_baseline"],
                               max(Y2.mean(), 1 - Y2.mean()), rtol=1e-6)
    assert result["accuracy"] > 0.7


def test_linear_regressor_names_and_fit(tmp_path):
    y = (X @ np.array([1.0, -1.0, 2.0, 0.5], np.float32) + 3.0)
    reg = tf.estimator.LinearRegressor(
        feature_columns=COLS, model_dir=str(tmp_path), config=config(),
        optimizer=tf.train.GradientDescentOptimizer(0.005))
    reg.train(fn(y), steps=300)
    names = set(reg.get_variable_names())
    assert {"linear/linear_model/x/weights",
            "linear/linear_model/bias_weights", "global_step"} <= names
    w = reg.get_variable_value("linear/linear_model/x/weights")
    b = reg.get_variable_value("linear/linear_model/bias_weights")
    assert w.shape == (4, 1) and b.shape == (1,)
    np.testing.assert_allclose(w[:, 0], [1.0, -1.0, 2.0, 0.5], atol=0.05)
    np.testing.assert_allclose(b, [3.0], atol=0.05)
    rows = list(reg.predict(fn(num_epochs=1, shuffle=False, x=X[:4])))
    np.testing.assert_allclose([r["predictions"] for r in rows],
                               X[:4] @ w + b, rtol=1e-5, atol=1e-5)
    result = reg.evaluate(fn(y, num_epochs=1, batch_size=90, shuffle=False))
    mse = np.mean((X @ w + b - y[:, None]) ** 2)
    np.testing.assert_allclose(result["average_loss"], mse, rtol=1e-4)
    np.testing.assert_allclose(result["loss"], 90 * mse, rtol=1e-4)


def test_linear_classifier_default_ftrl(tmp_path):
    clf = tf.estimator.LinearClassifier(feature_columns=COLS, n_classes=3,
                                        model_dir=str(tmp_path),
                                        config=config())
    clf.train(fn(Y3), steps=40)
    names = set(clf.get_variable_names())
    assert {"linear/linear_model/x/weights",
            "linear/linear_model/x/weights/Ftrl",
            "linear/linear_model/x/weights/Ftrl_1",
            "linear/linear_model/bias_weights"} <= names
    assert clf.evaluate(fn(Y3, num_epochs=1))["accuracy"] > 0.6


def test_dnn_regressor_and_combined_classifier(tmp_path):
    reg = tf.estimator.DNNRegressor(hidden_units=[4], feature_columns=COLS,
                                    model_dir=str(tmp_path / "r"),
                                    config=config())
    reg.train(fn(X[:, 0] * 2), steps=5)
    pred = [r["predictions"] for r in reg.predict(
        fn(num_epochs=1, shuffle=False, x=X[:3]))]
    np.testing.assert_allclose(pred, dnn_forward(reg, X[:3], 1), rtol=1e-4,
                               atol=1e-6)
    wd = tf.estimator.DNNLinearCombinedClassifier(
        linear_feature_columns=COLS, dnn_feature_columns=COLS,
        dnn_hidden_units=[5], n_classes=3, model_dir=str(tmp_path / "c"),
        config=config())
    wd.train(fn(Y3), steps=5)
    names = set(wd.get_variable_names())
    assert {"dnn/hiddenlayer_0/kernel", "dnn/logits/bias",
            "linear/linear_model/x/weights", "global_step"} <= names
    assert wd.get_variable_value("global_step") == 5
    logits = dnn_forward(wd, X[:3], 1) + X[:3] @ wd.get_variable_value(
        "linear/linear_model/x/weights") + wd.get_variable_value(
        "linear/linear_model/bias_weights")
    rows = list(wd.predict(fn(num_epochs=1, shuffle=False, x=X[:3])))
    np.testing.assert_allclose([r["logits"] for r in rows], logits,
                               rtol=1e-4, atol=1e-5)


def test_labels_of_the_wrong_shape(tmp_path):
    clf = tf.estimator.DNNClassifier(hidden_units=[3], n_classes=3,
                                     feature_columns=COLS,
                                     model_dir=str(tmp_path), config=config())
    one_hot = np.eye(3)[Y3].astype(np.int64)
    with pytest.raises(LabelShapeError, match="Expected labels dimension=1"):
        clf.train(fn(one_hot), steps=1)
    with pytest.raises(LabelShapeError, match="label_vocabulary"):
        clf.train(fn(np.array([b"a"] * 90)), steps=1)
    with pytest.raises(EstimatorError, match="features should be a dict"):
        clf.train(tf.estimator.inputs.numpy_input_fn(
            X, Y3, num_epochs=1, shuffle=False), steps=1)
    with pytest.raises(LabelShapeError, match="Mismatched batch size"):
        clf.train(lambda: ({"x": tf.constant(X[:4])},
                           tf.constant(Y3[:3])), steps=1)
    with pytest.raises(EstimatorError, match="feature_columns must be"):
        tf.estimator.DNNClassifier(hidden_units=[3], feature_columns=[])


def test_label_vocabulary(tmp_path):
    words = np.array([b"cat", b"dog", b"eel"])[Y3]
    clf = tf.estimator.DNNClassifier(
        hidden_units=[4], n_classes=3, feature_columns=COLS,
        label_vocabulary=["cat", "dog", "eel"], model_dir=str(tmp_path),
        config=config())
    clf.train(fn(words), steps=5)
    rows = list(clf.predict(fn(num_epochs=1, shuffle=False, x=X[:4])))
    ids = softmax(dnn_forward(clf, X[:4], 1)).argmax(1)
    assert [r["classes"][0] for r in rows] == \
        [[b"cat", b"dog", b"eel"][i] for i in ids]


def test_canned_export_signatures(tmp_path):
    """Raw float receiver: only `predict` (TF 1.x's pitfall); parsing
    receiver: `serving_default` classification over serialized Examples."""
    clf = tf.estimator.DNNClassifier(hidden_units=[4], n_classes=3,
                                     feature_columns=COLS,
                                     model_dir=str(tmp_path / "m"),
                                     config=config())
    clf.train(fn(Y3), steps=3)
    raw = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 4])})
    parsing = tf.estimator.export.build_parsing_serving_input_receiver_fn(
        tf.feature_column.make_parse_example_spec(COLS))
    probs = softmax(dnn_forward(clf, X[:2], 1))
    for receiver, sigs in ((raw, {"predict"}),
                           (parsing, {"predict", "serving_default",
                                      "classification"})):
        path = clf.export_saved_model(str(tmp_path / "e"), receiver).decode()
        with tf.Session(graph=tf.Graph()) as sess:
            meta = tf.saved_model.loader.load(sess, ["serve"], path)
            assert set(meta.signature_def) == sigs
            if "serving_default" in sigs:
                sig = meta.signature_def["serving_default"]
                examples = [tf.train.Example(features=tf.train.Features(
                    feature={"x": tf.train.Feature(float_list=tf.train.
                                                   FloatList(value=row))})
                ).SerializeToString() for row in X[:2]]
                scores, classes = sess.run(
                    [sig.outputs["scores"].name, sig.outputs["classes"].name],
                    {sig.inputs["inputs"].name: examples})
                np.testing.assert_allclose(scores, probs, rtol=1e-4)
                assert classes.tolist() == [[b"0", b"1", b"2"]] * 2
