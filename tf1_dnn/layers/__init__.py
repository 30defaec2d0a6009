"""TF 1.x `tf.layers` on core `tf.compat.v1` ops (no Keras).

Importing this package changes nothing global: use it inside your own
`tf.compat.v1` graph code, or through `from tf1_dnn import tf` as `tf.layers`.
"""

from tf1_dnn.layers.base import InputError, Layer
from tf1_dnn.layers.core import (Dense, Dropout, Flatten, dense, dropout,
                                 flatten)
from tf1_dnn.layers.normalization import (BatchNormalization,
                                          batch_normalization)

__all__ = ["Layer", "InputError", "Dense", "dense", "Dropout", "dropout",
           "Flatten", "flatten", "BatchNormalization", "batch_normalization"]
