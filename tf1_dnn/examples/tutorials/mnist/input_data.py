"""TF1's `tensorflow.examples.tutorials.mnist.input_data`.

    from tf1_dnn.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets("/tmp/data/")

Re-exports `tf1_dnn.datasets.mnist` (TF1's file re-exported
`tensorflow.contrib.learn.python.learn.datasets.mnist` the same way). See
that module for the sources (Debian's Fashion-MNIST is the built-in default)
and for the TF1 pitfalls we keep.
"""

from tf1_dnn.datasets.mnist import (DEFAULT_SOURCE_URL, DataSet, Datasets,
                                    dense_to_one_hot, extract_images,
                                    extract_labels, load_mnist,
                                    read_data_sets)

__all__ = ["read_data_sets", "DataSet", "Datasets", "dense_to_one_hot",
           "extract_images", "extract_labels", "load_mnist",
           "DEFAULT_SOURCE_URL"]
