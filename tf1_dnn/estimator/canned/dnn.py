"""`tf.estimator.DNNClassifier` / `DNNRegressor` (TF 1.15's v1 canned).

    feature_columns = [tf.feature_column.numeric_column("X", shape=[28 * 28])]
    dnn_clf = tf.estimator.DNNClassifier(hidden_units=[300, 100], n_classes=10,
                                         feature_columns=feature_columns)

The network, as TF 1.15 built it: `tf.feature_column.input_layer` under
`dnn/input_from_feature_columns`, then per hidden layer a dense layer with
Glorot-uniform kernels and zero biases (`dnn/hiddenlayer_<i>/kernel`,
`dnn/hiddenlayer_<i>/bias`), dropout in training only when `dropout` is
set, and a linear `dnn/logits/kernel`, `dnn/logits/bias`. Default optimizer
Adagrad with learning rate 0.05 (its accumulators start at 0.1). The layers
are tf1_dnn's `tf.layers.dense`, not Keras. Heads and the SUM loss
reduction: see `tf1_dnn.estimator.canned.head`.
"""

from tf1_dnn._compat import v1
from tf1_dnn.estimator.canned import head as head_lib
from tf1_dnn.estimator.canned.optimizers import get_optimizer, minimize_fn
from tf1_dnn.estimator.errors import EstimatorError
from tf1_dnn.estimator.estimator import Estimator
from tf1_dnn.estimator.model_fn import ModeKeys

__all__ = ["DNNClassifier", "DNNRegressor", "dnn_logits"]

_LEARNING_RATE = 0.05


def _check_columns(feature_columns, what="feature_columns"):
    columns = list(feature_columns or ())
    if not columns:
        raise EstimatorError(
            f"{what} must be defined: a list of tf.feature_column columns, "
            "e.g. [tf.feature_column.numeric_column('x', shape=[4])].")
    return columns


def dnn_logits(features, mode, hidden_units, feature_columns, units,
               activation_fn=v1.nn.relu, dropout=None):
    """The canned DNN's logits, under variable scope `dnn`."""
    from tf1_dnn.layers import dense, dropout as dropout_layer
    if not isinstance(features, dict):
        raise EstimatorError(
            "features should be a dictionary of `Tensor`s. Given type: "
            f"{type(features).__name__}. Return a dict from the input_fn "
            "(numpy_input_fn({'x': X}, ...)).")
    glorot = v1.glorot_uniform_initializer()
    with v1.variable_scope("dnn"):
        with v1.variable_scope("input_from_feature_columns"):
            net = v1.feature_column.input_layer(features, feature_columns)
        for i, n_units in enumerate(hidden_units):
            name = f"hiddenlayer_{i}"
            net = dense(net, n_units, activation=activation_fn,
                        kernel_initializer=glorot, name=name)
            if dropout is not None and mode == ModeKeys.TRAIN:
                net = dropout_layer(net, rate=dropout, training=True)
            v1.summary.histogram(f"dnn/{name}/activation", net)
            v1.summary.scalar(f"dnn/{name}/fraction_of_zero_values",
                              v1.nn.zero_fraction(net))
        logits = dense(net, units, activation=None,
                       kernel_initializer=glorot, name="logits")
        v1.summary.histogram("dnn/logits/activation", logits)
        v1.summary.scalar("dnn/logits/fraction_of_zero_values",
                          v1.nn.zero_fraction(logits))
    return logits


def _dnn_model_fn(features, labels, mode, params):
    head = params["head"]
    if params.get("batch_norm"):
        raise EstimatorError("DNN estimators' batch_norm=True is not "
                             "provided by tf1_dnn; use a custom model_fn "
                             "with tf.layers.batch_normalization.")
    logits = dnn_logits(features, mode, params["hidden_units"],
                        params["feature_columns"], head.logits_dimension,
                        params["activation_fn"], params["dropout"])
    optimizer_fn = None
    if mode == ModeKeys.TRAIN:
        optimizer_fn = minimize_fn(
            get_optimizer(params["optimizer"], _LEARNING_RATE))
    return head.create_estimator_spec(features, mode, logits, labels,
                                      optimizer_fn)


class _Canned(Estimator):
    def __init__(self, model_fn, params, model_dir, config, warm_start_from):
        super().__init__(model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)
        self._canned_params = params

    @property
    def params(self):
        return dict(self._canned_params)


class DNNClassifier(_Canned):
    """TF 1.15's (v1) `DNNClassifier`: same arguments and defaults."""

    def __init__(self, hidden_units, feature_columns, model_dir=None,
                 n_classes=2, weight_column=None, label_vocabulary=None,
                 optimizer="Adagrad", activation_fn=v1.nn.relu, dropout=None,
                 input_layer_partitioner=None, config=None,
                 warm_start_from=None,
                 loss_reduction=v1.losses.Reduction.SUM, batch_norm=False):
        head = head_lib.ClassificationHead(n_classes, weight_column,
                                           label_vocabulary, loss_reduction)
        params = dict(head=head, hidden_units=list(hidden_units),
                      feature_columns=_check_columns(feature_columns),
                      optimizer=optimizer, activation_fn=activation_fn,
                      dropout=dropout, batch_norm=batch_norm)
        super().__init__(_dnn_model_fn, params, model_dir, config,
                         warm_start_from)


class DNNRegressor(_Canned):
    """TF 1.15's (v1) `DNNRegressor`: same arguments and defaults."""

    def __init__(self, hidden_units, feature_columns, model_dir=None,
                 label_dimension=1, weight_column=None, optimizer="Adagrad",
                 activation_fn=v1.nn.relu, dropout=None,
                 input_layer_partitioner=None, config=None,
                 warm_start_from=None,
                 loss_reduction=v1.losses.Reduction.SUM, batch_norm=False):
        head = head_lib.RegressionHead(label_dimension, weight_column,
                                       loss_reduction)
        params = dict(head=head, hidden_units=list(hidden_units),
                      feature_columns=_check_columns(feature_columns),
                      optimizer=optimizer, activation_fn=activation_fn,
                      dropout=dropout, batch_norm=batch_norm)
        super().__init__(_dnn_model_fn, params, model_dir, config,
                         warm_start_from)
