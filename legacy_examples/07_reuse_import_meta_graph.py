"""Reusing a TensorFlow model with import_meta_graph() (ch. 11).

The book's listing, unchanged: load the graph structure from the .meta file,
fetch the tensors and ops by name (or from a collection the author filled),
restore the weights and keep training on our data:

    saver = tf.train.import_meta_graph("./my_model_final.ckpt.meta")
    X = tf.get_default_graph().get_tensor_by_name("X:0")
    y = tf.get_default_graph().get_tensor_by_name("y:0")
    accuracy = tf.get_default_graph().get_tensor_by_name("eval/accuracy:0")
    training_op = tf.get_default_graph().get_operation_by_name("GradientDescent")

Then the notebook's second part: a new hidden layer and output layer on top of
the imported "dnn/hidden4/Relu:0".

Needs checkpoints/my_model_final.ckpt (from 06_gradient_clipping.py, which is
run first when the checkpoint is missing).

Run: python -m tf1_dnn run legacy_examples/07_reuse_import_meta_graph.py [--epochs N] [--quick]
"""
import argparse
import os
import runpy
import sys

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Reuse with import_meta_graph")
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

# --- Part 1: restore everything and continue training ----------------------
saver = tf.train.import_meta_graph(MODEL_PATH + ".meta")

if not args.quick:
    for op in tf.get_default_graph().get_operations():
        print(op.name)

X = tf.get_default_graph().get_tensor_by_name("X:0")
y = tf.get_default_graph().get_tensor_by_name("y:0")

accuracy = tf.get_default_graph().get_tensor_by_name("eval/accuracy:0")

training_op = tf.get_default_graph().get_operation_by_name("GradientDescent")

for op in (X, y, accuracy, training_op):
    tf.add_to_collection("my_important_ops", op)

X, y, accuracy, training_op = tf.get_collection("my_important_ops")

with tf.Session() as sess:
    saver.restore(sess, MODEL_PATH)
    acc_restored = accuracy.eval(feed_dict={X: mnist.validation.images,
                                            y: mnist.validation.labels})
    print("Restored validation accuracy:", acc_restored)
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        acc_valid = accuracy.eval(feed_dict={X: mnist.validation.images,
                                             y: mnist.validation.labels})
        print(epoch, "Validation accuracy:", acc_valid)
    save_path = saver.save(sess, os.path.join(CKPT_DIR, "my_new_model_final.ckpt"))

# --- Part 2: new layers on top of the imported hidden4 ---------------------
tf.reset_default_graph()

n_hidden4 = 20  # new layer
n_outputs = 10  # new layer

saver = tf.train.import_meta_graph(MODEL_PATH + ".meta")

X = tf.get_default_graph().get_tensor_by_name("X:0")
y = tf.get_default_graph().get_tensor_by_name("y:0")

hidden3 = tf.get_default_graph().get_tensor_by_name("dnn/hidden4/Relu:0")

new_hidden4 = tf.layers.dense(hidden3, n_hidden4, activation=tf.nn.relu, name="new_hidden4")
new_logits = tf.layers.dense(new_hidden4, n_outputs, name="new_outputs")

with tf.name_scope("new_loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=new_logits)
    loss = tf.reduce_mean(xentropy, name="loss")

with tf.name_scope("new_eval"):
    correct = tf.nn.in_top_k(new_logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")

learning_rate = 0.01

with tf.name_scope("new_train"):
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    training_op = optimizer.minimize(loss)

init = tf.global_variables_initializer()
new_saver = tf.train.Saver()

with tf.Session() as sess:
    init.run()
    saver.restore(sess, MODEL_PATH)
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        acc_new = accuracy.eval(feed_dict={X: mnist.validation.images,
                                           y: mnist.validation.labels})
        print(epoch, "New layers, validation accuracy:", acc_new)
    save_path = new_saver.save(sess, os.path.join(CKPT_DIR, "my_new_model_final2.ckpt"))

assert acc_restored > 0.5, acc_restored   # the restored model works as saved
assert acc_valid > 0.5, acc_valid
assert acc_new > 0.5, acc_new
print("RESULT restored=%.4f continued=%.4f new_layers=%.4f"
      % (acc_restored, acc_valid, acc_new))
