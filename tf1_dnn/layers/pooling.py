"""Pooling layers with the TF 1.x `tf.layers` signatures, on core ops.

Before (TF 1.x, fails on TF 2.21 with Keras 3)::

    pool3 = tf.layers.max_pooling2d(conv2, pool_size=2, strides=2,
                                    padding="VALID", name="pool3")

After::

    from tf1_dnn import layers
    pool3 = layers.max_pooling2d(conv2, pool_size=2, strides=2,
                                 padding="VALID", name="pool3")

Ops (in the layer's name scope, e.g. `pool3/MaxPool`): `MaxPool`/`AvgPool`
for 2-D; `ExpandDims`, `MaxPool`/`AvgPool`, `Squeeze` for 1-D (a 2-D pool
over `(batch, length, 1, channels)`); `MaxPool3D`/`AvgPool3D` for 3-D.

Caveats (TF 1.x behaviour, kept):
  - `pool_size` and `strides` are both required; `strides=None` raises (TF
    1.x), where Keras's pooling layers default it to `pool_size`.
  - `padding` is case-insensitive ("VALID", "valid", "SAME", "same").
  - Average pooling with "same" padding averages only the real input
    values at the borders (the zeros of the padding are not counted).
  - `data_format="channels_first"`: 1-D and 3-D pooling transpose to
    channels_last and back (TF 1.x did, as no CPU kernel had NCW/NCDHW), so
    they work everywhere; 2-D pooling runs the NCHW op, which TensorFlow's
    standard CPU kernel lacks, so without a GPU tf1_dnn raises an
    `InputError` naming `data_format` and the fix (see
    `tf1_dnn.layers.convolutional`).
"""

from tf1_dnn._compat import tf2, v1
from tf1_dnn.layers.base import Layer, _apply_functional
from tf1_dnn.layers.convolutional import (_check_rank_and_dtype,
                                          _check_window_fits, _config_error,
                                          _data_format,
                                          _gpu_available, _int_tuple,
                                          _padding,
                                          _refuse_channels_first_on_cpu)
from tf1_dnn.layers.input_spec import InputSpec

__all__ = [
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
    "average_pooling1d", "average_pooling2d", "average_pooling3d",
    "max_pooling1d", "max_pooling2d", "max_pooling3d",
    # TF 1.15's module-level aliases (not in its `tf.layers` list).
    "AvgPool2D", "MaxPool2D", "avg_pool2d", "max_pool2d",
]


class _Pooling(Layer):
    """Base of the pooling layers: a window of `pool_size` moved by `strides`.

    Args:
      pool_size: an int or a tuple of `rank` ints, the window size.
      strides: an int or a tuple of `rank` ints (required, not None).
      padding: "valid" or "same", either case.
      data_format: "channels_last" (default) or "channels_first".
      name: the layer's name (its scope).

    The six public classes inherit this constructor as it is: its signature
    is theirs in TF 1.15 (`tests/test_layer_signatures.py` pins it).
    """

    _rank = None
    _mode = None  # "max" or "avg"

    def __init__(self, pool_size, strides, padding="valid",
                 data_format="channels_last", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        rank = self._rank
        self.pool_size = _int_tuple(self, pool_size, rank, "pool_size")
        if strides is None:
            raise _config_error(
                self, "strides must not be None (TF 1.x tf.layers requires "
                "it; Keras defaulted it to pool_size)",
                f"Pass strides explicitly, e.g. strides={pool_size!r} for "
                "non-overlapping windows.")
        self.strides = _int_tuple(self, strides, rank, "strides")
        self.padding = _padding(self, padding)
        self.data_format = _data_format(self, data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _check_input(self, inputs):
        example = {1: "tf.reshape(x, [-1, length, channels])",
                   2: "tf.reshape(X, [-1, 28, 28, 1]) for flat MNIST images",
                   3: "tf.reshape(x, [-1, depth, height, width, channels])"}
        _check_rank_and_dtype(self, inputs, self._rank, example[self._rank])
        if self._rank == 2:
            _refuse_channels_first_on_cpu(
                self, inputs, "MaxPool" if self._mode == "max" else "AvgPool")
        _check_window_fits(self, inputs, self.pool_size, self.strides,
                           (1,) * self._rank, self.padding, "pool_size")

    def _pool2d(self, inputs, pool_size, strides, data_format):
        """The Keras backend's pool2d (transposes NCHW on CPU), op for op."""
        transpose = (data_format == "channels_first"
                     and not _gpu_available())
        fmt = "NHWC"
        if data_format == "channels_first":
            if transpose:
                inputs = v1.transpose(inputs, (0, 2, 3, 1))
            else:
                fmt = "NCHW"
        if fmt == "NHWC":
            strides = (1,) + strides + (1,)
            pool_size = (1,) + pool_size + (1,)
        else:
            strides = (1, 1) + strides
            pool_size = (1, 1) + pool_size
        pool = v1.nn.max_pool if self._mode == "max" else v1.nn.avg_pool
        outputs = pool(inputs, pool_size, strides,
                       padding=self.padding.upper(), data_format=fmt)
        if transpose:
            outputs = v1.transpose(outputs, (0, 3, 1, 2))
        return outputs


class _Pooling1D(_Pooling):
    _rank = 1

    def call(self, inputs):
        axis = 2 if self.data_format == "channels_last" else 3
        inputs = v1.expand_dims(inputs, axis)
        outputs = self._pool2d(inputs, self.pool_size + (1,),
                               self.strides + (1,), self.data_format)
        return v1.squeeze(outputs, axis)


class _Pooling2D(_Pooling):
    _rank = 2

    def call(self, inputs):
        if self.data_format == "channels_last":
            ksize = (1,) + self.pool_size + (1,)
            strides = (1,) + self.strides + (1,)
            fmt = "NHWC"
        else:
            ksize = (1, 1) + self.pool_size
            strides = (1, 1) + self.strides
            fmt = "NCHW"
        # TF 1.x: v1 max_pool (op "MaxPool"), v2 avg_pool (op "AvgPool").
        pool = v1.nn.max_pool if self._mode == "max" else tf2.nn.avg_pool
        return pool(inputs, ksize=ksize, strides=strides,
                    padding=self.padding.upper(), data_format=fmt)


class _Pooling3D(_Pooling):
    _rank = 3

    def call(self, inputs):
        ksize = (1,) + self.pool_size + (1,)
        strides = (1,) + self.strides + (1,)
        if self.data_format == "channels_first":
            # No NCDHW pooling kernel anywhere: TF 1.x transposed, always.
            inputs = v1.transpose(inputs, (0, 2, 3, 4, 1))
        pool = tf2.nn.max_pool3d if self._mode == "max" else tf2.nn.avg_pool3d
        outputs = pool(inputs, ksize=ksize, strides=strides,
                       padding=self.padding.upper())
        if self.data_format == "channels_first":
            outputs = v1.transpose(outputs, (0, 4, 1, 2, 3))
        return outputs


class AveragePooling1D(_Pooling1D):
    """Average pooling over `(batch, length, channels)`, as TF 1.x
    `tf.layers.AveragePooling1D`. See `_Pooling`."""
    _mode = "avg"


class MaxPooling1D(_Pooling1D):
    """Max pooling over `(batch, length, channels)`, as TF 1.x
    `tf.layers.MaxPooling1D`. See `_Pooling`."""
    _mode = "max"


class AveragePooling2D(_Pooling2D):
    """Average pooling over `(batch, height, width, channels)`, as TF 1.x
    `tf.layers.AveragePooling2D`. See `_Pooling`."""
    _mode = "avg"


class MaxPooling2D(_Pooling2D):
    """Max pooling over `(batch, height, width, channels)`, as TF 1.x
    `tf.layers.MaxPooling2D`. See `_Pooling`."""
    _mode = "max"


class AveragePooling3D(_Pooling3D):
    """Average pooling over `(batch, depth, height, width, channels)`, as TF
    1.x `tf.layers.AveragePooling3D`. See `_Pooling`."""
    _mode = "avg"


class MaxPooling3D(_Pooling3D):
    """Max pooling over `(batch, depth, height, width, channels)`, as TF 1.x
    `tf.layers.MaxPooling3D`. See `_Pooling`."""
    _mode = "max"


def average_pooling1d(inputs, pool_size, strides, padding="valid",
                      data_format="channels_last", name=None):
    """Functional interface for `AveragePooling1D` (TF 1.x
    `tf.layers.average_pooling1d`)."""
    return _apply_functional(AveragePooling1D, locals())


def max_pooling1d(inputs, pool_size, strides, padding="valid",
                  data_format="channels_last", name=None):
    """Functional interface for `MaxPooling1D` (TF 1.x
    `tf.layers.max_pooling1d`)."""
    return _apply_functional(MaxPooling1D, locals())


def average_pooling2d(inputs, pool_size, strides, padding="valid",
                      data_format="channels_last", name=None):
    """Functional interface for `AveragePooling2D` (TF 1.x
    `tf.layers.average_pooling2d`)."""
    return _apply_functional(AveragePooling2D, locals())


def max_pooling2d(inputs, pool_size, strides, padding="valid",
                  data_format="channels_last", name=None):
    """Functional interface for `MaxPooling2D` (TF 1.x
    `tf.layers.max_pooling2d`).

    Example (chapter 13)::

        pool3 = max_pooling2d(conv2, pool_size=2, strides=2, padding="VALID")
    """
    return _apply_functional(MaxPooling2D, locals())


def average_pooling3d(inputs, pool_size, strides, padding="valid",
                      data_format="channels_last", name=None):
    """Functional interface for `AveragePooling3D` (TF 1.x
    `tf.layers.average_pooling3d`)."""
    return _apply_functional(AveragePooling3D, locals())


def max_pooling3d(inputs, pool_size, strides, padding="valid",
                  data_format="channels_last", name=None):
    """Functional interface for `MaxPooling3D` (TF 1.x
    `tf.layers.max_pooling3d`)."""
    return _apply_functional(MaxPooling3D, locals())


# TF 1.15's aliases (tensorflow/python/layers/pooling.py).
AvgPool2D = AveragePooling2D
MaxPool2D = MaxPooling2D
max_pool2d = max_pooling2d
avg_pool2d = average_pooling2d
