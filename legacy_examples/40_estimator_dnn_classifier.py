"""Training an MLP with TensorFlow's high-level API (ch. 10, 1st edition).

The book's listing, unchanged (tf.contrib.learn, TF >= 1.1):

    feature_cols = tf.contrib.learn.infer_real_valued_columns_from_input(X_train)
    dnn_clf = tf.contrib.learn.DNNClassifier(hidden_units=[300,100], n_classes=10,
                                             feature_columns=feature_cols)
    dnn_clf = tf.contrib.learn.SKCompat(dnn_clf) # if TensorFlow >= 1.1
    dnn_clf.fit(X_train, y_train, batch_size=50, steps=40000)
    y_pred = dnn_clf.predict(X_test)
    accuracy_score(y_test, y_pred['classes'])

and the notebook's later tf.estimator version:

    feature_cols = [tf.feature_column.numeric_column("X", shape=[28 * 28])]
    dnn_clf = tf.estimator.DNNClassifier(hidden_units=[300,100], n_classes=10,
                                         feature_columns=feature_cols)
    input_fn = tf.estimator.inputs.numpy_input_fn(
        x={"X": X_train}, y=y_train, num_epochs=40, batch_size=50, shuffle=True)
    dnn_clf.train(input_fn=input_fn)
    eval_results = dnn_clf.evaluate(input_fn=test_input_fn)

Pitfalls: contrib.learn's `loss` is the batch mean, tf.estimator's (v1
canned) is the batch *sum* (so `loss` ~ batch_size x `average_loss`);
`numpy_input_fn` has no default for `shuffle`; with `num_epochs=40` the
input ends after 40 epochs and that ends `train()`.

Run: python -m tf1_dnn run legacy_examples/40_estimator_dnn_classifier.py [--epochs N] [--quick]
"""
import argparse
import os
import shutil

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data
from sklearn.metrics import accuracy_score, log_loss

parser = argparse.ArgumentParser(description="ch. 10 DNNClassifier")
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--quick", action="store_true",
                    help="5,000 training images, 400 steps / 1 epoch")
args = parser.parse_args()

# Model directories go to <repo>/checkpoints/ (quick runs: checkpoints/quick/),
# emptied first so that every run trains from scratch.
CKPT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "checkpoints", "quick" if args.quick else "")
CONTRIB_DIR = os.path.join(CKPT_DIR, "ch10_contrib_learn_dnn")
ESTIMATOR_DIR = os.path.join(CKPT_DIR, "ch10_estimator_dnn")
for folder in (CONTRIB_DIR, ESTIMATOR_DIR):
    shutil.rmtree(folder, ignore_errors=True)

mnist = input_data.read_data_sets("/tmp/data/")
X_train = mnist.train.images
X_test = mnist.test.images
y_train = mnist.train.labels.astype("int")
y_test = mnist.test.labels.astype("int")
if args.quick:
    X_train, y_train = X_train[:5000], y_train[:5000]
    X_test, y_test = X_test[:2000], y_test[:2000]
n_steps = 400 if args.quick else 40000

# 1. tf.contrib.learn + SKCompat (the book's listing).
config = tf.contrib.learn.RunConfig(tf_random_seed=42)  # not shown in the book
feature_cols = tf.contrib.learn.infer_real_valued_columns_from_input(X_train)
dnn_clf = tf.contrib.learn.DNNClassifier(hidden_units=[300, 100], n_classes=10,
                                         feature_columns=feature_cols,
                                         config=config, model_dir=CONTRIB_DIR)
dnn_clf = tf.contrib.learn.SKCompat(dnn_clf)  # if TensorFlow >= 1.1
dnn_clf.fit(X_train, y_train, batch_size=50, steps=n_steps)

y_pred = dnn_clf.predict(X_test)
contrib_accuracy = accuracy_score(y_test, y_pred['classes'])
y_pred_proba = y_pred['probabilities']
contrib_log_loss = log_loss(y_test, y_pred_proba, labels=list(range(10)))
print("contrib.learn accuracy:", contrib_accuracy, "log loss:", contrib_log_loss)

# 2. tf.estimator.DNNClassifier + numpy_input_fn.
feature_cols = [tf.feature_column.numeric_column("X", shape=[28 * 28])]
dnn_clf = tf.estimator.DNNClassifier(hidden_units=[300, 100], n_classes=10,
                                     feature_columns=feature_cols,
                                     model_dir=ESTIMATOR_DIR,
                                     config=tf.estimator.RunConfig(tf_random_seed=42))
input_fn = tf.estimator.inputs.numpy_input_fn(
    x={"X": X_train}, y=y_train, num_epochs=1 if args.quick else args.epochs,
    batch_size=50, shuffle=True)
dnn_clf.train(input_fn=input_fn)

test_input_fn = tf.estimator.inputs.numpy_input_fn(
    x={"X": X_test}, y=y_test, shuffle=False)
eval_results = dnn_clf.evaluate(input_fn=test_input_fn)
print(eval_results)

y_pred_iter = dnn_clf.predict(input_fn=test_input_fn)
y_pred = list(y_pred_iter)
print(y_pred[0])

# Checks: the steps the input allowed, the estimator's accuracy against the
# predictions, the v1 canned SUM loss against average_loss.
steps_per_epoch = -(-len(X_train) // 50)
expected_steps = steps_per_epoch * (1 if args.quick else args.epochs)
assert eval_results["global_step"] == expected_steps, eval_results
pred_classes = np.array([p["class_ids"][0] for p in y_pred])
assert abs(eval_results["accuracy"] - accuracy_score(y_test, pred_classes)) < 1e-6
assert eval_results["loss"] > 50 * eval_results["average_loss"]  # batches of 128: sum
assert contrib_accuracy > 0.5 and eval_results["accuracy"] > 0.5
print("RESULT contrib_learn_accuracy=%.4f estimator_accuracy=%.4f"
      % (contrib_accuracy, eval_results["accuracy"]))
