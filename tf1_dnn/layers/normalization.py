"""Batch normalization with the TF 1.x `tf.layers` signature, on core ops.

    mu_B, var_B = moments(x over every axis but `axis`)
    y = gamma * (x - mu) / sqrt(var + epsilon) + beta
    moving_mean     <- moving_mean     - (1 - momentum) * (moving_mean - mu_B)
    moving_variance <- moving_variance - (1 - momentum) * (moving_variance - var_B)

In training `mu, var` are the batch statistics; at inference the moving ones.
Ioffe & Szegedy, 2015, https://arxiv.org/abs/1502.03167.

Caveats:
  - The two moving-average updates are ops in `tf.GraphKeys.UPDATE_OPS`. They
    do not run by themselves: run them with the training op, e.g.::

        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            training_op = optimizer.minimize(loss)

    or the moving statistics stay at 0 and 1 forever.
  - `training` defaults to False: pass a Python bool or a boolean tensor
    (`tf.placeholder_with_default(False, shape=(), name="training")`).
  - `momentum` defaults to 0.99 here, 0.999 in `tf.contrib.layers.batch_norm`
    (where it is called `decay`); with small data sets 0.9 converges faster.
  - A bias in the layer before batch norm is redundant (beta plays its role).
  - Normalization always uses the biased (1/n) batch variance. The moving
    variance, however, follows the *biased* variance in the plain path but
    the *unbiased* one (n/(n-1), Bessel-corrected) in the fused path, because
    the fused kernel returns it and TF 1.x feeds it to the moving average
    unchanged (its code to remove the correction ran only in TF's own tests,
    `_bessels_correction_test_only`). The fused path is used by
    default for 4-D input on axis 1 or 3 (5-D: axis 1 or 4) with float16/32.
  - `fused=True` on an input the fused kernel cannot take (2-D, other axes,
    float64) silently falls back to the plain path, as TF 1.x did.
  - With a boolean *tensor* `training`, the fused path runs its two updates
    unconditionally, with momentum `tf.cond(training, momentum, 1.0)` (so
    they change nothing when training is False); the plain path wraps each
    update in a `tf.cond` (TF 1.15; early 1.x releases used the momentum
    trick there too -- same numbers, other op names). Either way
    `UPDATE_OPS` gets two ops per call.
  - `trainable=False` (frozen layer): no update ops reach `UPDATE_OPS`, so
    the moving statistics stay put even with `training=True`.

Batch renormalization (`renorm=True`; Ioffe 2017,
https://arxiv.org/abs/1702.03275), in training only::

    sigma_B = sqrt(var_B + epsilon),  s = max(renorm_stddev, sqrt(epsilon))
    r = clip(sigma_B / s, rmin, rmax),  d = clip((mu_B - renorm_mean) / s,
                                                 -dmax, dmax)
    y = gamma * ((x - mu_B) / sigma_B * r + d) + beta     (r, d: stop_gradient)
    renorm_mean   <- moving average of mu_B     (momentum renorm_momentum)
    renorm_stddev <- moving average of sigma_B  (momentum renorm_momentum)
    moving_mean   <- moving average of mu_B     (momentum `momentum`)
    moving_stddev <- moving average of sigma_B  (momentum `momentum`)
    moving_variance = relu(moving_stddev**2 - epsilon)

Renorm caveats (TF 1.15, mirrored):
  - Three more non-trainable variables, in this order after
    `moving_variance`: `moving_stddev`, `renorm_mean`, `renorm_stddev`,
    initialized from `sqrt(moving_variance_initializer)`,
    `moving_mean_initializer` and `sqrt(moving_variance_initializer)`.
    TF <= 1.13 had `renorm_mean`, `renorm_mean_weight`, `renorm_stddev`,
    `renorm_stddev_weight` instead (zero-initialized, debiased by the
    weights): their checkpoints do not match this variable list.
  - r and d use the renorm averages from *before* this step; those averages
    are updated only when the `UPDATE_OPS` run (two ops per call, as
    without renorm). Missing `renorm_clipping` keys mean no clipping
    (rmin 0, rmax inf, dmax inf); the values may be scalar tensors
    (e.g. schedules).
  - Inference (`training=False`) is plain batch norm with the moving
    statistics (r = 1, d = 0).
  - One deliberate difference: TF 1.15 (and tf_keras) raise a TypeError for
    float64 inputs (`sqrt(epsilon)` is a float32 constant there); here
    `sqrt(epsilon)` takes the variables' dtype, so float64 works.

Ghost batch norm (`virtual_batch_size=v`): the batch [N, ...] is reshaped to
[v, N / v, ...] and each of the N / v virtual batches gets its own
statistics; the moving averages take one update with the *mean* of their
statistics. Caveats (TF 1.x, mirrored):
  - Virtual batch j holds examples j, j + N/v, j + 2N/v, ... (strided, not
    consecutive), since TF 1.x reshapes to [v, -1].
  - gamma, beta and the moving statistics get rank + 1 dimensions, all 1 but
    the feature axis (e.g. [1, 1, C] for [N, C] inputs).
  - v must divide N, in training *and* at inference (TF 1.x reshapes there
    too): a static batch is checked when the layer is built (`InputError`),
    a dynamic one when the graph runs (`InvalidArgumentError` naming
    `virtual_batch_size`). axis may not include 0; no `adjustment`.

`adjustment`: a callable taking the (dynamic) shape of the input and
returning `(a, b)`; in training the normalized value becomes
`(x_hat * a + b) * gamma + beta` (after renorm's `x_hat * r + d`), at
inference it is not applied.

`fused=None` or `True` with `renorm`, `virtual_batch_size` or `adjustment`
takes the plain (non-fused) path without an error, as TF 1.15's `tf.layers`
did (only the TF 2 Keras layer raised for `fused=True`).
"""

from tf1_dnn._compat import tf2, v1
from tf1_dnn.layers.base import InputError, Layer
from tf1_dnn._cond import smart_cond as _smart_cond
from tf1_dnn._cond import static_bool as _static_bool

__all__ = ["BatchNormalization", "batch_normalization"]


class BatchNormalization(Layer):
    """Batch normalization layer (TF 1.x `tf.layers.BatchNormalization`).

    Variables (in this order): `gamma` (if `scale`), `beta` (if `center`),
    `moving_mean`, `moving_variance`; the moving ones are not trainable and
    live only in `GLOBAL_VARIABLES`.

    Args:
      axis: the feature axis (int or list of ints); -1 = last.
      momentum: moving-average momentum (0.99).
      epsilon: added to the variance (1e-3).
      center, scale: whether to learn `beta` / `gamma`.
      beta_initializer, gamma_initializer, moving_mean_initializer,
      moving_variance_initializer: initializers (zeros, ones, zeros, ones).
      beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint:
        as in `Dense`.
      renorm: batch renormalization (see the module docstring).
      renorm_clipping: dict with optional keys 'rmax', 'rmin', 'dmax'
        (floats or scalar tensors); other keys raise `InputError`.
      renorm_momentum: momentum of `renorm_mean` / `renorm_stddev` (0.99).
      fused: None or True = use the fused kernel where possible (4-D input
        on axis 1 or 3, 5-D on axis 1 or 4, float16/float32, no renorm,
        virtual batches or adjustment), else fall back silently;
        False = never.
      trainable, name: see `Layer`.
      virtual_batch_size: a positive int dividing the batch size, or None
        (ghost batch norm; see the module docstring).
      adjustment: None or a callable `shape -> (scale, bias)` applied to the
        normalized values in training only.

    Raises:
      InputError: unknown `renorm_clipping` keys, a `virtual_batch_size`
        that is not a positive int or does not divide a static batch size,
        `virtual_batch_size` with axis 0 or with `adjustment`, bad axes or
        inputs.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True,
                 scale=True, beta_initializer=v1.zeros_initializer(),
                 gamma_initializer=v1.ones_initializer(),
                 moving_mean_initializer=v1.zeros_initializer(),
                 moving_variance_initializer=v1.ones_initializer(),
                 beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm=False,
                 renorm_clipping=None, renorm_momentum=0.99, fused=None,
                 trainable=True, virtual_batch_size=None, adjustment=None,
                 name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.renorm = bool(renorm)
        self.renorm_clipping = self.renorm_momentum = None
        if self.renorm:
            renorm_clipping = dict(renorm_clipping or {})
            unknown = sorted(set(renorm_clipping) - {"rmax", "rmin", "dmax"})
            if unknown:
                raise InputError(
                    f"BatchNormalization '{self.name}': renorm_clipping has "
                    f"unknown keys {unknown}; allowed: ['rmax', 'rmin', "
                    "'dmax'], e.g. renorm_clipping={'rmax': 3.0, 'rmin': "
                    "1 / 3.0, 'dmax': 5.0}.")
            self.renorm_clipping = renorm_clipping
            self.renorm_momentum = renorm_momentum
        if virtual_batch_size is not None and (
                isinstance(virtual_batch_size, bool)
                or not isinstance(virtual_batch_size, int)
                or virtual_batch_size <= 0):
            raise InputError(
                f"BatchNormalization '{self.name}': virtual_batch_size must "
                "be a positive integer that divides the batch size, got "
                f"{virtual_batch_size!r}. Pass e.g. virtual_batch_size=32 "
                "for batches of 128, or None for plain batch norm.")
        self.virtual_batch_size = virtual_batch_size
        self.adjustment = adjustment
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = beta_initializer
        self.gamma_initializer = gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.fused = fused
        self.gamma = self.beta = None
        self.moving_mean = self.moving_variance = None
        self.moving_stddev = self.renorm_mean = self.renorm_stddev = None

    def _check_input(self, inputs):
        if inputs.shape.ndims is None:
            raise self._layer_error(
                inputs, "the rank of the inputs must be known",
                "Give the input a static shape (tf.placeholder(..., shape=...)).")
        if not inputs.dtype.is_floating:
            raise self._layer_error(
                inputs, "batch normalization needs floating-point inputs",
                "Cast first, e.g. tf.cast(X, tf.float32).")

    def build(self, input_shape):
        ndims = input_shape.ndims
        axes = self.axis if isinstance(self.axis, list) else [self.axis]

        def error(problem, fix):
            return InputError(
                f"BatchNormalization layer '{self.name}' got an input of "
                f"shape {input_shape}: {problem}. {fix}")

        norm = []
        for a in axes:
            if not isinstance(a, int) or not -ndims <= a < ndims:
                raise error(
                    f"axis {a!r} is out of range for rank {ndims}",
                    f"Use an axis in [{-ndims}, {ndims - 1}], e.g. axis=-1 "
                    "(features last) or axis=1 (channels first).")
            norm.append(a % ndims)
        if len(set(norm)) != len(norm):
            raise error(f"axis {self.axis!r} names an axis twice",
                        "List each axis once.")
        self._axes = sorted(norm)
        for a in self._axes:
            if v1.dimension_value(input_shape[a]) is None:
                raise error(
                    f"the size of the normalized axis {a} is unknown, so "
                    "gamma/beta cannot be created",
                    "Give the input a static size on that axis, e.g. "
                    "tf.placeholder(tf.float32, shape=(None, 100)).")
        if self.virtual_batch_size is not None:
            if 0 in self._axes:
                raise error(
                    "with virtual_batch_size the batch dimension must be "
                    "axis 0, so axis cannot include 0",
                    "Normalize a feature axis, e.g. axis=-1.")
            if self.adjustment is not None:
                raise error(
                    "virtual_batch_size and adjustment cannot be combined "
                    "(TF 1.x forbade it)", "Pass only one of them.")
            self._check_virtual_batch(input_shape)
        data_format = {(4, 1): "NCHW", (4, 3): "NHWC", (5, 1): "NCDHW",
                       (5, 4): "NDHWC"}.get(
                           (ndims, self._axes[0]) if len(self._axes) == 1
                           else None)
        if len(self._axes) == 1 and self.virtual_batch_size is None:
            param_shape = [v1.dimension_value(input_shape[self._axes[0]])]
        else:
            param_shape = [v1.dimension_value(input_shape[i])
                           if i in self._axes else 1 for i in range(ndims)]
        if self.virtual_batch_size is not None:
            # TF 1.x: an extra axis 1 (the virtual batches) in the
            # parameters; the normalized axes move up by one.
            param_shape.insert(1, 1)
            self._axes = [a + 1 for a in self._axes]
            ndims += 1
        self._param_shape = param_shape
        self._ndims = ndims
        self._data_format = data_format
        float_ok = self.dtype in (tf2.float16, tf2.bfloat16, tf2.float32)
        # TF 1.x: fused=None or True means "fused if the kernel can take it";
        # renorm, virtual batches and adjustment silently take the plain path
        # (TF 1.x's tf.layers did not raise for fused=True either).
        self.fused = bool(self.fused in (None, True) and float_ok
                          and self._data_format is not None
                          and not self.renorm
                          and self.virtual_batch_size is None
                          and self.adjustment is None)
        dtype = self._param_dtype()
        if self.scale:
            self.gamma = self.add_weight(
                "gamma", shape=param_shape, dtype=dtype,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint, trainable=True)
        if self.center:
            self.beta = self.add_weight(
                "beta", shape=param_shape, dtype=dtype,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint, trainable=True)
        self.moving_mean = self.add_weight(
            "moving_mean", shape=param_shape, dtype=dtype,
            initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight(
            "moving_variance", shape=param_shape, dtype=dtype,
            initializer=self.moving_variance_initializer, trainable=False)
        if self.renorm:
            self._build_renorm(param_shape, dtype)
        self.built = True

    def _build_renorm(self, param_shape, dtype):
        """TF 1.15's three extra renorm variables, colocated as TF placed them:
        `moving_stddev` (sqrt of the moving-variance initializer), and the
        training-time averages `renorm_mean` / `renorm_stddev`."""
        variance_init = self.moving_variance_initializer

        def moving_stddev_initializer(*args, **kwargs):
            return v1.sqrt(variance_init(*args, **kwargs))

        with v1.colocate_with(self.moving_variance.op):
            self.moving_stddev = self.add_weight(
                "moving_stddev", shape=param_shape, dtype=dtype,
                initializer=moving_stddev_initializer, trainable=False)
        with v1.colocate_with(self.moving_mean.op):
            self.renorm_mean = self.add_weight(
                "renorm_mean", shape=param_shape, dtype=dtype,
                initializer=self.moving_mean_initializer, trainable=False)
        with v1.colocate_with(self.moving_variance.op):
            self.renorm_stddev = self.add_weight(
                "renorm_stddev", shape=param_shape, dtype=dtype,
                initializer=moving_stddev_initializer, trainable=False)

    def _check_virtual_batch(self, input_shape):
        batch = v1.dimension_value(input_shape[0])
        if batch is not None and batch % self.virtual_batch_size:
            raise InputError(
                f"BatchNormalization layer '{self.name}' got an input of "
                f"shape {input_shape}: virtual_batch_size="
                f"{self.virtual_batch_size} does not divide the batch size "
                f"{batch}. Use a virtual_batch_size that divides the batch "
                "size (at inference too: TF 1.x reshapes there as well).")

    def _param_dtype(self):
        # 16-bit inputs keep float32 parameters and statistics.
        if self.dtype in (tf2.float16, tf2.bfloat16) or self.dtype is None:
            return tf2.float32
        return self.dtype

    def _assign_moving_average(self, variable, value, momentum):
        """`variable -= (variable - value) * (1 - momentum)` (`AssignMovingAvg`)."""
        with v1.name_scope(None, "AssignMovingAvg",
                           [variable, value, momentum]) as scope:
            with v1.colocate_with(variable):
                decay = v1.convert_to_tensor(1.0 - momentum, name="decay")
                if decay.dtype != variable.dtype.base_dtype:
                    decay = v1.cast(decay, variable.dtype.base_dtype)
                value = v1.cast(value, variable.dtype.base_dtype)
                delta = (variable - value) * decay
                return v1.assign_sub(variable, delta, name=scope)

    def _broadcast(self, v):
        reduction = [i for i in range(self._ndims) if i not in self._axes]
        if (v is not None and len(v.shape) != self._ndims
                and reduction != list(range(self._ndims - 1))):
            shape = [1] * self._ndims
            shape[self._axes[0]] = self._param_shape[0]
            return v1.reshape(v, shape)
        return v

    def _call_fused(self, inputs, training):
        param_dtype = self.moving_mean.dtype.base_dtype
        beta = self.beta if self.center else v1.constant(
            0.0, dtype=param_dtype, shape=self._param_shape)
        gamma = self.gamma if self.scale else v1.constant(
            1.0, dtype=param_dtype, shape=self._param_shape)

        def fused(is_training):
            # In training the kernel normalizes with the biased batch
            # variance but *returns* the unbiased (Bessel-corrected) one.
            return v1.nn.fused_batch_norm(
                inputs, gamma, beta, mean=self.moving_mean,
                variance=self.moving_variance, epsilon=self.epsilon,
                is_training=is_training, data_format=self._data_format)

        output, mean, variance = _smart_cond(
            training, lambda: fused(True), lambda: fused(False))
        self._add_fused_updates(mean, variance, training)
        return output

    def _add_fused_updates(self, mean, variance, training):
        static = _static_bool(training)
        if static is None or static:
            if static is None:
                momentum = _smart_cond(training, lambda: self.momentum,
                                       lambda: 1.0)
            else:
                momentum = v1.convert_to_tensor(self.momentum)
            self.add_update(
                self._assign_moving_average(self.moving_mean, mean, momentum))
            self.add_update(self._assign_moving_average(
                self.moving_variance, variance, momentum))

    def _moments(self, inputs, reduction, keep_dims):
        """The batch statistics (`tf.nn.moments`); contrib's `batch_weights`
        overrides this with `tf.nn.weighted_moments`."""
        return v1.nn.moments(inputs, reduction, keep_dims=keep_dims)

    def _assign_new_value(self, variable, value):
        with v1.name_scope(None, "AssignNewValue", [variable, value]) as scope:
            with v1.colocate_with(variable):
                return v1.assign(variable, value, name=scope)

    def _renorm_correction_and_moments(self, mean, variance, training):
        """Batch renormalization's (r, d) and the statistics for the moving
        updates, as TF 1.15's `_renorm_correction_and_moments`.

            sigma_B = sqrt(var_B + epsilon)
            r = clip(sigma_B / max(renorm_stddev, sqrt(epsilon)), rmin, rmax)
            d = clip((mu_B - renorm_mean) / max(renorm_stddev, sqrt(epsilon)),
                     -dmax, dmax)

        r and d use the renorm averages *before* this step's update; the
        updates of `renorm_mean` / `renorm_stddev` (momentum
        `renorm_momentum`) are control dependencies of the returned mean and
        variance, so they run with the moving-average updates.
        """
        dtype = self.renorm_stddev.dtype.base_dtype
        stddev = v1.sqrt(variance + self.epsilon)
        renorm_mean = self.renorm_mean
        renorm_stddev = v1.maximum(
            self.renorm_stddev, v1.sqrt(v1.constant(self.epsilon, dtype)))
        r = stddev / renorm_stddev
        d = (mean - renorm_mean) / renorm_stddev
        with v1.control_dependencies([r, d]):
            mean = v1.identity(mean)
            stddev = v1.identity(stddev)
        rmin, rmax, dmax = [self.renorm_clipping.get(key)
                            for key in ("rmin", "rmax", "dmax")]
        if rmin is not None:
            r = v1.maximum(r, rmin)
        if rmax is not None:
            r = v1.minimum(r, rmax)
        if dmax is not None:
            d = v1.maximum(d, -dmax)
            d = v1.minimum(d, dmax)
        r = _smart_cond(training, lambda: r, lambda: v1.ones_like(r))
        d = _smart_cond(training, lambda: d, lambda: v1.zeros_like(d))

        def update(variable, value):
            value = v1.identity(value)
            return _smart_cond(
                training,
                lambda: self._assign_moving_average(variable, value,
                                                    self.renorm_momentum),
                lambda: v1.identity(variable))

        update_mean = update(self.renorm_mean, mean)
        update_stddev = update(self.renorm_stddev, stddev)
        with v1.control_dependencies([update_mean, update_stddev]):
            out_mean = v1.identity(mean)
            out_variance = v1.identity(variance)
        return r, d, out_mean, out_variance

    def call(self, inputs, training=False):
        if self.virtual_batch_size is not None:
            # Ghost batch norm: [N, ...] -> [vbs, N / vbs, ...]. TF 1.x
            # reshapes to [virtual_batch_size, -1], so virtual batch j holds
            # the examples j, j + N/vbs, j + 2N/vbs, ... (strided, not
            # consecutive), and it reshapes at inference too.
            self._check_virtual_batch(inputs.shape)
            shape = v1.shape(inputs)
            original_shape = v1.concat([v1.constant([-1]), shape[1:]], axis=0)
            expanded_shape = v1.concat(
                [v1.constant([self.virtual_batch_size, -1]), shape[1:]],
                axis=0)
            if v1.dimension_value(inputs.shape[0]) is None:
                check = v1.debugging.assert_equal(
                    v1.math.floormod(shape[0], self.virtual_batch_size), 0,
                    message=(f"BatchNormalization '{self.name}': "
                             "virtual_batch_size="
                             f"{self.virtual_batch_size} must divide the "
                             "batch size"))
                with v1.control_dependencies([check]):
                    expanded_shape = v1.identity(expanded_shape)
            inputs = v1.reshape(inputs, expanded_shape)
        if self.fused:
            return self._call_fused(inputs, training)
        outputs = self._call_plain(inputs, training)
        if self.virtual_batch_size is not None:
            outputs = v1.reshape(outputs, original_shape)
        return outputs

    def _call_plain(self, inputs, training):
        input_dtype = inputs.dtype.base_dtype
        if input_dtype in (tf2.float16, tf2.bfloat16):
            inputs = v1.cast(inputs, tf2.float32)  # statistics in float32
        static = _static_bool(training)
        reduction = [i for i in range(self._ndims) if i not in self._axes]
        if self.virtual_batch_size is not None:
            del reduction[1]  # one set of statistics per virtual batch
        scale, offset = self._broadcast(self.gamma), self._broadcast(self.beta)

        def compose(scale, offset, then_scale, then_offset):
            # (x * scale + offset) * then_scale + then_offset
            if then_scale is not None:
                scale *= then_scale
                offset *= then_scale
            if then_offset is not None:
                offset += then_offset
            return scale, offset

        if static is not None and not static:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            if self.adjustment:
                adj_scale, adj_bias = self.adjustment(v1.shape(inputs))
                adj_scale = _smart_cond(training, lambda: adj_scale,
                                        lambda: v1.ones_like(adj_scale))
                adj_bias = _smart_cond(training, lambda: adj_bias,
                                       lambda: v1.zeros_like(adj_bias))
                scale, offset = compose(adj_scale, adj_bias, scale, offset)
            keep_dims = (self.virtual_batch_size is not None
                         or len(self._axes) > 1)
            mean, variance = self._moments(
                v1.cast(inputs, self.moving_mean.dtype.base_dtype), reduction,
                keep_dims)
            moving_mean, moving_variance = self.moving_mean, self.moving_variance
            mean = _smart_cond(training, lambda: mean,
                               lambda: v1.convert_to_tensor(moving_mean))
            variance = _smart_cond(training, lambda: variance,
                                   lambda: v1.convert_to_tensor(moving_variance))
            if self.virtual_batch_size is not None:
                # One update with the mean over the virtual batches (TF 1.x).
                new_mean = v1.reduce_mean(mean, axis=1, keepdims=True)
                new_variance = v1.reduce_mean(variance, axis=1, keepdims=True)
            else:
                new_mean, new_variance = mean, variance
            if self.renorm:
                r, d, new_mean, new_variance = (
                    self._renorm_correction_and_moments(
                        new_mean, new_variance, training))
                r = self._broadcast(v1.stop_gradient(r, name="renorm_r"))
                d = self._broadcast(v1.stop_gradient(d, name="renorm_d"))
                scale, offset = compose(r, d, scale, offset)
            self.add_update(_smart_cond(
                training,
                lambda: self._assign_moving_average(
                    self.moving_mean, new_mean, self.momentum),
                lambda: self.moving_mean))
            self.add_update(_smart_cond(
                training, lambda: self._update_moving_variance(new_variance),
                lambda: self.moving_variance))
        mean = v1.cast(mean, inputs.dtype)
        variance = v1.cast(variance, inputs.dtype)
        if offset is not None:
            offset = v1.cast(offset, inputs.dtype)
        if scale is not None:
            scale = v1.cast(scale, inputs.dtype)
        outputs = v1.nn.batch_normalization(
            inputs, self._broadcast(mean), self._broadcast(variance), offset,
            scale, self.epsilon)
        if input_dtype in (tf2.float16, tf2.bfloat16):
            outputs = v1.cast(outputs, input_dtype)
        outputs.set_shape(inputs.shape)
        return outputs

    def _update_moving_variance(self, new_variance):
        if not self.renorm:
            return self._assign_moving_average(
                self.moving_variance, new_variance, self.momentum)
        # Renorm tracks the moving *stddev* (epsilon included) and derives
        # the moving variance from it, as TF 1.15 did.
        moving_stddev = self._assign_moving_average(
            self.moving_stddev, v1.sqrt(new_variance + self.epsilon),
            self.momentum)
        return self._assign_new_value(
            self.moving_variance,
            v1.nn.relu(moving_stddev * moving_stddev - self.epsilon))


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3,
                        center=True, scale=True,
                        beta_initializer=v1.zeros_initializer(),
                        gamma_initializer=v1.ones_initializer(),
                        moving_mean_initializer=v1.zeros_initializer(),
                        moving_variance_initializer=v1.ones_initializer(),
                        beta_regularizer=None, gamma_regularizer=None,
                        beta_constraint=None, gamma_constraint=None,
                        training=False, trainable=True, name=None, reuse=None,
                        renorm=False, renorm_clipping=None,
                        renorm_momentum=0.99, fused=None,
                        virtual_batch_size=None, adjustment=None):
    """Functional interface for `BatchNormalization`, as TF 1.x
    `tf.layers.batch_normalization`. See the module docstring for the
    formula and the `UPDATE_OPS` caveat.
    """
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center,
        scale=scale, beta_initializer=beta_initializer,
        gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint, gamma_constraint=gamma_constraint,
        renorm=renorm, renorm_clipping=renorm_clipping,
        renorm_momentum=renorm_momentum, fused=fused, trainable=trainable,
        virtual_batch_size=virtual_batch_size, adjustment=adjustment,
        name=name, _scope=name, _reuse=reuse)
    return layer.apply(inputs, training=training)
