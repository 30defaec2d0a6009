"""TF1's `tensorflow.examples` (only `tutorials.mnist.input_data`)."""

from tf1_dnn.examples import tutorials  # noqa: F401  (tf.examples.tutorials)
