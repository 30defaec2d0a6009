"""Reusing only the lower layers of a TensorFlow model (ch. 11).

The book's listing, unchanged:

    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES,
                                   scope="hidden[123]") # regular expression
    reuse_vars_dict = dict([(var.op.name, var) for var in reuse_vars])
    restore_saver = tf.train.Saver(reuse_vars_dict) # to restore layers 1-3

Hidden layers 1-3 are restored from the pretrained model, hidden4 and the
output layer are new. Two savers: one restricted to the reused variables (a
Saver over all variables would fail: hidden4/outputs are not in the
checkpoint), one for the new model.

Needs checkpoints/my_model_final.ckpt (from 06_gradient_clipping.py, which is
run first when the checkpoint is missing).

Run: python -m tf1_dnn run legacy_examples/08_partial_restore.py [--epochs N] [--quick]
"""
import argparse
import os
import runpy
import sys

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Partial restore")
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on a fifth of the training set")
args = parser.parse_args()

# Checkpoints go to <repo>/checkpoints/ (quick runs: checkpoints/quick/).
CKPT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "checkpoints", "quick" if args.quick else "")
os.makedirs(CKPT_DIR, exist_ok=True)
MODEL_PATH = os.path.join(CKPT_DIR, "my_model_final.ckpt")
BASE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "06_gradient_clipping.py")
if not os.path.exists(MODEL_PATH + ".index"):
    # The pretrained model is missing: train it first.
    saved_argv, sys.argv = sys.argv, [BASE_SCRIPT] + (["--quick"] if args.quick else [])
    runpy.run_path(BASE_SCRIPT, run_name="__main__")
    sys.argv = saved_argv
    tf.reset_default_graph()

mnist = input_data.read_data_sets("/tmp/data/")

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

n_epochs = 1 if args.quick else args.epochs
n_train = mnist.train.num_examples // (5 if args.quick else 1)
batch_size = 50

n_inputs = 28 * 28  # MNIST
n_hidden1 = 300 # reused
n_hidden2 = 50  # reused
n_hidden3 = 50  # reused
n_hidden4 = 20  # new!
n_outputs = 10  # new!

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")

with tf.name_scope("dnn"):
    hidden1 = tf.layers.dense(X, n_hidden1, activation=tf.nn.relu, name="hidden1") # reused
    hidden2 = tf.layers.dense(hidden1, n_hidden2, activation=tf.nn.relu, name="hidden2") # reused
    hidden3 = tf.layers.dense(hidden2, n_hidden3, activation=tf.nn.relu, name="hidden3") # reused
    hidden4 = tf.layers.dense(hidden3, n_hidden4, activation=tf.nn.relu, name="hidden4") # new!
    logits = tf.layers.dense(hidden4, n_outputs, name="outputs")                         # new!

with tf.name_scope("loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")

with tf.name_scope("eval"):
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")

learning_rate = 0.01

with tf.name_scope("train"):
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    training_op = optimizer.minimize(loss)

reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES,
                               scope="hidden[123]") # regular expression
reuse_vars_dict = dict([(var.op.name, var) for var in reuse_vars])
restore_saver = tf.train.Saver(reuse_vars_dict) # to restore layers 1-3

init = tf.global_variables_initializer()
saver = tf.train.Saver()

with tf.Session() as sess:
    init.run()
    restore_saver.restore(sess, MODEL_PATH)
    kernel1 = tf.get_default_graph().get_tensor_by_name("hidden1/kernel:0")
    kernel1_before = kernel1.eval()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        accuracy_val = accuracy.eval(feed_dict={X: mnist.validation.images,
                                                y: mnist.validation.labels})
        print(epoch, "Validation accuracy:", accuracy_val)
    kernel1_after = kernel1.eval()

    save_path = saver.save(sess, os.path.join(CKPT_DIR, "my_new_model_final.ckpt"))

assert sorted(reuse_vars_dict) == ["hidden1/bias", "hidden1/kernel", "hidden2/bias",
                                   "hidden2/kernel", "hidden3/bias", "hidden3/kernel"]
reader = tf.train.NewCheckpointReader(MODEL_PATH)
assert np.array_equal(kernel1_before, reader.get_tensor("hidden1/kernel"))  # restored
assert accuracy_val > 0.5, accuracy_val
print("RESULT validation_accuracy=%.4f" % accuracy_val)
