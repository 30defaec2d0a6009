"""Inception v1 / GoogLeNet (Szegedy et al., arXiv:1409.4842), as TF 1.15's
`tf.contrib.slim.nets.inception_v1`: `inception_v1_base`, `inception_v1`
and `inception_v1_arg_scope` (also in `nets.inception`).

    with slim.arg_scope(inception.inception_v1_arg_scope()):
        logits, end_points = inception.inception_v1(images, 1001,
                                                    is_training=False)

Caveats (TF 1.15's, mirrored):
  - `end_points` is keyed by the bare end-point name (`"Conv2d_1a_7x7"`,
    `"Mixed_5c"`, `"Logits"`, `"Predictions"`), not by scope;
  - the input must be at least 224x224 (`default_image_size`: the logits'
    7x7 VALID average pool);
  - `Mixed_5b/Branch_2`'s 3x3 conv is named `Conv2d_0a_3x3` (not `0b`), as
    in the published `inception_v1.ckpt`;
  - batch norm and dropout follow `is_training` (default True), and the
    arg scope keeps the moving statistics in the `moving_vars` collection;
  - an unknown `final_endpoint` raises ValueError("Unknown final endpoint
    ...").
"""

from tf1_dnn._compat import v1
from tf1_dnn.contrib.framework import arg_scope
from tf1_dnn.contrib.layers import (avg_pool2d, batch_norm, conv2d, dropout,
                                    fully_connected, l2_regularizer,
                                    max_pool2d, softmax,
                                    variance_scaling_initializer)

__all__ = ["inception_v1_base", "inception_v1", "inception_v1_arg_scope"]

# Mixed block -> depths of Branch_0 1x1, Branch_1 1x1 and 3x3, Branch_2 1x1
# and 3x3, Branch_3 1x1 (after a 3x3 max pool).
_MIXED = {
    "Mixed_3b": (64, 96, 128, 16, 32, 32),
    "Mixed_3c": (128, 128, 192, 32, 96, 64),
    "Mixed_4b": (192, 96, 208, 16, 48, 64),
    "Mixed_4c": (160, 112, 224, 24, 64, 64),
    "Mixed_4d": (128, 128, 256, 24, 64, 64),
    "Mixed_4e": (112, 144, 288, 32, 64, 64),
    "Mixed_4f": (256, 160, 320, 32, 128, 128),
    "Mixed_5b": (256, 160, 320, 32, 128, 128),
    "Mixed_5c": (384, 192, 384, 48, 128, 128),
}
_ORDER = ["Conv2d_1a_7x7", "MaxPool_2a_3x3", "Conv2d_2b_1x1", "Conv2d_2c_3x3",
          "MaxPool_3a_3x3", "Mixed_3b", "Mixed_3c", "MaxPool_4a_3x3",
          "Mixed_4b", "Mixed_4c", "Mixed_4d", "Mixed_4e", "Mixed_4f",
          "MaxPool_5a_2x2", "Mixed_5b", "Mixed_5c"]


def _trunc_normal(stddev):
    return v1.truncated_normal_initializer(0.0, stddev)


def _mixed(net, end_point):
    d0, d1a, d1b, d2a, d2b, d3 = _MIXED[end_point]
    branch_2_3x3 = "Conv2d_0a_3x3" if end_point == "Mixed_5b" \
        else "Conv2d_0b_3x3"
    with v1.variable_scope(end_point):
        with v1.variable_scope("Branch_0"):
            branch_0 = conv2d(net, d0, [1, 1], scope="Conv2d_0a_1x1")
        with v1.variable_scope("Branch_1"):
            branch_1 = conv2d(net, d1a, [1, 1], scope="Conv2d_0a_1x1")
            branch_1 = conv2d(branch_1, d1b, [3, 3], scope="Conv2d_0b_3x3")
        with v1.variable_scope("Branch_2"):
            branch_2 = conv2d(net, d2a, [1, 1], scope="Conv2d_0a_1x1")
            branch_2 = conv2d(branch_2, d2b, [3, 3], scope=branch_2_3x3)
        with v1.variable_scope("Branch_3"):
            branch_3 = max_pool2d(net, [3, 3], scope="MaxPool_0a_3x3")
            branch_3 = conv2d(branch_3, d3, [1, 1], scope="Conv2d_0b_1x1")
        return v1.concat([branch_0, branch_1, branch_2, branch_3], 3)


def _layer(net, end_point):
    if end_point == "Conv2d_1a_7x7":
        return conv2d(net, 64, [7, 7], stride=2, scope=end_point)
    if end_point == "Conv2d_2b_1x1":
        return conv2d(net, 64, [1, 1], scope=end_point)
    if end_point == "Conv2d_2c_3x3":
        return conv2d(net, 192, [3, 3], scope=end_point)
    if end_point == "MaxPool_5a_2x2":
        return max_pool2d(net, [2, 2], stride=2, scope=end_point)
    if end_point.startswith("MaxPool"):
        return max_pool2d(net, [3, 3], stride=2, scope=end_point)
    return _mixed(net, end_point)


def inception_v1_base(inputs, final_endpoint="Mixed_5c", scope="InceptionV1"):
    """Inception v1 up to `final_endpoint`.

    Args:
      inputs: a [batch, height, width, channels] tensor.
      final_endpoint: the last end point built, one of "Conv2d_1a_7x7",
        "MaxPool_2a_3x3", "Conv2d_2b_1x1", "Conv2d_2c_3x3", "MaxPool_3a_3x3",
        "Mixed_3b", "Mixed_3c", "MaxPool_4a_3x3", "Mixed_4b" ... "Mixed_4f",
        "MaxPool_5a_2x2", "Mixed_5b", "Mixed_5c".
      scope: the variable scope.

    Returns:
      (net, end_points): that end point's tensor and the dict of end points
      built, keyed by name.

    Raises:
      ValueError: an unknown `final_endpoint`.
    """
    end_points = {}
    with v1.variable_scope(scope, "InceptionV1", [inputs]):
        with arg_scope([conv2d, fully_connected],
                       weights_initializer=_trunc_normal(0.01)):
            with arg_scope([conv2d, max_pool2d], stride=1, padding="SAME"):
                net = inputs
                for end_point in _ORDER:
                    net = _layer(net, end_point)
                    end_points[end_point] = net
                    if final_endpoint == end_point:
                        return net, end_points
    raise ValueError(f"Unknown final endpoint {final_endpoint}")


def inception_v1(inputs, num_classes=1000, is_training=True,
                 dropout_keep_prob=0.8, prediction_fn=softmax,
                 spatial_squeeze=True, reuse=None, scope="InceptionV1"):
    """Inception v1 for classification.

    Args:
      inputs: a [batch, height, width, channels] tensor, at least 224x224.
      num_classes: the number of logits.
      is_training: batch norm's and dropout's mode.
      dropout_keep_prob: the fraction of activations kept before the logits.
      prediction_fn: applied to the logits for `end_points["Predictions"]`.
      spatial_squeeze: squeeze the logits to [batch, num_classes].
      reuse: reuse the variables.
      scope: the variable scope.

    Returns:
      (logits, end_points).
    """
    with v1.variable_scope(scope, "InceptionV1", [inputs, num_classes],
                           reuse=reuse) as scope:
        with arg_scope([batch_norm, dropout], is_training=is_training):
            net, end_points = inception_v1_base(inputs, scope=scope)
            with v1.variable_scope("Logits"):
                net = avg_pool2d(net, [7, 7], stride=1,
                                 scope="MaxPool_0a_7x7")
                net = dropout(net, dropout_keep_prob, scope="Dropout_0b")
                logits = conv2d(net, num_classes, [1, 1], activation_fn=None,
                                normalizer_fn=None, scope="Conv2d_0c_1x1")
                if spatial_squeeze:
                    logits = v1.squeeze(logits, [1, 2], name="SpatialSqueeze")
                end_points["Logits"] = logits
                end_points["Predictions"] = prediction_fn(
                    logits, scope="Predictions")
    return logits, end_points


inception_v1.default_image_size = 224


def inception_v1_arg_scope(weight_decay=0.00004, use_batch_norm=True,
                           batch_norm_var_collection="moving_vars"):
    """L2 weight decay; He-initialized ReLU convs with batch norm (decay
    0.9997, epsilon 0.001; moving statistics also in
    `batch_norm_var_collection`), or without if `use_batch_norm` is False.
    """
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
    if use_batch_norm:
        normalizer_fn = batch_norm
        normalizer_params = batch_norm_params
    else:
        normalizer_fn = None
        normalizer_params = {}
    with arg_scope([conv2d, fully_connected],
                   weights_regularizer=l2_regularizer(weight_decay)):
        with arg_scope([conv2d],
                       weights_initializer=variance_scaling_initializer(),
                       activation_fn=v1.nn.relu, normalizer_fn=normalizer_fn,
                       normalizer_params=normalizer_params) as sc:
            return sc
