"""Errors of `tf1_dnn.estimator` (all under `tf1_dnn.errors.Tf1DnnError`).

Each also derives from `ValueError`, the built-in TF 1.x's Estimator raised
for the same mistakes, so `except ValueError` code keeps working.
"""

from tf1_dnn.errors import Tf1DnnError

__all__ = ["EstimatorError", "InputFnError", "LabelShapeError",
           "ModelFnError", "ModelDirMismatchError", "NoCheckpointError",
           "EstimatorTypeError"]


class EstimatorError(Tf1DnnError, ValueError):
    """Base class of the Estimator errors."""


class InputFnError(EstimatorError):
    """An `input_fn` returned something that is not (features, labels),
    features, or a `tf.data.Dataset` of them."""


class LabelShapeError(EstimatorError):
    """Labels whose shape does not match the logits of a canned head."""


class ModelFnError(EstimatorError):
    """A `model_fn` returned an incomplete or wrong `EstimatorSpec`."""


class ModelDirMismatchError(EstimatorError):
    """`model_dir` holds a checkpoint of another model."""


class NoCheckpointError(EstimatorError):
    """`predict` / `export_saved_model` before any checkpoint exists."""


class EstimatorTypeError(EstimatorError, TypeError):
    """An argument of the wrong type where TF 1.15 raised a `TypeError`
    (e.g. an early-stopping hook given something that is not an Estimator)."""
