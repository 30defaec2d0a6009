"""MNIST-format data: TF1's `read_data_sets` and a Keras-style `load_data`.

    from tf1_dnn.datasets import load_data, read_data_sets
    (X_train, y_train), (X_test, y_test) = load_data()   # uint8 (N, 28, 28)
    mnist = read_data_sets("/tmp/data/")                 # TF1 DataSets

Sources, in order (see `tf1_dnn.datasets.sources`): the folder you give,
$TF1_DNN_MNIST_DIR, ~/.keras/datasets/mnist.npz, a checksummed download from
the MNIST mirrors (skipped when offline), then Debian's Fashion-MNIST
(/usr/share/datasets/fashion-mnist) -- announced on stderr, because it is
Fashion-MNIST, not MNIST. Importing this package changes nothing global
(constructing a `DataSet` reseeds numpy's RNG, as TF1 did: see `mnist`).
"""

from tf1_dnn.datasets.fetch import DownloadError, download
from tf1_dnn.datasets.idx import IdxError, read_idx, write_idx
from tf1_dnn.datasets.mnist import (DEFAULT_SOURCE_URL, DataSet, Datasets,
                                    dense_to_one_hot, extract_images,
                                    extract_labels, load_data, load_mnist,
                                    read_data_sets)
from tf1_dnn.datasets.sources import MissingDataError, Source, find_source

__all__ = ["read_data_sets", "load_data", "DataSet", "Datasets",
           "dense_to_one_hot", "extract_images", "extract_labels",
           "load_mnist", "DEFAULT_SOURCE_URL", "read_idx", "write_idx",
           "IdxError", "MissingDataError", "Source", "find_source",
           "download", "DownloadError"]
