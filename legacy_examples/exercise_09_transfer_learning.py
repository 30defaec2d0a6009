"""Exercise 9 (ch. 11): transfer learning to digits 5-9 with 100 images per class.

"9.1 Create a new DNN that reuses all the pretrained hidden layers of the
previous model, freezes them, and replaces the softmax output layer with a
new one. 9.2 Train this new DNN on digits 5 to 9, using only 100 images per
digit [...] 9.3 Try caching the frozen layers [...] 9.4 Try again reusing just
four hidden layers instead of five. 9.5 Now unfreeze the top two hidden layers
and continue training."

The book's solution, unchanged in substance: `import_meta_graph()` of the
exercise-8 model (checkpoints/my_mnist_model_0_to_4.ckpt -- trained first by
exercise_08_1_dnn_adam_early_stopping.py when missing), a second optimizer
named "Adam2" restricted with `var_list`, the old output layer re-initialized
(`var.initializer.run()`), early stopping on a 30-per-class validation set.
Labels 5-9 become 0-4.

Fashion-MNIST (the default data) makes this harder than the MNIST digits: the
frozen clothing features of classes 0-4 transfer poorly to classes 5-9;
unfreezing the top two layers is what helps most.

Quick mode: at most 20 epochs per part.

Run: python -m tf1_dnn run legacy_examples/exercise_09_transfer_learning.py [--epochs N] [--quick]
"""
import argparse
import os
import runpy
import sys
import time

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="Exercise 9")
parser.add_argument("--epochs", type=int, default=1000,
                    help="maximum number of epochs per part (early stopping ends sooner)")
parser.add_argument("--quick", action="store_true", help="at most 20 epochs per part")
args = parser.parse_args()

# Checkpoints go to <repo>/checkpoints/ (quick runs: checkpoints/quick/).
CKPT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "checkpoints", "quick" if args.quick else "")
os.makedirs(CKPT_DIR, exist_ok=True)
MODEL_PATH = os.path.join(CKPT_DIR, "my_mnist_model_0_to_4.ckpt")
BASE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "exercise_08_1_dnn_adam_early_stopping.py")
if not os.path.exists(MODEL_PATH + ".index"):
    # The pretrained model is missing: train it first.
    saved_argv, sys.argv = sys.argv, [BASE_SCRIPT] + (["--quick"] if args.quick else [])
    runpy.run_path(BASE_SCRIPT, run_name="__main__")
    sys.argv = saved_argv
    tf.reset_default_graph()

mnist = input_data.read_data_sets("/tmp/data/")

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

X_train2_full = mnist.train.images[mnist.train.labels >= 5]
y_train2_full = mnist.train.labels[mnist.train.labels >= 5] - 5
X_valid2_full = mnist.validation.images[mnist.validation.labels >= 5]
y_valid2_full = mnist.validation.labels[mnist.validation.labels >= 5] - 5
X_test2 = mnist.test.images[mnist.test.labels >= 5]
y_test2 = mnist.test.labels[mnist.test.labels >= 5] - 5


def sample_n_instances_per_class(X, y, n=100):
    Xs, ys = [], []
    for label in np.unique(y):
        idx = (y == label)
        Xc = X[idx][:n]
        yc = y[idx][:n]
        Xs.append(Xc)
        ys.append(yc)
    return np.concatenate(Xs), np.concatenate(ys)


X_train2, y_train2 = sample_n_instances_per_class(X_train2_full, y_train2_full, n=100)
X_valid2, y_valid2 = sample_n_instances_per_class(X_valid2_full, y_valid2_full, n=30)

n_epochs = min(20, args.epochs) if args.quick else args.epochs
batch_size = 20
max_checks_without_progress = 20
learning_rate = 0.01
he_init = tf.variance_scaling_initializer()


def train_with_early_stopping(sess, training_op, loss, accuracy, X, y, saver, path,
                              feed_X_train=None, feed_X_valid=None, feed_tensor=None):
    """The solution's loop; feed_* let 9.3 feed cached hidden5 outputs instead of X."""
    X_tr = X_train2 if feed_X_train is None else feed_X_train
    X_va = X_valid2 if feed_X_valid is None else feed_X_valid
    inp = X if feed_tensor is None else feed_tensor
    checks_without_progress = 0
    best_loss = np.inf
    t0 = time.time()
    for epoch in range(n_epochs):
        rnd_idx = np.random.permutation(len(X_tr))
        for rnd_indices in np.array_split(rnd_idx, len(X_tr) // batch_size):
            sess.run(training_op, feed_dict={inp: X_tr[rnd_indices], y: y_train2[rnd_indices]})
        loss_val, acc_val = sess.run([loss, accuracy], feed_dict={inp: X_va, y: y_valid2})
        if loss_val < best_loss:
            save_path = saver.save(sess, path)
            best_loss = loss_val
            checks_without_progress = 0
        else:
            checks_without_progress += 1
            if checks_without_progress > max_checks_without_progress:
                print("Early stopping!")
                break
        print("{}\tValidation loss: {:.6f}\tBest loss: {:.6f}\tAccuracy: {:.2f}%".format(
            epoch, loss_val, best_loss, acc_val * 100))
    print("Total training time: {:.1f}s".format(time.time() - t0))


results = {}

# --- 9.1/9.2: reuse all five hidden layers, frozen; new softmax layer ------
restore_saver = tf.train.import_meta_graph(MODEL_PATH + ".meta")

X = tf.get_default_graph().get_tensor_by_name("X:0")
y = tf.get_default_graph().get_tensor_by_name("y:0")
loss = tf.get_default_graph().get_tensor_by_name("loss:0")
Y_proba = tf.get_default_graph().get_tensor_by_name("Y_proba:0")
logits = Y_proba.op.inputs[0]
accuracy = tf.get_default_graph().get_tensor_by_name("accuracy:0")

output_layer_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="logits")
optimizer = tf.train.AdamOptimizer(learning_rate, name="Adam2")
training_op = optimizer.minimize(loss, var_list=output_layer_vars)

init = tf.global_variables_initializer()
five_frozen_saver = tf.train.Saver()
path_5_frozen = os.path.join(CKPT_DIR, "my_mnist_model_5_to_9_five_frozen.ckpt")

with tf.Session() as sess:
    init.run()
    restore_saver.restore(sess, MODEL_PATH)
    for var in output_layer_vars:
        var.initializer.run()
    hidden1_before = sess.run("dnn/hidden1/kernel:0")
    train_with_early_stopping(sess, training_op, loss, accuracy, X, y,
                              five_frozen_saver, path_5_frozen)
    assert np.array_equal(hidden1_before, sess.run("dnn/hidden1/kernel:0")), "frozen"

with tf.Session() as sess:
    five_frozen_saver.restore(sess, path_5_frozen)
    acc_test = accuracy.eval(feed_dict={X: X_test2, y: y_test2})
    print("9.2 five frozen layers, final test accuracy: {:.2f}%".format(acc_test * 100))
    results["five_frozen"] = acc_test

# --- 9.3: cache the frozen layers' output -----------------------------------
hidden5_out = tf.get_default_graph().get_tensor_by_name("dnn/hidden5/Elu:0")
path_cached = os.path.join(CKPT_DIR, "my_mnist_model_5_to_9_five_frozen_cached.ckpt")

with tf.Session() as sess:
    init.run()
    restore_saver.restore(sess, MODEL_PATH)
    for var in output_layer_vars:
        var.initializer.run()
    hidden5_train = hidden5_out.eval(feed_dict={X: X_train2, y: y_train2})
    hidden5_valid = hidden5_out.eval(feed_dict={X: X_valid2, y: y_valid2})
    train_with_early_stopping(sess, training_op, loss, accuracy, X, y,
                              five_frozen_saver, path_cached,
                              feed_X_train=hidden5_train, feed_X_valid=hidden5_valid,
                              feed_tensor=hidden5_out)

with tf.Session() as sess:
    five_frozen_saver.restore(sess, path_cached)
    acc_test = accuracy.eval(feed_dict={X: X_test2, y: y_test2})
    print("9.3 cached, final test accuracy: {:.2f}%".format(acc_test * 100))
    results["five_frozen_cached"] = acc_test

# --- 9.4: reuse just four hidden layers -------------------------------------
tf.reset_default_graph()
n_outputs = 5

restore_saver = tf.train.import_meta_graph(MODEL_PATH + ".meta")

X = tf.get_default_graph().get_tensor_by_name("X:0")
y = tf.get_default_graph().get_tensor_by_name("y:0")

hidden4_out = tf.get_default_graph().get_tensor_by_name("dnn/hidden4/Elu:0")
logits = tf.layers.dense(hidden4_out, n_outputs, kernel_initializer=he_init, name="new_logits")
Y_proba = tf.nn.softmax(logits)
xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
loss = tf.reduce_mean(xentropy)
correct = tf.nn.in_top_k(logits, y, 1)
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")

output_layer_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="new_logits")
optimizer = tf.train.AdamOptimizer(learning_rate, name="Adam2")
training_op = optimizer.minimize(loss, var_list=output_layer_vars)

init = tf.global_variables_initializer()
four_frozen_saver = tf.train.Saver()
path_4_frozen = os.path.join(CKPT_DIR, "my_mnist_model_5_to_9_four_frozen.ckpt")

with tf.Session() as sess:
    init.run()
    restore_saver.restore(sess, MODEL_PATH)
    train_with_early_stopping(sess, training_op, loss, accuracy, X, y,
                              four_frozen_saver, path_4_frozen)

with tf.Session() as sess:
    four_frozen_saver.restore(sess, path_4_frozen)
    acc_test = accuracy.eval(feed_dict={X: X_test2, y: y_test2})
    print("9.4 four frozen layers, final test accuracy: {:.2f}%".format(acc_test * 100))
    results["four_frozen"] = acc_test

# --- 9.5: unfreeze the top two hidden layers --------------------------------
unfrozen_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="dnn/hidden[34]|new_logits")
optimizer = tf.train.AdamOptimizer(learning_rate, name="Adam3")
training_op = optimizer.minimize(loss, var_list=unfrozen_vars)

init = tf.global_variables_initializer()
two_frozen_saver = tf.train.Saver()
path_2_frozen = os.path.join(CKPT_DIR, "my_mnist_model_5_to_9_two_frozen.ckpt")

with tf.Session() as sess:
    init.run()
    four_frozen_saver.restore(sess, path_4_frozen)
    hidden1_before, hidden3_before = sess.run(["dnn/hidden1/kernel:0", "dnn/hidden3/kernel:0"])
    train_with_early_stopping(sess, training_op, loss, accuracy, X, y,
                              two_frozen_saver, path_2_frozen)
    hidden1_after, hidden3_after = sess.run(["dnn/hidden1/kernel:0", "dnn/hidden3/kernel:0"])

with tf.Session() as sess:
    two_frozen_saver.restore(sess, path_2_frozen)
    acc_test = accuracy.eval(feed_dict={X: X_test2, y: y_test2})
    print("9.5 two frozen layers, final test accuracy: {:.2f}%".format(acc_test * 100))
    results["two_frozen"] = acc_test

assert len(X_train2) == 500 and np.array_equal(np.bincount(y_train2), [100] * 5)
assert [v.op.name for v in unfrozen_vars] == ["dnn/hidden3/kernel", "dnn/hidden3/bias",
                                             "dnn/hidden4/kernel", "dnn/hidden4/bias",
                                             "new_logits/kernel", "new_logits/bias"]
assert np.array_equal(hidden1_before, hidden1_after)        # still frozen
assert not np.array_equal(hidden3_before, hidden3_after)    # unfrozen, trained
# 5 classes: chance is 0.2. On Fashion-MNIST, features learned on clothes 0-4
# (T-shirt, trouser, pullover, dress, coat) transfer poorly to 5-9 (sandal,
# shirt, sneaker, bag, ankle boot) while frozen: the frozen parts are checked
# against 0.35 (1.75 x chance, on 5000 test images), unfreezing against 0.5.
assert min(results.values()) > 0.35, results
assert results["two_frozen"] > 0.5, results
print("RESULT " + " ".join("%s=%.4f" % kv for kv in results.items()))
