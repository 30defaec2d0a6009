"""`python -m tf1_dnn bench --profile`: where one training step's time goes,
per op type (kernel-independent names from `tf1_dnn.op_types`)."""

import time

from benchmarks.common import SEED, load_fashion
from benchmarks.dense import WORKLOADS, _build_legacy


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


def profile(workloads, n_train):
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
