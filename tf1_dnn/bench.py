"""`python -m tf1_dnn bench [--quick] [--out DIR]`: how fast the chapter trains.

Workloads (Fashion-MNIST, 55 000 training images, 5 000 validation):

  W1       784-300-100-10 leaky ReLU (alpha 0.01), SGD 0.01, batch 50
  W2       784-300-100-10, every layer (logits too) dense -> batch norm
           (momentum 0.9) -> ELU, He init, SGD 0.01, batch 200
  W3       784-300-50-50-50-50-10 ReLU, gradients clipped by value (1.0),
           SGD 0.01, batch 200
  F-feed   784-300-50 (frozen) -50-20-10 ReLU, SGD 0.01, batch 50: train
           hidden3-4 + outputs, feeding the images every step (the
           chapter's `var_list` freezing)
  F-cache  the same, trained on cached hidden2 activations (the chapter's
           "caching the frozen layers")

Variants, each run in its own subprocess, interleaved round by round
(official, legacy-stock, legacy, library, official, ...), so machine drift
hits all of them alike:

  official      the chapter's code on the official TF1 layers
                (`tf_keras.src.legacy_tf_layers`), `tf.compat.v1.Session()`
                with default settings, feed_dict loop (needs tf_keras)
  legacy-stock  the same unchanged code on `from tf1_dnn import tf`, but a
                stock `tf.compat.v1.Session()`
  legacy        the same unchanged code on `from tf1_dnn import tf`
                (`tf.Session` is tf1_dnn's: cached fast run; TF's threads)
  legacy-1t     the same, `tf.Session(config=small_model_config())`: one
                intra-op thread (changes the last bits of results)
  library       `tf1_dnn.training` (whole epoch per run) and
                `tf1_dnn.frozen_cache` (F-cache), each workload in its own
                process with the library's plan for it (`library_plan`):
                without batch norm, one tower per core (`towers=`) and one
                intra-op thread; with batch norm, one tower and TF's
                default threads
  pytorch       the same networks in PyTorch eager mode, `torch.set_num_threads`
                = cores, same data, batches and SGD (only if torch is
                installed: `pip install torch`; never a dependency)

Printed and written (JSON + Markdown in --out, default bench_results/):
median epoch wall seconds (first epoch = warm-up, not timed), CPU seconds,
the ratio to the official path (per round, then the median over rounds),
GFLOP/s (dense-layer FLOPs of one epoch:
forward, weight gradients, input gradients where needed) and the validation
accuracy after the timed epochs (proof that it trained). Also the import
cost of `from tf1_dnn import tf` over `import tensorflow` (fresh
subprocesses, timed inside the process).

`--profile [--workloads W1]`: a per-op trace of one training step instead
(`RunMetadata`), i.e. where the time goes.

`--quick` (CI): 5 500 training images, 1 timed epoch, one round;
< 2 minutes on an idle 2-core machine. The machine may be shared: figures are
medians and still noisy; compare ratios from one run, not across runs.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

import numpy as np

__all__ = ["main", "WORKLOADS", "VARIANTS", "run_bench", "dense_flops",
           "profile_step"]

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"

WORKLOADS = {
    "W1": dict(layers=[300, 100], act="leaky_relu", bn=False, batch=50,
               clip=None, init=None),
    "W2": dict(layers=[300, 100], act="elu", bn=True, batch=200, clip=None,
               init="he"),
    "W3": dict(layers=[300, 50, 50, 50, 50], act="relu", bn=False, batch=200,
               clip=1.0, init=None),
    "F-feed": dict(layers=[300, 50, 50, 20], act="relu", bn=False, batch=50,
                   clip=None, init=None, frozen=2, cache=False),
    "F-cache": dict(layers=[300, 50, 50, 20], act="relu", bn=False,
                    batch=50, clip=None, init=None, frozen=2, cache=True),
}
VARIANTS = ["official", "legacy-stock", "legacy", "legacy-1t", "library",
            "pytorch"]
LEARNING_RATE = 0.01
SEED = 42


# Below this many dense-layer FLOPs per tower and step, splitting a batch
# costs more than it gains (F-cache: 0.9 MFLOP per step, 0.019 s per epoch
# with 2 towers vs 0.014 s with one; W1: 56 MFLOP, 2 towers pay).
MIN_TOWER_FLOPS = 5e6


def library_plan(spec, cpu_count=None):
    """(towers, intra-op threads) the library variant uses for a workload.

    One tower per core, as long as each tower keeps `MIN_TOWER_FLOPS` of
    work per step; towers need one intra-op thread (docs/performance.md)
    and are not allowed with batch norm. Else one tower and TensorFlow's
    default threads (0).
    """
    cpus = cpu_count or os.cpu_count() or 1
    per_step = dense_flops(spec, spec["batch"])
    towers = min(cpus, spec["batch"], int(per_step // MIN_TOWER_FLOPS))
    if spec["bn"] or towers < 2:
        return 1, 0
    return towers, 1


def dense_flops(spec, n):
    """FLOPs of one training epoch over n examples (dense layers only).

    Per layer of shape (in, out) and example: 2*in*out forward (skipped for
    frozen layers when training on cached activations), 2*in*out for the
    weight gradient if the layer is trained, 2*in*out for the input gradient
    if a trained layer lies below.
    """
    sizes = [784] + list(spec["layers"]) + [10]
    frozen = spec.get("frozen", 0)
    total = 0
    for k in range(len(sizes) - 1):
        mac = sizes[k] * sizes[k + 1]
        trained = k >= frozen
        if trained or not spec.get("cache"):
            total += 2 * mac
        if trained:
            total += 2 * mac
            if k > frozen:
                total += 2 * mac
    return total * n


# ---------------------------------------------------------------- data --
def load_fashion(n_train):
    """(X_train, y_train, X_valid, y_valid): float32 in [0, 1], int32 labels.

    Validation = the first 5 000 training images, training = the next
    n_train (as TF1's `input_data.read_data_sets`).
    """
    from tf1_dnn.datasets import load_data
    (X, y), _ = load_data(FASHION_MNIST)
    X = X.reshape(len(X), -1).astype(np.float32) / 255.0
    y = y.astype(np.int32)
    return X[5000:5000 + n_train], y[5000:5000 + n_train], X[:5000], y[:5000]


# -------------------------------------------------------------- worker --
def _namespace(variant):
    """(tf, dense, batch_normalization, Session) for a variant."""
    if variant == "official":
        from tf1_dnn._compat import v1 as tf
        tf.disable_v2_behavior()
        from tf_keras.src.legacy_tf_layers import core, normalization
        return tf, core.dense, normalization.batch_normalization, tf.Session
    from tf1_dnn import tf
    if variant == "legacy-stock":
        from tf1_dnn._compat import v1
        return tf, tf.layers.dense, tf.layers.batch_normalization, v1.Session
    if variant == "legacy-1t":
        from tf1_dnn.session import small_model_config

        def Session(graph=None):
            return tf.Session(graph=graph, config=small_model_config(graph))
        return tf, tf.layers.dense, tf.layers.batch_normalization, Session
    return tf, tf.layers.dense, tf.layers.batch_normalization, tf.Session


def _build_legacy(tf, dense, batch_norm, spec, frozen_inputs=False):
    """The chapter's construction phase, written as the book writes it."""
    def leaky_relu(z, name=None):
        return tf.maximum(0.01 * z, z, name=name)
    act = {"leaky_relu": leaky_relu, "elu": tf.nn.elu,
           "relu": tf.nn.relu}[spec["act"]]
    init = (tf.variance_scaling_initializer(scale=2.0)
            if spec["init"] == "he" else None)
    frozen = spec.get("frozen", 0)
    X = tf.placeholder(tf.float32, shape=(None, 28 * 28), name="X")
    y = tf.placeholder(tf.int32, shape=(None), name="y")
    training = tf.placeholder_with_default(False, shape=(), name="training")
    net = {"X": X, "y": y, "training": training}
    h = X
    with tf.name_scope("dnn"):
        for k, units in enumerate(spec["layers"]):
            name = f"hidden{k + 1}"
            if spec["bn"]:
                h = dense(h, units, kernel_initializer=init, name=name)
                h = act(batch_norm(h, training=training, momentum=0.9))
            else:
                h = dense(h, units, activation=act, kernel_initializer=init,
                          name=name)
            net[name] = h
        logits = dense(h, 10, kernel_initializer=init, name="outputs")
        if spec["bn"]:
            logits = batch_norm(logits, training=training, momentum=0.9)
    with tf.name_scope("loss"):
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits)
        loss = tf.reduce_mean(xentropy, name="loss")
    with tf.name_scope("train"):
        optimizer = tf.train.GradientDescentOptimizer(LEARNING_RATE)
        if frozen:
            train_vars = tf.get_collection(
                tf.GraphKeys.TRAINABLE_VARIABLES,
                scope="hidden[34]|outputs")
            training_op = optimizer.minimize(loss, var_list=train_vars)
        elif spec["clip"]:
            threshold = spec["clip"]
            grads_and_vars = optimizer.compute_gradients(loss)
            capped_gvs = [(tf.clip_by_value(grad, -threshold, threshold), var)
                          for grad, var in grads_and_vars]
            training_op = optimizer.apply_gradients(capped_gvs)
        else:
            training_op = optimizer.minimize(loss)
    with tf.name_scope("eval"):
        correct = tf.nn.in_top_k(logits, y, 1)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    net.update(logits=logits, loss=loss, training_op=training_op,
               accuracy=accuracy, init=tf.global_variables_initializer(),
               extra_update_ops=tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    return net


def shuffle_batch(X, y, batch_size):
    """The chapter's (2nd-edition notes) mini-batch generator."""
    rnd_idx = np.random.permutation(len(X))
    n_batches = len(X) // batch_size
    for batch_idx in np.array_split(rnd_idx, n_batches):
        X_batch, y_batch = X[batch_idx], y[batch_idx]
        yield X_batch, y_batch


def _time_epochs(n_epochs, epoch_fn):
    wall, cpu = [], []
    for epoch in range(n_epochs + 1):            # epoch 0: warm-up
        t0, c0 = time.perf_counter(), time.process_time()
        epoch_fn(epoch)
        if epoch:
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return wall, cpu


def _run_legacy(variant, name, spec, data, n_epochs):
    tf, dense, batch_norm, Session = _namespace(variant)
    X_train, y_train, X_valid, y_valid = data
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(SEED)
        net = _build_legacy(tf, dense, batch_norm, spec)
    np.random.seed(SEED)
    X, y, training = net["X"], net["y"], net["training"]
    training_op = net["training_op"]
    extra_update_ops = net["extra_update_ops"]
    batch_size = spec["batch"]
    with Session(graph=graph) as sess:
        net["init"].run()
        if spec.get("cache"):
            hidden2 = net["hidden2"]
            n_batches = len(X_train) // batch_size
            h2_cache = sess.run(hidden2, feed_dict={X: X_train})

            def epoch_fn(epoch):
                shuffled_idx = np.random.permutation(len(X_train))
                hidden2_batches = np.array_split(h2_cache[shuffled_idx],
                                                 n_batches)
                y_batches = np.array_split(y_train[shuffled_idx], n_batches)
                for hidden2_batch, y_batch in zip(hidden2_batches, y_batches):
                    sess.run(training_op,
                             feed_dict={hidden2: hidden2_batch, y: y_batch})
        elif spec["bn"]:
            def epoch_fn(epoch):
                for X_batch, y_batch in shuffle_batch(X_train, y_train,
                                                      batch_size):
                    sess.run([training_op, extra_update_ops],
                             feed_dict={training: True, X: X_batch,
                                        y: y_batch})
        else:
            def epoch_fn(epoch):
                for X_batch, y_batch in shuffle_batch(X_train, y_train,
                                                      batch_size):
                    sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        wall, cpu = _time_epochs(n_epochs, epoch_fn)
        acc = net["accuracy"].eval(feed_dict={X: X_valid, y: y_valid})
        stats = getattr(sess, "fast_run_stats", lambda: None)()
    return {"wall": wall, "cpu": cpu, "valid_accuracy": float(acc),
            "fast_run_stats": stats}


def _model_fn(tf, spec, first_layer=0):
    act = {"leaky_relu": lambda z: tf.maximum(0.01 * z, z), "elu": tf.nn.elu,
           "relu": tf.nn.relu}[spec["act"]]
    init = (tf.variance_scaling_initializer(scale=2.0)
            if spec["init"] == "he" else None)

    def model_fn(X, is_training):
        h = X
        for k in range(first_layer, len(spec["layers"])):
            units = spec["layers"][k]
            if spec["bn"]:
                h = tf.layers.dense(h, units, kernel_initializer=init,
                                    name=f"hidden{k + 1}")
                h = act(tf.layers.batch_normalization(
                    h, training=is_training, momentum=0.9, name=f"bn{k + 1}"))
            else:
                h = tf.layers.dense(h, units, activation=act,
                                    kernel_initializer=init,
                                    name=f"hidden{k + 1}")
        logits = tf.layers.dense(h, 10, kernel_initializer=init,
                                 name="outputs")
        if spec["bn"]:
            logits = tf.layers.batch_normalization(
                logits, training=is_training, momentum=0.9, name="bn_out")
        return logits
    return model_fn


def _run_library(name, spec, data, n_epochs):
    from tf1_dnn import frozen_cache, tf, training
    X_train, y_train, X_valid, y_valid = data
    towers, intra = library_plan(spec)
    with tf.Graph().as_default():
        tf.set_random_seed(SEED)
        # New code may choose its threads (the intra-op pool is per process:
        # run_bench gives each library workload its own process).
        config = tf.ConfigProto(intra_op_parallelism_threads=intra)
        with tf.Session(config=config) as sess:
            optimizer = tf.train.GradientDescentOptimizer(LEARNING_RATE)
            frozen = spec.get("frozen", 0)
            if frozen and spec.get("cache"):
                # The "pretrained" frozen part: hidden1-2 only.
                lower = dict(spec, layers=spec["layers"][:frozen])
                X = tf.placeholder(tf.float32, (None, 784), name="X")
                h = X
                for k, units in enumerate(lower["layers"]):
                    h = tf.layers.dense(h, units, activation=tf.nn.relu,
                                        name=f"hidden{k + 1}")
                sess.run(tf.global_variables_initializer())
                cached = frozen_cache.FrozenCache(sess, X, h, X_train,
                                                  X_valid)
                trainer = cached.build(_model_fn(tf, spec, frozen), y_train,
                                       batch_size=spec["batch"],
                                       optimizer=optimizer, seed=SEED,
                                       towers=towers)
                trainer.load_data(sess)
                Xv, yv = cached.valid_features, y_valid
            else:
                var_list = "hidden[34]|outputs" if frozen else None
                trainer = training.build(
                    _model_fn(tf, spec), X_train, y_train,
                    batch_size=spec["batch"], optimizer=optimizer,
                    clip_value=spec["clip"], var_list=var_list, seed=SEED,
                    towers=towers)
                trainer.load_data(sess)
                Xv, yv = X_valid, y_valid
            wall, cpu = _time_epochs(
                n_epochs, lambda e: training.fit(sess, trainer, 1, load=False))
            _, acc = trainer.evaluate(sess, Xv, yv)
    return {"wall": wall, "cpu": cpu, "valid_accuracy": float(acc),
            "fast_run_stats": None, "towers": towers,
            "intra_op_threads": intra}


def _run_pytorch(name, spec, data, n_epochs):
    """The workload in PyTorch eager mode (2nd-edition style loop)."""
    import torch
    from torch import nn
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    X_train, y_train, X_valid, y_valid = data
    sizes = [784] + list(spec["layers"]) + [10]
    act = {"leaky_relu": lambda: nn.LeakyReLU(0.01), "elu": nn.ELU,
           "relu": nn.ReLU}[spec["act"]]
    frozen = spec.get("frozen", 0)
    lower, upper = [], []
    for k in range(len(sizes) - 1):
        dense = nn.Linear(sizes[k], sizes[k + 1])
        if spec["init"] == "he":      # TF variance_scaling(2.0): trunc. normal
            std = (2.0 / sizes[k]) ** 0.5 / 0.87962566103423978
            nn.init.trunc_normal_(dense.weight, std=std, a=-2 * std,
                                  b=2 * std)
        else:                          # tf.layers.dense: Glorot uniform
            nn.init.xavier_uniform_(dense.weight)
        nn.init.zeros_(dense.bias)
        block = [dense]
        if spec["bn"]:                 # TF momentum 0.9 = torch momentum 0.1
            block.append(nn.BatchNorm1d(sizes[k + 1], eps=1e-3, momentum=0.1))
        if k < len(sizes) - 2:
            block.append(act())
        (lower if k < frozen else upper).extend(block)
    lower, upper = nn.Sequential(*lower), nn.Sequential(*upper)
    for p in lower.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.SGD(upper.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    X = torch.from_numpy(X_train)
    y = torch.from_numpy(y_train.astype(np.int64))
    if spec.get("cache"):
        with torch.no_grad():
            X = lower(X)
        lower_fn = nn.Identity()
    else:
        lower_fn = lower
    n_batches = len(X_train) // spec["batch"]

    def epoch_fn(epoch):
        upper.train()
        for idx in np.array_split(np.random.permutation(len(X_train)),
                                  n_batches):
            idx = torch.from_numpy(idx)
            xb, yb = X[idx], y[idx]
            with torch.no_grad():
                xb = lower_fn(xb)
            optimizer.zero_grad()
            loss = loss_fn(upper(xb), yb)
            loss.backward()
            if spec["clip"]:
                nn.utils.clip_grad_value_(upper.parameters(), spec["clip"])
            optimizer.step()

    wall, cpu = _time_epochs(n_epochs, epoch_fn)
    upper.eval()
    with torch.no_grad():
        logits = upper(lower(torch.from_numpy(X_valid)))
        acc = (logits.argmax(1).numpy() == y_valid).mean()
    return {"wall": wall, "cpu": cpu, "valid_accuracy": float(acc),
            "fast_run_stats": None, "threads": torch.get_num_threads()}


def worker(variant, workloads, n_train, n_epochs):
    """Runs `workloads` for one variant in this process; returns results."""
    data = load_fashion(n_train)
    out = {}
    for name in workloads:
        spec = WORKLOADS[name]
        if variant == "library":
            out[name] = _run_library(name, spec, data, n_epochs)
        elif variant == "pytorch":
            out[name] = _run_pytorch(name, spec, data, n_epochs)
        else:
            out[name] = _run_legacy(variant, name, spec, data, n_epochs)
    return out


def profile_step(sess, fetches, feed_dict, n=20):
    """Per-op-type microseconds of one step, from `RunMetadata` traces.

    Runs `fetches` n times with `FULL_TRACE` and returns a list of
    (op type, mean us per step, nodes per step), largest first, plus the
    mean number of executed nodes per step. The traced runs take the stock
    `run` path. Op types are kernel-independent (`tf1_dnn.op_types`): oneDNN's
    `_MklMatMul` is `MatMul`, and a fused node is labelled with the ops it
    stands for, `MatMul+BiasAdd+Relu` (its time cannot be split).
    """
    import collections
    from tf1_dnn import op_types
    from tf1_dnn._compat import v1
    total, count = collections.Counter(), collections.Counter()
    options = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE,
                            output_partition_graphs=True)
    for _ in range(n):
        meta = v1.RunMetadata()
        sess.run(fetches, feed_dict, options=options, run_metadata=meta)
        for _, types, micros in op_types.step_nodes(meta):
            label = "+".join(types)
            total[label] += micros
            count[label] += 1
    rows = [(k, v / n, count[k] / n) for k, v in total.most_common()]
    return rows, sum(count.values()) / n


def _profile(workloads, n_train):
    """Prints where one training step's time goes (legacy variant).

    F-cache is profiled as F-feed (the graph fed with images).
    """
    from tf1_dnn import tf
    X_train, y_train, _, _ = load_fashion(n_train)
    for name in workloads:
        spec = WORKLOADS[name]
        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(SEED)
            net = _build_legacy(tf, tf.layers.dense,
                                tf.layers.batch_normalization, spec)
        bs = spec["batch"]
        feed = {net["X"]: X_train[:bs], net["y"]: y_train[:bs]}
        fetch = net["training_op"]
        if spec["bn"]:
            feed[net["training"]] = True
            fetch = [net["training_op"], net["extra_update_ops"]]
        with tf.Session(graph=graph) as sess:
            sess.run(net["init"])
            for _ in range(50):
                sess.run(fetch, feed)
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(200):
                sess.run(fetch, feed)
            wall = (time.perf_counter() - t0) / 200 * 1e6
            cpu = (time.process_time() - c0) / 200 * 1e6
            rows, n_ops = profile_step(sess, fetch, feed)
        kernels = sum(r[1] for r in rows)
        print(f"{name}: batch {bs}, {n_ops:.0f} ops per step; step {wall:.0f}"
              f" us wall, {cpu:.0f} us CPU (fast run); kernels {kernels:.0f}"
              " us (traced)")
        for op_type, us, k in rows[:10]:
            print(f"  {op_type:<36} {us:8.1f} us  ({k:.0f} ops)")


# ------------------------------------------------------------ orchestra --
def _python():
    return sys.executable


def _env():
    env = dict(os.environ)
    root = str(pathlib.Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def _subprocess_json(code_args):
    proc = subprocess.run([_python()] + code_args, capture_output=True,
                          text=True, env=_env())
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError(
        f"benchmark subprocess failed (exit {proc.returncode}):\n"
        f"{proc.stderr[-3000:]}")


def measure_import(rounds):
    """Median seconds of `import tensorflow` and `from tf1_dnn import tf`."""
    codes = {
        "import tensorflow": "import tensorflow",
        "from tf1_dnn import tf": "from tf1_dnn import tf",
    }
    times = {k: [] for k in codes}
    for _ in range(rounds):
        for label, stmt in codes.items():
            code = ("import time, json; t = time.perf_counter(); "
                    f"{stmt}; print('BENCH_JSON ' + "
                    "json.dumps(time.perf_counter() - t))")
            times[label].append(_subprocess_json(["-c", code]))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"seconds": med, "all": times,
            "added": med["from tf1_dnn import tf"] - med["import tensorflow"]}


def _have_module(name):
    import importlib.util
    return importlib.util.find_spec(name) is not None


def run_bench(quick=False, workloads=None, variants=None, rounds=None,
              n_train=None, n_epochs=None, import_rounds=None, log=print):
    """Runs the benchmark; returns the results dict (see `to_markdown`)."""
    workloads = list(workloads or list(WORKLOADS))
    variants = list(variants or VARIANTS)
    if "official" in variants and not _have_module("tf_keras"):
        log("tf_keras is not installed: skipping the official variant")
        variants.remove("official")
    if "pytorch" in variants and not _have_module("torch"):
        log("torch is not installed: skipping the pytorch variant")
        variants.remove("pytorch")
    rounds = rounds or (1 if quick else 3)
    n_train = n_train or (5500 if quick else 55000)
    n_epochs = n_epochs or (1 if quick else 3)
    raw = {v: {w: [] for w in workloads} for v in variants}
    for r in range(rounds):
        for variant in variants:
            log(f"round {r + 1}/{rounds}: {variant} ...")
            # The library picks threads per workload, and TensorFlow's
            # thread pools are per process: one process per workload.
            groups = ([[w] for w in workloads] if variant == "library"
                      else [workloads])
            for group in groups:
                args = ["-m", "tf1_dnn.bench", "--worker", variant,
                        "--workloads", ",".join(group),
                        "--n-train", str(n_train), "--epochs", str(n_epochs)]
                res = _subprocess_json(args)
                for w in group:
                    raw[variant][w].append(res[w])
    results = {"n_train": n_train, "timed_epochs": n_epochs,
               "rounds": rounds, "quick": quick, "cpu_count": os.cpu_count(),
               "rows": []}
    for w in workloads:
        for variant in variants:
            ms = raw[variant][w]
            wall = statistics.median(t for m in ms for t in m["wall"])
            cpu = statistics.median(t for m in ms for t in m["cpu"])
            accs = [m["valid_accuracy"] for m in ms]
            ratio = None
            if "official" in variants:
                # Per round (the machine's load drifts between rounds), then
                # the median over rounds.
                ratio = statistics.median(
                    statistics.median(m["wall"]) / statistics.median(o["wall"])
                    for m, o in zip(ms, raw["official"][w]))
            results["rows"].append({
                "workload": w, "variant": variant,
                "epoch_seconds": wall, "epoch_cpu_seconds": cpu,
                "ratio_to_official": ratio,
                "gflops": dense_flops(WORKLOADS[w], n_train) / wall / 1e9,
                "valid_accuracy": statistics.median(accs),
                "valid_accuracies": accs,
                "all_epoch_seconds": [t for m in ms for t in m["wall"]],
                "fast_run_stats": ms[-1].get("fast_run_stats"),
            })
            # What the variant chose (library: towers and intra-op threads;
            # pytorch: its thread count).
            for key in ("towers", "intra_op_threads", "threads"):
                if key in ms[-1]:
                    results["rows"][-1][key] = ms[-1][key]
    log("import cost ...")
    results["import"] = measure_import(import_rounds or (1 if quick else 5))
    return results


def to_markdown(results):
    lines = [
        f"# tf1_dnn bench ({results['n_train']} training images, "
        f"{results['timed_epochs']} timed epoch(s) x {results['rounds']} "
        f"round(s), {results['cpu_count']} CPUs)", "",
        "| workload | variant | epoch s (median) | CPU s | ratio to official "
        "| GFLOP/s | valid acc |",
        "|---|---|---|---|---|---|---|"]
    for row in results["rows"]:
        ratio = row["ratio_to_official"]
        lines.append(
            f"| {row['workload']} | {row['variant']} | "
            f"{row['epoch_seconds']:.3f} | {row['epoch_cpu_seconds']:.3f} | "
            f"{'-' if ratio is None else f'{ratio:.2f}'} | "
            f"{row['gflops']:.1f} | {row['valid_accuracy']:.4f} |")
    plans = [f"{r['workload']} {r['towers']} tower(s), "
             f"{r['intra_op_threads'] or 'default'} intra-op thread(s)"
             for r in results["rows"] if "towers" in r]
    if plans:
        lines += ["", "Library plan: " + "; ".join(plans) + "."]
    imp = results.get("import")
    if imp:
        s = imp["seconds"]
        lines += ["", f"Import: `import tensorflow` {s['import tensorflow']:.2f} s, "
                  f"`from tf1_dnn import tf` {s['from tf1_dnn import tf']:.2f} s "
                  f"(adds {imp['added']:+.2f} s)."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tf1_dnn bench",
        description="Benchmark the chapter's networks (see tf1_dnn.bench).")
    parser.add_argument("--quick", action="store_true",
                        help="small CI run (< 2 minutes)")
    parser.add_argument("--out", default="bench_results",
                        help="folder for bench.json and bench.md")
    parser.add_argument("--workloads", help="comma-separated, e.g. W1,W3")
    parser.add_argument("--variants", help="comma-separated subset of "
                        + ",".join(VARIANTS))
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--n-train", type=int)
    parser.add_argument("--epochs", type=int, help="timed epochs")
    parser.add_argument("--import-rounds", type=int)
    parser.add_argument("--profile", action="store_true",
                        help="print a per-op trace of one training step of "
                        "each workload (legacy code) instead")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    wl = args.workloads.split(",") if args.workloads else None
    for w in wl or ():
        if w not in WORKLOADS:
            parser.error(f"unknown workload {w!r}; choose from "
                         f"{', '.join(WORKLOADS)}")
    if args.profile:
        _profile(wl or ["W1", "W2", "W3", "F-feed"], 5500)
        return 0
    if args.worker:
        res = worker(args.worker, wl, args.n_train, args.epochs)
        print("BENCH_JSON " + json.dumps(res))
        return 0
    variants = args.variants.split(",") if args.variants else None
    for v in variants or ():
        if v not in VARIANTS:
            parser.error(f"unknown variant {v!r}; choose from "
                         f"{', '.join(VARIANTS)}")
    results = run_bench(args.quick, wl, variants, args.rounds, args.n_train,
                        args.epochs, args.import_rounds,
                        log=lambda m: print(m, file=sys.stderr, flush=True))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=1))
    md = to_markdown(results)
    (out / "bench.md").write_text(md)
    print(md)
    print(f"written: {out / 'bench.json'}, {out / 'bench.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
