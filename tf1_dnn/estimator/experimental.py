"""`tf.estimator.experimental` as TF 1.15 had it (the parts provided).

* the early-stopping hooks: `stop_if_no_decrease_hook`,
  `stop_if_no_increase_hook`, `stop_if_higher_hook`, `stop_if_lower_hook`,
  `make_early_stopping_hook` (see `tf1_dnn.estimator.early_stopping`);
* `InMemoryEvaluatorHook`: evaluates the variables of the running training
  session every `every_n_iter` steps, without waiting for a checkpoint;
* `KMeans`: `tf.contrib.factorization.KMeansClustering` (TF 1.15 exported
  the same estimator under this name);
* `make_stop_at_checkpoint_step_hook`: in a local (chief) process TF 1.15's
  returned a plain `StopAtStepHook(last_step=...)`, and so does this one.

Not provided (AttributeError): `LinearSDCA`, `dnn_logit_fn_builder`,
`linear_logit_fn_builder`, `call_logit_fn`,
`build_raw_supervised_input_receiver_fn` -- see docs/estimator.md.
"""

import os
import shutil
import tempfile

from tf1_dnn._compat import v1
from tf1_dnn.estimator.early_stopping import (make_early_stopping_hook,
                                              stop_if_higher_hook,
                                              stop_if_lower_hook,
                                              stop_if_no_decrease_hook,
                                              stop_if_no_increase_hook)
from tf1_dnn.estimator.errors import EstimatorError, EstimatorTypeError

__all__ = ["make_early_stopping_hook", "stop_if_higher_hook",
           "stop_if_lower_hook", "stop_if_no_decrease_hook",
           "stop_if_no_increase_hook", "InMemoryEvaluatorHook", "KMeans",
           "make_stop_at_checkpoint_step_hook"]


def __getattr__(name):
    if name == "KMeans":
        from tf1_dnn.contrib.factorization import KMeansClustering
        return KMeansClustering
    raise AttributeError(
        f"tf.estimator.experimental.{name} is not provided by tf1_dnn "
        "(see docs/estimator.md for what is left out and why).")


def make_stop_at_checkpoint_step_hook(estimator, last_step,
                                      wait_after_file_check_secs=30):
    """`StopAtStepHook(last_step=last_step)`: what TF 1.15 returned for the
    chief, which a local process is (its non-chief variant waited for the
    chief's checkpoint of `last_step`)."""
    from tf1_dnn.estimator.estimator import Estimator
    if not isinstance(estimator, Estimator):
        raise EstimatorTypeError(
            "make_stop_at_checkpoint_step_hook: `estimator` must be a "
            f"tf.estimator.Estimator; got {type(estimator).__name__}.")
    if last_step is None:
        raise EstimatorError("last_step must be specified.")
    return v1.train.StopAtStepHook(last_step=last_step)


class InMemoryEvaluatorHook(v1.train.SessionRunHook):
    """Evaluates during training, on the training session's current values.

        evaluator = tf.estimator.experimental.InMemoryEvaluatorHook(
            estimator, eval_input_fn, every_n_iter=100)
        estimator.train(train_input_fn, hooks=[evaluator])

    Runs `estimator.evaluate(input_fn, steps, hooks, name=name)` when the
    session is created, every `every_n_iter` training iterations (counted by
    this hook, not by the global step) and at the end, so the metrics land in
    `estimator.eval_dir(name)` at the training global step -- where the
    early-stopping hooks read them. Difference from TF 1.15 (which copied
    the variables into the eval graph through placeholders): the values go
    through a temporary checkpoint outside `model_dir`, deleted afterwards;
    the numbers are the same. Like TF 1.15 it is local only.

    Raises:
      EstimatorError: `every_n_iter` is not a positive int.
      EstimatorTypeError: `estimator` is not an Estimator.
    """

    def __init__(self, estimator, input_fn, steps=None, hooks=None, name=None,
                 every_n_iter=100):
        from tf1_dnn.estimator.estimator import Estimator
        if not isinstance(estimator, Estimator):
            raise EstimatorTypeError(
                "InMemoryEvaluatorHook: `estimator` must be a "
                f"tf.estimator.Estimator; got {type(estimator).__name__}.")
        if every_n_iter is None or every_n_iter <= 0:
            raise EstimatorError(
                f"invalid every_n_iter={every_n_iter}: InMemoryEvaluatorHook "
                "evaluates every N training iterations, N > 0.")
        self._estimator, self._input_fn = estimator, input_fn
        self._steps, self._hooks, self._name = steps, list(hooks or []), name
        self._every_n_iter = every_n_iter
        self._saver = None
        self._iter_count = 0
        self.results = []       # every evaluation's result dict, in order

    def begin(self):
        self._iter_count = 0
        self._saver = v1.train.Saver(v1.global_variables(), sharded=False,
                                     max_to_keep=1)

    def after_create_session(self, session, coord):
        self._evaluate(session)

    def after_run(self, run_context, run_values):
        self._iter_count += 1
        if self._iter_count % self._every_n_iter == 0:
            self._evaluate(run_context.session)

    def end(self, session):
        self._evaluate(session)

    def _evaluate(self, session):
        folder = tempfile.mkdtemp(prefix="in_memory_eval_")
        try:
            path = self._saver.save(session, os.path.join(folder, "model"),
                                    write_meta_graph=False,
                                    write_state=False)
            self.results.append(self._estimator.evaluate(
                self._input_fn, steps=self._steps, hooks=self._hooks,
                checkpoint_path=path, name=self._name))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
