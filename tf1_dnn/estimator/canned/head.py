"""The heads of TF 1.15's v1 canned estimators (loss, metrics, predictions).

What `tf.estimator.DNNClassifier` & co. are under `tf.compat.v1` in TF 1.15
-- the *v1* canned estimators -- with their defaults:

* loss reduction `tf.losses.Reduction.SUM`: the training loss of a batch is
  the **sum** of the per-example losses (the v2 estimators of TF 2.x use
  SUM_OVER_BATCH_SIZE). Pitfall kept: `evaluate()`'s `loss` is the mean over
  batches of that per-batch sum, i.e. about `batch_size * average_loss`;
  `average_loss` is the per-example mean.
* multi-class (n_classes > 2): softmax cross entropy; binary (n_classes=2):
  sigmoid cross entropy on one logit; regression: squared error.
* predictions: `logits`, `probabilities`, `class_ids` ([batch, 1] int64),
  `classes` ([batch, 1] strings), `all_class_ids`, `all_classes` (and
  `logistic` for binary); regression: `predictions`.
* eval metrics: `accuracy`, `average_loss` (and for binary `precision`,
  `recall`, `auc`, `auc_precision_recall`, `prediction/mean`, `label/mean`,
  `accuracy_baseline`); regression: `average_loss`, `label/mean`,
  `prediction/mean`; the Estimator adds `loss` and `global_step`.
* export outputs: `serving_default` and `classification` (a
  ClassificationOutput: needs a serialized-Example receiver) or
  `regression`, plus `predict` (a PredictOutput, which any receiver gets).
"""

from tf1_dnn._compat import tf2, v1
from tf1_dnn.estimator import export as export_lib
from tf1_dnn.estimator.errors import EstimatorError, LabelShapeError
from tf1_dnn.estimator.model_fn import EstimatorSpec, ModeKeys

__all__ = ["ClassificationHead", "RegressionHead"]



def check_reduction(loss_reduction):
    """Raises EstimatorError unless `loss_reduction` is a reducing one."""
    if loss_reduction == v1.losses.Reduction.NONE or \
            loss_reduction not in v1.losses.Reduction.all():
        raise EstimatorError(
            f"Invalid loss_reduction: {loss_reduction!r}; use one of "
            "tf.losses.Reduction.SUM (the v1 canned default), "
            "SUM_OVER_BATCH_SIZE or MEAN.")


def _labels_2d(labels, logits, dimension):
    """Labels reshaped to [batch, dimension], with TF 1.15's checks."""
    if labels is None:
        raise LabelShapeError(
            "You must provide a labels Tensor. Given: None. Suggested "
            "troubleshooting steps: check that your input_fn returns "
            "(features, labels).")
    if isinstance(labels, dict):
        raise LabelShapeError(
            f"Labels of a canned head must be a Tensor, not a dict (keys "
            f"{sorted(labels)}); return the label tensor itself from the "
            "input_fn.")
    if isinstance(labels, tf2.SparseTensor):
        labels = v1.sparse_tensor_to_dense(labels)
    labels = v1.convert_to_tensor(labels)
    if labels.shape.ndims == 1:
        labels = v1.expand_dims(labels, -1)
    shape = labels.shape
    last = v1.dimension_value(shape[-1]) if shape.ndims else None
    if shape.ndims is not None and (
            shape.ndims != 2 or (last is not None and last != dimension)):
        raise LabelShapeError(
            f"Mismatched label shape. Expected labels dimension={dimension}."
            f"  Received {shape.as_list()[-1] if shape.ndims else shape}. "
            f"Labels have shape {shape.as_list()}; the head wants [batch] or "
            f"[batch, {dimension}] (class ids for a classifier, not one-hot).")
    n_labels = v1.dimension_value(shape[0]) if shape.ndims else None
    n_logits = v1.dimension_value(logits.shape[0])
    if n_labels is not None and n_logits is not None and \
            n_labels != n_logits:
        raise LabelShapeError(
            f"Mismatched batch size: {n_labels} labels for "
            f"{n_logits} examples (logits {logits.shape.as_list()}). "
            "The input_fn must return one label per example.")
    with v1.control_dependencies([v1.assert_equal(
            v1.shape(labels)[0], v1.shape(logits)[0],
            message="labels and logits have different batch sizes")]):
        return v1.identity(labels)


def _weights(features, weight_column, logits):
    if weight_column is None:
        return 1.0
    key = weight_column if isinstance(weight_column, str) else \
        weight_column.key
    w = v1.to_float(features[key])
    if w.shape.ndims == 1:
        w = v1.expand_dims(w, -1)
    return w


def _train_op(optimizer_fn, loss, mode):
    if mode != ModeKeys.TRAIN:
        return None
    return optimizer_fn(loss)


class ClassificationHead:
    """Binary (sigmoid) or multi-class (softmax) head, v1 canned style."""

    def __init__(self, n_classes, weight_column=None, label_vocabulary=None,
                 loss_reduction="weighted_sum"):
        if n_classes is None or n_classes < 2:
            raise EstimatorError(
                f"n_classes must be > 1 for classification: {n_classes}")
        check_reduction(loss_reduction)
        self.n_classes = n_classes
        self.weight_column = weight_column
        self.label_vocabulary = label_vocabulary
        self.loss_reduction = loss_reduction
        self.logits_dimension = 1 if n_classes == 2 else n_classes

    def _label_ids(self, labels, logits):
        labels = _labels_2d(labels, logits, 1)
        if self.label_vocabulary:
            if labels.dtype != tf2.string:
                raise LabelShapeError(
                    "Labels dtype should be string when label_vocabulary is "
                    f"given; got {labels.dtype}.")
            table = v1.lookup.StaticHashTable(
                v1.lookup.KeyValueTensorInitializer(
                    list(self.label_vocabulary),
                    list(range(len(self.label_vocabulary))),
                    key_dtype=tf2.string, value_dtype=tf2.int64),
                default_value=-1, name="class_id_lookup")
            labels = table.lookup(labels)
        elif not labels.dtype.is_integer:
            if labels.dtype == tf2.string:
                raise LabelShapeError(
                    "Labels dtype should be integer; got string. Pass "
                    "label_vocabulary=[...] for string labels.")
            if self.n_classes == 2 and labels.dtype.is_floating:
                return v1.to_int64(labels)
            raise LabelShapeError(
                f"Labels dtype should be integer; got {labels.dtype}.")
        with v1.control_dependencies([
                v1.assert_less(labels, v1.cast(self.n_classes, labels.dtype),
                               message="Labels must <= n_classes - 1"),
                v1.assert_non_negative(labels,
                                       message="Labels must >= 0")]):
            return v1.to_int64(v1.identity(labels))

    def _class_strings(self, class_ids):
        if self.label_vocabulary:
            return v1.gather(v1.constant(list(self.label_vocabulary)),
                             class_ids, name="class_string_lookup")
        return v1.as_string(class_ids, name="str_classes")

    def create_estimator_spec(self, features, mode, logits, labels=None,
                              optimizer_fn=None):
        with v1.name_scope("head"):
            predictions = self._predictions(logits)
            if mode == ModeKeys.PREDICT:
                n = self.n_classes
                batch = v1.shape(logits)[:1]
                if self.label_vocabulary:
                    all_strings = v1.constant(self.label_vocabulary)
                else:
                    all_strings = v1.as_string(v1.range(n, dtype=tf2.int64))
                export_classes = v1.tile(v1.expand_dims(all_strings, 0),
                                         v1.concat([batch, [1]], 0))
                cls_out = export_lib.ClassificationOutput(
                    scores=predictions["probabilities"],
                    classes=export_classes)
                return EstimatorSpec(mode, predictions=predictions,
                                     export_outputs={
                                         "serving_default": cls_out,
                                         "classification": cls_out,
                                         "predict": export_lib.PredictOutput(
                                             predictions)})
            label_ids = self._label_ids(labels, logits)
            weights = _weights(features, self.weight_column, logits)
            if self.n_classes == 2:
                unreduced = v1.nn.sigmoid_cross_entropy_with_logits(
                    labels=v1.to_float(label_ids), logits=logits,
                    name="sigmoid_cross_entropy")
            else:
                unreduced = v1.losses.sparse_softmax_cross_entropy(
                    labels=label_ids, logits=logits,
                    reduction=v1.losses.Reduction.NONE)
            loss = v1.losses.compute_weighted_loss(
                unreduced, weights=weights, reduction=self.loss_reduction)
            if mode == ModeKeys.TRAIN:
                v1.summary.scalar("average_loss", v1.losses.compute_weighted_loss(
                    unreduced, weights=weights,
                    reduction=v1.losses.Reduction.SUM_OVER_BATCH_SIZE))
                return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                     train_op=optimizer_fn(loss))
            metrics = self._metrics(label_ids, predictions, unreduced,
                                    weights)
            return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                 eval_metric_ops=metrics)

    def _predictions(self, logits):
        n = self.n_classes
        if n == 2:
            logistic = v1.sigmoid(logits, name="logistic")
            two = v1.concat([v1.zeros_like(logits), logits], axis=-1,
                            name="two_class_logits")
            probabilities = v1.nn.softmax(two, name="probabilities")
            class_ids = v1.argmax(two, axis=-1, name="class_ids")
        else:
            probabilities = v1.nn.softmax(logits, name="probabilities")
            class_ids = v1.argmax(logits, axis=-1, name="class_ids")
        class_ids = v1.expand_dims(class_ids, axis=-1)
        batch = v1.shape(logits)[:1]
        all_ids = v1.tile(v1.expand_dims(v1.range(n), 0),
                          v1.concat([batch, [1]], 0))
        preds = {"logits": logits, "probabilities": probabilities,
                 "class_ids": class_ids,
                 "classes": self._class_strings(class_ids),
                 "all_class_ids": all_ids,
                 "all_classes": self._class_strings(v1.to_int64(all_ids))}
        if n == 2:
            preds["logistic"] = logistic
        return preds

    def _metrics(self, label_ids, predictions, unreduced, weights):
        w = None if isinstance(weights, float) else weights
        m = {"accuracy": v1.metrics.accuracy(
                 label_ids, predictions["class_ids"], weights=w,
                 name="accuracy"),
             "average_loss": v1.metrics.mean(unreduced, weights=w,
                                             name="average_loss")}
        if self.n_classes == 2:
            labels_f = v1.to_float(label_ids)
            logistic = predictions["logistic"]
            m["precision"] = v1.metrics.precision(
                label_ids, predictions["class_ids"], weights=w,
                name="precision")
            m["recall"] = v1.metrics.recall(
                label_ids, predictions["class_ids"], weights=w, name="recall")
            m["prediction/mean"] = v1.metrics.mean(logistic, weights=w,
                                                   name="prediction/mean")
            label_mean = v1.metrics.mean(labels_f, weights=w,
                                         name="label/mean")
            m["label/mean"] = label_mean
            m["accuracy_baseline"] = (
                v1.maximum(label_mean[0], 1.0 - label_mean[0],
                           name="accuracy_baseline"), label_mean[1])
            m["auc"] = v1.metrics.auc(labels_f, logistic, weights=w,
                                      name="auc")
            m["auc_precision_recall"] = v1.metrics.auc(
                labels_f, logistic, weights=w, curve="PR",
                name="auc_precision_recall")
        return m


class RegressionHead:
    """Squared-error regression head, v1 canned style."""

    def __init__(self, label_dimension=1, weight_column=None,
                 loss_reduction="weighted_sum"):
        check_reduction(loss_reduction)
        self.logits_dimension = label_dimension
        self.weight_column = weight_column
        self.loss_reduction = loss_reduction

    def create_estimator_spec(self, features, mode, logits, labels=None,
                              optimizer_fn=None):
        with v1.name_scope("head"):
            predictions = {"predictions": logits}
            if mode == ModeKeys.PREDICT:
                reg = export_lib.RegressionOutput(value=logits)
                outputs = {"predict": export_lib.PredictOutput(predictions)}
                if self.logits_dimension == 1:
                    outputs["serving_default"] = reg
                    outputs["regression"] = reg
                else:
                    outputs["serving_default"] = outputs["predict"]
                return EstimatorSpec(mode, predictions=predictions,
                                     export_outputs=outputs)
            labels = v1.to_float(_labels_2d(labels, logits,
                                            self.logits_dimension))
            weights = _weights(features, self.weight_column, logits)
            unreduced = v1.losses.mean_squared_error(
                labels, logits, reduction=v1.losses.Reduction.NONE)
            loss = v1.losses.compute_weighted_loss(
                unreduced, weights=weights, reduction=self.loss_reduction)
            if mode == ModeKeys.TRAIN:
                return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                     train_op=optimizer_fn(loss))
            w = None if isinstance(weights, float) else weights
            metrics = {
                "average_loss": v1.metrics.mean(unreduced, weights=w,
                                                name="average_loss"),
                "label/mean": v1.metrics.mean(labels, weights=w,
                                              name="label/mean"),
                "prediction/mean": v1.metrics.mean(logits, weights=w,
                                                   name="prediction/mean")}
            return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                 eval_metric_ops=metrics)
