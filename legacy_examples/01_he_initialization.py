"""Xavier and He initialization (ch. 11, "Xavier and He Initialization").

The book's listing, unchanged:

    he_init = tf.contrib.layers.variance_scaling_initializer()
    hidden1 = tf.layers.dense(X, n_hidden1, activation=tf.nn.relu,
                              kernel_initializer=he_init, name="hidden1")

Pitfall kept as TF 1.x had it: contrib's `variance_scaling_initializer()` is He
(factor 2.0, FAN_IN, truncated normal), while core
`tf.variance_scaling_initializer()` with no argument is LeCun (scale 1.0). The
script checks the variance of hidden1's kernel against 2 / n_inputs.

Run: python -m tf1_dnn run legacy_examples/01_he_initialization.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="He initialization")
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on a fifth of the training set")
args = parser.parse_args()

mnist = input_data.read_data_sets("/tmp/data/")

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

n_inputs = 28 * 28  # MNIST
n_hidden1 = 300
n_hidden2 = 100
n_outputs = 10

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")

he_init = tf.contrib.layers.variance_scaling_initializer()
with tf.name_scope("dnn"):
    hidden1 = tf.layers.dense(X, n_hidden1, activation=tf.nn.relu,
                              kernel_initializer=he_init, name="hidden1")
    hidden2 = tf.layers.dense(hidden1, n_hidden2, activation=tf.nn.relu,
                              kernel_initializer=he_init, name="hidden2")
    logits = tf.layers.dense(hidden2, n_outputs, name="outputs")

with tf.name_scope("loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                              logits=logits)
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
    kernel1 = tf.get_default_graph().get_tensor_by_name("hidden1/kernel:0")
    init_var = np.var(kernel1.eval())
    print("hidden1 kernel variance at init:", init_var,
          "(He: 2 / n_inputs =", 2.0 / n_inputs, ")")
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        acc_valid = accuracy.eval(feed_dict={X: mnist.validation.images,
                                             y: mnist.validation.labels})
        print(epoch, "Validation accuracy:", acc_valid)

# Sanity: He variance (within 15 %) and far above chance (0.1).
assert abs(init_var - 2.0 / n_inputs) < 0.15 * 2.0 / n_inputs, init_var
assert acc_valid > 0.5, acc_valid
print("RESULT validation_accuracy=%.4f" % acc_valid)
