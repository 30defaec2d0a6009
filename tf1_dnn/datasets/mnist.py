"""TF1's MNIST input pipeline: `read_data_sets`, `DataSet`, `load_data`.

Before (TF 1.x)::

    from tensorflow.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets("/tmp/data/")

After (TF 2.21, unchanged otherwise)::

    from tf1_dnn.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets("/tmp/data/")
    X_batch, y_batch = mnist.train.next_batch(50)

This mirrors `tensorflow/contrib/learn/python/learn/datasets/mnist.py` as
TF 1.x last shipped it (the module `input_data` re-exported), pitfalls
included. Earlier 1.x releases had no `source_url` argument and downloaded
from yann.lecun.com; the DataSet logic below is the same in both.

Caveats (TF1 behaviour we keep):
  * Constructing a `DataSet` RESEEDS numpy's global RNG:
    `np.random.seed(seed)` when `seed` is given, otherwise
    `np.random.seed(graph_seed)` -- and with no graph seed, `np.random.seed(None)`,
    i.e. fresh OS entropy, which undoes any `np.random.seed(42)` you called
    before `read_data_sets`. Seed after loading, or pass `seed=`.
  * `next_batch` shuffles with the global numpy RNG: once at the first call
    of epoch 0 (when `shuffle=True`), then at every epoch boundary.
  * At an epoch boundary the batch is the rest of the old epoch
    concatenated with the start of the freshly shuffled next one.
    `epochs_completed` is incremented by the call that crosses the boundary;
    a batch that ends exactly at the epoch end does NOT count the epoch yet
    (the next call does, with an empty "rest").
  * `images` / `labels` are the data in the CURRENT shuffled order once
    `next_batch` has been called, not file order.
  * The validation set is the FIRST `validation_size` training images in
    file order (not a random split): 55000 train / 5000 validation.
  * `one_hot=True` gives float64 labels (TF1's `numpy.zeros` default), not
    float32; dense labels are uint8.
  * `dtype=tf.float32` scales images to [0, 1] by multiplying by 1/255
    (float32); `dtype=tf.uint8` keeps 0..255. `reshape=True` flattens to 784.
  * Each file read prints TF1's `Extracting <path>` line on stdout.
"""

import collections

import numpy as np

from tf1_dnn._compat import tf2, v1
from tf1_dnn.datasets import sources
from tf1_dnn.datasets.fetch import DEFAULT_SOURCE_URL
from tf1_dnn.datasets.idx import (IMAGES_MAGIC, LABELS_MAGIC, IdxError,
                                  read_idx)
from tf1_dnn.errors import InputError, InputTypeError

__all__ = ["DataSet", "Datasets", "read_data_sets", "load_data",
           "dense_to_one_hot", "extract_images", "extract_labels",
           "DEFAULT_SOURCE_URL", "load_mnist", "IdxError"]


Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def dense_to_one_hot(labels_dense, num_classes):
    """Class ids (N,) -> one-hot (N, num_classes) float64, as TF1 did."""
    labels_dense = np.asarray(labels_dense)
    num_labels = labels_dense.shape[0]
    one_hot = np.zeros((num_labels, num_classes))
    one_hot[np.arange(num_labels), labels_dense.ravel()] = 1
    return one_hot


def _read_fileobj(f, magic):
    name = getattr(f, "name", "<file>")
    print("Extracting", name)
    return read_idx(name, expected_magic=magic)


def extract_images(f):
    """TF1's `extract_images`: an open file -> uint8 [index, y, x, depth=1]."""
    images = _read_fileobj(f, IMAGES_MAGIC)
    return images.reshape(images.shape + (1,))


def extract_labels(f, one_hot=False, num_classes=10):
    """TF1's `extract_labels`: an open file -> uint8 [index] (or one-hot)."""
    labels = _read_fileobj(f, LABELS_MAGIC)
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


def _base_dtype(dtype):
    return tf2.as_dtype(dtype).base_dtype


class DataSet(object):
    """TF1's MNIST `DataSet`: arrays plus `next_batch` with epoch tracking.

    Args:
      images: uint8 [N, rows, cols, 1] (depth 1 required when `reshape`).
      labels: [N] or [N, classes].
      fake_data: TF1's fake mode (10000 examples, constant batches).
      one_hot: used only with `fake_data`.
      dtype: `tf.float32` (scale to [0, 1]) or `tf.uint8` (keep 0..255).
      reshape: flatten images to [N, rows * cols].
      seed: reseeds numpy's GLOBAL RNG (see the module caveats).

    Raises:
      TypeError: dtype other than uint8 / float32.
      ValueError: images and labels of different lengths.
    """

    def __init__(self, images, labels, fake_data=False, one_hot=False,
                 dtype=tf2.float32, reshape=True, seed=None):
        seed1, seed2 = v1.get_seed(seed)
        # TF1: if the op-level seed is not set, use the graph-level one.
        np.random.seed(seed1 if seed is None else seed2)
        dtype = _base_dtype(dtype)
        if dtype not in (tf2.uint8, tf2.float32):
            raise InputTypeError(f"Invalid image dtype {dtype!r}, expected uint8 "
                            "or float32")
        if fake_data:
            self._num_examples = 10000
            self.one_hot = one_hot
        else:
            images, labels = np.asarray(images), np.asarray(labels)
            if images.shape[0] != labels.shape[0]:
                raise InputError(
                    f"images and labels differ in length: images.shape: "
                    f"{images.shape} labels.shape: {labels.shape}")
            self._num_examples = images.shape[0]
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise InputError(
                        f"reshape=True needs images of shape [N, rows, cols, "
                        f"1], got {images.shape}; pass reshape=False or add "
                        "the depth axis (images[..., None]).")
                images = images.reshape(images.shape[0],
                                        images.shape[1] * images.shape[2])
            if dtype == tf2.float32:
                images = images.astype(np.float32)
                images = np.multiply(images, 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next `batch_size` examples: (images, labels).

        Shuffles (global numpy RNG) at the first call of epoch 0 when
        `shuffle`, and at each epoch boundary; a batch crossing the boundary
        is the rest of this epoch + the start of the next (shuffled) one.
        """
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return ([fake_image for _ in range(batch_size)],
                    [fake_label for _ in range(batch_size)])
        start = self._index_in_epoch
        # Shuffle for the first epoch.
        if self._epochs_completed == 0 and start == 0 and shuffle:
            perm0 = np.arange(self._num_examples)
            np.random.shuffle(perm0)
            self._images = self.images[perm0]
            self._labels = self.labels[perm0]
        if start + batch_size > self._num_examples:
            # Finished the epoch: take its rest, reshuffle, start the next.
            self._epochs_completed += 1
            rest_num_examples = self._num_examples - start
            images_rest_part = self._images[start:self._num_examples]
            labels_rest_part = self._labels[start:self._num_examples]
            if shuffle:
                perm = np.arange(self._num_examples)
                np.random.shuffle(perm)
                self._images = self.images[perm]
                self._labels = self.labels[perm]
            start = 0
            self._index_in_epoch = batch_size - rest_num_examples
            end = self._index_in_epoch
            images_new_part = self._images[start:end]
            labels_new_part = self._labels[start:end]
            return (np.concatenate((images_rest_part, images_new_part), axis=0),
                    np.concatenate((labels_rest_part, labels_new_part), axis=0))
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]


def read_data_sets(train_dir, fake_data=False, one_hot=False,
                   dtype=tf2.float32, reshape=True, validation_size=5000,
                   seed=None, source_url=DEFAULT_SOURCE_URL):
    """TF1's `input_data.read_data_sets`: `Datasets(train, validation, test)`.

    Looks for the data in the order of `tf1_dnn.datasets.sources` (train_dir,
    $TF1_DNN_MNIST_DIR, Keras' mnist.npz, download, Debian's Fashion-MNIST).

    Args:
      train_dir: folder with the four IDX files (gz or raw), where a
        download goes; may be None.
      fake_data: TF1's fake mode (three fake `DataSet`s, no file read).
      one_hot: one-hot float64 labels.
      dtype: `tf.float32` ([0, 1] images) or `tf.uint8`.
      reshape: flatten to [N, 784].
      validation_size: the first `validation_size` training examples.
      seed: see `DataSet` (reseeds numpy's global RNG).
      source_url: base URL to download from; a non-default one is used
        alone, without the MNIST checksums.

    Raises:
      ValueError: validation_size outside [0, number of training images].
      IdxError: corrupt, truncated or mismatched files (names the file).
      MissingDataError: no data anywhere (lists what was tried).
    """
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot,
                           dtype=dtype, seed=seed)
        return Datasets(train=fake(), validation=fake(), test=fake())

    if not source_url:  # empty string check, as TF1
        source_url = DEFAULT_SOURCE_URL
    source = sources.find_source(train_dir, source_url=source_url)
    train_images, train_labels, test_images, test_labels = \
        sources.load_arrays(source, verbose=True)
    train_images = train_images[..., np.newaxis]
    test_images = test_images[..., np.newaxis]
    if one_hot:
        train_labels = dense_to_one_hot(train_labels, 10)
        test_labels = dense_to_one_hot(test_labels, 10)

    if not 0 <= validation_size <= len(train_images):
        raise InputError(
            "Validation size should be between 0 and {}. Received: {}."
            .format(len(train_images), validation_size))

    validation_images = train_images[:validation_size]
    validation_labels = train_labels[:validation_size]
    train_images = train_images[validation_size:]
    train_labels = train_labels[validation_size:]

    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    train = DataSet(train_images, train_labels, **options)
    validation = DataSet(validation_images, validation_labels, **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)


def load_mnist(train_dir="MNIST-data"):
    """TF1's `load_mnist`: `read_data_sets(train_dir)`."""
    return read_data_sets(train_dir)


def load_data(path=None):
    """Keras-style MNIST: `(X_train, y_train), (X_test, y_test)`, uint8.

    Images are (60000, 28, 28) and (10000, 28, 28), labels (60000,) and
    (10000,), in file order (no shuffle, no validation split). Unlike
    `keras.datasets.mnist.load_data`, `path` is a folder of IDX files or an
    .npz to read (not a cache file name), and the same source order as
    `read_data_sets` applies -- so without MNIST you get Debian's
    Fashion-MNIST, announced on stderr. Nothing is printed on stdout and
    numpy's RNG is untouched.
    """
    source = sources.find_source(path)
    x_train, y_train, x_test, y_test = sources.load_arrays(source)
    return (x_train, y_train), (x_test, y_test)

