"""`tf.estimator.experimental`'s early-stopping hooks, as TF 1.15 had them.

    hook = tf.estimator.experimental.stop_if_no_decrease_hook(
        estimator, "loss", max_steps_without_decrease=1000)
    tf.estimator.train_and_evaluate(
        estimator, tf.estimator.TrainSpec(input_fn, hooks=[hook]), eval_spec)

The hooks decide from the **evaluation event files** in
`estimator.eval_dir()` (`model_dir/eval/events.out.tfevents.*`), which
`evaluate()` writes (`train_and_evaluate` evaluates after checkpoint saves):
each event's scalar values at its global step. They never evaluate
anything themselves. TF 1.15's `early_stopping.py` behaviour, pitfalls
included:

* `should_stop_fn` runs on the first step of each `train()` call, then every
  `run_every_secs` seconds (default 60) or `run_every_steps` steps (give one
  of them, the other None). The steps are counted on the global step read
  before each run's increment (TF 1.15 fetched the variable, racing with
  the increment, so a check could slip by a step).
* `min_steps` drops **evaluation results** recorded before that global step;
  it does not stop the hook from firing early in training when an old
  `eval/` folder already holds qualifying results (e.g. a second `train()`
  on the same model_dir stops at once).
* "No decrease for N steps" compares global steps of evaluations: it stops
  when an evaluation at step s has a value no better than the best one at
  step b and `s - b >= max_steps_without_decrease` (strictly better needed:
  an equal value does not reset the count).
* A metric missing from some evaluation raises `KeyError`, as TF 1.15 did
  (`EarlyStoppingMetricError` here, also a `KeyError`), naming the metric
  and the metrics the eval folder has.
* Stopping sets the boolean variable `signal_early_stopping/STOP` (a global,
  non-trainable variable the hook creates) and requests a stop; the
  Estimator's saver was built before the hook, so STOP is not checkpointed.
"""

import collections
import glob
import logging
import operator
import os

from tf1_dnn._compat import tf2, v1
from tf1_dnn.estimator.errors import EstimatorError, EstimatorTypeError

__all__ = ["make_early_stopping_hook", "stop_if_higher_hook",
           "stop_if_lower_hook", "stop_if_no_increase_hook",
           "stop_if_no_decrease_hook", "read_eval_metrics",
           "EarlyStoppingMetricError"]

log = logging.getLogger("tf1_dnn.estimator")

_EVENT_FILE_GLOB_PATTERN = "events.out.tfevents.*"


class EarlyStoppingMetricError(EstimatorError, KeyError):
    """The metric an early-stopping hook tracks is not in an evaluation."""

    def __str__(self):      # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def _check_estimator(estimator):
    from tf1_dnn.estimator.estimator import Estimator
    if not isinstance(estimator, Estimator):
        raise EstimatorTypeError(
            "`estimator` must have type `tf.estimator.Estimator`. Got: "
            f"{type(estimator)}. Pass the Estimator the hook will train.")


def make_early_stopping_hook(estimator, should_stop_fn, run_every_secs=60,
                             run_every_steps=None):
    """A hook that stops training when `should_stop_fn()` returns True.

    Args:
      estimator: the `tf.estimator.Estimator` being trained.
      should_stop_fn: callable with no arguments returning a bool.
      run_every_secs: call `should_stop_fn` at most every this many seconds
        (default 60), or
      run_every_steps: every this many global steps. Give exactly one.

    Raises:
      EstimatorTypeError: `estimator` is not an Estimator, or
        `should_stop_fn` is not callable.
      EstimatorError: both (or neither) of run_every_secs/run_every_steps.
    """
    _check_estimator(estimator)
    if run_every_secs is not None and run_every_steps is not None:
        raise EstimatorError(
            "Only one of `run_every_secs` and `run_every_steps` must be set "
            f"(got run_every_secs={run_every_secs}, run_every_steps="
            f"{run_every_steps}); pass run_every_secs=None to count steps.")
    if run_every_secs is None and run_every_steps is None:
        raise EstimatorError(
            "One of `run_every_secs` and `run_every_steps` must be set.")
    # Local only: this process is the chief (RunConfig.is_chief is True).
    return _StopOnPredicateHook(should_stop_fn, run_every_secs,
                                run_every_steps)


def read_eval_metrics(eval_dir):
    """{global step: {metric: value}} from the event files in `eval_dir`,
    sorted by step (scalar `simple_value`s only; later files win)."""
    by_step = collections.defaultdict(dict)
    for event in _summaries(eval_dir):
        if not event.HasField("summary"):
            continue
        metrics = {v.tag: v.simple_value for v in event.summary.value
                   if v.HasField("simple_value")}
        if metrics:
            by_step[event.step].update(metrics)
    return collections.OrderedDict(sorted(by_step.items()))


def _summaries(eval_dir):
    if not os.path.isdir(eval_dir):
        return
    for path in sorted(glob.glob(os.path.join(eval_dir,
                                              _EVENT_FILE_GLOB_PATTERN))):
        try:
            yield from v1.train.summary_iterator(path)
        except tf2.errors.DataLossError as e:
            log.warning("Skipping rest of the file due to encountering data "
                        "corruption error; file path: %s; %s", path, e)


def _metric(metrics, metric_name, step, eval_dir):
    if metric_name not in metrics:
        raise EarlyStoppingMetricError(
            f"Early stopping: metric {metric_name!r} is not in the evaluation "
            f"at global step {step} in {eval_dir!r} (it has "
            f"{sorted(metrics)}). Use one of those names, or add the metric "
            "to the model_fn's eval_metric_ops.")
    return metrics[metric_name]


def _threshold_hook(estimator, metric_name, threshold, higher_is_better,
                    eval_dir, min_steps, run_every_secs, run_every_steps):
    _check_estimator(estimator)
    eval_dir = eval_dir if eval_dir is not None else estimator.eval_dir()
    better = operator.gt if higher_is_better else operator.lt

    def stop_if_threshold_crossed_fn():
        for step, metrics in read_eval_metrics(eval_dir).items():
            if step < min_steps:
                continue
            value = _metric(metrics, metric_name, step, eval_dir)
            if better(value, threshold):
                log.info("At step %s, metric %r has value %s which is %s the "
                         "configured threshold (%s) for early stopping.",
                         step, metric_name, value,
                         "greater than" if higher_is_better else "less than",
                         threshold)
                return True
        return False

    return make_early_stopping_hook(estimator, stop_if_threshold_crossed_fn,
                                    run_every_secs, run_every_steps)


def _no_improvement_hook(estimator, metric_name, max_steps, higher_is_better,
                         eval_dir, min_steps, run_every_secs,
                         run_every_steps):
    _check_estimator(estimator)
    eval_dir = eval_dir if eval_dir is not None else estimator.eval_dir()
    better = operator.gt if higher_is_better else operator.lt

    def stop_if_no_metric_improvement_fn():
        best, best_step = None, None
        for step, metrics in read_eval_metrics(eval_dir).items():
            if step < min_steps:
                continue
            value = _metric(metrics, metric_name, step, eval_dir)
            if best is None or better(value, best):
                best, best_step = value, step
            if step - best_step >= max_steps:
                log.info("No %s in metric %r for %s steps, which is greater "
                         "than or equal to max steps (%s) configured for "
                         "early stopping.",
                         "increase" if higher_is_better else "decrease",
                         metric_name, step - best_step, max_steps)
                return True
        return False

    return make_early_stopping_hook(estimator,
                                    stop_if_no_metric_improvement_fn,
                                    run_every_secs, run_every_steps)


def stop_if_higher_hook(estimator, metric_name, threshold, eval_dir=None,
                        min_steps=0, run_every_secs=60, run_every_steps=None):
    """Stops training once an evaluation has `metric_name > threshold`."""
    return _threshold_hook(estimator, metric_name, threshold, True, eval_dir,
                           min_steps, run_every_secs, run_every_steps)


def stop_if_lower_hook(estimator, metric_name, threshold, eval_dir=None,
                       min_steps=0, run_every_secs=60, run_every_steps=None):
    """Stops training once an evaluation has `metric_name < threshold`."""
    return _threshold_hook(estimator, metric_name, threshold, False, eval_dir,
                           min_steps, run_every_secs, run_every_steps)


def stop_if_no_increase_hook(estimator, metric_name,
                             max_steps_without_increase, eval_dir=None,
                             min_steps=0, run_every_secs=60,
                             run_every_steps=None):
    """Stops training when `metric_name` has not increased for
    `max_steps_without_increase` global steps of evaluations."""
    return _no_improvement_hook(estimator, metric_name,
                                max_steps_without_increase, True, eval_dir,
                                min_steps, run_every_secs, run_every_steps)


def stop_if_no_decrease_hook(estimator, metric_name,
                             max_steps_without_decrease, eval_dir=None,
                             min_steps=0, run_every_secs=60,
                             run_every_steps=None):
    """Stops training when `metric_name` has not decreased for
    `max_steps_without_decrease` global steps of evaluations."""
    return _no_improvement_hook(estimator, metric_name,
                                max_steps_without_decrease, False, eval_dir,
                                min_steps, run_every_secs, run_every_steps)


def _get_or_create_stop_var():
    with v1.variable_scope("signal_early_stopping", values=[],
                           reuse=v1.AUTO_REUSE):
        return v1.get_variable(
            "STOP", shape=[], dtype=tf2.bool,
            initializer=v1.initializers.constant(False),
            collections=[v1.GraphKeys.GLOBAL_VARIABLES], trainable=False)


class _StopOnPredicateHook(v1.train.SessionRunHook):
    """Requests a stop when `should_stop_fn()` is True (checked on a timer)."""

    def __init__(self, should_stop_fn, run_every_secs=60,
                 run_every_steps=None):
        if not callable(should_stop_fn):
            raise EstimatorTypeError(
                f"`should_stop_fn` must be callable; got {should_stop_fn!r}.")
        self._should_stop_fn = should_stop_fn
        self._timer = v1.train.SecondOrStepTimer(every_secs=run_every_secs,
                                                 every_steps=run_every_steps)
        self._global_step = self._stop_var = self._stop_op = None

    def begin(self):
        # The Estimator's read of the global step made before this run's
        # increment: one distinct value per run, so a step timer fires
        # deterministically (TF 1.15 fetched the variable itself, which
        # races with the train op's assign_add).
        from tf1_dnn.estimator.estimator import _GLOBAL_STEP_READ_KEY
        reads = v1.get_default_graph().get_collection(_GLOBAL_STEP_READ_KEY)
        self._global_step = reads[0] if reads else \
            v1.train.get_global_step()
        if self._global_step is None:
            raise EstimatorError("Early-stopping hooks need a global step: "
                                 "train with an Estimator (it creates one).")
        self._stop_var = _get_or_create_stop_var()
        self._stop_op = v1.assign(self._stop_var, True)

    def before_run(self, run_context):
        return v1.train.SessionRunArgs(self._global_step)

    def after_run(self, run_context, run_values):
        step = run_values.results
        if self._timer.should_trigger_for_step(step):
            self._timer.update_last_triggered_step(step)
            if self._should_stop_fn():
                log.info("Requesting early stopping at global step %d", step)
                run_context.session.run(self._stop_op)
                run_context.request_stop()
