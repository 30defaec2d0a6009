"""tf1_dnn.datasets: the IDX reader, TF1's read_data_sets / DataSet, load_data.

The tiny IDX folders are written here with `struct` + `gzip` (not with our
`write_idx`), so the reader is checked against an independent writer.
Expected batches are recomputed with a numpy RandomState, following TF1's
documented next_batch algorithm.
"""

import gzip
import os
import struct

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.datasets import (DataSet, IdxError, MissingDataError, load_data,
                              read_data_sets, read_idx, sources, write_idx)
from tf1_dnn.datasets import mnist as mnist_module

ROWS = COLS = 28


def _idx_bytes(array, magic):
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">I", magic) + b"".join(
        struct.pack(">I", n) for n in array.shape)
    return header + array.tobytes()


def _write(path, payload, gz):
    path = str(path) + (".gz" if gz else "")
    with open(path, "wb") as f:
        f.write(gzip.compress(payload) if gz else payload)
    return path


def make_folder(folder, n_train=20, n_test=6, gz=(True, True, False, False)):
    """Four IDX files; image i is filled with value i (ids survive shuffles).

    Labels are i % 10. `gz` says which of the four files are gzipped.
    """
    os.makedirs(folder, exist_ok=True)
    train = np.arange(n_train, dtype=np.uint8)[:, None, None] * np.ones(
        (1, ROWS, COLS), np.uint8)
    test = (100 + np.arange(n_test, dtype=np.uint8))[:, None, None] * np.ones(
        (1, ROWS, COLS), np.uint8)
    specs = [("train-images-idx3-ubyte", train, 2051),
             ("train-labels-idx1-ubyte", np.arange(n_train) % 10, 2049),
             ("t10k-images-idx3-ubyte", test, 2051),
             ("t10k-labels-idx1-ubyte", np.arange(n_test) % 10, 2049)]
    paths = {}
    for (name, array, magic), zipped in zip(specs, gz):
        paths[name] = _write(os.path.join(folder, name),
                             _idx_bytes(array, magic), zipped)
    return paths


@pytest.fixture
def tiny(tmp_path):
    folder = tmp_path / "mnist"
    make_folder(folder)
    return folder


@pytest.fixture
def no_other_sources(monkeypatch, tmp_path):
    """No env var and no Keras cache, so only train_dir or the default count."""
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "no_keras"))


# --- IDX reader -------------------------------------------------------------

def test_read_idx_gzip_and_raw_give_the_same_array(tmp_path, rng):
    a = rng.randint(0, 256, size=(3, 5, 4)).astype(np.uint8)
    gz = _write(tmp_path / "a", _idx_bytes(a, 2051), gz=True)
    raw = _write(tmp_path / "b", _idx_bytes(a, 2051), gz=False)
    np.testing.assert_array_equal(read_idx(gz, expected_magic=2051), a)
    np.testing.assert_array_equal(read_idx(raw), a)
    assert read_idx(raw).dtype == np.uint8


def test_write_idx_round_trips_and_never_overwrites(tmp_path, rng):
    a = rng.randint(0, 256, size=(7,)).astype(np.uint8)
    path = write_idx(tmp_path / "l.gz", a)
    assert open(path, "rb").read(2) == b"\x1f\x8b"
    assert gzip.decompress(open(path, "rb").read()) == _idx_bytes(a, 2049)
    with pytest.raises(FileExistsError):
        write_idx(path, a)


def test_wrong_magic_names_file_and_kind(tmp_path):
    path = _write(tmp_path / "labels", _idx_bytes(np.zeros(4), 2049), gz=True)
    with pytest.raises(IdxError, match=r"labels\.gz: invalid magic number "
                                       r"2049 in MNIST image file \(expected "
                                       r"2051\)"):
        read_idx(path, expected_magic=2051)


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_file_is_a_clear_error(tmp_path, gz):
    payload = _idx_bytes(np.zeros((3, 4, 4)), 2051)[:-5]
    path = _write(tmp_path / "imgs", payload, gz=gz)
    with pytest.raises(IdxError, match=r"imgs.*truncated: the header announces "
                                       r"shape \(3, 4, 4\) \(48 bytes of data\) "
                                       r"but the file holds 43\. Delete it"):
        read_idx(path)


def test_cut_gzip_stream_is_a_clear_error(tmp_path):
    data = gzip.compress(_idx_bytes(np.arange(200) % 256, 2049))
    path = tmp_path / "cut.gz"
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(IdxError, match=r"cut\.gz: corrupt or truncated gzip"):
        read_idx(path)


def test_padded_and_non_idx_files_are_rejected(tmp_path):
    padded = _write(tmp_path / "p", _idx_bytes(np.zeros(4), 2049) + b"xx",
                    gz=False)
    with pytest.raises(IdxError, match="longer than its header says"):
        read_idx(padded)
    text = tmp_path / "t"
    text.write_bytes(b"<html>404 not found</html>")
    with pytest.raises(IdxError, match=r"t: not an IDX file"):
        read_idx(text)


# --- read_data_sets ---------------------------------------------------------

def test_read_data_sets_tiny_folder(tiny, no_other_sources, capsys):
    ds = read_data_sets(str(tiny), validation_size=5, seed=1)
    out = capsys.readouterr().out
    # TF1's "Extracting <path>" line for each of the four files, in order.
    assert out.splitlines() == [
        f"Extracting {tiny}/train-images-idx3-ubyte.gz",
        f"Extracting {tiny}/train-labels-idx1-ubyte.gz",
        f"Extracting {tiny}/t10k-images-idx3-ubyte",
        f"Extracting {tiny}/t10k-labels-idx1-ubyte"]
    assert type(ds).__name__ == "Datasets"
    assert ds._fields == ("train", "validation", "test")
    assert (ds.train.num_examples, ds.validation.num_examples,
            ds.test.num_examples) == (15, 5, 6)
    # Validation = the FIRST 5 training images, in file order.
    np.testing.assert_array_equal(ds.validation.labels, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(ds.train.labels, np.arange(5, 20) % 10)
    assert ds.train.images.shape == (15, 784)
    assert ds.train.images.dtype == np.float32
    # Scaled by 1/255 exactly as TF1 (float32 multiply).
    expected = np.float32(np.float32(7) * np.float32(1.0 / 255.0))
    assert ds.train.images[2, 0] == expected
    np.testing.assert_allclose(ds.test.images[:, 0], (100 + np.arange(6)) / 255,
                               rtol=1e-6)
    assert ds.train.labels.dtype == np.uint8


def test_one_hot_uint8_and_no_reshape(tiny, no_other_sources):
    ds = read_data_sets(str(tiny), one_hot=True, dtype=tf.uint8,
                        reshape=False, validation_size=0)
    assert ds.train.images.shape == (20, 28, 28, 1)
    assert ds.train.images.dtype == np.uint8
    assert ds.train.images[13].max() == 13
    assert ds.train.labels.shape == (20, 10)
    assert ds.train.labels.dtype == np.float64   # TF1 pitfall: not float32
    np.testing.assert_array_equal(ds.train.labels.argmax(1), np.arange(20) % 10)
    assert ds.train.labels.sum() == 20


def test_bad_validation_size_and_dtype(tiny, no_other_sources):
    with pytest.raises(ValueError, match=r"Validation size should be between "
                                         r"0 and 20\. Received: 21\."):
        read_data_sets(str(tiny), validation_size=21)
    with pytest.raises(TypeError, match="Invalid image dtype.*expected uint8 "
                                        "or float32"):
        read_data_sets(str(tiny), dtype=tf.float64, validation_size=0)


def test_fake_data(no_other_sources):
    ds = read_data_sets("unused", fake_data=True, one_hot=True)
    assert ds.train.num_examples == 10000
    images, labels = ds.train.next_batch(3, fake_data=True)
    assert np.asarray(images).shape == (3, 784)
    assert labels == [[1] + [0] * 9] * 3


def test_mismatched_counts_name_both_files(tmp_path, no_other_sources):
    folder = tmp_path / "m"
    paths = make_folder(folder)
    os.remove(paths["train-labels-idx1-ubyte"])
    _write(folder / "train-labels-idx1-ubyte", _idx_bytes(np.zeros(19), 2049),
           gz=True)
    with pytest.raises(IdxError, match=r"train-images-idx3-ubyte\.gz holds 20 "
                                       r"images but .*train-labels-idx1-ubyte"
                                       r"\.gz holds 19 labels"):
        read_data_sets(str(folder))


def test_swapped_files_report_wrong_magic(tmp_path, no_other_sources):
    folder = tmp_path / "s"
    paths = make_folder(folder, gz=(False,) * 4)
    img, lab = paths["t10k-images-idx3-ubyte"], paths["t10k-labels-idx1-ubyte"]
    os.rename(img, img + ".tmp")
    os.rename(lab, img)
    os.rename(img + ".tmp", lab)
    with pytest.raises(IdxError, match=r"t10k-images-idx3-ubyte: invalid magic "
                                       r"number 2049 in MNIST image file"):
        read_data_sets(str(folder))


def test_partial_folder_lists_missing_files(tmp_path, no_other_sources):
    folder = tmp_path / "p"
    paths = make_folder(folder)
    os.remove(paths["t10k-labels-idx1-ubyte"])
    with pytest.raises(MissingDataError, match=r"holds only part of MNIST: "
                                               r"missing t10k-labels-idx1-ubyte"):
        read_data_sets(str(folder))


def test_lecun_unzipped_spelling_is_found(tmp_path, no_other_sources):
    folder = tmp_path / "l"
    paths = make_folder(folder, gz=(False,) * 4)
    for path in paths.values():
        os.rename(path, path.replace("-idx", ".idx"))
    ds = read_data_sets(str(folder), validation_size=0)
    assert ds.train.num_examples == 20


# --- next_batch: TF1's epoch-boundary behaviour ------------------------------

def _dataset(n, seed=7):
    images = np.arange(n, dtype=np.uint8)[:, None, None, None] * np.ones(
        (1, 28, 28, 1), np.uint8)
    return DataSet(images, np.arange(n), dtype=tf.uint8, seed=seed)


def test_next_batch_matches_tf1_algorithm(graph):
    n = 10
    ds = _dataset(n, seed=7)     # reseeds numpy's global RNG with 7
    ref = np.random.RandomState(7)
    order = np.arange(n)
    perm0 = np.arange(n)
    ref.shuffle(perm0)           # shuffle at the very first call of epoch 0
    order = order[perm0]
    got = []
    for _ in range(2):
        images, labels = ds.next_batch(4)
        got.append(labels)
        np.testing.assert_array_equal(images[:, 0], labels)  # still aligned
    np.testing.assert_array_equal(got[0], order[0:4])
    np.testing.assert_array_equal(got[1], order[4:8])
    assert ds.epochs_completed == 0
    # Crossing the boundary: the rest of epoch 0 + start of reshuffled epoch 1.
    rest = order[8:10]
    perm = np.arange(n)
    ref.shuffle(perm)
    order = order[perm]
    images, labels = ds.next_batch(4)
    np.testing.assert_array_equal(labels, np.concatenate([rest, order[0:2]]))
    np.testing.assert_array_equal(images[:, 0], labels)
    assert ds.epochs_completed == 1
    _, labels = ds.next_batch(4)
    np.testing.assert_array_equal(labels, order[2:6])
    # Every example appears exactly once per epoch.
    assert sorted(got[0].tolist() + got[1].tolist() + rest.tolist()) == \
        list(range(n))


def test_next_batch_without_shuffle_wraps_in_order(graph):
    ds = _dataset(10)
    b = [ds.next_batch(4, shuffle=False)[1] for _ in range(4)]
    assert [x.tolist() for x in b] == [[0, 1, 2, 3], [4, 5, 6, 7],
                                       [8, 9, 0, 1], [2, 3, 4, 5]]
    assert ds.epochs_completed == 1


def test_epochs_completed_lags_on_exact_boundary(graph):
    # TF1 pitfall: a batch ending exactly at the epoch end does not count the
    # epoch; the NEXT call does (its "rest" part is empty).
    ds = _dataset(10)
    ds.next_batch(5, shuffle=False)
    ds.next_batch(5, shuffle=False)
    assert ds.epochs_completed == 0
    images, labels = ds.next_batch(5, shuffle=False)
    assert ds.epochs_completed == 1
    assert labels.tolist() == [0, 1, 2, 3, 4]


def test_dataset_reseeds_global_numpy_rng_like_tf1(graph):
    # seed given -> np.random.seed(seed)
    np.random.seed(123)
    _dataset(4, seed=5)
    assert np.random.rand() == np.random.RandomState(5).rand()
    # no seed, graph seed 3 -> np.random.seed(graph seed)
    tf.set_random_seed(3)
    np.random.seed(123)
    _dataset(4, seed=None)
    assert np.random.rand() == np.random.RandomState(3).rand()


# --- sources ------------------------------------------------------------------

def test_env_var_folder_is_used_when_train_dir_is_empty(tmp_path, monkeypatch,
                                                        no_other_sources):
    env = tmp_path / "env"
    make_folder(env, n_train=12)
    monkeypatch.setenv(sources.ENV_VAR, str(env))
    src = sources.find_source(str(tmp_path / "empty"))
    assert (src.kind, src.location) == ("env", str(env))
    assert read_data_sets(str(tmp_path / "empty"),
                          validation_size=2).train.num_examples == 10
    assert not (tmp_path / "empty").exists()   # nothing created


def test_env_var_without_data_is_an_error(tmp_path, monkeypatch,
                                          no_other_sources):
    monkeypatch.setenv(sources.ENV_VAR, str(tmp_path))
    with pytest.raises(MissingDataError, match=r"\$TF1_DNN_MNIST_DIR=.* holds "
                                               r"no MNIST.*Fix or unset"):
        sources.find_source(None)


def test_keras_npz_cache(tmp_path, monkeypatch, no_other_sources):
    home = tmp_path / "keras"
    (home / "datasets").mkdir(parents=True)
    x = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
    np.savez(home / "datasets" / "mnist.npz", x_train=x,
             y_train=np.array([1, 2, 3], np.uint8), x_test=x[:2],
             y_test=np.array([4, 5], np.uint8))
    monkeypatch.setenv("KERAS_HOME", str(home))
    (X_train, y_train), (X_test, y_test) = load_data()
    np.testing.assert_array_equal(X_train, x)
    assert y_test.tolist() == [4, 5]
    ds = read_data_sets(None, validation_size=1)
    assert ds.train.labels.tolist() == [2, 3]


def test_default_is_fashion_mnist_announced_once(fashion_mnist_dir, tmp_path,
                                                 monkeypatch, no_other_sources,
                                                 capsys):
    monkeypatch.setattr(sources, "_ANNOUNCED", False)
    (X_train, y_train), (X_test, y_test) = load_data(str(tmp_path / "none"))
    err = capsys.readouterr().err
    assert "Fashion-MNIST" in err and "NOT the MNIST digits" in err
    assert err.count("tf1_dnn: no MNIST found") == 1
    load_data()
    assert "Fashion" not in capsys.readouterr().err  # once per process
    assert X_train.shape == (60000, 28, 28) and X_train.dtype == np.uint8
    assert X_test.shape == (10000, 28, 28) and y_test.dtype == np.uint8
    # Independent read of the first training image with gzip + numpy.
    with gzip.open(fashion_mnist_dir / "train-images-idx3-ubyte.gz") as f:
        assert struct.unpack(">4I", f.read(16)) == (2051, 60000, 28, 28)
        first = np.frombuffer(f.read(784), np.uint8).reshape(28, 28)
    np.testing.assert_array_equal(X_train[0], first)
    # Fashion-MNIST's training set has exactly 6000 examples per class.
    assert np.bincount(y_train).tolist() == [6000] * 10
    src = sources.find_source(None)
    assert (src.kind, src.dataset) == ("fashion_default", "Fashion-MNIST")


def test_no_internet_download_under_pytest():
    from tf1_dnn.datasets import fetch
    assert not fetch.network_allowed("https://storage.googleapis.com/x")
    assert fetch.network_allowed("http://127.0.0.1:9/x")


def test_input_data_is_reachable_through_tf_namespace():
    input_data = tf.examples.tutorials.mnist.input_data
    assert input_data.read_data_sets is mnist_module.read_data_sets
    assert input_data.DataSet is DataSet
    from tf1_dnn.examples.tutorials.mnist import input_data as direct
    assert direct is input_data
