"""OverFeat (Sermanet et al., arXiv:1312.6229), as TF 1.15's
`tf.contrib.slim.nets.overfeat`: `overfeat` and `overfeat_arg_scope`.

    with slim.arg_scope(overfeat.overfeat_arg_scope()):
        logits, end_points = overfeat.overfeat(images, num_classes=1000)

Caveats (TF 1.15's, mirrored): the input must be at least 231x231
(`default_image_size`; `fc6` is a 6x6 VALID convolution); the end-points
collection is named from `sc.name` (not `original_name_scope`), so two
`overfeat` builds under the same scope name share it.
"""

from tf1_dnn._compat import v1
from tf1_dnn.contrib.framework import arg_scope
from tf1_dnn.contrib.layers import (conv2d, fully_connected, l2_regularizer,
                                    max_pool2d)
from tf1_dnn.contrib.slim.nets.alexnet import _classifier

__all__ = ["overfeat_arg_scope", "overfeat"]


def overfeat_arg_scope(weight_decay=0.0005):
    """ReLU, L2 weight decay, zero biases, SAME convolutions, VALID pools."""
    with arg_scope([conv2d, fully_connected], activation_fn=v1.nn.relu,
                   weights_regularizer=l2_regularizer(weight_decay),
                   biases_initializer=v1.zeros_initializer()):
        with arg_scope([conv2d], padding="SAME"):
            with arg_scope([max_pool2d], padding="VALID") as arg_sc:
                return arg_sc


def overfeat(inputs, num_classes=1000, is_training=True,
             dropout_keep_prob=0.5, spatial_squeeze=True, scope="overfeat"):
    """OverFeat. Arguments and result as `vgg.vgg_a`."""
    with v1.variable_scope(scope, "overfeat", [inputs]) as sc:
        end_points_collection = sc.name + "_end_points"
        with arg_scope([conv2d, fully_connected, max_pool2d],
                       outputs_collections=end_points_collection):
            net = conv2d(inputs, 64, [11, 11], 4, padding="VALID",
                         scope="conv1")
            net = max_pool2d(net, [2, 2], scope="pool1")
            net = conv2d(net, 256, [5, 5], padding="VALID", scope="conv2")
            net = max_pool2d(net, [2, 2], scope="pool2")
            net = conv2d(net, 512, [3, 3], scope="conv3")
            net = conv2d(net, 1024, [3, 3], scope="conv4")
            net = conv2d(net, 1024, [3, 3], scope="conv5")
            net = max_pool2d(net, [2, 2], scope="pool5")
            return _classifier(net, sc, end_points_collection, 3072, 6,
                               num_classes, is_training, dropout_keep_prob,
                               spatial_squeeze)


overfeat.default_image_size = 231
