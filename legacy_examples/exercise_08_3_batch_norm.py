"""Exercise 8.3 (ch. 11): add Batch Normalization and compare the learning curves.

"Now try adding Batch Normalization and compare the learning curves: is it
converging faster than before? Does it produce a better model?" The book's
solution: the same `DNNClassifier` with `batch_norm_momentum=0.95` (the
moving averages are updated through UPDATE_OPS with each training step),
trained with and without it.

Quick mode: 3 epochs on a sixth of the digits-0-to-4 training set.

Run: python -m tf1_dnn run legacy_examples/exercise_08_3_batch_norm.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

from tf1_dnn.sklearn import DNNClassifier

parser = argparse.ArgumentParser(description="Exercise 8.3")
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
for name, momentum in (("plain", None), ("batch_norm", 0.95)):
    dnn_clf = DNNClassifier(activation=tf.nn.elu, batch_size=50, learning_rate=0.01,
                            n_neurons=90, random_state=42, n_epochs=n_epochs,
                            batch_norm_momentum=momentum, verbose=not args.quick)
    dnn_clf.fit(X_train1, y_train1)
    acc_test = np.mean(dnn_clf.predict(X_test1) == y_test1)
    results[name] = acc_test
    print(name, "epochs:", dnn_clf.n_epochs_, "best epoch:", dnn_clf.best_epoch_,
          "learning curve (val loss):", [round(h[1], 4) for h in dnn_clf.history_][:10],
          "test accuracy:", acc_test)
    if momentum:
        n_updates = len(dnn_clf._graph.get_collection(tf.GraphKeys.UPDATE_OPS))
        assert n_updates == 2 * 5, n_updates   # moving mean + variance per hidden layer

assert min(results.values()) > 0.5, results   # 5 classes: chance is 0.2
print("RESULT plain=%.4f batch_norm=%.4f" % (results["plain"], results["batch_norm"]))
