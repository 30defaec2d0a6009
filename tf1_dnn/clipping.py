"""Gradient clipping for the `compute_gradients` / `apply_gradients` pattern.

The chapter's listing::

    grads_and_vars = optimizer.compute_gradients(loss)
    capped_gvs = [(tf.clip_by_value(grad, -threshold, threshold), var)
                  for grad, var in grads_and_vars]
    training_op = optimizer.apply_gradients(capped_gvs)

works as long as every variable gets a gradient. Caveat: `compute_gradients`
returns `(None, var)` for a variable the loss does not depend on (a frozen
layer passed in `var_list`, an unused head), and `tf.clip_by_value(None, ...)`
raises `ValueError: None values not supported.` With this module::

    from tf1_dnn import clipping
    capped_gvs = clipping.clip_by_value(grads_and_vars, -threshold, threshold)
    training_op = optimizer.apply_gradients(capped_gvs)

Each function returns a new list of `(gradient, variable)` pairs in the same
order; `None` gradients are passed through unchanged (`apply_gradients`
skips them), `tf.IndexedSlices` gradients (from `tf.gather` /
embeddings) stay `IndexedSlices`. Importing this module changes nothing
global.
"""

import numbers

from tf1_dnn._compat import v1
from tf1_dnn.errors import InputError, InputTypeError

__all__ = ["clip_by_value", "clip_by_norm", "clip_by_global_norm"]


def _pairs(grads_and_vars, what):
    try:
        pairs = list(grads_and_vars)
    except TypeError:
        raise InputTypeError(
            f"{what}: grads_and_vars must be a list of (gradient, variable) "
            f"pairs as returned by optimizer.compute_gradients(loss), got "
            f"{type(grads_and_vars).__name__}.") from None
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise InputTypeError(
                f"{what}: item {i} of grads_and_vars is {pair!r}, not a "
                "(gradient, variable) pair. Pass the list returned by "
                "optimizer.compute_gradients(loss), not the gradients alone "
                "(tf.gradients).")
    return pairs


def _positive(value, name, what):
    if isinstance(value, numbers.Real) and not value > 0:
        raise InputError(
            f"{what}: {name} must be > 0, got {value!r} (a norm threshold "
            "of 0 would zero every gradient).")


def clip_by_value(grads_and_vars, clip_value_min, clip_value_max):
    """Clips every gradient element-wise into [clip_value_min, clip_value_max].

    `g <- min(max(g, clip_value_min), clip_value_max)` (`tf.clip_by_value`),
    independently per element: it can change the gradient's direction.

    Args:
      grads_and_vars: list of `(gradient, variable)`, as from
        `optimizer.compute_gradients(loss)`.
      clip_value_min, clip_value_max: scalars (or tensors) with
        `clip_value_min <= clip_value_max`, e.g. `-1.0, 1.0`.

    Returns:
      A new list of pairs; `None` gradients unchanged.

    Raises:
      ValueError: if both bounds are numbers and min > max.
    """
    what = "clipping.clip_by_value"
    pairs = _pairs(grads_and_vars, what)
    if (isinstance(clip_value_min, numbers.Real)
            and isinstance(clip_value_max, numbers.Real)
            and clip_value_min > clip_value_max):
        raise InputError(
            f"{what}: clip_value_min={clip_value_min!r} is greater than "
            f"clip_value_max={clip_value_max!r}. For a threshold t use "
            "clip_by_value(grads_and_vars, -t, t).")
    return [(None if g is None else
             v1.clip_by_value(g, clip_value_min, clip_value_max), v)
            for g, v in pairs]


def clip_by_norm(grads_and_vars, clip_norm):
    """Rescales each gradient whose L2 norm exceeds `clip_norm`.

    `g <- g * clip_norm / max(||g||_2, clip_norm)` per gradient tensor
    (`tf.clip_by_norm`): the direction is kept, but each variable's gradient
    is scaled on its own, so the overall direction can change.

    Args:
      grads_and_vars: list of `(gradient, variable)` pairs.
      clip_norm: a positive scalar (or tensor).

    Returns:
      A new list of pairs; `None` gradients unchanged.
    """
    what = "clipping.clip_by_norm"
    pairs = _pairs(grads_and_vars, what)
    _positive(clip_norm, "clip_norm", what)
    return [(None if g is None else
             v1.clip_by_norm(g, clip_norm), v)
            for g, v in pairs]


def clip_by_global_norm(grads_and_vars, clip_norm, return_norm=False):
    """Rescales all gradients together so their global norm is <= clip_norm.

    `global_norm = sqrt(sum_i ||g_i||_2**2)` over the non-None gradients;
    every gradient becomes `g_i * clip_norm / max(global_norm, clip_norm)`
    (`tf.clip_by_global_norm`): the overall direction is kept. Caveat: if a
    gradient contains inf or NaN, every gradient becomes NaN (as in TF).

    Args:
      grads_and_vars: list of `(gradient, variable)` pairs.
      clip_norm: a positive scalar (or tensor).
      return_norm: also return the global norm before clipping (a scalar
        tensor, handy for TensorBoard).

    Returns:
      A new list of pairs (`None` gradients unchanged), or
      `(pairs, global_norm)` if `return_norm`.
    """
    what = "clipping.clip_by_global_norm"
    pairs = _pairs(grads_and_vars, what)
    _positive(clip_norm, "clip_norm", what)
    grads = [g for g, _ in pairs]
    if all(g is None for g in grads):
        raise InputError(
            f"{what}: every gradient is None: the loss depends on none of "
            f"the variables {[v.name for _, v in pairs]}. Check the "
            "var_list you passed to compute_gradients.")
    clipped, norm = v1.clip_by_global_norm(grads, clip_norm)
    out = [(c, v) for c, (_, v) in zip(clipped, pairs)]
    return (out, norm) if return_norm else out
