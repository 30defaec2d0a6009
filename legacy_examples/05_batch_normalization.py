"""Batch Normalization (ch. 11, "Implementing Batch Normalization with TensorFlow").

The book's listing, unchanged: `tf.layers.batch_normalization` after each
dense layer (no activation in the dense layer), `functools.partial` to avoid
repetition, a `training` placeholder that defaults to False, and the moving
averages updated by running the ops of the `UPDATE_OPS` collection with each
training step:

    extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    sess.run([training_op, extra_update_ops], feed_dict={training: True, ...})

Pitfall (TF 1.x): forget the UPDATE_OPS and the moving mean/variance never
move, so inference (training=False) uses mean 0 / variance 1. The script checks
that they moved.

Run: python -m tf1_dnn run legacy_examples/05_batch_normalization.py [--epochs N] [--quick]
"""
import argparse
import os
from functools import partial

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Batch normalization")
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on a fifth of the training set")
args = parser.parse_args()

# Checkpoints go to <repo>/checkpoints/ (quick runs: checkpoints/quick/).
CKPT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "checkpoints", "quick" if args.quick else "")
os.makedirs(CKPT_DIR, exist_ok=True)

mnist = input_data.read_data_sets("/tmp/data/")

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

n_inputs = 28 * 28
n_hidden1 = 300
n_hidden2 = 100
n_outputs = 10

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")

training = tf.placeholder_with_default(False, shape=(), name='training')

my_batch_norm_layer = partial(tf.layers.batch_normalization,
                              training=training, momentum=0.9)

hidden1 = tf.layers.dense(X, n_hidden1, name="hidden1")
bn1 = my_batch_norm_layer(hidden1)
bn1_act = tf.nn.elu(bn1)
hidden2 = tf.layers.dense(bn1_act, n_hidden2, name="hidden2")
bn2 = my_batch_norm_layer(hidden2)
bn2_act = tf.nn.elu(bn2)
logits_before_bn = tf.layers.dense(bn2_act, n_outputs, name="outputs")
logits = my_batch_norm_layer(logits_before_bn)

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
saver = tf.train.Saver()

n_epochs = 1 if args.quick else args.epochs
n_train = mnist.train.num_examples // (5 if args.quick else 1)
batch_size = 200

extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
moving_mean = tf.get_default_graph().get_tensor_by_name(
    "batch_normalization/moving_mean:0")

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run([training_op, extra_update_ops],
                     feed_dict={training: True, X: X_batch, y: y_batch})
        accuracy_val = accuracy.eval(feed_dict={X: mnist.test.images,
                                                y: mnist.test.labels})
        print(epoch, "Test accuracy:", accuracy_val)
    moving_mean_val = moving_mean.eval()

    save_path = saver.save(sess, os.path.join(CKPT_DIR, "my_model_final_bn.ckpt"))

# 3 batch-norm layers x 2 moving averages (mean, variance) = 6 update ops.
assert len(extra_update_ops) == 6, extra_update_ops
assert np.abs(moving_mean_val).max() > 0.0, "moving mean never moved"
assert accuracy_val > 0.5, accuracy_val
print("RESULT test_accuracy=%.4f" % accuracy_val)
