"""The lab's data: the default MNIST-format source, split as `input_data` does."""

import os

import numpy as np

from tf1_dnn.lab.errors import LabDataError
from tf1_dnn.lab.settings import N_INPUTS, VALIDATION_SIZE

__all__ = ["load_lab_data", "cached_lab_data", "validation_size",
           "standardized"]

# (data_dir, n_train, n_valid, n_test) -> (data, description): one load per
# process, so a Dask worker reads and decodes the files once for all tasks.
_CACHE = {}
LOADS = {"count": 0}  # how many times this process loaded from disk


def validation_size(n_images):
    """How many of `n_images` training-file images become the validation set.

    `input_data`'s 5 000 when the file is large enough (MNIST's 60 000), else
    1/11 of the file (5 000 / 55 000, the same share) and at least one image.
    A smaller file used to leave *no* training image ("number sections must
    be larger than 0").
    """
    return max(1, min(VALIDATION_SIZE, n_images // 11))


def load_lab_data(settings, data_dir=None):
    """The lab's data as float32 [0, 1] rows of 784 pixels, int64 labels.

    Returns (data, description): data is a dict with X_train, y_train,
    X_valid, y_valid, X_test, y_test. Validation is the first 5 000 training
    images (as `input_data`; 1/11 of a training file of fewer than 55 000
    images, see `validation_size`); `--quick` and `--train-size` keep the
    first n of each split.

    Raises:
      LabDataError: `data_dir` holds no MNIST-format data, or its training
        file has fewer than 2 images (nothing to split).

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
    LOADS["count"] += 1
    n_full = len(X_train_full)
    if n_full < 2 or len(X_test) < 1:
        raise LabDataError(
            f"{source.describe()} has {n_full} training and {len(X_test)} "
            "test images: the lab needs at least 2 training images (one for "
            "validation) and 1 test image. Pass a folder with more data to "
            "--data.")
    n_valid = validation_size(n_full)

    def prepare(X, y, n):
        X = np.asarray(X)[:n].reshape(-1, N_INPUTS).astype(np.float32) / 255.0
        return X, np.asarray(y)[:n].astype(np.int64)

    X_valid, y_valid = prepare(X_train_full[:n_valid],
                               y_train_full[:n_valid], settings.n_valid)
    X_train, y_train = prepare(X_train_full[n_valid:],
                               y_train_full[n_valid:], settings.n_train)
    X_test, y_test = prepare(X_test, y_test, settings.n_test)
    data = dict(X_train=X_train, y_train=y_train, X_valid=X_valid,
                y_valid=y_valid, X_test=X_test, y_test=y_test)
    return data, source.describe()


def cached_lab_data(settings, data_dir=None):
    """`load_lab_data`, loaded once per process for the same data and sizes.

    The arrays are shared between callers: treat them as read-only.
    """
    key = (None if data_dir is None else os.path.realpath(data_dir),
           settings.n_train, settings.n_valid, settings.n_test)
    if key not in _CACHE:
        _CACHE[key] = load_lab_data(settings, data_dir)
    return _CACHE[key]


def standardized(data):
    """Inputs scaled to mean 0 / std 1 with the training statistics (SELU)."""
    means = data["X_train"].mean(axis=0, keepdims=True)
    stds = data["X_train"].std(axis=0, keepdims=True) + 1e-10
    out = dict(data)
    for split in ("X_train", "X_valid", "X_test"):
        out[split] = ((data[split] - means) / stds).astype(np.float32)
    return out
