"""Reusing models from other frameworks (ch. 11).

The book's listing, unchanged: the weights come from elsewhere (here two
literal arrays), and are fed into the *initializer inputs* of the variables'
Assign ops when running the init op -- no new nodes needed:

    assign_kernel = graph.get_operation_by_name("hidden1/kernel/Assign")
    assign_bias = graph.get_operation_by_name("hidden1/bias/Assign")
    init_kernel = assign_kernel.inputs[1]
    init_bias = assign_bias.inputs[1]
    sess.run(init, feed_dict={init_kernel: original_w, init_bias: original_b})

Then the notebook's alternative: dedicated placeholders and tf.assign() ops.
This relies on TF 1.x reference variables (`<name>/Assign` ops), which
`tf1_dnn` gives (TF 2 resource variables name it `AssignVariableOp`).

Run: python -m tf1_dnn run legacy_examples/09_reuse_other_framework.py [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf

parser = argparse.ArgumentParser(description="Reuse weights from another framework")
parser.add_argument("--epochs", type=int, default=1, help="(unused: no training)")
parser.add_argument("--quick", action="store_true", help="(same as the full run)")
args = parser.parse_args()

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

n_inputs = 2
n_hidden1 = 3

original_w = [[1., 2., 3.], [4., 5., 6.]] # Load the weights from the other framework
original_b = [7., 8., 9.]                 # Load the biases from the other framework

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
hidden1 = tf.layers.dense(X, n_hidden1, activation=tf.nn.relu, name="hidden1")
# [...] Build the rest of the model

# Get a handle on the assignment nodes for the hidden1 variables
graph = tf.get_default_graph()
assign_kernel = graph.get_operation_by_name("hidden1/kernel/Assign")
assign_bias = graph.get_operation_by_name("hidden1/bias/Assign")
init_kernel = assign_kernel.inputs[1]
init_bias = assign_bias.inputs[1]

init = tf.global_variables_initializer()

with tf.Session() as sess:
    sess.run(init, feed_dict={init_kernel: original_w, init_bias: original_b})
    # [...] Train the model on your new task
    out1 = hidden1.eval(feed_dict={X: [[10.0, 11.0]]})  # not shown in the book
    print(out1)

# --- The notebook's alternative: placeholders and assign ops ---------------
tf.reset_default_graph()

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
hidden1 = tf.layers.dense(X, n_hidden1, activation=tf.nn.relu, name="hidden1")
# [...] Build the rest of the model

# Get a handle on the variables of layer hidden1
with tf.variable_scope("", default_name="", reuse=True):  # root scope
    hidden1_weights = tf.get_variable("hidden1/kernel")
    hidden1_biases = tf.get_variable("hidden1/bias")

# Create dedicated placeholders and assignment nodes
original_weights = tf.placeholder(tf.float32, shape=(n_inputs, n_hidden1))
original_biases = tf.placeholder(tf.float32, shape=n_hidden1)
assign_hidden1_weights = tf.assign(hidden1_weights, original_weights)
assign_hidden1_biases = tf.assign(hidden1_biases, original_biases)

init = tf.global_variables_initializer()

with tf.Session() as sess:
    sess.run(init)
    sess.run(assign_hidden1_weights, feed_dict={original_weights: original_w})
    sess.run(assign_hidden1_biases, feed_dict={original_biases: original_b})
    # [...] Train the model on your new task
    out2 = hidden1.eval(feed_dict={X: [[10.0, 11.0]]})
    print(out2)

# relu([10, 11] @ W + b) = [10*1 + 11*4 + 7, 10*2 + 11*5 + 8, 10*3 + 11*6 + 9]
expected = np.maximum(np.dot([[10.0, 11.0]], original_w) + original_b, 0)
assert np.allclose(expected, [[61., 83., 105.]])
assert np.allclose(out1, expected), out1
assert np.allclose(out2, expected), out2
print("RESULT hidden1=%s" % out1.tolist())
