"""Nonsaturating activation functions: leaky ReLU (ch. 11).

The book's listing, unchanged -- TensorFlow 1.x had no leaky ReLU in the early
releases, so the book defines it:

    def leaky_relu(z, name=None):
        return tf.maximum(0.01 * z, z, name=name)

    hidden1 = tf.layers.dense(X, n_hidden1, activation=leaky_relu, name="hidden1")

Run: python -m tf1_dnn run legacy_examples/02_leaky_relu.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Leaky ReLU")
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on a fifth of the training set")
args = parser.parse_args()

mnist = input_data.read_data_sets("/tmp/data/")

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)


def leaky_relu(z, name=None):
    return tf.maximum(0.01 * z, z, name=name)


n_inputs = 28 * 28  # MNIST
n_hidden1 = 300
n_hidden2 = 100
n_outputs = 10

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")

with tf.name_scope("dnn"):
    hidden1 = tf.layers.dense(X, n_hidden1, activation=leaky_relu, name="hidden1")
    hidden2 = tf.layers.dense(hidden1, n_hidden2, activation=leaky_relu, name="hidden2")
    logits = tf.layers.dense(hidden2, n_outputs, name="outputs")

with tf.name_scope("loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")

learning_rate = 0.01

with tf.name_scope("train"):
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    training_op = optimizer.minimize(loss)

with tf.name_scope("eval"):
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

init = tf.global_variables_initializer()

n_epochs = 1 if args.quick else args.epochs
n_train = mnist.train.num_examples // (5 if args.quick else 1)
batch_size = 50

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        if epoch % 5 == 0 or epoch == n_epochs - 1:
            acc_batch = accuracy.eval(feed_dict={X: X_batch, y: y_batch})
            acc_valid = accuracy.eval(feed_dict={X: mnist.validation.images,
                                                 y: mnist.validation.labels})
            print(epoch, "Batch accuracy:", acc_batch, "Validation accuracy:", acc_valid)
    # The activation is the book's Maximum op, named by the layer.
    assert tf.get_default_graph().get_operation_by_name("dnn/hidden1/Maximum")

assert acc_valid > 0.5, acc_valid
print("RESULT validation_accuracy=%.4f" % acc_valid)
