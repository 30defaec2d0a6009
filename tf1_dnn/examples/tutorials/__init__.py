"""TF1's `tensorflow.examples.tutorials` (only `mnist`)."""

from tf1_dnn.examples.tutorials import mnist  # noqa: F401
