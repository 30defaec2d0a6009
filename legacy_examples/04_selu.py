"""Nonsaturating activation functions: SELU (ch. 11, notebook version).

The notebook's listing, unchanged: SELU defined by hand (TensorFlow 1.4 added
`tf.nn.selu`), with the inputs standardized -- SELU's self-normalization only
holds for inputs with mean 0 and standard deviation 1 and LeCun-initialized
weights (`tf.layers.dense`'s default is Glorot uniform; the notebook kept it).

    selu(z) = scale * (z if z >= 0 else alpha * (exp(z) - 1))
    scale = 1.0507..., alpha = 1.6732...

Run: python -m tf1_dnn run legacy_examples/04_selu.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="SELU")
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on a fifth of the training set")
args = parser.parse_args()

mnist = input_data.read_data_sets("/tmp/data/")

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)


def selu(z,
         scale=1.0507009873554804934193349852946,
         alpha=1.6732632423543772848170429916717):
    return scale * tf.where(z >= 0.0, z, alpha * tf.nn.elu(z))


n_inputs = 28 * 28  # MNIST
n_hidden1 = 300
n_hidden2 = 100
n_outputs = 10

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")

with tf.name_scope("dnn"):
    hidden1 = tf.layers.dense(X, n_hidden1, activation=selu, name="hidden1")
    hidden2 = tf.layers.dense(hidden1, n_hidden2, activation=selu, name="hidden2")
    logits = tf.layers.dense(hidden2, n_outputs, name="outputs")

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

n_epochs = 1 if args.quick else args.epochs
n_train = mnist.train.num_examples // (5 if args.quick else 1)
batch_size = 50

means = mnist.train.images.mean(axis=0, keepdims=True)
stds = mnist.train.images.std(axis=0, keepdims=True) + 1e-10
X_val_scaled = (mnist.validation.images - means) / stds

z = np.linspace(-3, 3, 7).astype(np.float32)
with tf.Session() as sess:
    init.run()
    selu_vals = selu(tf.constant(z)).eval()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            X_batch_scaled = (X_batch - means) / stds
            sess.run(training_op, feed_dict={X: X_batch_scaled, y: y_batch})
        if epoch % 5 == 0 or epoch == n_epochs - 1:
            acc_batch = accuracy.eval(feed_dict={X: X_batch_scaled, y: y_batch})
            acc_valid = accuracy.eval(feed_dict={X: X_val_scaled, y: mnist.validation.labels})
            print(epoch, "Batch accuracy:", acc_batch, "Validation accuracy:", acc_valid)

expected = 1.0507009873554805 * np.where(z >= 0, z, 1.6732632423543772 * (np.exp(z) - 1))
assert np.allclose(selu_vals, expected, atol=1e-5), selu_vals
assert acc_valid > 0.5, acc_valid
print("RESULT validation_accuracy=%.4f" % acc_valid)
