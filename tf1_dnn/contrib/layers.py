"""`tf.contrib.layers`: `fully_connected`, `batch_norm`, `dropout` (+ the
initializers and regularizers), with TF 1.x contrib/slim semantics, on core
`tf.compat.v1` ops.

Before (TF 1.x; `tensorflow.contrib` is gone in TF 2)::

    from tensorflow.contrib.layers import fully_connected, batch_norm
    hidden1 = fully_connected(X, 300, scope="hidden1",
                              normalizer_fn=batch_norm,
                              normalizer_params={"is_training": is_training})

After::

    from tf1_dnn.contrib.layers import fully_connected, batch_norm  # or
    from tf1_dnn import tf    # and keep tf.contrib.layers.fully_connected

Differences from `tf.layers` that bite (all mirrored):
  - variables are `<scope>/weights` and `<scope>/biases` (not kernel/bias),
    default scope `fully_connected`, `fully_connected_1`, ...; they are also
    in `tf.GraphKeys.MODEL_VARIABLES`;
  - `activation_fn` defaults to **ReLU** (`tf.layers.dense`: linear) -- pass
    `activation_fn=None` for the logits layer;
  - the default `weights_initializer` is Xavier uniform;
  - with a `normalizer_fn` there are no biases (beta plays their role);
  - `batch_norm` defaults: `decay=0.999`, `scale=False` (no gamma),
    `is_training=True`, updates in `UPDATE_OPS` -- see `batch_norm`;
  - `dropout` takes `keep_prob` (= 1 - rate) and `is_training=True` by
    default, the opposite of `tf.layers.dropout(training=False)`.
"""

import numbers

from tf1_dnn._compat import require_graph, v1
from tf1_dnn.contrib.framework import add_arg_scope, model_variable
from tf1_dnn.initializers import (variance_scaling_initializer,
                                  xavier_initializer,
                                  xavier_initializer_conv2d)
from tf1_dnn._cond import smart_cond as _smart_cond
from tf1_dnn._cond import static_bool
from tf1_dnn.regularizers import (apply_regularization, l1_l2_regularizer,
                                  l1_regularizer, l2_regularizer,
                                  sum_regularizer)
from tf1_dnn.errors import InputError, InputTypeError

__all__ = ["fully_connected", "batch_norm", "dropout",
           "variance_scaling_initializer", "xavier_initializer",
           "xavier_initializer_conv2d", "l1_regularizer", "l2_regularizer",
           "l1_l2_regularizer", "sum_regularizer", "apply_regularization"]

DATA_FORMAT_NHWC = "NHWC"
DATA_FORMAT_NCHW = "NCHW"


def _variable_collections(variables_collections, name):
    """contrib's `get_variable_collections`: a dict is looked up by name."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name, None)
    return variables_collections


def _collect_named_outputs(collections, alias, outputs):
    """Adds `outputs` to `collections` with `outputs.aliases += [alias]`."""
    if collections:
        if alias.endswith("/"):
            alias = alias[:-1]
        aliases = getattr(outputs, "aliases", None)
        if aliases is None:
            outputs.aliases = [alias]
        else:
            aliases.append(alias)
        outputs.alias = alias
        for key in ([collections] if isinstance(collections, str)
                    else collections):
            v1.add_to_collection(key, outputs)
    return outputs


def _static_bool(pred, layer="batch_norm"):
    if isinstance(pred, bool):
        return pred
    if pred is None:
        raise InputTypeError(
            f"{layer}: is_training must be a Python bool or a boolean tensor, "
            "got None. Pass e.g. tf.placeholder_with_default(False, shape=()).")
    return static_bool(pred)


def _input_error(layer, inputs, problem, fix):
    return InputError(
        f"{layer} got an input of shape {inputs.shape} and dtype "
        f"{inputs.dtype.name} ({inputs.name}): {problem}. {fix}")


@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=v1.nn.relu,
                    normalizer_fn=None, normalizer_params=None,
                    weights_initializer=xavier_initializer(),
                    weights_regularizer=None,
                    biases_initializer=v1.zeros_initializer(),
                    biases_regularizer=None, reuse=None,
                    variables_collections=None, outputs_collections=None,
                    trainable=True, scope=None):
    """A fully connected layer: `activation_fn(normalizer_fn(x @ W [+ b]))`.

    Variables: `<scope>/weights` `[n_in, num_outputs]` and `<scope>/biases`
    `[num_outputs]` (only without `normalizer_fn` and with a
    `biases_initializer`), in GLOBAL_VARIABLES, MODEL_VARIABLES and (if
    trainable) TRAINABLE_VARIABLES. Ops (`MatMul`, `BiasAdd`, `Relu`, and the
    normalizer's) live in the scope's name scope. Rank > 2 inputs are
    multiplied over their last axis (`Tensordot`).

    Args:
      inputs: float tensor `[batch, ..., n_in]` with a known last dimension.
      num_outputs: int, number of units.
      activation_fn: default `tf.nn.relu`; None for linear.
      normalizer_fn: e.g. `batch_norm`; called as
        `normalizer_fn(outputs, **normalizer_params)`.
      normalizer_params: dict of keyword arguments for `normalizer_fn`.
      weights_initializer: default `xavier_initializer()` (uniform).
      weights_regularizer, biases_regularizer: `w -> loss or None`; losses
        go to REGULARIZATION_LOSSES (name `<scope>/weights/Regularizer/...`).
      biases_initializer: default zeros; None means no biases.
      reuse: reuse the variables of `scope` (which must then be given).
      variables_collections: list of extra collections for all variables, or
        dict `{"weights": [...], "biases": [...]}`.
      outputs_collections: collections to add the output to (with
        `outputs.alias = scope name`).
      trainable: add the variables to TRAINABLE_VARIABLES.
      scope: variable scope (default "fully_connected", made unique).

    Returns:
      The output tensor.

    Raises:
      ValueError: num_outputs not an int, or an input of rank < 2, unknown
        last dimension or non-float dtype.
    """
    require_graph("tf.contrib.layers.fully_connected")
    if isinstance(num_outputs, bool) or not isinstance(
            num_outputs, numbers.Integral):
        raise InputTypeError(
            f"num_outputs should be an int, got {num_outputs!r} "
            f"({type(num_outputs).__name__}).")
    if num_outputs <= 0:
        raise InputError(
            f"fully_connected: num_outputs must be a positive integer, got "
            f"{num_outputs!r}.")
    if reuse and scope is None:
        raise InputError(
            "fully_connected: reuse=True needs scope=... (the name of the "
            "layer whose variables to reuse).")
    with v1.variable_scope(scope, "fully_connected", [inputs],
                           reuse=reuse) as sc:
        inputs = v1.convert_to_tensor(inputs)
        shape = inputs.shape
        layer = f"fully_connected '{sc.name}'"
        if shape.ndims is not None and shape.ndims < 2:
            raise _input_error(
                layer, inputs, "inputs must have rank >= 2 "
                "([batch_size, features])",
                "Reshape first, e.g. tf.reshape(X, [-1, n_inputs]).")
        if shape.ndims is None or v1.dimension_value(shape[-1]) is None:
            raise _input_error(
                layer, inputs, "the last dimension must be known to create "
                "the weights", "Give the placeholder a static last dimension, "
                "e.g. tf.placeholder(tf.float32, shape=(None, 784)).")
        if not inputs.dtype.is_floating:
            raise _input_error(
                layer, inputs, "fully_connected needs floating-point inputs",
                "Cast first, e.g. tf.cast(X, tf.float32).")
        dtype = inputs.dtype.base_dtype
        n_in = v1.dimension_value(shape[-1])
        weights = model_variable(
            "weights", shape=[n_in, num_outputs], dtype=dtype,
            initializer=weights_initializer, regularizer=weights_regularizer,
            collections=_variable_collections(variables_collections,
                                              "weights"),
            trainable=trainable)
        if shape.ndims == 2:
            outputs = v1.matmul(inputs, weights)
        else:
            outputs = v1.tensordot(inputs, weights, [[shape.ndims - 1], [0]])
            outputs.set_shape(shape[:-1].concatenate([num_outputs]))
        if normalizer_fn is None and biases_initializer is not None:
            biases = model_variable(
                "biases", shape=[num_outputs], dtype=dtype,
                initializer=biases_initializer, regularizer=biases_regularizer,
                collections=_variable_collections(variables_collections,
                                                  "biases"),
                trainable=trainable)
            outputs = v1.nn.bias_add(outputs, biases)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_named_outputs(outputs_collections, sc.name, outputs)


def _assign_moving_average(variable, value, decay):
    """`variable -= (variable - value) * (1 - decay)` (TF's
    `assign_moving_average(..., zero_debias=False)`)."""
    with v1.name_scope(None, "AssignMovingAvg", [variable, value]) as scope:
        one_minus_decay = v1.convert_to_tensor(
            1.0 - decay, dtype=variable.dtype.base_dtype, name="decay")
        delta = (variable - v1.cast(value, variable.dtype.base_dtype)) \
            * one_minus_decay
        return v1.assign_sub(variable, delta, name=scope)


_PARAM_KEYS = ("beta", "gamma", "moving_mean", "moving_variance")


def _check_param_dict(params, allowed, what):
    params = dict(params or {})
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise InputError(
            f"batch_norm: unknown {what} keys {unknown}; allowed: "
            f"{list(allowed)}.")
    return params


@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001,
               activation_fn=None, param_initializers=None,
               param_regularizers=None,
               updates_collections=v1.GraphKeys.UPDATE_OPS, is_training=True,
               reuse=None, variables_collections=None,
               outputs_collections=None, trainable=True, batch_weights=None,
               fused=None, data_format=DATA_FORMAT_NHWC,
               zero_debias_moving_mean=False, scope=None, renorm=False,
               renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """`tf.contrib.layers.batch_norm` (Ioffe & Szegedy 2015).

        training:  y = gamma * (x - mu_B) / sqrt(var_B + epsilon) + beta
        inference: same with moving_mean / moving_variance
        update:    moving <- moving - (1 - decay) * (moving - batch_stat)

    Variables `<scope>/beta` (if center), `<scope>/gamma` (only if
    `scale=True`), `<scope>/moving_mean`, `<scope>/moving_variance`; default
    scope "BatchNorm" (made unique). All are MODEL_VARIABLES; the moving
    ones are not trainable.

    Caveats (TF 1.15 contrib behaviour, mirrored):
      - `updates_collections=tf.GraphKeys.UPDATE_OPS` (default): the two
        moving-average updates go there and only run if you run them
        (`with tf.control_dependencies(tf.get_collection(UPDATE_OPS))`).
        `updates_collections=None`: they run in place, as control
        dependencies of the output, every time the output is computed in
        training mode.
      - `is_training=True` by default; pass a bool or a boolean tensor. A
        constant False creates no update ops at all.
      - `decay=0.999` is slow for small data sets; the book uses 0.9/0.99.
      - `scale=False`: no gamma (fine when a ReLU or linear layer follows).
      - `fused=None` means fused where possible: inputs of rank 2 or 4 take
        the fused kernel when rank is 2 or `updates_collections` is not
        UPDATE_OPS (as TF 1.15). The fused kernel's batch variance -- the one
        that feeds `moving_variance` -- is the **unbiased** one (n / (n - 1)
        Bessel correction) while the normalization itself uses the biased
        one. With `fused=False` (or rank 3 / rank 4 with default updates) the
        moving variance tracks the biased batch variance. Early TF 1.x
        (default `fused=False`) behaved like the latter everywhere.

    Args:
      inputs: float tensor of rank >= 2, normalized over all axes but the
        channel axis (last for NHWC, 1 for NCHW).
      decay, center, scale, epsilon, activation_fn: see above.
      param_initializers: dict with optional keys beta, gamma, moving_mean,
        moving_variance (defaults zeros, ones, zeros, ones).
      param_regularizers: dict with optional keys beta, gamma.
      updates_collections: collection(s) for the update ops, or None.
      is_training: bool or boolean tensor.
      reuse, variables_collections, outputs_collections, trainable, scope:
        as `fully_connected` (dict keys: the four variable names).
      fused: None, True or False (see caveats).
      data_format: "NHWC" or "NCHW".
      batch_weights, zero_debias_moving_mean, renorm, renorm_clipping,
        renorm_decay, adjustment: not supported (NotImplementedError).

    Returns:
      The normalized (and activated) tensor, same shape as `inputs`.
    """
    require_graph("tf.contrib.layers.batch_norm")
    if (batch_weights is not None or zero_debias_moving_mean or renorm
            or adjustment is not None):
        raise NotImplementedError(
            "tf1_dnn's batch_norm does not support batch_weights, "
            "zero_debias_moving_mean, renorm or adjustment (chapter 11 does "
            "not use them).")
    del renorm_clipping, renorm_decay
    if data_format not in (DATA_FORMAT_NHWC, DATA_FORMAT_NCHW):
        raise InputError(
            f"data_format has to be either NCHW or NHWC, got {data_format!r}.")
    param_initializers = _check_param_dict(param_initializers, _PARAM_KEYS,
                                           "param_initializers")
    param_regularizers = _check_param_dict(param_regularizers,
                                           ("beta", "gamma"),
                                           "param_regularizers")
    if reuse and scope is None:
        raise InputError(
            "batch_norm: reuse=True needs scope=... (the name of the layer "
            "whose variables to reuse).")
    training_value = _static_bool(is_training)
    inputs = v1.convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    if fused is None:
        fused = True
    use_fused = bool(fused) and rank in (2, 4) and (
        rank == 2 or updates_collections is not v1.GraphKeys.UPDATE_OPS)

    with v1.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        layer = f"batch_norm '{sc.name}'"
        if rank is None:
            raise _input_error(layer, inputs, "the rank must be known",
                               "Give the input a static shape.")
        if rank < 2:
            raise _input_error(layer, inputs, "inputs must have rank >= 2",
                               "Reshape to [batch_size, features].")
        if not inputs.dtype.is_floating:
            raise _input_error(layer, inputs, "batch_norm needs floating-point "
                               "inputs", "Cast first, e.g. tf.cast(X, tf.float32).")
        channel_axis = 1 if data_format == DATA_FORMAT_NCHW else rank - 1
        channels = v1.dimension_value(inputs.shape[channel_axis])
        if channels is None:
            raise _input_error(layer, inputs, f"the channel dimension (axis "
                               f"{channel_axis}) must be known",
                               "Give the input a static channel dimension.")
        dtype = inputs.dtype.base_dtype
        params_shape = [channels]

        def make(name, default_init, trainable_):
            return model_variable(
                name, shape=params_shape, dtype=dtype,
                initializer=param_initializers.get(name, default_init),
                regularizer=param_regularizers.get(name),
                collections=_variable_collections(variables_collections, name),
                trainable=trainable_)

        beta = make("beta", v1.zeros_initializer(), trainable) \
            if center else None
        gamma = make("gamma", v1.ones_initializer(), trainable) \
            if scale else None
        moving_mean = make("moving_mean", v1.zeros_initializer(), False)
        moving_variance = make("moving_variance", v1.ones_initializer(), False)

        need_updates = training_value is None or training_value

        if use_fused:
            outputs = _fused(inputs, rank, channels, data_format, beta, gamma,
                             moving_mean, moving_variance, epsilon, decay,
                             is_training, need_updates, updates_collections)
        else:
            outputs = _moments(inputs, rank, channel_axis, data_format, beta,
                               gamma, moving_mean, moving_variance, epsilon,
                               decay, is_training, training_value,
                               need_updates, updates_collections)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _collect_named_outputs(outputs_collections, sc.name, outputs)


def _add_updates(updates_collections, update_mean, update_variance):
    keys = ([updates_collections] if isinstance(updates_collections, str)
            else list(updates_collections))
    for key in keys:
        v1.add_to_collection(key, update_mean)
        v1.add_to_collection(key, update_variance)


def _fused(inputs, rank, channels, data_format, beta, gamma, moving_mean,
           moving_variance, epsilon, decay, is_training, need_updates,
           updates_collections):
    original = inputs
    if rank == 2:
        new_shape = ([-1, channels, 1, 1] if data_format == DATA_FORMAT_NCHW
                     else [-1, 1, 1, channels])
        inputs = v1.reshape(inputs, new_shape)
    dtype = inputs.dtype.base_dtype
    offset = beta if beta is not None else v1.constant(
        0.0, dtype=dtype, shape=[channels])
    scale = gamma if gamma is not None else v1.constant(
        1.0, dtype=dtype, shape=[channels])

    def training():
        return v1.nn.fused_batch_norm(inputs, scale, offset, epsilon=epsilon,
                                      data_format=data_format)

    def inference():
        return v1.nn.fused_batch_norm(
            inputs, scale, offset, mean=moving_mean, variance=moving_variance,
            epsilon=epsilon, is_training=False, data_format=data_format)

    outputs, mean, variance = _smart_cond(is_training, training, inference)
    if need_updates:
        def updates():
            return (_assign_moving_average(moving_mean, mean, decay),
                    _assign_moving_average(moving_variance, variance, decay))

        if updates_collections is None:
            def forced():
                with v1.control_dependencies(list(updates())):
                    return v1.identity(outputs)

            outputs = _smart_cond(is_training, forced, lambda: outputs)
        else:
            update_mean, update_variance = _smart_cond(
                is_training, updates,
                lambda: (v1.identity(moving_mean),
                         v1.identity(moving_variance)))
            _add_updates(updates_collections, update_mean, update_variance)
    outputs.set_shape(inputs.shape)
    if rank == 2:
        outputs = v1.reshape(outputs, v1.shape(original))
        outputs.set_shape(original.shape)
    return outputs


def _moments(inputs, rank, channel_axis, data_format, beta, gamma,
             moving_mean, moving_variance, epsilon, decay, is_training,
             training_value, need_updates, updates_collections):
    axes = [i for i in range(rank) if i != channel_axis]
    broadcast = channel_axis != rank - 1

    def shaped(v):
        if v is None or not broadcast:
            return v
        shape = [1] * rank
        shape[channel_axis] = -1
        return v1.reshape(v, shape)

    if need_updates:
        mean, variance = v1.nn.moments(inputs, axes)
        if updates_collections is None:
            def forced():
                update_mean = _assign_moving_average(moving_mean, mean, decay)
                update_variance = _assign_moving_average(moving_variance,
                                                         variance, decay)
                with v1.control_dependencies([update_mean, update_variance]):
                    return v1.identity(mean), v1.identity(variance)

            mean, variance = _smart_cond(is_training, forced,
                                         lambda: (mean, variance))
        else:
            update_mean, update_variance = _smart_cond(
                is_training,
                lambda: (_assign_moving_average(moving_mean, mean, decay),
                         _assign_moving_average(moving_variance, variance,
                                                decay)),
                lambda: (v1.identity(moving_mean),
                         v1.identity(moving_variance)))
            _add_updates(updates_collections, update_mean, update_variance)
        mean, variance = _smart_cond(
            is_training, lambda: (mean, variance),
            lambda: (v1.identity(moving_mean), v1.identity(moving_variance)))
    else:
        del training_value
        mean, variance = moving_mean, moving_variance
    outputs = v1.nn.batch_normalization(inputs, shaped(mean), shaped(variance),
                                        shaped(beta), shaped(gamma), epsilon)
    outputs.set_shape(inputs.shape)
    return outputs


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True,
            outputs_collections=None, scope=None, seed=None):
    """`tf.contrib.layers.dropout`: inverted dropout with `keep_prob`.

    In training, each element is kept with probability `keep_prob` and
    scaled by `1 / keep_prob`; otherwise the identity. Default scope
    "Dropout".

    Caveats:
      - `keep_prob` is the fraction to KEEP (`tf.layers.dropout` takes
        `rate` = 1 - keep_prob).
      - `is_training` defaults to **True**: pass a placeholder, or the layer
        also drops at test time.

    Raises:
      ValueError: a numeric keep_prob outside (0, 1].
    """
    require_graph("tf.contrib.layers.dropout")
    if not isinstance(keep_prob, numbers.Real) and not v1.is_tensor(keep_prob):
        raise InputTypeError(
            f"dropout: keep_prob must be a number or a scalar tensor, got "
            f"{keep_prob!r} ({type(keep_prob).__name__}).")
    if isinstance(keep_prob, numbers.Real) and not 0.0 < keep_prob <= 1.0:
        raise InputError(
            f"dropout: keep_prob must be in (0, 1], got {keep_prob!r} "
            "(keep_prob is the fraction to KEEP; rate=0.1 is keep_prob=0.9).")
    _static_bool(is_training, "dropout")
    with v1.variable_scope(scope, "Dropout", [inputs]) as sc:
        inputs = v1.convert_to_tensor(inputs)

        def dropped():
            rate = 1.0 - keep_prob
            if isinstance(rate, float) and rate == 0.0:
                return v1.identity(inputs)
            return v1.nn.dropout(inputs, rate=rate, noise_shape=noise_shape,
                                 seed=seed)

        outputs = _smart_cond(is_training, dropped,
                              lambda: v1.identity(inputs))
        return _collect_named_outputs(outputs_collections, sc.name, outputs)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    from tf1_dnn.contrib import _missing
    raise _missing("layers", name)
