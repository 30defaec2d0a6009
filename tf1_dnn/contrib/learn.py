"""`tf.contrib.learn`: thin shims over `tf1_dnn.estimator` for old tutorials.

The book's chapter 10 (1st edition) listing runs unchanged::

    feature_cols = tf.contrib.learn.infer_real_valued_columns_from_input(X_train)
    dnn_clf = tf.contrib.learn.DNNClassifier(hidden_units=[300, 100], n_classes=10,
                                             feature_columns=feature_cols)
    dnn_clf = tf.contrib.learn.SKCompat(dnn_clf)
    dnn_clf.fit(X_train, y_train, batch_size=50, steps=40000)
    y_pred = dnn_clf.predict(X_test)          # {"classes", "probabilities", "logits"}

What each name is here:

* `infer_real_valued_columns_from_input(x)` -> one
  `tf.feature_column.numeric_column("")` of x's shape (contrib named its
  inferred column "" too; arrays are fed as the feature "").
* `DNNClassifier`, `DNNRegressor`, `LinearClassifier`, `LinearRegressor`:
  the `tf.estimator` canned estimators plus contrib's array interface
  (`fit(x, y, batch_size, steps)`, `evaluate(x, y)`, `predict(x)` yielding
  class ids, `predict_classes`, `predict_proba`). Like contrib.learn they
  use the **mean** loss over the batch (`SUM_OVER_BATCH_SIZE`), not the SUM
  of `tf.estimator`'s v1 canned estimators.
* Differences from contrib.learn, deliberately not mirrored: the variables
  are named as `tf.estimator` names them (`dnn/hiddenlayer_0/kernel`;
  contrib.learn wrote `.../weights`, `.../biases`), so a contrib.learn
  model directory does not restore here; `evaluate` also returns
  `average_loss`; `fit`'s x/y input shuffles with a 1000-example buffer.
* `SKCompat(estimator)`: scikit-learn style `fit` / `score` / `predict`
  (`predict` returns a dict of arrays, `classes` being int64 class ids).
* `MetricSpec(metric_fn, prediction_key, label_key, weight_key)`: extra
  `evaluate(metrics={...})` entries; `metric_fn(predictions, labels)`
  (positional, as contrib's streaming metrics) or with `labels=` /
  `predictions=` / `weights=` keywords.
* `monitors.ValidationMonitor`: evaluates after a checkpoint save at least
  `every_n_steps` after the previous evaluation (TF 1.x also evaluated only
  new checkpoints: set `RunConfig(save_checkpoints_steps=...)`), with
  `early_stopping_rounds` on `early_stopping_metric`.
* `RunConfig` is `tf.estimator.RunConfig`; `datasets.mnist.read_data_sets`
  is `tf.examples.tutorials.mnist.input_data.read_data_sets`.
"""

import inspect
import logging
import types

import numpy as np

from tf1_dnn._compat import v1
from tf1_dnn.estimator import canned  # noqa: F401
from tf1_dnn.estimator.canned import dnn as dnn_lib
from tf1_dnn.estimator.canned import linear as linear_lib
from tf1_dnn.estimator.errors import EstimatorError
from tf1_dnn.estimator.inputs import numpy_input_fn
from tf1_dnn.estimator.model_fn import ModeKeys
from tf1_dnn.estimator.run_config import RunConfig

__all__ = ["infer_real_valued_columns_from_input", "DNNClassifier",
           "DNNRegressor", "LinearClassifier", "LinearRegressor", "SKCompat",
           "MetricSpec", "monitors", "RunConfig", "ModeKeys", "datasets"]

log = logging.getLogger("tf1_dnn.contrib.learn")

_MEAN = v1.losses.Reduction.SUM_OVER_BATCH_SIZE


def infer_real_valued_columns_from_input(x):
    """[numeric_column("", shape=x.shape[1:])] for a numpy array `x`
    (or one column per key of a dict of arrays)."""
    if isinstance(x, dict):
        return [v1.feature_column.numeric_column(
            k, shape=np.shape(v)[1:] or (1,)) for k, v in x.items()]
    x = np.asarray(x)
    if x.ndim < 1:
        raise EstimatorError("infer_real_valued_columns_from_input needs an "
                             f"array of examples; got shape {x.shape}.")
    dtype = v1.float64 if x.dtype == np.float64 else v1.float32
    return [v1.feature_column.numeric_column(
        "", shape=x.shape[1:] or (1,), dtype=dtype)]


def _features(x):
    return dict(x) if isinstance(x, dict) else {"": np.asarray(x)}


class MetricSpec:
    """contrib.learn's MetricSpec: a metric fn and the keys it reads."""

    def __init__(self, metric_fn, prediction_key=None, label_key=None,
                 weight_key=None):
        if not callable(metric_fn):
            raise EstimatorError(f"metric_fn must be callable; got "
                                 f"{metric_fn!r}.")
        self.metric_fn = metric_fn
        self.prediction_key = prediction_key
        self.label_key = label_key
        self.weight_key = weight_key

    def create_metric_ops(self, inputs, labels, predictions):
        if isinstance(predictions, dict):
            if self.prediction_key is None:
                raise EstimatorError(
                    "MetricSpec: predictions are a dict "
                    f"({sorted(predictions)}); set prediction_key.")
            predictions = predictions[self.prediction_key]
        if isinstance(labels, dict):
            labels = labels[self.label_key]
        weights = inputs[self.weight_key] if self.weight_key else None
        params = inspect.signature(self.metric_fn).parameters
        if "labels" in params and "predictions" in params:
            kwargs = {"labels": labels, "predictions": predictions}
            if weights is not None:
                kwargs["weights"] = weights
            return self.metric_fn(**kwargs)
        args = [predictions, labels] + ([weights] if weights is not None
                                        else [])
        return self.metric_fn(*args)


def _contrib_predictions(predictions):
    """contrib.learn's prediction keys from tf.estimator's."""
    out = dict(predictions)
    if "class_ids" in out:
        out["classes"] = v1.squeeze(out.pop("class_ids"), axis=[-1])
        for key in ("all_class_ids", "all_classes"):
            out.pop(key, None)
    if "predictions" in out:
        out["scores"] = v1.squeeze(out.pop("predictions"), axis=[-1]) \
            if out["predictions"].shape[-1] == 1 else out.pop("predictions")
    return out


class _ContribMixin:
    """contrib.learn's x/y interface on a tf.estimator canned estimator."""

    _extra_metrics = None

    def _wrap_model_fn(self):
        inner = self._model_fn

        def model_fn(features, labels, mode, params):
            spec = inner(features, labels, mode, params)
            preds = spec.predictions
            metrics = dict(spec.eval_metric_ops)
            if mode == ModeKeys.EVAL and self._extra_metrics:
                contrib_preds = _contrib_predictions(preds)
                for name, metric in self._extra_metrics.items():
                    if isinstance(metric, MetricSpec):
                        metrics[name] = metric.create_metric_ops(
                            features, labels, contrib_preds)
                    else:     # a plain fn(predictions, labels)
                        key = "classes" if "classes" in contrib_preds \
                            else "scores"
                        metrics[name] = metric(contrib_preds[key], labels)
            return spec._replace(eval_metric_ops=metrics)

        self._model_fn = model_fn

    def fit(self, x=None, y=None, input_fn=None, steps=None, batch_size=None,
            monitors=None, max_steps=None):
        """Trains on arrays (shuffled, repeated) or an input_fn; returns self."""
        if (x is None) == (input_fn is None):
            raise EstimatorError("fit: give either x (and y) or input_fn.")
        if x is not None:
            if y is None:
                raise EstimatorError("fit: y is required with x.")
            input_fn = numpy_input_fn(_features(x), np.asarray(y),
                                      batch_size=batch_size or 32,
                                      num_epochs=None, shuffle=True)
        hooks, listeners = [], []
        for m in monitors or []:
            if isinstance(m, ValidationMonitor):
                m._bind(self)
                listeners.append(m)
            else:
                hooks.append(m)
        self.train(input_fn, hooks=hooks, steps=steps, max_steps=max_steps,
                   saving_listeners=listeners)
        return self

    def evaluate(self, x=None, y=None, input_fn=None, feed_fn=None,
                 batch_size=None, steps=None, metrics=None, name=None,
                 checkpoint_path=None, hooks=None, log_progress=True):
        """One pass over arrays (or `steps` batches of input_fn); a dict."""
        if x is not None:
            input_fn = numpy_input_fn(_features(x), np.asarray(y),
                                      batch_size=batch_size or 128,
                                      num_epochs=1, shuffle=False)
        if input_fn is None:
            raise EstimatorError("evaluate: give either x and y or input_fn.")
        self._extra_metrics = metrics
        try:
            return super().evaluate(input_fn, steps=steps, hooks=hooks,
                                    checkpoint_path=checkpoint_path,
                                    name=name)
        finally:
            self._extra_metrics = None

    def _predict_dicts(self, x, input_fn, batch_size, keys):
        if x is not None:
            input_fn = numpy_input_fn(_features(x), batch_size=batch_size
                                      or 128, num_epochs=1, shuffle=False)
        if input_fn is None:
            raise EstimatorError("predict: give either x or input_fn.")
        return super().predict(input_fn, predict_keys=keys)

    def _predict_key(self, key, x, input_fn, batch_size, as_iterable):
        rows = self._predict_dicts(x, input_fn, batch_size, [key])
        values = (r[key][0] if key == "class_ids" else r[key] for r in rows)
        return values if as_iterable else np.array(list(values))


class _ClassifierMixin(_ContribMixin):
    def predict(self, x=None, input_fn=None, batch_size=None, outputs=None,
                as_iterable=True):
        """Class ids (contrib.learn's DNNClassifier.predict)."""
        return self.predict_classes(x, input_fn, batch_size, as_iterable)

    def predict_classes(self, x=None, input_fn=None, batch_size=None,
                        as_iterable=True):
        return self._predict_key("class_ids", x, input_fn, batch_size,
                                 as_iterable)

    def predict_proba(self, x=None, input_fn=None, batch_size=None,
                      as_iterable=True):
        return self._predict_key("probabilities", x, input_fn, batch_size,
                                 as_iterable)


class _RegressorMixin(_ContribMixin):
    def predict(self, x=None, input_fn=None, batch_size=None, outputs=None,
                as_iterable=True):
        """Predicted values (contrib.learn's predict_scores)."""
        return self.predict_scores(x, input_fn, batch_size, as_iterable)

    def predict_scores(self, x=None, input_fn=None, batch_size=None,
                       as_iterable=True):
        rows = self._predict_dicts(x, input_fn, batch_size, ["predictions"])
        values = (r["predictions"][0] if np.size(r["predictions"]) == 1
                  else r["predictions"] for r in rows)
        return values if as_iterable else np.array(list(values))


def _dnn_args(optimizer, dropout, config):
    return dict(optimizer=optimizer or "Adagrad", dropout=dropout,
                config=config, loss_reduction=_MEAN)


class DNNClassifier(_ClassifierMixin, dnn_lib.DNNClassifier):
    """contrib.learn's DNNClassifier (Adagrad 0.05, ReLU, mean loss)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None,
                 n_classes=2, weight_column_name=None, optimizer=None,
                 activation_fn=v1.nn.relu, dropout=None,
                 gradient_clip_norm=None, enable_centered_bias=False,
                 config=None, feature_engineering_fn=None,
                 embedding_lr_multipliers=None,
                 input_layer_min_slice_size=None, label_keys=None):
        super().__init__(hidden_units, feature_columns, model_dir=model_dir,
                         n_classes=n_classes,
                         weight_column=weight_column_name,
                         label_vocabulary=label_keys,
                         activation_fn=activation_fn,
                         **_dnn_args(optimizer, dropout, config))
        self._wrap_model_fn()


class DNNRegressor(_RegressorMixin, dnn_lib.DNNRegressor):
    """contrib.learn's DNNRegressor (Adagrad 0.05, ReLU, mean loss)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None,
                 weight_column_name=None, optimizer=None,
                 activation_fn=v1.nn.relu, dropout=None,
                 gradient_clip_norm=None, enable_centered_bias=False,
                 config=None, feature_engineering_fn=None,
                 label_dimension=1, embedding_lr_multipliers=None,
                 input_layer_min_slice_size=None):
        super().__init__(hidden_units, feature_columns, model_dir=model_dir,
                         label_dimension=label_dimension,
                         weight_column=weight_column_name,
                         activation_fn=activation_fn,
                         **_dnn_args(optimizer, dropout, config))
        self._wrap_model_fn()


class LinearClassifier(_ClassifierMixin, linear_lib.LinearClassifier):
    """contrib.learn's LinearClassifier (Ftrl, mean loss)."""

    def __init__(self, feature_columns, model_dir=None, n_classes=2,
                 weight_column_name=None, optimizer=None,
                 gradient_clip_norm=None, enable_centered_bias=False,
                 _joint_weight=False, config=None,
                 feature_engineering_fn=None, label_keys=None):
        super().__init__(feature_columns, model_dir=model_dir,
                         n_classes=n_classes, weight_column=weight_column_name,
                         label_vocabulary=label_keys,
                         optimizer=optimizer or "Ftrl", config=config,
                         loss_reduction=_MEAN)
        self._wrap_model_fn()


class LinearRegressor(_RegressorMixin, linear_lib.LinearRegressor):
    """contrib.learn's LinearRegressor (Ftrl, mean loss)."""

    def __init__(self, feature_columns, model_dir=None,
                 weight_column_name=None, optimizer=None,
                 gradient_clip_norm=None, enable_centered_bias=False,
                 label_dimension=1, _joint_weights=False, config=None,
                 feature_engineering_fn=None):
        super().__init__(feature_columns, model_dir=model_dir,
                         label_dimension=label_dimension,
                         weight_column=weight_column_name,
                         optimizer=optimizer or "Ftrl", config=config,
                         loss_reduction=_MEAN)
        self._wrap_model_fn()


class SKCompat:
    """scikit-learn style wrapper: fit / score / predict on arrays."""

    def __init__(self, estimator):
        if not isinstance(estimator, _ContribMixin):
            raise EstimatorError(
                "SKCompat wraps a tf.contrib.learn estimator (DNNClassifier, "
                f"LinearRegressor, ...); got {type(estimator).__name__}.")
        self._estimator = estimator

    def fit(self, x, y, batch_size=128, steps=None, max_steps=None,
            monitors=None):
        self._estimator.fit(x, y, batch_size=batch_size, steps=steps,
                            max_steps=max_steps, monitors=monitors)
        return self

    def score(self, x, y, batch_size=128, steps=None, metrics=None,
              name=None):
        return self._estimator.evaluate(x, y, batch_size=batch_size,
                                        steps=steps, metrics=metrics,
                                        name=name)

    def predict(self, x, batch_size=128, outputs=None):
        """dict of arrays over all of `x` (`classes`, `probabilities`,
        `logits` for classifiers; `scores` for regressors)."""
        rows = self._estimator._predict_dicts(x, None, batch_size, None)
        batches = [_contrib_numpy(r) for r in _batched(rows)]
        result = {k: np.concatenate([b[k] for b in batches])
                  for k in batches[0]} if batches else {}
        if outputs:
            result = {k: result[k] for k in outputs}
        return result

    def __getattr__(self, name):
        return getattr(self._estimator, name)


def _batched(rows):
    rows = list(rows)
    if rows:
        yield {k: np.stack([r[k] for r in rows]) for k in rows[0]}


def _contrib_numpy(batch):
    out = dict(batch)
    if "class_ids" in out:
        out["classes"] = out.pop("class_ids")[:, 0]
        out.pop("all_class_ids", None)
        out.pop("all_classes", None)
    if "predictions" in out:
        p = out.pop("predictions")
        out["scores"] = p[:, 0] if p.shape[-1] == 1 else p
    return out


class ValidationMonitor(v1.train.CheckpointSaverListener):
    """Evaluates on validation data during `fit`, with early stopping.

    Runs after a checkpoint save when at least `every_n_steps` steps passed
    since its last evaluation. With `early_stopping_rounds`, stops training
    (the saver hook's stop request) once `early_stopping_metric` has not
    improved for that many steps. Attributes as TF 1.x: `best_step`,
    `best_value`, `early_stopped`, `best_metrics`.
    """

    def __init__(self, x=None, y=None, input_fn=None, batch_size=None,
                 eval_steps=None, every_n_steps=100, metrics=None,
                 hooks=None, early_stopping_rounds=None,
                 early_stopping_metric="loss",
                 early_stopping_metric_minimize=True, name=None,
                 check_interval_secs=5):
        if x is None and input_fn is None:
            raise EstimatorError("ValidationMonitor: either x or input_fn "
                                 "should be provided.")
        self.x, self.y, self.input_fn = x, y, input_fn
        self.batch_size, self.eval_steps = batch_size, eval_steps
        self.every_n_steps, self.metrics = every_n_steps, metrics
        self.hooks, self.name = hooks, name
        self.early_stopping_rounds = early_stopping_rounds
        self.early_stopping_metric = early_stopping_metric
        self.minimize = early_stopping_metric_minimize
        self.best_step = self.best_value = self.best_metrics = None
        self.early_stopped = False
        self._last_step = None
        self._estimator = None

    def _bind(self, estimator):
        self._estimator = estimator

    def after_save(self, session, global_step_value):
        step = int(global_step_value)
        if step == 0 or (self._last_step is not None and
                         step - self._last_step < self.every_n_steps):
            return False
        self._last_step = step
        result = self._estimator.evaluate(
            x=self.x, y=self.y, input_fn=self.input_fn,
            batch_size=self.batch_size, steps=self.eval_steps,
            metrics=self.metrics, hooks=self.hooks, name=self.name)
        if self.early_stopping_rounds is None:
            return False
        if self.early_stopping_metric not in result:
            raise EstimatorError(
                f"Metric {self.early_stopping_metric!r} missing from outputs"
                f" {sorted(result)}.")
        value = result[self.early_stopping_metric]
        better = self.best_value is None or (
            value < self.best_value if self.minimize
            else value > self.best_value)
        if better:
            self.best_value, self.best_step = value, step
            self.best_metrics = result
        if step - self.best_step >= self.early_stopping_rounds:
            log.info("Stopping. Best step: %s with %s = %s.", self.best_step,
                     self.early_stopping_metric, self.best_value)
            self.early_stopped = True
            return True
        return False


monitors = types.ModuleType(
    "tf.contrib.learn.monitors",
    "contrib.learn monitors: ValidationMonitor (a CheckpointSaverListener).")
monitors.ValidationMonitor = ValidationMonitor


def _mnist():
    from tf1_dnn.examples.tutorials.mnist import input_data
    return input_data


class _Datasets(types.ModuleType):
    def __getattr__(self, name):
        if name == "mnist":
            return _mnist()
        raise AttributeError(
            f"tf.contrib.learn.datasets.{name} is not provided by tf1_dnn "
            "(only datasets.mnist.read_data_sets).")


datasets = _Datasets("tf.contrib.learn.datasets",
                     "contrib.learn datasets: mnist.read_data_sets only.")
