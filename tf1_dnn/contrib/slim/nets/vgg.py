"""VGG (Simonyan & Zisserman, arXiv:1409.1556), as TF 1.15's
`tf.contrib.slim.nets.vgg`: `vgg_a` (11 layers), `vgg_16` (= `vgg_d`),
`vgg_19` (= `vgg_e`) and `vgg_arg_scope`.

    with slim.arg_scope(vgg.vgg_arg_scope()):
        logits, end_points = vgg.vgg_16(images, num_classes=1000)

The fully connected layers are convolutions (`fc6` is 7x7 VALID, `fc7` and
`fc8` 1x1), so the published `vgg_16.ckpt` / `vgg_19.ckpt` restore as they
are (`vgg_16/fc6/weights` has shape [7, 7, 512, 4096]).

Caveats (TF 1.15's, mirrored):
  - the input must be at least 224x224 (`default_image_size`): `fc6` is a
    7x7 VALID convolution on `pool5`; larger inputs give a spatial map, and
    then `spatial_squeeze=True` fails -- pass `spatial_squeeze=False`;
  - `vgg_a` collects no `fully_connected` outputs (it has none anyway);
  - `vgg_19` names its end-points collection from `sc.name`, the others from
    `sc.original_name_scope` (TF 1.15's inconsistency, kept): built twice
    with reuse, both `vgg_19` builds add to one collection, the later
    tensors winning in the second build's dict;
  - dropout follows `is_training` (default True: pass False to evaluate).
"""

from tf1_dnn._compat import v1
from tf1_dnn.contrib.framework import arg_scope
from tf1_dnn.contrib.layers import (conv2d, dropout, fully_connected,
                                    l2_regularizer, max_pool2d, repeat, utils)

__all__ = ["vgg_arg_scope", "vgg_a", "vgg_16", "vgg_19", "vgg_d", "vgg_e"]


def vgg_arg_scope(weight_decay=0.0005):
    """The VGG arg scope: ReLU, L2 weight decay, zero biases, SAME convs.

    Args:
      weight_decay: the l2 regularization coefficient.

    Returns:
      An arg_scope (a dict to pass to `slim.arg_scope`).
    """
    with arg_scope([conv2d, fully_connected], activation_fn=v1.nn.relu,
                   weights_regularizer=l2_regularizer(weight_decay),
                   biases_initializer=v1.zeros_initializer()):
        with arg_scope([conv2d], padding="SAME") as arg_sc:
            return arg_sc


def _vgg(inputs, repeats, num_classes, is_training, dropout_keep_prob,
         spatial_squeeze, scope, default_name, collected, collection_from):
    with v1.variable_scope(scope, default_name, [inputs]) as sc:
        if collection_from == "name":
            end_points_collection = sc.name + "_end_points"
        else:
            end_points_collection = sc.original_name_scope + "_end_points"
        with arg_scope(collected, outputs_collections=end_points_collection):
            net = inputs
            for i, (count, depth) in enumerate(
                    zip(repeats, (64, 128, 256, 512, 512)), start=1):
                net = repeat(net, count, conv2d, depth, [3, 3],
                             scope=f"conv{i}")
                net = max_pool2d(net, [2, 2], scope=f"pool{i}")
            # The fully connected layers are convolutions.
            net = conv2d(net, 4096, [7, 7], padding="VALID", scope="fc6")
            net = dropout(net, dropout_keep_prob, is_training=is_training,
                          scope="dropout6")
            net = conv2d(net, 4096, [1, 1], scope="fc7")
            net = dropout(net, dropout_keep_prob, is_training=is_training,
                          scope="dropout7")
            net = conv2d(net, num_classes, [1, 1], activation_fn=None,
                         normalizer_fn=None, scope="fc8")
            end_points = utils.convert_collection_to_dict(
                end_points_collection)
            if spatial_squeeze:
                net = v1.squeeze(net, [1, 2], name="fc8/squeezed")
                end_points[sc.name + "/fc8"] = net
            return net, end_points


def vgg_a(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
          spatial_squeeze=True, scope="vgg_a"):
    """Oxford Net VGG 11-layers, version A.

    Args:
      inputs: a tensor [batch_size, height, width, channels], height and
        width at least 224.
      num_classes: number of predicted classes.
      is_training: whether dropout is on.
      dropout_keep_prob: the probability of keeping an activation in the
        dropout layers during training.
      spatial_squeeze: squeeze the spatial dimensions of the logits (needs
        a 1x1 map, i.e. a 224..255 input).
      scope: the variable scope.

    Returns:
      (logits, end_points): the last layer's output and a dict of the
      layers' outputs keyed by their scopes (`"vgg_a/conv1/conv1_1"`, ...).
    """
    return _vgg(inputs, (1, 1, 2, 2, 2), num_classes, is_training,
                dropout_keep_prob, spatial_squeeze, scope, "vgg_a",
                [conv2d, max_pool2d], "original_name_scope")


vgg_a.default_image_size = 224


def vgg_16(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
           spatial_squeeze=True, scope="vgg_16"):
    """Oxford Net VGG 16-layers, version D. Arguments as `vgg_a`."""
    return _vgg(inputs, (2, 2, 3, 3, 3), num_classes, is_training,
                dropout_keep_prob, spatial_squeeze, scope, "vgg_16",
                [conv2d, fully_connected, max_pool2d], "original_name_scope")


vgg_16.default_image_size = 224


def vgg_19(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
           spatial_squeeze=True, scope="vgg_19"):
    """Oxford Net VGG 19-layers, version E. Arguments as `vgg_a`."""
    return _vgg(inputs, (2, 2, 4, 4, 4), num_classes, is_training,
                dropout_keep_prob, spatial_squeeze, scope, "vgg_19",
                [conv2d, fully_connected, max_pool2d], "name")


vgg_19.default_image_size = 224

vgg_d = vgg_16
vgg_e = vgg_19
