"""`tf.contrib.losses` = `slim.losses`: TF 1.x's deprecated loss functions.

They compute what `tf.losses` computes (a weighted mean over the elements
with non-zero weight, added to the `LOSSES` collection), with contrib's own
argument order and names. Pitfalls, mirrored:
  - **argument order**: `softmax_cross_entropy(logits, onehot_labels)`,
    `sparse_softmax_cross_entropy(logits, labels)`,
    `sigmoid_cross_entropy(logits, multi_class_labels)`,
    `log_loss(predictions, labels)`, `mean_squared_error(predictions,
    labels)` -- `tf.losses` takes the labels first. Passing keywords is the
    safe way to port code either direction.
  - `hinge_loss(logits, labels)` returns the **unreduced** per-element loss
    and does not add it to `LOSSES` (`tf.losses.hinge_loss` reduces and adds).
  - `get_total_loss()` adds the regularization losses by default, so the
    `weights_regularizer` of every layer counts.
  - the result is float32 whatever the input dtype of the intermediate
    losses (cast back to the input dtype at the end).
"""

from tf1_dnn._compat import v1
from tf1_dnn.contrib.arg_scope import add_arg_scope
from tf1_dnn.errors import InputError

__all__ = ["absolute_difference", "add_loss", "compute_weighted_loss",
           "cosine_distance", "get_losses", "get_regularization_losses",
           "get_total_loss", "hinge_loss", "log_loss",
           "mean_pairwise_squared_error", "mean_squared_error",
           "sigmoid_cross_entropy", "softmax_cross_entropy",
           "sparse_softmax_cross_entropy"]


def _scale_losses(losses, weights):
    """sum(losses reduced to the rank of weights * weights)."""
    start = max(0, weights.shape.ndims)
    axis = list(range(start, losses.shape.ndims))
    reduced = v1.reduce_sum(losses, axis=axis)
    return v1.reduce_sum(v1.multiply(reduced, weights))


def _num_present(losses, weights, per_batch=False):
    """How many loss elements the (broadcast) non-zero weights cover."""
    if weights.shape.ndims == 0:
        batch_size = v1.reshape(v1.slice(v1.shape(losses), [0], [1]), [])
        per = v1.div(v1.cast(v1.size(losses), v1.float32),
                     v1.cast(batch_size, v1.float32))
        per = v1.where(v1.equal(weights, 0), 0.0, per)
        per = v1.multiply(v1.ones(v1.reshape(batch_size, [1])), per)
        return per if per_batch else v1.reduce_sum(per)
    axis = list(range(1, weights.shape.ndims))
    nonzero = v1.reduce_sum(
        v1.cast(v1.not_equal(weights, 0), v1.float32), axis=axis)
    broadcast_dims = v1.slice(v1.shape(losses), [weights.shape.ndims], [-1])
    to_broadcast = v1.cast(v1.reduce_prod(broadcast_dims), v1.float32)
    per = v1.multiply(nonzero, to_broadcast)
    return per if per_batch else v1.reduce_sum(per)


@add_arg_scope
def add_loss(loss, loss_collection=v1.GraphKeys.LOSSES):
    """Adds `loss` to `loss_collection` (nothing if it is None/empty)."""
    if loss_collection:
        v1.add_to_collection(loss_collection, loss)


def compute_weighted_loss(losses, weights=1.0, scope=None):
    """Weighted mean of `losses` (0 when every weight is 0), added to LOSSES.

    Raises:
      ValueError: unknown rank of `losses` or `weights`.
    """
    with v1.name_scope(scope, "weighted_loss", [losses, weights]):
        losses = v1.convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = v1.cast(losses, v1.float32)
        weights = v1.cast(v1.convert_to_tensor(weights), v1.float32)
        if losses.shape.ndims is None:
            raise InputError("compute_weighted_loss: the rank of losses "
                             "must be known (losses.get_shape().ndims is None).")
        if weights.shape.ndims is None:
            raise InputError("compute_weighted_loss: the rank of weights "
                             "must be known (weights.get_shape().ndims is None).")
        if weights.shape.ndims > 1 and \
                weights.shape.dims[-1].is_compatible_with(1):
            weights = v1.squeeze(weights, [-1])
        total = _scale_losses(losses, weights)
        present = _num_present(losses, weights)
        mean = v1.math.divide_no_nan(total, present, name="value")
        mean = v1.cast(mean, input_dtype)
        add_loss(mean)
        return mean


def get_losses(scope=None, loss_collection=v1.GraphKeys.LOSSES):
    """The losses of `loss_collection` (filtered by the `scope` regex)."""
    return v1.get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    """`REGULARIZATION_LOSSES` (filtered by the `scope` regex)."""
    return v1.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES, scope)


def get_total_loss(add_regularization_losses=True, name="total_loss"):
    """`add_n` of the LOSSES (and, by default, the regularization losses).

    Raises:
      ValueError: there is no loss at all (TF 1.x's `add_n` error, named).
    """
    losses = get_losses()
    if add_regularization_losses:
        losses += get_regularization_losses()
    if not losses:
        raise InputError(
            "get_total_loss: no losses found in the LOSSES collection (nor "
            "regularization losses). Create one first, e.g. "
            "slim.losses.softmax_cross_entropy(logits, onehot_labels).")
    return v1.add_n(losses, name=name)


def _pair(predictions, labels):
    if labels is None:
        raise InputError("labels must be given (contrib's signature allows "
                         "None only for backward compatibility).")
    predictions = v1.convert_to_tensor(predictions)
    labels = v1.convert_to_tensor(labels)
    predictions.shape.assert_is_compatible_with(labels.shape)
    return v1.cast(predictions, v1.float32), v1.cast(labels, v1.float32)


def absolute_difference(predictions, labels=None, weights=1.0, scope=None):
    """Weighted mean of `|predictions - labels|` (predictions first)."""
    with v1.name_scope(scope, "absolute_difference",
                       [predictions, labels, weights]) as scope:
        predictions, labels = _pair(predictions, labels)
        losses = v1.abs(v1.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, scope=scope)


def sigmoid_cross_entropy(logits, multi_class_labels, weights=1.0,
                          label_smoothing=0, scope=None):
    """Weighted mean of `sigmoid_cross_entropy_with_logits` (logits first);
    `label_smoothing` moves the labels towards 1/2."""
    with v1.name_scope(scope, "sigmoid_cross_entropy_loss",
                       [logits, multi_class_labels, weights]) as scope:
        logits = v1.convert_to_tensor(logits)
        multi_class_labels = v1.convert_to_tensor(multi_class_labels)
        logits.shape.assert_is_compatible_with(multi_class_labels.shape)
        multi_class_labels = v1.cast(multi_class_labels, logits.dtype)
        if label_smoothing > 0:
            multi_class_labels = (multi_class_labels * (1 - label_smoothing)
                                  + 0.5 * label_smoothing)
        losses = v1.nn.sigmoid_cross_entropy_with_logits(
            labels=multi_class_labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope=scope)


def softmax_cross_entropy(logits, onehot_labels, weights=1.0,
                          label_smoothing=0, scope=None):
    """Weighted mean of softmax cross entropy (**logits first**, then one-hot
    labels); `label_smoothing` moves the labels towards 1/num_classes."""
    with v1.name_scope(scope, "softmax_cross_entropy_loss",
                       [logits, onehot_labels, weights]) as scope:
        logits = v1.convert_to_tensor(logits)
        onehot_labels = v1.convert_to_tensor(onehot_labels)
        logits.shape.assert_is_compatible_with(onehot_labels.shape)
        onehot_labels = v1.cast(onehot_labels, logits.dtype)
        if label_smoothing > 0:
            num_classes = v1.cast(v1.shape(onehot_labels)[1], logits.dtype)
            onehot_labels = (onehot_labels * (1.0 - label_smoothing)
                             + label_smoothing / num_classes)
        losses = v1.nn.softmax_cross_entropy_with_logits_v2(
            labels=v1.stop_gradient(onehot_labels), logits=logits,
            name="xentropy")
        return compute_weighted_loss(losses, weights, scope=scope)


def sparse_softmax_cross_entropy(logits, labels, weights=1.0, scope=None):
    """Weighted mean of sparse softmax cross entropy (logits first; labels
    `[batch]` or `[batch, 1]` class ids)."""
    with v1.name_scope(scope, "sparse_softmax_cross_entropy_loss",
                       [logits, labels, weights]) as scope:
        labels = v1.reshape(labels, shape=[v1.shape(labels)[0]])
        losses = v1.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope=scope)


def log_loss(predictions, labels=None, weights=1.0, epsilon=1e-7,
             scope=None):
    """Weighted mean of `-y log(p + eps) - (1 - y) log(1 - p + eps)`
    (predictions first)."""
    with v1.name_scope(scope, "log_loss",
                       [predictions, labels, weights]) as scope:
        predictions, labels = _pair(predictions, labels)
        losses = -v1.multiply(labels, v1.log(predictions + epsilon)) \
            - v1.multiply((1 - labels), v1.log(1 - predictions + epsilon))
        return compute_weighted_loss(losses, weights, scope=scope)


def hinge_loss(logits, labels=None, scope=None):
    """`relu(1 - (2 labels - 1) * logits)`, **unreduced** and not added to
    LOSSES (contrib's behaviour; labels are 0/1)."""
    with v1.name_scope(scope, "hinge_loss", [logits, labels]):
        logits = v1.convert_to_tensor(logits)
        labels = v1.convert_to_tensor(labels)
        logits.shape.assert_is_compatible_with(labels.shape)
        labels = v1.cast(labels, v1.float32)
        all_ones = v1.ones_like(labels)
        labels = v1.subtract(2 * labels, all_ones)
        return v1.nn.relu(v1.subtract(all_ones, v1.multiply(labels, logits)))


def mean_squared_error(predictions, labels=None, weights=1.0, scope=None):
    """Weighted mean of `(predictions - labels)**2` (predictions first)."""
    with v1.name_scope(scope, "mean_squared_error",
                       [predictions, labels, weights]) as scope:
        predictions, labels = _pair(predictions, labels)
        losses = v1.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, scope=scope)


def mean_pairwise_squared_error(predictions, labels=None, weights=1.0,
                                scope=None):
    """Mean over pairs (i, j) within each example of
    `((p_i - p_j) - (l_i - l_j))**2`, weighted per example."""
    with v1.name_scope(scope, "mean_pairwise_squared_error",
                       [predictions, labels, weights]):
        predictions, labels = _pair(predictions, labels)
        weights = v1.cast(v1.convert_to_tensor(weights), v1.float32)
        diffs = v1.subtract(predictions, labels)
        if diffs.shape.ndims is None or weights.shape.ndims is None:
            raise InputError("mean_pairwise_squared_error: the ranks of "
                             "predictions and weights must be known.")
        axis = list(range(1, diffs.shape.ndims))
        sum_squares = v1.reduce_sum(v1.square(diffs), axis=axis)
        present = _num_present(diffs, weights, per_batch=True)
        term1 = 2.0 * v1.math.divide_no_nan(sum_squares, present,
                                            name="value")
        sum_diff = v1.reduce_sum(diffs, axis=axis)
        term2 = 2.0 * v1.math.divide_no_nan(
            v1.square(sum_diff), v1.square(present), name="value")
        loss = _scale_losses(term1 - term2, weights)
        mean = v1.where(v1.reduce_sum(present) > 0, loss,
                        v1.zeros_like(loss), name="value")
        add_loss(mean)
        return mean


def cosine_distance(predictions, labels=None, axis=None, weights=1.0,
                    scope=None, dim=None):
    """Weighted mean of `1 - sum(predictions * labels, axis)` (inputs assumed
    unit-normalized; `dim` is the old name of `axis`).

    Raises:
      ValueError: neither `axis` nor `dim` given.
    """
    if axis is None:
        axis = dim
    if axis is None:
        raise InputError("cosine_distance: you must specify 'axis' (the "
                         "axis of the vectors, e.g. axis=1).")
    with v1.name_scope(scope, "cosine_distance_loss",
                       [predictions, labels, weights]) as scope:
        predictions, labels = _pair(predictions, labels)
        radial = v1.multiply(predictions, labels)
        losses = 1 - v1.reduce_sum(radial, axis=[axis])
        return compute_weighted_loss(losses, weights, scope=scope)
