"""Exercise 8.4 (ch. 11): is the model overfitting? Add dropout.

"Is the model overfitting the training set? Try adding dropout to every layer
and try again. Does it help?" The book's solution: the same `DNNClassifier`
with `dropout_rate=0.5` (dropout before each hidden layer, active only when
training; `predict` runs with training=False), compared with no dropout on
the training and the test accuracy.

Quick mode: 3 epochs on a sixth of the digits-0-to-4 training set.

Run: python -m tf1_dnn run legacy_examples/exercise_08_4_dropout.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

from tf1_dnn.sklearn import DNNClassifier

parser = argparse.ArgumentParser(description="Exercise 8.4")
parser.add_argument("--epochs", type=int, default=1000,
                    help="maximum number of epochs (early stopping ends sooner)")
parser.add_argument("--quick", action="store_true",
                    help="3 epochs on a sixth of the training set")
args = parser.parse_args()

mnist = input_data.read_data_sets("/tmp/data/")

X_train1 = mnist.train.images[mnist.train.labels < 5]
y_train1 = mnist.train.labels[mnist.train.labels < 5]
X_test1 = mnist.test.images[mnist.test.labels < 5]
y_test1 = mnist.test.labels[mnist.test.labels < 5]
if args.quick:
    X_train1, y_train1 = X_train1[:len(X_train1) // 6], y_train1[:len(y_train1) // 6]
n_epochs = 3 if args.quick else args.epochs

results = {}
for name, dropout_rate in (("no_dropout", None), ("dropout", 0.5)):
    dnn_clf = DNNClassifier(activation=tf.nn.elu, batch_size=500, learning_rate=0.01,
                            n_neurons=90, random_state=42, n_epochs=n_epochs,
                            dropout_rate=dropout_rate, verbose=not args.quick)
    dnn_clf.fit(X_train1, y_train1)
    acc_train = np.mean(dnn_clf.predict(X_train1) == y_train1)
    acc_test = np.mean(dnn_clf.predict(X_test1) == y_test1)
    results[name] = (acc_train, acc_test)
    print(name, "train accuracy:", acc_train, "test accuracy:", acc_test,
          "gap:", acc_train - acc_test)
    # predict() is deterministic: dropout is off at inference.
    assert np.array_equal(dnn_clf.predict_proba(X_test1[:100]),
                          dnn_clf.predict_proba(X_test1[:100]))

assert min(acc for _, acc in results.values()) > 0.5, results   # chance is 0.2
print("RESULT no_dropout=%.4f dropout=%.4f" % (results["no_dropout"][1], results["dropout"][1]))
