"""Exercise 10 (ch. 11): pretraining on an auxiliary task.

"10.1 [...] build two DNNs (let's call them DNN A and B), both similar to the
one you built earlier but without the output layer: each DNN should have five
hidden layers of 100 neurons each, He initialization, and ELU activation. Next,
add one more hidden layer with 10 units on top of both DNNs [...] then an
output layer with a single neuron using the logistic activation function.
10.2 Split the MNIST training set in two sets: split #1 should containing
55,000 images, and split #2 should contain contain 5,000 images. Create a
function that generates a training batch where each instance is a pair of MNIST
images picked from split #1. Half of the training instances should be pairs of
images that belong to the same class, while the other half should be images
from different classes. [...] 10.3 Now create a new DNN by reusing and freezing
the hidden layers of DNN A and adding a softmax output layer on top with 10
neurons. Train this network on split #2 and see if you can achieve high
performance despite having only 500 images per class."

The book's solution, unchanged in substance (Nesterov momentum 0.95, batches
of 500 pairs, DNN_A restored with a Saver over its variables only, frozen with
`tf.stop_gradient`), plus the same small network trained from scratch for
comparison. Here split #1 is mnist.train (55,000) and split #2 the 5,000
validation images; the test set scores both.

Quick mode: 1 pretraining epoch (110 batches of 500 pairs), 5 epochs on split #2.

Run: python -m tf1_dnn run legacy_examples/exercise_10_pretraining_auxiliary_task.py [--epochs N] [--quick]
"""
import argparse
import os

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Exercise 10")
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--quick", action="store_true",
                    help="1 pretraining epoch, 5 epochs on split #2")
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


X_train1 = mnist.train.images
y_train1 = mnist.train.labels
X_train2 = mnist.validation.images
y_train2 = mnist.validation.labels
X_test = mnist.test.images
y_test = mnist.test.labels

# --- 10.1: the pair network ---------------------------------------------------
n_inputs = 28 * 28 # MNIST

X = tf.placeholder(tf.float32, shape=(None, 2, n_inputs), name="X")
X1, X2 = tf.unstack(X, axis=1)
y = tf.placeholder(tf.int32, shape=[None, 1])

dnn1 = dnn(X1, name="DNN_A")
dnn2 = dnn(X2, name="DNN_B")

dnn_outputs = tf.concat([dnn1, dnn2], axis=1)

hidden = tf.layers.dense(dnn_outputs, units=10, activation=tf.nn.elu, kernel_initializer=he_init)
logits = tf.layers.dense(hidden, units=1, kernel_initializer=he_init)
y_proba = tf.nn.sigmoid(logits)

y_pred = tf.cast(tf.greater_equal(logits, 0), tf.int32)

y_as_float = tf.cast(y, tf.float32)
xentropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=y_as_float, logits=logits)
loss = tf.reduce_mean(xentropy)

learning_rate = 0.01
momentum = 0.95

optimizer = tf.train.MomentumOptimizer(learning_rate, momentum, use_nesterov=True)
training_op = optimizer.minimize(loss)

y_pred_correct = tf.equal(y_pred, y)
accuracy = tf.reduce_mean(tf.cast(y_pred_correct, tf.float32))

init = tf.global_variables_initializer()
saver = tf.train.Saver()


# --- 10.2: batches of pairs, half same class, half different -----------------
def generate_batch(images, labels, batch_size):
    size1 = batch_size // 2
    size2 = batch_size - size1
    if size1 != size2 and np.random.rand() > 0.5:
        size1, size2 = size2, size1
    X = []
    y = []
    while len(X) < size1:
        rnd_idx1, rnd_idx2 = np.random.randint(0, len(images), 2)
        if rnd_idx1 != rnd_idx2 and labels[rnd_idx1] == labels[rnd_idx2]:
            X.append(np.array([images[rnd_idx1], images[rnd_idx2]]))
            y.append([1])
    while len(X) < batch_size:
        rnd_idx1, rnd_idx2 = np.random.randint(0, len(images), 2)
        if labels[rnd_idx1] != labels[rnd_idx2]:
            X.append(np.array([images[rnd_idx1], images[rnd_idx2]]))
            y.append([0])
    rnd_indices = np.random.permutation(batch_size)
    return np.array(X)[rnd_indices], np.array(y)[rnd_indices]


X_batch, y_batch = generate_batch(X_train1, y_train1, batch_size=5)
assert X_batch.shape == (5, 2, 784) and y_batch.shape == (5, 1)
X_test1, y_test1 = generate_batch(X_test, y_test, batch_size=len(X_test) // (5 if args.quick else 1))

n_epochs = 1 if args.quick else args.epochs
batch_size = 500
n_iterations = len(X_train1) // batch_size
pretrained_path = os.path.join(CKPT_DIR, "my_digit_comparison_model.ckpt")

with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        for iteration in range(n_iterations):
            X_batch, y_batch = generate_batch(X_train1, y_train1, batch_size)
            loss_val, _ = sess.run([loss, training_op], feed_dict={X: X_batch, y: y_batch})
        print(epoch, "Train loss:", loss_val)
        if epoch % 5 == 0 or epoch == n_epochs - 1:
            acc_pairs = accuracy.eval(feed_dict={X: X_test1, y: y_test1})
            print(epoch, "Test accuracy (same/different):", acc_pairs)

    save_path = saver.save(sess, pretrained_path)

# --- 10.3: reuse DNN_A frozen, softmax on top, train on split #2 -------------
n_epochs = 5 if args.quick else args.epochs
batch_size = 50
n_outputs = 10
results = {}

for pretrained in (False, True):
    tf.reset_default_graph()
    np.random.seed(42)
    tf.set_random_seed(42)

    X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
    y = tf.placeholder(tf.int32, shape=(None), name="y")

    dnn_outputs = dnn(X, name="DNN_A")
    frozen_outputs = tf.stop_gradient(dnn_outputs) if pretrained else dnn_outputs

    logits = tf.layers.dense(frozen_outputs, n_outputs, kernel_initializer=he_init)
    Y_proba = tf.nn.softmax(logits)

    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")

    optimizer = tf.train.MomentumOptimizer(learning_rate, momentum, use_nesterov=True)
    training_op = optimizer.minimize(loss)

    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

    init = tf.global_variables_initializer()

    dnn_A_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="DNN_A")
    restore_saver = tf.train.Saver(var_list={var.op.name: var for var in dnn_A_vars})
    saver = tf.train.Saver()

    with tf.Session() as sess:
        init.run()
        if pretrained:
            restore_saver.restore(sess, pretrained_path)

        for epoch in range(n_epochs):
            rnd_idx = np.random.permutation(len(X_train2))
            for rnd_indices in np.array_split(rnd_idx, len(X_train2) // batch_size):
                X_batch, y_batch = X_train2[rnd_indices], y_train2[rnd_indices]
                sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
            if epoch % 10 == 0 or epoch == n_epochs - 1:
                acc_test = accuracy.eval(feed_dict={X: X_test, y: y_test})
                print(epoch, "pretrained" if pretrained else "from scratch",
                      "Test accuracy:", acc_test)

        save_path = saver.save(sess, os.path.join(
            CKPT_DIR, "my_mnist_model_final_%s.ckpt" % ("pretrained" if pretrained else "scratch")))
    results["pretrained" if pretrained else "from_scratch"] = acc_test

assert len(dnn_A_vars) == 10, dnn_A_vars   # 5 layers x (kernel, bias)
assert acc_pairs > 0.6, acc_pairs           # same/different: chance is 0.5
assert results["pretrained"] > 0.5, results  # 10 classes: chance is 0.1
print("RESULT pairs=%.4f pretrained=%.4f from_scratch=%.4f"
      % (acc_pairs, results["pretrained"], results["from_scratch"]))
