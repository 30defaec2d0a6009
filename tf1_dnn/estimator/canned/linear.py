"""`tf.estimator.LinearClassifier` / `LinearRegressor` and
`DNNLinearCombinedClassifier` / `Regressor` (TF 1.15's v1 canned).

Linear logits are `tf.compat.v1.feature_column.linear_model` under variable
scope `linear`: variables `linear/linear_model/<column>/weights` and
`linear/linear_model/bias_weights`. Default optimizer: Ftrl with learning
rate min(0.2, 1/sqrt(number of feature columns)) (0.005 instead of 0.2 in
the combined estimators, whose DNN part uses Adagrad 0.001).
"""

import math

from tf1_dnn._compat import v1
from tf1_dnn.estimator.canned import head as head_lib
from tf1_dnn.estimator.canned.dnn import _Canned, _check_columns, dnn_logits
from tf1_dnn.estimator.canned.optimizers import get_optimizer, minimize_fn
from tf1_dnn.estimator.errors import EstimatorError
from tf1_dnn.estimator.model_fn import ModeKeys

__all__ = ["LinearClassifier", "LinearRegressor",
           "DNNLinearCombinedClassifier", "DNNLinearCombinedRegressor"]


def linear_logits(features, feature_columns, units, sparse_combiner="sum"):
    """The canned linear model's logits, under variable scope `linear`."""
    if not isinstance(features, dict):
        raise EstimatorError(
            "features should be a dictionary of `Tensor`s. Given type: "
            f"{type(features).__name__}.")
    with v1.variable_scope("linear"):
        logits = v1.feature_column.linear_model(
            features, feature_columns, units=units,
            sparse_combiner=sparse_combiner)
    v1.summary.scalar("linear/fraction_of_zero_weights", v1.nn.zero_fraction(
        v1.concat([v1.reshape(v, [-1]) for v in v1.trainable_variables()
                   if v.name.startswith("linear/")], 0)))
    return logits


def _lr(feature_columns, cap):
    return min(cap, 1.0 / math.sqrt(len(feature_columns)))


def _linear_model_fn(features, labels, mode, params):
    head = params["head"]
    logits = linear_logits(features, params["feature_columns"],
                           head.logits_dimension, params["sparse_combiner"])
    optimizer_fn = None
    if mode == ModeKeys.TRAIN:
        optimizer_fn = minimize_fn(get_optimizer(
            params["optimizer"], _lr(params["feature_columns"], 0.2)))
    return head.create_estimator_spec(features, mode, logits, labels,
                                      optimizer_fn)


class LinearClassifier(_Canned):
    """TF 1.15's (v1) `LinearClassifier`: same arguments and defaults."""

    def __init__(self, feature_columns, model_dir=None, n_classes=2,
                 weight_column=None, label_vocabulary=None, optimizer="Ftrl",
                 config=None, partitioner=None, warm_start_from=None,
                 loss_reduction=v1.losses.Reduction.SUM,
                 sparse_combiner="sum"):
        head = head_lib.ClassificationHead(n_classes, weight_column,
                                           label_vocabulary, loss_reduction)
        params = dict(head=head, optimizer=optimizer,
                      feature_columns=_check_columns(feature_columns),
                      sparse_combiner=sparse_combiner)
        super().__init__(_linear_model_fn, params, model_dir, config,
                         warm_start_from)


class LinearRegressor(_Canned):
    """TF 1.15's (v1) `LinearRegressor`: same arguments and defaults."""

    def __init__(self, feature_columns, model_dir=None, label_dimension=1,
                 weight_column=None, optimizer="Ftrl", config=None,
                 partitioner=None, warm_start_from=None,
                 loss_reduction=v1.losses.Reduction.SUM,
                 sparse_combiner="sum"):
        head = head_lib.RegressionHead(label_dimension, weight_column,
                                       loss_reduction)
        params = dict(head=head, optimizer=optimizer,
                      feature_columns=_check_columns(feature_columns),
                      sparse_combiner=sparse_combiner)
        super().__init__(_linear_model_fn, params, model_dir, config,
                         warm_start_from)


def _combined_model_fn(features, labels, mode, params):
    head = params["head"]
    lin_cols, dnn_cols = params["linear_feature_columns"], \
        params["dnn_feature_columns"]
    logits = 0
    if dnn_cols:
        logits = dnn_logits(features, mode, params["dnn_hidden_units"],
                            dnn_cols, head.logits_dimension,
                            params["dnn_activation_fn"], params["dnn_dropout"])
    if lin_cols:
        logits = logits + linear_logits(features, lin_cols,
                                        head.logits_dimension,
                                        params["linear_sparse_combiner"])
    optimizer_fn = None
    if mode == ModeKeys.TRAIN:
        def optimizer_fn(loss):
            ops = []
            update_ops = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
            with v1.control_dependencies(update_ops):
                if dnn_cols:
                    ops.append(get_optimizer(params["dnn_optimizer"], 0.001)
                               .minimize(loss, var_list=v1.get_collection(
                                   v1.GraphKeys.TRAINABLE_VARIABLES, "dnn")))
                if lin_cols:
                    ops.append(get_optimizer(params["linear_optimizer"],
                                             _lr(lin_cols, 0.005))
                               .minimize(loss, var_list=v1.get_collection(
                                   v1.GraphKeys.TRAINABLE_VARIABLES,
                                   "linear")))
            train_op = v1.group(*ops)
            with v1.control_dependencies([train_op]):
                return v1.assign_add(v1.train.get_global_step(), 1).op
    return head.create_estimator_spec(features, mode, logits, labels,
                                      optimizer_fn)


def _combined_params(head, linear_feature_columns, linear_optimizer,
                     dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
                     dnn_activation_fn, dnn_dropout, linear_sparse_combiner):
    lin, dnn = list(linear_feature_columns or ()), \
        list(dnn_feature_columns or ())
    if not lin and not dnn:
        raise EstimatorError(
            "Either linear_feature_columns or dnn_feature_columns must be "
            "defined.")
    if dnn and not dnn_hidden_units:
        raise EstimatorError(
            "dnn_hidden_units must be defined when dnn_feature_columns is "
            f"specified. dnn_feature_columns: {dnn}")
    return dict(head=head, linear_feature_columns=lin,
                linear_optimizer=linear_optimizer, dnn_feature_columns=dnn,
                dnn_optimizer=dnn_optimizer,
                dnn_hidden_units=list(dnn_hidden_units or ()),
                dnn_activation_fn=dnn_activation_fn, dnn_dropout=dnn_dropout,
                linear_sparse_combiner=linear_sparse_combiner)


class DNNLinearCombinedClassifier(_Canned):
    """TF 1.15's (v1) wide & deep classifier: logits = dnn + linear."""

    def __init__(self, model_dir=None, linear_feature_columns=None,
                 linear_optimizer="Ftrl", dnn_feature_columns=None,
                 dnn_optimizer="Adagrad", dnn_hidden_units=None,
                 dnn_activation_fn=v1.nn.relu, dnn_dropout=None, n_classes=2,
                 weight_column=None, label_vocabulary=None,
                 input_layer_partitioner=None, config=None,
                 warm_start_from=None,
                 loss_reduction=v1.losses.Reduction.SUM, batch_norm=False,
                 linear_sparse_combiner="sum"):
        head = head_lib.ClassificationHead(n_classes, weight_column,
                                           label_vocabulary, loss_reduction)
        params = _combined_params(
            head, linear_feature_columns, linear_optimizer,
            dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
            dnn_activation_fn, dnn_dropout, linear_sparse_combiner)
        super().__init__(_combined_model_fn, params, model_dir, config,
                         warm_start_from)


class DNNLinearCombinedRegressor(_Canned):
    """TF 1.15's (v1) wide & deep regressor: predictions = dnn + linear."""

    def __init__(self, model_dir=None, linear_feature_columns=None,
                 linear_optimizer="Ftrl", dnn_feature_columns=None,
                 dnn_optimizer="Adagrad", dnn_hidden_units=None,
                 dnn_activation_fn=v1.nn.relu, dnn_dropout=None,
                 label_dimension=1, weight_column=None,
                 input_layer_partitioner=None, config=None,
                 warm_start_from=None,
                 loss_reduction=v1.losses.Reduction.SUM, batch_norm=False,
                 linear_sparse_combiner="sum"):
        head = head_lib.RegressionHead(label_dimension, weight_column,
                                       loss_reduction)
        params = _combined_params(
            head, linear_feature_columns, linear_optimizer,
            dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
            dnn_activation_fn, dnn_dropout, linear_sparse_combiner)
        super().__init__(_combined_model_fn, params, model_dir, config,
                         warm_start_from)
