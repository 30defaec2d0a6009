"""Dropout (ch. 11).

The book's listing, unchanged:

    training = tf.placeholder_with_default(False, shape=(), name='training')

    dropout_rate = 0.5  # == 1 - keep_prob
    X_drop = tf.layers.dropout(X, dropout_rate, training=training)

    with tf.name_scope("dnn"):
        hidden1 = tf.layers.dense(X_drop, n_hidden1, activation=tf.nn.relu,
                                  name="hidden1")
        hidden1_drop = tf.layers.dropout(hidden1, dropout_rate, training=training)
        [...]

Pitfalls: `tf.layers.dropout` takes the *drop* rate and is a no-op unless
training=True (the default is False); `tf.nn.dropout` takes keep_prob and is
always on. At training time kept units are scaled by 1 / (1 - rate). The
script checks both on the same input.

Run: python -m tf1_dnn run legacy_examples/21_dropout.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Dropout")
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

training = tf.placeholder_with_default(False, shape=(), name='training')

dropout_rate = 0.5  # == 1 - keep_prob
X_drop = tf.layers.dropout(X, dropout_rate, training=training)

with tf.name_scope("dnn"):
    hidden1 = tf.layers.dense(X_drop, n_hidden1, activation=tf.nn.relu,
                              name="hidden1")
    hidden1_drop = tf.layers.dropout(hidden1, dropout_rate, training=training)
    hidden2 = tf.layers.dense(hidden1_drop, n_hidden2, activation=tf.nn.relu,
                              name="hidden2")
    hidden2_drop = tf.layers.dropout(hidden2, dropout_rate, training=training)
    logits = tf.layers.dense(hidden2_drop, n_outputs, name="outputs")

with tf.name_scope("loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")

with tf.name_scope("eval"):
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")

learning_rate = 0.01

with tf.name_scope("train"):
    optimizer = tf.train.MomentumOptimizer(learning_rate, momentum=0.9)
    training_op = optimizer.minimize(loss)

init = tf.global_variables_initializer()

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch, training: True})
        accuracy_val = accuracy.eval(feed_dict={X: mnist.validation.images,
                                                y: mnist.validation.labels})
        print(epoch, "Validation accuracy:", accuracy_val)
    ones = np.ones((200, n_inputs), dtype=np.float32)
    drop_test = X_drop.eval(feed_dict={X: ones})
    drop_train = X_drop.eval(feed_dict={X: ones, training: True})

assert np.array_equal(drop_test, ones)                       # off by default
assert set(np.unique(drop_train)) <= {0.0, 2.0}              # kept units x 1/(1-0.5)
assert abs((drop_train == 0).mean() - dropout_rate) < 0.02   # about half dropped
assert accuracy_val > 0.5, accuracy_val
print("RESULT validation_accuracy=%.4f" % accuracy_val)
