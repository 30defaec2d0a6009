"""`tf.estimator.ModeKeys` and `tf.estimator.EstimatorSpec` as in TF 1.15.

`EstimatorSpec` checks what TF 1.15 checked (TRAIN needs `loss` and
`train_op`, EVAL needs `loss`, PREDICT needs `predictions`, the loss is a
scalar, `eval_metric_ops` values are `(value, update_op)` pairs) and raises a
`ModelFnError` (a `ValueError`) that names the missing piece and the fix.
"""

import collections

from tf1_dnn._compat import tf2, v1
from tf1_dnn.estimator.errors import ModelFnError

__all__ = ["ModeKeys", "EstimatorSpec"]


class ModeKeys:
    """The three modes a `model_fn` is called in."""
    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


_SPEC_FIELDS = ["mode", "predictions", "loss", "train_op", "eval_metric_ops",
                "export_outputs", "training_chief_hooks", "training_hooks",
                "scaffold", "evaluation_hooks", "prediction_hooks"]


def _is_tensor(x):
    return isinstance(x, (tf2.Tensor, v1.Variable, tf2.SparseTensor))


class EstimatorSpec(collections.namedtuple("EstimatorSpec", _SPEC_FIELDS)):
    """What a `model_fn` returns: ops and objects for one mode.

    Same fields and defaults as TF 1.15. For PREDICT with no
    `export_outputs`, the exported signature `serving_default` is a
    `PredictOutput` of `predictions` (as TF 1.15 did).

    Raises:
      ModelFnError: a field the mode needs is missing or has the wrong type.
    """

    def __new__(cls, mode, predictions=None, loss=None, train_op=None,
                eval_metric_ops=None, export_outputs=None,
                training_chief_hooks=None, training_hooks=None,
                scaffold=None, evaluation_hooks=None, prediction_hooks=None):
        from tf1_dnn.estimator import export as export_lib
        if mode not in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT):
            raise ModelFnError(
                f"EstimatorSpec: mode {mode!r} is not one of ModeKeys.TRAIN "
                "('train'), EVAL ('eval') or PREDICT ('infer'). Pass the "
                "`mode` your model_fn received.")
        if mode == ModeKeys.TRAIN and train_op is None:
            raise ModelFnError(
                "Missing train_op. The model_fn's EstimatorSpec for "
                "ModeKeys.TRAIN needs `train_op=` (e.g. "
                "optimizer.minimize(loss, global_step=tf.train.get_global_step())).")
        if mode in (ModeKeys.TRAIN, ModeKeys.EVAL) and loss is None:
            raise ModelFnError(
                f"Missing loss. The model_fn's EstimatorSpec for mode {mode!r} "
                "needs `loss=` (a scalar tensor).")
        if mode == ModeKeys.PREDICT and predictions is None:
            raise ModelFnError(
                "Missing predictions. The model_fn's EstimatorSpec for "
                "ModeKeys.PREDICT needs `predictions=` (a tensor or a dict of "
                "tensors).")
        if loss is not None:
            if not _is_tensor(loss):
                raise ModelFnError(
                    f"loss must be a Tensor; got {type(loss).__name__}.")
            if loss.shape.ndims not in (None, 0):
                raise ModelFnError(
                    f"Loss must be scalar, given: {loss}. Reduce it, e.g. "
                    "tf.reduce_mean(...).")
        if train_op is not None and not isinstance(
                train_op, (v1.Operation, tf2.Tensor, v1.Variable)):
            raise ModelFnError(
                f"train_op must be an Operation or Tensor; got "
                f"{type(train_op).__name__}.")
        if predictions is not None:
            items = predictions.items() if isinstance(predictions, dict) \
                else [("predictions", predictions)]
            for key, value in items:
                if not _is_tensor(value):
                    raise ModelFnError(
                        f"predictions[{key!r}] must be a Tensor; got "
                        f"{type(value).__name__}.")
        eval_metric_ops = dict(eval_metric_ops or {})
        for key, value in eval_metric_ops.items():
            if not (isinstance(value, tuple) and len(value) == 2):
                raise ModelFnError(
                    f"eval_metric_ops[{key!r}] must be a (metric_tensor, "
                    f"update_op) tuple such as tf.metrics.accuracy(...) "
                    f"returns; got {value!r}.")
        if export_outputs is None and mode == ModeKeys.PREDICT:
            export_outputs = {
                v1.saved_model.signature_constants
                .DEFAULT_SERVING_SIGNATURE_DEF_KEY:
                    export_lib.PredictOutput(predictions)}
        if export_outputs is not None:
            for key, value in export_outputs.items():
                if not isinstance(value, export_lib.ExportOutput):
                    raise ModelFnError(
                        f"export_outputs[{key!r}] must be a "
                        "tf.estimator.export.ExportOutput (PredictOutput, "
                        f"ClassificationOutput, RegressionOutput); got "
                        f"{type(value).__name__}.")
        return super().__new__(
            cls, mode, predictions, loss, train_op, eval_metric_ops,
            export_outputs, tuple(training_chief_hooks or ()),
            tuple(training_hooks or ()), scaffold or v1.train.Scaffold(),
            tuple(evaluation_hooks or ()), tuple(prediction_hooks or ()))

    def _replace(self, **kwds):
        fields = self._asdict()
        fields.update(kwds)
        return EstimatorSpec(**fields)
