"""An RNN classifying MNIST images row by row (ch. 14).

The book's listing, unchanged:

    X = tf.placeholder(tf.float32, [None, n_steps, n_inputs])
    y = tf.placeholder(tf.int32, [None])

    basic_cell = tf.contrib.rnn.BasicRNNCell(num_units=n_neurons)
    outputs, states = tf.nn.dynamic_rnn(basic_cell, X, dtype=tf.float32)

    logits = tf.layers.dense(states, n_outputs)

Each image is a sequence of 28 rows of 28 pixels; the last state (150 units)
feeds a 10-way softmax layer.

Pitfalls: the cell's variables are `rnn/basic_rnn_cell/kernel` (shape
[n_inputs + n_neurons, n_neurons]: input and recurrent weights stacked) and
`rnn/basic_rnn_cell/bias`; for a BasicRNNCell `states` is the last output
(the script checks it). dynamic_rnn needs 3-D input: reshape the flat
784-pixel images to (-1, 28, 28) first.

Run: python -m tf1_dnn run legacy_examples/30_rnn_mnist_rows.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="RNN on MNIST rows")
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on a fifth of the training set")
args = parser.parse_args()

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

n_steps = 28
n_inputs = 28
n_neurons = 150
n_outputs = 10

learning_rate = 0.001

X = tf.placeholder(tf.float32, [None, n_steps, n_inputs])
y = tf.placeholder(tf.int32, [None])

basic_cell = tf.contrib.rnn.BasicRNNCell(num_units=n_neurons)
outputs, states = tf.nn.dynamic_rnn(basic_cell, X, dtype=tf.float32)

logits = tf.layers.dense(states, n_outputs)
xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                          logits=logits)
loss = tf.reduce_mean(xentropy)
optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate)
training_op = optimizer.minimize(loss)
correct = tf.nn.in_top_k(logits, y, 1)
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

init = tf.global_variables_initializer()

mnist = input_data.read_data_sets("/tmp/data/")
n_test = 2000 if args.quick else mnist.test.num_examples
X_test = mnist.test.images[:n_test].reshape((-1, n_steps, n_inputs))
y_test = mnist.test.labels[:n_test]

n_epochs = 1 if args.quick else args.epochs
n_train = mnist.train.num_examples // (5 if args.quick else 1)
batch_size = 150

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            X_batch = X_batch.reshape((-1, n_steps, n_inputs))
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        acc_train = accuracy.eval(feed_dict={X: X_batch, y: y_batch})
        acc_test = accuracy.eval(feed_dict={X: X_test, y: y_test})
        print(epoch, "Train accuracy:", acc_train, "Test accuracy:", acc_test)
    outputs_val, states_val = sess.run([outputs, states],
                                       feed_dict={X: X_test[:5]})

names = [(v.op.name, v.shape.as_list()) for v in tf.trainable_variables()]
assert names[:2] == [("rnn/basic_rnn_cell/kernel", [n_inputs + n_neurons, n_neurons]),
                     ("rnn/basic_rnn_cell/bias", [n_neurons])], names
assert np.array_equal(states_val, outputs_val[:, -1])  # last output == state
assert acc_test > 0.5, acc_test
print("RESULT test_accuracy=%.4f" % acc_test)
