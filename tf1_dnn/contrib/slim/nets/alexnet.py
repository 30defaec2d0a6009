"""AlexNet v2 (Krizhevsky, arXiv:1404.5997), as TF 1.15's
`tf.contrib.slim.nets.alexnet`: `alexnet_v2` and `alexnet_v2_arg_scope`.

    with slim.arg_scope(alexnet.alexnet_v2_arg_scope()):
        logits, end_points = alexnet.alexnet_v2(images, num_classes=1000)

Caveats (TF 1.15's, mirrored): no LRN layers, Xavier weights for the
convolutions, truncated normal (stddev 0.005) for `fc6`/`fc7`; biases 0.1
(`fc8`: 0); the fully connected layers are convolutions, so the input must
be at least 195x195 (224 is `default_image_size`), and
`spatial_squeeze=True` needs a 1x1 `fc8` map.
"""

from tf1_dnn._compat import v1
from tf1_dnn.contrib.framework import arg_scope
from tf1_dnn.contrib.layers import (conv2d, dropout, fully_connected,
                                    l2_regularizer, max_pool2d, utils)

__all__ = ["alexnet_v2_arg_scope", "alexnet_v2"]


def _trunc_normal(stddev):
    return v1.truncated_normal_initializer(0.0, stddev)


def alexnet_v2_arg_scope(weight_decay=0.0005):
    """ReLU, L2 weight decay, biases 0.1, SAME convolutions, VALID pools."""
    with arg_scope([conv2d, fully_connected], activation_fn=v1.nn.relu,
                   biases_initializer=v1.constant_initializer(0.1),
                   weights_regularizer=l2_regularizer(weight_decay)):
        with arg_scope([conv2d], padding="SAME"):
            with arg_scope([max_pool2d], padding="VALID") as arg_sc:
                return arg_sc


def alexnet_v2(inputs, num_classes=1000, is_training=True,
               dropout_keep_prob=0.5, spatial_squeeze=True,
               scope="alexnet_v2"):
    """AlexNet version 2. Arguments and result as `vgg.vgg_a`."""
    with v1.variable_scope(scope, "alexnet_v2", [inputs]) as sc:
        end_points_collection = sc.original_name_scope + "_end_points"
        with arg_scope([conv2d, fully_connected, max_pool2d],
                       outputs_collections=[end_points_collection]):
            net = conv2d(inputs, 64, [11, 11], 4, padding="VALID",
                         scope="conv1")
            net = max_pool2d(net, [3, 3], 2, scope="pool1")
            net = conv2d(net, 192, [5, 5], scope="conv2")
            net = max_pool2d(net, [3, 3], 2, scope="pool2")
            net = conv2d(net, 384, [3, 3], scope="conv3")
            net = conv2d(net, 384, [3, 3], scope="conv4")
            net = conv2d(net, 256, [3, 3], scope="conv5")
            net = max_pool2d(net, [3, 3], 2, scope="pool5")
            return _classifier(net, sc, end_points_collection, 4096, 5,
                               num_classes, is_training, dropout_keep_prob,
                               spatial_squeeze)


def _classifier(net, sc, end_points_collection, fc6_depth, fc6_size,
                num_classes, is_training, dropout_keep_prob,
                spatial_squeeze):
    """The fully connected top AlexNet v2 and OverFeat share (as
    convolutions): fc6 (`fc6_size` square, VALID), dropout6, fc7 (4096),
    dropout7, fc8 (no activation, zero biases); truncated normal 0.005
    weights and 0.1 biases for fc6/fc7. Returns `(net, end_points)`."""
    with arg_scope([conv2d], weights_initializer=_trunc_normal(0.005),
                   biases_initializer=v1.constant_initializer(0.1)):
        net = conv2d(net, fc6_depth, [fc6_size, fc6_size], padding="VALID",
                     scope="fc6")
        net = dropout(net, dropout_keep_prob, is_training=is_training,
                      scope="dropout6")
        net = conv2d(net, 4096, [1, 1], scope="fc7")
        net = dropout(net, dropout_keep_prob, is_training=is_training,
                      scope="dropout7")
        net = conv2d(net, num_classes, [1, 1], activation_fn=None,
                     normalizer_fn=None,
                     biases_initializer=v1.zeros_initializer(), scope="fc8")
    end_points = utils.convert_collection_to_dict(end_points_collection)
    if spatial_squeeze:
        net = v1.squeeze(net, [1, 2], name="fc8/squeezed")
        end_points[sc.name + "/fc8"] = net
    return net, end_points


alexnet_v2.default_image_size = 224
