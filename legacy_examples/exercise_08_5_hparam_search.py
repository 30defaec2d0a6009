"""Exercise 8.5: hyper-parameter search on a log scale (seed 004, section 6.5).

Learning rate and weight decay sampled as 10 ** uniform(low, high) --
learning rate in 10^-6..10^-2, weight decay in 10^-8..10^-4, 100 pairs -- each
trial a short SGD training of a 6x100 ReLU network with weight decay
(0.5 * lambda * sum(W^2)) on 500 training images, scored on a 20 % validation
split of the *training* data (never the test set). The best trials show where
to narrow the ranges for the next round (`tf1_dnn.hparam_search`).

Quick mode: 4 trials of 10 epochs (batches of 20) on 500 images, learning rate
in 10^-3..10^-1.

Run: python -m tf1_dnn run legacy_examples/exercise_08_5_hparam_search.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

from tf1_dnn.hparam_search import format_result, narrow_ranges, random_search

parser = argparse.ArgumentParser(description="Exercise 8.5")
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--quick", action="store_true",
                    help="4 trials of 10 epochs, lr in 1e-3..1e-1")
args = parser.parse_args()

mnist = input_data.read_data_sets("/tmp/data/")

X_train = mnist.train.images[:500]   # the book: few samples, to overfit on purpose
y_train = mnist.train.labels[:500]

if args.quick:
    n_trials, n_epochs, batch_size, lr_range = 4, 10, 20, (-3, -1)
else:
    n_trials, n_epochs, batch_size, lr_range = 100, args.epochs, 100, (-6, -2)

results = random_search(X_train, y_train, n_trials=n_trials,
                        learning_rate_range=lr_range, weight_decay_range=(-8, -4),
                        validation_rate=0.2, random_state=0, verbose=True,
                        n_epochs=n_epochs, batch_size=batch_size)

print("=========== Hyper-Parameter Optimization Result ===========")
for i, result in enumerate(results[:20]):
    print("Best-%d (%s) train acc:%.4f" % (i + 1, format_result(result), result["train_acc"]))
print("Narrowed ranges (powers of ten):", narrow_ranges(results, top_k=5))

best = results[0]
assert len(results) == n_trials
assert all(10.0 ** lr_range[0] <= r["learning_rate"] <= 10.0 ** lr_range[1] for r in results)
assert all(1e-8 <= r["weight_decay"] <= 1e-4 for r in results)
assert [r["val_acc"] for r in results] == sorted((r["val_acc"] for r in results), reverse=True)
assert best["val_acc"] > 0.5, best   # 10 classes: chance is 0.1
print("RESULT best_val_acc=%.4f lr=%.3g weight_decay=%.3g"
      % (best["val_acc"], best["learning_rate"], best["weight_decay"]))
