"""Data Augmentation (ch. 11).

The chapter gives no listing for this section (it describes shifting,
rotating and resizing the training images, by a small amount, so that a human
could not tell them from real ones, and notes that white noise does not help).
This script does what the book's chapter 3 exercise did: each training image
shifted by one pixel in the four directions (new pixels are 0), the training
set grows five-fold, and the chapter's 300-100 ELU network trains on it. The
shift is done in numpy, before training (offline augmentation).

Run: python -m tf1_dnn run legacy_examples/24_data_augmentation.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Data augmentation")
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on augmented copies of 1/25 of the training set")
args = parser.parse_args()

mnist = input_data.read_data_sets("/tmp/data/")

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)


def shift_image(image, dx, dy):
    """Shifts a flat 28x28 image by (dx, dy) pixels, filling with zeros."""
    image = image.reshape((28, 28))
    shifted = np.zeros_like(image)
    src = image[max(-dy, 0):28 - max(dy, 0), max(-dx, 0):28 - max(dx, 0)]
    shifted[max(dy, 0):max(dy, 0) + src.shape[0], max(dx, 0):max(dx, 0) + src.shape[1]] = src
    return shifted.reshape([-1])


n_originals = mnist.train.num_examples // (25 if args.quick else 1)
X_train = mnist.train.images[:n_originals]
y_train = mnist.train.labels[:n_originals]

X_train_augmented = [image for image in X_train]
y_train_augmented = [label for label in y_train]
for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
    for image, label in zip(X_train, y_train):
        X_train_augmented.append(shift_image(image, dx, dy))
        y_train_augmented.append(label)
X_train_augmented = np.array(X_train_augmented)
y_train_augmented = np.array(y_train_augmented)

n_inputs = 28 * 28  # MNIST
n_hidden1 = 300
n_hidden2 = 100
n_outputs = 10

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")

with tf.name_scope("dnn"):
    hidden1 = tf.layers.dense(X, n_hidden1, activation=tf.nn.elu, name="hidden1")
    hidden2 = tf.layers.dense(hidden1, n_hidden2, activation=tf.nn.elu, name="hidden2")
    logits = tf.layers.dense(hidden2, n_outputs, name="outputs")

with tf.name_scope("loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")

with tf.name_scope("eval"):
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

learning_rate = 0.01

with tf.name_scope("train"):
    optimizer = tf.train.MomentumOptimizer(learning_rate, momentum=0.9)
    training_op = optimizer.minimize(loss)

init = tf.global_variables_initializer()

n_epochs = 1 if args.quick else args.epochs
batch_size = 50
n_batches = len(X_train_augmented) // batch_size

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        shuffled_idx = np.random.permutation(len(X_train_augmented))
        for batch_idx in np.array_split(shuffled_idx, n_batches):
            sess.run(training_op, feed_dict={X: X_train_augmented[batch_idx],
                                             y: y_train_augmented[batch_idx]})
        accuracy_val = accuracy.eval(feed_dict={X: mnist.validation.images,
                                                y: mnist.validation.labels})
        print(epoch, "Validation accuracy:", accuracy_val)

image = np.arange(28 * 28, dtype=np.float32)
right = shift_image(image, 1, 0).reshape(28, 28)
assert np.array_equal(right[:, 1:], image.reshape(28, 28)[:, :-1]) and not right[:, 0].any()
down = shift_image(image, 0, 1).reshape(28, 28)
assert np.array_equal(down[1:], image.reshape(28, 28)[:-1]) and not down[0].any()
assert len(X_train_augmented) == 5 * n_originals
assert accuracy_val > 0.5, accuracy_val
print("RESULT validation_accuracy=%.4f" % accuracy_val)
