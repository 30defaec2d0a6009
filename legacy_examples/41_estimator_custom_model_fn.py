"""A custom Estimator: tf.layers model_fn, train_and_evaluate, export, serving.

TF 1.x code, unchanged: the chapter's MLP (two ReLU layers and dropout,
written with tf.layers) as an Estimator `model_fn`, trained and evaluated
with `tf.estimator.train_and_evaluate`, exported as a SavedModel by a
`FinalExporter`, then loaded with `tf.saved_model.load(sess, ["serve"],
export_dir)` (TF 1.15's alias of `tf.saved_model.loader.load`) and served
through its `serving_default` signature:

    def dnn_model_fn(features, labels, mode, params):
        training = (mode == tf.estimator.ModeKeys.TRAIN)
        hidden1 = tf.layers.dense(features["X"], 300, activation=tf.nn.relu, name="hidden1")
        [...]
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                          eval_metric_ops={"accuracy": tf.metrics.accuracy(labels, y_pred)})

Pitfalls: dropout must be told the mode (`training=...`), else it is off;
`train_op` must increment `tf.train.get_global_step()` or the step limit is
never reached; `EvalSpec(steps=None)` evaluates the whole eval input (the
default 100 batches would stop early); the export's signature exists only
for a PREDICT graph, which is why the model_fn returns early for PREDICT.

Run: python -m tf1_dnn run legacy_examples/41_estimator_custom_model_fn.py [--epochs N] [--quick]
"""
import argparse
import os
import shutil

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Custom Estimator model_fn")
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on 5,000 training images")
args = parser.parse_args()

CKPT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "checkpoints", "quick" if args.quick else "")
MODEL_DIR = os.path.join(CKPT_DIR, "estimator_custom_mlp")
shutil.rmtree(MODEL_DIR, ignore_errors=True)      # train from scratch

mnist = input_data.read_data_sets("/tmp/data/")
X_train, y_train = mnist.train.images, mnist.train.labels.astype(np.int64)
X_valid, y_valid = mnist.validation.images, mnist.validation.labels.astype(np.int64)
X_test, y_test = mnist.test.images, mnist.test.labels.astype(np.int64)
if args.quick:
    X_train, y_train = X_train[:5000], y_train[:5000]
    X_valid, y_valid = X_valid[:1000], y_valid[:1000]
    X_test, y_test = X_test[:500], y_test[:500]

n_epochs = 1 if args.quick else args.epochs
batch_size = 50


def dnn_model_fn(features, labels, mode, params):
    training = (mode == tf.estimator.ModeKeys.TRAIN)
    X = features["X"]
    hidden1 = tf.layers.dense(X, params["n_hidden1"], activation=tf.nn.relu,
                              name="hidden1")
    hidden1_drop = tf.layers.dropout(hidden1, params["dropout_rate"], training=training)
    hidden2 = tf.layers.dense(hidden1_drop, params["n_hidden2"], activation=tf.nn.relu,
                              name="hidden2")
    hidden2_drop = tf.layers.dropout(hidden2, params["dropout_rate"], training=training)
    logits = tf.layers.dense(hidden2_drop, 10, name="outputs")
    y_proba = tf.nn.softmax(logits, name="y_proba")
    y_pred = tf.argmax(logits, axis=1, name="y_pred")

    predictions = {"classes": y_pred, "probabilities": y_proba}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)

    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")
    optimizer = tf.train.MomentumOptimizer(params["learning_rate"], momentum=0.9)
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    eval_metric_ops = {"accuracy": tf.metrics.accuracy(labels, y_pred)}
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                      predictions=predictions,
                                      eval_metric_ops=eval_metric_ops)


config = tf.estimator.RunConfig(tf_random_seed=42, save_checkpoints_steps=50,
                                log_step_count_steps=50)
dnn_clf = tf.estimator.Estimator(
    model_fn=dnn_model_fn, model_dir=MODEL_DIR, config=config,
    params={"n_hidden1": 300, "n_hidden2": 100, "dropout_rate": 0.2,
            "learning_rate": 0.01})

train_input_fn = tf.estimator.inputs.numpy_input_fn(
    x={"X": X_train}, y=y_train, batch_size=batch_size, num_epochs=None, shuffle=True)
eval_input_fn = tf.estimator.inputs.numpy_input_fn(
    x={"X": X_valid}, y=y_valid, batch_size=500, num_epochs=1, shuffle=False)
serving_input_receiver_fn = tf.estimator.export.build_raw_serving_input_receiver_fn(
    {"X": tf.placeholder(tf.float32, shape=[None, 28 * 28])})

max_steps = n_epochs * len(X_train) // batch_size
train_spec = tf.estimator.TrainSpec(input_fn=train_input_fn, max_steps=max_steps)
eval_spec = tf.estimator.EvalSpec(
    input_fn=eval_input_fn, steps=None, throttle_secs=0,
    exporters=[tf.estimator.FinalExporter("mlp", serving_input_receiver_fn)])
eval_result, export_results = tf.estimator.train_and_evaluate(dnn_clf, train_spec, eval_spec)
print("validation:", eval_result)
export_dir = export_results[-1].decode()
print("exported to", export_dir)

# Serve the exported model: a fresh graph and session, no model_fn.
with tf.Session(graph=tf.Graph()) as sess:
    meta_graph = tf.saved_model.load(sess, [tf.saved_model.tag_constants.SERVING], export_dir)
    signature = meta_graph.signature_def["serving_default"]
    served_proba, served_classes = sess.run(
        [signature.outputs["probabilities"].name, signature.outputs["classes"].name],
        feed_dict={signature.inputs["X"].name: X_test})

test_input_fn = tf.estimator.inputs.numpy_input_fn(
    x={"X": X_test}, batch_size=100, shuffle=False)
predicted = list(dnn_clf.predict(test_input_fn))
pred_classes = np.array([p["classes"] for p in predicted])
test_accuracy = np.mean(served_classes == y_test)
print("served test accuracy:", test_accuracy)

assert eval_result["global_step"] == max_steps, eval_result
assert np.array_equal(served_classes, pred_classes)          # the same model
assert np.allclose(served_proba, [p["probabilities"] for p in predicted], atol=1e-5)
assert any(f.startswith("events.out") for f in os.listdir(os.path.join(MODEL_DIR, "eval")))
assert eval_result["accuracy"] > 0.5 and test_accuracy > 0.5
print("RESULT validation_accuracy=%.4f served_test_accuracy=%.4f"
      % (eval_result["accuracy"], test_accuracy))
