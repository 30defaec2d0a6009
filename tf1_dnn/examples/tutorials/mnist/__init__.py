"""TF1's `tensorflow.examples.tutorials.mnist` (only `input_data`)."""

from tf1_dnn.examples.tutorials.mnist import input_data  # noqa: F401
