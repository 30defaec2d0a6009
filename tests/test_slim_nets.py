"""tf.contrib.slim.nets against tf-slim 1.1's `tf_slim.nets` (the same model
code as TF 1.15's contrib): for each network, ours and the oracle's are built
in two graphs on the same input; variable names, shapes and collections,
regularization losses and `end_points` keys (in order) must be equal; the
oracle's initialized weights are copied into ours by name and the logits and
every end point must be bitwise equal (the same ops run the same kernels in
both graphs)."""

import importlib
import sys

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.contrib import framework as ours_framework

tf_slim = pytest.importorskip("tf_slim")


@pytest.fixture(scope="module", autouse=True)
def _tf_slim_batch_norm_alias():
    # tf-slim 1.1 looks for tf_keras's legacy layers at their old path.
    import tf_keras.src.legacy_tf_layers as legacy
    import tf_keras.src.legacy_tf_layers.normalization as legacy_norm
    sys.modules.setdefault("tf_keras.legacy_tf_layers", legacy)
    sys.modules.setdefault("tf_keras.legacy_tf_layers.normalization",
                           legacy_norm)


def _module(lib, family):
    if lib == "ours":
        return importlib.import_module("tf1_dnn.contrib.slim.nets." + family)
    return importlib.import_module("tf_slim.nets." + family)


def _arg_scope(lib):
    return ours_framework.arg_scope if lib == "ours" else tf_slim.arg_scope


def _build(lib, family, net_fn, scope_fn, x, scope_kwargs=None, **kwargs):
    """Builds one network in a fresh graph; returns what the tests compare."""
    module = _module(lib, family)
    g = tf.Graph()
    with g.as_default():
        inputs = tf.constant(x)
        with _arg_scope(lib)(getattr(module, scope_fn)(
                **(scope_kwargs or {}))):
            if callable(net_fn):
                logits, end_points = net_fn(module, inputs, **kwargs)
            else:
                logits, end_points = getattr(module, net_fn)(inputs,
                                                             **kwargs)
    with g.as_default():
        variables = tf.global_variables()
        return {
            "graph": g, "logits": logits, "end_points": end_points,
            "variables": variables,
            "names": [(v.op.name, v.shape.as_list()) for v in variables],
            "model": [v.op.name for v in tf.model_variables()],
            "trainable": [v.op.name for v in tf.trainable_variables()],
            "losses": [t.op.name
                       for t in tf.losses.get_regularization_losses()],
            "moving_vars": [v.op.name
                            for v in tf.get_collection("moving_vars")],
            "updates": sorted(op.name for op in
                              tf.get_collection(tf.GraphKeys.UPDATE_OPS)),
            "update_ops": tf.get_collection(tf.GraphKeys.UPDATE_OPS),
        }


def _run(built, values=None):
    g = built["graph"]
    with g.as_default(), tf.Session(graph=g) as sess:
        if values is None:
            sess.run(tf.global_variables_initializer())
            values = dict(zip([v.op.name for v in built["variables"]],
                              sess.run(built["variables"])))
        else:   # one run feeding every variable's initial value
            sess.run([v.initializer for v in built["variables"]],
                     {v.initializer.inputs[1]: values[v.op.name]
                      for v in built["variables"]})
        logits, end_points = sess.run((built["logits"], built["end_points"]))
        if built["update_ops"]:
            # Batch norm's moving averages after one update, by name.
            sess.run(built["update_ops"])
            end_points = dict(end_points)
            moving = [v for v in built["variables"] if "moving_" in v.op.name]
            for v, value in zip(moving, sess.run(moving)):
                end_points["after update: " + v.op.name] = value
    return values, logits, end_points


def _compare(family, net_fn, scope_fn, x, run=True, scope_kwargs=None,
             other_names=(), **kwargs):
    ref = _build("ref", family, net_fn, scope_fn, x, scope_kwargs, **kwargs)
    ours = _build("ours", family, net_fn, scope_fn, x, scope_kwargs, **kwargs)
    for key in ("names", "model", "trainable", "losses", "moving_vars",
                "updates"):
        assert ours[key] == ref[key], key
    assert list(ours["end_points"]) == list(ref["end_points"])
    assert ours["logits"].shape.as_list() == ref["logits"].shape.as_list()
    assert ours["logits"].op.name == ref["logits"].op.name
    for key, tensor in ref["end_points"].items():
        assert ours["end_points"][key].shape.as_list() == \
            tensor.shape.as_list(), key
        if key not in other_names:
            assert ours["end_points"][key].name == tensor.name, key
    if not run:
        return ref, None
    values, ref_logits, ref_points = _run(ref)
    _, logits, points = _run(ours, values)
    assert np.abs(logits).max() > 0     # not a degenerate all-zero net
    np.testing.assert_array_equal(logits, ref_logits)
    assert list(points) == list(ref_points)
    for key, value in ref_points.items():
        np.testing.assert_array_equal(points[key], value, err_msg=key)
    return ref, logits


def _images(size, batch=1, seed=0):
    return np.random.RandomState(seed).rand(batch, size, size, 3).astype(
        np.float32)


# -- vgg, alexnet, overfeat ------------------------------------------------
def test_vgg_16_names_end_points_and_numbers():
    # 224x224 is the smallest input (fc6 is a 7x7 VALID conv on pool5); the
    # 138M-parameter net is built and run once, with 3 classes.
    ref, logits = _compare("vgg", "vgg_16", "vgg_arg_scope", _images(224),
                           num_classes=3, is_training=False)
    assert logits.shape == (1, 3)
    assert list(ref["end_points"])[:3] == [
        "vgg_16/conv1/conv1_1", "vgg_16/conv1/conv1_2", "vgg_16/pool1"]
    assert list(ref["end_points"])[-1] == "vgg_16/fc8"
    assert ("vgg_16/fc6/weights", [7, 7, 512, 4096]) in ref["names"]


@pytest.mark.parametrize("net_fn", ["vgg_a", "vgg_19"])
@pytest.mark.parametrize("squeeze", [True, False])
def test_vgg_a_19_names_and_end_points(net_fn, squeeze):
    # Names, shapes, collections and end points only (not run: 133M/144M
    # parameters each; vgg_16 above runs the same code).
    _compare("vgg", net_fn, "vgg_arg_scope", _images(224), run=False,
             num_classes=2, spatial_squeeze=squeeze)


def test_vgg_training_mode_and_larger_input_unsqueezed():
    # is_training=True builds the dropout ops under the same names; a 256x256
    # input gives a 2x2 fc8 map (fully convolutional, spatial_squeeze=False).
    ref, _ = _compare("vgg", "vgg_a", "vgg_arg_scope", _images(256),
                      run=False, num_classes=2, is_training=True,
                      spatial_squeeze=False)
    assert ref["logits"].shape.as_list() == [1, 2, 2, 2]
    assert any(op.name.startswith("vgg_a/dropout6/dropout")
               for op in ref["graph"].get_operations())


@pytest.mark.parametrize("squeeze", [True, False])
def test_alexnet_v2(squeeze):
    # 195x195 is alexnet_v2's smallest input (fc6: 5x5 VALID on pool5).
    _compare("alexnet", "alexnet_v2", "alexnet_v2_arg_scope", _images(195),
             num_classes=3, is_training=False, spatial_squeeze=squeeze)


def test_overfeat():
    # 231x231, the smallest input; 3 classes. Run once: 145M parameters.
    _compare("overfeat", "overfeat", "overfeat_arg_scope", _images(231),
             num_classes=3, is_training=False, spatial_squeeze=False)


@pytest.mark.parametrize("family,net_fn", [("vgg", "vgg_19"),
                                            ("vgg", "vgg_16"),
                                            ("overfeat", "overfeat")])
def test_second_build_with_reuse_end_points(family, net_fn):
    # vgg_19 and overfeat name their end-points collection from sc.name,
    # vgg_16 from original_name_scope (TF 1.15's difference, kept): a second
    # build reusing the variables gets the same keys and the same tensors as
    # the oracle's.
    names = []
    for lib in ("ref", "ours"):
        module = _module(lib, family)
        with tf.Graph().as_default():
            x = tf.zeros([1, 231, 231, 3])
            module_fn = getattr(module, net_fn)
            _, first = module_fn(x, num_classes=2, spatial_squeeze=False)
            with tf.variable_scope(tf.get_variable_scope(), reuse=True):
                _, second = module_fn(x, num_classes=2,
                                      spatial_squeeze=False)
            names.append([(k, t.name) for k, t in first.items()] +
                         [(k, t.name) for k, t in second.items()])
    assert names[0] == names[1]


# -- resnet ---------------------------------------------------------------
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_resnet_50(version, is_training=True):
    # 2 images of 64x64 (the nominal stride is 32: a 2x2 block4 map), 3
    # classes; batch norm in training uses the batch statistics and the
    # moving averages after one update are compared too (is_training=False
    # runs in the output_stride test below).
    ref, logits = _compare(f"resnet_{version}", f"resnet_{version}_50",
                           "resnet_arg_scope", _images(64, batch=2),
                           num_classes=3, is_training=is_training)
    assert logits.shape == (2, 1, 1, 3)
    keys = list(ref["end_points"])
    assert keys[0] == f"resnet_{version}_50/conv1"
    assert keys[-1] == "predictions"
    assert f"resnet_{version}_50/block4" in keys
    assert bool(ref["updates"]) == is_training


@pytest.mark.parametrize("version,output_stride", [("v1", 8), ("v2", 16)])
def test_resnet_50_output_stride_no_global_pool(version, output_stride):
    # Features only (num_classes=None), atrous past output_stride.
    ref, feats = _compare(f"resnet_{version}", f"resnet_{version}_50",
                          "resnet_arg_scope", _images(32), num_classes=None,
                          is_training=False, global_pool=False,
                          output_stride=output_stride)
    assert feats.shape == (1, 32 // output_stride, 32 // output_stride, 2048)
    assert "predictions" not in ref["end_points"]


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("depth", [50, 101, 152, 200])
def test_resnet_depths_pass_the_oracles_blocks(monkeypatch, version, depth):
    # resnet_*_<depth> only chooses the blocks: the generic builder is
    # replaced in both modules by a recorder (no graph), and the blocks
    # (scope, unit function name, unit args) and arguments compared.
    calls = []
    for lib in ("ref", "ours"):
        module = _module(lib, f"resnet_{version}")
        monkeypatch.setattr(module, f"resnet_{version}",
                            lambda *a, **k: calls.append((a, k)))
        getattr(module, f"resnet_{version}_{depth}")(
            "images", 5, False, True, 8, reuse=True)
    (ref_args, ref_kwargs), (args, kwargs) = calls
    assert kwargs == ref_kwargs
    assert args[2:] == ref_args[2:] and args[0] == "images"
    assert [(b.scope, b.unit_fn.__name__, b.args) for b in args[1]] == \
        [(b.scope, b.unit_fn.__name__, b.args) for b in ref_args[1]]
    units = {50: 16, 101: 33, 152: 50, 200: 66}[depth]
    assert sum(len(b.args) for b in args[1]) == units   # 3 * units + 2


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_resnet_101_names_and_end_points(version):
    # Names, shapes, collections and end points of a deep net built by both
    # (not run: its units are resnet_*_50's, run above).
    _compare(f"resnet_{version}", f"resnet_{version}_101",
             "resnet_arg_scope", _images(32), run=False, num_classes=2)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_resnet_custom_blocks_without_root_block(version):
    # The generic builder on small blocks made with resnet_*_block,
    # include_root_block=False, output_stride=2 (atrous block2).
    def build(module, inputs):
        block = getattr(module, f"resnet_{version}_block")
        blocks = [block("block1", base_depth=2, num_units=2, stride=2),
                  block("block2", base_depth=4, num_units=2, stride=2)]
        return getattr(module, f"resnet_{version}")(
            inputs, blocks, num_classes=2, is_training=True,
            include_root_block=False, output_stride=2, scope="tiny")
    ref, logits = _compare(f"resnet_{version}", build, "resnet_arg_scope",
                           _images(8, batch=2))
    assert logits.shape == (2, 1, 1, 2)
    assert ("tiny/block1/unit_1/bottleneck_" + version +
            "/conv1/weights", [1, 1, 3, 2]) in ref["names"]


def test_resnet_utils_conv2d_same_subsample_and_errors():
    from tf1_dnn.contrib.slim.nets import resnet_utils as ours
    from tf_slim.nets import resnet_utils as theirs
    x = _images(6, seed=1)
    results = []
    for module in (theirs, ours):
        with tf.Graph().as_default():
            outs = [module.conv2d_same(tf.constant(x), 2, 3, stride=2,
                                       scope="even"),
                    module.conv2d_same(tf.constant(x), 2, 3, stride=1,
                                       rate=2, scope="atrous"),
                    module.subsample(tf.constant(x), 2, scope="sub"),
                    module.subsample(tf.constant(x), 1)]
            variables = tf.global_variables()
            with tf.Session() as sess:
                for v in variables:   # deterministic weights, no init needed
                    v.load(np.linspace(-1, 1, v.shape.num_elements()).reshape(
                        v.shape.as_list()).astype(np.float32), sess)
                results.append(([v.op.name for v in variables],
                                [o.name for o in outs], sess.run(outs)))
    assert results[0][:2] == results[1][:2]
    for a, b in zip(results[0][2], results[1][2]):
        np.testing.assert_array_equal(a, b)
    assert results[1][2][0].shape == (1, 3, 3, 2)
    np.testing.assert_array_equal(results[1][2][3], x)
    # resnet_v1_50's nominal strides are 4 (root), 2, 2, 2.
    for stride, message in ((6, "multiple of 4"), (64, "cannot be reached"),
                            (12, "cannot be reached")):
        with tf.Graph().as_default(), pytest.raises(ValueError,
                                                    match=message):
            tf.contrib.slim.nets.resnet_v1.resnet_v1_50(
                tf.zeros([1, 32, 32, 3]), output_stride=stride)
    block = ours.Block("b", None, [{"depth": 1}])
    assert block.scope == "b" and block.args == [{"depth": 1}]


# -- inception ---------------------------------------------------------------
@pytest.mark.parametrize("is_training,squeeze", [(False, True), (True, False)])
def test_inception_v1(is_training, squeeze):
    # 224x224 is the smallest input (the logits' 7x7 VALID average pool);
    # training mode with 2 images (batch statistics, moving averages after
    # one update) and dropout_keep_prob=1 so the outputs are deterministic.
    ref, logits = _compare(
        "inception", "inception_v1", "inception_v1_arg_scope",
        _images(224, batch=2), num_classes=3, is_training=is_training,
        spatial_squeeze=squeeze, dropout_keep_prob=1.0)
    assert logits.shape == ((2, 3) if squeeze else (2, 1, 1, 3))
    assert list(ref["end_points"])[-3:] == ["Mixed_5c", "Logits",
                                            "Predictions"]
    assert ("InceptionV1/Mixed_5b/Branch_2/Conv2d_0a_3x3/weights",
            [3, 3, 32, 128]) in ref["names"]
    assert len(ref["moving_vars"]) == 2 * 57    # one batch norm per conv


def test_inception_v1_base_final_endpoint_and_errors():
    def build(module, inputs):
        return module.inception_v1_base(inputs, final_endpoint="Mixed_3c")
    ref, net = _compare("inception", build, "inception_v1_arg_scope",
                        _images(32), scope_kwargs={"use_batch_norm": False})
    assert net.shape == (1, 4, 4, 480)
    assert list(ref["end_points"])[-1] == "Mixed_3c"
    with ref["graph"].as_default():
        assert [v.op.name for v in tf.get_collection("moving_vars")] == []
    nets = tf.contrib.slim.nets
    with tf.Graph().as_default(), pytest.raises(
            ValueError, match="Unknown final endpoint Mixed_9z"):
        nets.inception.inception_v1_base(tf.zeros([1, 32, 32, 3]),
                                         final_endpoint="Mixed_9z")
    with pytest.raises(AttributeError, match=r"nets\.inception\.inception_v4 "
                                             "is not provided"):
        nets.inception.inception_v4  # noqa: B018


@pytest.mark.parametrize("is_training,multiplier", [(True, 1.0),
                                                     (False, 0.5)])
def test_inception_v2(is_training, multiplier):
    # Any input size works (the logits' pool shrinks to the map): 2 images
    # of 64x64 give a 2x2 Mixed_5c and an AvgPool_1a_2x2; dropout_keep_prob=1
    # keeps training mode deterministic.
    ref, logits = _compare(
        "inception", "inception_v2", "inception_v2_arg_scope",
        _images(64, batch=2), num_classes=3, is_training=is_training,
        dropout_keep_prob=1.0, depth_multiplier=multiplier)
    assert logits.shape == (2, 3)
    depth = 64 if multiplier == 1.0 else 32
    assert ("InceptionV2/Conv2d_1a_7x7/depthwise_weights",
            [7, 7, 3, 8]) in ref["names"]
    assert ("InceptionV2/Conv2d_1a_7x7/pointwise_weights",
            [1, 1, 24, depth]) in ref["names"]
    assert "InceptionV2/Logits/AvgPool_1a_2x2/AvgPool" in {
        op.name for op in ref["graph"].get_operations()}
    nets = tf.contrib.slim.nets
    with tf.Graph().as_default(), pytest.raises(
            ValueError, match="depth_multiplier is not greater than zero"):
        nets.inception.inception_v2(tf.zeros([1, 64, 64, 3]),
                                    depth_multiplier=0)


def test_inception_v3_with_aux_logits_training():
    # 107x107 is the smallest input with the auxiliary head (its 5x5/3
    # VALID pool on Mixed_6e); 2 images, training, dropout_keep_prob=1.
    # PreLogits is the dropout's output: at keep_prob=1 in training the
    # oracle (TF 2.21's nn.dropout fast path) returns its input tensor,
    # tf1_dnn's Dropout an Identity of it (tf1_dnn/layers/core.py); the
    # values are compared all the same.
    ref, logits = _compare(
        "inception", "inception_v3", "inception_v3_arg_scope",
        _images(107, batch=2), num_classes=3, is_training=True,
        dropout_keep_prob=1.0, other_names=("PreLogits",))
    assert logits.shape == (2, 3)
    keys = list(ref["end_points"])
    assert keys[-5:] == ["Mixed_7c", "AuxLogits", "PreLogits", "Logits",
                         "Predictions"]
    for name in ("InceptionV3/Mixed_5c/Branch_1/Conv_1_0c_5x5/weights",
                 "InceptionV3/Mixed_6a/Branch_0/Conv2d_1a_1x1/weights",
                 "InceptionV3/Mixed_7b/Branch_1/Conv2d_0b_3x1/weights",
                 "InceptionV3/AuxLogits/Conv2d_2a_1x1/weights"):
        assert name in dict(ref["names"]), name


def test_inception_v3_without_aux_logits_small():
    # 75x75 is the smallest input without the head; half depth, unsqueezed.
    ref, logits = _compare(
        "inception", "inception_v3", "inception_v3_arg_scope", _images(75),
        num_classes=3, is_training=False, create_aux_logits=False,
        depth_multiplier=0.5, spatial_squeeze=False)
    assert logits.shape == (1, 1, 1, 3)
    assert "AuxLogits" not in ref["end_points"]
    with tf.Graph().as_default(), pytest.raises(
            ValueError, match="Unknown final endpoint Mixed_8a"):
        tf.contrib.slim.nets.inception.inception_v3_base(
            tf.zeros([1, 75, 75, 3]), final_endpoint="Mixed_8a")


# -- where the names resolve -----------------------------------------------
def test_namespace_and_missing_family():
    from tf1_dnn.contrib.slim.nets import resnet_v1, vgg
    nets = tf.contrib.slim.nets
    assert nets.vgg.vgg_16 is vgg.vgg_16
    assert nets.vgg.vgg_d is vgg.vgg_16 and nets.vgg.vgg_e is vgg.vgg_19
    assert nets.resnet_v1.resnet_v1_50 is resnet_v1.resnet_v1_50
    assert nets.resnet_v2.resnet_arg_scope is \
        nets.resnet_utils.resnet_arg_scope
    assert vgg.vgg_16.default_image_size == 224
    assert nets.overfeat.overfeat.default_image_size == 231
    for family in ("vgg", "alexnet", "overfeat", "resnet_utils",
                   "resnet_v1", "resnet_v2", "inception"):
        assert family in dir(nets)
    with pytest.raises(AttributeError,
                       match=r"tf\.contrib\.slim\.nets\.nasnet is not "
                             "provided by tf1_dnn"):
        nets.nasnet  # noqa: B018


def test_import_tensorflow_contrib_slim_nets_through_activate():
    from tf1_dnn import activation
    from tf1_dnn.contrib.slim import nets
    aliases = activation.module_aliases()   # what the runner installs too
    assert aliases["tensorflow.contrib.slim.nets"] is nets
    try:
        activation.activate(warn=False)
        import tensorflow.contrib.slim as slim
        import tensorflow.contrib.slim.nets.resnet_v1 as imported_resnet
        from tensorflow.contrib.slim.nets import vgg as imported_vgg
        assert slim.nets is nets
        assert imported_vgg is nets.vgg
        assert imported_resnet is nets.resnet_v1
        assert sys.modules["tensorflow.contrib.slim.nets.alexnet"] is \
            nets.alexnet
    finally:
        activation.deactivate()
    assert "tensorflow.contrib.slim.nets.vgg" not in sys.modules


def test_import_of_contrib_submodules_through_activate_is_not_a_copy():
    """`import tensorflow.contrib.slim.learning` (and other submodules of
    our contrib packages) gets our module, not a second copy loaded from
    the package's path under the alias's name (which would also replace
    `slim.learning`)."""
    from tf1_dnn import activation
    from tf1_dnn.contrib import slim as our_slim
    from tf1_dnn.contrib.layers import normalization as our_norm
    from tf1_dnn.contrib.slim import evaluation, learning
    try:
        activation.activate(warn=False)
        import tensorflow.contrib.layers.normalization as imported_norm
        import tensorflow.contrib.slim.evaluation as imported_evaluation
        import tensorflow.contrib.slim.learning as imported_learning
        assert imported_learning is learning
        assert imported_evaluation is evaluation
        assert imported_norm is our_norm
        assert our_slim.learning is learning          # not rebound
    finally:
        activation.deactivate()
    assert "tensorflow.contrib.slim.learning" not in sys.modules


def test_unchanged_script_imports_nets_under_the_runner(tmp_path):
    # A fresh interpreter: `python -m tf1_dnn run` keeps the script's
    # `import tensorflow...` lines, slim-era style.
    from tests.conftest import run_python
    script = tmp_path / "legacy_nets.py"
    script.write_text(
        "import tensorflow as tf\n"
        "import tensorflow.contrib.slim as slim\n"
        "from tensorflow.contrib.slim.nets import vgg\n"
        "import tensorflow.contrib.slim.nets.resnet_v1 as resnet_v1\n"
        "nets = slim.nets\n"
        "assert nets.vgg is vgg and nets.resnet_v1 is resnet_v1\n"
        "with slim.arg_scope(resnet_v1.resnet_arg_scope()):\n"
        "    net, points = nets.resnet_v1.resnet_v1_50(\n"
        "        tf.placeholder(tf.float32, [1, 32, 32, 3]), 2)\n"
        "print(vgg.vgg_16.__module__, net.op.name, len(points))\n")
    out = run_python("import sys; from tf1_dnn.__main__ import main; "
                     f"sys.exit(main(['run', {str(script)!r}]))")
    with tf.Graph().as_default():   # the same build here, for the count
        nets = tf.contrib.slim.nets
        with tf.contrib.slim.arg_scope(nets.resnet_v1.resnet_arg_scope()):
            _, points = nets.resnet_v1.resnet_v1_50(
                tf.zeros([1, 32, 32, 3]), 2)
    assert out.stdout.split()[-3:] == [
        "tf1_dnn.contrib.slim.nets.vgg", "resnet_v1_50/logits/BiasAdd",
        str(len(points))]
