"""Pooling layers of tf1_dnn.layers against the official TF 1.x layers.

The oracle is tf_keras's copy of TF 1.15's `tf.layers`
(`tf_keras.src.legacy_tf_layers.pooling`). Each case is built with each
library in separate graphs; op names, collections, forward outputs and input
gradients must be equal (bitwise), and max/average pooling are checked
against numpy. `channels_first` is compared for 1-D and 3-D pooling (both
transpose to channels_last on CPU, as TF 1.x did); 2-D pooling in
channels_first needs a GPU and is refused without one.
"""

import numpy as np
import pytest

from tf1_dnn import layers as ours
from tf1_dnn import tf
from tf1_dnn.layers import InputError

kpool = pytest.importorskip("tf_keras.src.legacy_tf_layers.pooling")
kbackend = pytest.importorskip("tf_keras.src.backend")

MAX_DIFF = {}


@pytest.fixture(scope="module", autouse=True)
def _oracle_device_cache_and_report():
    # See tests/test_conv_layers.py: fill the oracle's device cache once.
    with tf.Graph().as_default():
        kbackend._get_available_gpus()
    yield
    print("\nmax |tf1_dnn - tf_keras oracle| (pooling):")
    for what, diff in sorted(MAX_DIFF.items()):
        print(f"  {what:45s} {diff:.3g}")


# id -> (function, input shape without the batch, kwargs)
CASES = {
    "max1d-2-2": ("max_pooling1d", (9, 3), dict(pool_size=2, strides=2)),
    "avg1d-3-1-same": ("average_pooling1d", (7, 2),
                       dict(pool_size=3, strides=1, padding="SAME")),
    "max1d-ncw": ("max_pooling1d", (3, 8), dict(
        pool_size=2, strides=2, data_format="channels_first")),
    "avg1d-ncw-same": ("average_pooling1d", (2, 7), dict(
        pool_size=3, strides=2, padding="same",
        data_format="channels_first")),
    "max2d-2-2": ("max_pooling2d", (8, 8, 3), dict(pool_size=2, strides=2)),
    "max2d-3-2-same": ("max_pooling2d", (7, 7, 2), dict(
        pool_size=3, strides=2, padding="same")),
    "avg2d-23-12": ("average_pooling2d", (6, 7, 2), dict(
        pool_size=(2, 3), strides=(1, 2), padding="VALID")),
    "avg2d-3-2-same": ("average_pooling2d", (5, 5, 1), dict(
        pool_size=3, strides=2, padding="same")),
    "max3d-2-2": ("max_pooling3d", (4, 4, 4, 2), dict(pool_size=2,
                                                        strides=2)),
    "avg3d-same": ("average_pooling3d", (3, 5, 4, 2), dict(
        pool_size=2, strides=(1, 2, 2), padding="same")),
    "max3d-ncdhw": ("max_pooling3d", (2, 4, 4, 4), dict(
        pool_size=2, strides=2, data_format="channels_first")),
    "avg3d-ncdhw": ("average_pooling3d", (2, 3, 4, 4), dict(
        pool_size=(1, 2, 2), strides=1, data_format="channels_first")),
}


def _structure(graph):
    ops = sorted((op.name, op.type) for op in graph.get_operations())
    collections = {key: [getattr(i, "name", repr(i))
                         for i in graph.get_collection(key)]
                   for key in graph.get_all_collection_keys()}
    return ops, collections


def _run(lib, inputs, session_config):
    g = tf.Graph()
    with g.as_default():
        t = {}
        for case, (fn, shape, kwargs) in sorted(CASES.items()):
            X = tf.placeholder(tf.float32, (None,) + shape, name="X_" + case)
            with tf.name_scope("net"):
                out = getattr(lib, fn)(X, name=case, **kwargs)
            weights = tf.cos(tf.reshape(tf.range(
                int(np.prod(out.shape.as_list()[1:])), dtype=tf.float32),
                out.shape.as_list()[1:]))
            t[case] = (X, out, tf.gradients(tf.reduce_sum(out * weights),
                                            X)[0])
        with tf.Session(graph=g, config=session_config) as sess:
            res = sess.run({c: (o, d) for c, (_, o, d) in t.items()},
                           {t[c][0]: inputs[c] for c in t})
    return res, _structure(g)


def test_pooling_matches_oracle_bitwise_and_numpy(rng, session_config):
    inputs = {c: rng.randn(3, *shape).astype(np.float32)
              for c, (_, shape, _) in CASES.items()}
    a, sa = _run(ours, inputs, session_config)
    b, sb = _run(kpool, inputs, session_config)
    assert sorted(set(sa[0]) - set(sb[0])) == []
    assert sorted(set(sb[0]) - set(sa[0])) == []
    assert sa[1] == sb[1]
    for case in CASES:
        for i, what in enumerate(("forward", "gradients")):
            assert a[case][i].shape == b[case][i].shape, case
            diff = float(np.max(np.abs(a[case][i] - b[case][i])))
            MAX_DIFF["pooling " + what] = max(
                MAX_DIFF.get("pooling " + what, 0.0), diff)
            assert diff == 0.0, (case, what)

    # numpy: non-overlapping max pool; 'same' average pooling counts only
    # the real values at the borders.
    x = inputs["max2d-2-2"]
    ref = x.reshape(3, 4, 2, 4, 2, 3).max(axis=(2, 4))
    np.testing.assert_array_equal(a["max2d-2-2"][0], ref)
    x = inputs["avg2d-3-2-same"][..., 0]
    ref = np.zeros((3, 3, 3))
    for i, j in np.ndindex(3, 3):
        # SAME, 5 -> 3 with stride 2 and window 3: total pad 2, 1 each side.
        r0, c0 = max(2 * i - 1, 0), max(2 * j - 1, 0)
        ref[:, i, j] = x[:, r0:2 * i + 2, c0:2 * j + 2].mean(axis=(1, 2))
    np.testing.assert_allclose(a["avg2d-3-2-same"][0][..., 0], ref,
                               rtol=1e-6, atol=1e-6)
    x = inputs["max1d-ncw"]                    # (batch, channels, length)
    np.testing.assert_array_equal(a["max1d-ncw"][0],
                                  x.reshape(3, 3, 4, 2).max(axis=3))


def test_pooling_names_and_no_variables(graph):
    X = tf.placeholder(tf.float32, (None, 8, 8, 1))
    with tf.name_scope("cnn"):
        p1 = ours.max_pooling2d(X, 2, 2, name="pool3")
        p2 = ours.max_pooling2d(X, 2, 2)
        p3 = ours.MaxPooling2D(2, 2)(X)
        p4 = ours.average_pooling1d(tf.reshape(X, [-1, 8, 8]), 2, 2)
    assert [p.op.name for p in (p1, p2, p3, p4)] == [
        "cnn/pool3/MaxPool", "cnn/max_pooling2d/MaxPool",
        "cnn/max_pooling2d_1/MaxPool", "cnn/average_pooling1d/Squeeze"]
    assert tf.global_variables() == []


def test_bad_pooling_input_is_named(graph):
    with pytest.raises(InputError, match=r"MaxPooling2D layer 'pool'.*"
                       r"rank 4.*got rank 2"):
        ours.max_pooling2d(tf.placeholder(tf.float32, (None, 784)), 2, 2,
                           name="pool")
    with pytest.raises(InputError, match=r"pool_size \(3 wide\) is larger "
                       r"than the input \(2\).*padding='same'"):
        ours.max_pooling2d(tf.placeholder(tf.float32, (None, 2, 2, 1)), 3, 1)
    with pytest.raises(InputError, match="unknown padding 'full'"):
        ours.MaxPooling1D(2, 2, padding="full")
    with pytest.raises(InputError, match="strides must be positive"):
        ours.AveragePooling3D(2, 0)
    with pytest.raises(InputError, match=r"strides must not be None.*"
                       r"strides=3"):
        ours.max_pooling2d(tf.placeholder(tf.float32, (None, 6, 6, 1)), 3,
                           None)
    with pytest.raises(InputError, match="pool_size must be positive"):
        ours.MaxPooling2D((2, 0), 1)


@pytest.mark.skipif(bool(tf.config.list_logical_devices("GPU")),
                    reason="a GPU runs channels_first")
def test_channels_first_2d_pooling_without_gpu_is_refused(graph):
    X = tf.placeholder(tf.float32, (None, 3, 8, 8))
    for fn, op in ((ours.max_pooling2d, "MaxPool"),
                   (ours.average_pooling2d, "AvgPool")):
        with pytest.raises(InputError, match=f"CPU kernel for {op} only "
                           "supports channels_last.*tf.transpose"):
            fn(X, 2, 2, data_format="channels_first")
