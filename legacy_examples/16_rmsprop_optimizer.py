"""RMSProp (ch. 11, "Faster Optimizers").

The book's listing, unchanged:

    optimizer = tf.train.RMSPropOptimizer(learning_rate=learning_rate,
                                          momentum=0.9, decay=0.9, epsilon=1e-10)

s <- beta * s + (1 - beta) * grad^2; theta <- theta - eta * grad / sqrt(s + eps).
Pitfall: TF1's RMSPropOptimizer starts its mean-square slot "rms" at 1.0, not 0.
The book's learning_rate variable is 0.01 there; with momentum=0.9 that
is too large for this network, so the notebook-style value 0.001 is used,
trained on the chapter's 300-100 ReLU network.

Run: python -m tf1_dnn run legacy_examples/16_rmsprop_optimizer.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="RMSProp")
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

with tf.name_scope("dnn"):
    hidden1 = tf.layers.dense(X, n_hidden1, activation=tf.nn.relu, name="hidden1")
    hidden2 = tf.layers.dense(hidden1, n_hidden2, activation=tf.nn.relu, name="hidden2")
    logits = tf.layers.dense(hidden2, n_outputs, name="outputs")

with tf.name_scope("loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")

with tf.name_scope("eval"):
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

learning_rate = 0.001

optimizer = tf.train.RMSPropOptimizer(learning_rate=learning_rate,
                                      momentum=0.9, decay=0.9, epsilon=1e-10)
training_op = optimizer.minimize(loss)

init = tf.global_variables_initializer()

n_epochs = 1 if args.quick else args.epochs
n_train = mnist.train.num_examples // (5 if args.quick else 1)
batch_size = 50

with tf.Session() as sess:
    init.run()
    output_bias = [v for v in tf.global_variables() if v.op.name == "outputs/bias"][0]
    rms_init = sess.run(optimizer.get_slot(output_bias, "rms"))
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        acc_valid = accuracy.eval(feed_dict={X: mnist.validation.images,
                                             y: mnist.validation.labels})
        print(epoch, "Validation accuracy:", acc_valid)
    slot_names = sorted(optimizer.get_slot_names())
    rms = sess.run(optimizer.get_slot(output_bias, "rms"))

assert slot_names == ["momentum", "rms"], slot_names
assert np.allclose(rms_init, 1.0), rms_init   # TF1 starts it at 1.0, not 0
assert np.all(rms < rms_init)                # decayed towards grad^2
assert acc_valid > 0.5, acc_valid
print("RESULT validation_accuracy=%.4f" % acc_valid)
