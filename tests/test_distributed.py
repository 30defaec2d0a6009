"""TF 1.x distributed training on TensorFlow's own gRPC runtime (tf1_dnn.distributed).

Placement and cluster descriptions are checked in-process. The chapter-12
example (`legacy_examples/distributed/between_graph_mlp.py`) runs unchanged
as one ps and two workers, one process each, on 127.0.0.1 ports picked free
at run time; every process is bounded in time and killed at the end, and the
tests check that none is left.
"""

import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.conftest import REPO
from tf1_dnn import distributed, tf

EXAMPLE = REPO / "legacy_examples" / "distributed" / "between_graph_mlp.py"


# --------------------------------------------------------------- in-process

def test_cluster_from_tf_config():
    task = distributed.cluster_from_tf_config(json.dumps({
        "cluster": {"ps": ["127.0.0.1:1"], "worker": ["127.0.0.1:2",
                                                      "127.0.0.1:3"]},
        "task": {"type": "worker", "index": 1}}))
    assert (task.job_name, task.task_index, task.is_chief) == ("worker", 1,
                                                              False)
    assert task.cluster.as_dict() == {"ps": ["127.0.0.1:1"],
                                      "worker": ["127.0.0.1:2", "127.0.0.1:3"]}
    assert task.device == "/job:worker/task:1"
    chief = distributed.cluster_from_tf_config({
        "cluster": {"chief": ["h:1"], "worker": ["h:2"]},
        "task": {"type": "chief", "index": 0}})
    assert chief.is_chief


@pytest.mark.parametrize("config, fragment", [
    ("{not json", "TF_CONFIG is not valid JSON"),
    ({"cluster": {"worker": ["h:1"]}}, "needs a 'cluster' object and a "
                                       "'task' object"),
    ({"cluster": {"worker": ["h:1"]}, "task": {"type": "ps", "index": 0}},
     "job 'ps' is not in the cluster ['worker']"),
    ({"cluster": {"worker": ["h:1"]}, "task": {"type": "worker",
                                               "index": 3}},
     "task index 3 is out of range for job 'worker', which has 1 task(s)"),
])
def test_cluster_from_tf_config_errors(config, fragment):
    with pytest.raises(distributed.ClusterConfigError) as info:
        distributed.cluster_from_tf_config(config)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_cluster_from_tf_config_unset(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(distributed.ClusterConfigError,
                       match="TF_CONFIG is not set"):
        distributed.cluster_from_tf_config()


def test_cluster_from_flags_and_errors():
    task = distributed.cluster_from_flags("localhost:2222",
                                          "localhost:2223,localhost:2224",
                                          "ps", "0")
    assert task.cluster.num_tasks("worker") == 2 and not task.is_chief
    assert distributed.cluster_from_flags(
        "", "a:1", "worker", 0).cluster.jobs == ["worker"]
    with pytest.raises(distributed.ClusterConfigError,
                       match=r"--worker_hosts: 'localhost' is not host:port"):
        distributed.cluster_from_flags("a:1", "localhost", "worker", 0)
    with pytest.raises(distributed.ClusterConfigError,
                       match="--worker_hosts is empty"):
        distributed.cluster_from_flags("a:1", "", "worker", 0)


def test_worker_config_filters_devices_on_a_copy():
    task = distributed.cluster_from_flags("a:1", "b:1,c:1", "worker", 1)
    mine = tf.ConfigProto(intra_op_parallelism_threads=3)
    config = distributed.worker_config(task, mine)
    assert list(config.device_filters) == ["/job:ps", "/job:worker/task:1"]
    assert config.intra_op_parallelism_threads == 3
    assert list(mine.device_filters) == []


def test_replica_device_setter_puts_our_layers_variables_on_ps(graph):
    cluster = tf.train.ClusterSpec({"ps": ["a:1", "a:2"],
                                    "worker": ["b:1", "b:2"]})
    with tf.device(tf.train.replica_device_setter(
            worker_device="/job:worker/task:1", cluster=cluster)):
        X = tf.placeholder(tf.float32, (None, 4), name="X")
        training = tf.placeholder_with_default(False, (), name="training")
        h = tf.layers.dense(X, 3, name="hidden1")
        bn = tf.layers.batch_normalization(h, training=training)
        out = tf.contrib.layers.fully_connected(bn, 2, scope="fc")
    devices = {v.op.name: v.device for v in tf.global_variables()}
    assert sorted(devices) == sorted([
        "hidden1/kernel", "hidden1/bias", "batch_normalization/gamma",
        "batch_normalization/beta", "batch_normalization/moving_mean",
        "batch_normalization/moving_variance", "fc/weights", "fc/biases"])
    # round-robin over the two parameter servers, in creation order
    assert devices["hidden1/kernel"] == "/job:ps/task:0"
    assert devices["hidden1/bias"] == "/job:ps/task:1"
    assert {d.split("/task")[0] for d in devices.values()} == {"/job:ps"}
    assert h.op.device == "/job:worker/task:1"
    assert out.op.device == "/job:worker/task:1"


def test_namespace_serves_the_distributed_pieces():
    assert tf.train.MonitoredTrainingSession is \
        distributed.MonitoredTrainingSession
    assert tf.train.SyncReplicasOptimizer is distributed.SyncReplicasOptimizer
    assert issubclass(distributed.SyncReplicasOptimizer,
                      tf.compat.v1.train.SyncReplicasOptimizer)


def test_sync_chief_queue_runner_is_the_stock_one_but_quiet(graph):
    w = tf.Variable(1.0, name="w")
    loss = tf.square(w)
    step = tf.train.get_or_create_global_step()
    opt = tf.train.SyncReplicasOptimizer(
        tf.train.GradientDescentOptimizer(0.1), replicas_to_aggregate=2,
        total_num_replicas=2)
    opt.minimize(loss, global_step=step)
    runner = opt.get_chief_queue_runner()
    stock = tf.compat.v1.train.SyncReplicasOptimizer.get_chief_queue_runner(
        opt)
    assert runner.queue is stock.queue
    assert runner.enqueue_ops == stock.enqueue_ops
    assert set(runner.queue_closed_exception_types) == {
        tf.errors.OutOfRangeError, tf.errors.CancelledError}


# ------------------------------------------------------------ real clusters

def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class _Cluster:
    """One ps and two workers of the example, each `python -m tf1_dnn run`."""

    def __init__(self, tmp_path, *args):
        ps, w0, w1 = _free_ports(3)
        self.ckpt = tmp_path / "ckpt"
        self.logs = tmp_path
        self.args = [f"--ps_hosts=127.0.0.1:{ps}",
                     f"--worker_hosts=127.0.0.1:{w0},127.0.0.1:{w1}",
                     f"--checkpoint_dir={self.ckpt}", *args]
        self.procs = {}
        self.env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
                        PYTHONPATH=str(REPO))

    def start(self, job, index, tag=""):
        name = f"{job}{index}{tag}"
        log = open(self.logs / f"{name}.log", "w")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "tf1_dnn", "run", str(EXAMPLE),
             *self.args, f"--job_name={job}", f"--task_index={index}"],
            stdout=log, stderr=subprocess.STDOUT, env=self.env,
            cwd=str(REPO), start_new_session=True)
        return self.procs[name]

    def log(self, name):
        return (self.logs / f"{name}.log").read_text()

    def wait(self, name, timeout):
        try:
            return self.procs[name].wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{name} did not finish in {timeout} s:\n"
                        + self.log(name)[-3000:])

    def kill(self, name):
        proc = self.procs[name]
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)

    def close(self):
        for name in self.procs:
            self.kill(name)
        alive = [n for n, p in self.procs.items() if p.poll() is None]
        assert alive == [], f"processes left behind: {alive}"


@pytest.fixture
def cluster_factory(tmp_path, fashion_mnist_dir):
    made = []

    def make(*args):
        made.append(_Cluster(tmp_path, *args))
        return made[-1]
    yield make
    for c in made:
        c.close()


def _result(text):
    m = re.search(r"RESULT distributed (\w+): global_step=(\d+) "
                  r"valid_acc=([0-9.]+)", text)
    assert m, text[-3000:]
    return m.group(1), int(m.group(2)), float(m.group(3))


def _local_steps(text, worker):
    m = re.search(rf"worker {worker}: (\d+) local steps from global step "
                  r"(\d+)", text)
    assert m, text[-3000:]
    return int(m.group(1)), int(m.group(2))


def _single_process_accuracy(steps):
    """The example's network and optimizer, trained in one process for the
    same number of global steps: the band the cluster must reach.

    Seeded (`read_data_sets(seed=)` reseeds numpy's global RNG, which
    `next_batch` shuffles with): without it the batches came from fresh OS
    entropy and this baseline alone spread over 0.809-0.840 (10 runs, std
    0.008)."""
    from tf1_dnn.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets("/tmp/data/", seed=42)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(42)
        X = tf.placeholder(tf.float32, (None, 784))
        y = tf.placeholder(tf.int64, (None,))
        training = tf.placeholder_with_default(False, ())
        h = tf.nn.elu(tf.layers.batch_normalization(
            tf.layers.dense(X, 300), training=training, momentum=0.9))
        h = tf.nn.elu(tf.layers.batch_normalization(
            tf.layers.dense(h, 100), training=training, momentum=0.9))
        logits = tf.layers.dense(h, 10)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits))
        op = tf.group(tf.train.MomentumOptimizer(0.01, 0.9).minimize(loss),
                      *tf.get_collection(tf.GraphKeys.UPDATE_OPS))
        acc = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1),
                                     tf.float32))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                xb, yb = mnist.train.next_batch(50)
                sess.run(op, {X: xb, y: yb, training: True})
            return sess.run(acc, {X: mnist.validation.images,
                                  y: mnist.validation.labels})


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["async", "sync"])
def test_example_trains_on_a_local_cluster(cluster_factory, mode):
    steps = 200
    cluster = cluster_factory(f"--train_steps={steps}",
                              *(["--sync"] if mode == "sync" else []))
    cluster.start("ps", 0)
    cluster.start("worker", 1)
    cluster.start("worker", 0)
    start = time.time()
    assert cluster.wait("worker0", 240) == 0, cluster.log("worker0")[-3000:]
    assert cluster.wait("worker1", 120) == 0, cluster.log("worker1")[-3000:]
    seconds = time.time() - start
    got_mode, global_step, acc = _result(cluster.log("worker0"))
    assert got_mode == mode and global_step >= steps
    n0, _ = _local_steps(cluster.log("worker0"), 0)
    n1, first1 = _local_steps(cluster.log("worker1"), 1)
    # Both workers trained (the non-chief polls every 0.5 s, not 30 s).
    assert n0 > 0 and n1 > 0
    if mode == "sync":
        # replicas_to_aggregate=2: two gradients per global step.
        assert n0 + n1 >= 2 * steps - 2
    else:
        assert n0 + n1 >= steps
    # No thread traceback at shutdown (the stock sync chief prints one).
    assert "Traceback" not in cluster.log("worker0")
    assert "Traceback" not in cluster.log("worker1")
    single = _single_process_accuracy(steps)
    print(f"\n{mode}: {seconds:.1f} s, worker0 {n0} / worker1 {n1} local "
          f"steps, valid acc {acc:.4f} (single process {single:.4f})")
    # The workers' batches are unseeded (the example is unchanged TF 1.x
    # code) and async updates interleave at random: over 10 async runs on a
    # loaded 2-core machine (both oneDNN settings), acc 0.790-0.842 (mean
    # 0.815, std 0.020), lowest when the chief did most of the steps; the
    # seeded single process gives 0.8230 under both. The old margin, 0.06
    # below an unseeded single process (0.809-0.840), was met by 0.020 in
    # the worst run (about 1 CI run in 150 would fail). 0.1 is ~4.5 std
    # below the async mean and still fails a cluster whose batch norm
    # statistics or shared variables are broken (chance: 0.1).
    assert acc >= single - 0.1
    assert sorted(p.name for p in cluster.ckpt.glob("model.ckpt-*.index"))


@pytest.mark.slow
def test_workers_and_chief_survive_being_killed(cluster_factory):
    """Kill the non-chief worker mid-training and restart it: it rejoins.
    Kill the chief after a checkpoint and restart it: it restores from its
    last checkpoint, the global step continues from there, and training
    finishes. Asynchronous training (a sync step waits for every worker)."""
    steps = 1500
    cluster = cluster_factory(f"--train_steps={steps}",
                              "--save_checkpoint_steps=100")
    ckpt = cluster.ckpt

    def committed_step():
        """The step of the checkpoint the `checkpoint` state file names.

        A checkpoint is committed when the state file names it: the Saver
        puts the `.index` in place *before* it rewrites the state file, so
        a kill between the two restores the previous checkpoint (correctly).
        The `.index` files on disk are therefore not what a restart sees."""
        state = tf.train.get_checkpoint_state(str(ckpt))
        if state is None or not state.model_checkpoint_path:
            return -1
        return int(state.model_checkpoint_path.rsplit("-", 1)[1])

    def wait_for(predicate, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}:\n" +
                    "\n".join(cluster.log(n)[-1500:] for n in cluster.procs))

    cluster.start("ps", 0)
    cluster.start("worker", 0)
    cluster.start("worker", 1)
    wait_for(lambda: committed_step() >= 200, 240,
             "the chief's checkpoint at step 200")
    cluster.kill("worker1")                              # kill a worker ...
    cluster.start("worker", 1, tag="_restarted")         # ... and restart it
    wait_for(lambda: committed_step() >= 400, 240,
             "step 400 after the worker restart")
    # Read before the kill: the chief may commit a later one meanwhile,
    # never an earlier one, so the restart restores at least this step.
    last_ckpt = committed_step()
    cluster.kill("worker0")                              # kill the chief ...
    cluster.start("worker", 0, tag="_restarted")         # ... and restart it
    assert cluster.wait("worker0_restarted", 300) == 0, \
        cluster.log("worker0_restarted")[-3000:]
    assert cluster.wait("worker1_restarted", 120) == 0, \
        cluster.log("worker1_restarted")[-3000:]
    _, global_step, acc = _result(cluster.log("worker0_restarted"))
    n1, first1 = _local_steps(cluster.log("worker1_restarted"), 1)
    n0, first0 = _local_steps(cluster.log("worker0_restarted"), 0)
    restored = re.search(r"Restoring parameters from (\S+)",
                         cluster.log("worker0_restarted"))
    print(f"\nworker 1 restarted at global step {first1} ({n1} steps); "
          f"chief killed after checkpoint {last_ckpt}, restarted at global "
          f"step {first0} ({n0} steps), {restored and restored.group(1)}; "
          f"final step {global_step}, valid acc {acc:.4f}")
    assert first1 > 0 and n1 > 0
    assert restored and re.search(r"model\.ckpt-(\d+)$", restored.group(1))
    restored_step = int(restored.group(1).rsplit("-", 1)[1])
    assert restored_step >= last_ckpt
    assert first0 >= restored_step
    assert global_step >= steps
    assert acc > 0.7


# ------------------------------------------- our pieces against grpc://

@pytest.fixture(scope="module")
def local_server():
    return tf.train.Server.create_local_server()


def test_fast_session_and_saver_against_a_grpc_target(local_server, tmp_path):
    """Our Session (cached fast `run`) and Saver on a `grpc://` master give
    what an in-process session gives."""
    from tf1_dnn import session as session_mod
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(3)
        X = tf.placeholder(tf.float32, (None, 5))
        out = tf.layers.dense(X, 2, name="d")
        saver = tf.train.Saver()
        x = np.arange(15, dtype=np.float32).reshape(3, 5)
        assert local_server.target.startswith("grpc://")
        with tf.Session(local_server.target) as sess:
            sess.run(tf.global_variables_initializer())
            kernel, bias = sess.run(["d/kernel:0", "d/bias:0"])
            got = [sess.run(out, {X: x}) for _ in range(4)]
            fast, _ = session_mod.fast_run_stats(sess)
            path = saver.save(sess, str(tmp_path / "m.ckpt"))
        with tf.Session() as local:
            saver.restore(local, path)
            want = local.run(out, {X: x})
    np.testing.assert_array_equal(want, x @ kernel + bias)
    for value in got:
        np.testing.assert_array_equal(value, want)
    assert fast >= 1   # the cached path served the repeated calls


def test_old_checkpoint_restores_into_a_grpc_session(local_server,
                                                     tf1_checkpoints_dir):
    """import_meta_graph (with the contrib fused batch norm repair) and
    restore of a TF 1.13 checkpoint through a grpc:// session."""
    prefix = str(tf1_checkpoints_dir /
                 "martinjedwabny__HandsOnMLTensorflow__c11_bn_final.ckpt" /
                 "c11_bn_final.ckpt")
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta",
                                           clear_devices=True)
        with tf.Session(local_server.target) as sess:
            saver.restore(sess, prefix)
            w = sess.run("hidden1/weights:0")
    np.testing.assert_array_equal(
        w, tf.train.load_checkpoint(prefix).get_tensor("hidden1/weights"))
