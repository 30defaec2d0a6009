"""A deep LSTM with dropout on MNIST rows (ch. 14).

The book's listings, unchanged (LSTM cells, and dropout between layers):

    keep_prob = tf.placeholder_with_default(1.0, shape=())
    lstm_cells = [tf.contrib.rnn.BasicLSTMCell(num_units=n_neurons)
                  for layer in range(n_layers)]
    cells_drop = [tf.contrib.rnn.DropoutWrapper(cell, input_keep_prob=keep_prob)
                  for cell in lstm_cells]
    multi_cell = tf.contrib.rnn.MultiRNNCell(cells_drop)
    outputs, states = tf.nn.dynamic_rnn(multi_cell, X, dtype=tf.float32)
    top_layer_h_state = states[-1][1]
    logits = tf.layers.dense(top_layer_h_state, n_outputs, name="softmax")

Pitfalls: `states` holds one `LSTMStateTuple(c, h)` per layer, so
`states[-1][1]` is the top layer's h (== its last output); the dropout
wrapper takes a *keep* probability and is always on unless keep_prob is fed
1.0 (here: the default); it never drops the c state. The variables are
`rnn/multi_rnn_cell/cell_<k>/basic_lstm_cell/kernel` -- the wrapper adds no
scope. One cell object per layer: `[cell] * n_layers` would share one kernel.

Run: python -m tf1_dnn run legacy_examples/31_multi_lstm_dropout.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Multi-layer LSTM with dropout")
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on a fifth of the training set")
args = parser.parse_args()

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

n_steps = 28
n_inputs = 28
n_neurons = 150
n_outputs = 10
n_layers = 3

learning_rate = 0.001

X = tf.placeholder(tf.float32, [None, n_steps, n_inputs])
y = tf.placeholder(tf.int32, [None])

keep_prob = tf.placeholder_with_default(1.0, shape=())
lstm_cells = [tf.contrib.rnn.BasicLSTMCell(num_units=n_neurons)
              for layer in range(n_layers)]
cells_drop = [tf.contrib.rnn.DropoutWrapper(cell, input_keep_prob=keep_prob)
              for cell in lstm_cells]
multi_cell = tf.contrib.rnn.MultiRNNCell(cells_drop)
outputs, states = tf.nn.dynamic_rnn(multi_cell, X, dtype=tf.float32)
top_layer_h_state = states[-1][1]
logits = tf.layers.dense(top_layer_h_state, n_outputs, name="softmax")
xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
loss = tf.reduce_mean(xentropy, name="loss")
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
train_keep_prob = 0.5 if args.quick else 0.8

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            X_batch = X_batch.reshape((batch_size, n_steps, n_inputs))
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch,
                                             keep_prob: train_keep_prob})
        acc_train = accuracy.eval(feed_dict={X: X_batch, y: y_batch})
        acc_test = accuracy.eval(feed_dict={X: X_test, y: y_test})
        print(epoch, "Train accuracy:", acc_train, "Test accuracy:", acc_test)
    sample = {X: X_test[:20]}
    h_test_1 = top_layer_h_state.eval(feed_dict=sample)
    h_test_2 = top_layer_h_state.eval(feed_dict=sample)
    h_train = top_layer_h_state.eval(feed_dict={X: X_test[:20], keep_prob: 0.5})
    last_output = outputs[:, -1].eval(feed_dict=sample)

names = [v.op.name for v in tf.trainable_variables()]
assert names[:2 * n_layers] == [
    "rnn/multi_rnn_cell/cell_%d/basic_lstm_cell/%s" % (k, w)
    for k in range(n_layers) for w in ("kernel", "bias")], names
assert np.array_equal(h_test_1, h_test_2)        # keep_prob 1.0: no dropout
assert not np.array_equal(h_test_1, h_train)     # fed 0.5: dropout is on
assert np.array_equal(h_test_1, last_output)     # top h == last output
assert acc_test > 0.5, acc_test
print("RESULT test_accuracy=%.4f" % acc_test)
