"""Real TF 1.x CNN checkpoints restore into networks rebuilt with our layers.

For each convolutional checkpoint of ../shared/tf1_checkpoints (the manifest
lists 6), the network is rebuilt by hand with `tf1_dnn.layers` from what its
`.meta` holds (filters, kernel sizes, strides, padding, activations, read off
the imported graph's Conv2D/MaxPool/AvgPool ops and variable shapes), the
checkpoint's weights are restored into it with a `tf.train.Saver` whose
`var_list` maps checkpoint names to our variables (the identity for the
tf.layers-built models; `weights`/`Variable_N` names otherwise), and its
forward output on the manifest's forward feed must equal the output of the
original graph loaded through `tf.train.import_meta_graph`.

Rebuilt: Bingyy ch13 CNN (conv2d/max_pooling2d/dense), VikingTC LeNet
(conv2d/average pooling), motiwari DQN (the online Q-network, in its
variable scope), yantanglife 1-D CNN (conv1d/max_pooling1d; its dropout has
keep_prob 1.0 in the forward feed and is left out), AndyKnight09 raw
`tf.nn.conv2d` LeNet (the trained second copy, `Variable_10`..`Variable_19`)
and enggen's PrettyTensor CNN (`weights`/`bias`).
"""

import json

import numpy as np
import pytest

from tests.conftest import TF1_CHECKPOINTS
from tf1_dnn import layers as L
from tf1_dnn import tf

MAX_DIFF = {}


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print("\nmax |rebuilt with tf1_dnn.layers - original graph| forward:")
    for what, diff in sorted(MAX_DIFF.items()):
        print(f"  {what:60s} {diff:.3g}")


def _bingyy():
    X = tf.placeholder(tf.float32, shape=[None, 784], name="X")
    X_reshaped = tf.reshape(X, shape=[-1, 28, 28, 1])
    conv1 = L.conv2d(X_reshaped, filters=32, kernel_size=3, strides=1,
                     padding="SAME", activation=tf.nn.relu, name="conv1")
    conv2 = L.conv2d(conv1, filters=64, kernel_size=3, strides=2,
                     padding="SAME", activation=tf.nn.relu, name="conv2")
    with tf.name_scope("pool3"):
        pool3 = L.max_pooling2d(conv2, pool_size=2, strides=2,
                                padding="VALID")
        pool3_flat = tf.reshape(pool3, shape=[-1, 64 * 7 * 7])
    fc1 = L.dense(pool3_flat, 64, activation=tf.nn.relu, name="fc1")
    logits = L.dense(fc1, 10, name="output")
    return X, tf.nn.softmax(logits, name="Y_proba"), {}


def _viking():
    X = tf.placeholder(tf.float32, shape=[None, 784], name="X")
    x = tf.reshape(X, [-1, 28, 28, 1])
    with tf.name_scope("LeNet-cnn"):
        conv1 = L.conv2d(x, 6, 5, padding="SAME", activation=tf.nn.relu,
                         name="conv1")
        pool2 = L.average_pooling2d(conv1, 2, 2, padding="VALID")
        conv3 = L.conv2d(pool2, 16, 5, padding="SAME", activation=tf.nn.relu,
                         name="conv3")
        pool4 = L.average_pooling2d(conv3, 2, 2, padding="VALID")
        conv5 = L.conv2d(pool4, 32, 5, padding="SAME", activation=tf.nn.relu,
                         name="conv5")
        flat = tf.reshape(conv5, [-1, 1568])
        fc5 = L.dense(flat, 84, activation=tf.nn.relu, name="fc5")
        logits = L.dense(fc5, 10, name="logits")
    return X, logits, {}


def _motiwari():
    X = tf.placeholder(tf.float32, shape=[None, 12, 12, 6])
    with tf.variable_scope("q_networks"):
        with tf.variable_scope("online"):
            h = L.conv2d(X, 32, 4, strides=1, padding="SAME",
                         activation=tf.nn.relu)
            h = L.conv2d(h, 64, 4, strides=2, padding="SAME",
                         activation=tf.nn.relu)
            h = tf.reshape(h, [-1, 6 * 6 * 64])
            h = L.dense(h, 30, activation=tf.nn.elu)
            q_values = L.dense(h, 4)
    return X, q_values, {}


def _yantang():
    X = tf.placeholder(tf.float32, [None, 100, 6], name="input_x")
    h = X
    for i, filters in enumerate((32, 64, 128), start=1):
        with tf.name_scope(f"conv{i}"):
            h = L.conv1d(h, filters, 5, padding="SAME",
                         activation=tf.nn.relu, name=f"conv{i}")
        h = L.max_pooling1d(h, pool_size=3, strides=2)
    with tf.name_scope("score"):
        h = tf.reshape(h, [-1, 11 * 128])
        fc = L.dense(h, 128, activation=tf.nn.relu, name="fc")
        # tf.nn.dropout(fc, keep_prob) with keep_prob fed 1.0: the identity.
        logits = L.dense(fc, 10, name="fc2")
    return X, tf.nn.softmax(logits), {}


def _andy():
    X = tf.placeholder(tf.float32, (None, 32, 32, 1))
    h = L.conv2d(X, 6, 5, activation=tf.nn.relu, name="conv1")
    h = L.max_pooling2d(h, 2, 2)
    h = L.conv2d(h, 16, 5, activation=tf.nn.relu, name="conv2")
    h = L.max_pooling2d(h, 2, 2)
    h = L.flatten(h)
    h = L.dense(h, 120, activation=tf.nn.relu, name="fc1")
    h = L.dense(h, 84, activation=tf.nn.relu, name="fc2")
    logits = L.dense(h, 10, name="fc3")
    # The trained copy: conv1 = Variable_10/11, ..., fc3 = Variable_18/19.
    names = ["conv1", "conv2", "fc1", "fc2", "fc3"]
    name_map = {}
    for i, layer in enumerate(names):
        name_map[f"{layer}/kernel"] = f"Variable_{10 + 2 * i}"
        name_map[f"{layer}/bias"] = f"Variable_{11 + 2 * i}"
    return X, logits, name_map


def _enggen():
    X = tf.placeholder(tf.float32, (None, 784), name="x")
    x = tf.reshape(X, [-1, 28, 28, 1])
    h = L.conv2d(x, 16, 5, padding="SAME", activation=tf.nn.relu,
                 name="layer_conv1")
    h = L.max_pooling2d(h, 2, 2, padding="SAME")
    h = L.conv2d(h, 36, 5, padding="SAME", activation=tf.nn.relu,
                 name="layer_conv2")
    h = L.max_pooling2d(h, 2, 2, padding="SAME")
    h = L.flatten(h)
    h = L.dense(h, 128, activation=tf.nn.relu, name="layer_fc1")
    logits = L.dense(h, 10, name="fully_connected")
    name_map = {f"{layer}/kernel": f"{layer}/weights"
                for layer in ("layer_conv1", "layer_conv2", "layer_fc1",
                              "fully_connected")}
    return X, tf.nn.softmax(logits), name_map


REBUILDS = {
    "Bingyy__HandsOnMachineLearning__my_mnist_model": _bingyy,
    "VikingTC__MNIST-classifiaction-with-Le-Net-CNN__my_model_final.ckpt":
        _viking,
    "motiwari__Snake__my_dqn.ckpt-1e9588d": _motiwari,
    "yantanglife__CNNDemo__cnn_best_validation": _yantang,
    "AndyKnight09__CarND-LeNet-Lab__lenet-4df59e2": _andy,
    "enggen__Tensorflow-Tuts__best_validation-31bc546": _enggen,
}

CONV_KINDS = ("conv", "cnn", "lenet")


def _entries():
    path = TF1_CHECKPOINTS / "manifest.json"
    if not path.exists():
        return {}
    return {e["dir"]: e for e in json.loads(path.read_text())}


def test_every_convolutional_checkpoint_has_a_rebuild(tf1_checkpoints_dir):
    conv = sorted(d for d, e in _entries().items()
                  if any(k in e["kind"] for k in CONV_KINDS))
    assert conv == sorted(REBUILDS)


def _feeds(entry, rng):
    """The manifest's forward feed: a batch of 2 uniform random floats, or
    the `forward_feed_values` constant (keep_prob 1.0)."""
    feeds, special = {}, entry.get("forward_feed_values", {})
    for name, shape, dtype in entry["forward_feeds"]:
        how = special.get(name, {})
        shape = [2] + list(shape[1:]) if shape else []
        if how.get("kind") == "const":
            feeds[name] = np.full(shape, how["value"], dtype=dtype)
        else:
            feeds[name] = rng.rand(*shape).astype(dtype)
    return feeds


@pytest.mark.parametrize("entry_dir", sorted(REBUILDS))
def test_rebuilt_network_restores_and_forwards_like_the_original(
        entry_dir, tf1_checkpoints_dir, session_config, rng):
    entry = _entries()[entry_dir]
    prefix = str(tf1_checkpoints_dir / entry_dir / entry["prefix"])
    feeds = _feeds(entry, rng)

    original = tf.Graph()
    with original.as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session(graph=original, config=session_config) as sess:
            saver.restore(sess, prefix)
            expected = sess.run(entry["output_tensor"], feed_dict=feeds)

    rebuilt = tf.Graph()
    with rebuilt.as_default():
        X, output, name_map = REBUILDS[entry_dir]()
        variables = tf.global_variables()
        var_list = {name_map.get(v.op.name, v.op.name): v for v in variables}
        # Every variable of ours is in the checkpoint, with its shape.
        stored = dict(tf.train.list_variables(prefix))
        for ckpt_name, v in var_list.items():
            assert stored.get(ckpt_name) == v.shape.as_list(), ckpt_name
        with tf.Session(graph=rebuilt, config=session_config) as sess:
            tf.train.Saver(var_list=var_list).restore(sess, prefix)
            got = sess.run(output, feed_dict={X: feeds[entry["input_tensor"]]})

    assert got.shape == tuple(entry["forward_output_shape"])
    assert np.isfinite(got).all()
    diff = float(np.max(np.abs(got - expected)))
    MAX_DIFF[f"{entry_dir} ({len(variables)} variables)"] = diff
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    # Not vacuous: a different input gives a different output.
    assert not np.allclose(expected[0], expected[1])
