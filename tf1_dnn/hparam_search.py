"""Random hyper-parameter search on a log scale, from a validation split.

The recipe of seed 004 (section 6.5, "finding good hyper-parameter values"):

1. Hold out a *validation* set from the training data (about 20 %) -- never
   tune on the test set, or the test accuracy stops measuring generalization.
2. Sample each hyper-parameter at random on a *log scale* inside a rough range
   of powers of ten: `10 ** uniform(low, high)`. The book samples the learning
   rate in 10^-6..10^-2 and the weight decay in 10^-8..10^-4, 100 pairs.
3. Train briefly (few epochs), measure the validation accuracy, sort.
4. Narrow each range to where the best trials are and repeat.

Weight decay is the L2 penalty `0.5 * lambda * sum(W ** 2)` over the kernels
(the 1/2 makes its gradient `lambda * W`); biases are not decayed. In TF1
terms, `lambda * tf.nn.l2_loss(W)` per kernel.

    from tf1_dnn.hparam_search import random_search, narrow_ranges
    results = random_search(X_train, y_train, n_trials=100, random_state=0)
    for r in results[:5]:
        print(format_result(r))
    ranges = narrow_ranges(results, top_k=5)   # e.g. lr 1e-3..1e-2

`train_mlp` (the default trial) builds its own graph and session; importing
this module changes nothing global.

The trials are independent: `random_search(..., workers=4)` runs them in 4
local Dask worker processes (`dask.distributed.LocalCluster`, one thread
each) and `scheduler="tcp://HOST:8786"` on an existing Dask cluster
(optional extra: `pip install 'tf1_dnn[dask]'`). The two splits are sent
once to every worker (`client.scatter(..., broadcast=True)`), not with each
trial; a trial that raises is retried (`retries`, default 2). The sampled
hyper-parameters and the order of the returned list do not depend on the
number of workers; the accuracies do not either when `train_fn` is
deterministic (pass `random_state` and a one-thread `session_config` in
`train_kwargs`). In a script, call it under `if __name__ == "__main__":`
(Dask starts its workers with `spawn`, which re-imports the main module).
"""

import math

import numpy as np

from tf1_dnn import layers
from tf1_dnn._compat import v1
from tf1_dnn.errors import InputError, WorkerDiedError, nonfinite_summary
from tf1_dnn.training import shuffled_batch_indices

__all__ = ["log_uniform", "split_validation", "weight_decay_loss",
           "train_mlp", "random_search", "narrow_ranges", "format_result"]


def log_uniform(low_exponent, high_exponent):
    """Returns `sample(rng) -> 10 ** rng.uniform(low_exponent, high_exponent)`.

    Args:
      low_exponent, high_exponent: the range in powers of ten, e.g. (-6, -2)
        for 1e-6..1e-2. `low_exponent < high_exponent`.
    """
    low, high = float(low_exponent), float(high_exponent)
    if not low < high:
        raise InputError(
            f"log_uniform: need low_exponent < high_exponent, got "
            f"({low_exponent!r}, {high_exponent!r}); the range is in powers "
            "of ten, e.g. (-6, -2) for 1e-6..1e-2")

    def sample(rng):
        return 10.0 ** rng.uniform(low, high)
    return sample


def split_validation(X, y, validation_rate=0.2, random_state=None):
    """Shuffles (X, y) and holds out the first `validation_rate` as validation.

    As the book does: shuffle, then `X_val = X[:n_val]`,
    `X_train = X[n_val:]` with `n_val = int(len(X) * validation_rate)`.

    Returns:
      `(X_train, y_train), (X_val, y_val)`; the inputs are not modified.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise InputError(f"split_validation: X has {len(X)} rows but y has "
                         f"{len(y)}; they must match")
    if not 0 < validation_rate < 1:
        raise InputError("split_validation: validation_rate must be in (0, 1),"
                         f" got {validation_rate!r} (the book uses 0.2)")
    n_val = int(len(X) * validation_rate)
    if n_val < 1 or n_val >= len(X):
        raise InputError(
            f"split_validation: validation_rate={validation_rate} of "
            f"{len(X)} samples leaves no validation or no training data")
    perm = np.random.RandomState(random_state).permutation(len(X))
    val, train = perm[:n_val], perm[n_val:]
    return (X[train], y[train]), (X[val], y[val])


def weight_decay_loss(kernels, weight_decay):
    """`0.5 * weight_decay * sum(sum(W ** 2) for W in kernels)` as a tensor.

    Its gradient with respect to each W is `weight_decay * W`.
    """
    if weight_decay < 0:
        raise InputError(f"weight_decay must be >= 0, got {weight_decay!r}")
    kernels = list(kernels)
    if not kernels:
        return v1.constant(0.0)
    return weight_decay * v1.add_n([v1.nn.l2_loss(w) for w in kernels])


def train_mlp(X_train, y_train, X_val, y_val, learning_rate, weight_decay,
              hidden_layers=(100, 100, 100, 100, 100, 100), n_epochs=50,
              batch_size=100, activation=None, random_state=None,
              session_config=None):
    """One trial: trains an MLP with SGD + weight decay; returns accuracies.

    The book's network: 6 hidden ReLU layers of 100 neurons (He
    initialization), a softmax output, plain SGD, weight decay on the kernels.

    Returns:
      dict with `val_acc`, `train_acc` (final epoch), `final_loss` and
      `diverged` (True when the final loss is NaN/Inf: the trial's learning
      rate was too high; the search goes on).

    Raises:
      InputError: mismatched or empty X/y, NaN/Inf inputs, batch_size < 1,
        n_epochs < 0.
    """
    X_train = np.asarray(X_train, np.float32)
    X_val = np.asarray(X_val, np.float32)
    for name, X_, y_ in (("train", X_train, y_train), ("val", X_val, y_val)):
        if X_.ndim != 2 or np.ndim(y_) != 1 or len(X_) != len(y_) or \
                not len(X_):
            raise InputError(
                f"train_mlp: X_{name} must be [n, features] and y_{name} [n] "
                f"with the same n > 0; got shapes {X_.shape} and "
                f"{np.shape(y_)}.")
        problem = nonfinite_summary(X_, f"X_{name}")
        if problem:
            raise InputError(f"train_mlp: {problem}.")
    for name, value, low in (("batch_size", batch_size, 1),
                             ("n_epochs", n_epochs, 0)):
        if isinstance(value, bool) or not isinstance(
                value, (int, np.integer)) or value < low:
            raise InputError(f"train_mlp: {name} must be an integer >= "
                             f"{low}, got {value!r}.")
    y_train = np.asarray(y_train).astype(np.int32)
    y_val = np.asarray(y_val).astype(np.int32)
    n_classes = int(max(y_train.max(), y_val.max())) + 1
    activation = activation or v1.nn.relu
    rng = np.random.RandomState(random_state)
    graph = v1.Graph()
    with graph.as_default():
        if random_state is not None:
            v1.set_random_seed(random_state)
        X = v1.placeholder(v1.float32, (None, X_train.shape[1]), name="X")
        y = v1.placeholder(v1.int32, (None,), name="y")
        he_init = v1.variance_scaling_initializer(scale=2.0)
        hidden = X
        for i, units in enumerate(hidden_layers):
            hidden = layers.dense(hidden, units, activation=activation,
                                  kernel_initializer=he_init,
                                  name="hidden%d" % (i + 1))
        logits = layers.dense(hidden, n_classes, name="outputs")
        kernels = [v for v in v1.trainable_variables()
                   if v.op.name.endswith("/kernel")]
        base_loss = v1.reduce_mean(
            v1.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                           logits=logits))
        loss = base_loss + weight_decay_loss(kernels, weight_decay)
        training_op = v1.train.GradientDescentOptimizer(
            learning_rate).minimize(loss)
        accuracy = v1.reduce_mean(v1.cast(v1.nn.in_top_k(logits, y, 1),
                                          v1.float32))
        init = v1.global_variables_initializer()
    n_batches = max(1, len(X_train) // batch_size)
    with v1.Session(graph=graph, config=session_config) as sess:
        sess.run(init)
        for _ in range(n_epochs):
            for idx in shuffled_batch_indices(len(X_train), n_batches, rng):
                sess.run(training_op, {X: X_train[idx], y: y_train[idx]})
        train_acc, final_loss = sess.run([accuracy, loss],
                                         {X: X_train, y: y_train})
        val_acc = sess.run(accuracy, {X: X_val, y: y_val})
    # A diverged trial (NaN/Inf loss: learning rate too high) is a normal
    # outcome of a random search: it is reported, not raised, and ranks last.
    return {"val_acc": float(val_acc), "train_acc": float(train_acc),
            "final_loss": float(final_loss),
            "diverged": not np.isfinite(final_loss)}


def random_search(X, y, n_trials=100, learning_rate_range=(-6, -2),
                  weight_decay_range=(-8, -4), validation_rate=0.2,
                  train_fn=train_mlp, random_state=None, verbose=False,
                  workers=None, scheduler=None, retries=2, **train_kwargs):
    """Samples (learning rate, weight decay) pairs; returns trials, best first.

    Args:
      X, y: the *training* data; a validation split is held out of it.
      n_trials: number of sampled pairs (the book: 100).
      learning_rate_range, weight_decay_range: exponent ranges (powers of 10).
      validation_rate: share of (X, y) held out (the book: 0.2).
      train_fn: `train_fn(X_train, y_train, X_val, y_val, learning_rate,
        weight_decay, **train_kwargs) -> dict with "val_acc"`.
      random_state: seeds the split and the sampling.
      workers: run the trials in this many local Dask worker processes.
      scheduler: or on the Dask cluster at this address (tcp://HOST:PORT).
        `train_fn` must then be importable on the workers (a module-level
        function, like `train_mlp`).
      retries: with Dask, how many times a trial that raised is retried.
        A worker process that dies (killed, out of memory) does not count
        here: Dask retries such a task until it has killed
        `distributed.scheduler.allowed-failures` + 1 workers (default 4),
        then this raises `tf1_dnn.errors.WorkerDiedError` naming the trial.
      **train_kwargs: passed to `train_fn` (e.g. `n_epochs`).

    Returns:
      a list of dicts (`learning_rate`, `weight_decay`, `trial`, and what
      `train_fn` returned), sorted by `val_acc`, best first.
    """
    if n_trials < 1:
        raise InputError(f"random_search: n_trials must be >= 1, got {n_trials}")
    sample_lr = log_uniform(*learning_rate_range)
    sample_wd = log_uniform(*weight_decay_range)
    rng = np.random.RandomState(random_state)
    (X_train, y_train), (X_val, y_val) = split_validation(
        X, y, validation_rate, random_state=rng.randint(2 ** 31 - 1))
    # The book samples the weight decay first, then the learning rate.
    samples = []
    for _ in range(n_trials):
        weight_decay = sample_wd(rng)
        samples.append((sample_lr(rng), weight_decay))
    if workers is not None or scheduler is not None:
        outputs = _run_on_dask(train_fn, (X_train, y_train, X_val, y_val),
                               samples, train_kwargs, workers, scheduler,
                               retries)
    else:
        outputs = (train_fn(X_train, y_train, X_val, y_val, learning_rate,
                            weight_decay, **train_kwargs)
                   for learning_rate, weight_decay in samples)
    results = []
    for trial, ((learning_rate, weight_decay), output) in enumerate(
            zip(samples, outputs)):
        result = dict(output)
        result.update(trial=trial, learning_rate=learning_rate,
                      weight_decay=weight_decay)
        results.append(result)
        if verbose:
            print(format_result(result))
    return sorted(results, key=lambda r: (-r["val_acc"], r["trial"]))


def _run_on_dask(train_fn, splits, samples, train_kwargs, workers, scheduler,
                 retries):
    """`train_fn` of every (lr, weight decay) on Dask, in `samples` order."""
    from tf1_dnn.lab.parallel import dask_client

    with dask_client(workers, scheduler) as client:
        shared = client.scatter(list(splits), broadcast=True)
        futures = [client.submit(train_fn, *shared, learning_rate,
                                 weight_decay, retries=retries, pure=False,
                                 **train_kwargs)
                   for learning_rate, weight_decay in samples]
        try:
            return client.gather(futures)
        except Exception as exc:
            if type(exc).__name__ != "KilledWorker":
                raise
            raise WorkerDiedError(_killed_trial_text(
                exc, futures, samples)) from exc


def _killed_trial_text(exc, futures, samples):
    """Our message for a trial whose Dask worker died (KilledWorker)."""
    trial = next((i for i, f in enumerate(futures) if f.status == "error"),
                 None)
    which = "a trial" if trial is None else (
        f"trial {trial} (learning_rate={samples[trial][0]:.3g}, "
        f"weight_decay={samples[trial][1]:.3g})")
    allowed = getattr(exc, "allowed_failures", None)
    deaths = "" if allowed is None else (
        f" on {allowed + 1} attempt{'s' if allowed else ''} (Dask gives up on a task once it has "
        f"killed distributed.scheduler.allowed-failures + 1 = {allowed + 1} "
        f"workers; `retries` does not count deaths)")
    return (f"random_search: the Dask worker process running {which} "
            f"died{deaths}. The process was ended from outside or crashed "
            f"without a Python error: most often out of memory (the "
            f"kernel's OOM killer), else a crash in native code. Give the "
            f"workers more memory or start fewer per machine (`workers=`), "
            f"or run the search without Dask (workers=None, scheduler=None) "
            f"to see the error. Dask said: {exc}")


def narrow_ranges(results, top_k=5):
    """New exponent ranges covering the `top_k` best trials.

    For each hyper-parameter: `(floor(log10(min)), ceil(log10(max)))` over the
    best trials (a range of at least one power of ten), e.g. learning rates
    0.002..0.04 -> (-3, -1).

    Returns:
      `{"learning_rate": (lo, hi), "weight_decay": (lo, hi)}`.
    """
    if not results:
        raise InputError("narrow_ranges: no results to narrow from")
    best = sorted(results, key=lambda r: -r["val_acc"])[:top_k]
    ranges = {}
    for key in ("learning_rate", "weight_decay"):
        exps = [math.log10(r[key]) for r in best]
        lo, hi = math.floor(min(exps)), math.ceil(max(exps))
        ranges[key] = (lo, hi if hi > lo else lo + 1)
    return ranges


def format_result(result):
    """One line like the book's: `val acc:0.77 | lr:0.0042, weight decay:3.1e-07`."""
    return ("val acc:%.4f | lr:%.3g, weight decay:%.3g"
            % (result["val_acc"], result["learning_rate"],
               result["weight_decay"]))
