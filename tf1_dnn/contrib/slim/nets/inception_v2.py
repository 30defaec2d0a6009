"""Inception v2 / BN-Inception (Ioffe & Szegedy, arXiv:1502.03167), as TF
1.15's `tf.contrib.slim.nets.inception_v2`: `inception_v2_base`,
`inception_v2` and `inception_v2_arg_scope` (also in `nets.inception`).

    with slim.arg_scope(inception.inception_v2_arg_scope()):
        logits, end_points = inception.inception_v2(images, 1001,
                                                    is_training=False)

Caveats (TF 1.15's, mirrored):
  - the first layer (`Conv2d_1a_7x7`) is a separable convolution with
    depth multiplier min(depth(64) // 3, 8); the arg scope does not cover
    `separable_conv2d`, so it has biases, ReLU and no batch norm;
  - depths are `max(int(d * depth_multiplier), min_depth)`;
    `depth_multiplier <= 0` raises ValueError;
  - any input size works: the logits' average pool shrinks to the feature
    map when it is smaller than 7x7 (`AvgPool_1a_<h>x<w>`);
  - `Mixed_5c/Branch_3` max-pools where the other mixed blocks average;
  - end points are keyed by bare names; batch norm and dropout follow
    `is_training` (default True).
"""

from tf1_dnn._compat import v1
from tf1_dnn.contrib.framework import arg_scope
from tf1_dnn.contrib.layers import (avg_pool2d, batch_norm, conv2d, dropout,
                                    fully_connected, l2_regularizer,
                                    max_pool2d, separable_conv2d, softmax,
                                    variance_scaling_initializer)

__all__ = ["inception_v2_base", "inception_v2", "inception_v2_arg_scope"]

# Four-branch blocks: Branch_0 1x1; Branch_1 1x1, 3x3; Branch_2 1x1, 3x3,
# 3x3; Branch_3 3x3 pool then 1x1.
_MIXED = {
    "Mixed_3b": (64, 64, 64, 64, 96, 32),
    "Mixed_3c": (64, 64, 96, 64, 96, 64),
    "Mixed_4b": (224, 64, 96, 96, 128, 128),
    "Mixed_4c": (192, 96, 128, 96, 128, 128),
    "Mixed_4d": (160, 128, 160, 128, 160, 96),
    "Mixed_4e": (96, 128, 192, 160, 192, 96),
    "Mixed_5b": (352, 192, 320, 160, 224, 128),
    "Mixed_5c": (352, 192, 320, 192, 224, 128),
}
# Grid-size reductions: Branch_0 1x1, 3x3/2; Branch_1 1x1, 3x3, 3x3/2;
# Branch_2 3x3/2 max pool.
_REDUCTION = {"Mixed_4a": (128, 160, 64, 96),
              "Mixed_5a": (128, 192, 192, 256)}
_ORDER = ["Conv2d_1a_7x7", "MaxPool_2a_3x3", "Conv2d_2b_1x1", "Conv2d_2c_3x3",
          "MaxPool_3a_3x3", "Mixed_3b", "Mixed_3c", "Mixed_4a", "Mixed_4b",
          "Mixed_4c", "Mixed_4d", "Mixed_4e", "Mixed_5a", "Mixed_5b",
          "Mixed_5c"]


def _trunc_normal(stddev):
    return v1.truncated_normal_initializer(0.0, stddev)


def _mixed(net, end_point, depth):
    d0, d1a, d1b, d2a, d2b, d3 = (depth(d) for d in _MIXED[end_point])
    with v1.variable_scope(end_point):
        with v1.variable_scope("Branch_0"):
            branch_0 = conv2d(net, d0, [1, 1], scope="Conv2d_0a_1x1")
        with v1.variable_scope("Branch_1"):
            branch_1 = conv2d(net, d1a, [1, 1],
                              weights_initializer=_trunc_normal(0.09),
                              scope="Conv2d_0a_1x1")
            branch_1 = conv2d(branch_1, d1b, [3, 3], scope="Conv2d_0b_3x3")
        with v1.variable_scope("Branch_2"):
            branch_2 = conv2d(net, d2a, [1, 1],
                              weights_initializer=_trunc_normal(0.09),
                              scope="Conv2d_0a_1x1")
            branch_2 = conv2d(branch_2, d2b, [3, 3], scope="Conv2d_0b_3x3")
            branch_2 = conv2d(branch_2, d2b, [3, 3], scope="Conv2d_0c_3x3")
        with v1.variable_scope("Branch_3"):
            if end_point == "Mixed_5c":
                branch_3 = max_pool2d(net, [3, 3], scope="MaxPool_0a_3x3")
            else:
                branch_3 = avg_pool2d(net, [3, 3], scope="AvgPool_0a_3x3")
            branch_3 = conv2d(branch_3, d3, [1, 1],
                              weights_initializer=_trunc_normal(0.1),
                              scope="Conv2d_0b_1x1")
        return v1.concat([branch_0, branch_1, branch_2, branch_3], 3)


def _reduction(net, end_point, depth):
    d0a, d0b, d1a, d1b = (depth(d) for d in _REDUCTION[end_point])
    with v1.variable_scope(end_point):
        with v1.variable_scope("Branch_0"):
            branch_0 = conv2d(net, d0a, [1, 1],
                              weights_initializer=_trunc_normal(0.09),
                              scope="Conv2d_0a_1x1")
            branch_0 = conv2d(branch_0, d0b, [3, 3], stride=2,
                              scope="Conv2d_1a_3x3")
        with v1.variable_scope("Branch_1"):
            branch_1 = conv2d(net, d1a, [1, 1],
                              weights_initializer=_trunc_normal(0.09),
                              scope="Conv2d_0a_1x1")
            branch_1 = conv2d(branch_1, d1b, [3, 3], scope="Conv2d_0b_3x3")
            branch_1 = conv2d(branch_1, d1b, [3, 3], stride=2,
                              scope="Conv2d_1a_3x3")
        with v1.variable_scope("Branch_2"):
            branch_2 = max_pool2d(net, [3, 3], stride=2,
                                  scope="MaxPool_1a_3x3")
        return v1.concat([branch_0, branch_1, branch_2], 3)


def _layer(net, end_point, depth):
    if end_point == "Conv2d_1a_7x7":
        return separable_conv2d(
            net, depth(64), [7, 7],
            depth_multiplier=min(int(depth(64) / 3), 8), stride=2,
            weights_initializer=_trunc_normal(1.0), scope=end_point)
    if end_point.startswith("MaxPool"):
        return max_pool2d(net, [3, 3], scope=end_point, stride=2)
    if end_point == "Conv2d_2b_1x1":
        return conv2d(net, depth(64), [1, 1], scope=end_point,
                      weights_initializer=_trunc_normal(0.1))
    if end_point == "Conv2d_2c_3x3":
        return conv2d(net, depth(192), [3, 3], scope=end_point)
    if end_point in _REDUCTION:
        return _reduction(net, end_point, depth)
    return _mixed(net, end_point, depth)


def inception_v2_base(inputs, final_endpoint="Mixed_5c", min_depth=16,
                      depth_multiplier=1.0, scope=None):
    """Inception v2 up to `final_endpoint`.

    Args:
      inputs: a [batch, height, width, channels] tensor.
      final_endpoint: the last end point built, one of "Conv2d_1a_7x7",
        "MaxPool_2a_3x3", "Conv2d_2b_1x1", "Conv2d_2c_3x3", "MaxPool_3a_3x3",
        "Mixed_3b", "Mixed_3c", "Mixed_4a" ... "Mixed_4e", "Mixed_5a",
        "Mixed_5b", "Mixed_5c".
      min_depth: the minimum depth of every conv.
      depth_multiplier: scales every conv's depth.
      scope: the variable scope (default "InceptionV2").

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

    with v1.variable_scope(scope, "InceptionV2", [inputs]):
        with arg_scope([conv2d, max_pool2d, avg_pool2d, separable_conv2d],
                       stride=1, padding="SAME"):
            net = inputs
            for end_point in _ORDER:
                net = _layer(net, end_point, depth)
                end_points[end_point] = net
                if end_point == final_endpoint:
                    return net, end_points
    raise ValueError(f"Unknown final endpoint {final_endpoint}")


def _reduced_kernel_size_for_small_input(input_tensor, kernel_size):
    shape = input_tensor.get_shape().as_list()
    if shape[1] is None or shape[2] is None:
        return kernel_size
    return [min(shape[1], kernel_size[0]), min(shape[2], kernel_size[1])]


def inception_v2(inputs, num_classes=1000, is_training=True,
                 dropout_keep_prob=0.8, min_depth=16, depth_multiplier=1.0,
                 prediction_fn=softmax, spatial_squeeze=True, reuse=None,
                 scope="InceptionV2"):
    """Inception v2 for classification. Arguments as
    `inception_v1.inception_v1`, plus `min_depth` and `depth_multiplier`
    (see `inception_v2_base`).

    Raises:
      ValueError: `depth_multiplier <= 0`.
    """
    if depth_multiplier <= 0:
        raise ValueError("depth_multiplier is not greater than zero.")
    with v1.variable_scope(scope, "InceptionV2", [inputs, num_classes],
                           reuse=reuse) as scope:
        with arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = inception_v2_base(
                inputs, scope=scope, min_depth=min_depth,
                depth_multiplier=depth_multiplier)
            with v1.variable_scope("Logits"):
                kernel_size = _reduced_kernel_size_for_small_input(net,
                                                                   [7, 7])
                net = avg_pool2d(net, kernel_size, padding="VALID",
                                 scope="AvgPool_1a_{}x{}".format(
                                     *kernel_size))
                net = dropout(net, keep_prob=dropout_keep_prob,
                              scope="Dropout_1b")
                logits = conv2d(net, num_classes, [1, 1], activation_fn=None,
                                normalizer_fn=None, scope="Conv2d_1c_1x1")
                if spatial_squeeze:
                    logits = v1.squeeze(logits, [1, 2], name="SpatialSqueeze")
            end_points["Logits"] = logits
            end_points["Predictions"] = prediction_fn(logits,
                                                      scope="Predictions")
    return logits, end_points


inception_v2.default_image_size = 224


def inception_v2_arg_scope(weight_decay=0.00004,
                           batch_norm_var_collection="moving_vars"):
    """L2 weight decay; He-initialized ReLU convs with batch norm (decay
    0.9997, epsilon 0.001; moving statistics also in
    `batch_norm_var_collection`). `separable_conv2d` is not covered."""
    batch_norm_params = {
        "decay": 0.9997,
        "epsilon": 0.001,
        "updates_collections": v1.GraphKeys.UPDATE_OPS,
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
