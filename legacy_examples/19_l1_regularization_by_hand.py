"""l1 regularization, by hand (ch. 11).

The book's listing, unchanged:

    W1 = tf.get_default_graph().get_tensor_by_name("hidden1/kernel:0")
    W2 = tf.get_default_graph().get_tensor_by_name("outputs/kernel:0")

    scale = 0.001 # l1 regularization hyperparameter

    with tf.name_scope("loss"):
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                  logits=logits)
        base_loss = tf.reduce_mean(xentropy, name="avg_xentropy")
        reg_losses = tf.reduce_sum(tf.abs(W1)) + tf.reduce_sum(tf.abs(W2))
        loss = tf.add(base_loss, scale * reg_losses, name="loss")

One hidden layer (300) and the output layer; the biases are not regularized.
The script checks the loss against numpy: mean cross-entropy + scale * sum|W|.

Run: python -m tf1_dnn run legacy_examples/19_l1_regularization_by_hand.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="l1 by hand")
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

with tf.name_scope("dnn"):
    hidden1 = tf.layers.dense(X, n_hidden1, activation=tf.nn.relu, name="hidden1")
    logits = tf.layers.dense(hidden1, n_outputs, name="outputs")

W1 = tf.get_default_graph().get_tensor_by_name("hidden1/kernel:0")
W2 = tf.get_default_graph().get_tensor_by_name("outputs/kernel:0")

scale = 0.001 # l1 regularization hyperparameter

with tf.name_scope("loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                              logits=logits)
    base_loss = tf.reduce_mean(xentropy, name="avg_xentropy")
    reg_losses = tf.reduce_sum(tf.abs(W1)) + tf.reduce_sum(tf.abs(W2))
    loss = tf.add(base_loss, scale * reg_losses, name="loss")

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
    loss_val, base_val, logits_val, W1_val, W2_val = sess.run(
        [loss, base_loss, logits, W1, W2], feed_dict={X: X_batch, y: y_batch})

expected = base_val + scale * (np.abs(W1_val).sum() + np.abs(W2_val).sum())
assert np.isclose(loss_val, expected, rtol=1e-5), (loss_val, expected)
assert accuracy_val > 0.5, accuracy_val
print("RESULT validation_accuracy=%.4f" % accuracy_val)
