"""Adam optimization (ch. 11, "Faster Optimizers").

The book's listing, unchanged:

    optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate)

m <- beta1 m + (1 - beta1) grad; s <- beta2 s + (1 - beta2) grad^2;
m_hat = m / (1 - beta1^t); s_hat = s / (1 - beta2^t); theta -= eta m_hat / (sqrt(s_hat) + eps)
(TF's epsilon-hat form), beta1=0.9, beta2=0.999, eps=1e-8,
trained on the chapter's 300-100 ReLU network.

Run: python -m tf1_dnn run legacy_examples/17_adam_optimizer.py [--epochs N] [--quick]
"""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Adam optimization")
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

optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate)
training_op = optimizer.minimize(loss)

init = tf.global_variables_initializer()

n_epochs = 1 if args.quick else args.epochs
n_train = mnist.train.num_examples // (5 if args.quick else 1)
batch_size = 50

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for iteration in range(n_train // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        acc_valid = accuracy.eval(feed_dict={X: mnist.validation.images,
                                             y: mnist.validation.labels})
        print(epoch, "Validation accuracy:", acc_valid)
    slot_names = sorted(optimizer.get_slot_names())
    output_bias = [v for v in tf.global_variables() if v.op.name == "outputs/bias"][0]

assert slot_names == ["m", "v"], slot_names
assert acc_valid > 0.5, acc_valid
print("RESULT validation_accuracy=%.4f" % acc_valid)
