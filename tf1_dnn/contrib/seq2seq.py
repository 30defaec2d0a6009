"""`tf.contrib.seq2seq`: `sequence_loss`, the one function small scripts use.

    loss = tf.contrib.seq2seq.sequence_loss(logits, targets, weights)

Only `sequence_loss` is provided (TF 1.15's, on core ops); the decoders,
attention and beam search of `tf.contrib.seq2seq` are not.
"""

from tf1_dnn._compat import v1
from tf1_dnn.rnn_cell import RNNInputError

__all__ = ["sequence_loss"]


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, sum_over_timesteps=False,
                  sum_over_batch=False, softmax_loss_function=None,
                  name=None):
    """Weighted cross-entropy of a batch of sequences (TF 1.15 contrib).

    Args:
      logits: `[batch_size, sequence_length, num_classes]` floats.
      targets: `[batch_size, sequence_length]` int class ids.
      weights: `[batch_size, sequence_length]` floats (0 masks padding).
      average_across_timesteps / average_across_batch: divide the weighted
        sum by the sum of the weights over that axis (both: a scalar).
      sum_over_timesteps / sum_over_batch: divide instead by the number of
        non-zero weights (exclusive with the matching `average_*`).
      softmax_loss_function: `fn(labels=, logits=)` replacing
        `tf.nn.sparse_softmax_cross_entropy_with_logits`.
      name: name scope (default "sequence_loss").

    Returns:
      A scalar, a `[batch_size]` or `[sequence_length]` vector, or the
      `[batch_size, sequence_length]` losses when nothing is reduced.

    Caveat: the averages divide by the sum of the *weights* (div_no_nan: 0
    when they are all 0), not by the number of steps.
    """
    for what, tensor, rank, layout in (
            ("logits", logits, 3, "[batch_size, sequence_length, "
                                  "num_classes]"),
            ("targets", targets, 2, "[batch_size, sequence_length]"),
            ("weights", weights, 2, "[batch_size, sequence_length]")):
        ndims = v1.convert_to_tensor(tensor).shape.ndims
        if ndims != rank:
            raise RNNInputError(
                f"sequence_loss: {what} must be a {layout} tensor, got rank "
                f"{ndims}.")
    if average_across_timesteps and sum_over_timesteps:
        raise RNNInputError(
            "sequence_loss: average_across_timesteps and sum_over_timesteps "
            "cannot both be True.")
    if average_across_batch and sum_over_batch:
        raise RNNInputError(
            "sequence_loss: average_across_batch and sum_over_batch cannot "
            "both be True.")
    with v1.name_scope(name, "sequence_loss", [logits, targets, weights]):
        num_classes = v1.shape(logits)[2]
        logits_flat = v1.reshape(logits, [-1, num_classes])
        targets = v1.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = v1.nn.sparse_softmax_cross_entropy_with_logits(
                labels=targets, logits=logits_flat)
        else:
            crossent = softmax_loss_function(labels=targets,
                                             logits=logits_flat)
        crossent *= v1.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            crossent = v1.reduce_sum(crossent)
            crossent = v1.div_no_nan(crossent, v1.reduce_sum(weights))
        elif sum_over_timesteps and sum_over_batch:
            crossent = v1.reduce_sum(crossent)
            count = v1.cast(v1.count_nonzero(weights), v1.float32)
            crossent = v1.div_no_nan(crossent, count)
        else:
            crossent = v1.reshape(crossent, v1.shape(logits)[0:2])
            if average_across_timesteps or average_across_batch:
                axis = [0] if average_across_batch else [1]
                crossent = v1.reduce_sum(crossent, axis=axis)
                total = v1.reduce_sum(weights, axis=axis)
                crossent = v1.div_no_nan(crossent, total)
            elif sum_over_timesteps or sum_over_batch:
                axis = [0] if sum_over_batch else [1]
                crossent = v1.reduce_sum(crossent, axis=axis)
                count = v1.cast(v1.count_nonzero(weights, axis=axis),
                                dtype=v1.float32)
                crossent = v1.div_no_nan(crossent, count)
        return crossent
