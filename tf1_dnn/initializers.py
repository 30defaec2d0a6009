"""Weight initializers of chapter 11 (Xavier/Glorot, He, LeCun; table 11-1).

Three families live side by side in TF 1.x, with different defaults -- the
most common source of "my He init is not He" bugs:

* `tf.variance_scaling_initializer(scale=1.0, mode="fan_in",
  distribution="truncated_normal")` -- native, kept as is in
  `from tf1_dnn import tf`. **No-arg default is LeCun** (variance 1/fan_in),
  not He: pass `scale=2.0` for He. Since the 2018 fix (tensorflow#18706;
  TF 1.6 still had the old code) the truncated normal is widened by 1/0.8796
  so the variance really is `scale / n`; older 1.x releases gave 0.77 of it.
* `tf.contrib.layers.variance_scaling_initializer(factor=2.0, mode='FAN_IN',
  uniform=False)` -- `variance_scaling_initializer` below. **No-arg default
  is He** (factor 2.0). Normal case: truncated normal with
  `stddev = sqrt(1.3 * factor / n)`; the 1.3 compensates the truncation at
  2 stddev, so the variance is ~1.0058 * factor / n (slightly above).
  Uniform case: `[-limit, limit]`, `limit = sqrt(3 * factor / n)`.
* `tf.contrib.layers.xavier_initializer(uniform=True)` -- Glorot:
  `variance_scaling_initializer(factor=1.0, mode='FAN_AVG')`, i.e. variance
  `2 / (fan_in + fan_out)`. Equal to the native
  `tf.glorot_uniform_initializer()` in distribution.

Fans (contrib's rule, also TF's): for a kernel of shape `[..., n_in, n_out]`
`fan_in = n_in * prod(shape[:-2])`, `fan_out = n_out * prod(shape[:-2])`;
a 1-D shape has fan_in = fan_out = shape[0]; a scalar has 1.

Recipes (contrib's docstring): Xavier = `factor=1.0, mode='FAN_AVG'`;
He (MSRA) = `factor=2.0, mode='FAN_IN'`; LeCun = `factor=1.0, mode='FAN_IN'`.

Table 11-1 of the chapter (n = n_inputs + n_outputs):

    activation   uniform [-r, r]          normal (stddev sigma)
    logistic     r = sqrt(6 / n)          sigma = sqrt(2 / n)
    tanh         r = 4 sqrt(6 / n)        sigma = 4 sqrt(2 / n)
    ReLU (+var.) r = sqrt(2) sqrt(6 / n)  sigma = sqrt(2) sqrt(2 / n)

`table_11_1_params` returns those numbers, `table_11_1_initializer` the
matching initializer (uniform, or an *untruncated* normal so that sigma is
exactly the table's). Caveat: the tanh row's factor 4 is what the 1st
edition printed (Glorot & Bengio give 4 for the *logistic* relative to
tanh); we mirror the book.
"""

import math
import numbers

from tf1_dnn._compat import tf2, v1
from tf1_dnn.errors import InputError, InputTypeError

__all__ = ["variance_scaling_initializer", "xavier_initializer",
           "xavier_initializer_conv2d", "he_normal", "he_uniform",
           "lecun_normal", "lecun_uniform", "glorot_normal",
           "glorot_uniform", "table_11_1_params", "table_11_1_initializer",
           "compute_fans"]

_MODES = ("FAN_IN", "FAN_OUT", "FAN_AVG")


def compute_fans(shape):
    """`(fan_in, fan_out)` of a weight shape, as floats (contrib's rule)."""
    shape = v1.TensorShape(shape).as_list()
    if any(d is None for d in shape):
        raise InputError(
            f"Cannot compute fan-in/fan-out of a shape with unknown "
            f"dimensions: {shape}. Give the variable a fully defined shape.")
    if not shape:
        return 1.0, 1.0
    fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
    fan_out = float(shape[-1])
    for dim in shape[:-2]:
        fan_in *= float(dim)
        fan_out *= float(dim)
    return fan_in, fan_out


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False,
                                 seed=None, dtype=tf2.float32):
    """`tf.contrib.layers.variance_scaling_initializer`: He by default.

    With `n` the fan chosen by `mode` (`FAN_IN`, `FAN_OUT` or `FAN_AVG` =
    (fan_in + fan_out) / 2):

    * `uniform=False`: truncated normal (cut at 2 stddev) with
      `stddev = sqrt(1.3 * factor / n)`, variance ~= 1.0058 * factor / n;
    * `uniform=True`: uniform on `[-sqrt(3 * factor / n), +sqrt(...)]`,
      variance exactly `factor / n`.

    Caveat: the native `tf.variance_scaling_initializer()` is a different
    function whose no-arg default is LeCun (scale 1.0), not He.

    Args:
      factor: the variance multiplier (2.0 = He, 1.0 = Xavier/LeCun).
      mode: 'FAN_IN', 'FAN_OUT' or 'FAN_AVG' (upper case, as contrib).
      uniform: uniform instead of truncated normal.
      seed: Python int, op-level seed.
      dtype: a floating dtype.

    Returns:
      An initializer `f(shape, dtype=dtype, partition_info=None)`.

    Raises:
      TypeError: non-floating dtype or unknown mode (as contrib did).
    """
    dtype = v1.as_dtype(dtype)
    if not dtype.is_floating:
        raise InputTypeError(
            "Cannot create initializer for non-floating point type "
            f"{dtype.name}: pass dtype=tf.float32 (or another float type).")
    if mode not in _MODES:
        raise InputTypeError(
            f"Unknown mode {mode!r} for variance_scaling_initializer: use one "
            f"of {list(_MODES)} (upper case; the native "
            "tf.variance_scaling_initializer takes lower case 'fan_in').")
    if not isinstance(factor, numbers.Real) or factor <= 0:
        raise InputError(
            f"variance_scaling_initializer: factor must be a positive number, "
            f"got {factor!r} (2.0 = He, 1.0 = Xavier/LeCun).")

    def _initializer(shape, dtype=dtype, partition_info=None):
        dtype = v1.as_dtype(dtype)
        if not dtype.is_floating:
            raise InputTypeError(
                "Cannot create initializer for non-floating point type "
                f"{dtype.name}.")
        fan_in, fan_out = compute_fans(shape)
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out,
             "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return v1.random_uniform(shape, -limit, limit, dtype, seed=seed)
        trunc_stddev = math.sqrt(1.3 * factor / n)
        return v1.truncated_normal(shape, 0.0, trunc_stddev, dtype, seed=seed)

    return _initializer


def xavier_initializer(uniform=True, seed=None, dtype=tf2.float32):
    """`tf.contrib.layers.xavier_initializer`: Glorot & Bengio (2010).

    `variance_scaling_initializer(factor=1.0, mode='FAN_AVG')`: variance
    `2 / (fan_in + fan_out)`; uniform by default
    (`r = sqrt(6 / (fan_in + fan_out))`), else the 1.3-corrected truncated
    normal. The default kernel initializer of `fully_connected`.
    """
    return variance_scaling_initializer(factor=1.0, mode="FAN_AVG",
                                        uniform=uniform, seed=seed,
                                        dtype=dtype)


xavier_initializer_conv2d = xavier_initializer


def _native(scale, mode, distribution, seed):
    return v1.variance_scaling_initializer(
        scale=scale, mode=mode, distribution=distribution, seed=seed)


def he_normal(seed=None):
    """He normal: truncated normal, variance 2 / fan_in (TF 1.x
    `tf.initializers.he_normal`)."""
    return _native(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed=None):
    """He uniform: `r = sqrt(6 / fan_in)`, variance 2 / fan_in."""
    return _native(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None):
    """LeCun normal: truncated normal, variance 1 / fan_in (for SELU)."""
    return _native(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed=None):
    """LeCun uniform: `r = sqrt(3 / fan_in)`, variance 1 / fan_in."""
    return _native(1.0, "fan_in", "uniform", seed)


def glorot_normal(seed=None):
    """Glorot normal: truncated normal, variance 2 / (fan_in + fan_out)."""
    return _native(1.0, "fan_avg", "truncated_normal", seed)


def glorot_uniform(seed=None):
    """Glorot uniform: `r = sqrt(6 / (fan_in + fan_out))` -- the
    `tf.get_variable` / `tf.layers.dense` default."""
    return _native(1.0, "fan_avg", "uniform", seed)


# activation -> multiplier of the logistic row of table 11-1
_TABLE_11_1 = {"logistic": 1.0, "sigmoid": 1.0, "tanh": 4.0,
               "relu": math.sqrt(2.0)}


def _table_factor(activation):
    key = str(activation).lower()
    if key not in _TABLE_11_1:
        raise InputError(
            f"table 11-1 has no row for activation {activation!r}: use one of "
            "'logistic', 'tanh' or 'relu' (ReLU and its variants: leaky ReLU, "
            "ELU, ...).")
    return _TABLE_11_1[key]


def table_11_1_params(activation, n_inputs, n_outputs):
    """`(r, sigma)` of table 11-1 for a layer with these fans.

    `r = k * sqrt(6 / (n_inputs + n_outputs))`,
    `sigma = k * sqrt(2 / (n_inputs + n_outputs))`, with k = 1 (logistic),
    4 (tanh) or sqrt(2) (ReLU and variants).
    """
    k = _table_factor(activation)
    n = float(n_inputs + n_outputs)
    return k * math.sqrt(6.0 / n), k * math.sqrt(2.0 / n)


def table_11_1_initializer(activation="relu", distribution="uniform",
                           seed=None):
    """The initializer of table 11-1 for `activation`.

    Args:
      activation: 'logistic' (or 'sigmoid'), 'tanh' or 'relu'.
      distribution: 'uniform' (on [-r, r]) or 'normal' (untruncated, stddev
        sigma).
      seed: Python int.

    Returns:
      A native `tf.variance_scaling_initializer` with `mode="fan_avg"` and
      `scale = k**2` (variance `k**2 * 2 / (n_in + n_out)`).
    """
    k = _table_factor(activation)
    if distribution not in ("uniform", "normal"):
        raise InputError(
            f"table_11_1_initializer: distribution must be 'uniform' or "
            f"'normal', got {distribution!r}.")
    dist = "uniform" if distribution == "uniform" else "untruncated_normal"
    return _native(k * k, "fan_avg", dist, seed)
