"""Caching the frozen layers: run them once, train the rest on the cache.

The chapter (ch. 11, "Caching the frozen layers"): frozen lower layers never
change, so their output for each training instance can be computed once.
Instead of feeding images through hidden1-2 at every step, run the whole
training set through them once, then train hidden3-4 and the output layer
on mini-batches of the cached hidden2 activations::

    h2_cache = sess.run(hidden2, feed_dict={X: mnist.train.images})
    for epoch in range(n_epochs):
        shuffled_idx = np.random.permutation(mnist.train.num_examples)
        hidden2_batches = np.array_split(h2_cache[shuffled_idx], n_batches)
        ...  sess.run(training_op, feed_dict={hidden2: hidden2_batch, ...})

This module does the same with two helpers:

* `cache_activations(sess, inputs, outputs, X)` -- the cache, computed in
  batches (so a 55 000-image set does not need one huge run), in inference
  mode (whatever `feed_dict` you add, e.g. `{training: False}`);
* `FrozenCache` -- the cache of a training (and validation) set plus
  `build()`/`train()` that train `model_fn` (the upper layers) on it with the
  in-graph loop of `tf1_dnn.training` (whole epoch per `Session.run`).

    lower = FrozenCache(sess, X, hidden2, X_train, X_valid)
    history = lower.train(upper_model_fn, y_train, y_valid, n_epochs=20,
                          batch_size=200, optimizer=optimizer)

Caveats:
  - Only valid while the cached layers really are frozen: no trainable
    variable below `outputs` may be updated, and nothing stochastic (dropout,
    batch norm in training mode) may sit in the frozen part -- the cache
    holds one deterministic pass. Batch norm in the frozen part is fine in
    inference mode (its moving averages are frozen too).
  - The cache costs `n * features * 4` bytes (55 000 x 50 floats: 11 MB).
  - `model_fn` builds the *upper* layers on a `[batch, features]` tensor;
    give them new names or build them here only (not also on `hidden2`),
    because `build()` creates their variables.
"""

import numpy as np

from tf1_dnn import training
from tf1_dnn.errors import InputError, nonfinite_summary

__all__ = ["cache_activations", "FrozenCache", "run_in_batches"]


def run_in_batches(sess, fetch, split_feeds, batch_size, fixed_feeds=None):
    """`sess.run(fetch, feeds)` over row batches, concatenated along axis 0.

    The one batched "run the frozen layers once over the data" loop
    (`cache_activations` and `tf1_dnn.reuse.cache_outputs` use it).

    Args:
      split_feeds: {placeholder: array [n, ...]}, all with the same n, cut
        into batches of `batch_size` rows.
      fixed_feeds: {placeholder: value} fed unchanged to every run.
    """
    sizes = {len(v) for v in split_feeds.values()}
    if len(sizes) != 1:
        raise InputError(
            "run_in_batches: the arrays to split must have the same number "
            f"of rows, got {sorted(sizes)}.")
    n = sizes.pop()
    if n == 0:
        raise InputError("run_in_batches: the data is empty (0 rows).")
    if isinstance(batch_size, bool) or not isinstance(
            batch_size, (int, np.integer)) or batch_size < 1:
        raise InputError(f"batch_size must be an integer >= 1, got "
                         f"{batch_size!r}.")
    parts = []
    for start in range(0, n, batch_size):
        feeds = dict(fixed_feeds or {})
        feeds.update({k: v[start:start + batch_size]
                      for k, v in split_feeds.items()})
        parts.append(sess.run(fetch, feed_dict=feeds))
    return np.concatenate(parts, axis=0)


def cache_activations(sess, inputs, outputs, X, batch_size=5000,
                      feed_dict=None):
    """`sess.run(outputs, {inputs: X})`, in batches, as one numpy array.

    Args:
      sess: a session holding the (restored) frozen layers.
      inputs: the placeholder the frozen layers read (e.g. `X`).
      outputs: the top frozen tensor (e.g. `hidden2`).
      X: the inputs, `[n, ...]`.
      batch_size: rows per `run`.
      feed_dict: extra feeds for every run (e.g. `{training: False}`).

    Returns:
      float array `[n, ...]` with the activations, in the order of `X`.
    """
    X = np.asarray(X)
    if len(X) == 0:
        raise InputError("cache_activations got an empty X.")
    extra = dict(feed_dict or {})
    if inputs in extra:
        raise InputError(
            f"feed_dict must not feed {inputs.name}: it is fed with X.")
    return run_in_batches(sess, outputs, {inputs: X}, batch_size, extra)


class FrozenCache:
    """Frozen-layer activations of a training (and validation) set.

    Args:
      sess, inputs, outputs, batch_size, feed_dict: see
        `cache_activations`.
      X_train: training inputs; cached as `features`.
      X_valid: optional validation inputs; cached as `valid_features`.
    """

    def __init__(self, sess, inputs, outputs, X_train, X_valid=None,
                 batch_size=5000, feed_dict=None):
        self.sess = sess
        self.inputs, self.outputs = inputs, outputs
        self.features = cache_activations(sess, inputs, outputs, X_train,
                                          batch_size, feed_dict)
        self.valid_features = None if X_valid is None else cache_activations(
            sess, inputs, outputs, X_valid, batch_size, feed_dict)

    def build(self, model_fn, y_train, **kwargs):
        """`tf1_dnn.training.build` on the cached features.

        `model_fn(features, is_training)` builds the upper layers; keyword
        arguments are those of `training.build` (batch_size, optimizer,
        clip_value, var_list, seed).
        """
        problem = nonfinite_summary(self.features, "FrozenCache.features")
        if problem:
            raise InputError(
                f"FrozenCache: {problem}. The X_train given to FrozenCache "
                "holds NaN/Inf, or the frozen layers overflow on it.")
        with self.sess.graph.as_default():
            trainer = training.build(model_fn, self.features, y_train,
                                     **kwargs)
        trainer.where = "FrozenCache.train"
        return trainer

    def train(self, model_fn, y_train, y_valid=None, *, n_epochs,
              batch_size, early_stopping=None, callback=None, **kwargs):
        """Builds and runs the in-graph loop on the cache; returns history.

        Validation (if `X_valid` was cached and `y_valid` given) runs on
        the cached validation features.

        Raises:
          InputError: the cached features hold NaN/Inf (checked first).
          TrainingDivergedError: the training loss became NaN/Inf; the
            upper layers are put back to their last finite weights first.
        """
        if y_valid is not None and self.valid_features is None:
            raise InputError(
                "y_valid given but no X_valid was cached: pass X_valid to "
                "FrozenCache(...).")
        trainer = self.build(model_fn, y_train, batch_size=batch_size,
                             **kwargs)
        with self.sess.graph.as_default():
            return training.fit(
                self.sess, trainer, n_epochs,
                None if y_valid is None else self.valid_features, y_valid,
                early_stopping=early_stopping, callback=callback)

    @property
    def nbytes(self):
        """Bytes held by the cache."""
        extra = 0 if self.valid_features is None else self.valid_features.nbytes
        return self.features.nbytes + extra
