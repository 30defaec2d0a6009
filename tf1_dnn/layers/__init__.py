"""TF 1.x `tf.layers` on core `tf.compat.v1` ops (no Keras).

Importing this package changes nothing global: use it inside your own
`tf.compat.v1` graph code, or through `from tf1_dnn import tf` as `tf.layers`.

It has TF 1.15's 36 public `tf.layers` names plus `experimental`
(`TF1_15_PUBLIC_NAMES`), the module-level aliases TF 1.15's
`layers/convolutional.py` and `layers/pooling.py` defined (`Convolution2D`,
`MaxPool2D`, `conv2d_transpose`'s `deconv2d`, ...) and `InputError`.
"""

from tf1_dnn.layers import experimental
from tf1_dnn.layers.base import InputError, Layer
from tf1_dnn.layers.convolutional import (
    Conv1D, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, Convolution1D,
    Convolution2D, Convolution2DTranspose, Convolution3D,
    Convolution3DTranspose, Deconv2D, Deconv3D, Deconvolution2D,
    Deconvolution3D, SeparableConv1D, SeparableConv2D, SeparableConvolution2D,
    conv1d, conv2d, conv2d_transpose, conv3d, conv3d_transpose, convolution1d,
    convolution2d, convolution2d_transpose, convolution3d,
    convolution3d_transpose, deconv2d, deconv3d, deconvolution2d,
    deconvolution3d, separable_conv1d, separable_conv2d,
    separable_convolution2d)
from tf1_dnn.layers.core import (Dense, Dropout, Flatten, dense, dropout,
                                 flatten)
from tf1_dnn.layers.input_spec import InputSpec
from tf1_dnn.layers.normalization import (BatchNormalization,
                                          batch_normalization)
from tf1_dnn.layers.pooling import (AveragePooling1D, AveragePooling2D,
                                    AveragePooling3D, AvgPool2D, MaxPool2D,
                                    MaxPooling1D, MaxPooling2D, MaxPooling3D,
                                    average_pooling1d, average_pooling2d,
                                    average_pooling3d, avg_pool2d,
                                    max_pool2d, max_pooling1d, max_pooling2d,
                                    max_pooling3d)

__all__ = [
    # TF 1.15's `tf.layers` (tensorflow/_api/v1/layers/__init__.py), in order.
    "InputSpec", "Layer",
    "Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose",
    "SeparableConv1D", "SeparableConv2D",
    "conv1d", "conv2d", "conv2d_transpose", "conv3d", "conv3d_transpose",
    "separable_conv1d", "separable_conv2d",
    "Dense", "Dropout", "Flatten", "dense", "dropout", "flatten",
    "BatchNormalization", "batch_normalization",
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
    "average_pooling1d", "average_pooling2d", "average_pooling3d",
    "max_pooling1d", "max_pooling2d", "max_pooling3d",
    "experimental",
] + [
    # TF 1.15's module-level aliases (importable from its layers modules).
    "Convolution1D", "Convolution2D", "Convolution3D",
    "SeparableConvolution2D", "Convolution2DTranspose", "Deconvolution2D",
    "Deconv2D", "Convolution3DTranspose", "Deconvolution3D", "Deconv3D",
    "convolution1d", "convolution2d", "convolution3d",
    "separable_convolution2d", "convolution2d_transpose", "deconvolution2d",
    "deconv2d", "convolution3d_transpose", "deconvolution3d", "deconv3d",
    "AvgPool2D", "MaxPool2D", "avg_pool2d", "max_pool2d",
] + ["InputError", "TF1_15_PUBLIC_NAMES", "ALIASES"]

TF1_15_PUBLIC_NAMES = tuple(__all__[:37])   # 36 names + `experimental`
ALIASES = tuple(__all__[37:61])
