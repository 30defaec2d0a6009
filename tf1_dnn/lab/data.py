"""The lab's data: the default MNIST-format source, split as `input_data` does."""

import os

import numpy as np

from tf1_dnn.lab.errors import LabDataError
from tf1_dnn.lab.settings import N_INPUTS, VALIDATION_SIZE

__all__ = ["load_lab_data", "standardized"]


def load_lab_data(settings, data_dir=None):
    """The lab's data as float32 [0, 1] rows of 784 pixels, int64 labels.

    Returns (data, description): data is a dict with X_train, y_train,
    X_valid, y_valid, X_test, y_test. Validation is the first 5 000 training
    images (as `input_data`); `--quick` keeps the first n of each split.

    The source is `tf1_dnn.datasets`' order (`data_dir`, $TF1_DNN_MNIST_DIR,
    ~/.keras/datasets/mnist.npz, then the built-in default, Debian's
    Fashion-MNIST) but never a download: the lab does not touch the network.
    """
    from tf1_dnn.datasets import sources
    source = sources.find_source(data_dir, allow_download=False)
    if data_dir is not None and (os.path.realpath(source.location)
                                 != os.path.realpath(data_dir)):
        # find_source falls through to the next source; the lab must not
        # silently train on other data than the one asked for.
        raise LabDataError(
            f"--data {data_dir} holds no MNIST-format data: it must be a "
            "folder with the four IDX files (train-images-idx3-ubyte[.gz], "
            "train-labels-idx1-ubyte[.gz], t10k-...) or an mnist.npz file. "
            "Leave --data out to use the built-in default.")
    X_train_full, y_train_full, X_test, y_test = sources.load_arrays(source)

    def prepare(X, y, n):
        X = np.asarray(X)[:n].reshape(-1, N_INPUTS).astype(np.float32) / 255.0
        return X, np.asarray(y)[:n].astype(np.int64)

    X_valid, y_valid = prepare(X_train_full[:VALIDATION_SIZE],
                               y_train_full[:VALIDATION_SIZE], settings.n_valid)
    X_train, y_train = prepare(X_train_full[VALIDATION_SIZE:],
                               y_train_full[VALIDATION_SIZE:], settings.n_train)
    X_test, y_test = prepare(X_test, y_test, settings.n_test)
    data = dict(X_train=X_train, y_train=y_train, X_valid=X_valid,
                y_valid=y_valid, X_test=X_test, y_test=y_test)
    return data, source.describe()


def standardized(data):
    """Inputs scaled to mean 0 / std 1 with the training statistics (SELU)."""
    means = data["X_train"].mean(axis=0, keepdims=True)
    stds = data["X_train"].std(axis=0, keepdims=True) + 1e-10
    out = dict(data)
    for split in ("X_train", "X_valid", "X_test"):
        out[split] = ((data[split] - means) / stds).astype(np.float32)
    return out
