"""`tf.estimator.add_metrics` and `tf.contrib.estimator.forward_features`
(TF 1.15's `extenders`).

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

__all__ = ["add_metrics", "forward_features"]

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


def forward_features(estimator, keys=None, sparse_default_values=None):
    """A new Estimator whose predictions also hold the input features `keys`.

        estimator = tf.contrib.estimator.forward_features(estimator, "id")

    TF 1.15's `tf.contrib.estimator.forward_features`: each forwarded feature
    (all of them when `keys` is None) becomes a prediction under its own
    name, and joins the `predict` / `serving_default` signature when that is
    a `PredictOutput`. A sparse feature is densified with
    `sparse_default_values[key]` (default 0 / ""). Returns a **new plain
    `Estimator`** on the same model_dir and config.

    Raises:
      EstimatorTypeError: `estimator` is not an Estimator, `keys` is not a
        str or a list of str.
      EstimatorError (when the graph is built): predictions are not a dict,
        a key is not a feature or is already a prediction key.
    """
    from tf1_dnn._compat import tf2, v1
    from tf1_dnn.estimator.estimator import Estimator
    from tf1_dnn.estimator.export import PredictOutput
    if not isinstance(estimator, Estimator):
        raise EstimatorTypeError(
            "forward_features: estimator must be a tf.estimator.Estimator; "
            f"got {type(estimator).__name__}.")
    if isinstance(keys, str):
        keys = [keys]
    if keys is not None and (not isinstance(keys, (list, tuple)) or
                             not all(isinstance(k, str) for k in keys)):
        raise EstimatorTypeError(
            f"keys should be either a string or a list of strings; got "
            f"{keys!r}.")
    defaults = dict(sparse_default_values or {})

    def new_model_fn(features, labels, mode, config):
        spec = estimator._call_model_fn(features, labels, mode)
        predictions = spec.predictions
        if predictions is None:
            return spec
        if not isinstance(features, dict):
            raise EstimatorError(
                "forward_features needs features as a dict; got "
                f"{type(features).__name__}.")
        if not isinstance(predictions, dict):
            raise EstimatorError(
                "forward_features needs the model's predictions as a dict; "
                f"got {type(predictions).__name__}.")
        forward = list(keys) if keys is not None else sorted(features)
        predictions = dict(predictions)
        for key in forward:
            if key not in features:
                raise EstimatorError(
                    f"Key {key!r} is not in features {sorted(features)}; "
                    "forward_features(keys=...) must name input features.")
            if key in predictions:
                raise EstimatorError(
                    f"Cannot forward feature key ({key}). Since it does "
                    f"exist in predictions {sorted(predictions)}. Rename it.")
            feature = features[key]
            if isinstance(feature, tf2.SparseTensor):
                default = defaults.get(
                    key, "" if feature.dtype == tf2.string else 0)
                feature = v1.sparse.to_dense(feature,
                                             default_value=default)
            predictions[key] = feature
        spec = spec._replace(predictions=predictions)
        for name in ("predict", "serving_default"):
            output = (spec.export_outputs or {}).get(name)
            if isinstance(output, PredictOutput):
                for key in forward:
                    output.outputs[key] = predictions[key]
        return spec

    return Estimator(model_fn=new_model_fn, model_dir=estimator.model_dir,
                     config=estimator.config,
                     warm_start_from=estimator._warm_start_settings)
