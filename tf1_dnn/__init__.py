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

Importing `tf1_dnn` itself imports no TensorFlow and changes nothing.
"""

import importlib

__version__ = "0.1.0"


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
