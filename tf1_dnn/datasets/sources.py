"""Where the MNIST arrays come from, in order.

1. `train_dir` (or `load_data(path)`): a folder holding the four IDX files,
   gzip or raw (`train-images-idx3-ubyte[.gz]`, also LeCun's unzipped
   spelling `train-images.idx3-ubyte`), or a Keras-style `mnist.npz`.
2. `$TF1_DNN_MNIST_DIR`: a folder (or .npz) like the above. If it is set but
   holds no MNIST, that is an error (you asked for it), not a fall-through.
3. The Keras cache, `~/.keras/datasets/mnist.npz` (`$KERAS_HOME` honoured).
4. A download from the usual MNIST mirrors (SHA-256 checked, atomic), into
   `train_dir` -- as TF1 did -- or `~/.cache/tf1_dnn/mnist`. Skipped at once
   when offline (see `tf1_dnn.datasets.fetch`).
5. Built-in default: Debian's Fashion-MNIST,
   `/usr/share/datasets/fashion-mnist` (package `dataset-fashion-mnist`).
   Announced once per process on stderr: it is Fashion-MNIST (clothes), not
   MNIST digits -- same format and sizes, lower accuracies.

`find_source(train_dir)` returns a `Source` saying which one is used, without
reading the data; `load_arrays(source)` reads it.
"""

import collections
import os
import sys
import warnings

import numpy as np

from tf1_dnn.datasets import fetch as _download
from tf1_dnn.datasets.idx import IMAGES_MAGIC, LABELS_MAGIC, IdxError, read_idx

__all__ = ["Source", "find_source", "load_arrays", "find_idx_files",
           "FASHION_MNIST_DIR", "ENV_VAR", "MissingDataError", "FILES",
           "keras_npz_path", "download_dir"]

ENV_VAR = "TF1_DNN_MNIST_DIR"
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"

# key -> (base file name, magic number)
FILES = collections.OrderedDict([
    ("train_images", ("train-images-idx3-ubyte", IMAGES_MAGIC)),
    ("train_labels", ("train-labels-idx1-ubyte", LABELS_MAGIC)),
    ("test_images", ("t10k-images-idx3-ubyte", IMAGES_MAGIC)),
    ("test_labels", ("t10k-labels-idx1-ubyte", LABELS_MAGIC)),
])

_ANNOUNCED = False


from tf1_dnn.errors import MissingDataError  # noqa: E402 (one hierarchy)


class Source(collections.namedtuple(
        "Source", ["kind", "location", "dataset", "files"])):
    """Which data `read_data_sets` / `load_data` use.

    Attributes:
      kind: "folder", "env", "keras_npz", "download" or "fashion_default".
      location: the folder or .npz path.
      dataset: "MNIST", "Fashion-MNIST" or "MNIST-format" (a folder you gave:
        we cannot tell which from the format).
      files: dict key -> path for IDX folders (None for .npz).
    """

    def describe(self):
        return f"{self.dataset} ({self.kind}: {self.location})"


def _candidates(base):
    dotted = base.replace("-idx", ".idx")
    return [base + ".gz", base, dotted + ".gz", dotted]


def find_idx_files(folder):
    """dict key -> path of the four IDX files in `folder`.

    Returns None when the folder holds none of them.

    Raises:
      MissingDataError: the folder holds some of the files but not all four.
    """
    if not folder or not os.path.isdir(folder):
        return None
    found, missing = {}, []
    for key, (base, _) in FILES.items():
        for name in _candidates(base):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                found[key] = path
                break
        else:
            missing.append(base + "[.gz]")
    if not found:
        return None
    if missing:
        raise MissingDataError(
            f"{folder} holds only part of MNIST: missing {', '.join(missing)}. "
            "Put all four IDX files (train/t10k images and labels, gzip or "
            "raw) there, or point at another folder.")
    return found


def keras_npz_path():
    home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets", "mnist.npz")


def download_dir(train_dir=None):
    if train_dir:
        return os.fspath(train_dir)
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "tf1_dnn", "mnist")


def _check_named_path(path, what):
    """Raises if a path the user named cannot hold MNIST as given: a file
    that is not an .npz (e.g. one IDX file instead of its folder), or a
    folder that cannot be listed. A missing path is fine (TF 1.x downloads
    into it)."""
    if os.path.isfile(path) and not path.endswith(".npz"):
        raise MissingDataError(
            f"{what} {path!r} is a file, not a folder: pass the folder that "
            f"holds the four IDX files ({os.path.dirname(path) or '.'!r}), "
            "or a Keras mnist.npz.")
    if os.path.isdir(path):
        try:
            os.listdir(path)
        except OSError as e:
            raise MissingDataError(
                f"{what} {path!r} cannot be read ({e.strerror or e}): make "
                "it readable (e.g. chmod a+rx) or pass another folder. It "
                "is not replaced by another dataset.") from None


def _from_path(path, kind, dataset="MNIST-format"):
    """A Source for a folder or .npz path, or None if it holds no MNIST."""
    path = os.fspath(path)
    if os.path.isfile(path) and path.endswith(".npz"):
        return Source(kind, path, "MNIST" if kind == "keras_npz" else dataset,
                      None)
    files = find_idx_files(path)
    if files is None:
        return None
    if os.path.realpath(path) == os.path.realpath(FASHION_MNIST_DIR):
        dataset = "Fashion-MNIST"
    return Source(kind, path, dataset, files)


def _try_download(train_dir, source_url, errors):
    """Downloads the four gz files; a Source, or None (errors appended)."""
    explicit = bool(source_url) and source_url != _download.DEFAULT_SOURCE_URL
    mirrors = [source_url] if explicit else list(_download.MNIST_MIRRORS)
    folder = download_dir(train_dir)
    for mirror in mirrors:
        if not mirror.endswith("/"):
            mirror += "/"
        if not _download.network_allowed(mirror):
            errors.append((f"download from {mirror} skipped (offline)", True))
            continue
        try:
            for base, _ in FILES.values():
                name = base + ".gz"
                dest = os.path.join(folder, name)
                if os.path.exists(dest):
                    continue
                # A custom source_url (e.g. Fashion-MNIST's, a classic TF1
                # trick) serves other files: no MNIST checksum for it.
                sha = None if explicit else _download.MNIST_SHA256.get(name)
                _download.download(mirror + name, dest, sha256=sha)
                # TF1's base.maybe_download line.
                print("Successfully downloaded", name, os.path.getsize(dest),
                      "bytes.")
        except _download.DownloadError as e:
            errors.append((str(e), e.unreachable))
            if explicit:
                raise
            continue
        except OSError as e:  # e.g. train_dir not writable
            errors.append((f"download into {folder} failed: {e}", False))
            if explicit:
                raise
            continue
        return Source("download", folder, "MNIST" if not explicit
                      else "MNIST-format", find_idx_files(folder))
    return None


def _announce(source):
    global _ANNOUNCED
    if not _ANNOUNCED:
        _ANNOUNCED = True
        print(f"tf1_dnn: no MNIST found, using the built-in default: Debian's "
              f"Fashion-MNIST from {source.location}. This is Fashion-MNIST "
              "(10 classes of clothes), NOT the MNIST digits: same format and "
              "sizes, lower accuracies. To use MNIST, pass a folder holding "
              f"its four IDX files, set ${ENV_VAR}, or put mnist.npz in "
              "~/.keras/datasets/.", file=sys.stderr)


def find_source(train_dir=None, source_url=None, allow_download=True):
    """The first available source in the module docstring's order.

    Args:
      train_dir: folder (or .npz) to look in first; None to skip.
      source_url: TF1's `source_url`: a custom base URL is the only one
        downloaded from, and a failure there raises instead of falling back.
      allow_download: False skips step 4.

    Raises:
      MissingDataError: nothing found (message lists what was tried), or
        `$TF1_DNN_MNIST_DIR` is set but holds no MNIST, or `train_dir` /
        `$TF1_DNN_MNIST_DIR` is a file that is not an .npz (one IDX file
        instead of its folder) or a folder that cannot be read -- those
        never fall back to another dataset.
      IdxError / DownloadError: see `find_idx_files` and `fetch.download`.
    """
    tried = []
    if train_dir:
        _check_named_path(os.fspath(train_dir), "train_dir")
        found = _from_path(train_dir, "folder")
        if found:
            return found
        tried.append(f"{train_dir} (no MNIST IDX files)")
    env = os.environ.get(ENV_VAR)
    if env:
        _check_named_path(env, f"${ENV_VAR}")
        found = _from_path(env, "env")
        if found is None:
            raise MissingDataError(
                f"${ENV_VAR}={env} holds no MNIST: it must be a folder with "
                "the four IDX files (gzip or raw) or an mnist.npz. Fix or "
                "unset the variable.")
        return found
    tried.append(f"${ENV_VAR} (unset)")
    npz = keras_npz_path()
    if os.path.isfile(npz):
        return Source("keras_npz", npz, "MNIST", None)
    tried.append(f"{npz} (absent)")
    if allow_download:
        errors = []
        found = _try_download(train_dir, source_url, errors)
        if found:
            return found
        tried.extend(message for message, _ in errors)
        if not all(unreachable for _, unreachable in errors):
            warnings.warn("MNIST download failed: " + "; ".join(
                message for message, _ in errors), RuntimeWarning,
                stacklevel=3)
    found = _from_path(FASHION_MNIST_DIR, "fashion_default", "Fashion-MNIST")
    if found:
        _announce(found)
        return found
    raise MissingDataError(
        "No MNIST data found. Tried: " + "; ".join(tried)
        + f"; {FASHION_MNIST_DIR} (absent). Fix: pass a folder holding the four "
        f"MNIST IDX files, set ${ENV_VAR}, put mnist.npz in ~/.keras/datasets/, "
        "or install Debian's dataset-fashion-mnist (scripts/setup.sh does).")


def _load_npz(path):
    try:
        with np.load(path) as data:
            arrays = [data[k] for k in ("x_train", "y_train", "x_test",
                                         "y_test")]
    except KeyError as e:
        raise IdxError(f"{path}: not a Keras mnist.npz (missing {e}). Delete "
                       "it or pass another source.") from None
    except (OSError, ValueError) as e:
        raise IdxError(f"{path}: unreadable .npz ({e}). Delete it and let "
                       "Keras download it again, or pass another source."
                       ) from None
    return arrays


N_CLASSES = 10  # MNIST and Fashion-MNIST


def _check_pair(images, labels, images_path, labels_path):
    if images.ndim != 3:
        raise IdxError(f"{images_path}: images must be 3-D (count, rows, "
                       f"cols), got shape {images.shape}.")
    if labels.ndim != 1:
        raise IdxError(f"{labels_path}: labels must be 1-D, got shape "
                       f"{labels.shape}.")
    if images.shape[0] != labels.shape[0]:
        raise IdxError(
            f"{images_path} holds {images.shape[0]} images but "
            f"{labels_path} holds {labels.shape[0]} labels: the files do "
            "not belong together. Replace them with a matching pair (same "
            "split, same dataset).")
    if labels.size and labels.max() >= N_CLASSES:
        bad = np.flatnonzero(labels >= N_CLASSES)
        raise IdxError(
            f"{labels_path}: {len(bad)} label(s) out of range for the "
            f"{N_CLASSES} classes (0-{N_CLASSES - 1}): value "
            f"{int(labels[bad[0]])} at index {int(bad[0])}. The file is "
            "corrupt or holds another dataset's labels; "
            "one-hot encoding would silently spill it into the next row. "
            "Replace it with the intact labels file.")


def load_arrays(source, verbose=False):
    """(train_images, train_labels, test_images, test_labels) uint8.

    Images are (N, rows, cols), labels (N,).

    Args:
      source: a `Source`.
      verbose: print TF1's "Extracting <path>" line for each file read.
    """
    if source.files is None:
        if verbose:
            print("Extracting", source.location)
        arrays = _load_npz(source.location)
        paths = [source.location] * 4
    else:
        arrays, paths = [], []
        for key, (_, magic) in FILES.items():
            path = source.files[key]
            if verbose:
                print("Extracting", path)
            try:
                arrays.append(read_idx(path, expected_magic=magic))
            except OSError as e:
                raise IdxError(
                    f"{path}: cannot be read ({e.strerror or e}). Make it "
                    "readable (e.g. chmod a+r) or point at another "
                    "folder.") from None
            paths.append(path)
    arrays = [np.asarray(a, dtype=np.uint8) for a in arrays]
    _check_pair(arrays[0], arrays[1], paths[0], paths[1])
    _check_pair(arrays[2], arrays[3], paths[2], paths[3])
    return tuple(arrays)
