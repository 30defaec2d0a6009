"""Exercise 8.1 (ch. 11): a 5x100 ELU DNN, He initialization, Adam, early stopping.

"Build a DNN with five hidden layers of 100 neurons each, He initialization,
and the ELU activation function. Using Adam optimization and early stopping,
try training it on MNIST but only on digits 0 to 4 [...] You will need a
softmax output layer with five neurons [...] save checkpoints at regular
intervals and save the final model so you can reuse it later."

The book's solution, unchanged -- including its pitfall: it names
`tf.variance_scaling_initializer()` "he_init", but without arguments that is
LeCun (scale 1.0), not He (scale 2.0); TF 1.x behaved the same.

Early stopping: after each epoch the validation loss is measured; the best
model is saved (checkpoints/my_mnist_model_0_to_4.ckpt), training stops after
20 epochs without progress, and the best model is restored for the test.
Exercise 9 reuses this model (it runs this script first when it is missing).

Run: python -m tf1_dnn run legacy_examples/exercise_08_1_dnn_adam_early_stopping.py [--epochs N] [--quick]
"""
import argparse
import os

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Exercise 8.1")
parser.add_argument("--epochs", type=int, default=1000,
                    help="maximum number of epochs (early stopping ends sooner)")
parser.add_argument("--quick", action="store_true",
                    help="1 epoch (exercise 9 builds on it)")
args = parser.parse_args()

# Checkpoints go to <repo>/checkpoints/ (quick runs: checkpoints/quick/).
CKPT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "checkpoints", "quick" if args.quick else "")
os.makedirs(CKPT_DIR, exist_ok=True)

mnist = input_data.read_data_sets("/tmp/data/")

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

he_init = tf.variance_scaling_initializer()


def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None,
        activation=tf.nn.elu, initializer=he_init):
    with tf.variable_scope(name, "dnn"):
        for layer in range(n_hidden_layers):
            inputs = tf.layers.dense(inputs, n_neurons, activation=activation,
                                     kernel_initializer=initializer,
                                     name="hidden%d" % (layer + 1))
        return inputs


n_inputs = 28 * 28 # MNIST
n_outputs = 5

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")

dnn_outputs = dnn(X)

logits = tf.layers.dense(dnn_outputs, n_outputs, kernel_initializer=he_init, name="logits")
Y_proba = tf.nn.softmax(logits, name="Y_proba")

learning_rate = 0.01

xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
loss = tf.reduce_mean(xentropy, name="loss")

optimizer = tf.train.AdamOptimizer(learning_rate)
training_op = optimizer.minimize(loss, name="training_op")

correct = tf.nn.in_top_k(logits, y, 1)
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")

init = tf.global_variables_initializer()
saver = tf.train.Saver()

X_train1 = mnist.train.images[mnist.train.labels < 5]
y_train1 = mnist.train.labels[mnist.train.labels < 5]
X_valid1 = mnist.validation.images[mnist.validation.labels < 5]
y_valid1 = mnist.validation.labels[mnist.validation.labels < 5]
X_test1 = mnist.test.images[mnist.test.labels < 5]
y_test1 = mnist.test.labels[mnist.test.labels < 5]
n_epochs = 1 if args.quick else args.epochs
batch_size = 20

max_checks_without_progress = 20
checks_without_progress = 0
best_loss = np.inf
model_path = os.path.join(CKPT_DIR, "my_mnist_model_0_to_4.ckpt")

with tf.Session() as sess:
    init.run()

    for epoch in range(n_epochs):
        rnd_idx = np.random.permutation(len(X_train1))
        for rnd_indices in np.array_split(rnd_idx, len(X_train1) // batch_size):
            X_batch, y_batch = X_train1[rnd_indices], y_train1[rnd_indices]
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        loss_val, acc_val = sess.run([loss, accuracy], feed_dict={X: X_valid1, y: y_valid1})
        if loss_val < best_loss:
            save_path = saver.save(sess, model_path)
            best_loss = loss_val
            checks_without_progress = 0
        else:
            checks_without_progress += 1
            if checks_without_progress > max_checks_without_progress:
                print("Early stopping!")
                break
        print("{}\tValidation loss: {:.6f}\tBest loss: {:.6f}\tAccuracy: {:.2f}%".format(
            epoch, loss_val, best_loss, acc_val * 100))

with tf.Session() as sess:
    saver.restore(sess, model_path)
    acc_test = accuracy.eval(feed_dict={X: X_test1, y: y_test1})
    print("Final test accuracy: {:.2f}%".format(acc_test * 100))

assert set(np.unique(y_test1)) == {0, 1, 2, 3, 4}
assert acc_test > 0.5, acc_test   # 5 classes: chance is 0.2
print("RESULT test_accuracy=%.4f" % acc_test)
