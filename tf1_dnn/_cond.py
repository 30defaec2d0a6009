"""Graph-time branching on a `training` flag that may be a Python bool or a
boolean tensor, as TF 1.x layers did (`smart_cond`)."""

from tf1_dnn._compat import tf2, v1

__all__ = ["smart_cond", "static_bool"]


def static_bool(pred):
    """True/False if `pred` is known when the graph is built, else None.

    A Python bool is itself, `None` counts as False (TF 1.x layers' default
    `training=False`), and a tensor is resolved with `tf.get_static_value`
    (a placeholder, even `placeholder_with_default`, is not static).
    """
    if isinstance(pred, bool):
        return pred
    if pred is None:
        return False
    value = tf2.get_static_value(pred)
    return None if value is None else bool(value)


def smart_cond(pred, true_fn, false_fn, name=None):
    """`true_fn()` or `false_fn()` when `pred` is static, else `tf.cond`."""
    static = static_bool(pred)
    if static is None:
        return v1.cond(pred, true_fn, false_fn, name=name)
    return true_fn() if static else false_fn()
