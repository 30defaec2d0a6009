"""`tf.contrib.metrics` = `slim.metrics`: the streaming metrics of TF 1.x.

Each `streaming_*` returns `(value, update_op)`, like `tf.metrics.*`, and
keeps its running totals in `LOCAL_VARIABLES`::

    accuracy, update = tf.contrib.metrics.streaming_accuracy(predictions,
                                                            labels)
    sess.run(tf.local_variables_initializer())
    for batch in batches:
        sess.run(update, feed_dict=...)
    print(sess.run(accuracy))

Pitfalls (TF 1.x contrib, mirrored):
  - **argument order**: contrib takes `(predictions, labels)`, the reverse
    of `tf.metrics.accuracy(labels, predictions)`. A port that keeps the
    positional order silently swaps them: harmless for accuracy and the
    mean errors, wrong for precision/recall/AUC. Use keywords.
  - the totals are local variables: run `tf.local_variables_initializer()`
    (or `slim.evaluation`, which does it), and re-run it to start over.
  - the value tensor does not update by itself: run the update op first.
"""

from tf1_dnn._compat import v1
from tf1_dnn.errors import InputError

__all__ = [
    "streaming_accuracy", "streaming_mean", "streaming_mean_tensor",
    "streaming_precision", "streaming_recall", "streaming_auc",
    "streaming_true_positives", "streaming_true_negatives",
    "streaming_false_positives", "streaming_false_negatives",
    "streaming_mean_absolute_error", "streaming_mean_squared_error",
    "streaming_root_mean_squared_error", "streaming_mean_relative_error",
    "streaming_mean_cosine_distance", "streaming_percentage_less",
    "streaming_mean_iou", "streaming_recall_at_k",
    "streaming_sparse_recall_at_k", "streaming_sparse_precision_at_k",
    "streaming_precision_at_thresholds", "streaming_recall_at_thresholds",
    "streaming_specificity_at_sensitivity",
    "streaming_sensitivity_at_specificity", "aggregate_metrics",
    "aggregate_metric_map"]


def _swapped(tf_name, doc):
    """A contrib wrapper `(predictions, labels, ...)` of `tf.metrics.<name>`."""

    def metric(predictions, labels, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        return getattr(v1.metrics, tf_name)(
            labels=labels, predictions=predictions, weights=weights,
            metrics_collections=metrics_collections,
            updates_collections=updates_collections, name=name)

    metric.__name__ = metric.__qualname__ = f"streaming_{tf_name}"
    metric.__doc__ = (f"`tf.metrics.{tf_name}` with contrib's argument order "
                      f"`(predictions, labels)`: {doc}")
    return metric


streaming_accuracy = _swapped(
    "accuracy", "the fraction of `predictions == labels` (both class ids).")
streaming_precision = _swapped(
    "precision", "true positives / predicted positives (bool inputs).")
streaming_recall = _swapped(
    "recall", "true positives / actual positives (bool inputs).")
streaming_true_positives = _swapped("true_positives", "a running count.")
streaming_true_negatives = _swapped("true_negatives", "a running count.")
streaming_false_positives = _swapped("false_positives", "a running count.")
streaming_false_negatives = _swapped("false_negatives", "a running count.")
streaming_mean_absolute_error = _swapped(
    "mean_absolute_error", "the running mean of `|predictions - labels|`.")
streaming_mean_squared_error = _swapped(
    "mean_squared_error", "the running mean of `(predictions - labels)**2`.")
streaming_root_mean_squared_error = _swapped(
    "root_mean_squared_error", "the square root of the running MSE.")


def streaming_mean(values, weights=None, metrics_collections=None,
                   updates_collections=None, name=None):
    """`tf.metrics.mean`: the running (weighted) mean of `values`."""
    return v1.metrics.mean(values=values, weights=weights,
                           metrics_collections=metrics_collections,
                           updates_collections=updates_collections, name=name)


def streaming_mean_tensor(values, weights=None, metrics_collections=None,
                          updates_collections=None, name=None):
    """`tf.metrics.mean_tensor`: the element-wise running mean."""
    return v1.metrics.mean_tensor(values=values, weights=weights,
                                  metrics_collections=metrics_collections,
                                  updates_collections=updates_collections,
                                  name=name)


def streaming_auc(predictions, labels, weights=None, num_thresholds=200,
                  metrics_collections=None, updates_collections=None,
                  curve="ROC", name=None):
    """`tf.metrics.auc` (predictions are probabilities, labels bools/0-1),
    Riemann sum over `num_thresholds`, `curve` "ROC" or "PR"."""
    return v1.metrics.auc(labels=labels, predictions=predictions,
                          weights=weights, num_thresholds=num_thresholds,
                          metrics_collections=metrics_collections,
                          updates_collections=updates_collections,
                          curve=curve, name=name)


def streaming_mean_relative_error(predictions, labels, normalizer,
                                  weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """`tf.metrics.mean_relative_error`: mean of `|p - l| / normalizer`."""
    return v1.metrics.mean_relative_error(
        labels=labels, predictions=predictions, normalizer=normalizer,
        weights=weights, metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def streaming_mean_cosine_distance(predictions, labels, dim, weights=None,
                                   metrics_collections=None,
                                   updates_collections=None, name=None):
    """Running mean of `1 - sum(predictions * labels, axis=dim)` (inputs
    assumed unit-normalized); default name "mean_cosine_distance"."""
    predictions = v1.convert_to_tensor(predictions)
    labels = v1.convert_to_tensor(labels)
    predictions.shape.assert_is_compatible_with(labels.shape)
    radial = v1.reduce_sum(v1.multiply(predictions, labels), axis=[dim],
                           keepdims=True)
    mean, update = streaming_mean(radial, weights, None, None,
                                  name or "mean_cosine_distance")
    mean = v1.subtract(1.0, mean)
    update = v1.subtract(1.0, update)
    if metrics_collections:
        v1.add_to_collections(metrics_collections, mean)
    if updates_collections:
        v1.add_to_collections(updates_collections, update)
    return mean, update


def streaming_percentage_less(values, threshold, weights=None,
                              metrics_collections=None,
                              updates_collections=None, name=None):
    """`tf.metrics.percentage_below`: fraction of `values < threshold`."""
    return v1.metrics.percentage_below(
        values=values, threshold=threshold, weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def streaming_mean_iou(predictions, labels, num_classes, weights=None,
                       metrics_collections=None, updates_collections=None,
                       name=None):
    """`tf.metrics.mean_iou` over `num_classes` (class-id inputs)."""
    return v1.metrics.mean_iou(
        labels=labels, predictions=predictions, num_classes=num_classes,
        weights=weights, metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def _at_k_name(name, k=None, class_id=None):
    if k is not None:
        name = f"{name}_at_{k}"
    else:
        name = f"{name}_at_k"
    if class_id is not None:
        name = f"{name}_class{class_id}"
    return name


def streaming_recall_at_k(predictions, labels, k, weights=None,
                          metrics_collections=None, updates_collections=None,
                          name=None):
    """Running fraction of examples whose label is in the top `k` of
    `predictions` (`[batch, classes]` scores; labels class ids); default
    name "recall_at_<k>"."""
    in_top_k = v1.cast(v1.nn.in_top_k(predictions, labels, k), v1.float32)
    return streaming_mean(in_top_k, weights, metrics_collections,
                          updates_collections, name or _at_k_name("recall", k))


def streaming_sparse_recall_at_k(predictions, labels, k, class_id=None,
                                 weights=None, metrics_collections=None,
                                 updates_collections=None, name=None):
    """`tf.metrics.recall_at_k` (contrib argument order)."""
    return v1.metrics.recall_at_k(
        labels=labels, predictions=predictions, k=k, class_id=class_id,
        weights=weights, metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def streaming_sparse_precision_at_k(predictions, labels, k, class_id=None,
                                    weights=None, metrics_collections=None,
                                    updates_collections=None, name=None):
    """`tf.metrics.precision_at_k` (contrib argument order)."""
    return v1.metrics.precision_at_k(
        labels=labels, predictions=predictions, k=k, class_id=class_id,
        weights=weights, metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def streaming_precision_at_thresholds(predictions, labels, thresholds,
                                      weights=None, metrics_collections=None,
                                      updates_collections=None, name=None):
    """`tf.metrics.precision_at_thresholds` (contrib argument order)."""
    return v1.metrics.precision_at_thresholds(
        labels=labels, predictions=predictions, thresholds=thresholds,
        weights=weights, metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def streaming_recall_at_thresholds(predictions, labels, thresholds,
                                   weights=None, metrics_collections=None,
                                   updates_collections=None, name=None):
    """`tf.metrics.recall_at_thresholds` (contrib argument order)."""
    return v1.metrics.recall_at_thresholds(
        labels=labels, predictions=predictions, thresholds=thresholds,
        weights=weights, metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def streaming_specificity_at_sensitivity(predictions, labels, sensitivity,
                                         weights=None, num_thresholds=200,
                                         metrics_collections=None,
                                         updates_collections=None, name=None):
    """`tf.metrics.specificity_at_sensitivity` (contrib argument order)."""
    return v1.metrics.specificity_at_sensitivity(
        labels=labels, predictions=predictions, sensitivity=sensitivity,
        weights=weights, num_thresholds=num_thresholds,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def streaming_sensitivity_at_specificity(predictions, labels, specificity,
                                         weights=None, num_thresholds=200,
                                         metrics_collections=None,
                                         updates_collections=None, name=None):
    """`tf.metrics.sensitivity_at_specificity` (contrib argument order)."""
    return v1.metrics.sensitivity_at_specificity(
        labels=labels, predictions=predictions, specificity=specificity,
        weights=weights, num_thresholds=num_thresholds,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def aggregate_metrics(*value_update_tuples):
    """`([values], [update_ops])` from `(value, update_op)` pairs.

    Raises:
      ValueError: no pair given.
    """
    if not value_update_tuples:
        raise InputError("aggregate_metrics: expected at least one "
                         "(value_tensor, update_op) pair.")
    values, updates = zip(*value_update_tuples)
    return list(values), list(updates)


def aggregate_metric_map(names_to_tuples):
    """`({name: value}, {name: update_op})` from `{name: (value, update)}`::

        names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
            "accuracy": slim.metrics.streaming_accuracy(predictions, labels),
            "mse": slim.metrics.streaming_mean_squared_error(p, l)})
    """
    names = list(names_to_tuples.keys())
    if not names:
        return {}, {}
    values, updates = zip(*names_to_tuples.values())
    return dict(zip(names, values)), dict(zip(names, updates))
