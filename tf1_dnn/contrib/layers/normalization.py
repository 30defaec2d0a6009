"""contrib's normalization layers: `batch_norm` (on
`tf1_dnn.layers.BatchNormalization`, as TF 1.15 and tf-slim delegated),
`layer_norm` and `instance_norm`."""

from tf1_dnn._compat import require_graph, v1
from tf1_dnn._cond import smart_cond, static_bool
from tf1_dnn.contrib.framework import add_arg_scope
from tf1_dnn.contrib.layers._utils import (add_variable_to_collections,
                                           collect_named_outputs, input_error,
                                           model_variable_getter,
                                           static_training,
                                           variable_collections)
from tf1_dnn.contrib.variables import model_variable
from tf1_dnn.layers.normalization import BatchNormalization
from tf1_dnn.errors import InputError

__all__ = ["batch_norm", "layer_norm", "instance_norm"]

DATA_FORMAT_NHWC = "NHWC"
DATA_FORMAT_NCHW = "NCHW"
_PARAM_KEYS = ("beta", "gamma", "moving_mean", "moving_variance")


class _ContribBatchNorm(BatchNormalization):
    """`BatchNormalization` with what only contrib had: updates routed to
    other collections (or run in place) instead of `UPDATE_OPS`, weighted
    moments (`batch_weights`) and a zero-debiased moving mean."""

    routed = False
    batch_weights = None          # reshaped to [-1, 1, ..., 1]
    zero_debias = False           # zero_debias_moving_mean
    # TF 1.15 created `biased`/`local_step` through contrib's model-variable
    # getter on its non-fused path only (its fused path had no getter).
    debias_model_variables = False

    @property
    def updates(self):
        return [] if self.routed else super().updates

    def _moments(self, inputs, reduction, keep_dims):
        if self.batch_weights is None:
            return super()._moments(inputs, reduction, keep_dims)
        return v1.nn.weighted_moments(inputs, reduction, self.batch_weights,
                                      keepdims=keep_dims)

    def _assign_moving_average(self, variable, value, momentum):
        if self.zero_debias and variable is self.moving_mean:
            return self._zero_debiased_moving_average(variable, value,
                                                      momentum)
        return super()._assign_moving_average(variable, value, momentum)

    def _add_fused_updates(self, mean, variance, training):
        if not self.zero_debias:
            return super()._add_fused_updates(mean, variance, training)
        # TF 1.15's contrib fused path: both updates under smart_cond (not
        # the layer's momentum trick, which would still count a step).
        if static_bool(training) is False:
            return None
        update_mean, update_variance = smart_cond(
            training,
            lambda: (self._assign_moving_average(self.moving_mean, mean,
                                                 self.momentum),
                     self._assign_moving_average(self.moving_variance,
                                                 variance, self.momentum)),
            lambda: (self.moving_mean, self.moving_variance))
        self.add_update(update_mean)
        self.add_update(update_variance)
        return None

    def _zero_debiased_moving_average(self, variable, value, momentum):
        """TF 1.x `assign_moving_average(..., zero_debias=True)`:

            biased     <- biased - (biased - value) * (1 - decay)
            local_step <- local_step + 1
            variable   <- biased / (1 - decay ** local_step)

        with `biased` and `local_step` zero-initialized, created in the
        variable scope `<scope>/<variable's name>` (so `BatchNorm/BatchNorm/
        moving_mean/biased`, as TF 1.x named them).
        """
        with v1.name_scope(None, "AssignMovingAvg",
                           [variable, value, momentum]) as scope:
            decay = v1.convert_to_tensor(1.0 - momentum, name="decay")
            dtype = variable.dtype.base_dtype
            if decay.dtype != dtype:
                decay = v1.cast(decay, dtype)
            with v1.variable_scope(variable.op.name,
                                   values=[variable, value, decay]):
                with v1.colocate_with(variable.op):
                    biased = self._debias_variable("biased", variable.shape,
                                                   dtype)
                    local_step = self._debias_variable("local_step", [],
                                                       dtype)
            with v1.colocate_with(variable):
                update_biased = v1.assign_sub(biased,
                                              (biased - value) * decay)
                update_local_step = v1.assign_add(local_step, 1)
                bias_factor = 1 - v1.pow(1.0 - decay, update_local_step)
                return v1.assign(variable, update_biased / bias_factor,
                                 name=scope)

    def _debias_variable(self, name, shape, dtype):
        scope = v1.get_variable_scope()
        if not scope.reuse:  # TF 1.x's _maybe_get_unique
            existing = {v.op.name for v in v1.global_variables()}
            full = f"{scope.name}/{name}"
            if full in existing:
                i = 1
                while f"{full}_{i}" in existing:
                    i += 1
                name = f"{name}_{i}"
        variable = v1.get_variable(name, shape=shape, dtype=dtype,
                                   initializer=v1.zeros_initializer(),
                                   trainable=False)
        if not self.debias_model_variables:
            model = v1.get_collection_ref(v1.GraphKeys.MODEL_VARIABLES)
            model[:] = [v for v in model if v is not variable]
        return variable


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
    """`tf.contrib.layers.batch_norm` (Ioffe & Szegedy 2015), built on
    `tf1_dnn.layers.BatchNormalization` with `momentum=decay`.

        training:  y = gamma * (x - mu_B) / sqrt(var_B + epsilon) + beta
        inference: same with moving_mean / moving_variance
        update:    moving <- moving - (1 - decay) * (moving - batch_stat)

    Variables `<scope>/gamma` (only if `scale=True`), `<scope>/beta` (if
    center), `<scope>/moving_mean`, `<scope>/moving_variance` (the layer's
    order); default scope "BatchNorm" (made unique). All are
    MODEL_VARIABLES; the moving ones are not trainable.

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
      - `fused=None` means True. Rank-4 inputs then take the fused kernel,
        and so do rank-2 inputs (reshaped to `[-1, 1, 1, C]`). The fused
        kernel's batch variance -- the one that feeds `moving_variance` --
        is the **unbiased** one (n / (n - 1) Bessel correction) while the
        normalization itself uses the biased one. With `fused=False` (or
        rank 3 / 5) the moving variance tracks the biased batch variance.
        Early TF 1.x (default `fused=False`) behaved like the latter.
      - `trainable=False` with the default `updates_collections` adds no
        update ops (the layer's rule); with other collections or in place
        the updates still happen (TF 1.15's own contrib code paths).
      - TF 1.15 had three code paths, mirrored: (1) its own fused code for
        rank 2, and for rank 4 with routed updates or
        `zero_debias_moving_mean`; (2) the `tf.layers` class
        (`renorm`, `adjustment`; rank-4 fused kernel there) when the updates
        go to `UPDATE_OPS`; (3) its legacy non-fused code otherwise
        (`batch_weights`, unfused `zero_debias_moving_mean`, routed rank 3 or
        5). `renorm` on path (3) raises; `adjustment` on path (3) is
        silently ignored (TF 1.15 did so).
      - `zero_debias_moving_mean=True`: the moving mean is
        `biased / (1 - decay**k)` after k training updates, where
        `biased <- decay * biased + (1 - decay) * mu_B` starts at 0 (the
        moving mean's own initial value is never used). Two more variables,
        `<scope>/<scope>/moving_mean/biased` and `.../local_step` (TF 1.x's
        doubled scope), in GLOBAL_VARIABLES, and in MODEL_VARIABLES too on
        the non-fused path only (TF 1.15's getter). `local_step` counts
        training updates only. The moving variance is not debiased.
      - `batch_weights` (one frequency weight per example):
        `mu_B = sum(w x) / sum(w)`, `var_B = sum(w (x - mu_B)**2) / sum(w)`
        (over the batch and spatial axes, `tf.nn.weighted_moments`); always
        the non-fused path.
      - Variable creation order is the layer's (`gamma`, `beta`, ...) on
        every path; TF 1.15's paths (1) and (3) created `beta` first. Names,
        shapes and collections are TF 1.15's.

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
      batch_weights: None or a [batch_size] tensor of example weights.
      zero_debias_moving_mean: zero-debias the moving mean (see caveats).
      renorm, renorm_clipping, adjustment: as `tf.layers.BatchNormalization`
        (batch renormalization; only with `UPDATE_OPS`).
      renorm_decay: the layer's `renorm_momentum` (0.99).

    Raises:
      InputError (a ValueError): bad `data_format`, parameter-dict keys,
        `renorm_clipping` keys, input rank/channels, `batch_weights` not
        matching the batch size, or `renorm` together with `batch_weights`,
        `zero_debias_moving_mean` or non-default `updates_collections`.

    Returns:
      The normalized (and activated) tensor, same shape as `inputs`.
    """
    require_graph("tf.contrib.layers.batch_norm")
    if data_format not in (DATA_FORMAT_NHWC, DATA_FORMAT_NCHW):
        raise InputError(
            f"data_format has to be either NCHW or NHWC, got {data_format!r}.")
    inits = _check_param_dict(param_initializers, _PARAM_KEYS,
                              "param_initializers")
    regs = _check_param_dict(param_regularizers, ("beta", "gamma"),
                             "param_regularizers")
    if reuse and scope is None:
        raise InputError(
            "batch_norm: reuse=True needs scope=... (the name of the layer "
            "whose variables to reuse).")
    static_training(is_training, "batch_norm")
    inputs = v1.convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    fused = True if fused is None else bool(fused)
    routed = updates_collections is not v1.GraphKeys.UPDATE_OPS
    # TF 1.15's three paths: (1) its own fused implementation for rank 2,
    # or rank 4 with routed updates or zero_debias_moving_mean; (2) the
    # tf.layers class (renorm, adjustment; rank 4 fused there) when the
    # updates go to UPDATE_OPS; (3) its legacy non-fused code otherwise
    # (batch_weights, zero_debias_moving_mean unfused, routed rank 3/5).
    possible_to_fuse = (batch_weights is None and not renorm
                        and rank in (2, 4) and adjustment is None)
    contrib_fused = fused and possible_to_fuse and (
        zero_debias_moving_mean or rank == 2 or routed)
    legacy = not contrib_fused and (batch_weights is not None or routed
                                    or zero_debias_moving_mean)
    if legacy and renorm:
        raise InputError(
            "batch_norm: renorm is not supported with batch_weights, "
            "updates_collections or zero_debias_moving_mean (TF 1.x raised "
            "the same). Keep updates_collections=tf.GraphKeys.UPDATE_OPS "
            "and drop batch_weights/zero_debias_moving_mean to use renorm.")
    use_fused = fused and rank in (2, 4) and not legacy

    with v1.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse,
                           custom_getter=model_variable_getter()) as sc:
        layer_name = f"batch_norm '{sc.name}'"
        if rank is None:
            raise input_error(layer_name, inputs, "the rank must be known",
                              "Give the input a static shape.")
        if rank < 2:
            raise input_error(layer_name, inputs, "inputs must have rank >= 2",
                              "Reshape to [batch_size, features].")
        if not inputs.dtype.is_floating:
            raise input_error(layer_name, inputs, "batch_norm needs "
                              "floating-point inputs",
                              "Cast first, e.g. tf.cast(X, tf.float32).")
        channel_axis = 1 if data_format == DATA_FORMAT_NCHW else rank - 1
        channels = v1.dimension_value(inputs.shape[channel_axis])
        if channels is None:
            raise input_error(layer_name, inputs, f"the channel dimension "
                              f"(axis {channel_axis}) must be known",
                              "Give the input a static channel dimension.")
        if batch_weights is not None:
            batch_weights = v1.convert_to_tensor(batch_weights)
            if not inputs.shape[0:1].is_compatible_with(
                    batch_weights.shape):
                raise input_error(
                    layer_name, inputs, f"batch_weights of shape "
                    f"{batch_weights.shape} do not match the batch size",
                    "Pass one weight per example, shape [batch_size].")
            batch_weights = v1.reshape(batch_weights,
                                       [-1] + [1] * (rank - 1))
        layer = _ContribBatchNorm(
            axis=1 if data_format == DATA_FORMAT_NCHW else -1,
            momentum=decay, epsilon=epsilon, center=center, scale=scale,
            beta_initializer=inits.get("beta", v1.zeros_initializer()),
            gamma_initializer=inits.get("gamma", v1.ones_initializer()),
            moving_mean_initializer=inits.get("moving_mean",
                                              v1.zeros_initializer()),
            moving_variance_initializer=inits.get("moving_variance",
                                                  v1.ones_initializer()),
            beta_regularizer=regs.get("beta"),
            gamma_regularizer=regs.get("gamma"), trainable=trainable,
            renorm=renorm, renorm_clipping=renorm_clipping,
            renorm_momentum=renorm_decay,
            # TF 1.15's legacy path ignored `adjustment` (no error)
            adjustment=None if legacy else adjustment,
            fused=use_fused, name=sc.name, _scope=sc, _reuse=reuse)
        layer.routed = routed
        layer.batch_weights = batch_weights
        layer.zero_debias = bool(zero_debias_moving_mean)
        layer.debias_model_variables = legacy
        original = inputs
        if rank == 2 and contrib_fused:
            shape = ([-1, channels, 1, 1] if data_format == DATA_FORMAT_NCHW
                     else [-1, 1, 1, channels])
            inputs = v1.reshape(inputs, shape)
        outputs = layer.apply(inputs, training=is_training)
        for name in _PARAM_KEYS:
            add_variable_to_collections(getattr(layer, name),
                                        variables_collections, name)
        if routed and layer._updates:
            if updates_collections is None:
                with v1.control_dependencies(layer._updates):
                    outputs = v1.identity(outputs)
            else:
                keys = ([updates_collections]
                        if isinstance(updates_collections, str)
                        else list(updates_collections))
                for key in keys:
                    for update in layer._updates:
                        v1.add_to_collection(key, update)
        if rank == 2 and contrib_fused:
            # last, as TF 1.x: the output is `<scope>/Reshape_1`
            outputs = v1.reshape(outputs, v1.shape(original))
            outputs.set_shape(original.shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def layer_norm(inputs, center=True, scale=True, activation_fn=None,
               reuse=None, variables_collections=None,
               outputs_collections=None, trainable=True, begin_norm_axis=1,
               begin_params_axis=-1, scope=None):
    """Layer normalization (Ba, Kiros & Hinton 2016), scope "LayerNorm".

        y = gamma * (x - mean) / sqrt(var + 1e-12) + beta

    The moments are taken over axes `begin_norm_axis .. rank-1` (all but the
    batch axis by default); `beta`/`gamma` have shape
    `inputs.shape[begin_params_axis:]` (the last axis by default).

    Caveat: the epsilon is fixed at 1e-12 (1e-3 for float16), as in TF 1.x.

    Raises:
      InputError: unknown rank, axes out of range, or parameter dimensions
        not fully defined.
    """
    with v1.variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = v1.convert_to_tensor(inputs)
        shape = inputs.shape
        rank = shape.ndims
        if rank is None:
            raise input_error("layer_norm", inputs, "the rank is undefined",
                              "Give the input a static shape.")
        dtype = inputs.dtype.base_dtype
        if begin_norm_axis < 0:
            begin_norm_axis = rank + begin_norm_axis
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise input_error(
                "layer_norm", inputs,
                f"begin_params_axis ({begin_params_axis}) and begin_norm_axis "
                f"({begin_norm_axis}) must be < rank(inputs) ({rank})",
                "Pass axes within the input's rank.")
        params_shape = shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise input_error(
                "layer_norm", inputs,
                f"shape(inputs)[{begin_params_axis}:] is not fully defined",
                "Give the input a static shape on those axes.")
        beta = gamma = None
        if center:
            beta = model_variable(
                "beta", shape=params_shape, dtype=dtype,
                initializer=v1.zeros_initializer(),
                collections=variable_collections(variables_collections,
                                                 "beta"),
                trainable=trainable)
        if scale:
            gamma = model_variable(
                "gamma", shape=params_shape, dtype=dtype,
                initializer=v1.ones_initializer(),
                collections=variable_collections(variables_collections,
                                                 "gamma"),
                trainable=trainable)
        norm_axes = list(range(begin_norm_axis, rank))
        mean, variance = v1.nn.moments(inputs, norm_axes, keep_dims=True)
        epsilon = 1e-12 if dtype != v1.float16 else 1e-3
        outputs = v1.nn.batch_normalization(inputs, mean, variance,
                                            offset=beta, scale=gamma,
                                            variance_epsilon=epsilon)
        outputs.set_shape(shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def instance_norm(inputs, center=True, scale=True, epsilon=1e-6,
                  activation_fn=None, param_initializers=None, reuse=None,
                  variables_collections=None, outputs_collections=None,
                  trainable=True, data_format=DATA_FORMAT_NHWC, scope=None):
    """Instance normalization (Ulyanov et al. 2016), scope "InstanceNorm":
    each example and channel is normalized over its spatial axes.

    Raises:
      ValueError: bad `data_format`; InputError: unknown rank or channels.
    """
    inputs = v1.convert_to_tensor(inputs)
    shape = inputs.shape
    rank = shape.ndims
    if rank is None:
        raise input_error("instance_norm", inputs, "the rank is undefined",
                          "Give the input a static shape.")
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise InputError(
            f"instance_norm: data_format has to be either NCHW or NHWC, got "
            f"{data_format!r}.")
    with v1.variable_scope(scope, "InstanceNorm", [inputs],
                           reuse=reuse) as sc:
        if data_format == DATA_FORMAT_NCHW:
            reduction_axis = 1
            broadcast = [1, v1.dimension_value(shape[1])] + [1] * (rank - 2)
        else:
            reduction_axis = rank - 1
            broadcast = None
        moments_axes = list(range(rank))
        del moments_axes[reduction_axis]
        del moments_axes[0]
        params_shape = shape[reduction_axis:reduction_axis + 1]
        if not params_shape.is_fully_defined():
            raise input_error("instance_norm", inputs, "the channels "
                              "dimension is undefined",
                              "Give the input a static channel dimension.")
        inits = dict(param_initializers or {})
        dtype = inputs.dtype.base_dtype
        beta = gamma = None
        if center:
            beta = model_variable(
                "beta", shape=params_shape, dtype=dtype,
                initializer=inits.get("beta", v1.zeros_initializer()),
                collections=variable_collections(variables_collections,
                                                 "beta"),
                trainable=trainable)
            if broadcast:
                beta = v1.reshape(beta, broadcast)
        if scale:
            gamma = model_variable(
                "gamma", shape=params_shape, dtype=dtype,
                initializer=inits.get("gamma", v1.ones_initializer()),
                collections=variable_collections(variables_collections,
                                                 "gamma"),
                trainable=trainable)
            if broadcast:
                gamma = v1.reshape(gamma, broadcast)
        mean, variance = v1.nn.moments(inputs, moments_axes, keep_dims=True)
        outputs = v1.nn.batch_normalization(inputs, mean, variance, beta,
                                            gamma, epsilon,
                                            name="instancenorm")
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)
