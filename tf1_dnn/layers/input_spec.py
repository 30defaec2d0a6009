"""`InputSpec`: TF 1.x `tf.layers.InputSpec`, the rank/dtype/axes a layer accepts.

TF 1.15's layers set `layer.input_spec` after `build` (for example
`InputSpec(ndim=4, axes={-1: 3})` for a `Conv2D` on 3-channel NHWC images);
user code reads it, and custom `tf.layers.Layer` subclasses set it. tf1_dnn's
layers check their inputs themselves (raising `InputError` with the fix) and
set `input_spec` for code that inspects it.
"""

from tf1_dnn._compat import v1

__all__ = ["InputSpec"]


class InputSpec:
    """Specifies the rank, dtype and shape of every input to a layer.

    Args:
      dtype: expected dtype of the input (stored as its name, e.g. 'float32').
      shape: expected shape (a tuple; None entries match any size).
      ndim: expected rank (set from `shape` when `shape` is given).
      max_ndim, min_ndim: bounds on the rank.
      axes: dict mapping integer axes to the size they must have.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None,
                 min_ndim=None, axes=None):
        self.dtype = v1.as_dtype(dtype).name if dtype is not None else None
        if shape is not None and v1.TensorShape(shape).ndims is not None:
            self.shape = tuple(v1.TensorShape(shape).as_list())
            self.ndim = len(self.shape)
        else:
            self.shape = None
            self.ndim = ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        try:
            self.axes = {int(k): v for k, v in (axes or {}).items()}
        except (AttributeError, ValueError, TypeError):
            raise TypeError(
                f"InputSpec: axes must be a dict with integer keys, got "
                f"{axes!r}.") from None

    def __repr__(self):
        spec = [f"dtype={self.dtype}" if self.dtype else "",
                f"shape={self.shape}" if self.shape else "",
                f"ndim={self.ndim}" if self.ndim else "",
                f"max_ndim={self.max_ndim}" if self.max_ndim else "",
                f"min_ndim={self.min_ndim}" if self.min_ndim else "",
                f"axes={self.axes}" if self.axes else ""]
        return f"InputSpec({', '.join(x for x in spec if x)})"
