"""`slim.learning`: `create_train_op` and the slim training loop `train`.

    total_loss = slim.losses.get_total_loss()
    optimizer = tf.train.MomentumOptimizer(0.01, 0.9)
    train_op = slim.learning.create_train_op(total_loss, optimizer,
                                             clip_gradient_norm=4.0)
    final_loss = slim.learning.train(train_op, logdir="train_dir",
                                     number_of_steps=1000,
                                     save_summaries_secs=60,
                                     save_interval_secs=300)

`train` is TF 1.x's loop without its `Supervisor` threads: one session; at
start it restores the newest checkpoint in `logdir` if there is one (then
`init_fn` is **not** called, as TF 1.x), else runs the initializers and
`init_fn(sess)`; each step is `train_step_fn(sess, train_op, global_step,
train_step_kwargs)`; summaries and checkpoints are written every
`save_summaries_secs` / `save_interval_secs` (checked after each step) and
a checkpoint `logdir/model.ckpt-<step>` is always written at the end.

Caveats (TF 1.x, mirrored):
  - `number_of_steps` counts the **global step**, checked *after* each
    step: resuming a run that already reached it still trains one step.
  - `create_train_op`'s result is the loss tensor (with the update as a
    control dependency and a `check_numerics`), not an op: fetching it trains.
  - `clip_gradient_norm` clips **each** gradient to that norm separately
    (`tf.clip_by_norm`), not their global norm (`optimize_loss` does that).
  - `update_ops=None` runs `UPDATE_OPS` (batch norm) before the loss.
  - like the `Supervisor`, `train` finalizes the graph: build evaluation ops
    before calling it, or in another graph.
"""

import os
import time

from tf1_dnn._compat import v1
from tf1_dnn.errors import Tf1DnnError

__all__ = ["create_train_op", "train", "train_step", "clip_gradient_norms",
           "multiply_gradients", "add_gradients_summaries"]

# TF 1.x logged through tf.logging: `tf.logging.set_verbosity(tf.logging.INFO)`
# shows the "global step N: loss = ..." lines.
log = v1.logging

_USE_GLOBAL_STEP = 0
_USE_DEFAULT = 0


class TrainingError(Tf1DnnError, ValueError):
    """Bad arguments to `slim.learning.train` / `create_train_op`."""


def clip_gradient_norms(gradients_to_variables, max_norm):
    """Clips each gradient to `max_norm` (separately; None passes through)."""
    clipped = []
    for grad, var in gradients_to_variables:
        if grad is not None:
            if isinstance(grad, v1.IndexedSlices):
                values = v1.clip_by_norm(grad.values, max_norm)
                grad = v1.IndexedSlices(values, grad.indices, grad.dense_shape)
            else:
                grad = v1.clip_by_norm(grad, max_norm)
        clipped.append((grad, var))
    return clipped


def multiply_gradients(grads_and_vars, gradient_multipliers):
    """Multiplies the gradients of the variables (or variable op names) in
    `gradient_multipliers` by their factor.

    Raises:
      TrainingError (a ValueError): an empty `gradient_multipliers`.
    """
    if not isinstance(grads_and_vars, list):
        raise TrainingError("multiply_gradients: grads_and_vars must be a "
                            "list of (gradient, variable) pairs.")
    if not gradient_multipliers:
        raise TrainingError("multiply_gradients: gradient_multipliers is "
                            "empty; pass {variable or name: factor}.")
    multiplied = []
    for grad, var in grads_and_vars:
        key = var if var in gradient_multipliers else var.op.name
        if grad is not None and key in gradient_multipliers:
            factor = v1.constant(gradient_multipliers[key],
                                 dtype=grad.dtype if not isinstance(
                                     grad, v1.IndexedSlices)
                                 else grad.values.dtype)
            if isinstance(grad, v1.IndexedSlices):
                grad = v1.IndexedSlices(grad.values * factor, grad.indices,
                                        grad.dense_shape)
            else:
                grad = grad * factor
        multiplied.append((grad, var))
    return multiplied


def add_gradients_summaries(grads_and_vars):
    """A histogram `<var>/gradient` and a scalar `<var>/gradient_norm` per
    gradient; returns the summary ops."""
    summaries = []
    for grad, var in grads_and_vars:
        if grad is None:
            log.info("Var %s has no gradient", var.op.name)
            continue
        values = grad.values if isinstance(grad, v1.IndexedSlices) else grad
        summaries.append(v1.summary.histogram(var.op.name + "/gradient",
                                              values))
        summaries.append(v1.summary.scalar(var.op.name + "/gradient_norm",
                                           v1.linalg.global_norm([values])))
    return summaries


def create_train_op(total_loss, optimizer, global_step=_USE_GLOBAL_STEP,
                    update_ops=None, variables_to_train=None,
                    clip_gradient_norm=0, summarize_gradients=False,
                    gate_gradients=v1.train.Optimizer.GATE_OP,
                    aggregation_method=None,
                    colocate_gradients_with_ops=False,
                    gradient_multipliers=None, check_numerics=True):
    """The slim training tensor: runs `update_ops`, then one optimizer step,
    and evaluates to the loss. Also added to `tf.GraphKeys.TRAIN_OP`.

    Args:
      total_loss: scalar loss tensor.
      optimizer: a `tf.train.Optimizer`.
      global_step: default: `get_or_create_global_step()`; None: no step.
      update_ops: default: the graph's `UPDATE_OPS` (a warning is logged if a
        given list misses some of them).
      variables_to_train: default: all trainable variables.
      clip_gradient_norm: > 0 clips each gradient's norm to it.
      summarize_gradients: add gradient histograms and norms.
      gradient_multipliers: {variable or op name: factor}.
      check_numerics: fail the step on a NaN/Inf loss.
      gate_gradients, aggregation_method, colocate_gradients_with_ops: as
        `Optimizer.compute_gradients`.

    Raises:
      TrainingError (a ValueError): no variable to train.
    """
    if global_step is _USE_GLOBAL_STEP:
        global_step = v1.train.get_or_create_global_step()
    global_update_ops = set(v1.get_collection(v1.GraphKeys.UPDATE_OPS))
    update_ops = global_update_ops if update_ops is None else set(update_ops)
    if not global_update_ops.issubset(update_ops):
        log.warning("update_ops in create_train_op does not contain all the "
                    "update_ops in GraphKeys.UPDATE_OPS")
    if update_ops:
        with v1.control_dependencies(update_ops):
            barrier = v1.no_op(name="update_barrier")
        with v1.control_dependencies([barrier]):
            total_loss = v1.identity(total_loss)
    if variables_to_train is None:
        variables_to_train = v1.trainable_variables()
    if not variables_to_train:
        raise TrainingError(
            "create_train_op: there is no variable to train (no trainable "
            "variable in the graph, or variables_to_train=[]).")
    grads = optimizer.compute_gradients(
        total_loss, variables_to_train, gate_gradients=gate_gradients,
        aggregation_method=aggregation_method,
        colocate_gradients_with_ops=colocate_gradients_with_ops)
    if gradient_multipliers:
        with v1.name_scope("multiply_grads"):
            grads = multiply_gradients(grads, gradient_multipliers)
    if clip_gradient_norm > 0:
        with v1.name_scope("clip_grads"):
            grads = clip_gradient_norms(grads, clip_gradient_norm)
    if summarize_gradients:
        with v1.name_scope("summarize_grads"):
            add_gradients_summaries(grads)
    grad_updates = optimizer.apply_gradients(grads, global_step=global_step)
    with v1.name_scope("train_op"):
        if check_numerics:
            total_loss = v1.check_numerics(total_loss,
                                           "LossTensor is inf or nan")
        with v1.control_dependencies([grad_updates]):
            train_op = v1.identity(total_loss)
    train_ops = v1.get_collection_ref(v1.GraphKeys.TRAIN_OP)
    if train_op not in train_ops:
        train_ops.append(train_op)
    return train_op


def train_step(sess, train_op, global_step, train_step_kwargs):
    """One step: runs `[train_op, global_step]`, logs when
    `train_step_kwargs["should_log"]` is true, and returns
    `(total_loss, should_stop)` (`should_stop` from `"should_stop"`).
    Custom `train_step_fn`s usually call this."""
    start = time.time()
    total_loss, np_global_step = sess.run([train_op, global_step])
    elapsed = time.time() - start
    if "should_log" in train_step_kwargs and \
            sess.run(train_step_kwargs["should_log"]):
        log.info("global step %d: loss = %.4f (%.3f sec/step)",
                 np_global_step, total_loss, elapsed)
    should_stop = bool(sess.run(train_step_kwargs["should_stop"])) \
        if "should_stop" in train_step_kwargs else False
    return total_loss, should_stop


def train(train_op, logdir, train_step_fn=train_step,
          train_step_kwargs=_USE_DEFAULT, log_every_n_steps=1, graph=None,
          master="", is_chief=True, global_step=None, number_of_steps=None,
          init_op=_USE_DEFAULT, init_feed_dict=None,
          local_init_op=_USE_DEFAULT, init_fn=None, ready_op=_USE_DEFAULT,
          summary_op=_USE_DEFAULT, save_summaries_secs=600,
          summary_writer=_USE_DEFAULT, startup_delay_steps=0, saver=None,
          save_interval_secs=600, sync_optimizer=None, session_config=None,
          session_wrapper=None, trace_every_n_steps=None,
          ignore_live_threads=False):
    """Runs the slim training loop; returns the last step's loss.

    Args:
      train_op: from `create_train_op` (a loss tensor that trains).
      logdir: checkpoints (`model.ckpt-<step>`) and summaries go here; a run
        resumes from its newest checkpoint. None: neither.
      train_step_fn: `(sess, train_op, global_step, kwargs) ->
        (loss, should_stop)`; default `train_step`.
      train_step_kwargs: default: `should_stop` (global step >=
        number_of_steps) and `should_log` (every `log_every_n_steps`).
      number_of_steps: stop when the global step reaches it (None: until
        `OutOfRangeError` or `should_stop`).
      init_op, init_feed_dict, local_init_op: initializers (default: global
        and local variables, tables).
      init_fn: `init_fn(sess)` after init_op on a fresh start (e.g.
        `assign_from_checkpoint_fn` for fine-tuning).
      summary_op: default `tf.summary.merge_all()` (None: no summaries).
      save_summaries_secs, save_interval_secs: intervals (0 or None: only
        the final checkpoint / no periodic summaries).
      saver: default: `tf.train.Saver()` over all global variables.
      session_config: a `tf.ConfigProto`.
      session_wrapper: `sess -> wrapped sess` (e.g. a debugger).
      master, is_chief, ready_op, summary_writer, startup_delay_steps,
      sync_optimizer, trace_every_n_steps, ignore_live_threads: accepted for
        compatibility; distributed training is not supported.

    Raises:
      TrainingError (a ValueError): `train_op` None, `number_of_steps` <= 0,
        `summary_op`/`saver` given with `logdir=None`, or a
        `sync_optimizer` / non-chief worker (not supported).
    """
    del ready_op, ignore_live_threads, startup_delay_steps
    if train_op is None:
        raise TrainingError("train: train_op cannot be None; build it with "
                            "slim.learning.create_train_op(loss, optimizer).")
    if logdir is None:
        if summary_op is not _USE_DEFAULT:
            raise TrainingError("train: cannot provide summary_op because "
                                "logdir=None.")
        if saver is not None:
            raise TrainingError("train: cannot provide saver because "
                                "logdir=None.")
        if trace_every_n_steps is not None:
            raise TrainingError("train: cannot provide trace_every_n_steps "
                                "because logdir=None.")
    if number_of_steps is not None and number_of_steps <= 0:
        raise TrainingError("train: number_of_steps must be either None or "
                            f"a positive number, got {number_of_steps}.")
    if sync_optimizer is not None or not is_chief or master:
        raise TrainingError(
            "train: distributed training (sync_optimizer, is_chief=False, "
            "master) is not supported by tf1_dnn; train on one machine.")
    from tf1_dnn.checkpoints import Saver, latest_checkpoint
    from tf1_dnn.session import Session

    graph = graph or v1.get_default_graph()
    with graph.as_default():
        if global_step is None:
            global_step = v1.train.get_or_create_global_step()
        if logdir is not None:
            saver = saver or Saver()
        with v1.name_scope("init_ops"):
            if init_op is _USE_DEFAULT:
                init_op = v1.global_variables_initializer()
            if local_init_op is _USE_DEFAULT:
                local_init_op = v1.group(v1.local_variables_initializer(),
                                         v1.tables_initializer())
        if summary_op is _USE_DEFAULT:
            summary_op = v1.summary.merge_all() if logdir else None
        if train_step_kwargs is _USE_DEFAULT:
            with v1.name_scope("train_step"):
                train_step_kwargs = {}
                if number_of_steps:
                    stop = v1.greater_equal(global_step, number_of_steps)
                else:
                    stop = v1.constant(False)
                train_step_kwargs["should_stop"] = stop
                if log_every_n_steps > 0:
                    train_step_kwargs["should_log"] = v1.equal(
                        v1.mod(global_step, log_every_n_steps), 0)
        writer = None
        if logdir is not None and summary_writer is not None:
            writer = (v1.summary.FileWriter(logdir, graph)
                      if summary_writer is _USE_DEFAULT else summary_writer)
            train_step_kwargs["summary_writer"] = writer
        graph.finalize()
    save_path = os.path.join(logdir, "model.ckpt") if logdir else None
    total_loss = None
    with Session(graph=graph, config=session_config) as sess:
        prefix = latest_checkpoint(logdir) if logdir else None
        if prefix:
            log.info("Restoring parameters from %s", prefix)
            saver.restore(sess, prefix)
        else:
            if init_op is not None:
                sess.run(init_op, feed_dict=init_feed_dict)
            if init_fn is not None:
                init_fn(sess)
        if local_init_op is not None:
            sess.run(local_init_op)
        if session_wrapper is not None:
            sess = session_wrapper(sess)
        coord = v1.train.Coordinator()
        threads = v1.train.start_queue_runners(sess, coord=coord)
        last_summary = last_save = time.time()

        def write_summary():
            if writer is not None and summary_op is not None:
                summary, step = sess.run([summary_op, global_step])
                writer.add_summary(summary, step)

        write_summary()
        try:
            while True:
                total_loss, should_stop = train_step_fn(
                    sess, train_op, global_step, train_step_kwargs)
                now = time.time()
                if save_summaries_secs and \
                        now - last_summary >= save_summaries_secs:
                    write_summary()
                    last_summary = now
                if saver is not None and save_interval_secs and \
                        now - last_save >= save_interval_secs:
                    saver.save(sess, save_path, global_step=global_step)
                    last_save = now
                if should_stop:
                    log.info("Stopping Training.")
                    break
        except v1.errors.OutOfRangeError as e:
            log.info("Caught OutOfRangeError. Stopping Training. %s", e)
        finally:
            coord.request_stop()
            coord.join(threads)
        if logdir is not None:
            write_summary()
            log.info("Finished training! Saving model to disk.")
            saver.save(sess, save_path, global_step=global_step)
        if writer is not None:
            writer.close()
    return total_loss
