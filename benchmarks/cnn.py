"""The chapter-13-style CNN (`legacy_examples/25_tf_layers_cnn.py`) as a
bench workload, plus the convolution peak probe.

    CNN   28x28x1 -> conv1 32 3x3 SAME ReLU -> conv2 64 3x3 SAME ReLU
          -> 2x2 max pool (VALID) -> dropout 0.25 -> fc1 128 ReLU
          -> dropout 0.5 -> 10 logits; Adam (0.001), batch 100

The construction phase is the example's, with `tf.layers` taken from the
variant: the official TF1 layers (`tf_keras.src.legacy_tf_layers`
convolutional/pooling/core) on `tf.compat.v1`, or `from tf1_dnn import tf`.
Same graph seed, same numpy seed, same batches: the official and legacy rows
must end with the same validation accuracy (tests/test_bench.py checks it).
The `pytorch` variant is `benchmarks.pytorch_runner.run_pytorch_cnn`; there is
no `library` variant (tf1_dnn.training has no CNN plan).

`conv_peak()` measures this machine's convolution peak: one large conv2d
(batch 64, 56x56x64 -> 64, 3x3, SAME), run repeatedly in a stock session with
TensorFlow's default threads; the best GFLOP/s of the runs.
"""

import time

import numpy as np

from benchmarks.common import SEED, shuffle_batch, time_epochs

WORKLOADS = {
    "CNN": dict(conv1=32, conv2=64, ksize=3, fc1=128, conv_dropout=0.25,
                fc1_dropout=0.5, batch=100),
}
VARIANTS = ["official", "legacy-stock", "legacy", "legacy-1t", "pytorch"]
# --quick (CI): 500 training images (5 steps) and 1 000 validation images;
# a CNN epoch over 5 500 images takes ~10 s per variant on 2 cores.
QUICK = dict(n_train=500, n_valid=1000)
EVAL_BATCH = 1000          # validation in chunks (conv2 of 5 000 images: 1 GB)


def cnn_flops(spec, n):
    """FLOPs of one training epoch over n examples (convolutions and dense
    layers; pooling, ReLU, dropout and Adam not counted).

    Per layer and example, with MAC = multiply-adds of its forward pass
    (conv: out_h * out_w * out_maps * k * k * in_maps): 2*MAC forward, 2*MAC
    weight gradient, 2*MAC input gradient except for conv1 (its input is the
    placeholder).
    """
    k = spec["ksize"]
    macs = [28 * 28 * spec["conv1"] * k * k * 1,
            28 * 28 * spec["conv2"] * k * k * spec["conv1"],
            14 * 14 * spec["conv2"] * spec["fc1"],
            spec["fc1"] * 10]
    total = 4 * macs[0] + 6 * sum(macs[1:])
    return total * n


flops = cnn_flops


def _layers(variant):
    """(tf, conv2d, max_pooling2d, dropout, dense, Session) for a variant."""
    if variant == "official":
        from tf1_dnn._compat import v1 as tf
        tf.disable_v2_behavior()
        from tf_keras.src.legacy_tf_layers import convolutional, core, pooling
        return (tf, convolutional.conv2d, pooling.max_pooling2d, core.dropout,
                core.dense, tf.Session)
    from tf1_dnn import tf
    layers = (tf, tf.layers.conv2d, tf.layers.max_pooling2d,
              tf.layers.dropout, tf.layers.dense)
    if variant == "legacy-stock":
        from tf1_dnn._compat import v1
        return layers + (v1.Session,)
    if variant == "legacy-1t":
        from tf1_dnn.session import small_model_config

        def Session(graph=None):
            return tf.Session(graph=graph, config=small_model_config(graph))
        return layers + (Session,)
    return layers + (tf.Session,)


def build_cnn(tf, conv2d, max_pooling2d, dropout, dense, spec):
    """The example's construction phase (its names and scopes)."""
    height = width = 28
    k = spec["ksize"]
    with tf.name_scope("inputs"):
        X = tf.placeholder(tf.float32, shape=[None, height * width], name="X")
        X_reshaped = tf.reshape(X, shape=[-1, height, width, 1])
        y = tf.placeholder(tf.int32, shape=[None], name="y")
        training = tf.placeholder_with_default(False, shape=[],
                                               name="training")
    conv1 = conv2d(X_reshaped, filters=spec["conv1"], kernel_size=k,
                   strides=1, padding="SAME", activation=tf.nn.relu,
                   name="conv1")
    conv2 = conv2d(conv1, filters=spec["conv2"], kernel_size=k, strides=1,
                   padding="SAME", activation=tf.nn.relu, name="conv2")
    with tf.name_scope("pool3"):
        pool3 = max_pooling2d(conv2, pool_size=2, strides=2, padding="VALID")
        pool3_flat = tf.reshape(pool3, shape=[-1, spec["conv2"] * 14 * 14])
        pool3_flat_drop = dropout(pool3_flat, spec["conv_dropout"],
                                  training=training)
    with tf.name_scope("fc1"):
        fc1 = dense(pool3_flat_drop, spec["fc1"], activation=tf.nn.relu,
                    name="fc1")
        fc1_drop = dropout(fc1, spec["fc1_dropout"], training=training)
    with tf.name_scope("output"):
        logits = dense(fc1_drop, 10, name="output")
    with tf.name_scope("train"):
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
            logits=logits, labels=y)
        loss = tf.reduce_mean(xentropy)
        training_op = tf.train.AdamOptimizer().minimize(loss)
    with tf.name_scope("eval"):
        correct = tf.nn.in_top_k(logits, y, 1)
        n_correct = tf.reduce_sum(tf.cast(correct, tf.int32))
        loss_sum = tf.reduce_sum(xentropy)
    return dict(X=X, y=y, training=training, logits=logits, loss=loss,
                training_op=training_op, n_correct=n_correct,
                loss_sum=loss_sum, init=tf.global_variables_initializer())


def evaluate(sess, net, X, y):
    """(accuracy, mean loss) on X, y, in chunks of EVAL_BATCH images."""
    correct, loss = 0, 0.0
    for i in range(0, len(X), EVAL_BATCH):
        c, s = sess.run([net["n_correct"], net["loss_sum"]], feed_dict={
            net["X"]: X[i:i + EVAL_BATCH], net["y"]: y[i:i + EVAL_BATCH]})
        correct, loss = correct + int(c), loss + float(s)
    return correct / len(X), loss / len(X)


def run(variant, name, spec, data, n_epochs):
    """One CNN run for a TensorFlow variant, in this process."""
    if variant not in VARIANTS or variant == "pytorch":
        raise ValueError(f"the CNN workload has no {variant!r} variant "
                         f"(choose from {', '.join(VARIANTS)})")
    tf, conv2d, max_pooling2d, dropout, dense, Session = _layers(variant)
    X_train, y_train, X_valid, y_valid = data
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(SEED)
        net = build_cnn(tf, conv2d, max_pooling2d, dropout, dense, spec)
    np.random.seed(SEED)
    X, y, training = net["X"], net["y"], net["training"]
    training_op = net["training_op"]
    with Session(graph=graph) as sess:
        sess.run(net["init"])

        def epoch_fn(epoch):
            for X_batch, y_batch in shuffle_batch(X_train, y_train,
                                                  spec["batch"]):
                sess.run(training_op, feed_dict={X: X_batch, y: y_batch,
                                                 training: True})
        wall, cpu = time_epochs(n_epochs, epoch_fn)
        acc, valid_loss = evaluate(sess, net, X_valid, y_valid)
        stats = getattr(sess, "fast_run_stats", lambda: None)()
    return {"wall": wall, "cpu": cpu, "valid_accuracy": float(acc),
            "valid_loss": valid_loss, "fast_run_stats": stats}


def conv_peak(repeats=10, batch=64, size=56, maps=64, ksize=3):
    """{"gflops": best GFLOP/s, "shape": description, "repeats": repeats} of
    one large conv2d on this machine.

    A stock `tf.compat.v1.Session` with TensorFlow's default threads runs the
    forward convolution `repeats` times after a warm-up; FLOPs = 2 * MACs.
    """
    from tf1_dnn._compat import v1 as tf
    graph = tf.Graph()
    with graph.as_default():
        rng = np.random.RandomState(SEED)
        x = tf.constant(rng.rand(batch, size, size, maps).astype(np.float32))
        w = tf.Variable(rng.rand(ksize, ksize, maps, maps).astype(np.float32)
                        * 0.01)
        out = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME")
        # Fetch a scalar: the timing is the convolution, not a 50 MB copy.
        fetch = tf.reduce_sum(out[:, :1, :1, :1])
        init = tf.global_variables_initializer()
    fl = 2 * batch * size * size * maps * ksize * ksize * maps
    best = 0.0
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        sess.run(fetch)
        for _ in range(repeats):
            t0 = time.perf_counter()
            sess.run(fetch)
            best = max(best, fl / (time.perf_counter() - t0) / 1e9)
    shape = (f"conv2d {batch}x{size}x{size}x{maps} -> {maps} maps, "
             f"{ksize}x{ksize} SAME, {fl / 1e9:.2f} GFLOP per run")
    return {"gflops": best, "shape": shape, "repeats": repeats}
