"""ResNet v1 (He et al., arXiv:1512.03385), as TF 1.15's
`tf.contrib.slim.nets.resnet_v1`: `resnet_v1_50/101/152/200`, the generic
`resnet_v1(inputs, blocks, ...)`, `resnet_v1_block`, `bottleneck` and
`resnet_arg_scope`.

    with slim.arg_scope(resnet_v1.resnet_arg_scope()):
        net, end_points = resnet_v1.resnet_v1_50(images, 1000,
                                                 is_training=False)

Caveats (TF 1.15's, mirrored):
  - `num_classes=None` (the default) returns the pooled features
    ([batch, 1, 1, 2048]) without `logits` or `predictions`;
  - the logits stay 4-D ([batch, 1, 1, num_classes]; no spatial squeeze)
    and `end_points["predictions"]` is their softmax;
  - the stride-2 units are the *last* unit of each block (block4: none),
    in the 3x3 conv (`conv2`); `output_stride` must be a multiple of 4
    (ValueError) and is divided by 4 in place (a float afterwards);
  - `is_training` drives batch norm (batch statistics and moving-average
    updates in `tf.GraphKeys.UPDATE_OPS`); default True.
"""

from tf1_dnn._compat import v1
from tf1_dnn.contrib.framework import add_arg_scope, arg_scope
from tf1_dnn.contrib.layers import (batch_norm, conv2d, max_pool2d, softmax,
                                    utils)
from tf1_dnn.contrib.slim.nets import resnet_utils

__all__ = ["resnet_arg_scope", "bottleneck", "resnet_v1", "resnet_v1_block",
           "resnet_v1_50", "resnet_v1_101", "resnet_v1_152", "resnet_v1_200"]

resnet_arg_scope = resnet_utils.resnet_arg_scope


@add_arg_scope
def bottleneck(inputs, depth, depth_bottleneck, stride, rate=1,
               outputs_collections=None, scope=None):
    """A bottleneck unit: 1x1, 3x3 (strided), 1x1 convs plus the shortcut,
    then ReLU. The shortcut is `inputs` subsampled if its depth is `depth`,
    else a strided 1x1 conv (no activation)."""
    with v1.variable_scope(scope, "bottleneck_v1", [inputs]) as sc:
        depth_in = utils.last_dimension(inputs.get_shape(), min_rank=4)
        if depth == depth_in:
            shortcut = resnet_utils.subsample(inputs, stride, "shortcut")
        else:
            shortcut = conv2d(inputs, depth, [1, 1], stride=stride,
                              activation_fn=None, scope="shortcut")
        residual = conv2d(inputs, depth_bottleneck, [1, 1], stride=1,
                          scope="conv1")
        residual = resnet_utils.conv2d_same(residual, depth_bottleneck, 3,
                                            stride, rate=rate, scope="conv2")
        residual = conv2d(residual, depth, [1, 1], stride=1,
                          activation_fn=None, scope="conv3")
        output = v1.nn.relu(shortcut + residual)
        return utils.collect_named_outputs(outputs_collections, sc.name,
                                           output)


def resnet_v1(inputs, blocks, num_classes=None, is_training=True,
              global_pool=True, output_stride=None, include_root_block=True,
              reuse=None, scope=None):
    """A ResNet v1 from its `blocks`.

    Args:
      inputs: a [batch, height, width, channels] tensor.
      blocks: a list of `resnet_utils.Block`s.
      num_classes: None for features only, else the number of logits.
      is_training: batch norm's mode.
      global_pool: average the last block's output over space (`pool5`).
      output_stride: None or the output resolution's stride (a multiple
        of 4 with the root block); see `resnet_utils.stack_blocks_dense`.
      include_root_block: start with the 7x7/2 conv and the 3x3/2 max pool.
      reuse: reuse the variables.
      scope: the variable scope (default "resnet_v1").

    Returns:
      (net, end_points): the logits (or features), 4-D, and the dict of
      end points (each conv, unit and block by scope, plus `predictions`).

    Raises:
      ValueError: a bad `output_stride`.
    """
    with v1.variable_scope(scope, "resnet_v1", [inputs], reuse=reuse) as sc:
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
                    net = resnet_utils.conv2d_same(net, 64, 7, stride=2,
                                                   scope="conv1")
                    net = max_pool2d(net, [3, 3], stride=2, scope="pool1")
                net = resnet_utils.stack_blocks_dense(net, blocks,
                                                      output_stride)
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


resnet_v1.default_image_size = 224


def resnet_v1_block(scope, base_depth, num_units, stride):
    """A `Block` of `num_units` bottlenecks of depth `4 * base_depth`, the
    last one with `stride`."""
    unit = {"depth": base_depth * 4, "depth_bottleneck": base_depth}
    return resnet_utils.Block(scope, bottleneck,
                              [dict(unit, stride=1)] * (num_units - 1) +
                              [dict(unit, stride=stride)])


def _blocks(block_fn, units):
    return [block_fn(f"block{i}", base_depth=depth, num_units=count,
                     stride=stride)
            for i, (depth, count, stride) in enumerate(
                zip((64, 128, 256, 512), units, (2, 2, 2, 1)), start=1)]


def resnet_v1_50(inputs, num_classes=None, is_training=True,
                 global_pool=True, output_stride=None, reuse=None,
                 scope="resnet_v1_50"):
    """ResNet-50 v1 (blocks of 3, 4, 6, 3 units). Arguments as
    `resnet_v1`."""
    return resnet_v1(inputs, _blocks(resnet_v1_block, (3, 4, 6, 3)),
                     num_classes, is_training, global_pool, output_stride,
                     include_root_block=True, reuse=reuse, scope=scope)


def resnet_v1_101(inputs, num_classes=None, is_training=True,
                  global_pool=True, output_stride=None, reuse=None,
                  scope="resnet_v1_101"):
    """ResNet-101 v1 (3, 4, 23, 3 units)."""
    return resnet_v1(inputs, _blocks(resnet_v1_block, (3, 4, 23, 3)),
                     num_classes, is_training, global_pool, output_stride,
                     include_root_block=True, reuse=reuse, scope=scope)


def resnet_v1_152(inputs, num_classes=None, is_training=True,
                  global_pool=True, output_stride=None, reuse=None,
                  scope="resnet_v1_152"):
    """ResNet-152 v1 (3, 8, 36, 3 units)."""
    return resnet_v1(inputs, _blocks(resnet_v1_block, (3, 8, 36, 3)),
                     num_classes, is_training, global_pool, output_stride,
                     include_root_block=True, reuse=reuse, scope=scope)


def resnet_v1_200(inputs, num_classes=None, is_training=True,
                  global_pool=True, output_stride=None, reuse=None,
                  scope="resnet_v1_200"):
    """ResNet-200 v1 (3, 24, 36, 3 units)."""
    return resnet_v1(inputs, _blocks(resnet_v1_block, (3, 24, 36, 3)),
                     num_classes, is_training, global_pool, output_stride,
                     include_root_block=True, reuse=reuse, scope=scope)
