"""`tf.estimator.BaselineClassifier` / `BaselineRegressor` (TF 1.15's v1).

    clf = tf.estimator.BaselineClassifier(n_classes=3)
    clf.train(input_fn)          # learns the class prior, ignoring features

The model is one bias vector, `baseline/bias` (shape [logits dimension],
zeros at the start), broadcast to the batch: logits = bias * ones([batch,
n]). Trained to convergence it predicts the (weighted) label mean for a
regressor and the class prior for a classifier (softmax of the bias for
n_classes > 2, the sigmoid of its one logit for n_classes = 2). Defaults as
TF 1.15's v1 classes: optimizer Ftrl with learning rate 0.3, loss reduction
SUM (the training loss of a batch is the *sum* over its examples), heads
and metrics as the other v1 canned estimators (`canned/head.py`).

Pitfalls kept from TF 1.15:
* `features` must be a dict (the batch size is read from its first feature
  that is not the weight column); a plain Tensor or an empty dict is an
  error (`EstimatorError` here; TF raised AttributeError/ValueError);
* the features' values are never used, only their batch size.
"""

from tf1_dnn._compat import tf2, v1
from tf1_dnn.estimator.canned import head as head_lib
from tf1_dnn.estimator.canned.dnn import _Canned
from tf1_dnn.estimator.canned.optimizers import get_optimizer, minimize_fn
from tf1_dnn.estimator.errors import EstimatorError
from tf1_dnn.estimator.model_fn import ModeKeys

__all__ = ["BaselineClassifier", "BaselineRegressor", "baseline_logits"]

_LEARNING_RATE = 0.3


def _weight_key(weight_column):
    if weight_column is None or isinstance(weight_column, str):
        return weight_column
    return weight_column.key


def baseline_logits(features, units, weight_column=None):
    """`baseline/bias` broadcast to [batch, units]."""
    if not isinstance(features, dict):
        raise EstimatorError(
            "Baseline estimators need features as a dict of Tensors (the "
            f"batch size is read from them); got {type(features).__name__}. "
            "Return {'x': tensor} from the input_fn.")
    skip = _weight_key(weight_column)
    batch_size, checks = None, []
    for key, feature in features.items():
        if key == skip:
            continue
        first_dim = v1.shape(feature)[0]
        if batch_size is None:
            batch_size = first_dim
        else:
            checks.append(v1.assert_equal(batch_size, first_dim))
    if batch_size is None:
        raise EstimatorError(
            "Baseline estimators need at least one feature (other than the "
            f"weight column) to read the batch size from; got features "
            f"{sorted(features)}.")
    with v1.control_dependencies(checks):
        with v1.variable_scope("baseline"):
            bias = v1.get_variable("bias", shape=[units],
                                   initializer=v1.zeros_initializer())
            return v1.multiply(bias, v1.ones(
                v1.stack([batch_size, units]), dtype=tf2.float32))


def _baseline_model_fn(features, labels, mode, params):
    head = params["head"]
    logits = baseline_logits(features, head.logits_dimension,
                             params["weight_column"])
    optimizer_fn = None
    if mode == ModeKeys.TRAIN:
        optimizer_fn = minimize_fn(get_optimizer(params["optimizer"],
                                                 _LEARNING_RATE))
    return head.create_estimator_spec(features, mode, logits, labels,
                                      optimizer_fn)


class BaselineClassifier(_Canned):
    """TF 1.15's (v1) `BaselineClassifier`: predicts the class prior."""

    def __init__(self, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Ftrl", config=None,
                 loss_reduction=v1.losses.Reduction.SUM):
        head = head_lib.ClassificationHead(n_classes, weight_column,
                                           label_vocabulary, loss_reduction)
        params = dict(head=head, optimizer=optimizer,
                      weight_column=weight_column)
        super().__init__(_baseline_model_fn, params, model_dir, config, None)


class BaselineRegressor(_Canned):
    """TF 1.15's (v1) `BaselineRegressor`: predicts the label mean."""

    def __init__(self, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Ftrl", config=None,
                 loss_reduction=v1.losses.Reduction.SUM):
        head = head_lib.RegressionHead(label_dimension, weight_column,
                                       loss_reduction)
        params = dict(head=head, optimizer=optimizer,
                      weight_column=weight_column)
        super().__init__(_baseline_model_fn, params, model_dir, config, None)
