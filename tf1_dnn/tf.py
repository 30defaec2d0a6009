"""The TensorFlow 1.x namespace: `from tf1_dnn import tf`.

    from tf1_dnn import tf          # instead of `import tensorflow as tf`

    X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
    hidden1 = tf.layers.dense(X, 300, activation=tf.nn.relu, name="hidden1")
    he_init = tf.contrib.layers.variance_scaling_initializer()

Everything `tf.compat.v1` has is here under its TF 1.x name, plus what
TensorFlow 2.21 with Keras 3 no longer gives:

* `tf.layers` -- all of TF 1.15's (`dense`, `batch_normalization`, `dropout`,
  `flatten`, convolution and pooling) and their classes, written on core ops
  (`tf.compat.v1.layers.dense` raises "`dense` is not available with Keras
  3").
* `tf.contrib.*` -- the parts the chapter used (`tf.contrib.layers`,
  `tf.contrib.framework.arg_scope`, `tf.contrib.nn.alpha_dropout`, ...).
* `tf.examples.tutorials.mnist.input_data` -- `read_data_sets`.
* `tf.train.import_meta_graph` / `Saver` / `latest_checkpoint` that also load
  the checkpoints TF 1.x wrote which plain `tf.compat.v1` rejects.
* `tf.Session` / `tf.InteractiveSession` -- drop-in subclasses of the
  `tf.compat.v1` ones whose `run` caches, per fetch/feed signature, what the
  stock `run` rebuilds on every call (same results and errors; see
  `tf1_dnn.session`).
* `tf.compat.v1` -- this namespace again, so 1.13/1.14-era code that spelled
  `tf.compat.v1.layers.dense` works too.

Caveat -- global effect: importing this module switches the whole process to
TF 1.x behaviour, exactly like `tf.compat.v1.disable_v2_behavior()`: no eager
execution, reference variables, v1 control flow and v1 `TensorShape`. That is
what TF1 code expects. If you only want our layers inside your own
`tf.compat.v1` code, import `tf1_dnn.layers` (and friends) instead: those
change nothing global. No environment variable is needed, `tensorflow` may
already be imported, and `tf.keras` stays Keras 3.
"""

import sys

from tf1_dnn._compat import enable_tf1_behaviour, tf2, v1
from tf1_dnn._namespace import LazyNamespace, resolve

enable_tf1_behaviour()

# tf.train: everything tf.compat.v1.train has; checkpoint loading overridden.
_TRAIN_OVERRIDES = {
    "import_meta_graph": "tf1_dnn.checkpoints:import_meta_graph",
    "Saver": "tf1_dnn.checkpoints:Saver",
    "latest_checkpoint": "tf1_dnn.checkpoints:latest_checkpoint",
    "get_checkpoint_state": "tf1_dnn.checkpoints:get_checkpoint_state",
    "MonitoredTrainingSession": "tf1_dnn.distributed:MonitoredTrainingSession",
    "SyncReplicasOptimizer": "tf1_dnn.distributed:SyncReplicasOptimizer",
}

train = LazyNamespace(
    "tf.train", base=v1.train, overrides=_TRAIN_OVERRIDES,
    doc="tf.compat.v1.train, with tf1_dnn's checkpoint loading and "
        "MonitoredTrainingSession with sleeping idle threads.")

# tf.nn: tf.compat.v1.nn, with TF 1.x's recurrent cells on core ops.
nn = LazyNamespace(
    "tf.nn", base=v1.nn,
    overrides={"rnn_cell": "tf1_dnn.rnn_cell",
               "dynamic_rnn": "tf1_dnn.rnn_cell:dynamic_rnn"},
    doc="tf.compat.v1.nn, with tf.nn.rnn_cell from tf1_dnn.rnn_cell.")

compat = LazyNamespace(
    "tf.compat", base=tf2.compat,
    overrides={"v1": sys.modules[__name__], "v2": tf2},
    doc="tf.compat with `v1` pointing at this TF1 namespace.")

# Names that TF 1.x had and that tf1_dnn provides itself, imported on first use.
_OVERRIDES = {
    "layers": "tf1_dnn.layers",
    "contrib": "tf1_dnn.contrib",
    "examples": "tf1_dnn.examples",
    "Session": "tf1_dnn.session:Session",
    "InteractiveSession": "tf1_dnn.session:InteractiveSession",
}


def __getattr__(name):
    if name in _OVERRIDES:
        value = resolve(_OVERRIDES[name])
        globals()[name] = value  # cache
        return value
    try:
        return getattr(v1, name)
    except AttributeError:
        raise AttributeError(
            f"tf.{name} does not exist in TensorFlow 1.x's API as tf1_dnn "
            "provides it (tf.compat.v1 of TensorFlow "
            f"{tf2.__version__} has no {name!r}).") from None


def __dir__():
    return sorted(set(dir(v1)) | set(_OVERRIDES) | {"train", "compat", "nn"})
