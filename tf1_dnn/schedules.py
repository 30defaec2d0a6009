"""Learning-rate schedules driven by `global_step`, TF 1.x style.

The chapter's listing works natively (`tf.train.exponential_decay` still
exists in `tf.compat.v1`)::

    global_step = tf.Variable(0, trainable=False, name="global_step")
    learning_rate = tf.train.exponential_decay(0.1, global_step, 10000, 1/10)
    optimizer = tf.train.MomentumOptimizer(learning_rate, momentum=0.9)
    training_op = optimizer.minimize(loss, global_step=global_step)

This module adds what `tf.train` lacks, all as graph tensors of
`global_step` unless noted (t = global_step):

* `exponential_decay` -- eta0 * decay_rate ** (t / decay_steps) (floor of
  the exponent if `staircase`), `tf.train.exponential_decay` with its
  arguments checked (TF1 silently returns 0 or NaN for decay_steps=0).
* `power_decay` -- power scheduling eta0 / (1 + t / decay_steps) ** power
  (`tf.train.inverse_time_decay` is the power=1 case).
* `piecewise_constant` -- `tf.train.piecewise_constant` with its arguments
  checked.
* `one_cycle` -- Leslie Smith's 1cycle: learning rate and momentum.
* `ReduceOnPlateau` -- performance scheduling: a small object your training
  loop calls with the validation metric; it lowers a learning-rate variable.

Importing this module changes nothing global.
"""

import math
import numbers

from tf1_dnn._compat import v1
from tf1_dnn._plateau import improved
from tf1_dnn.errors import InputError, InputTypeError

__all__ = ["exponential_decay", "power_decay", "piecewise_constant",
           "one_cycle", "ReduceOnPlateau"]


def _check_global_step(global_step, what):
    if global_step is None:
        raise InputError(
            f"{what}: global_step is required, e.g. "
            "global_step = tf.Variable(0, trainable=False, "
            "name='global_step'), then optimizer.minimize(loss, "
            "global_step=global_step) increments it.")


def _check_positive(value, name, what):
    if isinstance(value, numbers.Real) and not value > 0:
        raise InputError(f"{what}: {name} must be > 0, got {value!r}.")


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate,
                      staircase=False, name=None):
    """eta(t) = learning_rate * decay_rate ** (t / decay_steps).

    Same signature and result as `tf.train.exponential_decay` (it calls it);
    with `staircase=True` the exponent is `floor(t / decay_steps)`, so the
    rate drops at t = decay_steps, 2 * decay_steps, ...  The book's
    `eta0 * 10 ** (-t / r)` is `decay_rate=0.1, decay_steps=r`.

    Raises:
      ValueError: global_step is None, decay_steps <= 0 or decay_rate <= 0
        (when given as numbers).
    """
    what = "exponential_decay"
    _check_global_step(global_step, what)
    _check_positive(decay_steps, "decay_steps", what)
    _check_positive(decay_rate, "decay_rate", what)
    return v1.train.exponential_decay(learning_rate, global_step, decay_steps,
                                      decay_rate, staircase=staircase,
                                      name=name)


def power_decay(learning_rate, global_step, decay_steps, power=1.0,
                staircase=False, name=None):
    """Power scheduling: eta(t) = eta0 / (1 + t / decay_steps) ** power.

    The chapter's eta0 * (1 + t / r) ** -c. With power=1 this is
    `tf.train.inverse_time_decay(learning_rate, t, decay_steps, 1.0)`; the
    rate falls quickly at first, then ever more slowly (slower than
    exponential decay). With `staircase=True`, t / decay_steps is floored.

    Args:
      learning_rate: eta0, a float (or scalar tensor).
      global_step: the step counter (int variable or tensor).
      decay_steps: s > 0; the rate is halved (power=1) at t = s.
      power: c >= 0, typically 1.
      staircase: floor t / decay_steps.

    Returns:
      A float32 scalar tensor (the dtype of `learning_rate` if a tensor).
    """
    what = "power_decay"
    _check_global_step(global_step, what)
    _check_positive(decay_steps, "decay_steps", what)
    if isinstance(power, numbers.Real) and power < 0:
        raise InputError(f"{what}: power must be >= 0, got {power!r}.")
    with v1.name_scope(name, "PowerDecay",
                       [learning_rate, global_step, decay_steps, power]):
        lr = v1.convert_to_tensor(learning_rate, name="learning_rate",
                                  preferred_dtype=v1.float32)
        if not lr.dtype.is_floating:
            lr = v1.cast(lr, v1.float32)
        dtype = lr.dtype
        t = v1.cast(global_step, dtype)
        p = v1.div(t, v1.cast(decay_steps, dtype))
        if staircase:
            p = v1.floor(p)
        return v1.div(lr, v1.pow(1.0 + p, v1.cast(power, dtype)), name=name)


def piecewise_constant(x, boundaries, values, name=None):
    """`tf.train.piecewise_constant` with its arguments checked.

    values[0] for x <= boundaries[0], values[i] for
    boundaries[i-1] < x <= boundaries[i], values[-1] for x > boundaries[-1].

    Caveat: a boundary step belongs to the *earlier* piece (<=), whereas the
    2nd edition's `if epoch < 5: ...` gives the later value at epoch 5:
    `boundaries=[5]` here switches at step 6.

    Raises:
      ValueError: len(values) != len(boundaries) + 1, or boundaries that
        are numbers and not strictly increasing (TF1 builds the graph,
        then returns the wrong piece for some steps and fails at run time
        with "exclusive=True: more than 1 conditions ... evaluated as True"
        for others).
    """
    what = "piecewise_constant"
    boundaries, values = list(boundaries), list(values)
    if len(values) != len(boundaries) + 1:
        raise InputError(
            f"{what}: needs one more value than boundaries, got "
            f"{len(boundaries)} boundaries and {len(values)} values "
            "(values[i] is used up to and including boundaries[i]).")
    if all(isinstance(b, numbers.Real) for b in boundaries):
        for a, b in zip(boundaries, boundaries[1:]):
            if not a < b:
                raise InputError(
                    f"{what}: boundaries must be strictly increasing, got "
                    f"{boundaries}.")
    return v1.train.piecewise_constant(x, boundaries, values, name=name)


def _one_cycle_phases(total_steps, start, max_rate, last_steps, last):
    half = (total_steps - last_steps) // 2
    return half, [(0, half, start, max_rate),
                  (half, 2 * half, max_rate, start),
                  (2 * half, total_steps, start, last)]


def one_cycle(global_step, total_steps, max_rate, start_rate=None,
              last_steps=None, last_rate=None, max_momentum=0.95,
              min_momentum=0.85, name=None):
    """1cycle schedule (Leslie Smith, 2018): returns (learning_rate, momentum).

    As the 2nd edition's `OneCycleScheduler`, with `n = total_steps`,
    `n_last = last_steps` and `h = (n - n_last) // 2`:

    * 0 <= t < h: the rate rises linearly from `start_rate` to `max_rate`
      (momentum falls from `max_momentum` to `min_momentum`);
    * h <= t < 2h: it falls linearly back to `start_rate` (momentum rises
      back to `max_momentum`);
    * 2h <= t < n: it falls linearly from `start_rate` towards `last_rate`,
      a few orders of magnitude lower (momentum stays at `max_momentum`);
    * t >= n: `last_rate` (the book's callback kept extrapolating, which
      goes negative; here the rate stays at `last_rate`).

    Args:
      global_step: the step counter (int variable or tensor).
      total_steps: n, the number of training steps (iterations, not epochs).
      max_rate: the peak rate (pick it like a constant rate, e.g. with the
        "increase the rate exponentially and watch the loss" search).
      start_rate: default `max_rate / 10`.
      last_steps: default `total_steps // 10 + 1`.
      last_rate: default `start_rate / 1000`.
      max_momentum, min_momentum: default 0.95 and 0.85; use the returned
        momentum with `tf.train.MomentumOptimizer(lr, momentum=momentum)`.

    Returns:
      `(learning_rate, momentum)`, two float32 scalar tensors.
    """
    what = "one_cycle"
    _check_global_step(global_step, what)
    total_steps = int(total_steps)
    start_rate = max_rate / 10 if start_rate is None else start_rate
    last_steps = (total_steps // 10 + 1 if last_steps is None
                  else int(last_steps))
    last_rate = start_rate / 1000 if last_rate is None else last_rate
    if not 0 <= last_steps <= total_steps - 2:
        raise InputError(
            f"{what}: need 0 <= last_steps <= total_steps - 2 so that each "
            f"half of the cycle has at least one step, got total_steps="
            f"{total_steps}, last_steps={last_steps}.")
    if not 0 < start_rate <= max_rate:
        raise InputError(
            f"{what}: need 0 < start_rate <= max_rate, got start_rate="
            f"{start_rate!r}, max_rate={max_rate!r}.")
    half, rate_phases = _one_cycle_phases(total_steps, start_rate, max_rate,
                                          last_steps, last_rate)
    mom_phases = [(0, half, max_momentum, min_momentum),
                  (half, 2 * half, min_momentum, max_momentum)]
    with v1.name_scope(name, "OneCycle", [global_step]):
        t = v1.cast(global_step, v1.float32)

        def piecewise(phases, after):
            # Phases are disjoint: pick with nested `where`, last phase first.
            out = v1.constant(after, v1.float32)
            for t0, t1, v0, v1_ in reversed(phases):
                if t1 <= t0:
                    continue
                lin = v0 + (v1_ - v0) * (t - t0) / float(t1 - t0)
                out = v1.where(t < t1, lin, out)
            return out

        lr = piecewise(rate_phases, last_rate)
        momentum = piecewise(mom_phases, max_momentum)
        return (v1.identity(lr, name="learning_rate"),
                v1.identity(momentum, name="momentum"))


class ReduceOnPlateau:
    """Performance scheduling: multiply the learning rate by `factor` when
    the validation metric has not improved for `patience` evaluations.

        learning_rate = tf.Variable(0.01, trainable=False, name="lr")
        optimizer = tf.train.MomentumOptimizer(learning_rate, 0.9)
        ...
        schedule = ReduceOnPlateau(sess, learning_rate, factor=0.5,
                                   patience=3, min_lr=1e-5)
        for epoch in range(n_epochs):
            ...train...
            schedule.update(sess.run(loss, feed_dict=validation))

    Same rule as Keras' `ReduceLROnPlateau` (without cooldown): an
    evaluation improves if `metric < best - min_delta` (mode "min"; "max"
    for accuracies); after `patience` evaluations without improvement the
    rate becomes `max(lr * factor, min_lr)` and the count restarts. NaN
    never improves. The placeholder and assign op are built once, here, so
    `update()` adds nothing to the graph.

    Args:
      sess: the session that trains.
      learning_rate: a `tf.Variable` (not a tensor: a schedule tensor
        cannot be changed from outside).
      factor: in (0, 1).
      patience: evaluations without improvement before reducing, >= 1.
      min_lr: lower bound.
      min_delta: how much better counts as an improvement.
      mode: "min" (losses) or "max" (accuracies).
    """

    def __init__(self, sess, learning_rate, factor=0.5, patience=3,
                 min_lr=0.0, min_delta=0.0, mode="min"):
        if not hasattr(learning_rate, "initializer") or not hasattr(
                learning_rate, "assign"):
            raise InputTypeError(
                "ReduceOnPlateau needs the learning rate as a tf.Variable, "
                f"got {learning_rate!r}. Create it with "
                "tf.Variable(0.01, trainable=False, name='learning_rate') "
                "and pass that variable to the optimizer.")
        if not 0 < factor < 1:
            raise InputError(
                f"ReduceOnPlateau: factor must be in (0, 1), got {factor!r} "
                "(the new rate is lr * factor).")
        if int(patience) != patience or patience < 1:
            raise InputError(
                f"ReduceOnPlateau: patience must be an integer >= 1, got "
                f"{patience!r}.")
        if mode not in ("min", "max"):
            raise InputError(
                f"ReduceOnPlateau: mode must be 'min' or 'max', got {mode!r}.")
        self.sess = sess
        self.learning_rate = learning_rate
        self.factor = float(factor)
        self.patience = int(patience)
        self.min_lr = float(min_lr)
        self.min_delta = abs(float(min_delta))
        self.mode = mode
        self.best = math.inf if mode == "min" else -math.inf
        self.wait = 0
        self.num_reductions = 0
        with learning_rate.graph.as_default():
            with v1.name_scope("ReduceOnPlateau"):
                self._new_lr = v1.placeholder(
                    learning_rate.dtype.base_dtype, shape=[], name="new_lr")
                self._assign = learning_rate.assign(self._new_lr)

    def _improved(self, metric):
        return improved(metric, self.best, self.mode, self.min_delta)

    def update(self, metric):
        """Records one evaluation; returns the learning rate now in effect."""
        metric = float(metric)
        lr = float(self.sess.run(self.learning_rate))
        if self._improved(metric):
            self.best = metric
            self.wait = 0
            return lr
        self.wait += 1
        # compare in the variable's precision (0.1 in float32 > 0.1 in float64)
        min_lr = float(self.learning_rate.dtype.base_dtype.as_numpy_dtype(
            self.min_lr))
        if self.wait >= self.patience and lr > min_lr:
            lr = max(lr * self.factor, self.min_lr)
            self.sess.run(self._assign, {self._new_lr: lr})
            lr = float(self.sess.run(self.learning_rate))
            self.num_reductions += 1
            self.wait = 0
        return lr
