"""ResNet v2, pre-activation (He et al., arXiv:1603.05027), as TF 1.15's
`tf.contrib.slim.nets.resnet_v2`: `resnet_v2_50/101/152/200`, the generic
`resnet_v2(inputs, blocks, ...)`, `resnet_v2_block`, `bottleneck` and
`resnet_arg_scope`.

    with slim.arg_scope(resnet_v2.resnet_arg_scope()):
        net, end_points = resnet_v2.resnet_v2_50(images, 1000,
                                                 is_training=False)

Caveats (TF 1.15's, mirrored), besides those of `resnet_v1`:
  - each unit starts with batch norm + ReLU (`preact`); the root conv1 has
    neither; after the last block comes `postnorm` (batch norm + ReLU);
  - the identity shortcut takes the unit's *input* (not `preact`); the
    projection shortcut takes `preact`;
  - `conv3` and the projection shortcut have biases and no batch norm
    (`normalizer_fn=None`), as in the published checkpoints.
"""

from tf1_dnn._compat import v1
from tf1_dnn.contrib.framework import add_arg_scope, arg_scope
from tf1_dnn.contrib.layers import (batch_norm, conv2d, max_pool2d, softmax,
                                    utils)
from tf1_dnn.contrib.slim.nets import resnet_utils
from tf1_dnn.contrib.slim.nets.resnet_v1 import _blocks

__all__ = ["resnet_arg_scope", "bottleneck", "resnet_v2", "resnet_v2_block",
           "resnet_v2_50", "resnet_v2_101", "resnet_v2_152", "resnet_v2_200"]

resnet_arg_scope = resnet_utils.resnet_arg_scope


@add_arg_scope
def bottleneck(inputs, depth, depth_bottleneck, stride, rate=1,
               outputs_collections=None, scope=None):
    """A pre-activation bottleneck unit: BN+ReLU (`preact`), 1x1, 3x3
    (strided), 1x1 (linear) convs, plus the shortcut; no final ReLU."""
    with v1.variable_scope(scope, "bottleneck_v2", [inputs]) as sc:
        depth_in = utils.last_dimension(inputs.get_shape(), min_rank=4)
        preact = batch_norm(inputs, activation_fn=v1.nn.relu, scope="preact")
        if depth == depth_in:
            shortcut = resnet_utils.subsample(inputs, stride, "shortcut")
        else:
            shortcut = conv2d(preact, depth, [1, 1], stride=stride,
                              normalizer_fn=None, activation_fn=None,
                              scope="shortcut")
        residual = conv2d(preact, depth_bottleneck, [1, 1], stride=1,
                          scope="conv1")
        residual = resnet_utils.conv2d_same(residual, depth_bottleneck, 3,
                                            stride, rate=rate, scope="conv2")
        residual = conv2d(residual, depth, [1, 1], stride=1,
                          normalizer_fn=None, activation_fn=None,
                          scope="conv3")
        output = shortcut + residual
        return utils.collect_named_outputs(outputs_collections, sc.name,
                                           output)


def resnet_v2(inputs, blocks, num_classes=None, is_training=True,
              global_pool=True, output_stride=None, include_root_block=True,
              reuse=None, scope=None):
    """A ResNet v2 from its `blocks`. Arguments, result and errors as
    `resnet_v1.resnet_v1` (default scope "resnet_v2")."""
    with v1.variable_scope(scope, "resnet_v2", [inputs], reuse=reuse) as sc:
        end_points_collection = sc.original_name_scope + "_end_points"
        with arg_scope([conv2d, bottleneck, resnet_utils.stack_blocks_dense],
                       outputs_collections=end_points_collection):
            with arg_scope([batch_norm], is_training=is_training):
                net = inputs
                if include_root_block:
                    if output_stride is not None:
                        if output_stride % 4 != 0:
                            raise ValueError("The output_stride needs to be "
                                             "a multiple of 4.")
                        output_stride /= 4
                    with arg_scope([conv2d], activation_fn=None,
                                   normalizer_fn=None):
                        net = resnet_utils.conv2d_same(net, 64, 7, stride=2,
                                                       scope="conv1")
                    net = max_pool2d(net, [3, 3], stride=2, scope="pool1")
                net = resnet_utils.stack_blocks_dense(net, blocks,
                                                      output_stride)
                net = batch_norm(net, activation_fn=v1.nn.relu,
                                 scope="postnorm")
                if global_pool:
                    net = v1.reduce_mean(net, [1, 2], name="pool5",
                                         keepdims=True)
                if num_classes is not None:
                    net = conv2d(net, num_classes, [1, 1], activation_fn=None,
                                 normalizer_fn=None, scope="logits")
                end_points = utils.convert_collection_to_dict(
                    end_points_collection)
                if num_classes is not None:
                    end_points["predictions"] = softmax(net,
                                                        scope="predictions")
                return net, end_points


resnet_v2.default_image_size = 224


def resnet_v2_block(scope, base_depth, num_units, stride):
    """A `Block` of `num_units` pre-activation bottlenecks of depth
    `4 * base_depth`, the last one with `stride`."""
    unit = {"depth": base_depth * 4, "depth_bottleneck": base_depth}
    return resnet_utils.Block(scope, bottleneck,
                              [dict(unit, stride=1)] * (num_units - 1) +
                              [dict(unit, stride=stride)])


def resnet_v2_50(inputs, num_classes=None, is_training=True,
                 global_pool=True, output_stride=None, reuse=None,
                 scope="resnet_v2_50"):
    """ResNet-50 v2 (blocks of 3, 4, 6, 3 units). Arguments as
    `resnet_v2`."""
    return resnet_v2(inputs, _blocks(resnet_v2_block, (3, 4, 6, 3)),
                     num_classes, is_training, global_pool, output_stride,
                     include_root_block=True, reuse=reuse, scope=scope)


def resnet_v2_101(inputs, num_classes=None, is_training=True,
                  global_pool=True, output_stride=None, reuse=None,
                  scope="resnet_v2_101"):
    """ResNet-101 v2 (3, 4, 23, 3 units)."""
    return resnet_v2(inputs, _blocks(resnet_v2_block, (3, 4, 23, 3)),
                     num_classes, is_training, global_pool, output_stride,
                     include_root_block=True, reuse=reuse, scope=scope)


def resnet_v2_152(inputs, num_classes=None, is_training=True,
                  global_pool=True, output_stride=None, reuse=None,
                  scope="resnet_v2_152"):
    """ResNet-152 v2 (3, 8, 36, 3 units)."""
    return resnet_v2(inputs, _blocks(resnet_v2_block, (3, 8, 36, 3)),
                     num_classes, is_training, global_pool, output_stride,
                     include_root_block=True, reuse=reuse, scope=scope)


def resnet_v2_200(inputs, num_classes=None, is_training=True,
                  global_pool=True, output_stride=None, reuse=None,
                  scope="resnet_v2_200"):
    """ResNet-200 v2 (3, 24, 36, 3 units)."""
    return resnet_v2(inputs, _blocks(resnet_v2_block, (3, 24, 36, 3)),
                     num_classes, is_training, global_pool, output_stride,
                     include_root_block=True, reuse=reuse, scope=scope)
