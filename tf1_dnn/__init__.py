"""tf1_dnn: the "Training Deep Neural Nets" chapter (Hands-On Machine Learning,
1st edition, chapter 11) as TensorFlow 1.x graph-mode code that runs on
TensorFlow 2.21 with Keras 3 installed.

Two ways in:

* `from tf1_dnn import tf` -- a TF 1.x namespace (everything `tf.compat.v1`
  has, plus `tf.layers`, `tf.contrib.*` and
  `tf.examples.tutorials.mnist.input_data`). Importing it switches the process
  to TF1 behaviour (graph mode, reference variables); see `tf1_dnn.tf`.
* `from tf1_dnn import layers` (and the other submodules) -- plain functions on
  core `tf.compat.v1` ops, for your own `tf.compat.v1` code. Importing these
  changes nothing global.

And for legacy code left as it is (`import tensorflow as tf` unchanged):

* `tf1_dnn.activate()` / `deactivate()` / `with tf1_dnn.activated():` --
  later `import tensorflow` gets the TF1 namespace (see `tf1_dnn.activation`);
* `%load_ext tf1_dnn` in IPython/Jupyter does the same (`tf1_dnn.ipython`);
* `python -m tf1_dnn kernel install`, `python -m tf1_dnn notebook run`,
  `pytest -p tf1_dnn.pytest_plugin` (see docs/notebooks.md).

Importing `tf1_dnn` itself imports no TensorFlow and changes nothing.
"""

import importlib

__version__ = "0.1.0"


def activate(legacy_numpy=True, strict=False, warn=True):
    """`import tensorflow` gives the TF 1.x namespace from now on; see
    `tf1_dnn.activation.activate`."""
    from tf1_dnn import activation
    return activation.activate(legacy_numpy=legacy_numpy, strict=strict,
                               warn=warn)


def deactivate():
    """Undoes `activate()`; see `tf1_dnn.activation.deactivate`."""
    from tf1_dnn import activation
    activation.deactivate()


def activated(legacy_numpy=True, strict=False, warn=True):
    """`with tf1_dnn.activated(): ...`; see `tf1_dnn.activation.activated`."""
    from tf1_dnn import activation
    return activation.activated(legacy_numpy=legacy_numpy, strict=strict,
                                warn=warn)


def load_ipython_extension(ipython):
    """`%load_ext tf1_dnn`: calls `activate()`; see `tf1_dnn.ipython`."""
    from tf1_dnn import ipython as extension
    extension.load_ipython_extension(ipython)


def unload_ipython_extension(ipython):
    """`%unload_ext tf1_dnn`: calls `deactivate()`."""
    from tf1_dnn import ipython as extension
    extension.unload_ipython_extension(ipython)


def __getattr__(name):
    # Lazy submodules: `import tf1_dnn; tf1_dnn.layers` works without importing
    # every module (and without switching behaviour) up front.
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as e:
        if e.name == f"{__name__}.{name}":
            raise AttributeError(
                f"module 'tf1_dnn' has no attribute {name!r}") from None
        raise
