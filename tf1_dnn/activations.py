"""Non-saturating activations of chapter 11: leaky ReLU, RReLU, PReLU, ELU, SELU.

    leaky_relu(z) = max(alpha * z, z)                    (alpha = 0.01)
    rrelu(z)      = z if z >= 0 else a * z,  a ~ U(lower, upper) in training,
                    a = (lower + upper) / 2 at test time  (Xu et al. 2015)
    prelu(z)      = z if z >= 0 else alpha * z, alpha a trainable variable
                    per unit                               (He et al. 2015)
    elu(z)        = z if z > 0 else alpha * (exp(z) - 1)   (Clevert et al. 2015)
    selu(z)       = scale * elu(z, alpha)   with the constants below
                                                           (Klambauer et al. 2017)

Caveats:
  - Native `tf.nn.leaky_relu(z)` defaults to **alpha = 0.2**; the chapter's
    `leaky_relu` (here) defaults to 0.01.
  - SELU only self-normalizes with LeCun-normal weights
    (`tf.variance_scaling_initializer()` no-arg, or `initializers.lecun_normal`),
    standardized inputs and a plain stack of dense layers; use
    `tf.contrib.nn.alpha_dropout`, not ordinary dropout, with it.
  - `rrelu` defaults to test mode (`training=False`), like `tf.layers.dropout`.
"""

from tf1_dnn._compat import v1
from tf1_dnn._cond import smart_cond as _smart_cond
from tf1_dnn.errors import InputError

__all__ = ["leaky_relu", "elu", "selu", "SELU_ALPHA", "SELU_SCALE", "rrelu",
           "prelu"]

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def leaky_relu(z, alpha=0.01, name=None):
    """The chapter's leaky ReLU: `tf.maximum(alpha * z, z, name=name)`.

    Pass as `activation=leaky_relu`. Valid for 0 <= alpha <= 1.
    """
    return v1.maximum(alpha * z, z, name=name)


def elu(z, alpha=1.0, name=None):
    """ELU: `z` for z > 0, `alpha * (exp(z) - 1)` otherwise.

    With alpha = 1.0 this is the native `tf.nn.elu` (op `Elu`).
    """
    if isinstance(alpha, (int, float)) and alpha == 1.0:
        return v1.nn.elu(z, name=name)
    with v1.name_scope(name, "elu", [z]) as scope:
        z = v1.convert_to_tensor(z)
        return v1.where(z > 0.0, z, alpha * v1.nn.elu(z), name=scope)


def selu(z, scale=SELU_SCALE, alpha=SELU_ALPHA, name=None):
    """SELU as the chapter wrote it:
    `scale * tf.where(z >= 0, z, alpha * tf.nn.elu(z))`.

    Same values as the native `tf.nn.selu` (which fixes the constants).
    Self-normalizing: with LeCun-normal weights, the activations of a deep
    dense stack keep mean ~0 and standard deviation ~1.
    """
    with v1.name_scope(name, "selu", [z]) as scope:
        z = v1.convert_to_tensor(z)
        return v1.multiply(scale, v1.where(z >= 0.0, z, alpha * v1.nn.elu(z)),
                           name=scope)


def rrelu(z, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, seed=None,
          name=None):
    """Randomized leaky ReLU.

    Training: each element's negative slope is drawn from U(lower, upper)
    (fresh at every run). Test: the fixed mean slope `(lower + upper) / 2`.

    Args:
      z: input tensor.
      lower, upper: slope range, 0 <= lower <= upper (paper: 1/8, 1/3).
      training: Python bool or boolean tensor (e.g. a
        `tf.placeholder_with_default(False, shape=())`).
      seed: Python int, op-level seed.
      name: op name scope (default "rrelu").
    """
    if not 0.0 <= lower <= upper:
        raise InputError(
            f"rrelu needs 0 <= lower <= upper, got lower={lower!r}, "
            f"upper={upper!r} (slopes of the negative part, e.g. 1/8 and 1/3).")
    with v1.name_scope(name, "rrelu", [z]) as scope:
        z = v1.convert_to_tensor(z)

        def random_slope():
            return v1.random_uniform(v1.shape(z), lower, upper,
                                     dtype=z.dtype, seed=seed)

        def mean_slope():
            return v1.constant((lower + upper) / 2.0, dtype=z.dtype)

        slope = _smart_cond(training, random_slope, mean_slope)
        return v1.where(z >= 0.0, z, slope * z, name=scope)


def prelu(z, alpha_initializer=None, name=None, reuse=None):
    """Parametric leaky ReLU: a trainable slope `alpha` per unit (last axis).

    The variable is `<scope>/alpha`, shape `[units]`, initialized to 0.25 (He
    et al. 2015; Keras' PReLU starts at 0). The scope is:

    * `name` if given: `prelu(hidden, name="hidden1")` -> `hidden1/alpha`
      (re-entering the dense layer's variable scope is fine);
    * else the current variable scope, so
      `tf.layers.dense(X, 100, activation=prelu, name="hidden1")` makes
      `hidden1/alpha`;
    * else, at top level, a fresh "prelu", "prelu_1", ...

    Args:
      z: input with a known last dimension.
      alpha_initializer: default `tf.constant_initializer(0.25)`.
      name: variable scope name.
      reuse: passed to `tf.variable_scope(name, reuse=reuse)`.
    """
    z = v1.convert_to_tensor(z)
    units = v1.dimension_value(z.shape[-1]) if z.shape.ndims else None
    if units is None:
        raise InputError(
            f"prelu needs a known last dimension to create one alpha per unit; "
            f"got shape {z.shape}. Give the input a static last dimension.")
    if alpha_initializer is None:
        alpha_initializer = v1.constant_initializer(0.25)

    def build():
        alpha = v1.get_variable("alpha", shape=[units], dtype=z.dtype.base_dtype,
                                initializer=alpha_initializer)
        return v1.where(z >= 0.0, z, alpha * z, name="prelu")

    if name is not None:
        with v1.variable_scope(name, reuse=reuse):
            return build()
    if v1.get_variable_scope().name:
        return build()
    with v1.variable_scope(None, default_name="prelu", reuse=reuse):
        return build()

