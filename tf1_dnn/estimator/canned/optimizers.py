"""Optimizer arguments of the canned estimators: a name, an instance or a
callable, as TF 1.15's `get_optimizer_instance` accepted."""

from tf1_dnn._compat import v1
from tf1_dnn.estimator.errors import EstimatorError

_BY_NAME = {
    "Adagrad": v1.train.AdagradOptimizer,
    "Adam": v1.train.AdamOptimizer,
    "Ftrl": v1.train.FtrlOptimizer,
    "RMSProp": v1.train.RMSPropOptimizer,
    "SGD": v1.train.GradientDescentOptimizer,
}


def get_optimizer(optimizer, learning_rate):
    """A `tf.compat.v1.train.Optimizer` from a name, instance or callable.

    Called while the model graph is being built (an optimizer object holds
    no graph state until `minimize`, so an instance may be reused).
    """
    if isinstance(optimizer, str):
        if optimizer not in _BY_NAME:
            raise EstimatorError(
                f"Unsupported optimizer name: {optimizer}. Supported names "
                f"are: {tuple(sorted(_BY_NAME))}")
        return _BY_NAME[optimizer](learning_rate=learning_rate)
    if callable(optimizer) and not isinstance(optimizer, v1.train.Optimizer):
        optimizer = optimizer()
    if not isinstance(optimizer, v1.train.Optimizer):
        raise EstimatorError(
            "The given object is not an Optimizer instance. Given: "
            f"{optimizer!r}. Pass a name ('Adagrad', 'Adam', 'Ftrl', "
            "'RMSProp', 'SGD'), a tf.train optimizer or a function returning "
            "one.")
    return optimizer


def minimize_fn(optimizer, var_list=None):
    """optimizer_fn(loss) -> train_op incrementing the global step."""

    def fn(loss):
        update_ops = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
        with v1.control_dependencies(update_ops):
            return optimizer.minimize(
                loss, global_step=v1.train.get_global_step(),
                var_list=var_list)

    return fn
