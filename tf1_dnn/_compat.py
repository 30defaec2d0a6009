"""The one module of tf1_dnn that imports TensorFlow.

Every other module takes TensorFlow from here::

    from tf1_dnn._compat import v1      # tf.compat.v1
    from tf1_dnn._compat import tf2     # the top-level `tensorflow` package

Importing this module changes nothing global. Only `enable_tf1_behaviour()`
does, and only `tf1_dnn.tf` (the TF1 namespace) calls it on import.

Nothing here, or anywhere in tf1_dnn, imports the private
`tensorflow.python.*` modules: those moved between releases, which is what
broke tf-slim 1.1 on TensorFlow 2.21.
"""

import tensorflow as tf2

v1 = tf2.compat.v1

__all__ = ["tf2", "v1", "enable_tf1_behaviour", "tf1_behaviour_enabled",
           "require_graph", "GraphModeRequiredError"]

_ENABLED = False


from tf1_dnn.errors import GraphModeRequiredError  # noqa: E402


def enable_tf1_behaviour():
    """Switches this process to TensorFlow 1.x behaviour (idempotent).

    Equivalent to `tf.compat.v1.disable_v2_behavior()`: graph mode (no eager
    execution), reference variables as TF 1.x made them (`Variable/Assign`
    ops, not resource handles), v1 control flow (`Switch`/`Merge`), v1
    `TensorShape` (dimensions are `Dimension` objects with `.value`) and
    tensors hashable by identity. It works whether or not `tensorflow` was
    imported before, and needs no environment variable. Keras is not touched:
    `tf.keras` stays whatever it was (Keras 3 on a fresh install).
    """
    global _ENABLED
    if not _ENABLED:
        v1.disable_v2_behavior()
        _ENABLED = True


def tf1_behaviour_enabled():
    """True once `enable_tf1_behaviour()` ran in this process."""
    return _ENABLED


def require_graph(what):
    """Raises `GraphModeRequiredError` if eager execution is on.

    Args:
      what: the name of the API being called, e.g. "tf1_dnn.layers.dense".
    """
    if tf2.executing_eagerly():
        raise GraphModeRequiredError(
            f"{what} builds a TF1 graph, but eager execution is on (the "
            "TensorFlow 2 default). Either use `from tf1_dnn import tf`, which "
            "switches the process to TF1 graph mode, or call "
            "`tf.compat.v1.disable_eager_execution()` at the start of your "
            "program, or build inside `with tf.Graph().as_default():`.")
