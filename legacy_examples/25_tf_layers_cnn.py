"""Chapter 13 exercise style: a tf.layers CNN on MNIST with dropout and early stopping.

conv1 (32 3x3 maps, stride 1, SAME, ReLU) -> conv2 (64 3x3 maps, SAME, ReLU)
-> pool3 (2x2 max pooling, VALID) -> dropout 0.25 -> fc1 (128 ReLU) -> dropout
0.5 -> 10 logits, Adam, written as the book's chapter 13 exercise solution
wrote it (`tf.layers.conv2d`, `tf.layers.max_pooling2d`, `tf.layers.dropout`
with a `training` placeholder, `tf.placeholder_with_default`). Early stopping
evaluates the validation loss every `check_interval` iterations, keeps the
best parameters in memory (`get_model_params`) and puts them back at the end
through the variables' `Assign` ops (`restore_model_params`).

Pitfalls kept from TF 1.x:
- `tf.layers.dropout` does nothing unless `training=True` is fed: the
  `training` placeholder defaults to False, so evaluation needs no feed.
- `padding="SAME"` or `"same"`: both work (case-insensitive).
- 2x2 max pooling with VALID padding halves 28x28 to 14x14, hence
  `pool3_fmaps * 14 * 14` in the reshape.

The data fall back to Fashion-MNIST when there is no MNIST (accuracy lower than
the book's ~99% on MNIST).

Run: python -m tf1_dnn run legacy_examples/25_tf_layers_cnn.py [--epochs N] [--quick]
"""
import argparse
import os

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Chapter 13 CNN exercise")
parser.add_argument("--epochs", type=int, default=1000,
                    help="maximum number of epochs (early stopping ends sooner)")
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on 2,000 images (a few seconds)")
args = parser.parse_args()

CKPT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "checkpoints", "quick" if args.quick else "")
os.makedirs(CKPT_DIR, exist_ok=True)

mnist = input_data.read_data_sets("/tmp/data/")
X_train, y_train = mnist.train.images, mnist.train.labels.astype(np.int32)
X_valid, y_valid = mnist.validation.images, mnist.validation.labels.astype(np.int32)
X_test, y_test = mnist.test.images, mnist.test.labels.astype(np.int32)
if args.quick:
    X_train, y_train = X_train[:2000], y_train[:2000]
    X_valid, y_valid = X_valid[:500], y_valid[:500]
    X_test, y_test = X_test[:1000], y_test[:1000]

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

height = 28
width = 28
channels = 1
n_inputs = height * width

conv1_fmaps = 32
conv1_ksize = 3
conv1_stride = 1
conv1_pad = "SAME"

conv2_fmaps = 64
conv2_ksize = 3
conv2_stride = 1
conv2_pad = "SAME"
conv2_dropout_rate = 0.25

pool3_fmaps = conv2_fmaps

n_fc1 = 128
fc1_dropout_rate = 0.5

n_outputs = 10

with tf.name_scope("inputs"):
    X = tf.placeholder(tf.float32, shape=[None, n_inputs], name="X")
    X_reshaped = tf.reshape(X, shape=[-1, height, width, channels])
    y = tf.placeholder(tf.int32, shape=[None], name="y")
    training = tf.placeholder_with_default(False, shape=[], name="training")

conv1 = tf.layers.conv2d(X_reshaped, filters=conv1_fmaps, kernel_size=conv1_ksize,
                         strides=conv1_stride, padding=conv1_pad,
                         activation=tf.nn.relu, name="conv1")
conv2 = tf.layers.conv2d(conv1, filters=conv2_fmaps, kernel_size=conv2_ksize,
                         strides=conv2_stride, padding=conv2_pad,
                         activation=tf.nn.relu, name="conv2")

with tf.name_scope("pool3"):
    pool3 = tf.layers.max_pooling2d(conv2, pool_size=2, strides=2, padding="VALID")
    pool3_flat = tf.reshape(pool3, shape=[-1, pool3_fmaps * 14 * 14])
    pool3_flat_drop = tf.layers.dropout(pool3_flat, conv2_dropout_rate, training=training)

with tf.name_scope("fc1"):
    fc1 = tf.layers.dense(pool3_flat_drop, n_fc1, activation=tf.nn.relu, name="fc1")
    fc1_drop = tf.layers.dropout(fc1, fc1_dropout_rate, training=training)

with tf.name_scope("output"):
    logits = tf.layers.dense(fc1_drop, n_outputs, name="output")
    Y_proba = tf.nn.softmax(logits, name="Y_proba")

with tf.name_scope("train"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(logits=logits, labels=y)
    loss = tf.reduce_mean(xentropy)
    optimizer = tf.train.AdamOptimizer()
    training_op = optimizer.minimize(loss)

with tf.name_scope("eval"):
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

with tf.name_scope("init_and_save"):
    init = tf.global_variables_initializer()
    saver = tf.train.Saver()


def get_model_params():
    gvars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
    return {gvar.op.name: value for gvar, value in
            zip(gvars, tf.get_default_session().run(gvars))}


def restore_model_params(model_params):
    gvar_names = list(model_params.keys())
    assign_ops = {gvar_name: tf.get_default_graph().get_operation_by_name(gvar_name + "/Assign")
                  for gvar_name in gvar_names}
    init_values = {gvar_name: assign_op.inputs[1] for gvar_name, assign_op in assign_ops.items()}
    feed_dict = {init_values[gvar_name]: model_params[gvar_name] for gvar_name in gvar_names}
    tf.get_default_session().run(assign_ops, feed_dict=feed_dict)


def shuffle_batch(X, y, batch_size):
    rnd_idx = np.random.permutation(len(X))
    n_batches = len(X) // batch_size
    for batch_idx in np.array_split(rnd_idx, n_batches):
        X_batch, y_batch = X[batch_idx], y[batch_idx]
        yield X_batch, y_batch


n_epochs = 1 if args.quick else args.epochs
batch_size = 50
iteration = 0

best_loss_val = np.inf
check_interval = 10 if args.quick else 500
checks_since_last_progress = 0
max_checks_without_progress = 20
best_model_params = None

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for X_batch, y_batch in shuffle_batch(X_train, y_train, batch_size):
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch, training: True})
            iteration += 1
            if iteration % check_interval == 0:
                loss_val = loss.eval(feed_dict={X: X_valid, y: y_valid})
                if loss_val < best_loss_val:
                    best_loss_val = loss_val
                    checks_since_last_progress = 0
                    best_model_params = get_model_params()
                else:
                    checks_since_last_progress += 1
        acc_batch = accuracy.eval(feed_dict={X: X_batch, y: y_batch})
        acc_val = accuracy.eval(feed_dict={X: X_valid, y: y_valid})
        print("Epoch {}, last batch accuracy: {:.4f}%, valid. accuracy: {:.4f}%, "
              "valid. best loss: {:.6f}".format(epoch, acc_batch * 100, acc_val * 100,
                                                best_loss_val))
        if checks_since_last_progress > max_checks_without_progress:
            print("Early stopping!")
            break

    if best_model_params:
        restore_model_params(best_model_params)
    best_again = loss.eval(feed_dict={X: X_valid, y: y_valid})
    acc_test = accuracy.eval(feed_dict={X: X_test, y: y_test})
    print("Final accuracy on test set:", acc_test)
    save_path = saver.save(sess, os.path.join(CKPT_DIR, "my_mnist_cnn_model"))

# The graph is TF 1.x's: variables in the layer scopes, ops in the name scopes.
names = [v.op.name for v in tf.trainable_variables()]
assert names == ["conv1/kernel", "conv1/bias", "conv2/kernel", "conv2/bias",
                 "fc1/kernel", "fc1/bias", "output/kernel", "output/bias"], names
assert pool3.op.name == "pool3/max_pooling2d/MaxPool", pool3.op.name
assert conv2.shape.as_list() == [None, 28, 28, 64]
assert pool3.shape.as_list() == [None, 14, 14, 64]
# Early stopping put the best parameters back: the validation loss is the best one seen.
assert best_model_params is not None
assert abs(best_again - best_loss_val) <= 1e-4 * max(1.0, best_loss_val), (best_again, best_loss_val)
assert acc_test > 0.5, acc_test   # 10 classes: chance is 0.1
print("RESULT test_accuracy=%.4f" % acc_test)
