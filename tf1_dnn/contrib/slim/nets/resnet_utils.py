"""The building blocks TF 1.15's `tf.contrib.slim.nets.resnet_v1` and
`resnet_v2` share: `Block`, `subsample`, `conv2d_same`,
`stack_blocks_dense` (with `output_stride`: atrous convolution past the
requested stride) and `resnet_arg_scope`.

Caveats (TF 1.15's, mirrored):
  - `conv2d_same(x, n, k, stride)` with stride > 1 pads explicitly
    ((k_eff - 1) // 2 before, the rest after) and runs a VALID conv: unlike
    `conv2d(..., stride, padding="SAME")` on an even-sized input, the result
    does not depend on the input's parity;
  - `Block.args` is a list of dicts (`depth`, `depth_bottleneck`, `stride`),
    each passed as keyword arguments to `unit_fn`;
  - `output_stride` must be a product of the unit strides up to some unit,
    else ValueError("The target output_stride cannot be reached.");
  - `resnet_arg_scope` puts batch norm (decay 0.997, epsilon 1e-5, scale)
    after every conv2d; its moving averages update through
    `tf.GraphKeys.UPDATE_OPS`, which the train op must run.
"""

import collections

from tf1_dnn._compat import v1
from tf1_dnn.contrib.framework import add_arg_scope, arg_scope
from tf1_dnn.contrib.layers import (batch_norm, conv2d, l2_regularizer,
                                    max_pool2d, utils,
                                    variance_scaling_initializer)

__all__ = ["Block", "subsample", "conv2d_same", "stack_blocks_dense",
           "resnet_arg_scope"]


class Block(collections.namedtuple("Block", ["scope", "unit_fn", "args"])):
    """A ResNet block: its `scope`, the `unit_fn(net, rate=..., **arg)`
    building one unit, and `args`, one dict of keyword arguments per unit."""


def subsample(inputs, factor, scope=None):
    """`inputs` if `factor` is 1, else a 1x1 max pool of stride `factor`."""
    if factor == 1:
        return inputs
    return max_pool2d(inputs, [1, 1], stride=factor, scope=scope)


def conv2d_same(inputs, num_outputs, kernel_size, stride, rate=1, scope=None):
    """A strided 2-D convolution with 'SAME' padding whatever the input size.

    With stride 1: `conv2d(..., padding="SAME")`. Otherwise the input is
    zero-padded by `k_eff - 1` (k_eff = k + (k - 1)(rate - 1)), half before
    (rounded down), and convolved with 'VALID' padding: equal to a stride-1
    SAME conv followed by `subsample`.

    Args:
      inputs: a [batch, height, width, channels] tensor.
      num_outputs: the number of filters.
      kernel_size: an int, the kernel's height and width.
      stride: an int, the stride.
      rate: an int, the atrous rate.
      scope: the variable scope.

    Returns:
      The convolution's output.
    """
    if stride == 1:
        return conv2d(inputs, num_outputs, kernel_size, stride=1, rate=rate,
                      padding="SAME", scope=scope)
    kernel_size_effective = kernel_size + (kernel_size - 1) * (rate - 1)
    pad_total = kernel_size_effective - 1
    pad_beg = pad_total // 2
    pad_end = pad_total - pad_beg
    inputs = v1.pad(inputs,
                    [[0, 0], [pad_beg, pad_end], [pad_beg, pad_end], [0, 0]])
    return conv2d(inputs, num_outputs, kernel_size, stride=stride, rate=rate,
                  padding="VALID", scope=scope)


@add_arg_scope
def stack_blocks_dense(net, blocks, output_stride=None,
                       outputs_collections=None):
    """Stacks ResNet `Block`s (scopes `<block.scope>/unit_<i>`).

    Once the product of the unit strides reaches `output_stride`, the later
    units run with stride 1 and an atrous rate multiplied by their stride
    instead, so the output keeps that resolution.

    Args:
      net: a [batch, height, width, channels] tensor.
      blocks: a list of `Block`s.
      output_stride: None (the nominal stride) or the ratio of input to
        output resolution wanted, a product of the unit strides up to some
        unit.
      outputs_collections: collection(s) each block's output is added to.

    Returns:
      The output tensor.

    Raises:
      ValueError: the target output_stride cannot be reached (TF 1.15's
        message).
    """
    current_stride = 1
    rate = 1
    for block in blocks:
        with v1.variable_scope(block.scope, "block", [net]) as sc:
            for i, unit in enumerate(block.args):
                if output_stride is not None and \
                        current_stride > output_stride:
                    raise ValueError(
                        "The target output_stride cannot be reached.")
                with v1.variable_scope(f"unit_{i + 1}", values=[net]):
                    if output_stride is not None and \
                            current_stride == output_stride:
                        net = block.unit_fn(net, rate=rate,
                                            **dict(unit, stride=1))
                        rate *= unit.get("stride", 1)
                    else:
                        net = block.unit_fn(net, rate=1, **unit)
                        current_stride *= unit.get("stride", 1)
            net = utils.collect_named_outputs(outputs_collections, sc.name,
                                              net)
    if output_stride is not None and current_stride != output_stride:
        raise ValueError("The target output_stride cannot be reached.")
    return net


def resnet_arg_scope(weight_decay=0.0001, batch_norm_decay=0.997,
                     batch_norm_epsilon=1e-5, batch_norm_scale=True):
    """The default ResNet arg scope: He-initialized, L2-regularized ReLU
    convolutions followed by batch norm; SAME max pools.

    Args:
      weight_decay: the L2 coefficient of the conv weights.
      batch_norm_decay: the moving averages' decay.
      batch_norm_epsilon: added to the variance.
      batch_norm_scale: whether batch norm has a `gamma`.

    Returns:
      An arg_scope.
    """
    batch_norm_params = {
        "decay": batch_norm_decay,
        "epsilon": batch_norm_epsilon,
        "scale": batch_norm_scale,
        "updates_collections": v1.GraphKeys.UPDATE_OPS,
    }
    with arg_scope([conv2d],
                   weights_regularizer=l2_regularizer(weight_decay),
                   weights_initializer=variance_scaling_initializer(),
                   activation_fn=v1.nn.relu, normalizer_fn=batch_norm,
                   normalizer_params=batch_norm_params):
        with arg_scope([batch_norm], **batch_norm_params):
            with arg_scope([max_pool2d], padding="SAME") as arg_sc:
                return arg_sc
