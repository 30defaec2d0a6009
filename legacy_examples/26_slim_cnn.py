"""A TF-Slim CNN on MNIST-format data: `arg_scope`, `slim.learning.train`,
`slim.evaluation.evaluate_once` (TF 1.x contrib code, unchanged).

The TF-Slim README's pattern:

    import tensorflow.contrib.slim as slim

    with slim.arg_scope([slim.conv2d, slim.fully_connected],
                        activation_fn=tf.nn.relu,
                        weights_regularizer=slim.l2_regularizer(0.0005)):
        net = slim.conv2d(images, 20, [5, 5], scope='conv1')
        net = slim.max_pool2d(net, [2, 2], scope='pool1')
        [...]
    slim.losses.sparse_softmax_cross_entropy(logits, labels)
    total_loss = slim.losses.get_total_loss()
    train_op = slim.learning.create_train_op(total_loss, optimizer)
    slim.learning.train(train_op, train_dir, number_of_steps=...)

The data come from the graph (`tf.data`), because slim's loop feeds nothing.
Training runs in two calls of `slim.learning.train` on the same `train_dir`:
the second resumes from the first one's checkpoint (the global step goes on
from where it stopped). Evaluation restores the newest checkpoint in a new
graph and streams the accuracy over validation batches.

Pitfalls kept (TF 1.x): slim's losses take `(logits, labels)` and its
metrics `(predictions, labels)` -- the reverse of `tf.losses`/`tf.metrics`;
`get_total_loss()` includes the `weights_regularizer` losses; `train` counts
`number_of_steps` in global steps and finalizes the graph.

Run: python -m tf1_dnn run legacy_examples/26_slim_cnn.py [--epochs N] [--quick]
"""
import argparse
import os
import shutil

import numpy as np
import tensorflow as tf
import tensorflow.contrib.slim as slim
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser(description="TF-Slim CNN")
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--quick", action="store_true",
                    help="1 epoch on 2,000 training images")
args = parser.parse_args()

mnist = input_data.read_data_sets("/tmp/data/")

n_epochs = 1 if args.quick else args.epochs
n_train = 2000 if args.quick else mnist.train.num_examples
n_valid = 1000 if args.quick else mnist.validation.num_examples
batch_size = 50
number_of_steps = n_epochs * n_train // batch_size

# Checkpoints go to <repo>/checkpoints/ (quick runs: checkpoints/quick/).
CKPT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "checkpoints", "quick" if args.quick else "")
TRAIN_DIR = os.path.join(CKPT_DIR, "slim_cnn_train")
EVAL_DIR = os.path.join(CKPT_DIR, "slim_cnn_eval")
shutil.rmtree(TRAIN_DIR, ignore_errors=True)     # every run starts afresh


def lenet(images, is_training):
    with slim.arg_scope([slim.conv2d, slim.fully_connected],
                        activation_fn=tf.nn.relu,
                        weights_initializer=slim.variance_scaling_initializer(),
                        weights_regularizer=slim.l2_regularizer(0.0005)):
        with slim.arg_scope([slim.conv2d, slim.max_pool2d], padding="VALID"):
            net = tf.reshape(images, [-1, 28, 28, 1])
            net = slim.conv2d(net, 20, [5, 5], scope="conv1")
            net = slim.max_pool2d(net, [2, 2], scope="pool1")
            net = slim.conv2d(net, 50, [5, 5], scope="conv2")
            net = slim.max_pool2d(net, [2, 2], scope="pool2")
        net = slim.flatten(net, scope="flatten")
        net = slim.fully_connected(net, 200, scope="fc3")
        net = slim.dropout(net, 0.5, is_training=is_training, scope="dropout3")
        logits = slim.fully_connected(net, 10, activation_fn=None, scope="fc4")
    return logits


def train(steps):
    with tf.Graph().as_default():
        tf.set_random_seed(42)
        dataset = tf.data.Dataset.from_tensor_slices(
            (mnist.train.images[:n_train], mnist.train.labels[:n_train].astype(np.int64)))
        dataset = dataset.shuffle(n_train, seed=42).repeat().batch(batch_size)
        images, labels = dataset.make_one_shot_iterator().get_next()
        logits = lenet(images, is_training=True)
        slim.losses.sparse_softmax_cross_entropy(logits, labels)
        total_loss = slim.losses.get_total_loss()
        tf.summary.scalar("losses/total_loss", total_loss)
        n_regularized = len(slim.losses.get_regularization_losses())
        shapes = {v.op.name: v.shape.as_list() for v in slim.get_model_variables()}
        optimizer = tf.train.AdamOptimizer(learning_rate=0.001)
        train_op = slim.learning.create_train_op(total_loss, optimizer)
        final_loss = slim.learning.train(train_op, logdir=TRAIN_DIR,
                                         number_of_steps=steps,
                                         log_every_n_steps=100,
                                         save_summaries_secs=10,
                                         save_interval_secs=60)
    return final_loss, n_regularized, shapes


half_loss, n_regularized, shapes = train(number_of_steps // 2)
first_checkpoint = tf.train.latest_checkpoint(TRAIN_DIR)
final_loss, _, _ = train(number_of_steps)            # resumes from the first run
last_checkpoint = tf.train.latest_checkpoint(TRAIN_DIR)
print("loss after %d steps: %.4f, after %d steps: %.4f"
      % (number_of_steps // 2, half_loss, number_of_steps, final_loss))

eval_batch = 200
with tf.Graph().as_default():
    dataset = tf.data.Dataset.from_tensor_slices(
        (mnist.validation.images[:n_valid],
         mnist.validation.labels[:n_valid].astype(np.int64))).batch(eval_batch)
    images, labels = dataset.make_one_shot_iterator().get_next()
    logits = lenet(images, is_training=False)
    predictions = tf.argmax(logits, 1)
    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
        "accuracy": slim.metrics.streaming_accuracy(predictions, labels),
        "recall_at_3": slim.metrics.streaming_recall_at_k(logits, labels, 3),
    })
    names = sorted(names_to_values)
    values = slim.evaluation.evaluate_once(
        "", last_checkpoint, EVAL_DIR, num_evals=n_valid // eval_batch,
        eval_op=[names_to_updates[n] for n in names],
        final_op=[names_to_values[n] for n in names])
    metrics = dict(zip(names, values))
    print("streaming metrics:", metrics)

# Independent check: the same checkpoint, all validation images at once.
with tf.Graph().as_default():
    X = tf.placeholder(tf.float32, shape=(None, 28 * 28), name="X")
    logits = lenet(X, is_training=False)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, last_checkpoint)
        logits_val = sess.run(logits, feed_dict={X: mnist.validation.images[:n_valid]})
direct_accuracy = np.mean(logits_val.argmax(axis=1) == mnist.validation.labels[:n_valid])

assert shapes["conv1/weights"] == [5, 5, 1, 20]              # contrib names
assert shapes["conv2/weights"] == [5, 5, 20, 50]             # VALID: 28-24-12-8-4
assert shapes["fc3/weights"] == [4 * 4 * 50, 200]
assert n_regularized == 4                                    # arg_scope reached all four
assert first_checkpoint.endswith("model.ckpt-%d" % (number_of_steps // 2))
assert last_checkpoint.endswith("model.ckpt-%d" % number_of_steps)   # resumed
assert abs(metrics["accuracy"] - direct_accuracy) < 1e-6, (metrics, direct_accuracy)
assert metrics["recall_at_3"] >= metrics["accuracy"]
assert metrics["accuracy"] > 0.5, metrics
print("RESULT validation_accuracy=%.4f recall_at_3=%.4f"
      % (metrics["accuracy"], metrics["recall_at_3"]))
