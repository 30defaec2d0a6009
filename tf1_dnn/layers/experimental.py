"""`tf.layers.experimental`: TF 1.15's `keras_style_scope` and `set_keras_style`.

In TF 1.15 these switched `tf.layers` to Keras-style layers (variables
tracked per object, `reuse` and variable scopes ignored). tf1_dnn's layers are
written on `tf.compat.v1` ops without Keras, so they only have the TF 1.x
style: both functions exist, so that code importing them loads, and raise
`KerasStyleUnsupportedError` when called, saying what to do instead.
"""

import contextlib

from tf1_dnn.errors import Tf1DnnError

__all__ = ["keras_style_scope", "set_keras_style",
           "KerasStyleUnsupportedError"]


class KerasStyleUnsupportedError(Tf1DnnError, NotImplementedError):
    """Raised by `keras_style_scope` and `set_keras_style`."""


_MESSAGE = (
    "tf.layers.experimental.{name}() switches TF 1.15's tf.layers to Keras-"
    "style layers; tf1_dnn's tf.layers only have the TF 1.x style (variable "
    "scopes and `reuse`). Remove the call and share variables with "
    "`reuse=True` / `tf.variable_scope(..., reuse=tf.AUTO_REUSE)`, or use "
    "tf.keras layers directly for Keras-style code.")


@contextlib.contextmanager
def keras_style_scope():
    """TF 1.15's Keras-style scope: unsupported, raises on entry."""
    raise KerasStyleUnsupportedError(_MESSAGE.format(name="keras_style_scope"))
    yield  # pragma: no cover


def set_keras_style():
    """TF 1.15's global Keras-style switch: unsupported, raises."""
    raise KerasStyleUnsupportedError(_MESSAGE.format(name="set_keras_style"))
