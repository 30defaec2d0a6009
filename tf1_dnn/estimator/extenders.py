"""`tf.estimator.add_metrics` (TF 1.15's `extenders.add_metrics`).

    def my_auc(labels, predictions):
        return {"auc": tf.metrics.auc(labels, predictions["logistic"])}

    estimator = tf.estimator.add_metrics(estimator, my_auc)

Returns a **new plain `Estimator`** (not a DNNClassifier, ...) on the same
model_dir, config and warm start, whose model_fn is the old one plus, in
EVAL mode, the metrics `metric_fn` returns. `metric_fn` takes any of
`labels`, `predictions`, `features`, `config` (by name) and returns a dict of
`(value, update_op)` pairs; a name already in the model's metrics is
replaced by the new one, as in TF 1.15.
"""

import inspect

from tf1_dnn.estimator.errors import EstimatorError, EstimatorTypeError
from tf1_dnn.estimator.model_fn import ModeKeys

__all__ = ["add_metrics"]

_VALID_METRIC_FN_ARGS = frozenset(["features", "labels", "predictions",
                                   "config"])


def _metric_fn_args(metric_fn):
    if not callable(metric_fn):
        raise EstimatorTypeError(
            f"metric_fn must be callable; got {type(metric_fn).__name__}.")
    try:
        args = set(inspect.signature(metric_fn).parameters)
    except (TypeError, ValueError):
        raise EstimatorTypeError(
            f"metric_fn ({metric_fn!r}): cannot read its arguments.") from None
    invalid = sorted(args - _VALID_METRIC_FN_ARGS)
    if invalid:
        raise EstimatorError(
            f"metric_fn ({metric_fn}) has following not expected args: "
            f"{invalid}. It may take only {sorted(_VALID_METRIC_FN_ARGS)}.")
    return args


def add_metrics(estimator, metric_fn):
    """A new Estimator that also computes `metric_fn`'s metrics in EVAL.

    Raises:
      EstimatorTypeError: `estimator` is not an Estimator or `metric_fn` is
        not callable.
      EstimatorError: `metric_fn` has arguments other than features, labels,
        predictions, config; or returns something else than a dict.
    """
    from tf1_dnn.estimator.estimator import Estimator
    if not isinstance(estimator, Estimator):
        raise EstimatorTypeError(
            "add_metrics: estimator must be a tf.estimator.Estimator; got "
            f"{type(estimator).__name__}.")
    args = _metric_fn_args(metric_fn)

    def new_model_fn(features, labels, mode, config):
        spec = estimator._call_model_fn(features, labels, mode)
        if mode != ModeKeys.EVAL:
            return spec
        available = {"features": features, "labels": labels,
                     "predictions": spec.predictions, "config": config}
        new_metrics = metric_fn(**{k: available[k] for k in args})
        if not isinstance(new_metrics, dict):
            raise EstimatorError(
                "metric_fn should return a dict of name -> (value_op, "
                f"update_op), e.g. {{'auc': tf.metrics.auc(...)}}; got "
                f"{type(new_metrics).__name__}.")
        metrics = dict(spec.eval_metric_ops or {})
        metrics.update(new_metrics)
        return spec._replace(eval_metric_ops=metrics)

    return Estimator(model_fn=new_model_fn, model_dir=estimator.model_dir,
                     config=estimator.config,
                     warm_start_from=estimator._warm_start_settings)
