"""`tf.contrib` as TF 1.x had it, for the parts chapter 11 and slim code use.

    from tf1_dnn import tf
    he_init = tf.contrib.layers.variance_scaling_initializer()
    with tf.contrib.framework.arg_scope([tf.contrib.layers.fully_connected],
                                        normalizer_fn=tf.contrib.layers.batch_norm):
        ...

Submodules are imported on first attribute access (`tf.contrib.layers`,
`tf.contrib.framework`, `tf.contrib.slim`, `tf.contrib.losses`,
`tf.contrib.metrics`, `tf.contrib.nn`, `tf.contrib.opt`, `tf.contrib.rnn`,
`tf.contrib.seq2seq`, and the estimator-era `tf.contrib.learn`,
`tf.contrib.training` (HParams), `tf.contrib.factorization` (KMeans),
`tf.contrib.estimator` (early stopping, add_metrics): see
docs/estimator.md); importing this
package changes nothing global. Anything else TF 1.x had under `tf.contrib`
raises an AttributeError that names it.
"""

import importlib

__all__ = ["layers", "framework", "nn", "opt", "slim", "losses", "metrics",
           "rnn", "seq2seq", "learn", "training", "factorization",
           "estimator"]

_SUBMODULES = frozenset(__all__)


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(
        f"tf.contrib.{name} is not provided by tf1_dnn (TensorFlow 2 removed "
        f"tf.contrib; tf1_dnn re-implements {sorted(_SUBMODULES)}). If your "
        "code needs it, please open an issue with the line that uses it.")


def _missing(module, name):
    """The AttributeError a `tf.contrib.<module>` raises for a name it lacks."""
    return AttributeError(
        f"tf.contrib.{module}.{name} is not provided by tf1_dnn (it "
        "re-implements what chapter 11 and common slim code use). If your "
        "code needs it, "
        "please open an issue with the line that uses it.")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
