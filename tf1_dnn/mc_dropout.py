"""Monte Carlo dropout (Gal & Ghahramani, 2016) for a TF 1.x graph.

Average `n_samples` forward passes with dropout *on*: the mean is a better
prediction than the single deterministic pass, and the spread (std) of the
passes estimates the model's uncertainty. The 2nd edition's Keras version::

    y_probas = np.stack([model(X_test_scaled, training=True)
                         for sample in range(100)])
    y_proba = y_probas.mean(axis=0)

In a TF1 graph the model's dropout layers take a `training` placeholder
(`tf.placeholder_with_default(False, shape=())`)::

    y_proba, y_std = mc_dropout_predict(sess, tf.nn.softmax(logits),
                                        {X: X_test}, training=training,
                                        n_samples=100, return_std=True)

Caveat: if batch normalization uses the same `training` placeholder,
feeding True also switches it to *batch* statistics (predictions then
depend on the other instances in the batch). Give dropout its own
placeholder (e.g. `dropout_training`) and pass that one here.

Importing this module changes nothing global.
"""

import numpy as np

from tf1_dnn._compat import v1
from tf1_dnn.errors import InputError, InputTypeError

__all__ = ["mc_dropout_predict"]


def mc_dropout_predict(sess, outputs, feed_dict=None, training=None,
                       n_samples=100, return_std=False,
                       return_samples=False):
    """Mean of `n_samples` stochastic passes of `outputs` with dropout on.

    mean = (1 / N) * sum_i outputs_i, each `outputs_i` one `sess.run` with
    `training` fed True (new dropout masks each run).

    Args:
      sess: the session.
      outputs: the tensor to average (e.g. softmax probabilities, not
        logits, if you want averaged probabilities).
      feed_dict: the other feeds (e.g. `{X: X_test}`); not modified.
      training: the boolean placeholder (or `placeholder_with_default`)
        that switches the model's dropout layers on. Required: without it
        every pass would be the same deterministic pass.
      n_samples: N >= 1.
      return_std: also return the per-element standard deviation.
      return_samples: also return all N passes, shape `[N] + outputs.shape`.

    Returns:
      The mean (numpy array), then the std and/or the samples if asked.
    """
    if training is None:
        raise InputError(
            "mc_dropout_predict needs the `training` placeholder that turns "
            "dropout on (e.g. training = tf.placeholder_with_default(False, "
            "shape=()) passed to tf.layers.dropout(..., training=training)); "
            "without it all passes are identical.")
    if not (isinstance(training, (v1.Tensor, v1.Variable))
            and training.dtype.base_dtype == v1.bool):
        raise InputTypeError(
            f"mc_dropout_predict: training must be a boolean tensor "
            f"(placeholder), got {training!r}.")
    if int(n_samples) != n_samples or n_samples < 1:
        raise InputError(
            f"mc_dropout_predict: n_samples must be an integer >= 1, got "
            f"{n_samples!r}.")
    feed = dict(feed_dict or {})
    feed[training] = True
    samples = np.stack([sess.run(outputs, feed)
                        for _ in range(int(n_samples))])
    mean = samples.mean(axis=0)
    result = [mean]
    if return_std:
        result.append(samples.std(axis=0))
    if return_samples:
        result.append(samples)
    return result[0] if len(result) == 1 else tuple(result)
