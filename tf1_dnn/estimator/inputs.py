"""`tf.estimator.inputs.numpy_input_fn` / `pandas_input_fn` (TF 1.15 API).

    input_fn = tf.estimator.inputs.numpy_input_fn(
        {"X": X_train}, y_train, batch_size=50, num_epochs=None, shuffle=True)

Built on `tf.data` (TF 1.15 used queue runners): the same arguments, the
same batches' sizes, and the same end of data -- after `num_epochs` passes
the input raises OutOfRangeError, which ends `train`/`evaluate`/`predict`
(the last batch may be smaller than `batch_size`, as TF 1.x's
`dequeue_up_to` gave). `num_epochs=None` repeats forever.

Kept from TF 1.x: `shuffle` has no default and must be given; `x` may be
one array (the features are then that tensor) or a dict of arrays.
The arrays are fed into placeholders when the session starts (a session
hook the Estimator runs), never embedded in the graph, so `graph.pbtxt`
stays small. Calling the input_fn outside an Estimator: run
`tf1_dnn.estimator.inputs.input_hooks(graph)`'s hooks yourself.
Difference: shuffling is a per-epoch `tf.data` shuffle with a buffer of
`queue_capacity` examples (TF 1.x's RandomShuffleQueue mixed across epoch
boundaries); `num_threads` is accepted and ignored (order is deterministic
for a given graph seed).
"""

import collections
import weakref

import numpy as np

from tf1_dnn._compat import tf2, v1
from tf1_dnn.estimator.errors import InputFnError

__all__ = ["numpy_input_fn", "pandas_input_fn"]

_TARGET_KEY = "__target_key__"

# graph -> hooks the Estimator must run (the iterator's feeding initializer).
_GRAPH_HOOKS = weakref.WeakKeyDictionary()


def input_hooks(graph):
    """The session hooks the input_fns built in `graph` need (and forget them)."""
    return _GRAPH_HOOKS.pop(graph, [])


class _FeedInitHook(v1.train.SessionRunHook):
    """Initializes an iterator over placeholders, feeding the numpy arrays.

    The arrays are fed, not embedded as constants, so `graph.pbtxt` and the
    `.meta` files stay small (TF 1.x fed them through a queue).
    """

    def __init__(self, initializer, feed_dict):
        self._initializer, self._feed_dict = initializer, feed_dict

    def after_create_session(self, session, coord):
        session.run(self._initializer, feed_dict=self._feed_dict)


def _validate(num_epochs, batch_size, shuffle):
    if shuffle is None or not isinstance(shuffle, bool):
        raise InputFnError(
            f"shuffle must be provided explicitly as a bool, got {shuffle!r}"
            " (TF 1.x's numpy_input_fn/pandas_input_fn have no default).")
    if num_epochs is not None and num_epochs <= 0:
        raise InputFnError(
            f"num_epochs must be > 0 or None (forever); got {num_epochs}.")
    if batch_size <= 0:
        raise InputFnError(f"batch_size must be > 0; got {batch_size}.")


def _dataset(arrays, batch_size, num_epochs, shuffle, queue_capacity,
             seed=None):
    feed = {}

    def placeholder(a):
        p = v1.placeholder(tf2.as_dtype(a.dtype), shape=a.shape)
        feed[p] = a
        return p

    arrays = tf2.nest.map_structure(placeholder, arrays)
    ds = tf2.data.Dataset.from_tensor_slices(arrays)
    if shuffle:
        ds = ds.shuffle(queue_capacity, seed=seed,
                        reshuffle_each_iteration=True)
    ds = ds.repeat(num_epochs)
    ds = ds.batch(batch_size)
    it = v1.data.make_initializable_iterator(ds)
    hook = _FeedInitHook(it.initializer, feed)
    _GRAPH_HOOKS.setdefault(v1.get_default_graph(), []).append(hook)
    return it.get_next()


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None,
                   queue_capacity=1000, num_threads=1):
    """An input_fn feeding numpy arrays in batches.

    Args:
      x: numpy array or dict of name -> numpy array (same first dimension).
      y: numpy array, dict of arrays, or None (predict).
      batch_size, num_epochs, shuffle, queue_capacity, num_threads: as TF 1.x.

    Returns:
      input_fn() -> (features, labels), or features when `y` is None.

    Raises:
      InputFnError: shuffle not a bool, lengths differ, keys of `x` and `y`
        overlap.
    """
    _validate(num_epochs, batch_size, shuffle)
    x_dict = dict(x) if isinstance(x, dict) else {"__x__": x}
    for key, value in x_dict.items():
        x_dict[key] = np.asarray(value)
    lengths = {k: len(v) for k, v in x_dict.items()}
    if y is not None:
        y_dict = dict(y) if isinstance(y, dict) else {_TARGET_KEY: y}
        overlap = set(y_dict) & set(x_dict)
        if overlap:
            raise InputFnError(
                f"{sorted(overlap)} duplicate keys are found in both x and y:"
                " rename them.")
        for key, value in y_dict.items():
            y_dict[key] = np.asarray(value)
            lengths[key] = len(y_dict[key])
    if len(set(lengths.values())) > 1:
        raise InputFnError(
            f"Length of tensors in x and y is mismatched. All elements in x "
            f"and y must have the same length. Lengths: {lengths}")

    def input_fn():
        arrays = (x_dict,) if y is None else (x_dict, y_dict)
        batch = _dataset(arrays, batch_size, num_epochs, shuffle,
                         queue_capacity)
        feats = batch[0] if isinstance(x, dict) else batch[0]["__x__"]
        if y is None:
            return feats
        labels = batch[1] if isinstance(y, dict) else batch[1][_TARGET_KEY]
        return feats, labels

    return input_fn


def pandas_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None,
                    queue_capacity=1000, num_threads=1, target_column="target"):
    """An input_fn feeding a pandas DataFrame (columns become features).

    Needs pandas (not a tf1_dnn dependency). `y` is a Series or None; TF 1.x
    required the indexes of `x` and `y` to match.
    """
    try:
        import pandas  # noqa: F401  (only to give a clear error)
    except ImportError:
        raise InputFnError(
            "pandas_input_fn needs pandas, which is not installed: "
            "`pip install pandas`.") from None
    _validate(num_epochs, batch_size, shuffle)
    if y is not None:
        if target_column in x:
            raise InputFnError(
                f"Cannot use name {target_column!r} for target column: "
                "DataFrame already has a column with that name. Pass "
                "target_column=...")
        if not np.array_equal(x.index, y.index):
            raise InputFnError(
                "Index for x and y are mismatched.\nIndex for x: "
                f"{x.index}\nIndex for y: {y.index}\n")
    features = collections.OrderedDict(
        (str(col), x[col].values) for col in x.columns)
    labels = None if y is None else np.asarray(y.values)
    return numpy_input_fn(features, labels, batch_size=batch_size,
                          num_epochs=num_epochs, shuffle=shuffle,
                          queue_capacity=queue_capacity,
                          num_threads=num_threads)
