"""Weight regularizers: contrib's l1/l2 and the chapter's max-norm.

A regularizer is a factory returning a closure `weights -> loss or None`
(pass it as `kernel_regularizer=` / `weights_regularizer=`). Layers put a
returned tensor in `tf.GraphKeys.REGULARIZATION_LOSSES` and skip `None`.

    l1_regularizer(s)(w)  = s * sum(|w|)
    l2_regularizer(s)(w)  = s * tf.nn.l2_loss(w) = s * sum(w**2) / 2
    l1_l2_regularizer(a, b)(w) = l1(a)(w) + l2(b)(w)

Caveats (all as `tf.contrib.layers` in TF 1.x):
  - `l2_regularizer(s)` is **half** the sum of squares (`tf.nn.l2_loss`):
    `s = 0.01` here equals Keras' `l2(0.005)`.
  - An integer scale raises (`l1_regularizer(0)` too: write `0.0`). A scale of
    0.0 disables the regularizer: it returns `lambda _: None`.
  - The losses do nothing until you add them to your loss:
    `tf.add_n([base_loss] + tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))`.
  - `apply_regularization(reg)` without `weights_list` reads the
    `tf.GraphKeys.WEIGHTS` collection, which neither `tf.layers.dense` nor
    `fully_connected` fills: pass the weights explicitly.

Max-norm (Srebro et al. 2005; chapter 11): after each training step clip
each weight vector to `||w||_2 <= r`. It adds no loss term. Two forms:

* `max_norm_regularizer(r, axes=1)` -- the chapter's listing: a "regularizer"
  that returns None and puts `tf.assign(w, tf.clip_by_norm(w, r, axes))` in
  the collection "max_norm"; run `tf.get_collection("max_norm")` after each
  training op.
* `max_norm(r, axes=0)` -- a `kernel_constraint=`: TF1 optimizers assign
  `w <- constraint(w)` right after each update.

Which axes? A dense kernel is `[n_inputs, n_outputs]`. `axes=0` clips each
*column*, the incoming weights of one unit -- the max-norm of the paper and
Keras' `max_norm()` default. The chapter's `axes=1` clips each *row*, the
outgoing weights of one input. We keep the chapter's default in
`max_norm_regularizer` (so book code behaves as printed) and the paper's in
`max_norm`.
"""

import numbers

from tf1_dnn._compat import v1
from tf1_dnn.errors import InputError

__all__ = ["l1_regularizer", "l2_regularizer", "l1_l2_regularizer",
           "sum_regularizer", "apply_regularization", "max_norm_regularizer",
           "max_norm"]


def _check_scale(scale, what):
    if isinstance(scale, numbers.Integral):
        raise InputError(
            f"{what} cannot be an integer: {scale!r} (as in TF 1.x). Pass a "
            f"float, e.g. {float(scale)!r}.")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise InputError(
                f"Setting a scale less than 0 on a regularizer: {scale!r}. "
                "Use a scale >= 0.0.")
        return scale == 0.0
    return False


def _scaled(fn, scale, scope, default_name):
    if _check_scale(scale, "scale"):
        return lambda _: None

    def regularizer(weights, name=None):
        with v1.name_scope(scope, default_name, [weights]) as name:
            my_scale = v1.convert_to_tensor(
                scale, dtype=weights.dtype.base_dtype, name="scale")
            return v1.multiply(my_scale, fn(weights), name=name)

    return regularizer


def l1_regularizer(scale, scope=None):
    """`tf.contrib.layers.l1_regularizer`: `scale * sum(|w|)`.

    Args:
      scale: a non-negative float (0.0 disables); an int raises ValueError.
      scope: optional name scope (default "l1_regularizer").
    """
    return _scaled(lambda w: v1.reduce_sum(v1.abs(w)), scale, scope,
                   "l1_regularizer")


def l2_regularizer(scale, scope=None):
    """`tf.contrib.layers.l2_regularizer`: `scale * tf.nn.l2_loss(w)`,
    i.e. `scale * sum(w**2) / 2` -- half the sum of squares."""
    return _scaled(v1.nn.l2_loss, scale, scope, "l2_regularizer")


def sum_regularizer(regularizer_list, scope=None):
    """The sum of several regularizers (None entries and None results are
    skipped); returns None if the list is empty after dropping Nones."""
    regularizer_list = [r for r in regularizer_list if r is not None]
    if not regularizer_list:
        return None

    def sum_reg(weights):
        with v1.name_scope(scope, "sum_regularizer", [weights]) as name:
            tensors = [t for t in (r(weights) for r in regularizer_list)
                       if t is not None]
            return v1.add_n(tensors, name=name) if tensors else None

    return sum_reg


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """`scale_l1 * sum(|w|) + scale_l2 * sum(w**2) / 2` (contrib).

    A zero scale drops that term; both zero gives `lambda _: None`.
    """
    for value, what in ((scale_l1, "scale_l1"), (scale_l2, "scale_l2")):
        if isinstance(value, numbers.Integral):
            raise InputError(
                f"{what} cannot be an integer: {value!r}. Pass a float, e.g. "
                f"{float(value)!r}.")
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.0:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.0:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1),
                            l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer, weights_list=None):
    """Sums `regularizer(w)` over `weights_list` and adds the total to
    `REGULARIZATION_LOSSES` (contrib).

    Args:
      regularizer: `w -> scalar tensor or None` (None counts as 0.0).
      weights_list: the weights; None means the `tf.GraphKeys.WEIGHTS`
        collection (empty unless you fill it).

    Returns:
      The scalar sum, named `get_regularization_penalty`.

    Raises:
      ValueError: no weights, or a regularizer returned a non-scalar.
    """
    if not weights_list:
        weights_list = v1.get_collection(v1.GraphKeys.WEIGHTS)
    if not weights_list:
        raise InputError(
            "No weights to regularize: tf.GraphKeys.WEIGHTS is empty (dense "
            "and fully_connected do not fill it). Pass weights_list=[...], "
            "e.g. tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "
            "scope='.*weights').")
    with v1.name_scope("get_regularization_penalty",
                       values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else v1.constant(0.0)
                     for p in penalties]
        for p in penalties:
            if p.shape.ndims != 0:
                raise InputError(
                    "regularizer must return a scalar Tensor instead of a "
                    f"Tensor with rank {p.shape.ndims}.")
        total = v1.add_n(penalties, name=scope)
        v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, total)
        return total


def _check_threshold(threshold, what):
    if isinstance(threshold, numbers.Real) and not threshold > 0:
        raise InputError(
            f"{what}: threshold (the max norm r) must be > 0, got "
            f"{threshold!r}; typical values are 1.0 to 4.0.")


def max_norm_regularizer(threshold, axes=1, name="max_norm",
                         collection="max_norm"):
    """The chapter's max-norm "regularizer" (returns no loss).

    Calling it on a weight variable adds
    `tf.assign(w, tf.clip_by_norm(w, clip_norm=threshold, axes=axes),
    name=name)` to `collection` and returns None. Run the clip ops after
    each training step::

        max_norm_reg = max_norm_regularizer(threshold=1.0)
        hidden1 = tf.layers.dense(X, 300, kernel_regularizer=max_norm_reg)
        clip_all_weights = tf.get_collection("max_norm")
        ...
        sess.run(training_op, feed_dict=...)
        sess.run(clip_all_weights)

    Caveats:
      - `axes=1` (the chapter's default) clips each *row* of a
        `[n_inputs, n_outputs]` kernel; the paper's max-norm (one bound per
        unit's incoming weights) is `axes=0`.
      - Nothing happens unless you run the ops in the collection.
      - Native `tf.get_variable(..., regularizer=...)` on TF 2.x first
        calls the regularizer outside the `<var>/Regularizer/` name scope
        (to test for None), so the clip op is named `max_norm` instead of
        `<var>/Regularizer/max_norm`; a loss-returning regularizer is even
        built twice there. `tf1_dnn` layers call it once, in the TF 1.x
        name scope.
    """
    _check_threshold(threshold, "max_norm_regularizer")

    def max_norm_fn(weights):
        clipped = v1.clip_by_norm(weights, clip_norm=threshold, axes=axes)
        clip_weights = v1.assign(weights, clipped, name=name)
        v1.add_to_collection(collection, clip_weights)
        return None  # there is no regularization loss term

    return max_norm_fn


def max_norm(threshold, axes=0):
    """Max-norm as a constraint: `kernel_constraint=max_norm(1.0)`.

    Returns `w -> tf.clip_by_norm(w, threshold, axes=axes)`. TF 1.x
    optimizers (`minimize` / `apply_gradients`) assign the constrained value
    right after each variable update, so no extra op has to be run.
    `axes=0` bounds the incoming weight vector of each unit of a
    `[n_inputs, n_outputs]` kernel (Keras' default); use `axes=[0, 1, 2]`
    for a conv kernel `[h, w, in, out]`.
    """
    _check_threshold(threshold, "max_norm")

    def constraint(weights):
        return v1.clip_by_norm(weights, clip_norm=threshold, axes=axes)

    return constraint

