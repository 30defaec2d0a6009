"""`tf.estimator.Estimator` as in TF 1.15, on `tf.compat.v1` graph code.

    def model_fn(features, labels, mode, params):
        logits = tf.layers.dense(features["x"], 3)
        loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
        train_op = tf.train.AdagradOptimizer(0.1).minimize(
            loss, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                          predictions={"logits": logits})

    est = tf.estimator.Estimator(model_fn, model_dir="my_model")
    est.train(input_fn, steps=100)          # resumes from model_dir's checkpoint

Built on what TensorFlow 2.21 still has: `tf.compat.v1.train.
MonitoredTrainingSession` and its hooks, `tf.compat.v1.saved_model.Builder`,
plus tf1_dnn's `Saver` (its restore names mismatching variables before
assigning anything). The model directory is laid out as TF 1.x wrote it:
`model.ckpt-<step>.{index,data-*,meta}`, a `checkpoint` state file,
`graph.pbtxt`, `events.out.tfevents.*` (`loss`, `global_step/sec`), and
`eval/` (`eval_<name>/`) with the evaluation metrics.

Behaviour kept from TF 1.15 (pitfalls included):
* Every `train`/`evaluate`/`predict` builds a fresh graph and session and
  restores the latest checkpoint; a second `train()` resumes.
* `steps` counts from the restored step; `max_steps` is absolute (training is
  skipped when the checkpoint is already there).
* The end of the input (OutOfRangeError) ends train/evaluate/predict.
* `evaluate` with no checkpoint evaluates freshly initialized variables (it
  logs so), as TF 1.15 did.
One deliberate difference: `predict` with no checkpoint raises
`NoCheckpointError` (TF 1.4-1.11 raised "Could not find trained model";
TF 1.12-1.15 silently predicted with random weights).
"""

import inspect
import itertools
import logging
import os
import tempfile

import numpy as np

from tf1_dnn import checkpoints
from tf1_dnn._compat import tf2, v1
from tf1_dnn.estimator.errors import (EstimatorError, InputFnError,
                                      ModelDirMismatchError, ModelFnError,
                                      NoCheckpointError)
from tf1_dnn.estimator.export import (build_all_signature_defs,
                                      get_timestamped_export_dir)
from tf1_dnn.estimator.model_fn import EstimatorSpec, ModeKeys
from tf1_dnn.estimator.run_config import RunConfig

__all__ = ["Estimator", "WarmStartSettings", "VocabInfo"]

log = logging.getLogger("tf1_dnn.estimator")

_Tensor = (tf2.Tensor, tf2.SparseTensor, v1.Variable)

# Evaluation event files get a unique suffix: two evaluations in the same
# second would otherwise write the same file name, the second truncating it.
_EVAL_COUNT = itertools.count()


class WarmStartSettings:
    """Which variables to initialize from another checkpoint (TF 1.15).

    Passed as `Estimator(warm_start_from=...)` (or a checkpoint path/dir);
    applied with `tf.compat.v1.train.warm_start` when training starts with no
    checkpoint in `model_dir`.
    """

    def __init__(self, ckpt_to_initialize_from, vars_to_warm_start=".*",
                 var_name_to_vocab_info=None, var_name_to_prev_var_name=None):
        if not ckpt_to_initialize_from:
            raise EstimatorError("WarmStartSettings: ckpt_to_initialize_from "
                                 "must be a checkpoint path or directory.")
        self.ckpt_to_initialize_from = ckpt_to_initialize_from
        self.vars_to_warm_start = vars_to_warm_start
        self.var_name_to_vocab_info = var_name_to_vocab_info
        self.var_name_to_prev_var_name = var_name_to_prev_var_name


VocabInfo = v1.train.VocabInfo


# TF 1.x's collection for the global-step read that hooks fetch
# (training_util.GLOBAL_STEP_READ_KEY). If TensorFlow renames it, the hooks
# make their own read and only the ordering guarantee below is lost.
_GLOBAL_STEP_READ_KEY = "global_step_read_op_cache"


def _global_step_read(graph, global_step):
    """The global step read before the train op's increment, as TF 1.15's
    Estimator made it: hooks (SummarySaverHook, StepCounterHook, ...) fetch
    this tensor, and the model_fn's ops are built under a control dependency
    on it, so a hook sees the step *before* this run's increment (summaries
    at steps 1, 5, 9 for save_steps=4), not whichever way the read and the
    `assign_add` happen to race."""
    existing = graph.get_collection(_GLOBAL_STEP_READ_KEY)
    if existing:
        return existing[0]
    with graph.name_scope(None), \
            graph.name_scope(global_step.op.name + "/"):
        value = v1.cond(v1.is_variable_initialized(global_step),
                        global_step.read_value,
                        lambda: global_step.initial_value)
        read = value + 0
    graph.add_to_collection(_GLOBAL_STEP_READ_KEY, read)
    return read


def _accepts(fn, name):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind == p.VAR_KEYWORD
                                 for p in params.values())


class _IteratorInitHook(v1.train.SessionRunHook):
    def __init__(self, iterator):
        self._iterator = iterator

    def after_create_session(self, session, coord):
        session.run(self._iterator.initializer)


def _check_structure(value, what):
    if isinstance(value, _Tensor):
        return
    if isinstance(value, dict):
        for key, t in value.items():
            if not isinstance(t, _Tensor):
                raise InputFnError(
                    f"input_fn returned {what} whose entry {key!r} is a "
                    f"{type(t).__name__}, not a Tensor. Convert it inside the "
                    "input_fn (tf.constant, tf.data, numpy_input_fn).")
        return
    raise InputFnError(
        f"input_fn returned {what} of type {type(value).__name__}; it must be "
        "a Tensor or a dict of Tensors. An input_fn returns (features, labels),"
        " features, or a tf.data.Dataset of them; numpy arrays go through "
        "tf.estimator.inputs.numpy_input_fn.")


def call_input_fn(input_fn, mode, params, config):
    """(features, labels, hooks) from an input_fn, checked."""
    if not callable(input_fn):
        raise InputFnError(
            f"input_fn must be callable; got {type(input_fn).__name__}. Pass "
            "the function itself (or a lambda), not its result.")
    kwargs = {}
    if _accepts(input_fn, "mode"):
        kwargs["mode"] = mode
    if _accepts(input_fn, "params"):
        kwargs["params"] = params
    if _accepts(input_fn, "config"):
        kwargs["config"] = config
    from tf1_dnn.estimator.inputs import input_hooks
    result = input_fn(**kwargs)
    hooks = input_hooks(v1.get_default_graph())
    if isinstance(result, tf2.data.Dataset):
        iterator = v1.data.make_initializable_iterator(result)
        hooks.append(_IteratorInitHook(iterator))
        result = iterator.get_next()
    if isinstance(result, (tuple, list)):
        if len(result) != 2:
            raise InputFnError(
                f"input_fn returned a {type(result).__name__} of "
                f"{len(result)} items; it must return (features, labels), "
                "features alone, or a tf.data.Dataset of those.")
        features, labels = result
    else:
        features, labels = result, None
    _check_structure(features, "features")
    if labels is not None:
        _check_structure(labels, "labels")
    return features, labels, hooks


class Estimator:
    """TF 1.15's `tf.estimator.Estimator` (local, graph mode).

    Args:
      model_fn: `model_fn(features, labels, mode[, params][, config])` ->
        `EstimatorSpec`.
      model_dir: where checkpoints and summaries go; a temporary directory
        when None (and `config.model_dir` is None).
      config: a `RunConfig`.
      params: dict passed to `model_fn` as `params`.
      warm_start_from: checkpoint path/dir or `WarmStartSettings`.
    """

    def __init__(self, model_fn, model_dir=None, config=None, params=None,
                 warm_start_from=None):
        if not callable(model_fn):
            raise ModelFnError(f"model_fn must be callable; got {model_fn!r}.")
        config = config or RunConfig()
        if not isinstance(config, RunConfig):
            raise EstimatorError(
                f"config must be a tf.estimator.RunConfig; got "
                f"{type(config).__name__}.")
        if model_dir is not None and config.model_dir is not None and \
                os.path.abspath(model_dir) != \
                os.path.abspath(config.model_dir):
            raise EstimatorError(
                f"model_dir are set both in constructor and RunConfig, but "
                f"with different values. In constructor: {model_dir!r}, in "
                f"RunConfig: {config.model_dir!r}.")
        model_dir = model_dir or config.model_dir
        if model_dir is None:
            model_dir = tempfile.mkdtemp()
            log.warning("Using temporary folder as model directory: %s",
                        model_dir)
        model_dir = os.fspath(model_dir)
        self._model_dir = model_dir
        self._config = config.replace(model_dir=model_dir)
        self._model_fn = model_fn
        self._params = dict(params or {})
        if isinstance(warm_start_from, (str, os.PathLike)):
            warm_start_from = WarmStartSettings(os.fspath(warm_start_from))
        self._warm_start_settings = warm_start_from

    # -- properties ---------------------------------------------------------
    @property
    def model_dir(self):
        return self._model_dir

    @property
    def config(self):
        return self._config

    @property
    def params(self):
        return dict(self._params)

    @property
    def model_fn(self):
        return self._model_fn

    # -- checkpoints --------------------------------------------------------
    def latest_checkpoint(self):
        """The newest checkpoint prefix in `model_dir`, or None."""
        return checkpoints.latest_checkpoint(self._model_dir)

    def _require_checkpoint(self, what):
        path = self.latest_checkpoint()
        if not path:
            raise NoCheckpointError(
                f"Could not find trained model in model_dir: "
                f"{self._model_dir!r} ({what} needs a checkpoint). Call "
                "train() first, or point model_dir at a trained model.")
        return path

    def eval_dir(self, name=None):
        """The folder evaluation summaries go to: `model_dir/eval` or
        `model_dir/eval_<name>` (TF 1.15's `Estimator.eval_dir`)."""
        return os.path.join(self._model_dir,
                            "eval" if not name else "eval_" + name)

    def get_variable_names(self):
        """Names of the variables in the latest checkpoint."""
        path = self._require_checkpoint("get_variable_names")
        return [name for name, _ in v1.train.list_variables(path)]

    def get_variable_value(self, name):
        """The value (numpy) of variable `name` in the latest checkpoint."""
        path = self._require_checkpoint("get_variable_value")
        return v1.train.load_variable(path, name)

    # -- graph building -----------------------------------------------------
    def _call_model_fn(self, features, labels, mode):
        fn = self._model_fn
        kwargs = {}
        if _accepts(fn, "labels"):
            kwargs["labels"] = labels
        elif labels is not None:
            raise ModelFnError(
                "model_fn does not take labels, but input_fn returns labels. "
                "Add a `labels` argument to the model_fn, or return features "
                "only from the input_fn.")
        if _accepts(fn, "mode"):
            kwargs["mode"] = mode
        if _accepts(fn, "params"):
            kwargs["params"] = self.params
        elif self._params:
            raise ModelFnError(
                f"model_fn does not take params, but params={self._params!r} "
                "were given to the Estimator. Add a `params` argument.")
        if _accepts(fn, "config"):
            kwargs["config"] = self._config
        spec = fn(features=features, **kwargs)
        if not isinstance(spec, EstimatorSpec):
            raise ModelFnError(
                f"model_fn should return an EstimatorSpec; got "
                f"{type(spec).__name__}. Return tf.estimator.EstimatorSpec("
                "mode, loss=..., train_op=..., predictions=...).")
        if spec.mode != mode:
            raise ModelFnError(
                f"model_fn was called with mode {mode!r} but returned an "
                f"EstimatorSpec for mode {spec.mode!r}.")
        return spec

    def _new_graph(self):
        # Every call builds its own graph, so Estimators also work in a
        # process with TF2 behaviour (eager on), as TF 2.x's Estimator did.
        graph = tf2.Graph()
        with graph.as_default():
            if self._config.tf_random_seed is not None:
                v1.set_random_seed(self._config.tf_random_seed)
        return graph

    def _saver(self, sharded=True, defer_build=False):
        return checkpoints.Saver(
            sharded=sharded, defer_build=defer_build,
            max_to_keep=self._config.keep_checkpoint_max,
            keep_checkpoint_every_n_hours=(
                self._config.keep_checkpoint_every_n_hours),
            save_relative_paths=True)

    def _wrap_mismatch(self, error, ckpt):
        if "signal_early_stopping/STOP" in str(error):
            # TF 1.15 failed the same way (NotFoundError: Key
            # signal_early_stopping/STOP not found in checkpoint).
            return ModelDirMismatchError(
                f"model_dir {self._model_dir!r}: its checkpoint ({ckpt}) was "
                "written by a train() without an early-stopping hook, and "
                "this train() has one: its variable "
                "'signal_early_stopping/STOP' is not in the checkpoint (TF "
                "1.15 failed the same way). Train in a new model_dir with "
                f"warm_start_from={self._model_dir!r} (it takes the trainable "
                "variables), or keep training without the hook.")
        return ModelDirMismatchError(
            f"model_dir {self._model_dir!r} holds a checkpoint of another "
            f"model ({ckpt}): {error} Use an empty model_dir for this model "
            "(or warm_start_from=WarmStartSettings(...) to take some "
            "variables from the old one).")

    def _session_config(self):
        from tf1_dnn.session import session_config
        return session_config(self._config.session_config)

    # -- train --------------------------------------------------------------
    def train(self, input_fn, hooks=None, steps=None, max_steps=None,
              saving_listeners=None):
        """Trains until `steps` more steps, `max_steps`, or the input ends.

        Returns:
          self, so calls chain.
        """
        if steps is not None and max_steps is not None:
            raise EstimatorError("Can not provide both steps and max_steps.")
        if steps is not None and steps <= 0:
            raise EstimatorError(f"Must specify steps > 0, given: {steps}")
        if max_steps is not None and max_steps <= 0:
            raise EstimatorError(
                f"Must specify max_steps > 0, given: {max_steps}")
        if max_steps is not None:
            ckpt = self.latest_checkpoint()
            if ckpt:
                step = int(v1.train.load_variable(ckpt, "global_step"))
                if step >= max_steps:
                    log.info("Skipping training since max_steps has already "
                             "saved.")
                    return self
        config = self._config
        graph = self._new_graph()
        with graph.as_default():
            global_step = v1.train.get_or_create_global_step()
            step_read = _global_step_read(graph, global_step)
            features, labels, input_hooks = call_input_fn(
                input_fn, ModeKeys.TRAIN, self.params, config)
            with v1.control_dependencies([step_read]):
                spec = self._call_model_fn(features, labels, ModeKeys.TRAIN)
            if self._warm_start_settings is not None and \
                    not self.latest_checkpoint():
                w = self._warm_start_settings
                v1.train.warm_start(w.ckpt_to_initialize_from,
                                    w.vars_to_warm_start,
                                    w.var_name_to_vocab_info,
                                    w.var_name_to_prev_var_name)
            v1.summary.scalar("loss", spec.loss)
            all_hooks = list(hooks or []) + input_hooks + \
                list(spec.training_hooks)
            if steps is not None or max_steps is not None:
                all_hooks.append(v1.train.StopAtStepHook(steps, max_steps))
            all_hooks.append(v1.train.NanTensorHook(spec.loss))
            if config.log_step_count_steps:
                all_hooks.append(v1.train.LoggingTensorHook(
                    {"loss": spec.loss, "step": global_step},
                    every_n_iter=config.log_step_count_steps))
            scaffold = spec.scaffold
            if scaffold.saver is None and \
                    not v1.get_collection(v1.GraphKeys.SAVERS):
                # Built when the session's Scaffold is finalized, after the
                # hooks' begin(), as TF 1.15 did: variables hooks create
                # (signal_early_stopping/STOP) are checkpointed too.
                v1.add_to_collection(v1.GraphKeys.SAVERS,
                                     self._saver(defer_build=True))
            chief_hooks = list(spec.training_chief_hooks)
            listeners = list(saving_listeners or [])
            if config.save_checkpoints_secs or config.save_checkpoints_steps:
                chief_hooks.append(v1.train.CheckpointSaverHook(
                    self._model_dir,
                    save_secs=config.save_checkpoints_secs,
                    save_steps=config.save_checkpoints_steps,
                    scaffold=scaffold, listeners=listeners))
            elif listeners:
                raise EstimatorError(
                    "saving_listeners need checkpoints: set "
                    "RunConfig(save_checkpoints_steps=...) or "
                    "save_checkpoints_secs.")
            ckpt = self.latest_checkpoint()
            train_op = spec.train_op
            loss = spec.loss
            try:
                with v1.train.MonitoredTrainingSession(
                        checkpoint_dir=self._model_dir, scaffold=scaffold,
                        hooks=all_hooks, chief_only_hooks=chief_hooks,
                        save_checkpoint_secs=0, save_checkpoint_steps=None,
                        save_summaries_steps=config.save_summary_steps,
                        config=self._session_config(),
                        log_step_count_steps=config.log_step_count_steps
                ) as sess:
                    while not sess.should_stop():
                        _, last_loss = sess.run([train_op, loss])
            except checkpoints.CheckpointMismatchError as e:
                raise self._wrap_mismatch(e, ckpt) from None
        log.info("Loss for final step: %s", locals().get("last_loss"))
        return self

    # -- evaluate -----------------------------------------------------------
    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None,
                 name=None):
        """Evaluates `eval_metric_ops` over `steps` batches or the input.

        Returns:
          dict with `loss` (mean of the batch losses), `global_step` and each
          metric's final value; also written to `model_dir/eval[_name]/`.
        """
        if steps is not None and steps <= 0:
            raise EstimatorError(f"Must specify steps > 0, given: {steps}")
        ckpt = checkpoint_path or self.latest_checkpoint()
        if checkpoint_path and v1.train.checkpoint_exists(checkpoint_path) \
                is False and not os.path.isdir(checkpoint_path):
            raise NoCheckpointError(
                f"evaluate: checkpoint_path {checkpoint_path!r} does not "
                "exist.")
        if checkpoint_path and os.path.isdir(checkpoint_path):
            ckpt = checkpoints.latest_checkpoint(checkpoint_path)
        if not ckpt:
            log.info("Could not find trained model in model_dir: %s, running "
                     "initialization to evaluate.", self._model_dir)
        graph = self._new_graph()
        with graph.as_default():
            global_step = v1.train.get_or_create_global_step()
            features, labels, input_hooks = call_input_fn(
                input_fn, ModeKeys.EVAL, self.params, self._config)
            spec = self._call_model_fn(features, labels, ModeKeys.EVAL)
            metrics = dict(spec.eval_metric_ops)
            if "loss" not in metrics:
                metrics["loss"] = v1.metrics.mean(spec.loss)
            if "global_step" in metrics:
                raise ModelFnError("eval_metric_ops may not use the reserved "
                                   "key 'global_step'; rename the metric.")
            update_op = v1.group(*[u for _, u in metrics.values()])
            final_ops = {k: v for k, (v, _) in metrics.items()}
            final_ops["global_step"] = global_step
            final_hook = v1.train.FinalOpsHook(final_ops)
            all_hooks = list(hooks or []) + input_hooks + \
                list(spec.evaluation_hooks) + [final_hook]
            scaffold = spec.scaffold
            if scaffold.saver is None:
                scaffold = v1.train.Scaffold(
                    init_op=scaffold.init_op, saver=self._saver(),
                    local_init_op=scaffold.local_init_op,
                    ready_op=scaffold.ready_op)
            creator = v1.train.ChiefSessionCreator(
                scaffold=scaffold, checkpoint_filename_with_path=ckpt,
                config=self._session_config())
            n = 0
            try:
                with v1.train.MonitoredSession(session_creator=creator,
                                               hooks=all_hooks) as sess:
                    while not sess.should_stop():
                        sess.run(update_op)
                        n += 1
                        if steps is not None and n >= steps:
                            break
            except checkpoints.CheckpointMismatchError as e:
                raise self._wrap_mismatch(e, ckpt) from None
        results = dict(final_hook.final_ops_values)
        if n == 0 and steps is not None:
            log.warning("evaluate: the input_fn gave no batch.")
        log.info("Saving dict for global step %s: %s",
                 results["global_step"], results)
        self._write_eval_summary(results, name)
        return results

    def _write_eval_summary(self, results, name):
        folder = self.eval_dir(name)
        summary = v1.Summary()
        for key, value in results.items():
            if key == "global_step":
                continue
            arr = np.asarray(value)
            if arr.size == 1 and arr.dtype.kind in "biuf":
                summary.value.add(tag=key, simple_value=float(arr))
        # A writer of its own, closed at once (not FileWriterCache's: a cached
        # writer keeps writing into a file deleted with an old model_dir).
        with tf2.Graph().as_default():     # FileWriter refuses eager mode
            writer = v1.summary.FileWriter(
                folder, filename_suffix=f".{os.getpid()}.{next(_EVAL_COUNT)}")
            writer.add_summary(summary, int(results["global_step"]))
            writer.close()

    # -- predict ------------------------------------------------------------
    def predict(self, input_fn, predict_keys=None, hooks=None,
                checkpoint_path=None, yield_single_examples=True):
        """Yields predictions (one example at a time by default).

        Raises:
          NoCheckpointError: model_dir has no checkpoint (and no
            checkpoint_path was given).
        """
        ckpt = checkpoint_path
        if ckpt and os.path.isdir(ckpt):
            ckpt = checkpoints.latest_checkpoint(ckpt)
        ckpt = ckpt or self._require_checkpoint("predict")
        graph = self._new_graph()
        with graph.as_default():
            v1.train.get_or_create_global_step()
            features, _, input_hooks = call_input_fn(
                input_fn, ModeKeys.PREDICT, self.params, self._config)
            spec = self._call_model_fn(features, None, ModeKeys.PREDICT)
            predictions = spec.predictions
            if predict_keys is not None:
                if isinstance(predict_keys, str):
                    predict_keys = [predict_keys]
                if not isinstance(predictions, dict):
                    raise EstimatorError(
                        "predict_keys argument is not valid in case of "
                        "non-dict predictions.")
                missing = [k for k in predict_keys if k not in predictions]
                if missing:
                    raise EstimatorError(
                        f"Expected to run at least one output from "
                        f"{sorted(predictions)}, provided {predict_keys}: "
                        f"{missing} are not prediction keys.")
                predictions = {k: predictions[k] for k in predict_keys}
            scaffold = spec.scaffold
            if scaffold.saver is None:
                scaffold = v1.train.Scaffold(
                    init_op=scaffold.init_op, saver=self._saver(),
                    local_init_op=scaffold.local_init_op)
            creator = v1.train.ChiefSessionCreator(
                scaffold=scaffold, checkpoint_filename_with_path=ckpt,
                config=self._session_config())
            all_hooks = list(hooks or []) + input_hooks + \
                list(spec.prediction_hooks)
            try:
                with v1.train.MonitoredSession(session_creator=creator,
                                               hooks=all_hooks) as sess:
                    while not sess.should_stop():
                        values = sess.run(predictions)
                        if not yield_single_examples:
                            yield values
                            continue
                        yield from _single_examples(values)
            except checkpoints.CheckpointMismatchError as e:
                raise self._wrap_mismatch(e, ckpt) from None

    # -- export -------------------------------------------------------------
    def export_saved_model(self, export_dir_base, serving_input_receiver_fn,
                           assets_extra=None, as_text=False,
                           checkpoint_path=None,
                           experimental_mode=ModeKeys.PREDICT):
        """Writes a TF1 SavedModel to `export_dir_base/<timestamp>/`.

        The graph is the model_fn in PREDICT mode on the receiver's features,
        tagged "serve", with one signature per `export_outputs` entry (the
        default: `serving_default`, a PredictOutput of `predictions`).
        Loadable by `tf.compat.v1.saved_model.loader.load(sess, ["serve"],
        path)` and by TensorFlow 2's `tf.saved_model.load(path)`. Written to
        `temp-<timestamp>` first, then renamed.

        Returns:
          the export directory, as bytes (as TF 1.x returned it).
        """
        if experimental_mode != ModeKeys.PREDICT:
            raise EstimatorError("tf1_dnn exports the PREDICT graph only "
                                 "(experimental_mode=ModeKeys.PREDICT).")
        ckpt = checkpoint_path or self.latest_checkpoint()
        if not ckpt:
            raise NoCheckpointError(
                f"Couldn't find trained model at {self._model_dir!r}: "
                "export_saved_model needs a checkpoint. Call train() first.")
        export_dir_base = os.fspath(export_dir_base)
        os.makedirs(export_dir_base, exist_ok=True)
        export_dir = get_timestamped_export_dir(export_dir_base)
        temp_dir = os.path.join(export_dir_base,
                                "temp-" + os.path.basename(export_dir))
        graph = self._new_graph()
        with graph.as_default():
            v1.train.get_or_create_global_step()
            receiver = serving_input_receiver_fn()
            spec = self._call_model_fn(receiver.features, None,
                                       ModeKeys.PREDICT)
            signatures = build_all_signature_defs(receiver.receiver_tensors,
                                                  spec.export_outputs)
            saver = spec.scaffold.saver or self._saver()
            local_init = v1.group(v1.local_variables_initializer(),
                                  v1.tables_initializer())
            with v1.Session(config=self._session_config()) as sess:
                try:
                    saver.restore(sess, ckpt)
                except checkpoints.CheckpointMismatchError as e:
                    raise self._wrap_mismatch(e, ckpt) from None
                builder = v1.saved_model.Builder(temp_dir)
                builder.add_meta_graph_and_variables(
                    sess, [v1.saved_model.tag_constants.SERVING],
                    signature_def_map=signatures,
                    assets_collection=v1.get_collection(
                        v1.GraphKeys.ASSET_FILEPATHS),
                    main_op=local_init, strip_default_attrs=True,
                    saver=saver)
                builder.save(as_text)
        if assets_extra:
            extra = os.path.join(temp_dir, "assets.extra")
            for dest, src in assets_extra.items():
                target = os.path.join(extra, dest)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                v1.gfile.Copy(src, target)
        os.rename(temp_dir, export_dir)
        return export_dir.encode()

    def export_savedmodel(self, export_dir_base, serving_input_receiver_fn,
                          assets_extra=None, as_text=False,
                          checkpoint_path=None, strip_default_attrs=False):
        """TF 1.x's older spelling of `export_saved_model`."""
        return self.export_saved_model(
            export_dir_base, serving_input_receiver_fn,
            assets_extra=assets_extra, as_text=as_text,
            checkpoint_path=checkpoint_path)


def _single_examples(values):
    """Splits a batch of predictions into one dict (or array) per example."""
    if not isinstance(values, dict):
        for row in values:
            yield row
        return
    sizes = {k: np.shape(v)[0] if np.ndim(v) else None
             for k, v in values.items()}
    batch = {s for s in sizes.values()}
    if None in batch or len(batch) != 1:
        raise EstimatorError(
            f"Batch length of predictions should be same. {sizes} have "
            "different batch length (or are scalars). Use "
            "yield_single_examples=False.")
    for i in range(batch.pop()):
        yield {k: v[i] for k, v in values.items()}
