"""The fast training loop: the data in the graph, a whole epoch per `run`.

A TF 1.x feed_dict loop pays, for every mini-batch, one `Session.run` (Python
feed/fetch handling, ~50-200 us) plus one executor launch. For the chapter's
small networks that is a large part of the step. `train()` keeps the
training set in the graph (a non-saved variable loaded once), shuffles it in
the graph at the start of every epoch and runs all the epoch's mini-batches
in one `tf.while_loop`, i.e. one `Session.run` per epoch::

    from tf1_dnn import tf, training

    def model_fn(X, is_training):            # builds the network on X
        he_init = tf.variance_scaling_initializer(scale=2.0)
        h1 = tf.layers.dense(X, 300, activation=tf.nn.elu,
                             kernel_initializer=he_init, name="hidden1")
        h2 = tf.layers.dense(h1, 100, activation=tf.nn.elu,
                             kernel_initializer=he_init, name="hidden2")
        return tf.layers.dense(h2, 10, name="outputs")      # the logits

    with tf.Graph().as_default():
        with tf.Session() as sess:
            history = training.train(
                sess, model_fn, X_train, y_train, X_valid, y_valid,
                n_epochs=20, batch_size=50,
                optimizer=tf.train.GradientDescentOptimizer(0.01))
    for h in history:
        print(h["epoch"], h["loss"], h["valid_accuracy"], h["seconds"])

The chapter's semantics are kept:

* shuffling every epoch: a fresh `tf.random_shuffle` permutation per epoch,
  cut into `len(X) // batch_size` batches the way the chapter's
  `shuffle_batch` does (`np.array_split`: sizes differ by at most one, every
  example is used once per epoch);
* one optimizer step per mini-batch, in order (`parallel_iterations=1`);
  the weights a step reads are the ones the previous step wrote;
* batch norm: `model_fn` gets `is_training=True` in the loop, and every op
  it adds to `UPDATE_OPS` runs before the step's update (as the chapter's
  `tf.control_dependencies(extra_update_ops)`); they are removed from the
  `UPDATE_OPS` collection again, because they live inside the loop;
* gradient clipping by value (`clip_value`, via `tf1_dnn.clipping`), skipping
  `None` gradients;
* frozen layers: `var_list` (variables, or a scope regex such as
  `"hidden[34]|outputs"` as in the chapter) -- only those are trained;
* early stopping between epochs (`early_stopping=patience`): the best
  weights (lowest validation loss) are kept in memory and restored at the end
  (`tf1_dnn.early_stopping.EarlyStopping`, patience in epochs).

Towers (`towers=2`, new code only): every mini-batch is cut into `towers`
equal parts whose forward and backward passes are independent subgraphs,
so TensorFlow runs them side by side on the inter-op threads; their
gradients are summed into the gradient of the whole batch's mean loss (the
chapter's step, up to float rounding; the cut is `t*m//towers`). It pays
when each kernel runs on one core: use a session with one intra-op thread,
`tf.Session(config=tf1_dnn.session.small_model_config())` -- with
TensorFlow's default threads the two towers fight over the same cores.
Measured on 2 cores (W1 of the bench, 784-300-100-10, batch 50): 0.85 s per
epoch with 1 tower and default threads, 0.68 s with 2 towers and 1 intra-op
thread, 0.97 s with 1 tower and 1 thread. Not with batch norm (each tower
would normalize with its own half-batch statistics; `build()` raises).

API: `build()` adds the ops (`InGraphTrainer`), `fit()` runs epochs and
returns the history, `train()` does both. Each history entry is a dict:
`epoch`, `loss` (mean training loss over the epoch's batches),
`train_accuracy` (over the epoch's batches, computed on the fly),
`valid_loss`, `valid_accuracy` (None without validation data), `seconds`
(wall time of the epoch's training run, evaluation excluded).

Caveats:
  - `model_fn(X, is_training)` is called three times: once on a placeholder
    to create the variables, once inside the loop (training) and once for
    evaluation, the last two with `reuse=True`. It must create its variables
    with `tf.get_variable`/`tf.layers` (named, reusable), not `tf.Variable`.
  - Weight regularization losses in `REGULARIZATION_LOSSES` are computed
    outside the loop, so they cannot be used inside it. Return them from
    `model_fn` instead: `return logits, extra_loss` (e.g.
    `tf.add_n([scale * tf.nn.l2_loss(w) for w in weights])`); `build()`
    raises if `model_fn` added regularization losses and returned none.
  - The training set is copied into the graph's memory once (float32: 4
    bytes per pixel); for data that does not fit, use a feed_dict loop.
  - The shuffling uses TensorFlow's RNG (`seed` argument / graph seed), not
    numpy's, so the batches differ from a numpy-shuffled loop with the same
    seed. `fit(..., return_permutations=True)` records each epoch's
    permutation for exact replays.
  - Variables created by `build()` (the data, the optimizer's slots) are
    initialized by `fit()` when uninitialized; variables you restored or
    initialized before are left as they are.
"""

import contextlib
import time

import numpy as np

from tf1_dnn._compat import tf2, v1
from tf1_dnn import clipping
from tf1_dnn.early_stopping import EarlyStopping
from tf1_dnn.errors import (InputError, TrainingDivergedError,
                            diverged_message, nonfinite_summary)

__all__ = ["InGraphTrainer", "build", "fit", "train", "array_split_bounds",
           "shuffled_batch_indices"]


def shuffled_batch_indices(n, n_batches, rng=np.random):
    """The chapter's epoch: one permutation of `range(n)` cut with
    `np.array_split` into `n_batches` index arrays (sizes differ by at most
    one; every example once). The one numpy copy of the loop, used by
    `DNNClassifier.fit`, `hparam_search.train_mlp` and
    `reuse.shuffled_batches`; `build()` does the same in the graph."""
    return np.array_split(rng.permutation(n), n_batches)


def array_split_bounds(n, n_batches):
    """Start indices of `np.array_split(range(n), n_batches)`, plus `n`.

    The first `n % n_batches` batches have one example more.
    """
    base, extra = divmod(n, n_batches)
    return np.array([k * base + min(k, extra) for k in range(n_batches + 1)],
                    dtype=np.int64)


def _call_model(model_fn, X, is_training):
    out = model_fn(X, is_training)
    if isinstance(out, (tuple, list)):
        if len(out) != 2:
            raise InputError(
                "model_fn must return the logits, or (logits, extra_loss); "
                f"it returned a {type(out).__name__} of length {len(out)}.")
        return out[0], out[1]
    return out, None


def _resolve_var_list(var_list):
    if var_list is None:
        return None
    if isinstance(var_list, str):
        found = v1.get_collection(v1.GraphKeys.TRAINABLE_VARIABLES,
                                  scope=var_list)
        if not found:
            raise InputError(
                f"var_list={var_list!r} matches no trainable variable. "
                "Trainable variables are: "
                f"{[v.op.name for v in v1.trainable_variables()]}.")
        return found
    return list(var_list)


def _batch_gradients(model_fn, scope, optimizer, train_vars, Xb, yb, towers):
    """(loss, grads_and_vars, correct) of one mini-batch, in `towers` parts.

    One tower: the chapter's step, mean cross-entropy of the batch (plus
    `extra_loss`). More: tower t takes rows [t*m//towers, (t+1)*m//towers)
    of the m-row batch and differentiates sum(cross-entropy of its rows) / m
    (plus `extra_loss` in tower 0 only); the towers' gradients are summed,
    which is the gradient of the whole batch's mean loss (+ extra_loss) --
    up to float rounding.
    """
    if towers == 1:
        parts = [(Xb, yb)]
    else:
        m = v1.shape(Xb, out_type=tf2.int64)[0]
        parts = [(Xb[(m * t) // towers:(m * (t + 1)) // towers],
                  yb[(m * t) // towers:(m * (t + 1)) // towers])
                 for t in range(towers)]
    losses, tower_gvs, corrects = [], [], []
    for t, (Xt, yt) in enumerate(parts):
        with (v1.name_scope(f"tower{t}") if towers > 1
              else contextlib.nullcontext()):
            with v1.variable_scope(scope, reuse=True,
                                   auxiliary_name_scope=False):
                logits, extra = _call_model(model_fn, Xt, True)
            xent = v1.nn.sparse_softmax_cross_entropy_with_logits(
                labels=yt, logits=logits)
            if towers == 1:
                loss = v1.reduce_mean(xent)
            else:
                loss = v1.reduce_sum(xent) / v1.cast(m, xent.dtype)
            if extra is not None and t == 0:
                loss += extra
            losses.append(loss)
            tower_gvs.append(optimizer.compute_gradients(
                loss, var_list=train_vars))
            corrects.append(v1.reduce_sum(v1.cast(
                v1.equal(v1.argmax(logits, 1), yt), tf2.int64)))
    if towers == 1:
        return losses[0], tower_gvs[0], corrects[0]
    grads_and_vars = []
    with v1.name_scope("tower_sum"):
        for pairs in zip(*tower_gvs):
            grads = [g for g, _ in pairs if g is not None]
            if not grads:
                grad = None
            elif len(grads) == 1:
                grad = grads[0]
            elif any(isinstance(g, v1.IndexedSlices) for g in grads):
                # Sparse gradients (embedding lookups): concatenate slices.
                slices = [g if isinstance(g, v1.IndexedSlices) else
                          v1.IndexedSlices(g, v1.range(v1.shape(g)[0]),
                                           v1.shape(g)) for g in grads]
                grad = v1.IndexedSlices(
                    v1.concat([g.values for g in slices], 0),
                    v1.concat([v1.cast(g.indices, tf2.int64)
                               for g in slices], 0),
                    slices[0].dense_shape)
            else:
                grad = v1.add_n(grads)
            grads_and_vars.append((grad, pairs[0][1]))
    return v1.add_n(losses), grads_and_vars, v1.add_n(corrects)


class InGraphTrainer:
    """The ops `build()` adds. Run them with `fit()`.

    Attributes:
      epoch_op: runs one epoch (returns summed loss, correct count).
      permutation: this epoch's permutation (fetch it with `epoch_op`).
      logits_eval: logits of `model_fn(X_eval, False)`, X_eval a placeholder.
      X_eval, y_eval: placeholders of the evaluation graph.
      n_train, batch_size, n_batches: sizes.
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def load_data(self, sess):
        """Loads the data variables and initializes uninitialized variables."""
        sess.run(self.data_init, feed_dict=self.data_feed)
        names = sess.run(v1.report_uninitialized_variables(self.variables))
        names = set(n.decode() if isinstance(n, bytes) else n for n in names)
        todo = [v for v in self.variables if v.op.name in names]
        if todo:
            sess.run(v1.variables_initializer(todo))

    def evaluate(self, sess, X, y, batch_size=5000):
        """(mean loss, accuracy) of the model in inference mode on X, y."""
        losses, correct = 0.0, 0
        for start in range(0, len(X), batch_size):
            xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            loss_sum, c = sess.run(
                [self.eval_loss_sum, self.eval_correct],
                feed_dict={self.X_eval: xb, self.y_eval: yb})
            losses += float(loss_sum)
            correct += int(c)
        return losses / len(X), correct / len(X)


def build(model_fn, X_train, y_train, *, batch_size, optimizer=None,
          clip_value=None, var_list=None, seed=None, towers=1,
          name="in_graph_training"):
    """Adds in-graph training ops for `model_fn` to the default graph.

    Args:
      model_fn: `model_fn(X, is_training) -> logits` or `(logits,
        extra_loss)`; X is a float32 `[batch, n_features]` tensor,
        is_training a Python bool. The loss is the mean sparse softmax
        cross-entropy of the logits plus `extra_loss`.
      X_train: float array `[n, n_features]` (or `[n, 28, 28]`, flattened).
      y_train: integer labels `[n]`.
      batch_size: mini-batch size; `n // batch_size` batches per epoch.
      optimizer: a `tf.train` optimizer (default
        `GradientDescentOptimizer(0.01)`).
      clip_value: clip every gradient to [-clip_value, clip_value].
      var_list: variables to train (or a TRAINABLE_VARIABLES scope regex);
        the others are frozen. Default: all trainable variables.
      seed: op seed of the shuffling.
      towers: split every mini-batch into this many equal parts whose
        gradients are computed side by side and summed (see "Towers" in
        the module docstring). 1 (default) = the chapter's single step.
      name: name scope of the added ops.

    Returns:
      an `InGraphTrainer`.

    Raises:
      InputError (a ValueError): NaN/Inf in X_train (named: count and first
        row), inconsistent data, a model_fn that relies on
        `REGULARIZATION_LOSSES` (see the module caveats), or `towers` that
        is not an int in [1, batch_size] or is used with batch norm.
    """
    X_train = np.asarray(X_train)
    y_train = np.asarray(y_train)
    if X_train.ndim > 2:
        X_train = X_train.reshape(len(X_train), -1)
    if X_train.ndim != 2 or y_train.ndim != 1 or len(X_train) != len(y_train):
        raise InputError(
            f"X_train must be [n, features] and y_train [n] with the same n; "
            f"got shapes {X_train.shape} and {y_train.shape}.")
    if not np.issubdtype(y_train.dtype, np.integer):
        raise InputError(
            f"y_train must hold integer class ids, got dtype {y_train.dtype}. "
            "Convert one-hot labels with y.argmax(axis=1).")
    problem = nonfinite_summary(X_train, "X_train")
    if problem:
        # Checked first: how a NaN row propagates depends on the kernels
        # (oneDNN or Eigen), so training on it is not even reproducible.
        raise InputError(problem + ".")
    n, n_features = X_train.shape
    batch_size = int(batch_size)
    if not 0 < batch_size <= n:
        raise InputError(f"batch_size must be in [1, {n}], got {batch_size}.")
    n_batches = n // batch_size
    if (isinstance(towers, bool) or not isinstance(towers, (int, np.integer))
            or not 1 <= towers <= batch_size):
        raise InputError(
            f"towers must be an int in [1, batch_size={batch_size}] (each "
            f"tower gets at least one example), got {towers!r}.")
    towers = int(towers)
    optimizer = optimizer or v1.train.GradientDescentOptimizer(0.01)
    X_dtype = X_train.dtype if X_train.dtype in (np.float16, np.float64) \
        else np.float32

    existing = set(id(v) for v in v1.global_variables())
    reg_before = len(v1.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES))

    # 1. Variables: a first call on a placeholder (evaluation graph too).
    with v1.name_scope(None):
        X_eval = v1.placeholder(X_dtype, shape=(None, n_features),
                                name=f"{name}/X_eval")
        y_eval = v1.placeholder(tf2.int64, shape=(None,),
                                name=f"{name}/y_eval")
    scope = v1.get_variable_scope()
    with v1.variable_scope(scope, auxiliary_name_scope=False):
        logits_eval, extra_eval = _call_model(model_fn, X_eval, False)
    if (len(v1.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES)) > reg_before
            and extra_eval is None):
        raise InputError(
            "model_fn created weight regularization losses "
            "(REGULARIZATION_LOSSES), which cannot be used inside the "
            "in-graph loop. Return them from model_fn instead: "
            "`return logits, extra_loss`.")
    train_vars = _resolve_var_list(var_list)

    with v1.name_scope(name):
        xent_eval = v1.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y_eval, logits=logits_eval)
        eval_loss_sum = v1.reduce_sum(xent_eval)
        if extra_eval is not None:
            eval_loss_sum += extra_eval * v1.cast(v1.size(y_eval),
                                                  extra_eval.dtype)
        eval_correct = v1.reduce_sum(v1.cast(v1.equal(
            v1.argmax(logits_eval, 1), y_eval), tf2.int64))

        X_init = v1.placeholder(X_dtype, shape=X_train.shape, name="X_init")
        y_init = v1.placeholder(tf2.int64, shape=y_train.shape, name="y_init")
        X_data = v1.Variable(X_init, trainable=False, collections=[],
                             name="X_data")
        y_data = v1.Variable(y_init, trainable=False, collections=[],
                             name="y_data")
        bounds = v1.constant(array_split_bounds(n, n_batches), name="bounds")
        permutation = v1.random_shuffle(v1.range(n, dtype=tf2.int64),
                                        seed=seed, name="permutation")

    loop_updates = []

    def body(i, loss_sum, correct):
        start, stop = bounds[i], bounds[i + 1]
        idx = permutation[start:stop]
        Xb = v1.gather(X_data, idx)
        yb = v1.gather(y_data, idx)
        updates_before = len(v1.get_collection(v1.GraphKeys.UPDATE_OPS))
        loss, grads_and_vars, batch_correct = _batch_gradients(
            model_fn, scope, optimizer, train_vars, Xb, yb, towers)
        new_updates = v1.get_collection(
            v1.GraphKeys.UPDATE_OPS)[updates_before:]
        if towers > 1 and new_updates:
            del v1.get_collection_ref(
                v1.GraphKeys.UPDATE_OPS)[updates_before:]
            raise InputError(
                f"towers={towers} cannot be used with batch normalization "
                "(model_fn added UPDATE_OPS): each tower would normalize with "
                "the statistics of its own part of the mini-batch, not the "
                "chapter's whole-batch statistics. Use towers=1.")
        loop_updates.extend(new_updates)
        if clip_value is not None:
            grads_and_vars = clipping.clip_by_value(
                grads_and_vars, -clip_value, clip_value)
        with v1.control_dependencies(new_updates):
            step = optimizer.apply_gradients(grads_and_vars)
        with v1.control_dependencies([step]):
            return (i + 1, loss_sum + v1.cast(loss, tf2.float64),
                    correct + batch_correct)

    with v1.name_scope(name):
        loop = v1.while_loop(
            lambda i, *_: i < n_batches, body,
            [v1.constant(0), v1.constant(0.0, tf2.float64),
             v1.constant(0, tf2.int64)],
            parallel_iterations=1, back_prop=False, name="epoch")
    _, epoch_loss_sum, epoch_correct = loop
    # The loop's update ops must not be run from outside: restore UPDATE_OPS.
    in_loop = set(id(u) for u in loop_updates)
    updates = v1.get_collection_ref(v1.GraphKeys.UPDATE_OPS)
    updates[:] = [u for u in updates if id(u) not in in_loop]

    new_vars = [v for v in v1.global_variables() if id(v) not in existing]
    variables = list(v1.global_variables())
    with v1.name_scope(f"{name}/keep_finite"):
        keep_feeds = [v1.placeholder(v.dtype.base_dtype, v.shape)
                      for v in variables]
        keep_restore = v1.group(*[v.assign(p) for v, p in
                                  zip(variables, keep_feeds)])
    return InGraphTrainer(
        input_problem=None,
        keep_feeds=keep_feeds, keep_restore=keep_restore,
        epoch_fetches=[epoch_loss_sum, epoch_correct, permutation],
        permutation=permutation,
        data_init=[X_data.initializer, y_data.initializer],
        data_feed={X_init: X_train.astype(X_dtype, copy=False),
                   y_init: y_train.astype(np.int64)},
        variables=variables,
        loop_update_ops=loop_updates,
        X_eval=X_eval, y_eval=y_eval, logits_eval=logits_eval,
        eval_loss_sum=eval_loss_sum, eval_correct=eval_correct,
        n_train=n, batch_size=batch_size, n_batches=n_batches,
        train_vars=train_vars, new_variables=new_vars)


def fit(sess, trainer, n_epochs, X_valid=None, y_valid=None,
        early_stopping=None, load=True, callback=None,
        return_permutations=False):
    """Runs `n_epochs` in-graph epochs; returns the per-epoch history.

    Args:
      sess: the session (of the graph `build()` added to).
      trainer: from `build()`.
      n_epochs: number of epochs.
      X_valid, y_valid: validation data, evaluated after every epoch.
      early_stopping: None, or the patience: stop after that many epochs
        without a lower validation loss, and restore the best weights.
      load: load the data and initialize uninitialized variables first.
      callback: `callback(entry) -> bool`, called after every epoch; a true
        result stops training.
      return_permutations: add each epoch's `permutation` to its entry.

    Returns:
      a list of dicts (see the module docstring).

    Raises:
      TrainingDivergedError: the epoch's training loss is NaN or Inf. The
        variables are first put back to their values before that epoch (the
        last finite ones); the message names the epoch and the likely cause
        (the learning rate: NaN/Inf in X_train is refused by `build()`);
        the error's `history` holds the epochs run, the diverged one last.
      InputError: X_valid holds NaN/Inf.
    """
    if isinstance(n_epochs, bool) or not isinstance(
            n_epochs, (int, np.integer)) or n_epochs < 0:
        raise InputError(f"n_epochs must be an integer >= 0, got "
                         f"{n_epochs!r}.")
    if early_stopping is not None and X_valid is None:
        raise InputError("early_stopping needs X_valid and y_valid.")
    if load:
        trainer.load_data(sess)
    if X_valid is not None:
        X_valid = np.asarray(X_valid).reshape(len(X_valid), -1)
        X_valid = X_valid.astype(trainer.X_eval.dtype.as_numpy_dtype,
                                 copy=False)
        y_valid = np.asarray(y_valid).astype(np.int64)
        problem = nonfinite_summary(X_valid, "X_valid")
        if problem:
            raise InputError(problem + ".")
    history = []
    stopper = None if early_stopping is None else EarlyStopping(
        sess, var_list=list(trainer.variables), patience=early_stopping)
    for epoch in range(n_epochs):
        last_finite = sess.run(trainer.variables)
        t0 = time.perf_counter()
        loss_sum, correct, perm = sess.run(trainer.epoch_fetches)
        seconds = time.perf_counter() - t0
        entry = {"epoch": epoch, "loss": float(loss_sum) / trainer.n_batches,
                 "train_accuracy": int(correct) / trainer.n_train,
                 "valid_loss": None, "valid_accuracy": None,
                 "seconds": seconds}
        if return_permutations:
            entry["permutation"] = perm
        if not np.isfinite(entry["loss"]):
            history.append(entry)
            sess.run(trainer.keep_restore,
                     dict(zip(trainer.keep_feeds, last_finite)))
            raise TrainingDivergedError(
                diverged_message(
                    getattr(trainer, "where", "training.fit"), epoch, entry["loss"],
                    trainer.input_problem,
                    "The session holds the weights of before that epoch "
                    "(the last finite ones)."),
                epoch=epoch, input_has_nan=bool(trainer.input_problem),
                history=history)
        if X_valid is not None:
            entry["valid_loss"], entry["valid_accuracy"] = trainer.evaluate(
                sess, X_valid, y_valid)
        history.append(entry)
        stop = bool(callback(entry)) if callback else False
        if stopper is not None and stopper.update(entry["valid_loss"]):
            stop = True
        if stop:
            break
    if stopper is not None and stopper.best_index is not None:
        stopper.restore()
    return history


def train(sess, model_fn, X_train, y_train, X_valid=None, y_valid=None, *,
          n_epochs, batch_size, optimizer=None, clip_value=None,
          var_list=None, seed=None, towers=1, early_stopping=None,
          callback=None):
    """`build()` then `fit()`: the one-call fast training loop.

    See `build()` and `fit()` for the arguments. Returns the history.
    """
    with sess.graph.as_default():
        trainer = build(model_fn, X_train, y_train, batch_size=batch_size,
                        optimizer=optimizer, clip_value=clip_value,
                        var_list=var_list, seed=seed, towers=towers)
        return fit(sess, trainer, n_epochs, X_valid, y_valid,
                   early_stopping=early_stopping, callback=callback)
