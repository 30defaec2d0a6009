"""Dense, Dropout and Flatten with the TF 1.x `tf.layers` signatures.

Before (TF 1.x, fails on TF 2.21 with Keras 3)::

    hidden1 = tf.layers.dense(X, 300, activation=tf.nn.relu, name="hidden1")

After::

    from tf1_dnn import layers
    hidden1 = layers.dense(X, 300, activation=tf.nn.relu, name="hidden1")

(or keep `tf.layers.dense` with `from tf1_dnn import tf`).
"""

import numbers

from tf1_dnn._compat import v1
from tf1_dnn._cond import smart_cond as _smart_cond
from tf1_dnn._cond import static_bool as _static_bool
from tf1_dnn.layers.base import (Layer, _activate_and_regularize,
                                  _add_configured_weight, _apply_functional,
                                  _store_kernel_bias_arguments)
from tf1_dnn.errors import InputError, InputTypeError

__all__ = ["Dense", "dense", "Dropout", "dropout", "Flatten", "flatten"]


class Dense(Layer):
    """Densely-connected layer: `outputs = activation(inputs @ kernel + bias)`.

    Variables: `<scope>/kernel` of shape `[in, units]` and `<scope>/bias` of
    shape `[units]`. Ops: `MatMul` (or `Tensordot` for rank > 2), `BiasAdd`,
    then the activation's own op (`Relu`, `Elu`, ...), all in the layer's
    name scope.

    Args:
      units: number of output units.
      activation: a callable, or None for linear.
      use_bias: whether to add a bias.
      kernel_initializer: None means `tf.glorot_uniform_initializer()` (the
        `tf.get_variable` default, i.e. Xavier uniform -- not He).
      bias_initializer: default `tf.zeros_initializer()`.
      kernel_regularizer, bias_regularizer: callables `w -> loss or None`.
      activity_regularizer: callable applied to the output; its loss,
        divided by the batch size (as TF 1.15 does; early TF 1.x releases
        did not divide), goes to `REGULARIZATION_LOSSES`.
      kernel_constraint, bias_constraint: callables applied by TF1 optimizers
        after each update.
      trainable, name, dtype, _scope, _reuse: see `Layer`.
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer=None,
                 bias_initializer=v1.zeros_initializer(),
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        try:
            self.units = int(units)  # TF 1.x: int(units), so "3" works
        except (TypeError, ValueError):
            raise InputTypeError(
                f"Dense layer '{self.name}': units must be an integer, got "
                f"{units!r} ({type(units).__name__}).") from None
        if self.units <= 0:
            raise InputError(
                f"Dense layer '{self.name}': units must be a positive integer, "
                f"got {units!r}.")
        _store_kernel_bias_arguments(self, locals())

    def _check_input(self, inputs):
        shape = inputs.shape
        if shape.ndims is not None and shape.ndims < 2:
            raise self._layer_error(
                inputs, "Dense needs inputs of rank 2 or more "
                "([batch_size, features])",
                "Reshape the input, e.g. tf.reshape(X, [-1, n_inputs]).")
        if shape.ndims is None or v1.dimension_value(shape[-1]) is None:
            raise self._layer_error(
                inputs, "the last dimension of the inputs to Dense must be "
                "known to create the kernel",
                "Give the placeholder a static last dimension, e.g. "
                "tf.placeholder(tf.float32, shape=(None, 784)).")
        if not inputs.dtype.is_floating:
            raise self._layer_error(
                inputs, "Dense needs floating-point inputs",
                "Cast first, e.g. tf.cast(X, tf.float32).")

    def build(self, input_shape):
        last_dim = v1.dimension_value(input_shape[-1])
        self.kernel = _add_configured_weight(self, "kernel",
                                             [last_dim, self.units])
        if self.use_bias:
            self.bias = _add_configured_weight(self, "bias", [self.units])
        self.built = True

    def call(self, inputs):
        if inputs.dtype.base_dtype != self.kernel.dtype.base_dtype:
            inputs = v1.cast(inputs, self.kernel.dtype.base_dtype)
        rank = inputs.shape.ndims
        if rank == 2:
            outputs = v1.matmul(inputs, self.kernel)
        else:
            outputs = v1.tensordot(inputs, self.kernel, [[rank - 1], [0]])
            outputs.set_shape(inputs.shape[:-1].concatenate([self.units]))
        if self.use_bias:
            outputs = v1.nn.bias_add(outputs, self.bias)
        return _activate_and_regularize(self, outputs)


def dense(inputs, units, activation=None, use_bias=True,
          kernel_initializer=None, bias_initializer=v1.zeros_initializer(),
          kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional interface for `Dense`, as TF 1.x `tf.layers.dense`.

    Example (the chapter's hidden layer with He initialization)::

        he_init = tf.variance_scaling_initializer(scale=2.0)
        hidden1 = dense(X, 300, activation=tf.nn.relu,
                        kernel_initializer=he_init, name="hidden1")

    Caveat: `tf.variance_scaling_initializer()` with no argument is LeCun
    (scale 1.0), not He; pass `scale=2.0`.
    """
    return _apply_functional(Dense, locals())


class Dropout(Layer):
    """Inverted dropout: at training time each unit is zeroed with
    probability `rate` and the survivors are scaled by `1 / (1 - rate)`;
    at test time the layer is the identity.

    Args:
      rate: fraction of the units to drop, in [0, 1) (a Python number or a
        scalar tensor, e.g. a placeholder). Note: TF 1.x
        `tf.nn.dropout` and `tf.contrib.layers.dropout` take `keep_prob`
        instead (= 1 - rate).
      noise_shape: 1-D int tensor, or a list of ints where None means "the
        input's size on that axis": the shape of the binary mask, broadcast
        to the input; e.g. `[None, 1, 1, channels]` drops whole feature maps.
      seed: Python int, op-level seed, passed unchanged on every call (TF
        1.x; tf_keras's copy instead adds 1 per call of the same instance).

    Caveat: `training` defaults to False, so without `training=...` the layer
    does nothing (it returns `tf.identity(inputs)`).
    """

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(rate, numbers.Real) and not v1.is_tensor(rate):
            raise InputTypeError(
                f"Dropout layer '{self.name}': rate must be a number or a "
                f"scalar tensor, got {rate!r} ({type(rate).__name__}).")
        if isinstance(rate, numbers.Real) and not 0 <= rate < 1:
            raise InputError(
                f"Dropout layer '{self.name}': rate must be in [0, 1), got "
                f"{rate!r} (rate is the fraction to DROP; keep_prob=0.9 is "
                "rate=0.1).")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def _noise_shape(self, inputs):
        # None entries take the input's dynamic size (TF 1.x tf.layers).
        if self.noise_shape is None or v1.is_tensor(self.noise_shape):
            return self.noise_shape
        dynamic = v1.shape(inputs)
        return v1.convert_to_tensor(
            [dynamic[i] if d is None else d
             for i, d in enumerate(self.noise_shape)])

    def call(self, inputs, training=False):
        def dropped():
            return v1.nn.dropout(inputs, rate=self.rate,
                                 noise_shape=self._noise_shape(inputs),
                                 seed=self.seed)

        def kept():
            return v1.identity(inputs)

        if isinstance(self.rate, numbers.Real) and self.rate == 0:
            return kept()
        maybe_training = _static_bool(training) is not False
        if not inputs.dtype.is_floating and maybe_training:
            raise self._layer_error(
                inputs, "dropout scales the kept units by 1 / (1 - rate), so "
                "it needs floating-point inputs",
                "Cast first, e.g. tf.cast(X, tf.float32).")
        return _smart_cond(training, dropped, kept)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False,
            name=None):
    """Functional interface for `Dropout`, as TF 1.x `tf.layers.dropout`.

    Caveat: `training` defaults to False, so without
    `training=training_placeholder` this layer does nothing.
    """
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer.apply(inputs, training=training)


class Flatten(Layer):
    """Flattens every dimension but the first: `[batch, d1, d2] -> [batch, d1*d2]`."""

    def __init__(self, data_format="channels_last", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if data_format not in ("channels_last", "channels_first"):
            raise InputError(
                f"Flatten: data_format must be 'channels_last' or "
                f"'channels_first', got {data_format!r}.")
        self.data_format = data_format

    def _check_input(self, inputs):
        if inputs.shape.ndims == 0:
            raise self._layer_error(
                inputs, "Flatten needs inputs of rank 1 or more (a batch)",
                "Pass a batch, e.g. tf.reshape(x, [1, -1]).")

    def call(self, inputs):
        rank = inputs.shape.ndims
        if self.data_format == "channels_first" and rank and rank > 1:
            perm = [0] + list(range(2, rank)) + [1]
            inputs = v1.transpose(inputs, perm=perm)
        shape = inputs.shape
        if rank == 1:
            return v1.expand_dims(inputs, axis=1)
        batch_dim = v1.dimension_value(shape[0]) if rank is not None else None
        rest = shape[1:] if rank is not None else v1.TensorShape(None)
        # Keep as much static shape as possible, with TF 1.15's op names.
        if rest.is_fully_defined():
            flat = 1
            for d in rest.as_list():
                flat *= d
            new_shape = v1.constant([-1, flat])
        elif batch_dim is not None:
            new_shape = v1.constant([int(batch_dim), -1])
        else:
            new_shape = [v1.shape(inputs)[0], -1]
        return v1.reshape(inputs, new_shape)


def flatten(inputs, name=None, data_format="channels_last"):
    """Functional interface for `Flatten`, as TF 1.x `tf.layers.flatten`."""
    return Flatten(data_format=data_format, name=name).apply(inputs)
