"""Convolution layers with the TF 1.x `tf.layers` signatures, on core ops.

Before (TF 1.x, fails on TF 2.21 with Keras 3)::

    conv1 = tf.layers.conv2d(X, filters=32, kernel_size=3, padding="SAME",
                             activation=tf.nn.relu, name="conv1")

After::

    from tf1_dnn import layers
    conv1 = layers.conv2d(X, filters=32, kernel_size=3, padding="SAME",
                          activation=tf.nn.relu, name="conv1")

(or keep `tf.layers.conv2d` with `from tf1_dnn import tf`).

The graph is TF 1.15's (as tf_keras's copy of `tf.layers` builds it): the
variables `<scope>/kernel` and `<scope>/bias` (`depthwise_kernel` and
`pointwise_kernel` for separable convolutions) in the variable scope, and the
ops in the name scope: `Conv2D` (or `Conv1D`/`Conv3D`, from
`tf.nn.convolution`), `BiasAdd`, then the activation's op.

Caveats (TF 1.x behaviour, kept):
  - `padding` is case-insensitive: "SAME", "same", "VALID" and "valid" all
    work ("causal" too, for `Conv1D`/`SeparableConv1D` only).
  - `kernel_initializer=None` is `tf.get_variable`'s default, Glorot
    (Xavier) uniform -- not He.
  - `data_format="channels_first"` (NCHW): TensorFlow's standard CPU kernels
    for Conv1D/2D/3D, SeparableConv1D/2D, Conv3DTranspose and 2-D pooling
    only support channels_last; TF 1.x failed in `Session.run` with "The
    Conv2D op currently only supports the NHWC tensor format on the CPU"
    (the oneDNN kernels of some CPUs accept NCHW, the Eigen ones do not).
    tf1_dnn refuses it when the graph is built, in a process without a GPU,
    with an `InputError` naming `data_format` and the fix, so the same code
    behaves the same on every machine. `Conv2DTranspose` and 1-D/3-D pooling
    transpose to channels_last themselves on CPU, as TF 1.x's did, so they
    accept channels_first everywhere.
  - A transposed convolution's output size is `in * stride +
    max(kernel - stride, 0)` with "valid" and `in * stride` with "same"; it
    is not the inverse of `conv2d`'s size when the stride does not divide
    the input (pass `output_padding=` to the class to pick the size).
  - `strides > 1` and `dilation_rate > 1` cannot be combined.
"""

import numbers

from tf1_dnn._compat import tf2, v1
from tf1_dnn.layers.base import (InputError, Layer, _activate_and_regularize,
                                  _add_configured_weight, _apply_functional,
                                  _own_arguments, _store_kernel_bias_arguments)
from tf1_dnn.layers.input_spec import InputSpec

__all__ = [
    "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D",
    "Conv2DTranspose", "Conv3DTranspose",
    "conv1d", "conv2d", "conv3d", "separable_conv1d", "separable_conv2d",
    "conv2d_transpose", "conv3d_transpose",
    # TF 1.15's module-level aliases (not in its `tf.layers` list).
    "Convolution1D", "Convolution2D", "Convolution3D",
    "SeparableConvolution2D", "Convolution2DTranspose", "Deconvolution2D",
    "Deconv2D", "Convolution3DTranspose", "Deconvolution3D", "Deconv3D",
    "convolution1d", "convolution2d", "convolution3d",
    "separable_convolution2d", "convolution2d_transpose", "deconvolution2d",
    "deconv2d", "convolution3d_transpose", "deconvolution3d", "deconv3d",
]

_ZEROS = v1.zeros_initializer()


# --- argument checks shared with pooling.py ---------------------------------

def _config_error(layer, problem, fix):
    return InputError(f"{type(layer).__name__} layer '{layer.name}': "
                      f"{problem}. {fix}")


def _int_tuple(layer, value, n, arg):
    """`value` (an int or n ints) as a tuple of n positive ints."""
    if isinstance(value, numbers.Integral):
        value = (int(value),) * n
    else:
        try:
            value = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise _config_error(
                layer, f"{arg} must be an integer or a tuple of {n} "
                f"integers, got {value!r}",
                f"Pass e.g. {arg}={(2,) * n if n > 1 else 2}.") from None
        if len(value) != n:
            raise _config_error(
                layer, f"{arg} must be an integer or a tuple of {n} "
                f"integers, got {value!r}",
                f"Pass e.g. {arg}={(2,) * n if n > 1 else 2}.")
    if any(v <= 0 for v in value):
        raise _config_error(
            layer, f"{arg} must be positive, got {value!r}",
            f"Use {arg} >= 1.")
    return value


def _padding(layer, padding, allowed=("valid", "same")):
    lowered = padding.lower() if isinstance(padding, str) else None
    if lowered not in allowed:
        raise _config_error(
            layer, f"unknown padding {padding!r}",
            "Use padding=" + " or ".join(f"'{a}'" for a in allowed) +
            " (either case).")
    return lowered


def _data_format(layer, data_format):
    lowered = data_format.lower() if isinstance(data_format, str) else None
    if lowered not in ("channels_last", "channels_first"):
        raise _config_error(
            layer, f"unknown data_format {data_format!r}",
            "Use data_format='channels_last' (NHWC, the default) or "
            "'channels_first' (NCHW).")
    return lowered


def _tf_data_format(data_format, ndim):
    """'channels_last' -> 'NWC'/'NHWC'/'NDHWC'; 'channels_first' -> 'NC...'."""
    spatial = {3: "W", 4: "HW", 5: "DHW"}[ndim]
    if data_format == "channels_last":
        return "N" + spatial + "C"
    return "NC" + spatial


_GPU = []


def _gpu_available():
    """Whether this process sees a GPU (cached: devices do not change)."""
    if not _GPU:
        _GPU.append(bool(tf2.config.list_logical_devices("GPU")))
    return _GPU[0]


def _refuse_channels_first_on_cpu(layer, inputs, op_name):
    if layer.data_format == "channels_first" and not _gpu_available():
        rank = inputs.shape.ndims or 4
        perm = [0] + list(range(2, rank)) + [1]
        raise layer._layer_error(
            inputs, f"data_format='channels_first' needs a GPU: TensorFlow's "
            f"CPU kernel for {op_name} only supports channels_last (TF 1.x "
            "failed in Session.run with 'only supports NHWC tensor format on "
            "the CPU'), and this process sees no GPU",
            f"Use data_format='channels_last' and transpose the input, e.g. "
            f"tf.transpose(x, {perm}), or run on a machine with a GPU.")


def _check_rank_and_dtype(layer, inputs, rank, example):
    ndims = inputs.shape.ndims
    if ndims is not None and ndims != rank + 2:
        what = {1: "(batch, length, channels)",
                2: "(batch, height, width, channels)",
                3: "(batch, depth, height, width, channels)"}[rank]
        if layer.data_format == "channels_first":
            what = what.replace(", channels)", ")").replace(
                "(batch,", "(batch, channels,")
        raise layer._layer_error(
            inputs, f"{type(layer).__name__} needs inputs of rank {rank + 2} "
            f"{what}, got rank {ndims}",
            f"Reshape the input, e.g. {example}.")
    if not inputs.dtype.is_floating:
        raise layer._layer_error(
            inputs, f"{type(layer).__name__} needs floating-point inputs",
            "Cast first, e.g. tf.cast(X, tf.float32).")


def _spatial_dims(layer, shape):
    dims = shape.as_list()
    return dims[1:-1] if layer.data_format == "channels_last" else dims[2:]


def _conv_output_length(length, kernel, padding, stride, dilation=1):
    if length is None:
        return None
    dilated = kernel + (kernel - 1) * (dilation - 1)
    if padding in ("same", "causal"):
        out = length
    else:
        out = length - dilated + 1
    return (out + stride - 1) // stride


def _deconv_output_length(length, kernel, padding, output_padding=None,
                          stride=0, dilation=1):
    """Transposed-convolution output size (works on ints and tensors)."""
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        return length * stride
    pad = kernel // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel - 2 * pad + output_padding


def _check_window_fits(layer, inputs, window, strides, dilation, padding,
                       what):
    if padding != "valid" or inputs.shape.ndims is None:
        return
    for size, k, s, d in zip(_spatial_dims(layer, inputs.shape), window,
                             strides, dilation):
        out = _conv_output_length(size, k, padding, s, d)
        if out is not None and out <= 0:
            dilated = k + (k - 1) * (d - 1)
            raise layer._layer_error(
                inputs, f"the {what} ({dilated} wide"
                f"{' after dilation' if d > 1 else ''}) is larger than the "
                f"input ({size}) with padding='valid', so the output would "
                "be empty",
                f"Use padding='same', a smaller {what}, or a larger input.")


# --- the layers ----------------------------------------------------------------

class _Conv(Layer):
    """Base of `Conv1D`/`Conv2D`/`Conv3D` (N-D convolution plus bias).

    Output: `activation(conv(inputs, kernel) + bias)`; the kernel has shape
    `kernel_size + (in_channels, filters)`.

    Args:
      rank: number of spatial dimensions (1, 2 or 3).
      filters: number of output channels (a positive integer).
      kernel_size, strides, dilation_rate: an int or a tuple of `rank` ints.
      padding: "valid" or "same", either case ("causal" for rank 1).
      data_format: "channels_last" (NHWC) or "channels_first" (NCHW; needs a
        GPU, see the module docstring).
      activation: a callable, or None for linear.
      use_bias: whether to add a bias.
      kernel_initializer: None means Glorot uniform (`tf.get_variable`).
      bias_initializer: default `tf.zeros_initializer()`.
      kernel_regularizer, bias_regularizer: callables `w -> loss or None`.
      activity_regularizer: callable on the output; its loss, divided by the
        batch size (TF 1.15), goes to `REGULARIZATION_LOSSES`.
      kernel_constraint, bias_constraint: applied by TF1 optimizers after
        each update.
      trainable, name, dtype, _scope, _reuse: see `Layer`.
    """

    _op_name = None  # tf.nn.convolution's name: the class name (Conv2D...)

    def __init__(self, rank, filters, kernel_size, strides=1,
                 padding="valid", data_format="channels_last",
                 dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer=None, bias_initializer=_ZEROS,
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.rank = rank
        try:
            self.filters = int(filters)
        except (TypeError, ValueError):
            self.filters = 0
        if self.filters <= 0 or self.filters != filters:
            raise _config_error(
                self, f"filters must be a positive integer, got {filters!r}",
                "Pass the number of output channels, e.g. filters=32.")
        self.kernel_size = _int_tuple(self, kernel_size, rank, "kernel_size")
        self.strides = _int_tuple(self, strides, rank, "strides")
        self.dilation_rate = _int_tuple(self, dilation_rate, rank,
                                        "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise _config_error(
                self, f"strides={self.strides} and dilation_rate="
                f"{self.dilation_rate} cannot both be > 1 (TensorFlow has no "
                "strided dilated convolution)",
                "Use strides=1 with the dilation, or dilation_rate=1.")
        allowed = ("valid", "same", "causal") if rank == 1 else ("valid",
                                                                 "same")
        self.padding = _padding(self, padding, allowed)
        self.data_format = _data_format(self, data_format)
        _store_kernel_bias_arguments(self, locals())
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _example_input(self):
        return {1: "tf.reshape(x, [-1, length, channels])",
                2: "tf.reshape(X, [-1, 28, 28, 1]) for flat MNIST images",
                3: "tf.reshape(x, [-1, depth, height, width, channels])"
                }[self.rank]

    def _check_input(self, inputs):
        _check_rank_and_dtype(self, inputs, self.rank, self._example_input())
        if inputs.shape.ndims is None or v1.dimension_value(
                inputs.shape[self._channel_axis]) is None:
            raise self._layer_error(
                inputs, f"the channel dimension (axis {self._channel_axis}) "
                "of the inputs must be known to create the kernel",
                "Give the placeholder a static channel dimension, e.g. "
                "tf.placeholder(tf.float32, shape=(None, 28, 28, 1)).")
        self._check_data_format(inputs)
        self._check_sizes(inputs)

    def _check_data_format(self, inputs):
        _refuse_channels_first_on_cpu(self, inputs, type(self).__name__)

    def _check_sizes(self, inputs):
        _check_window_fits(self, inputs, self.kernel_size, self.strides,
                           self.dilation_rate, self.padding, "kernel")

    def _in_channels(self, input_shape):
        return v1.dimension_value(input_shape[self._channel_axis])

    def _kernel_shape(self, in_channels):
        return list(self.kernel_size) + [in_channels, self.filters]

    def build(self, input_shape):
        in_channels = self._in_channels(input_shape)
        self.kernel = _add_configured_weight(
            self, "kernel", self._kernel_shape(in_channels))
        self._build_bias()
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={self._channel_axis: in_channels})
        self.built = True

    def _build_bias(self):
        if self.use_bias:
            self.bias = _add_configured_weight(self, "bias", [self.filters])

    def _cast(self, inputs):
        dtype = (self.kernel if self.kernel is not None else
                 self.depthwise_kernel).dtype.base_dtype
        if inputs.dtype.base_dtype != dtype:
            inputs = v1.cast(inputs, dtype)
        return inputs

    def _pad_causal(self, inputs):
        """With padding="causal" (rank 1): `dilation_rate * (kernel_size -
        1)` zeros on the left of the time axis; else `inputs` unchanged."""
        if self.padding != "causal":
            return inputs
        left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        pads = ([[0, 0], [left, 0], [0, 0]]
                if self.data_format == "channels_last"
                else [[0, 0], [0, 0], [left, 0]])
        return v1.pad(inputs, pads)

    def _convolve(self, inputs):
        inputs = self._pad_causal(inputs)
        return tf2.nn.convolution(
            inputs, self.kernel, strides=list(self.strides),
            padding="VALID" if self.padding == "causal" else
            self.padding.upper(),
            dilations=list(self.dilation_rate),
            data_format=_tf_data_format(self.data_format, self.rank + 2),
            name=type(self).__name__)

    def _add_bias(self, outputs, bias_format=None):
        if not self.use_bias:
            return outputs
        if self.rank == 1 and self.data_format == "channels_first":
            # bias_add takes no 3-D NCW input: TF 1.15 reshapes and adds.
            return outputs + v1.reshape(self.bias, (1, self.filters, 1))
        return tf2.nn.bias_add(
            outputs, self.bias,
            data_format=bias_format or _tf_data_format(self.data_format,
                                                       self.rank + 2))

    def call(self, inputs):
        inputs = self._cast(inputs)
        outputs = self._add_bias(self._convolve(inputs))
        return _activate_and_regularize(self, outputs)

    def compute_output_shape(self, input_shape):
        shape = v1.TensorShape(input_shape).as_list()
        spatial = [_conv_output_length(n, k, self.padding, s, d)
                   for n, k, s, d in zip(_spatial_dims(self, v1.TensorShape(
                       shape)), self.kernel_size, self.strides,
                       self.dilation_rate)]
        if self.data_format == "channels_last":
            return v1.TensorShape([shape[0]] + spatial + [self.filters])
        return v1.TensorShape([shape[0], self.filters] + spatial)


class Conv1D(_Conv):
    """1-D convolution (temporal convolution), as TF 1.x `tf.layers.Conv1D`.

    Input `(batch, length, channels)` (channels_last); kernel
    `(kernel_size, channels, filters)`. Ops: `Conv1D/ExpandDims`, `Conv1D`
    (a Conv2D op), `Conv1D/Squeeze`, `BiasAdd`. `padding="causal"` pads
    `dilation_rate * (kernel_size - 1)` zeros on the left. See `_Conv`.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=_ZEROS, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None,
                 trainable=True, name=None, **kwargs):
        super().__init__(1, **_own_arguments(locals()))


class Conv2D(_Conv):
    """2-D convolution (images), as TF 1.x `tf.layers.Conv2D`.

    Input `(batch, height, width, channels)` (channels_last); kernel
    `(kh, kw, channels, filters)`. Ops: `Conv2D`, `BiasAdd` (with
    `dilation_rate > 1`: `Conv2D/SpaceToBatchND`, `Conv2D`,
    `Conv2D/BatchToSpaceND`). See `_Conv`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", dilation_rate=(1, 1),
                 activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=_ZEROS, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None,
                 trainable=True, name=None, **kwargs):
        super().__init__(2, **_own_arguments(locals()))


class Conv3D(_Conv):
    """3-D convolution (volumes, video), as TF 1.x `tf.layers.Conv3D`.

    Input `(batch, depth, height, width, channels)` (channels_last); kernel
    `(kd, kh, kw, channels, filters)`. Ops: `Conv3D`, `BiasAdd`. See `_Conv`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1),
                 padding="valid", data_format="channels_last",
                 dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer=None, bias_initializer=_ZEROS,
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(3, **_own_arguments(locals()))


class _SeparableConv(_Conv):
    """Depthwise convolution (`depth_multiplier` channels per input channel)
    followed by a 1x1 pointwise convolution to `filters` channels, plus bias.

    Variables: `depthwise_kernel` of shape `kernel_size + (in_channels,
    depth_multiplier)`, `pointwise_kernel` of shape `(1,) * rank +
    (in_channels * depth_multiplier, filters)`, `bias`. Initializers,
    regularizers and constraints come per kernel (`depthwise_*`,
    `pointwise_*`); None initializers mean Glorot uniform.
    """

    def __init__(self, rank, filters, kernel_size, strides=1,
                 padding="valid", data_format="channels_last",
                 dilation_rate=1, depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer=None,
                 pointwise_initializer=None, bias_initializer=_ZEROS,
                 depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(
            rank, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint, trainable=trainable, name=name,
            **kwargs)
        if (not isinstance(depth_multiplier, numbers.Integral)
                or depth_multiplier <= 0):
            raise _config_error(
                self, f"depth_multiplier must be a positive integer, got "
                f"{depth_multiplier!r}", "Use depth_multiplier >= 1.")
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint
        self.depthwise_kernel = None
        self.pointwise_kernel = None

    def build(self, input_shape):
        in_channels = self._in_channels(input_shape)
        self.depthwise_kernel = _add_configured_weight(
            self, "depthwise_kernel",
            list(self.kernel_size) + [in_channels, self.depth_multiplier],
            prefix="depthwise")
        self.pointwise_kernel = _add_configured_weight(
            self, "pointwise_kernel",
            [1] * self.rank + [in_channels * self.depth_multiplier,
                               self.filters],
            prefix="pointwise")
        self._build_bias()
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={self._channel_axis: in_channels})
        self.built = True


class SeparableConv1D(_SeparableConv):
    """Depthwise separable 1-D convolution, as TF 1.x `tf.layers.SeparableConv1D`.

    Runs as a 2-D separable convolution on the input expanded to
    `(batch, 1, length, channels)`: ops `ExpandDims` (x3),
    `separable_conv2d/depthwise`, `separable_conv2d`, `BiasAdd`, `Squeeze`.
    See `_SeparableConv`.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer=None, pointwise_initializer=None,
                 bias_initializer=_ZEROS, depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None,
                 trainable=True, name=None, **kwargs):
        super().__init__(1, **_own_arguments(locals()))

    def call(self, inputs):
        inputs = self._cast(inputs)
        inputs = self._pad_causal(inputs)
        if self.data_format == "channels_last":
            strides = (1,) + self.strides * 2 + (1,)
            spatial_start = 1
        else:
            strides = (1, 1) + self.strides * 2
            spatial_start = 2
        inputs = v1.expand_dims(inputs, spatial_start)
        depthwise = v1.expand_dims(self.depthwise_kernel, 0)
        pointwise = v1.expand_dims(self.pointwise_kernel, 0)
        padding = "valid" if self.padding == "causal" else self.padding
        fmt = _tf_data_format(self.data_format, 4)
        outputs = v1.nn.separable_conv2d(
            inputs, depthwise, pointwise, strides=strides,
            padding=padding.upper(), rate=(1,) + self.dilation_rate,
            data_format=fmt)
        if self.use_bias:
            outputs = tf2.nn.bias_add(outputs, self.bias, data_format=fmt)
        outputs = v1.squeeze(outputs, [spatial_start])
        return _activate_and_regularize(self, outputs)


class SeparableConv2D(_SeparableConv):
    """Depthwise separable 2-D convolution, as TF 1.x `tf.layers.SeparableConv2D`.

    Ops: `separable_conv2d/depthwise` (DepthwiseConv2dNative),
    `separable_conv2d` (the 1x1 Conv2D), `BiasAdd`. See `_SeparableConv`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", dilation_rate=(1, 1),
                 depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer=None, pointwise_initializer=None,
                 bias_initializer=_ZEROS, depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None,
                 trainable=True, name=None, **kwargs):
        super().__init__(2, **_own_arguments(locals()))

    def call(self, inputs):
        inputs = self._cast(inputs)
        fmt = _tf_data_format(self.data_format, 4)
        strides = ((1,) + self.strides + (1,)
                   if self.data_format == "channels_last"
                   else (1, 1) + self.strides)
        outputs = tf2.nn.separable_conv2d(
            inputs, self.depthwise_kernel, self.pointwise_kernel,
            strides=strides, padding=self.padding.upper(),
            dilations=self.dilation_rate, data_format=fmt)
        if self.use_bias:
            outputs = tf2.nn.bias_add(outputs, self.bias, data_format=fmt)
        return _activate_and_regularize(self, outputs)


class _ConvTranspose(_Conv):
    """Base of the transposed ("deconvolution") layers.

    The kernel has shape `kernel_size + (filters, in_channels)` (output and
    input channels swapped with respect to `Conv2D`). The output size per
    spatial axis is `in * stride + max(kernel - stride, 0)` ("valid") or
    `in * stride` ("same"); with `output_padding=p` (class keyword, as TF
    1.15's Keras layer had) it is `(in - 1) * stride + kernel - 2 * pad + p`
    with `pad = kernel // 2` for "same" and 0 for "valid".
    """

    def __init__(self, rank, filters, kernel_size, strides=1,
                 padding="valid", data_format="channels_last",
                 activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=_ZEROS, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None,
                 trainable=True, name=None, output_padding=None,
                 dilation_rate=1, **kwargs):
        conv_arguments = _own_arguments(locals())
        del conv_arguments["output_padding"]  # ours, not _Conv's
        super().__init__(**conv_arguments)
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = tuple(
                int(p) for p in ((output_padding,) * rank
                                 if isinstance(output_padding, numbers.Integral)
                                 else output_padding))
            if len(self.output_padding) != rank or any(
                    not 0 <= p < s for p, s in zip(self.output_padding,
                                                   self.strides)):
                raise _config_error(
                    self, f"output_padding={output_padding!r} must be "
                    f"{rank} integers, each >= 0 and smaller than the "
                    f"stride {self.strides}",
                    "Use output_padding=None to infer it, or a smaller value.")

    def _kernel_shape(self, in_channels):
        return list(self.kernel_size) + [self.filters, in_channels]

    def _check_sizes(self, inputs):
        pass  # a transposed convolution never shrinks its input

    def _out_pad(self, i):
        return None if self.output_padding is None else self.output_padding[i]

    def compute_output_shape(self, input_shape):
        shape = v1.TensorShape(input_shape).as_list()
        spatial = [_deconv_output_length(n, k, self.padding, self._out_pad(i),
                                         s, d)
                   for i, (n, k, s, d) in enumerate(zip(
                       _spatial_dims(self, v1.TensorShape(shape)),
                       self.kernel_size, self.strides, self.dilation_rate))]
        if self.data_format == "channels_last":
            return v1.TensorShape([shape[0]] + spatial + [self.filters])
        return v1.TensorShape([shape[0], self.filters] + spatial)


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution, as TF 1.x `tf.layers.Conv2DTranspose`.

    Ops: `Shape`, `strided_slice`, `stack`, `conv2d_transpose`
    (Conv2DBackpropInput), `BiasAdd`. On a machine without a GPU,
    channels_first inputs are transposed to NHWC and back around the op (as
    TF 1.x's Keras backend did), so channels_first works everywhere.

    Class-only keywords (TF 1.15's Keras layer took them through `**kwargs`):
    `output_padding` (see `_ConvTranspose`) and `dilation_rate` (equal in
    both axes, run by `tf.nn.atrous_conv2d_transpose`, channels_last).
    See `_Conv` for the other arguments.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", activation=None, use_bias=True,
                 kernel_initializer=None, bias_initializer=_ZEROS,
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(2, **_own_arguments(locals()))
        if self.dilation_rate[0] != self.dilation_rate[1]:
            raise _config_error(
                self, f"dilation_rate={self.dilation_rate}: a dilated "
                "transposed convolution needs the same rate in both axes",
                "Pass one integer, e.g. dilation_rate=2.")

    def _check_data_format(self, inputs):
        pass  # transposed to NHWC on CPU, below

    def call(self, inputs):
        inputs = self._cast(inputs)
        inputs_shape = tf2.shape(inputs)
        batch_size = inputs_shape[0]
        h_axis, w_axis = ((1, 2) if self.data_format == "channels_last"
                          else (2, 3))
        dims = inputs.shape.as_list()
        height = dims[h_axis] if dims[h_axis] is not None else \
            inputs_shape[h_axis]
        width = dims[w_axis] if dims[w_axis] is not None else \
            inputs_shape[w_axis]
        out_h = _deconv_output_length(height, self.kernel_size[0],
                                      self.padding, self._out_pad(0),
                                      self.strides[0], self.dilation_rate[0])
        out_w = _deconv_output_length(width, self.kernel_size[1],
                                      self.padding, self._out_pad(1),
                                      self.strides[1], self.dilation_rate[1])
        if self.data_format == "channels_first":
            output_shape = (batch_size, self.filters, out_h, out_w)
        else:
            output_shape = (batch_size, out_h, out_w, self.filters)
        output_shape = tf2.stack(output_shape)

        # The Keras backend's conv2d_transpose, op for op.
        dilated = self.dilation_rate != (1, 1)
        transpose = self.data_format == "channels_first" and (
            dilated or not _gpu_available())
        x = inputs
        tf_format = "NHWC"
        if self.data_format == "channels_first":
            if transpose:
                x = v1.transpose(x, (0, 2, 3, 1))
            else:
                tf_format = "NCHW"
        if transpose:
            output_shape = (output_shape[0], output_shape[2],
                            output_shape[3], output_shape[1])
        if output_shape[0] is None:  # never; builds the op TF 1.x built
            output_shape = (tf2.shape(x)[0],) + tuple(output_shape[1:])
        if isinstance(output_shape, tuple):
            output_shape = tf2.stack(list(output_shape))
        strides = ((1,) + self.strides + (1,) if tf_format == "NHWC"
                   else (1, 1) + self.strides)
        if not dilated:
            x = v1.nn.conv2d_transpose(x, self.kernel, output_shape, strides,
                                       padding=self.padding.upper(),
                                       data_format=tf_format)
        else:
            x = tf2.nn.atrous_conv2d_transpose(
                x, self.kernel, output_shape, rate=self.dilation_rate[0],
                padding=self.padding.upper())
        if transpose:
            x = v1.transpose(x, (0, 3, 1, 2))
        outputs = x
        if inputs.shape.ndims:
            outputs.set_shape(self.compute_output_shape(inputs.shape))
        outputs = self._add_bias(
            outputs, "NHWC" if self.data_format == "channels_last" else "NCHW")
        return _activate_and_regularize(self, outputs)


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution, as TF 1.x `tf.layers.Conv3DTranspose`.

    Ops: `Shape`, `strided_slice` (x4), `mul`/`add` (the output size, from
    the dynamic input shape), `stack`, `conv3d_transpose`
    (Conv3DBackpropInputV2), `BiasAdd`. Class-only keyword `output_padding`
    (see `_ConvTranspose`); channels_first needs a GPU (module docstring).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1),
                 padding="valid", data_format="channels_last",
                 activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=_ZEROS, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None,
                 trainable=True, name=None, **kwargs):
        super().__init__(3, **_own_arguments(locals()))
        if self.dilation_rate != (1, 1, 1):
            raise _config_error(
                self, f"dilation_rate={self.dilation_rate}: TF 1.x's "
                "Conv3DTranspose has no dilation", "Remove dilation_rate.")

    def call(self, inputs):
        inputs = self._cast(inputs)
        inputs_shape = tf2.shape(inputs)
        batch_size = inputs_shape[0]
        axes = ((1, 2, 3) if self.data_format == "channels_last"
                else (2, 3, 4))
        sizes = [inputs_shape[a] for a in axes]
        out = [_deconv_output_length(n, k, self.padding, self._out_pad(i), s)
               for i, (n, k, s) in enumerate(zip(sizes, self.kernel_size,
                                                 self.strides))]
        if self.data_format == "channels_first":
            output_shape = [batch_size, self.filters] + out
            strides = (1, 1) + self.strides
        else:
            output_shape = [batch_size] + out + [self.filters]
            strides = (1,) + self.strides + (1,)
        outputs = tf2.nn.conv3d_transpose(
            inputs, self.kernel, tf2.stack(output_shape), strides,
            data_format=_tf_data_format(self.data_format, 5),
            padding=self.padding.upper())
        if inputs.shape.ndims:
            outputs.set_shape(self.compute_output_shape(inputs.shape))
        outputs = self._add_bias(
            outputs, "NHWC" if self.data_format == "channels_last" else "NCHW")
        return _activate_and_regularize(self, outputs)


# --- functional interfaces ------------------------------------------------------

def conv1d(inputs, filters, kernel_size, strides=1, padding="valid",
           data_format="channels_last", dilation_rate=1, activation=None,
           use_bias=True, kernel_initializer=None, bias_initializer=_ZEROS,
           kernel_regularizer=None, bias_regularizer=None,
           activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional interface for `Conv1D`, as TF 1.x `tf.layers.conv1d`."""
    return _apply_functional(Conv1D, locals())


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
           data_format="channels_last", dilation_rate=(1, 1),
           activation=None, use_bias=True, kernel_initializer=None,
           bias_initializer=_ZEROS, kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable=True,
           name=None, reuse=None):
    """Functional interface for `Conv2D`, as TF 1.x `tf.layers.conv2d`.

    Example (chapter 13)::

        conv1 = conv2d(X, filters=32, kernel_size=3, strides=1,
                       padding="SAME", activation=tf.nn.relu, name="conv1")
    """
    return _apply_functional(Conv2D, locals())


def conv3d(inputs, filters, kernel_size, strides=(1, 1, 1), padding="valid",
           data_format="channels_last", dilation_rate=(1, 1, 1),
           activation=None, use_bias=True, kernel_initializer=None,
           bias_initializer=_ZEROS, kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable=True,
           name=None, reuse=None):
    """Functional interface for `Conv3D`, as TF 1.x `tf.layers.conv3d`."""
    return _apply_functional(Conv3D, locals())


def separable_conv1d(inputs, filters, kernel_size, strides=1,
                     padding="valid", data_format="channels_last",
                     dilation_rate=1, depth_multiplier=1, activation=None,
                     use_bias=True, depthwise_initializer=None,
                     pointwise_initializer=None, bias_initializer=_ZEROS,
                     depthwise_regularizer=None, pointwise_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None,
                     depthwise_constraint=None, pointwise_constraint=None,
                     bias_constraint=None, trainable=True, name=None,
                     reuse=None):
    """Functional interface for `SeparableConv1D`, as TF 1.x
    `tf.layers.separable_conv1d`."""
    return _apply_functional(SeparableConv1D, locals())


def separable_conv2d(inputs, filters, kernel_size, strides=(1, 1),
                     padding="valid", data_format="channels_last",
                     dilation_rate=(1, 1), depth_multiplier=1,
                     activation=None, use_bias=True,
                     depthwise_initializer=None, pointwise_initializer=None,
                     bias_initializer=_ZEROS, depthwise_regularizer=None,
                     pointwise_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, depthwise_constraint=None,
                     pointwise_constraint=None, bias_constraint=None,
                     trainable=True, name=None, reuse=None):
    """Functional interface for `SeparableConv2D`, as TF 1.x
    `tf.layers.separable_conv2d`."""
    return _apply_functional(SeparableConv2D, locals())


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1),
                     padding="valid", data_format="channels_last",
                     activation=None, use_bias=True, kernel_initializer=None,
                     bias_initializer=_ZEROS, kernel_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None,
                     trainable=True, name=None, reuse=None):
    """Functional interface for `Conv2DTranspose`, as TF 1.x
    `tf.layers.conv2d_transpose` (no `output_padding` here, as in TF 1.x).

    Caveat: the output size is `in * stride` with "same" and
    `in * stride + max(kernel - stride, 0)` with "valid".
    """
    return _apply_functional(Conv2DTranspose, locals())


def conv3d_transpose(inputs, filters, kernel_size, strides=(1, 1, 1),
                     padding="valid", data_format="channels_last",
                     activation=None, use_bias=True, kernel_initializer=None,
                     bias_initializer=_ZEROS, kernel_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None,
                     trainable=True, name=None, reuse=None):
    """Functional interface for `Conv3DTranspose`, as TF 1.x
    `tf.layers.conv3d_transpose`."""
    return _apply_functional(Conv3DTranspose, locals())


# TF 1.15's aliases (tensorflow/python/layers/convolutional.py).
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
SeparableConvolution2D = SeparableConv2D
Convolution2DTranspose = Deconvolution2D = Deconv2D = Conv2DTranspose
Convolution3DTranspose = Deconvolution3D = Deconv3D = Conv3DTranspose
convolution1d = conv1d
convolution2d = conv2d
convolution3d = conv3d
separable_convolution2d = separable_conv2d
convolution2d_transpose = deconvolution2d = deconv2d = conv2d_transpose
convolution3d_transpose = deconvolution3d = deconv3d = conv3d_transpose
