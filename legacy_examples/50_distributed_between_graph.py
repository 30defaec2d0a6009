"""Distributed TensorFlow (ch. 12): between-graph replication, unchanged TF 1.x.

One parameter server and N workers, each its own process (the book's chapter 12
and TensorFlow 1.x's "Distributed TensorFlow" how-to):

    python -m tf1_dnn run legacy_examples/50_distributed_between_graph.py \\
        --ps_hosts=localhost:2222 --worker_hosts=localhost:2223,localhost:2224 \\
        --job_name=ps --task_index=0 &
    python -m tf1_dnn run legacy_examples/50_distributed_between_graph.py ... --job_name=worker --task_index=0 &
    python -m tf1_dnn run legacy_examples/50_distributed_between_graph.py ... --job_name=worker --task_index=1

`tf.train.replica_device_setter` puts the variables -- the dense kernels and
biases, and batch norm's gamma/beta and moving statistics -- on `/job:ps`; each
worker builds the same graph and runs its own training loop through
`tf.train.MonitoredTrainingSession`. Worker 0 is the chief: it initialises or
restores the variables and writes checkpoints and summaries to
`--checkpoint_dir`; a restarted chief resumes from its last checkpoint.
`--sync` wraps the optimizer in `SyncReplicasOptimizer` (gradients of all
workers averaged each step); without it, training is asynchronous.

Pitfalls (as TF 1.x had them):
- the parameter server never returns: `server.join()` blocks forever, so
  whoever started it must kill it when the workers are done;
- batch norm's UPDATE_OPS run on every worker, each with its own batch;
- with `--sync` every worker must keep stepping until the last step, or the
  others wait for its gradients;
- with `--sync`, `with tf.control_dependencies(UPDATE_OPS): opt.minimize(loss)`
  fails at start-up ("You must feed a value for placeholder tensor 'X'"):
  SyncReplicasOptimizer builds its `ready_for_local_init_op` inside
  `minimize`, so it inherits the control dependency on the batch-norm
  updates. Group the updates with the training op instead, as below.

At the end the chief evaluates on the validation set through a plain
`tf.Session(server.target)` (the variables live on the ps) and prints one
`RESULT ...` line.
"""
import os
import time

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

flags = tf.app.flags
flags.DEFINE_string("ps_hosts", "localhost:2222", "comma-separated host:port")
flags.DEFINE_string("worker_hosts", "localhost:2223,localhost:2224",
                    "comma-separated host:port")
flags.DEFINE_string("job_name", "worker", "ps or worker")
flags.DEFINE_integer("task_index", 0, "index of the task within its job")
flags.DEFINE_boolean("sync", False, "SyncReplicasOptimizer")
flags.DEFINE_integer("train_steps", 1000, "global steps to train")
flags.DEFINE_integer("batch_size", 50, "mini-batch size per worker")
flags.DEFINE_integer("save_checkpoint_steps", 100, "chief checkpoints")
flags.DEFINE_string("checkpoint_dir", "/tmp/tf1_dnn_distributed",
                    "the chief's checkpoints and summaries")
flags.DEFINE_string("data_dir", "/tmp/data/", "MNIST")
flags.DEFINE_boolean("quick", False, "200 steps")
FLAGS = flags.FLAGS


def main(_):
    ps_hosts = FLAGS.ps_hosts.split(",")
    worker_hosts = FLAGS.worker_hosts.split(",")
    cluster = tf.train.ClusterSpec({"ps": ps_hosts, "worker": worker_hosts})
    server = tf.train.Server(cluster, job_name=FLAGS.job_name,
                             task_index=FLAGS.task_index)
    if FLAGS.job_name == "ps":
        server.join()
        return

    train_steps = 200 if FLAGS.quick else FLAGS.train_steps
    is_chief = FLAGS.task_index == 0
    mnist = input_data.read_data_sets(FLAGS.data_dir)
    tf.set_random_seed(42)

    with tf.device(tf.train.replica_device_setter(
            worker_device="/job:worker/task:%d" % FLAGS.task_index,
            cluster=cluster)):
        X = tf.placeholder(tf.float32, shape=(None, 28 * 28), name="X")
        y = tf.placeholder(tf.int64, shape=(None), name="y")
        training = tf.placeholder_with_default(False, shape=(),
                                               name="training")
        hidden1 = tf.layers.dense(X, 300, name="hidden1")
        bn1 = tf.nn.elu(tf.layers.batch_normalization(
            hidden1, training=training, momentum=0.9))
        hidden2 = tf.layers.dense(bn1, 100, name="hidden2")
        bn2 = tf.nn.elu(tf.layers.batch_normalization(
            hidden2, training=training, momentum=0.9))
        logits = tf.layers.dense(bn2, 10, name="outputs")
        with tf.name_scope("loss"):
            xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=logits)
            loss = tf.reduce_mean(xentropy, name="loss")
            tf.summary.scalar("loss", loss)
        with tf.name_scope("eval"):
            accuracy = tf.reduce_mean(
                tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32))
        global_step = tf.train.get_or_create_global_step()
        optimizer = tf.train.MomentumOptimizer(0.01, momentum=0.9)
        if FLAGS.sync:
            optimizer = tf.train.SyncReplicasOptimizer(
                optimizer, replicas_to_aggregate=len(worker_hosts),
                total_num_replicas=len(worker_hosts))
        # Not `with tf.control_dependencies(UPDATE_OPS): minimize(...)`:
        # SyncReplicasOptimizer builds its readiness check inside minimize,
        # which would then need a fed X (see the docstring's pitfalls).
        training_op = optimizer.minimize(loss, global_step=global_step)
        training_op = tf.group(training_op,
                               *tf.get_collection(tf.GraphKeys.UPDATE_OPS))

    # Each worker talks to the ps and itself only (TF 1.x's device filters):
    # it neither waits for the other workers nor stalls when one dies.
    config = tf.ConfigProto(device_filters=[
        "/job:ps", "/job:worker/task:%d" % FLAGS.task_index])
    hooks = [tf.train.StopAtStepHook(last_step=train_steps)]
    if FLAGS.sync:
        hooks.append(optimizer.make_session_run_hook(is_chief))
    start = time.time()
    my_steps = 0
    with tf.train.MonitoredTrainingSession(
            master=server.target, is_chief=is_chief,
            checkpoint_dir=FLAGS.checkpoint_dir if is_chief else None,
            save_checkpoint_steps=FLAGS.save_checkpoint_steps,
            save_summaries_steps=50, hooks=hooks, config=config) as sess:
        first_step = None
        while not sess.should_stop():
            X_batch, y_batch = mnist.train.next_batch(FLAGS.batch_size)
            _, step = sess.run([training_op, global_step],
                               feed_dict={X: X_batch, y: y_batch,
                                          training: True})
            if first_step is None:
                first_step = step
            my_steps += 1
    seconds = time.time() - start
    print("worker %d: %d local steps from global step %s in %.1f s" % (
        FLAGS.task_index, my_steps, first_step, seconds), flush=True)
    if is_chief:
        with tf.Session(server.target, config=config) as sess:
            acc, step = sess.run([accuracy, global_step], feed_dict={
                X: mnist.validation.images, y: mnist.validation.labels})
        print("RESULT distributed %s: global_step=%d valid_acc=%.4f "
              "steps_per_s=%.1f" % ("sync" if FLAGS.sync else "async", step,
                                    acc, my_steps / seconds), flush=True)
        assert step >= train_steps, step
        assert acc > 0.6, acc


if __name__ == "__main__":
    tf.app.run()
