"""MNIST sources on bad input: a path the user named is used or refused,
never silently replaced by Fashion-MNIST; out-of-range labels are named."""

import errno
import os

import numpy as np
import pytest

from tests.test_bad_input_checkpoints import _digests
from tests.test_datasets import _idx_bytes, _write, make_folder
from tf1_dnn import errors
from tf1_dnn.datasets import load_data, read_data_sets, sources


@pytest.fixture
def tiny(tmp_path):
    folder = tmp_path / "mnist"
    make_folder(folder)
    return folder


@pytest.fixture
def no_other_sources(monkeypatch, tmp_path):
    """No env var and no Keras cache: only the given path or the default."""
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "no_keras"))


@pytest.mark.parametrize("reader", ["load_data", "read_data_sets"])
def test_label_value_10_is_refused(tiny, no_other_sources, reader):
    labels = np.arange(20) % 10
    labels[13] = 10
    os.remove(tiny / "train-labels-idx1-ubyte.gz")
    _write(tiny / "train-labels-idx1-ubyte", _idx_bytes(labels, 2049), True)
    before = _digests(tiny)
    call = (lambda: load_data(str(tiny))) if reader == "load_data" else \
        (lambda: read_data_sets(str(tiny), one_hot=True, validation_size=2))
    with pytest.raises(errors.IdxError) as info:
        call()
    msg = str(info.value)
    assert "train-labels-idx1-ubyte.gz: 1 label(s) out of range for the 10 " \
        "classes (0-9): value 10 at index 13" in msg
    assert _digests(tiny) == before


def test_path_of_an_idx_file_is_refused(tiny, no_other_sources):
    path = str(tiny / "train-images-idx3-ubyte.gz")
    with pytest.raises(errors.MissingDataError) as info:
        load_data(path)
    msg = str(info.value)
    assert f"train_dir {path!r} is a file, not a folder" in msg
    assert f"({str(tiny)!r})" in msg  # the folder to pass instead


def test_env_var_naming_an_idx_file_is_refused(tiny, monkeypatch):
    path = str(tiny / "t10k-labels-idx1-ubyte")
    monkeypatch.setenv(sources.ENV_VAR, path)
    with pytest.raises(errors.MissingDataError,
                       match=r"\$TF1_DNN_MNIST_DIR .* is a file, not a folder"):
        sources.find_source(None)


def test_unreadable_folder_is_refused(tiny, no_other_sources, monkeypatch):
    real = os.listdir

    def listdir(path="."):
        if os.fspath(path) == str(tiny):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path)

    monkeypatch.setattr(sources.os, "listdir", listdir)
    with pytest.raises(errors.MissingDataError) as info:
        read_data_sets(str(tiny))
    msg = str(info.value)
    assert "cannot be read (Permission denied)" in msg
    assert "not replaced by another dataset" in msg


def test_unreadable_idx_file_is_named(tiny, no_other_sources, monkeypatch):
    from tf1_dnn.datasets import idx
    target = str(tiny / "t10k-images-idx3-ubyte")

    def read_idx(path, **kwargs):
        if path == target:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return idx.read_idx(path, **kwargs)

    monkeypatch.setattr(sources, "read_idx", read_idx)
    with pytest.raises(errors.IdxError,
                       match="t10k-images-idx3-ubyte: cannot be read "
                       r"\(Permission denied\)"):
        load_data(str(tiny))


def test_folder_with_spaces_works(tmp_path, no_other_sources):
    folder = tmp_path / "my data" / "mnist files"
    make_folder(folder)
    (X_train, y_train), (X_test, y_test) = load_data(str(folder))
    assert X_train.shape == (20, 28, 28) and y_test.tolist() == [0, 1, 2, 3,
                                                                  4, 5]
