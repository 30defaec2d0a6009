"""Parity of tf1_dnn.layers with the official TF 1.x layers.

The oracle is tf_keras's copy of TF 1.15's `tf.layers`
(`tf_keras.src.legacy_tf_layers`), which still builds `tf.compat.v1` graphs.
Each test builds the same model twice, once with each library, in separate
graphs of this process, and compares:

* the graph itself: every op name and type, every collection's member names;
* numbers, with identical weights loaded into both graphs: forward outputs,
  gradients, moving statistics after several training steps (float32,
  atol 1e-6), plus closed-form values computed in numpy for the moving
  statistics;
* the chapter's first training run (784-300-100-10 leaky-ReLU MLP on
  Fashion-MNIST): the same validation accuracy after one epoch.
"""

import gzip
import hashlib
import types

import numpy as np
import pytest

from tf1_dnn import layers as ours_mod
from tf1_dnn import tf

kcore = pytest.importorskip("tf_keras.src.legacy_tf_layers.core")
knorm = pytest.importorskip("tf_keras.src.legacy_tf_layers.normalization")

OURS = types.SimpleNamespace(
    name="tf1_dnn", dense=ours_mod.dense, Dense=ours_mod.Dense,
    batch_normalization=ours_mod.batch_normalization,
    BatchNormalization=ours_mod.BatchNormalization,
    dropout=ours_mod.dropout, flatten=ours_mod.flatten)
ORACLE = types.SimpleNamespace(
    name="tf_keras", dense=kcore.dense, Dense=kcore.Dense,
    batch_normalization=knorm.batch_normalization,
    BatchNormalization=knorm.BatchNormalization,
    dropout=kcore.dropout, flatten=kcore.flatten)

ATOL = 1e-6
MAX_DIFF = {}  # what the figures in the report are read from (pytest -s)


def _record(what, a, b):
    diff = float(np.max(np.abs(np.asarray(a, np.float64) -
                               np.asarray(b, np.float64))))
    MAX_DIFF[what] = max(MAX_DIFF.get(what, 0.0), diff)
    return diff


@pytest.fixture(scope="module", autouse=True)
def _print_max_diffs():
    yield
    print("\nmax |tf1_dnn - tf_keras oracle|:")
    for what, diff in sorted(MAX_DIFF.items()):
        print(f"  {what:40s} {diff:.3g}")


def _value_for(var):
    """Deterministic weights from the variable's name (same in both graphs)."""
    seed = int(hashlib.md5(var.op.name.encode()).hexdigest()[:8], 16)
    r = np.random.RandomState(seed)
    shape = var.shape.as_list()
    if "moving_variance" in var.op.name:
        value = r.uniform(0.5, 2.0, shape)
    else:
        value = r.randn(*shape)
    return value.astype(var.dtype.base_dtype.as_numpy_dtype)


def _structure(graph):
    ops = sorted((op.name, op.type) for op in graph.get_operations())
    collections = {
        key: [getattr(item, "name", repr(item))
              for item in graph.get_collection(key)]
        for key in graph.get_all_collection_keys()}
    return ops, collections


def _run_both(build, feeds, fetch_keys, session_config, steps=0,
              step_feeds=None):
    """Builds `build(lib)` with each library; returns {lib.name: results}.

    `build` returns a dict of tensors/ops; every variable is loaded with
    `_value_for`. If `steps`, runs `train` that many times first (feeding
    `step_feeds(i)`), then fetches `fetch_keys` with `feeds`.
    """
    results = {}
    for lib in (OURS, ORACLE):
        g = tf.Graph()
        with g.as_default():
            t = build(lib)
            variables = tf.global_variables()
            with tf.Session(graph=g, config=session_config) as sess:
                sess.run(tf.global_variables_initializer())
                for v in variables:
                    v.load(_value_for(v), sess)
                for i in range(steps):
                    sess.run(t["train"], feed_dict=step_feeds(t, i))
                fetched = sess.run({k: t[k] for k in fetch_keys},
                                   feed_dict=feeds(t))
                fetched["variables"] = {v.op.name: sess.run(v)
                                        for v in variables}
        fetched["structure"] = _structure(g)
        results[lib.name] = fetched
    return results["tf1_dnn"], results["tf_keras"]


def _assert_same_structure(a, b):
    ops_a, ops_b = a["structure"][0], b["structure"][0]
    only_a = sorted(set(ops_a) - set(ops_b))
    only_b = sorted(set(ops_b) - set(ops_a))
    assert not only_a and not only_b, (only_a[:20], only_b[:20])
    assert a["structure"][1] == b["structure"][1]


def _grads(loss, X):
    params = tf.trainable_variables()
    return dict(zip(["d_input"] + [f"d_{p.op.name}" for p in params],
                    tf.gradients(loss, [X] + params)))


# --- graph structure: op names, variables, collections ---------------------

def _mlp_structure(lib):
    X = tf.placeholder(tf.float32, (None, 6), name="X")
    training = tf.placeholder_with_default(False, (), name="training")
    with tf.name_scope("dnn"):
        h1 = lib.dense(X, 5, activation=tf.nn.relu, name="hidden1",
                       kernel_regularizer=lambda w: 0.1 * tf.nn.l2_loss(w),
                       bias_regularizer=lambda w: None)
        h1 = lib.batch_normalization(h1, training=training, momentum=0.9)
        h1 = lib.dropout(h1, 0.5, training=training)
        h2 = lib.dense(h1, 4, activation=tf.nn.elu)
        h2 = lib.dense(h2, 4, trainable=False,
                       activity_regularizer=tf.reduce_sum)
        out = lib.dense(h2, 3, name="outputs", reuse=tf.AUTO_REUSE)
        lib.dense(h2, 3, name="outputs", reuse=tf.AUTO_REUSE)
        lib.batch_normalization(out, training=True, center=False)
        lib.batch_normalization(out, training=False, scale=False)
    return {}


def _conv_structure(lib):
    X4 = tf.placeholder(tf.float32, (None, 4, 4, 3), name="X4")
    X5 = tf.placeholder(tf.float32, (None, 2, 3, 3, 2), name="X5")
    training = tf.placeholder_with_default(False, (), name="training")
    lib.batch_normalization(X4, training=training)             # fused NHWC
    lib.batch_normalization(X4, training=True, axis=1)         # fused NCHW
    lib.batch_normalization(X4, training=training, fused=False)
    lib.batch_normalization(X4, training=True, axis=[1, 2])
    lib.batch_normalization(X4, training=True, axis=2)         # not fusable
    lib.batch_normalization(X5, training=True, axis=4)         # fused NDHWC
    lib.batch_normalization(tf.cast(X4, tf.float64), training=True)
    lib.dense(tf.reshape(X4, [-1, 4, 12]), 2)                  # Tensordot
    lib.flatten(X4)
    lib.flatten(tf.placeholder(tf.float32, (None, None, 3)))
    lib.flatten(tf.placeholder(tf.float32, (7, None, 3)))
    lib.flatten(tf.placeholder(tf.float32, (None,)))
    lib.dropout(X4, 0.3, noise_shape=[1, 4, 4, 1], seed=1, training=True)
    return {}


@pytest.mark.parametrize("build", [_mlp_structure, _conv_structure])
def test_same_ops_variables_and_collections(build):
    graphs = []
    for lib in (OURS, ORACLE):
        g = tf.Graph()
        with g.as_default():
            build(lib)
        graphs.append(g)
    a, b = (_structure(g) for g in graphs)
    only_ours = sorted(set(a[0]) - set(b[0]))
    only_oracle = sorted(set(b[0]) - set(a[0]))
    assert only_ours == [] and only_oracle == []
    assert a[1] == b[1]
    # The same variables, with the same dtypes, shapes and trainable flags.
    for key in ("variables", "trainable_variables", "model_variables"):
        va, vb = (g.get_collection(key) for g in graphs)
        assert [(v.name, v.dtype, v.shape.as_list()) for v in va] == \
            [(v.name, v.dtype, v.shape.as_list()) for v in vb]
    assert a[1]["update_ops"]  # the comparison was not vacuous
    if build is _mlp_structure:
        assert len(a[1]["regularization_losses"]) == 2  # kernel + activity
        assert len(a[1]["update_ops"]) == 4  # 2 per training batch norm


def test_structure_names_legacy_scripts_rely_on():
    g = tf.Graph()
    with g.as_default():
        _mlp_structure(OURS)
    names = {op.name for op in g.get_operations()}
    for name in ["hidden1/kernel", "hidden1/bias", "dnn/hidden1/MatMul",
                 "dnn/hidden1/BiasAdd", "dnn/hidden1/Relu",
                 "dnn/hidden1/kernel/Regularizer/mul",
                 "batch_normalization/moving_mean",
                 "dnn/batch_normalization/cond_2/Merge",
                 "dnn/dense/Elu", "dense_1/kernel", "outputs/kernel",
                 "dnn/dense_1/ActivityRegularizer/truediv"]:
        assert name in names, name


# --- numbers: forward, gradients, moving statistics ------------------------

def _dense_case(rank, dtype):
    def build(lib):
        shape = (None, 6) if rank == 2 else (None, 3, 6)
        X = tf.placeholder(dtype, shape, name="X")
        h = lib.dense(X, 5, activation=tf.nn.elu, name="hidden1")
        out = lib.dense(h, 4, name="outputs")
        loss = tf.reduce_sum(out * tf.cos(tf.cast(tf.range(4), dtype)))
        return {"X": X, "out": out, **_grads(loss, X)}
    return build


@pytest.mark.parametrize("rank,dtype", [(2, "float32"), (3, "float32"),
                                        (2, "float64")])
def test_dense_forward_and_gradients_match(rank, dtype, session_config, rng):
    build = _dense_case(rank, tf.as_dtype(dtype))
    x = rng.randn(*((8, 6) if rank == 2 else (8, 3, 6))).astype(dtype)
    keys = ["out", "d_input", "d_hidden1/kernel", "d_hidden1/bias",
            "d_outputs/kernel", "d_outputs/bias"]
    a, b = _run_both(build, lambda t: {t["X"]: x}, keys, session_config)
    _assert_same_structure(a, b)
    for k in keys:
        assert a[k].dtype == np.dtype(dtype)
        what = ("dense forward" if k == "out" else "dense gradients")
        assert _record(what, a[k], b[k]) <= ATOL, k
    # Independent check of the forward pass in numpy.
    w = a["variables"]
    h = np.tensordot(x, w["hidden1/kernel"], 1) + w["hidden1/bias"]
    h = np.where(h > 0, h, np.expm1(np.minimum(h, 0)))
    ref = np.tensordot(h, w["outputs/kernel"], 1) + w["outputs/bias"]
    np.testing.assert_allclose(a["out"], ref, rtol=1e-5, atol=1e-5)


BN_CASES = {
    # id: (input shape, kwargs)
    "2d": ((16, 5), {}),
    "2d-no-center-scale": ((16, 5), {"center": False, "scale": False}),
    "2d-axis0": ((6, 5), {"axis": 0}),
    "4d-fused-nhwc": ((4, 3, 3, 2), {}),
    "4d-fused-nchw": ((4, 2, 3, 3), {"axis": 1}),
    "4d-plain-nhwc": ((4, 3, 3, 2), {"fused": False}),
    "4d-plain-axis1": ((4, 2, 3, 3), {"axis": 1, "fused": False}),
    "4d-axis12": ((4, 2, 3, 3), {"axis": [1, 2]}),
    "4d-fused-no-scale": ((4, 3, 3, 2), {"scale": False}),
}


def _bn_case(shape, kwargs, training_mode):
    def build(lib):
        static = kwargs.get("axis") == 0  # the batch axis must be known
        X = tf.placeholder(tf.float32, shape if static else (None,) + shape[1:],
                           name="X")
        training = tf.placeholder_with_default(False, (), name="training")
        flag = training if training_mode == "tensor" else training_mode
        bn = lib.BatchNormalization(momentum=0.9, **kwargs)
        out = bn.apply(X, training=flag)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        weights = tf.cos(tf.reshape(tf.range(int(np.prod(shape[1:])),
                                             dtype=tf.float32), shape[1:]))
        loss = tf.reduce_sum(out * weights)
        return {"X": X, "training": training, "out": out, "train": update_ops,
                "fused": bn.fused, **_grads(loss, X)}
    return build


@pytest.mark.parametrize("case", sorted(BN_CASES))
@pytest.mark.parametrize("training_mode", [True, False, "tensor"])
def test_batch_norm_forward_gradients_and_moving_stats_match(
        case, training_mode, session_config, rng):
    shape, kwargs = BN_CASES[case]
    build = _bn_case(shape, kwargs, training_mode)
    batches = [(rng.randn(*shape) * 3 + 1).astype(np.float32)
               for _ in range(4)]
    x = batches[-1]
    run_training = training_mode is True or training_mode == "tensor"

    def feeds(t):
        feed = {t["X"]: x}
        if training_mode == "tensor":
            feed[t["training"]] = True
        return feed

    def step_feeds(t, i):
        feed = {t["X"]: batches[i]}
        if training_mode == "tensor":
            feed[t["training"]] = True
        return feed

    grad_keys = ["d_input"] + [f"d_batch_normalization/{n}"
                               for n, on in (("gamma", kwargs.get("scale", True)),
                                             ("beta", kwargs.get("center", True)))
                               if on]
    a, b = _run_both(build, feeds, ["out"] + grad_keys, session_config,
                     steps=3, step_feeds=step_feeds)
    _assert_same_structure(a, b)
    what = "batch norm " + ("training" if run_training else "inference")
    assert _record(what + " forward", a["out"], b["out"]) <= ATOL
    for k in grad_keys:
        assert _record(what + " gradients", a[k], b[k]) <= ATOL, k
    for name in ("moving_mean", "moving_variance"):
        va = a["variables"][f"batch_normalization/{name}"]
        vb = b["variables"][f"batch_normalization/{name}"]
        assert _record("batch norm moving stats", va, vb) <= ATOL, name

    # Closed form: three updates mm <- 0.9 mm + 0.1 mean_B (biased variance
    # in the plain path, unbiased n/(n-1) in the fused one).
    va0 = {n: _value_for_name(f"batch_normalization/{n}", a)
           for n in ("moving_mean", "moving_variance")}
    axes = kwargs.get("axis", -1)
    axes = [axes] if isinstance(axes, int) else axes
    axes = [ax % len(shape) for ax in axes]
    reduce = tuple(i for i in range(len(shape)) if i not in axes)
    fused = len(shape) == 4 and kwargs.get("fused", True) and axes in ([1], [3])
    mm, mv = va0["moving_mean"], va0["moving_variance"]
    for i in range(3 if run_training else 0):
        m = batches[i].mean(axis=reduce)
        v = batches[i].var(axis=reduce, ddof=1 if fused else 0)
        if len(axes) > 1:
            m = m.reshape(mm.shape)
            v = v.reshape(mv.shape)
        mm = 0.9 * mm + 0.1 * m
        mv = 0.9 * mv + 0.1 * v
    np.testing.assert_allclose(a["variables"]["batch_normalization/moving_mean"],
                               mm, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        a["variables"]["batch_normalization/moving_variance"], mv,
        rtol=1e-5, atol=1e-5)


def _value_for_name(name, result):
    var = types.SimpleNamespace(
        op=types.SimpleNamespace(name=name),
        shape=tf.TensorShape(result["variables"][name].shape),
        dtype=tf.float32)
    return _value_for(var)


def test_dropout_and_flatten_match(session_config, rng):
    def build(lib):
        tf.set_random_seed(1)
        X = tf.placeholder(tf.float32, (None, 4, 5, 3), name="X")
        training = tf.placeholder_with_default(False, (), name="training")
        h = lib.dropout(X, 0.4, noise_shape=[None, 1, 1, 3], seed=3,
                        training=training)
        out = lib.flatten(lib.dropout(h, 0.25, training=True))
        return {"X": X, "training": training, "out": out}

    x = rng.rand(6, 4, 5, 3).astype(np.float32) + 1
    a, b = _run_both(build, lambda t: {t["X"]: x, t["training"]: True},
                     ["out"], session_config)
    _assert_same_structure(a, b)
    assert a["out"].shape == (6, 60)
    assert (a["out"] == 0).any() and (a["out"] != 0).any()
    assert _record("dropout + flatten forward", a["out"], b["out"]) == 0


def test_batch_norm_fused_default_follows_tf1(graph):
    X2 = tf.placeholder(tf.float32, (None, 3))
    X4 = tf.placeholder(tf.float32, (None, 2, 2, 3))
    for X, kwargs in [(X2, {}), (X2, {"fused": True}), (X4, {}),
                      (X4, {"fused": True}), (X4, {"fused": False}),
                      (X4, {"axis": 2}), (X4, {"axis": 1}),
                      (tf.cast(X4, tf.float64), {})]:
        flags = []
        for lib in (OURS, ORACLE):
            layer = lib.BatchNormalization(**kwargs)
            layer.apply(X, training=True)
            flags.append(bool(layer.fused))
        assert flags[0] == flags[1], (X, kwargs)


# --- the chapter's first training run ----------------------------------------

def _read_idx(path, header):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


def _fashion_mnist(root):
    X = _read_idx(root / "train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    y = _read_idx(root / "train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    X = X.astype(np.float32) / 255.0
    # input_data.read_data_sets: the first 5,000 are the validation set.
    return (X[5000:], y[5000:]), (X[:5000], y[:5000])


def _chapter_mlp(lib):
    n_inputs, n_hidden1, n_hidden2, n_outputs = 28 * 28, 300, 100, 10

    def leaky_relu(z, name=None):
        return tf.maximum(0.01 * z, z, name=name)

    X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    with tf.name_scope("dnn"):
        hidden1 = lib.dense(X, n_hidden1, activation=leaky_relu, name="hidden1")
        hidden2 = lib.dense(hidden1, n_hidden2, activation=leaky_relu,
                            name="hidden2")
        logits = lib.dense(hidden2, n_outputs, name="outputs")
    with tf.name_scope("loss"):
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits)
        loss = tf.reduce_mean(xentropy, name="loss")
    with tf.name_scope("train"):
        training_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    with tf.name_scope("eval"):
        correct = tf.nn.in_top_k(logits, y, 1)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return X, y, training_op, accuracy


@pytest.mark.slow
def test_chapter_first_training_run_matches_official_layers(
        fashion_mnist_dir, session_config):
    (X_train, y_train), (X_valid, y_valid) = _fashion_mnist(fashion_mnist_dir)
    assert len(X_train) == 55000 and len(X_valid) == 5000
    batch_size = 50
    order = np.random.RandomState(42).permutation(len(X_train))
    accuracies, initial = {}, None
    for lib in (OURS, ORACLE):
        g = tf.Graph()
        with g.as_default():
            tf.set_random_seed(42)
            X, y, training_op, accuracy = _chapter_mlp(lib)
            variables = tf.global_variables()
            with tf.Session(graph=g, config=session_config) as sess:
                sess.run(tf.global_variables_initializer())
                values = {v.op.name: sess.run(v) for v in variables}
                if initial is None:
                    initial = values
                else:
                    # Same seeds and same graph -> same initial weights; load
                    # ours anyway so the comparison never depends on it.
                    for v in variables:
                        v.load(initial[v.op.name], sess)
                acc0 = sess.run(accuracy, {X: X_valid, y: y_valid})
                for start in range(0, len(X_train), batch_size):
                    idx = order[start:start + batch_size]
                    sess.run(training_op, {X: X_train[idx], y: y_train[idx]})
                accuracies[lib.name] = (
                    acc0, sess.run(accuracy, {X: X_valid, y: y_valid}))
    print(f"\nchapter MLP, validation accuracy after 1 epoch: "
          f"tf1_dnn {accuracies['tf1_dnn'][1]:.4f}, "
          f"tf_keras legacy layers {accuracies['tf_keras'][1]:.4f} "
          f"(before training: {accuracies['tf1_dnn'][0]:.4f}, "
          f"{accuracies['tf_keras'][0]:.4f})")
    assert accuracies["tf1_dnn"][0] == pytest.approx(accuracies["tf_keras"][0],
                                                     abs=1e-6)
    assert accuracies["tf1_dnn"][1] > 0.7   # it learned something
    assert abs(accuracies["tf1_dnn"][1] - accuracies["tf_keras"][1]) <= 0.01
