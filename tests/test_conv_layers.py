"""Convolution layers of tf1_dnn.layers against the official TF 1.x layers.

The oracle is tf_keras's copy of TF 1.15's `tf.layers`
(`tf_keras.src.legacy_tf_layers.convolutional`), which still builds
`tf.compat.v1` graphs. Each family of cases is built once with each library,
in separate graphs, and compared:

* the graph: every op name and type, every collection's member names, the
  variables' names, shapes and dtypes;
* numbers, with the same weights loaded into both graphs: forward outputs and
  the gradients of a fixed weighted sum with respect to the input and every
  variable must be bitwise equal (both graphs run the same kernels);
* one case per family against numpy (closed form), within float tolerance.

`channels_first` is compared only where TensorFlow's standard CPU kernels
accept it (`conv2d_transpose`); elsewhere tf1_dnn refuses it without a GPU,
which `test_channels_first_without_gpu_is_refused` checks.
"""

import hashlib

import numpy as np
import pytest

from tf1_dnn import layers as ours
from tf1_dnn import tf
from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.layers import InputError

kconv = pytest.importorskip("tf_keras.src.legacy_tf_layers.convolutional")
kbackend = pytest.importorskip("tf_keras.src.backend")

MAX_DIFF = {}  # the figures of the report (pytest -s prints them)


@pytest.fixture(scope="module", autouse=True)
def _oracle_device_cache_and_report():
    # The oracle's Keras backend lists devices through a Keras session the
    # first time (adding IsVariableInitialized ops to whatever graph is
    # current); fill its cache once, in a throwaway graph.
    with tf.Graph().as_default():
        kbackend._get_available_gpus()
    yield
    print("\nmax |tf1_dnn - tf_keras oracle| (convolution):")
    for what, diff in sorted(MAX_DIFF.items()):
        print(f"  {what:45s} {diff:.3g}")


def _gpu():
    return bool(tf.config.list_logical_devices("GPU"))


def _value_for(var):
    """Deterministic weights from the variable's name (same in both graphs)."""
    seed = int(hashlib.md5(var.op.name.encode()).hexdigest()[:8], 16)
    r = np.random.RandomState(seed)
    return r.randn(*var.shape.as_list()).astype(
        var.dtype.base_dtype.as_numpy_dtype)


def _structure(graph):
    ops = sorted((op.name, op.type) for op in graph.get_operations())
    collections = {
        key: [getattr(item, "name", repr(item))
              for item in graph.get_collection(key)]
        for key in graph.get_all_collection_keys()}
    variables = [(v.name, v.dtype, v.shape.as_list())
                 for v in graph.get_collection("variables")]
    return ops, collections, variables


# Cases: id -> (function name, input shape without the batch, kwargs).
CASES = {
    "conv1d": {
        "k3": ("conv1d", (9, 3), dict(filters=4, kernel_size=3)),
        "k2-s2-same": ("conv1d", (9, 3), dict(filters=2, kernel_size=2,
                                              strides=2, padding="same")),
        "k3-dil2-SAME-relu": ("conv1d", (8, 2), dict(
            filters=3, kernel_size=3, dilation_rate=2, padding="SAME",
            activation=tf.nn.relu)),
        "causal-dil2": ("conv1d", (8, 2), dict(
            filters=3, kernel_size=3, dilation_rate=2, padding="causal")),
        "no-bias": ("conv1d", (6, 2), dict(filters=2, kernel_size=1,
                                           use_bias=False)),
    },
    "conv2d": {
        "k3-same-relu": ("conv2d", (8, 8, 3), dict(
            filters=4, kernel_size=3, padding="SAME", activation=tf.nn.relu)),
        "k23-s21-valid": ("conv2d", (7, 9, 2), dict(
            filters=3, kernel_size=(2, 3), strides=(2, 1), padding="VALID")),
        "k3-s2-same": ("conv2d", (7, 7, 2), dict(
            filters=2, kernel_size=3, strides=2, padding="same")),
        "k3-dil2-valid": ("conv2d", (9, 8, 2), dict(
            filters=2, kernel_size=3, dilation_rate=2)),
        "k1-no-bias-elu": ("conv2d", (5, 5, 3), dict(
            filters=2, kernel_size=1, use_bias=False, activation=tf.nn.elu)),
    },
    "conv3d": {
        "k3-valid": ("conv3d", (4, 5, 5, 2), dict(filters=2, kernel_size=3)),
        "k2-s2-same": ("conv3d", (5, 4, 4, 2), dict(
            filters=3, kernel_size=2, strides=2, padding="same")),
        "dil-122": ("conv3d", (3, 6, 6, 1), dict(
            filters=2, kernel_size=(1, 2, 2), dilation_rate=(1, 2, 2))),
    },
    "conv_transpose": {
        "2d-k3-s2-valid": ("conv2d_transpose", (4, 5, 3), dict(
            filters=2, kernel_size=3, strides=2)),
        "2d-k3-s2-same": ("conv2d_transpose", (4, 4, 2), dict(
            filters=3, kernel_size=3, strides=2, padding="SAME")),
        "2d-k2-s3-valid": ("conv2d_transpose", (3, 3, 2), dict(
            filters=2, kernel_size=2, strides=3)),
        "2d-k3-s2-nchw": ("conv2d_transpose", (3, 4, 4), dict(
            filters=2, kernel_size=3, strides=2, padding="same",
            data_format="channels_first")),
        "2d-k3-nchw-valid-relu": ("conv2d_transpose", (2, 3, 5), dict(
            filters=2, kernel_size=(3, 2), strides=(1, 2),
            data_format="channels_first", activation=tf.nn.relu)),
        "3d-k3-s2-valid": ("conv3d_transpose", (2, 3, 3, 2), dict(
            filters=2, kernel_size=3, strides=2)),
        "3d-k2-s2-same": ("conv3d_transpose", (2, 3, 3, 2), dict(
            filters=1, kernel_size=2, strides=(1, 2, 2), padding="same")),
    },
    "separable": {
        "2d-k3-dm2": ("separable_conv2d", (7, 7, 3), dict(
            filters=4, kernel_size=3, depth_multiplier=2)),
        "2d-k3-s2-same": ("separable_conv2d", (7, 8, 2), dict(
            filters=2, kernel_size=3, strides=2, padding="same")),
        "2d-dil2-relu": ("separable_conv2d", (8, 8, 2), dict(
            filters=2, kernel_size=2, dilation_rate=2,
            activation=tf.nn.relu)),
        "1d-k3-dm2": ("separable_conv1d", (9, 3), dict(
            filters=2, kernel_size=3, depth_multiplier=2)),
        "1d-s2-same": ("separable_conv1d", (9, 2), dict(
            filters=3, kernel_size=2, strides=2, padding="SAME")),
    },
}


def _build_family(lib, family, dtype=tf.float32):
    t = {}
    for case, (fn, shape, kwargs) in sorted(CASES[family].items()):
        X = tf.placeholder(dtype, (None,) + shape, name="X_" + case)
        with tf.name_scope("net"):
            out = getattr(lib, fn)(X, name=case, **kwargs)
        weights = tf.cos(tf.reshape(tf.range(
            int(np.prod(out.shape.as_list()[1:])), dtype=dtype),
            out.shape.as_list()[1:]))
        loss = tf.reduce_sum(out * weights)
        params = [v for v in tf.trainable_variables()
                  if v.op.name.startswith(case + "/")]
        grads = tf.gradients(loss, [X] + params)
        t[case] = {"X": X, "out": out,
                   **{"d_input": grads[0]},
                   **{f"d_{p.op.name}": g for p, g in zip(params, grads[1:])}}
    return t


def _run_family(lib, family, inputs, session_config, dtype=tf.float32):
    g = tf.Graph()
    with g.as_default():
        t = _build_family(lib, family, dtype)
        variables = tf.global_variables()
        with tf.Session(graph=g, config=session_config) as sess:
            for v in variables:
                v.load(_value_for(v), sess)
            feeds = {t[c]["X"]: inputs[c] for c in t}
            fetched = sess.run({c: {k: x for k, x in t[c].items() if k != "X"}
                                for c in t}, feed_dict=feeds)
            weights = {v.op.name: sess.run(v) for v in variables}
    return fetched, weights, _structure(g)


def _inputs(family, rng, dtype=np.float32):
    return {case: rng.randn(3, *shape).astype(dtype)
            for case, (_, shape, _) in CASES[family].items()}


def _compare(family, rng, session_config, dtype=np.float32):
    inputs = _inputs(family, rng, dtype)
    a, wa, sa = _run_family(ours, family, inputs, session_config,
                            tf.as_dtype(dtype))
    b, wb, sb = _run_family(kconv, family, inputs, session_config,
                            tf.as_dtype(dtype))
    assert sorted(set(sa[0]) - set(sb[0])) == []   # ops only ours has
    assert sorted(set(sb[0]) - set(sa[0])) == []   # ops only the oracle has
    assert sa[1] == sb[1]                           # collections
    assert sa[2] == sb[2]                           # variables
    for case in a:
        assert set(a[case]) == set(b[case])
        for key in a[case]:
            assert a[case][key].dtype == np.dtype(dtype)
            assert a[case][key].shape == b[case][key].shape, (case, key)
            what = f"{family} {'forward' if key == 'out' else 'gradients'}"
            diff = float(np.max(np.abs(a[case][key].astype(np.float64) -
                                       b[case][key])))
            MAX_DIFF[what] = max(MAX_DIFF.get(what, 0.0), diff)
            assert diff == 0.0, (case, key, diff)
    return inputs, a, wa


# --- numpy references ----------------------------------------------------------

def _np_conv(x, w, strides, padding, dilation):
    """N-D cross-correlation, NHWC, TF's SAME padding (extra pad at the end)."""
    rank = x.ndim - 2
    k = [(w.shape[i] - 1) * dilation[i] + 1 for i in range(rank)]
    pads = []
    for i in range(rank):
        n = x.shape[1 + i]
        if padding == "same":
            out = -(-n // strides[i])
            total = max((out - 1) * strides[i] + k[i] - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            pads.append((0, 0))
    x = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    outs = [(x.shape[1 + i] - k[i]) // strides[i] + 1 for i in range(rank)]
    y = np.zeros([x.shape[0]] + outs + [w.shape[-1]])
    for idx in np.ndindex(*outs):
        start = [idx[i] * strides[i] for i in range(rank)]
        sl = tuple(slice(start[i], start[i] + k[i], dilation[i])
                   for i in range(rank))
        patch = x[(slice(None),) + sl + (slice(None),)]
        y[(slice(None),) + idx + (slice(None),)] = np.tensordot(
            patch, w, axes=(list(range(1, rank + 2)), list(range(rank + 1))))
    return y


def test_conv2d_matches_oracle_bitwise_and_numpy(rng, session_config):
    inputs, out, w = _compare("conv2d", rng, session_config)
    # Closed form for the strided 'valid' and 'same' cases.
    for case, (strides, padding) in {"k23-s21-valid": ((2, 1), "valid"),
                                     "k3-s2-same": ((2, 2), "same")}.items():
        ref = _np_conv(inputs[case], w[f"{case}/kernel"], strides, padding,
                       (1, 1)) + w[f"{case}/bias"]
        np.testing.assert_allclose(out[case]["out"], ref, rtol=1e-4,
                                   atol=1e-4)
    ref = _np_conv(inputs["k3-dil2-valid"], w["k3-dil2-valid/kernel"],
                   (1, 1), "valid", (2, 2)) + w["k3-dil2-valid/bias"]
    np.testing.assert_allclose(out["k3-dil2-valid"]["out"], ref, rtol=1e-4,
                               atol=1e-4)


def test_conv1d_matches_oracle_bitwise_and_numpy(rng, session_config):
    inputs, out, w = _compare("conv1d", rng, session_config)
    x = inputs["causal-dil2"]
    padded = np.pad(x, [(0, 0), (4, 0), (0, 0)])  # dilation * (kernel - 1)
    ref = _np_conv(padded, w["causal-dil2/kernel"], (1,), "valid", (2,))
    np.testing.assert_allclose(out["causal-dil2"]["out"],
                               ref + w["causal-dil2/bias"], rtol=1e-4,
                               atol=1e-4)
    assert out["causal-dil2"]["out"].shape == (3, 8, 3)


def test_conv3d_matches_oracle_bitwise_and_numpy(rng, session_config):
    inputs, out, w = _compare("conv3d", rng, session_config)
    ref = _np_conv(inputs["k2-s2-same"], w["k2-s2-same/kernel"], (2, 2, 2),
                   "same", (1, 1, 1)) + w["k2-s2-same/bias"]
    np.testing.assert_allclose(out["k2-s2-same"]["out"], ref, rtol=1e-4,
                               atol=1e-4)


def test_transposed_convs_match_oracle_bitwise_and_numpy(rng, session_config):
    inputs, out, w = _compare("conv_transpose", rng, session_config)
    # Output sizes: in * stride + max(kernel - stride, 0) ('valid'),
    # in * stride ('same').
    assert out["2d-k3-s2-valid"]["out"].shape == (3, 9, 11, 2)
    assert out["2d-k2-s3-valid"]["out"].shape == (3, 9, 9, 2)
    assert out["2d-k3-s2-same"]["out"].shape == (3, 8, 8, 3)
    assert out["2d-k3-s2-nchw"]["out"].shape == (3, 2, 8, 8)
    assert out["3d-k3-s2-valid"]["out"].shape == (3, 5, 7, 7, 2)
    # Closed form ('valid'): scatter each input pixel times the kernel.
    x, k = inputs["2d-k3-s2-valid"], w["2d-k3-s2-valid/kernel"]
    ref = np.zeros((3, 9, 11, 2))
    for i, j in np.ndindex(4, 5):
        ref[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3, :] += np.einsum(
            "bc,hwoc->bhwo", x[:, i, j, :], k)
    np.testing.assert_allclose(out["2d-k3-s2-valid"]["out"],
                               ref + w["2d-k3-s2-valid/bias"], rtol=1e-4,
                               atol=1e-4)


def test_separable_convs_match_oracle_bitwise_and_numpy(rng, session_config):
    inputs, out, w = _compare("separable", rng, session_config)
    x = inputs["2d-k3-dm2"]
    dw, pw = w["2d-k3-dm2/depthwise_kernel"], w["2d-k3-dm2/pointwise_kernel"]
    assert dw.shape == (3, 3, 3, 2) and pw.shape == (1, 1, 6, 4)
    depth = np.concatenate(
        [_np_conv(x[..., c:c + 1], dw[:, :, c:c + 1, :], (1, 1), "valid",
                  (1, 1)) for c in range(3)], axis=-1)   # channel c*2 + m
    ref = np.tensordot(depth, pw[0, 0], 1) + w["2d-k3-dm2/bias"]
    np.testing.assert_allclose(out["2d-k3-dm2"]["out"], ref, rtol=1e-4,
                               atol=1e-4)


def test_float64_conv2d_matches_oracle_bitwise(rng, session_config):
    _compare("conv2d", rng, session_config, dtype=np.float64)


# --- names, scopes, collections ----------------------------------------------------

def test_names_scopes_reuse_and_collections(graph):
    X = tf.placeholder(tf.float32, (None, 6, 6, 1), name="X")
    with tf.name_scope("cnn"):
        a = ours.conv2d(X, 2, 3, name="conv1",
                        kernel_regularizer=lambda w: 0.1 * tf.nn.l2_loss(w),
                        bias_regularizer=lambda w: None)
        ours.conv2d(X, 2, 3, name="conv1", reuse=True)
        ours.conv2d(X, 2, 3)
        ours.conv2d(X, 2, 3)
        frozen = ours.Conv2D(2, 3, trainable=False)
        frozen(X)
        sep = ours.SeparableConv2D(2, 3, depthwise_regularizer=tf.nn.l2_loss)
        sep(X)
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["conv1/kernel", "conv1/bias", "conv2d/kernel",
                     "conv2d/bias", "conv2d_1/kernel", "conv2d_1/bias",
                     "conv2d_2/kernel", "conv2d_2/bias",
                     "separable_conv2d/depthwise_kernel",
                     "separable_conv2d/pointwise_kernel",
                     "separable_conv2d/bias"]
    trainable = [v.op.name for v in tf.trainable_variables()]
    assert "conv2d_2/kernel" not in trainable and len(trainable) == 9
    assert frozen.trainable_weights == [] and len(frozen.weights) == 2
    assert a.op.name == "cnn/conv1/BiasAdd"
    ops = {op.name for op in graph.get_operations()}
    assert {"cnn/conv1/Conv2D", "cnn/conv1_1/Conv2D", "cnn/conv2d/Conv2D",
            "cnn/separable_conv2d/separable_conv2d/depthwise"} <= ops
    losses = [t.op.name for t in
              tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)]
    assert losses == ["cnn/conv1/kernel/Regularizer/mul",
                      "cnn/separable_conv2d/depthwise_kernel/Regularizer/"
                      "L2Loss"]
    assert sep.input_spec.axes == {-1: 1} and sep.input_spec.ndim == 4


def test_reuse_shares_the_kernel_and_default_init_is_glorot(sess):
    X = tf.placeholder(tf.float32, (None, 10, 10, 20))
    a = ours.conv2d(X, 30, 5, name="c")
    b = ours.conv2d(X, 30, 5, name="c", reuse=True)
    assert len(tf.global_variables()) == 2
    sess.run(tf.global_variables_initializer())
    x = np.ones((1, 10, 10, 20), np.float32)
    va, vb = sess.run([a, b], {X: x})
    assert np.array_equal(va, vb)
    kernel = sess.run(tf.global_variables()[0])
    # Glorot uniform: limit sqrt(6 / (fan_in + fan_out)), fans * 5*5.
    limit = np.sqrt(6.0 / (25 * 20 + 25 * 30))
    assert np.abs(kernel).max() <= limit
    assert np.var(kernel) == pytest.approx(limit ** 2 / 3, rel=0.1)


def test_every_tf1_15_layers_name_resolves_and_runs(sess):
    from tf1_dnn.layers import ALIASES, TF1_15_PUBLIC_NAMES
    assert len(TF1_15_PUBLIC_NAMES) == 37  # 36 + experimental
    for name in TF1_15_PUBLIC_NAMES + ALIASES:
        assert getattr(tf.layers, name) is getattr(ours, name), name
    x1 = tf.constant(np.ones((2, 8, 3), np.float32))
    x2 = tf.constant(np.ones((2, 8, 8, 3), np.float32))
    x3 = tf.constant(np.ones((2, 4, 8, 8, 3), np.float32))
    L = tf.layers
    outs = [L.conv1d(x1, 2, 3), L.conv2d(x2, 2, 3), L.conv3d(x3, 2, 3),
            L.conv2d_transpose(x2, 2, 3), L.conv3d_transpose(x3, 2, 3),
            L.separable_conv1d(x1, 2, 3), L.separable_conv2d(x2, 2, 3),
            L.Conv1D(2, 3)(x1), L.Conv2D(2, 3)(x2), L.Conv3D(2, 3)(x3),
            L.Conv2DTranspose(2, 3)(x2), L.Conv3DTranspose(2, 3)(x3),
            L.SeparableConv1D(2, 3)(x1), L.SeparableConv2D(2, 3)(x2),
            L.Convolution2D(2, 3)(x2), L.Deconv2D(2, 3)(x2),
            L.deconv3d(x3, 2, 3), L.separable_convolution2d(x2, 2, 3),
            L.max_pooling1d(x1, 2, 2), L.average_pooling1d(x1, 2, 2),
            L.max_pooling2d(x2, 2, 2), L.average_pooling2d(x2, 2, 2),
            L.max_pooling3d(x3, 2, 2), L.average_pooling3d(x3, 2, 2),
            L.MaxPooling1D(2, 2)(x1), L.AveragePooling1D(2, 2)(x1),
            L.MaxPooling2D(2, 2)(x2), L.AveragePooling2D(2, 2)(x2),
            L.MaxPooling3D(2, 2)(x3), L.AveragePooling3D(2, 2)(x3),
            L.MaxPool2D(2, 2)(x2), L.AvgPool2D(2, 2)(x2),
            L.max_pool2d(x2, 2, 2), L.avg_pool2d(x2, 2, 2),
            L.dense(L.flatten(x2), 2), L.Dense(2)(L.Flatten()(x2)),
            L.dropout(x2), L.Dropout()(x2), L.batch_normalization(x2),
            L.BatchNormalization()(x2), L.Layer()(x2)]
    sess.run(tf.global_variables_initializer())
    values = sess.run(outs)
    assert values[0].shape == (2, 6, 2) and values[3].shape == (2, 10, 10, 2)
    assert values[18].shape == (2, 4, 3) and values[22].shape == (2, 2, 4, 4, 3)
    assert repr(L.InputSpec(ndim=4, axes={-1: 3})) == \
        "InputSpec(ndim=4, axes={-1: 3})"
    with pytest.raises(Tf1DnnError, match="Keras-style"):
        with L.experimental.keras_style_scope():
            pass
    with pytest.raises(NotImplementedError, match="reuse=True"):
        L.experimental.set_keras_style()


# --- bad input ---------------------------------------------------------------------

def _error(fn, *args, **kwargs):
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)
    assert isinstance(info.value, Tf1DnnError)
    assert isinstance(info.value, ValueError)
    return str(info.value)


def test_wrong_rank_names_the_layer_and_the_fix(graph):
    msg = _error(ours.conv2d, tf.placeholder(tf.float32, (None, 784)), 4, 3,
                 name="conv1")
    assert "Conv2D layer 'conv1'" in msg and "rank 4" in msg
    assert "tf.reshape(X, [-1, 28, 28, 1])" in msg
    msg = _error(ours.conv1d, tf.placeholder(tf.float32, (None, 5, 5, 1)),
                 4, 3)
    assert "rank 3" in msg and "got rank 4" in msg
    msg = _error(ours.conv3d, tf.placeholder(tf.float32, (None, 5, 5, 1)),
                 4, 3)
    assert "rank 5" in msg


def test_unknown_channels_and_integer_inputs(graph):
    msg = _error(ours.conv2d, tf.placeholder(tf.float32, (None, 5, 5, None)),
                 4, 3)
    assert "channel dimension" in msg and "static" in msg
    msg = _error(ours.conv2d, tf.placeholder(tf.int32, (None, 5, 5, 1)), 4, 3)
    assert "floating-point" in msg and "tf.cast" in msg


@pytest.mark.skipif(_gpu(), reason="a GPU runs channels_first")
@pytest.mark.parametrize("fn,shape,op", [
    ("conv2d", (None, 3, 8, 8), "Conv2D"),
    ("conv1d", (None, 3, 8), "Conv1D"),
    ("conv3d", (None, 3, 4, 8, 8), "Conv3D"),
    ("separable_conv2d", (None, 3, 8, 8), "SeparableConv2D"),
    ("separable_conv1d", (None, 3, 8), "SeparableConv1D"),
    ("conv3d_transpose", (None, 3, 4, 8, 8), "Conv3DTranspose"),
])
def test_channels_first_without_gpu_is_refused(graph, fn, shape, op):
    X = tf.placeholder(tf.float32, shape)
    msg = _error(getattr(ours, fn), X, 4, 3, data_format="channels_first")
    assert "data_format='channels_first' needs a GPU" in msg
    assert f"CPU kernel for {op}" in msg
    assert "data_format='channels_last'" in msg and "tf.transpose(x, [0, 2" \
        in msg
    assert tf.global_variables() == []  # refused before making variables


def test_kernel_larger_than_input_with_valid_padding(graph):
    X = tf.placeholder(tf.float32, (None, 4, 4, 1))
    msg = _error(ours.conv2d, X, 4, 5, name="conv1")
    assert "kernel (5 wide) is larger than the input (4)" in msg
    assert "padding='same'" in msg
    msg = _error(ours.conv2d, X, 4, 3, dilation_rate=2)
    assert "5 wide after dilation" in msg
    ours.conv2d(X, 4, 5, padding="same")            # fine with 'same'
    ours.conv2d(tf.placeholder(tf.float32, (None, None, None, 1)), 4, 5)


@pytest.mark.parametrize("kwargs,fragment", [
    (dict(filters=0, kernel_size=3), "filters must be a positive integer"),
    (dict(filters=-2, kernel_size=3), "filters must be a positive integer"),
    (dict(filters=2.5, kernel_size=3), "filters must be a positive integer"),
    (dict(filters=2, kernel_size=0), "kernel_size must be positive"),
    (dict(filters=2, kernel_size=3, strides=0), "strides must be positive"),
    (dict(filters=2, kernel_size=3, strides=(1, -1)),
     "strides must be positive"),
    (dict(filters=2, kernel_size=(3, 3, 3)), "kernel_size must be an integer"
                                             " or a tuple of 2 integers"),
    (dict(filters=2, kernel_size=3, padding="full"), "unknown padding 'full'"),
    (dict(filters=2, kernel_size=3, padding="causal"),
     "unknown padding 'causal'"),
    (dict(filters=2, kernel_size=3, data_format="NHWC"),
     "unknown data_format 'NHWC'"),
    (dict(filters=2, kernel_size=3, strides=2, dilation_rate=2),
     "cannot both be > 1"),
])
def test_bad_arguments_are_named(graph, kwargs, fragment):
    msg = _error(ours.Conv2D, name="conv1", **kwargs)
    assert msg.startswith("Conv2D layer 'conv1': ")
    assert fragment in msg


def test_bad_separable_and_transpose_arguments(graph):
    assert "depth_multiplier must be a positive integer" in _error(
        ours.SeparableConv2D, 2, 3, depth_multiplier=0)
    assert "output_padding=2" in _error(
        ours.Conv2DTranspose, 2, 3, strides=2, output_padding=2)
    assert "same rate in both axes" in _error(
        ours.Conv2DTranspose, 2, 3, dilation_rate=(1, 2))
    X = tf.placeholder(tf.float32, (None, 4, 4, 1))
    for padding, size in (("valid", 10), ("same", 8)):
        # (4 - 1) * 2 + 3 - 2 * pad + 1, pad = 0 ('valid') or 3 // 2.
        out = ours.Conv2DTranspose(2, 3, strides=2, output_padding=1,
                                   padding=padding)(X)
        oracle = kconv.Conv2DTranspose(2, 3, strides=2, output_padding=1,
                                       padding=padding)(X)
        assert out.shape.as_list() == [None, size, size, 2]
        assert oracle.shape.as_list() == [None, size, size, 2]


def _options_graph(lib, pool_lib):
    X = tf.placeholder(tf.float32, (None, 6, 6, 2), name="X")
    X1 = tf.placeholder(tf.float32, (None, 7, 2), name="X1")
    with tf.name_scope("cnn"):
        h = lib.conv2d(X, 3, 3, padding="same", activation=tf.nn.relu,
                       name="conv1",
                       kernel_regularizer=lambda w: 0.1 * tf.nn.l2_loss(w),
                       bias_regularizer=lambda w: None,
                       activity_regularizer=tf.reduce_sum,
                       kernel_constraint=lambda w: tf.clip_by_norm(w, 1.0))
        lib.conv2d(X, 3, 3, padding="same", name="conv1", reuse=True)
        lib.conv2d(X, 3, 3, name="shared", reuse=tf.AUTO_REUSE)
        lib.conv2d(X, 3, 3, name="shared", reuse=tf.AUTO_REUSE)
        lib.Conv2D(2, 2, trainable=False, use_bias=False)(h)
        lib.conv2d(tf.cast(X, tf.float64), 2, 3,
                   kernel_initializer=tf.ones_initializer(),
                   bias_initializer=tf.constant_initializer(0.5))
        lib.separable_conv1d(X1, 2, 3, depthwise_regularizer=tf.nn.l2_loss,
                             pointwise_regularizer=tf.nn.l2_loss,
                             activity_regularizer=tf.reduce_mean)
        lib.conv2d_transpose(h, 2, 3, strides=2, padding="same",
                             kernel_regularizer=tf.nn.l2_loss)
        lib.conv2d_transpose(tf.placeholder(tf.float32, (None, None, 5, 2)),
                             2, 3, strides=2)
        lib.conv3d_transpose(tf.placeholder(tf.float32, (2, 3, 3, 3, 1)), 1,
                             2, strides=2, padding="same")
        lib.conv1d(X1, 2, 2, use_bias=False, padding="causal",
                   dilation_rate=2)
        pool_lib.max_pooling2d(h, 2, 2, name="pool")
    return {}


def test_structure_with_regularizers_reuse_and_options_matches_oracle():
    kpool = pytest.importorskip("tf_keras.src.legacy_tf_layers.pooling")
    graphs = []
    for lib, pool_lib in ((ours, ours), (kconv, kpool)):
        g = tf.Graph()
        with g.as_default():
            _options_graph(lib, pool_lib)
        graphs.append(g)
    a, b = (_structure(g) for g in graphs)
    assert sorted(set(a[0]) - set(b[0])) == []
    assert sorted(set(b[0]) - set(a[0])) == []
    assert a[1] == b[1] and a[2] == b[2]
    losses = a[1]["regularization_losses"]
    assert losses == ["cnn/conv1/kernel/Regularizer/mul:0",
                      "cnn/conv1/ActivityRegularizer/truediv:0",
                      "cnn/separable_conv1d/depthwise_kernel/Regularizer/"
                      "L2Loss:0",
                      "cnn/separable_conv1d/pointwise_kernel/Regularizer/"
                      "L2Loss:0",
                      "cnn/separable_conv1d/ActivityRegularizer/truediv:0",
                      "cnn/conv2d_transpose/kernel/Regularizer/L2Loss:0"]
    assert "conv2d/kernel:0" not in a[1]["trainable_variables"]
    assert graphs[0].get_tensor_by_name("conv1/kernel:0") is not None
    kernel = [v for v in graphs[0].get_collection("variables")
              if v.op.name == "conv1/kernel"][0]
    assert kernel.constraint is not None
