"""`tf.contrib.nn.alpha_dropout`: dropout that keeps SELU's self-normalization.

    x' = x * mask + alpha_p * (1 - mask)   mask ~ Bernoulli(keep_prob)
    y  = a * x' + b
    alpha_p = -scale * alpha = -1.7580993408473766   (SELU's negative limit)
    a = (q + q * (1 - q) * alpha_p**2) ** -0.5,  b = -a * alpha_p * (1 - q)

with q = keep_prob. For inputs of mean 0 and variance 1 (SELU activations)
the output again has mean 0 and variance 1 (Klambauer et al. 2017).

Caveats (as TF 1.x contrib):
  - There is no `training` argument: it always drops. Wrap it yourself,
    e.g. `tf.cond(training, lambda: alpha_dropout(x, 0.9), lambda: x)`.
  - Dropped units are set to alpha_p, not 0, before the affine correction.
  - `keep_prob` known to be 1 returns `x` unchanged.
"""

import numbers

from tf1_dnn._compat import tf2, v1
from tf1_dnn.errors import InputError

__all__ = ["alpha_dropout", "ALPHA_P"]

ALPHA_P = -1.7580993408473766


def alpha_dropout(x, keep_prob, noise_shape=None, seed=None, name=None):
    """Alpha dropout (see the module docstring for the formula).

    Args:
      x: float tensor (SELU activations).
      keep_prob: scalar float in (0, 1] or scalar tensor.
      noise_shape: 1-D int tensor, shape of the random keep/drop mask.
      seed: Python int, op-level seed.
      name: name scope (default "alpha_dropout").

    Raises:
      ValueError: a numeric keep_prob outside (0, 1], or a non-scalar one.
    """
    with v1.name_scope(name, "alpha_dropout", [x]) as name:
        x = v1.convert_to_tensor(x, name="x")
        if isinstance(keep_prob, numbers.Real) and not 0 < keep_prob <= 1.0:
            raise InputError(
                "keep_prob must be a scalar tensor or a float in the range "
                f"(0, 1], got {keep_prob!r} (the fraction of units to KEEP).")
        keep_prob = v1.convert_to_tensor(keep_prob, dtype=x.dtype,
                                         name="keep_prob")
        if keep_prob.shape.ndims not in (None, 0):
            raise InputError(
                f"keep_prob must be a scalar, got shape {keep_prob.shape}.")
        if tf2.get_static_value(keep_prob) == 1:
            return x
        noise_shape = noise_shape if noise_shape is not None else v1.shape(x)
        random_tensor = v1.random_uniform(noise_shape, seed=seed,
                                          dtype=x.dtype)
        kept = v1.cast(v1.greater_equal(random_tensor, 1 - keep_prob),
                       x.dtype)
        x = x * kept + ALPHA_P * (1 - kept)
        a = (keep_prob + keep_prob * (1 - keep_prob) * ALPHA_P ** 2) ** -0.5
        b = -a * ALPHA_P * (1 - keep_prob)
        return v1.add(a * x, b, name=name)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    from tf1_dnn.contrib import _missing
    raise _missing("nn", name)
