"""l1 (and l2) regularization through kernel_regularizer (ch. 11).

The book's listing, unchanged:

    my_dense_layer = partial(
        tf.layers.dense, activation=tf.nn.relu,
        kernel_regularizer=tf.contrib.layers.l1_regularizer(scale))

    with tf.name_scope("dnn"):
        hidden1 = my_dense_layer(X, n_hidden1, name="hidden1")
        hidden2 = my_dense_layer(hidden1, n_hidden2, name="hidden2")
        logits = my_dense_layer(hidden2, n_outputs, activation=None,
                                name="outputs")

    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    loss = tf.add_n([base_loss] + reg_losses, name="loss")

Each layer adds `scale * sum|kernel|` to REGULARIZATION_LOSSES. Pitfall: the
regularization losses are only used if you add them to the loss yourself.
The script then trains the same network with contrib's l2_regularizer(s),
which is s * tf.nn.l2_loss(w) = s * sum(w**2) / 2 (half the sum of squares),
and checks the three losses of each run against numpy.

Run: python -m tf1_dnn run legacy_examples/20_l1_regularization_kernel_regularizer.py [--epochs N] [--quick]
"""
import argparse
from functools import partial

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="l1 with kernel_regularizer")
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on a fifth of the training set")
args = parser.parse_args()

mnist = input_data.read_data_sets("/tmp/data/")

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

n_epochs = 1 if args.quick else args.epochs
n_train = mnist.train.num_examples // (5 if args.quick else 1)
batch_size = 50

n_inputs = 28 * 28  # MNIST
n_hidden1 = 300
n_hidden2 = 50
n_outputs = 10

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")

scale = 0.001

my_dense_layer = partial(
    tf.layers.dense, activation=tf.nn.relu,
    kernel_regularizer=tf.contrib.layers.l1_regularizer(scale))

with tf.name_scope("dnn"):
    hidden1 = my_dense_layer(X, n_hidden1, name="hidden1")
    hidden2 = my_dense_layer(hidden1, n_hidden2, name="hidden2")
    logits = my_dense_layer(hidden2, n_outputs, activation=None,
                            name="outputs")

with tf.name_scope("loss"):                                     # not shown in the book
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(  # not shown
        labels=y, logits=logits)                                # not shown
    base_loss = tf.reduce_mean(xentropy, name="avg_xentropy")   # not shown
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    loss = tf.add_n([base_loss] + reg_losses, name="loss")

with tf.name_scope("eval"):
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")

learning_rate = 0.01

with tf.name_scope("train"):
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    training_op = optimizer.minimize(loss)

init = tf.global_variables_initializer()

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        accuracy_val = accuracy.eval(feed_dict={X: mnist.validation.images,
                                                y: mnist.validation.labels})
        print(epoch, "Validation accuracy:", accuracy_val)
    kernels = [tf.get_default_graph().get_tensor_by_name(name + "/kernel:0")
               for name in ("hidden1", "hidden2", "outputs")]
    reg_vals, kernel_vals = sess.run([reg_losses, kernels])

assert len(reg_losses) == 3, reg_losses
for reg_val, kernel_val in zip(reg_vals, kernel_vals):
    assert np.isclose(reg_val, scale * np.abs(kernel_val).sum(), rtol=1e-5)
l1_accuracy = accuracy_val

# --- The same with l2 (the book: "l1_regularizer(), l2_regularizer() and
# l1_l2_regularizer() return such functions"). Pitfall: contrib's
# l2_regularizer(s) is s * tf.nn.l2_loss(w) = s * sum(w ** 2) / 2.
tf.reset_default_graph()
tf.set_random_seed(42)

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")

my_dense_layer = partial(
    tf.layers.dense, activation=tf.nn.relu,
    kernel_regularizer=tf.contrib.layers.l2_regularizer(scale))

with tf.name_scope("dnn"):
    hidden1 = my_dense_layer(X, n_hidden1, name="hidden1")
    hidden2 = my_dense_layer(hidden1, n_hidden2, name="hidden2")
    logits = my_dense_layer(hidden2, n_outputs, activation=None,
                            name="outputs")

with tf.name_scope("loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=logits)
    base_loss = tf.reduce_mean(xentropy, name="avg_xentropy")
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    loss = tf.add_n([base_loss] + reg_losses, name="loss")

with tf.name_scope("eval"):
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")

with tf.name_scope("train"):
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    training_op = optimizer.minimize(loss)

init = tf.global_variables_initializer()

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        accuracy_val = accuracy.eval(feed_dict={X: mnist.validation.images,
                                                y: mnist.validation.labels})
        print(epoch, "l2, validation accuracy:", accuracy_val)
    kernels = [tf.get_default_graph().get_tensor_by_name(name + "/kernel:0")
               for name in ("hidden1", "hidden2", "outputs")]
    reg_vals, kernel_vals = sess.run([reg_losses, kernels])

assert len(reg_losses) == 3, reg_losses
for reg_val, kernel_val in zip(reg_vals, kernel_vals):
    assert np.isclose(reg_val, scale * (kernel_val ** 2).sum() / 2, rtol=1e-5)
l2_accuracy = accuracy_val

assert l1_accuracy > 0.5, l1_accuracy
assert l2_accuracy > 0.5, l2_accuracy
print("RESULT l1_validation_accuracy=%.4f l2_validation_accuracy=%.4f"
      % (l1_accuracy, l2_accuracy))
