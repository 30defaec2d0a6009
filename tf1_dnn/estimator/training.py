"""`tf.estimator.TrainSpec`, `EvalSpec`, `train_and_evaluate` (local mode).

TF 1.15's local `train_and_evaluate`: trains up to `train_spec.max_steps`;
after each checkpoint save, if `throttle_secs` have passed since the last
evaluation, evaluates (`eval_spec.steps` batches, default 100) and runs the
exporters (`model_dir/export/<exporter name>/<timestamp>`); after training,
a final evaluation of the last checkpoint (if not already evaluated) and the
final export. Returns `(eval_result, export_results)` as TF 1.15 did.
`start_delay_secs` only matters in distributed mode and is ignored here.
"""

import collections
import os
import time

from tf1_dnn._compat import v1
from tf1_dnn.estimator.errors import EstimatorError

__all__ = ["TrainSpec", "EvalSpec", "train_and_evaluate"]


class TrainSpec(collections.namedtuple(
        "TrainSpec", ["input_fn", "max_steps", "hooks"])):
    """How to train in `train_and_evaluate`."""

    def __new__(cls, input_fn, max_steps=None, hooks=None):
        if not callable(input_fn):
            raise EstimatorError("TrainSpec: input_fn must be callable; got "
                                 f"{type(input_fn).__name__}.")
        if max_steps is not None and max_steps <= 0:
            raise EstimatorError(
                f"Must specify max_steps > 0, given: {max_steps}")
        return super().__new__(cls, input_fn, max_steps, tuple(hooks or ()))


class EvalSpec(collections.namedtuple(
        "EvalSpec", ["input_fn", "steps", "name", "hooks", "exporters",
                     "start_delay_secs", "throttle_secs"])):
    """How to evaluate (and export) in `train_and_evaluate`."""

    def __new__(cls, input_fn, steps=100, name=None, hooks=None,
                exporters=None, start_delay_secs=120, throttle_secs=600):
        if not callable(input_fn):
            raise EstimatorError("EvalSpec: input_fn must be callable; got "
                                 f"{type(input_fn).__name__}.")
        if steps is not None and steps <= 0:
            raise EstimatorError(f"Must specify steps > 0, given: {steps}")
        if throttle_secs < 0:
            raise EstimatorError(
                f"Must specify throttle_secs >= 0, given: {throttle_secs}")
        if exporters is None:
            exporters = ()
        elif not isinstance(exporters, (list, tuple)):
            exporters = (exporters,)
        names = [e.name for e in exporters]
        if len(set(names)) != len(names):
            raise EstimatorError(
                f"`exporters` must have unique names; got {names}.")
        return super().__new__(cls, input_fn, steps, name, tuple(hooks or ()),
                               tuple(exporters), start_delay_secs,
                               throttle_secs)


class _Evaluator:
    def __init__(self, estimator, eval_spec):
        self.estimator, self.spec = estimator, eval_spec
        self.last_time = None
        self.last_ckpt = None
        self.result = None
        self.export_results = []

    def evaluate_and_export(self, is_final):
        est, spec = self.estimator, self.spec
        ckpt = est.latest_checkpoint()
        if ckpt is None or (ckpt == self.last_ckpt and not is_final):
            return
        if ckpt != self.last_ckpt:
            self.result = est.evaluate(spec.input_fn, steps=spec.steps,
                                       hooks=spec.hooks, name=spec.name,
                                       checkpoint_path=ckpt)
        self.last_ckpt = ckpt
        # A monotonic clock: a wall clock stepped back (NTP on a fresh VM)
        # would skip evaluations, even with throttle_secs=0.
        self.last_time = time.monotonic()
        for exporter in spec.exporters:
            path = os.path.join(est.model_dir, "export", exporter.name)
            out = exporter.export(est, path, ckpt, self.result, is_final)
            if out is not None:
                self.export_results.append(out)


class _EvalListener(v1.train.CheckpointSaverListener):
    def __init__(self, evaluator):
        self._evaluator = evaluator
        self._first = True

    def after_save(self, session, global_step_value):
        if self._first:     # TF 1.15: the first save (untrained) is skipped
            self._first = False
            return
        ev = self._evaluator
        if ev.last_time is None or \
                time.monotonic() - ev.last_time >= ev.spec.throttle_secs:
            ev.evaluate_and_export(is_final=False)


def train_and_evaluate(estimator, train_spec, eval_spec):
    """Trains and evaluates locally; returns (eval_result, export_results)."""
    if not isinstance(train_spec, TrainSpec):
        raise EstimatorError("train_spec must be a tf.estimator.TrainSpec; got "
                             f"{type(train_spec).__name__}.")
    if not isinstance(eval_spec, EvalSpec):
        raise EstimatorError("eval_spec must be a tf.estimator.EvalSpec; got "
                             f"{type(eval_spec).__name__}.")
    evaluator = _Evaluator(estimator, eval_spec)
    config = estimator.config
    listeners = []
    if config.save_checkpoints_steps or config.save_checkpoints_secs:
        listeners.append(_EvalListener(evaluator))
    estimator.train(train_spec.input_fn, hooks=list(train_spec.hooks),
                    max_steps=train_spec.max_steps,
                    saving_listeners=listeners)
    evaluator.evaluate_and_export(is_final=True)
    return evaluator.result, evaluator.export_results
