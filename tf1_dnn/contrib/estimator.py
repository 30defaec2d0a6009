"""`tf.contrib.estimator`: the names TF 1.12-1.15 code imported from it.

    hook = tf.contrib.estimator.stop_if_no_decrease_hook(
        estimator, "loss", max_steps_without_decrease=1000)
    estimator = tf.contrib.estimator.add_metrics(estimator, my_metric_fn)

They are the `tf.estimator` objects themselves (TF 1.15's contrib
re-exported the same functions): the early-stopping hooks and
`read_eval_metrics`, `InMemoryEvaluatorHook`, `add_metrics`, and
`forward_features` (contrib only in TF 1.15). Anything else
contrib.estimator had (heads, `DNNEstimator`, `replicate_model_fn`,
`RNNClassifier`, `SavedModelEstimator`, ...) raises an AttributeError that
names it; see docs/estimator.md.
"""

from tf1_dnn.estimator.early_stopping import (make_early_stopping_hook,
                                              read_eval_metrics,
                                              stop_if_higher_hook,
                                              stop_if_lower_hook,
                                              stop_if_no_decrease_hook,
                                              stop_if_no_increase_hook)
from tf1_dnn.estimator.experimental import InMemoryEvaluatorHook
from tf1_dnn.estimator.extenders import add_metrics, forward_features

__all__ = ["make_early_stopping_hook", "read_eval_metrics",
           "stop_if_higher_hook", "stop_if_lower_hook",
           "stop_if_no_decrease_hook", "stop_if_no_increase_hook",
           "InMemoryEvaluatorHook", "add_metrics", "forward_features"]


def __getattr__(name):
    from tf1_dnn.contrib import _missing
    raise _missing("estimator", name)
