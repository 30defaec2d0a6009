"""A convolutional autoencoder with `tf.layers.conv2d_transpose` (TF 1.x code,
unchanged).

The usual TF 1.x listing (strided convolutions down, transposed
convolutions back up):

    conv1 = tf.layers.conv2d(X_img, 16, 3, strides=2, padding="same",
                             activation=tf.nn.relu, name="conv1")   # 14x14x16
    conv2 = tf.layers.conv2d(conv1, 8, 3, strides=2, padding="same",
                             activation=tf.nn.relu, name="conv2")   #  7x7x8
    deconv1 = tf.layers.conv2d_transpose(conv2, 16, 3, strides=2,
                                         padding="same", activation=tf.nn.relu,
                                         name="deconv1")            # 14x14x16
    logits = tf.layers.conv2d_transpose(deconv1, 1, 3, strides=2,
                                        padding="same", name="deconv2")  # 28x28x1
    outputs = tf.sigmoid(logits)
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=X_img,
                                                                  logits=logits))

Pitfalls (TF 1.x): `conv2d_transpose` with `padding="same"` multiplies the
size by the stride, so 7 -> 14 -> 28 comes back exactly; with "valid" it is
`(n - 1) * stride + kernel` (7 -> 15). Its kernel is
`[height, width, out_channels, in_channels]` -- the reverse of `conv2d`'s
last two axes. The script checks both, and that the reconstructions explain
far more pixel variance than the mean image does.

Run: python -m tf1_dnn run legacy_examples/27_conv_autoencoder.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Convolutional autoencoder")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on 3,000 training images")
args = parser.parse_args()

mnist = input_data.read_data_sets("/tmp/data/")

np.random.seed(42)
tf.set_random_seed(42)

n_epochs = 1 if args.quick else args.epochs
n_train = 3000 if args.quick else mnist.train.num_examples
n_valid = 1000 if args.quick else mnist.validation.num_examples
batch_size = 50
learning_rate = 0.01

X = tf.placeholder(tf.float32, shape=(None, 28 * 28), name="X")
X_img = tf.reshape(X, [-1, 28, 28, 1])

with tf.name_scope("autoencoder"):
    conv1 = tf.layers.conv2d(X_img, 16, 3, strides=2, padding="same",
                             activation=tf.nn.relu, name="conv1")
    conv2 = tf.layers.conv2d(conv1, 8, 3, strides=2, padding="same",
                             activation=tf.nn.relu, name="conv2")
    deconv1 = tf.layers.conv2d_transpose(conv2, 16, 3, strides=2, padding="same",
                                         activation=tf.nn.relu, name="deconv1")
    logits = tf.layers.conv2d_transpose(deconv1, 1, 3, strides=2, padding="same",
                                        name="deconv2")
    outputs = tf.sigmoid(logits)
    valid_padding = tf.layers.conv2d_transpose(conv2, 1, 3, strides=2,
                                               padding="valid", name="valid_deconv")

with tf.name_scope("loss"):
    xentropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=X_img, logits=logits)
    loss = tf.reduce_mean(xentropy)
    mse = tf.reduce_mean(tf.square(outputs - X_img))

with tf.name_scope("train"):
    optimizer = tf.train.AdamOptimizer(learning_rate)
    training_op = optimizer.minimize(loss)

init = tf.global_variables_initializer()
X_valid = mnist.validation.images[:n_valid]

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, _ = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch})
        mse_val = mse.eval(feed_dict={X: X_valid})
        print(epoch, "Validation reconstruction MSE:", mse_val)
    kernel = tf.get_default_graph().get_tensor_by_name("deconv1/kernel:0")
    kernel_shape = kernel.shape.as_list()
    out_shape = outputs.eval(feed_dict={X: X_valid[:2]}).shape
    valid_shape = valid_padding.eval(feed_dict={X: X_valid[:2]}).shape

baseline_mse = np.mean((X_valid - mnist.train.images[:n_train].mean(axis=0)) ** 2)
variance_explained = 1 - mse_val / baseline_mse

assert conv2.shape.as_list() == [None, 7, 7, 8]             # the code: 7x7x8
assert out_shape == (2, 28, 28, 1)                           # same padding: x2, x2
assert valid_shape == (2, 15, 15, 1)                         # (7 - 1) * 2 + 3
assert kernel_shape == [3, 3, 16, 8]                         # [h, w, out, in]
assert variance_explained > 0.5, (mse_val, baseline_mse)
print("RESULT variance_explained=%.4f" % variance_explained)
