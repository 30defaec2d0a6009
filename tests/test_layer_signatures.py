"""The public `tf.layers` functions and classes keep TF 1.15's signatures.

The functional forms forward their arguments to the layer classes through one
helper (`tf1_dnn.layers.base._apply_functional`), so nothing in their bodies
pins the argument list any more: these tests do, against the oracle
(tf_keras's copy of TF 1.15's `tf.layers`, `tf_keras.src.legacy_tf_layers`),
which keeps TF 1.15's signatures. Parameter names, order, kinds and defaults
must match; a default initializer object (`tf.zeros_initializer()`) matches
one of the same class and config.

Known difference, not checked here: tf_keras's `Flatten` class takes Keras's
`(data_format=None, **kwargs)`; ours keeps `tf.layers.Flatten`'s explicit
`data_format="channels_last", name=None`.
"""

import inspect

import numpy as np
import pytest

from tf1_dnn import layers as ours
from tf1_dnn import tf

kconv = pytest.importorskip("tf_keras.src.legacy_tf_layers.convolutional")
kpool = pytest.importorskip("tf_keras.src.legacy_tf_layers.pooling")
kcore = pytest.importorskip("tf_keras.src.legacy_tf_layers.core")

FUNCTIONS = {
    kconv: ["conv1d", "conv2d", "conv3d", "separable_conv1d",
            "separable_conv2d", "conv2d_transpose", "conv3d_transpose",
            "convolution1d", "convolution2d", "convolution3d",
            "separable_convolution2d", "convolution2d_transpose",
            "deconvolution2d", "deconv2d", "convolution3d_transpose",
            "deconvolution3d", "deconv3d"],
    kpool: ["average_pooling1d", "average_pooling2d", "average_pooling3d",
            "max_pooling1d", "max_pooling2d", "max_pooling3d",
            "avg_pool2d", "max_pool2d"],
    kcore: ["dense", "dropout", "flatten"],
}
CLASSES = {
    kconv: ["Conv1D", "Conv2D", "Conv3D", "SeparableConv1D",
            "SeparableConv2D", "Conv2DTranspose", "Conv3DTranspose",
            "Convolution1D", "Convolution2D", "Convolution3D",
            "SeparableConvolution2D", "Convolution2DTranspose",
            "Deconvolution2D", "Deconv2D", "Convolution3DTranspose",
            "Deconvolution3D", "Deconv3D"],
    kpool: ["AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
            "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
            "AvgPool2D", "MaxPool2D"],
    kcore: ["Dense", "Dropout"],
}


def _same_default(a, b):
    if a is b or (type(a) is type(b) and a == b):
        return True
    # An initializer object: the same class with the same config.
    return (type(a) is type(b) and hasattr(a, "get_config")
            and a.get_config() == b.get_config())


def _assert_same_signature(mine, theirs, what):
    ours_sig, oracle_sig = inspect.signature(mine), inspect.signature(theirs)
    ours_params = list(ours_sig.parameters.values())
    oracle_params = list(oracle_sig.parameters.values())
    assert [(p.name, p.kind) for p in ours_params] == \
        [(p.name, p.kind) for p in oracle_params], what
    for p, q in zip(ours_params, oracle_params):
        assert _same_default(p.default, q.default), (what, p.name, p.default,
                                                     q.default)


def _cases(table):
    return [(module, name) for module, names in table.items()
            for name in names]


@pytest.mark.parametrize("module,name", _cases(FUNCTIONS),
                         ids=[n for _, n in _cases(FUNCTIONS)])
def test_function_signature_is_tf115s(module, name):
    _assert_same_signature(getattr(ours, name), getattr(module, name), name)


@pytest.mark.parametrize("module,name", _cases(CLASSES),
                         ids=[n for _, n in _cases(CLASSES)])
def test_class_signature_is_tf115s(module, name):
    _assert_same_signature(getattr(ours, name), getattr(module, name), name)


def test_every_public_layer_function_is_pinned():
    # A new functional form must be added to FUNCTIONS (or to this list).
    public_functions = {n for n in ours.__all__
                        if inspect.isfunction(getattr(ours, n))}
    pinned = {n for names in FUNCTIONS.values() for n in names}
    assert public_functions - pinned == {"batch_normalization"}
    assert len(pinned) == 28


def _graph_summary(build):
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        out = build()
        ops = [(op.name, op.type) for op in graph.get_operations()]
        variables = [(v.name, v.shape.as_list()) for v in
                     tf.global_variables()]
        losses = [t.name for t in
                  tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)]
    return out.shape.as_list(), ops, variables, losses


def _regularizer(w):
    return tf.reduce_sum(w)


def _positional_conv2d(lib):
    X = tf.placeholder(tf.float32, (None, 9, 9, 3), name="X")
    # Every argument positionally, none at its default (channels_last: the
    # CPU kernels lack NCHW).
    return lib.conv2d(X, 4, (3, 2), (2, 1), "SAME", "channels_last", (1, 1),
                      tf.nn.relu, False, tf.ones_initializer(),
                      tf.ones_initializer(), _regularizer, _regularizer,
                      _regularizer, None, None, False, "c", None)


def _positional_separable_conv1d(lib):
    X = tf.placeholder(tf.float32, (None, 12, 3), name="X")
    return lib.separable_conv1d(
        X, 5, 3, 1, "causal", "channels_last", 2, 2, tf.nn.elu, True,
        None, None, tf.zeros_initializer(), _regularizer, _regularizer,
        _regularizer, None, None, None, None, True, "sep", None)


def _positional_pooling(lib):
    X = tf.placeholder(tf.float32, (None, 8, 8, 2), name="X")
    return lib.max_pooling2d(X, 3, 2, "same", "channels_last", "pool")


@pytest.mark.parametrize("build", [_positional_conv2d,
                                   _positional_separable_conv1d,
                                   _positional_pooling])
def test_positional_call_builds_tf115s_graph(build):
    oracle = {"conv2d": kconv.conv2d,
              "separable_conv1d": kconv.separable_conv1d,
              "max_pooling2d": kpool.max_pooling2d}
    lib = type("Oracle", (), {k: staticmethod(f) for k, f in oracle.items()})
    mine = _graph_summary(lambda: build(ours))
    theirs = _graph_summary(lambda: build(lib))
    assert mine[0] == theirs[0]                      # output shape
    assert mine[1] == theirs[1]                      # op names and types
    assert mine[2] == theirs[2]                      # variables
    assert mine[3] == theirs[3]                      # regularization losses


def test_functional_reuse_semantics_kept(graph):
    X = tf.placeholder(tf.float32, (None, 5, 5, 1))
    ours.conv2d(X, 2, 3, name="c")
    with pytest.raises(ValueError, match="c/kernel already exists"):
        ours.conv2d(X, 2, 3, name="c")
    ours.conv2d(X, 2, 3, name="c", reuse=True)
    assert sorted(v.name for v in tf.global_variables()) == \
        ["c/bias:0", "c/kernel:0"]
    # Pooling forms take no reuse and open no scope themselves: a second
    # call with one name gets a unique name scope, as in TF 1.15.
    a = ours.max_pooling2d(X, 2, 2, name="p")
    b = ours.max_pooling2d(X, 2, 2, name="p")
    assert (a.op.name, b.op.name) == ("p/MaxPool", "p_1/MaxPool")
    np.testing.assert_equal(a.shape.as_list(), [None, 2, 2, 1])
