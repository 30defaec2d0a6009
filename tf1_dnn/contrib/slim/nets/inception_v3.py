"""Inception v3 (Szegedy et al., arXiv:1512.00567), as TF 1.15's
`tf.contrib.slim.nets.inception_v3`: `inception_v3_base`, `inception_v3`
and `inception_v3_arg_scope` (also in `nets.inception`).

    with slim.arg_scope(inception.inception_v3_arg_scope()):
        logits, end_points = inception.inception_v3(images, 1001,
                                                    is_training=False)

Caveats (TF 1.15's, mirrored):
  - the stem (up to `MaxPool_5a_3x3`) uses VALID padding, the mixed blocks
    SAME; `default_image_size` is 299; with the auxiliary head (the
    default, `create_aux_logits=True`) the input must be at least 107x107
    (the head's 5x5/3 VALID pool on `Mixed_6e`); the final pools shrink to
    the map on small inputs (`AvgPool_1a_<h>x<w>`, `Conv2d_2a_<h>x<w>`);
  - the published checkpoint's odd names are kept: `Mixed_5c/Branch_1`
    has `Conv2d_0b_1x1` and `Conv_1_0c_5x5`, the 3x3/2 convs of `Mixed_6a`
    are called `Conv2d_1a_1x1`, `Mixed_7b/Branch_1` has `Conv2d_0b_3x1`
    where `Mixed_7c` has `Conv2d_0c_3x1`;
  - end points are keyed by bare names, plus `AuxLogits`, `PreLogits`,
    `Logits`, `Predictions`; batch norm (fused by default in the arg scope)
    and dropout follow `is_training` (default True);
  - depths are `max(int(d * depth_multiplier), min_depth)`;
    `depth_multiplier <= 0` raises ValueError.
"""

from tf1_dnn._compat import v1
from tf1_dnn.contrib.framework import arg_scope
from tf1_dnn.contrib.layers import (avg_pool2d, batch_norm, conv2d, dropout,
                                    fully_connected, l2_regularizer,
                                    max_pool2d, softmax,
                                    variance_scaling_initializer)
from tf1_dnn.contrib.slim.nets.inception_v2 import (
    _reduced_kernel_size_for_small_input)

__all__ = ["inception_v3_base", "inception_v3", "inception_v3_arg_scope"]


def _trunc_normal(stddev):
    return v1.truncated_normal_initializer(0.0, stddev)


def _convs(net, specs):
    """Applies [(depth, kernel, scope, extra kwargs), ...] in sequence."""
    for depth, kernel, scope, *extra in specs:
        net = conv2d(net, depth, kernel, scope=scope,
                     **(extra[0] if extra else {}))
    return net


def _block(net, end_point, branches):
    """A mixed block: each branch is a list of conv specs, or a callable."""
    with v1.variable_scope(end_point):
        outputs = []
        for i, branch in enumerate(branches):
            with v1.variable_scope(f"Branch_{i}"):
                outputs.append(branch(net) if callable(branch)
                               else _convs(net, branch))
        return v1.concat(outputs, 3)


def _pool_then_1x1(depth, pool=avg_pool2d, name="AvgPool_0a_3x3"):
    def branch(net):
        return conv2d(pool(net, [3, 3], scope=name), depth, [1, 1],
                      scope="Conv2d_0b_1x1")
    return branch


def _split(first, pair):
    """1x1 (or more) convs, then a [1, 3] and a [3, 1] conv concatenated."""
    def branch(net):
        net = _convs(net, first)
        return v1.concat([conv2d(net, d, k, scope=s) for d, k, s in pair], 3)
    return branch


def _stem_and_blocks(depth):
    valid2 = {"stride": 2, "padding": "VALID"}
    stem = [
        ("Conv2d_1a_3x3", lambda n: conv2d(n, depth(32), [3, 3], stride=2,
                                           scope="Conv2d_1a_3x3")),
        ("Conv2d_2a_3x3", lambda n: conv2d(n, depth(32), [3, 3],
                                           scope="Conv2d_2a_3x3")),
        ("Conv2d_2b_3x3", lambda n: conv2d(n, depth(64), [3, 3],
                                           padding="SAME",
                                           scope="Conv2d_2b_3x3")),
        ("MaxPool_3a_3x3", lambda n: max_pool2d(n, [3, 3], stride=2,
                                                scope="MaxPool_3a_3x3")),
        ("Conv2d_3b_1x1", lambda n: conv2d(n, depth(80), [1, 1],
                                           scope="Conv2d_3b_1x1")),
        ("Conv2d_4a_3x3", lambda n: conv2d(n, depth(192), [3, 3],
                                           scope="Conv2d_4a_3x3")),
        ("MaxPool_5a_3x3", lambda n: max_pool2d(n, [3, 3], stride=2,
                                                scope="MaxPool_5a_3x3")),
    ]

    def mixed_5(d3, b1_names=("Conv2d_0a_1x1", "Conv2d_0b_5x5")):
        return [
            [(depth(64), [1, 1], "Conv2d_0a_1x1")],
            [(depth(48), [1, 1], b1_names[0]),
             (depth(64), [5, 5], b1_names[1])],
            [(depth(64), [1, 1], "Conv2d_0a_1x1"),
             (depth(96), [3, 3], "Conv2d_0b_3x3"),
             (depth(96), [3, 3], "Conv2d_0c_3x3")],
            _pool_then_1x1(depth(d3))]

    def mixed_6(d):
        return [
            [(depth(192), [1, 1], "Conv2d_0a_1x1")],
            [(depth(d), [1, 1], "Conv2d_0a_1x1"),
             (depth(d), [1, 7], "Conv2d_0b_1x7"),
             (depth(192), [7, 1], "Conv2d_0c_7x1")],
            [(depth(d), [1, 1], "Conv2d_0a_1x1"),
             (depth(d), [7, 1], "Conv2d_0b_7x1"),
             (depth(d), [1, 7], "Conv2d_0c_1x7"),
             (depth(d), [7, 1], "Conv2d_0d_7x1"),
             (depth(192), [1, 7], "Conv2d_0e_1x7")],
            _pool_then_1x1(depth(192))]

    def mixed_7(b1_second):
        return [
            [(depth(320), [1, 1], "Conv2d_0a_1x1")],
            _split([(depth(384), [1, 1], "Conv2d_0a_1x1")],
                   [(depth(384), [1, 3], "Conv2d_0b_1x3"),
                    (depth(384), [3, 1], b1_second)]),
            _split([(depth(448), [1, 1], "Conv2d_0a_1x1"),
                    (depth(384), [3, 3], "Conv2d_0b_3x3")],
                   [(depth(384), [1, 3], "Conv2d_0c_1x3"),
                    (depth(384), [3, 1], "Conv2d_0d_3x1")]),
            _pool_then_1x1(depth(192))]

    def max_pool_1a(net):
        return max_pool2d(net, [3, 3], stride=2, padding="VALID",
                          scope="MaxPool_1a_3x3")

    blocks = [
        ("Mixed_5b", mixed_5(32)),
        ("Mixed_5c", mixed_5(64, ("Conv2d_0b_1x1", "Conv_1_0c_5x5"))),
        ("Mixed_5d", mixed_5(64)),
        ("Mixed_6a", [
            [(depth(384), [3, 3], "Conv2d_1a_1x1", valid2)],
            [(depth(64), [1, 1], "Conv2d_0a_1x1"),
             (depth(96), [3, 3], "Conv2d_0b_3x3"),
             (depth(96), [3, 3], "Conv2d_1a_1x1", valid2)],
            max_pool_1a]),
        ("Mixed_6b", mixed_6(128)),
        ("Mixed_6c", mixed_6(160)),
        ("Mixed_6d", mixed_6(160)),
        ("Mixed_6e", mixed_6(192)),
        ("Mixed_7a", [
            [(depth(192), [1, 1], "Conv2d_0a_1x1"),
             (depth(320), [3, 3], "Conv2d_1a_3x3", valid2)],
            [(depth(192), [1, 1], "Conv2d_0a_1x1"),
             (depth(192), [1, 7], "Conv2d_0b_1x7"),
             (depth(192), [7, 1], "Conv2d_0c_7x1"),
             (depth(192), [3, 3], "Conv2d_1a_3x3", valid2)],
            max_pool_1a]),
        ("Mixed_7b", mixed_7("Conv2d_0b_3x1")),
        ("Mixed_7c", mixed_7("Conv2d_0c_3x1")),
    ]
    return stem, blocks


def inception_v3_base(inputs, final_endpoint="Mixed_7c", min_depth=16,
                      depth_multiplier=1.0, scope=None):
    """Inception v3 up to `final_endpoint`.

    Args:
      inputs: a [batch, height, width, channels] tensor.
      final_endpoint: the last end point built: "Conv2d_1a_3x3",
        "Conv2d_2a_3x3", "Conv2d_2b_3x3", "MaxPool_3a_3x3", "Conv2d_3b_1x1",
        "Conv2d_4a_3x3", "MaxPool_5a_3x3", "Mixed_5b" ... "Mixed_5d",
        "Mixed_6a" ... "Mixed_6e", "Mixed_7a" ... "Mixed_7c".
      min_depth: the minimum depth of every conv.
      depth_multiplier: scales every conv's depth.
      scope: the variable scope (default "InceptionV3").

    Returns:
      (net, end_points).

    Raises:
      ValueError: `depth_multiplier <= 0` or an unknown `final_endpoint`.
    """
    end_points = {}
    if depth_multiplier <= 0:
        raise ValueError("depth_multiplier is not greater than zero.")

    def depth(d):
        return max(int(d * depth_multiplier), min_depth)

    stem, blocks = _stem_and_blocks(depth)
    with v1.variable_scope(scope, "InceptionV3", [inputs]):
        net = inputs
        with arg_scope([conv2d, max_pool2d, avg_pool2d], stride=1,
                       padding="VALID"):
            for end_point, layer in stem:
                net = layer(net)
                end_points[end_point] = net
                if end_point == final_endpoint:
                    return net, end_points
        with arg_scope([conv2d, max_pool2d, avg_pool2d], stride=1,
                       padding="SAME"):
            for end_point, branches in blocks:
                net = _block(net, end_point, branches)
                end_points[end_point] = net
                if end_point == final_endpoint:
                    return net, end_points
    raise ValueError(f"Unknown final endpoint {final_endpoint}")


def inception_v3(inputs, num_classes=1000, is_training=True,
                 dropout_keep_prob=0.8, min_depth=16, depth_multiplier=1.0,
                 prediction_fn=softmax, spatial_squeeze=True, reuse=None,
                 create_aux_logits=True, scope="InceptionV3"):
    """Inception v3 for classification. Arguments as
    `inception_v2.inception_v2`, plus `create_aux_logits` (the auxiliary
    head on `Mixed_6e`, `end_points["AuxLogits"]`, when `num_classes`).

    Raises:
      ValueError: `depth_multiplier <= 0`.
    """
    if depth_multiplier <= 0:
        raise ValueError("depth_multiplier is not greater than zero.")

    def depth(d):
        return max(int(d * depth_multiplier), min_depth)

    with v1.variable_scope(scope, "InceptionV3", [inputs, num_classes],
                           reuse=reuse) as scope:
        with arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = inception_v3_base(
                inputs, scope=scope, min_depth=min_depth,
                depth_multiplier=depth_multiplier)
            if create_aux_logits and num_classes:
                with arg_scope([conv2d, max_pool2d, avg_pool2d], stride=1,
                               padding="SAME"):
                    aux_logits = end_points["Mixed_6e"]
                    with v1.variable_scope("AuxLogits"):
                        aux_logits = avg_pool2d(
                            aux_logits, [5, 5], stride=3, padding="VALID",
                            scope="AvgPool_1a_5x5")
                        aux_logits = conv2d(aux_logits, depth(128), [1, 1],
                                            scope="Conv2d_1b_1x1")
                        kernel_size = _reduced_kernel_size_for_small_input(
                            aux_logits, [5, 5])
                        aux_logits = conv2d(
                            aux_logits, depth(768), kernel_size,
                            weights_initializer=_trunc_normal(0.01),
                            padding="VALID",
                            scope="Conv2d_2a_{}x{}".format(*kernel_size))
                        aux_logits = conv2d(
                            aux_logits, num_classes, [1, 1],
                            activation_fn=None, normalizer_fn=None,
                            weights_initializer=_trunc_normal(0.001),
                            scope="Conv2d_2b_1x1")
                        if spatial_squeeze:
                            aux_logits = v1.squeeze(aux_logits, [1, 2],
                                                    name="SpatialSqueeze")
                        end_points["AuxLogits"] = aux_logits
            with v1.variable_scope("Logits"):
                kernel_size = _reduced_kernel_size_for_small_input(net,
                                                                   [8, 8])
                net = avg_pool2d(net, kernel_size, padding="VALID",
                                 scope="AvgPool_1a_{}x{}".format(
                                     *kernel_size))
                net = dropout(net, keep_prob=dropout_keep_prob,
                              scope="Dropout_1b")
                end_points["PreLogits"] = net
                logits = conv2d(net, num_classes, [1, 1], activation_fn=None,
                                normalizer_fn=None, scope="Conv2d_1c_1x1")
                if spatial_squeeze:
                    logits = v1.squeeze(logits, [1, 2], name="SpatialSqueeze")
            end_points["Logits"] = logits
            end_points["Predictions"] = prediction_fn(logits,
                                                      scope="Predictions")
    return logits, end_points


inception_v3.default_image_size = 299


def inception_v3_arg_scope(weight_decay=0.00004,
                           batch_norm_var_collection="moving_vars",
                           batch_norm_decay=0.9997, batch_norm_epsilon=0.001,
                           updates_collections=v1.GraphKeys.UPDATE_OPS,
                           use_fused_batchnorm=True):
    """L2 weight decay; He-initialized ReLU convs with (fused) batch norm,
    its moving statistics also in `batch_norm_var_collection`."""
    batch_norm_params = {
        "decay": batch_norm_decay,
        "epsilon": batch_norm_epsilon,
        "updates_collections": updates_collections,
        "fused": use_fused_batchnorm,
        "variables_collections": {
            "beta": None,
            "gamma": None,
            "moving_mean": [batch_norm_var_collection],
            "moving_variance": [batch_norm_var_collection],
        },
    }
    with arg_scope([conv2d, fully_connected],
                   weights_regularizer=l2_regularizer(weight_decay)):
        with arg_scope([conv2d],
                       weights_initializer=variance_scaling_initializer(),
                       activation_fn=v1.nn.relu, normalizer_fn=batch_norm,
                       normalizer_params=batch_norm_params) as sc:
            return sc
