"""`tf.estimator.RunConfig` (local training only) as in TF 1.15."""

from tf1_dnn.estimator.errors import EstimatorError

__all__ = ["RunConfig"]

_DEFAULT_SAVE_CHECKPOINTS_SECS = 600
_USE_DEFAULT = object()

_FIELDS = ("model_dir", "tf_random_seed", "save_summary_steps",
           "save_checkpoints_steps", "save_checkpoints_secs",
           "session_config", "keep_checkpoint_max",
           "keep_checkpoint_every_n_hours", "log_step_count_steps",
           "train_distribute", "device_fn", "protocol", "eval_distribute",
           "experimental_distribute", "experimental_max_worker_delay_secs",
           "session_creation_timeout_secs")


class RunConfig:
    """Where and how an Estimator runs.

    Defaults as TF 1.15: checkpoints every 600 s unless
    `save_checkpoints_steps` is given (giving both is an error), 5 kept,
    summaries every 100 steps, `loss` logged every 100 steps. Only local
    (single-process) execution exists here: `is_chief` is True, one worker,
    no cluster; distribution arguments are stored and ignored.
    """

    def __init__(self, model_dir=None, tf_random_seed=None,
                 save_summary_steps=100,
                 save_checkpoints_steps=_USE_DEFAULT,
                 save_checkpoints_secs=_USE_DEFAULT, session_config=None,
                 keep_checkpoint_max=5, keep_checkpoint_every_n_hours=10000,
                 log_step_count_steps=100, train_distribute=None,
                 device_fn=None, protocol=None, eval_distribute=None,
                 experimental_distribute=None,
                 experimental_max_worker_delay_secs=None,
                 session_creation_timeout_secs=7200):
        if (save_checkpoints_steps not in (_USE_DEFAULT, None)
                and save_checkpoints_secs not in (_USE_DEFAULT, None)):
            raise EstimatorError(
                "RunConfig: can not provide both save_checkpoints_secs and "
                "save_checkpoints_steps; set one of them to None.")
        if save_checkpoints_steps is _USE_DEFAULT and \
                save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_steps = None
            save_checkpoints_secs = _DEFAULT_SAVE_CHECKPOINTS_SECS
        elif save_checkpoints_steps is _USE_DEFAULT:
            save_checkpoints_steps = None
        elif save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_secs = None
        values = dict(locals())
        for name in _FIELDS:
            setattr(self, "_" + name, values[name])

    def __getattr__(self, name):
        if name.startswith("_") or name not in _FIELDS:
            raise AttributeError(name)
        return self.__dict__["_" + name]

    # What a single local process always is.
    is_chief = True
    master = ""
    evaluation_master = ""
    num_ps_replicas = 0
    num_worker_replicas = 1
    task_type = "worker"
    task_id = 0
    cluster_spec = None
    global_id_in_cluster = 0
    service = None

    def replace(self, **kwargs):
        """A copy with the given fields changed (TF 1.15's `replace`)."""
        unknown = set(kwargs) - set(_FIELDS)
        if unknown:
            raise EstimatorError(
                f"RunConfig.replace: unknown field(s) {sorted(unknown)}; "
                f"known: {list(_FIELDS)}.")
        values = {name: getattr(self, "_" + name) for name in _FIELDS}
        if "save_checkpoints_steps" in kwargs and \
                "save_checkpoints_secs" not in kwargs and \
                kwargs["save_checkpoints_steps"] is not None:
            values["save_checkpoints_secs"] = None
        if "save_checkpoints_secs" in kwargs and \
                "save_checkpoints_steps" not in kwargs and \
                kwargs["save_checkpoints_secs"] is not None:
            values["save_checkpoints_steps"] = None
        values.update(kwargs)
        return RunConfig(**values)

    def __repr__(self):
        fields = ", ".join(f"{n}={getattr(self, '_' + n)!r}" for n in _FIELDS
                           if getattr(self, "_" + n) is not None)
        return f"RunConfig({fields})"
