"""`tf.estimator` as TF 1.15 had it, on `tf.compat.v1` graph code.

TensorFlow 2.16 removed `tf.estimator` and the `tensorflow-estimator`
package cannot be installed beside TensorFlow 2.21. This package brings back
the API (`from tf1_dnn import tf` serves it as `tf.estimator`, and also as
`tf.compat.v1.estimator`), built on what TF 2.21 still has:
`MonitoredTrainingSession` and the session hooks, `tf.compat.v1.
feature_column`, `tf.compat.v1.saved_model.Builder`, plus tf1_dnn's Saver
and `tf.layers`. Importing it changes nothing global, and Estimators work with or
without TF1 behaviour: each call builds its own `tf.Graph` (in a TF2-mode
process the variables are resource variables, with the same names). See
docs/estimator.md.
"""

from tf1_dnn.estimator.canned.baseline import (BaselineClassifier,
                                               BaselineRegressor)
from tf1_dnn.estimator.canned.dnn import DNNClassifier, DNNRegressor
from tf1_dnn.estimator.canned.linear import (DNNLinearCombinedClassifier,
                                             DNNLinearCombinedRegressor,
                                             LinearClassifier,
                                             LinearRegressor)
from tf1_dnn.estimator.errors import (EstimatorError, EstimatorTypeError,
                                      InputFnError, LabelShapeError,
                                      ModelDirMismatchError, ModelFnError,
                                      NoCheckpointError)
from tf1_dnn.estimator.estimator import Estimator, VocabInfo, WarmStartSettings
from tf1_dnn.estimator.export import (BestExporter, Exporter, FinalExporter,
                                      LatestExporter)
from tf1_dnn.estimator.extenders import add_metrics
from tf1_dnn.estimator.hooks import *  # noqa: F401,F403
from tf1_dnn.estimator.hooks import __all__ as _hook_names
from tf1_dnn.estimator.model_fn import EstimatorSpec, ModeKeys
from tf1_dnn.estimator.run_config import RunConfig
from tf1_dnn.estimator.training import EvalSpec, TrainSpec, train_and_evaluate
from tf1_dnn.estimator import (experimental, export,  # noqa: F401
                               inputs)                # (submodules)

__all__ = [
    "Estimator", "EstimatorSpec", "ModeKeys", "RunConfig", "TrainSpec",
    "EvalSpec", "train_and_evaluate", "WarmStartSettings", "VocabInfo",
    "DNNClassifier", "DNNRegressor", "LinearClassifier", "LinearRegressor",
    "DNNLinearCombinedClassifier", "DNNLinearCombinedRegressor",
    "Exporter", "FinalExporter", "LatestExporter", "BestExporter",
    "BaselineClassifier", "BaselineRegressor", "add_metrics",
    "export", "inputs", "experimental",
    "classifier_parse_example_spec", "regressor_parse_example_spec",
    "EstimatorError", "InputFnError", "LabelShapeError",
    "ModelDirMismatchError", "ModelFnError", "NoCheckpointError",
    "EstimatorTypeError",
] + list(_hook_names)


def classifier_parse_example_spec(feature_columns, label_key,
                                  label_dtype=None, label_default=None,
                                  weight_column=None):
    """`make_parse_example_spec` plus the label (and weight) feature."""
    from tf1_dnn._compat import tf2, v1
    spec = v1.feature_column.make_parse_example_spec(feature_columns)
    spec[label_key] = v1.io.FixedLenFeature(
        (1,), label_dtype or tf2.int64, label_default)
    if weight_column is not None:
        key = weight_column if isinstance(weight_column, str) else \
            weight_column.key
        spec[key] = v1.io.FixedLenFeature((1,), tf2.float32)
    return spec


def regressor_parse_example_spec(feature_columns, label_key,
                                 label_dtype=None, label_default=None,
                                 label_dimension=1, weight_column=None):
    """`make_parse_example_spec` plus a float label (and weight) feature."""
    from tf1_dnn._compat import tf2, v1
    spec = v1.feature_column.make_parse_example_spec(feature_columns)
    spec[label_key] = v1.io.FixedLenFeature(
        (label_dimension,), label_dtype or tf2.float32, label_default)
    if weight_column is not None:
        key = weight_column if isinstance(weight_column, str) else \
            weight_column.key
        spec[key] = v1.io.FixedLenFeature((1,), tf2.float32)
    return spec
