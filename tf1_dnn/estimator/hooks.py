"""The session hooks under their `tf.estimator` names (TF 1.15 aliases).

They are TensorFlow's own `tf.compat.v1.train` hooks, which still work on
TensorFlow 2.21; `tf.estimator.SessionRunHook is tf.train.SessionRunHook`.
"""

from tf1_dnn._compat import v1

__all__ = ["SessionRunHook", "SessionRunArgs", "SessionRunContext",
           "SessionRunValues", "LoggingTensorHook", "StopAtStepHook",
           "CheckpointSaverHook", "CheckpointSaverListener",
           "SummarySaverHook", "NanTensorHook", "NanLossDuringTrainingError",
           "StepCounterHook", "GlobalStepWaiterHook", "FinalOpsHook",
           "FeedFnHook", "ProfilerHook", "SecondOrStepTimer"]

for _name in __all__:
    globals()[_name] = getattr(v1.train, _name)
del _name
