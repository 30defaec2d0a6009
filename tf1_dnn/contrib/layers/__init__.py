"""`tf.contrib.layers` (and the layer part of `tf.contrib.slim`) with TF 1.x
contrib/slim semantics, on tf1_dnn's `tf.layers` classes and core
`tf.compat.v1` ops -- one implementation per concept, as TF 1.15 did.

Modules: `core` (fully_connected, dropout, flatten, ...), `normalization`
(batch_norm, layer_norm, instance_norm), `convolutional` (conv2d, pooling,
...), `optimizers` (optimize_loss); initializers and regularizers come from
`tf1_dnn.initializers` / `tf1_dnn.regularizers`.

See `docs/contrib.md` for the conventions and pitfalls (weights/biases names,
ReLU default, SAME padding, keep_prob, batch norm's UPDATE_OPS).
"""

from tf1_dnn.contrib.layers.convolutional import (
    avg_pool2d, avg_pool3d, conv1d, conv2d, conv2d_transpose, conv3d,
    conv3d_transpose, convolution, convolution1d, convolution2d,
    convolution2d_transpose, convolution3d, convolution3d_transpose,
    max_pool2d, max_pool3d, pool, separable_conv2d, separable_convolution2d)
from tf1_dnn.contrib.layers.core import (bias_add, dropout, elu,
                                         embed_sequence, flatten,
                                         fully_connected, linear,
                                         one_hot_encoding, relu, relu6,
                                         repeat, softmax, stack, unit_norm)
from tf1_dnn.contrib.layers.normalization import (batch_norm, instance_norm,
                                                  layer_norm)
from tf1_dnn.contrib.layers.optimizers import (OPTIMIZER_CLS_NAMES,
                                               OPTIMIZER_SUMMARIES,
                                               optimize_loss)
from tf1_dnn.contrib.layers import utils
from tf1_dnn.contrib.variables import model_variable, variable
from tf1_dnn.initializers import (variance_scaling_initializer,
                                  xavier_initializer,
                                  xavier_initializer_conv2d)
from tf1_dnn.regularizers import (apply_regularization, l1_l2_regularizer,
                                  l1_regularizer, l2_regularizer,
                                  sum_regularizer)

__all__ = [
    # core
    "fully_connected", "linear", "relu", "relu6", "elu", "dropout",
    "flatten", "softmax", "bias_add", "unit_norm", "one_hot_encoding",
    "repeat", "stack", "embed_sequence",
    # normalization
    "batch_norm", "layer_norm", "instance_norm",
    # convolutional
    "convolution", "convolution1d", "convolution2d", "convolution3d",
    "conv1d", "conv2d", "conv3d", "convolution2d_transpose",
    "conv2d_transpose", "convolution3d_transpose", "conv3d_transpose",
    "separable_convolution2d", "separable_conv2d", "max_pool2d",
    "avg_pool2d", "max_pool3d", "avg_pool3d", "pool",
    # training
    "optimize_loss", "OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES",
    # variables, initializers, regularizers, end-point helpers
    "utils", "model_variable", "variable", "variance_scaling_initializer",
    "xavier_initializer", "xavier_initializer_conv2d", "l1_regularizer",
    "l2_regularizer", "l1_l2_regularizer", "sum_regularizer",
    "apply_regularization"]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    from tf1_dnn.contrib import _missing
    raise _missing("layers", name)
