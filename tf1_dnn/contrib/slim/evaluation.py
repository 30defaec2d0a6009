"""`slim.evaluation.evaluate_once`: restore a checkpoint, run the metric
update ops `num_evals` times, return the final values.

    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
        "accuracy": slim.metrics.streaming_accuracy(predictions, labels)})
    values = slim.evaluation.evaluate_once(
        "", tf.train.latest_checkpoint("train_dir"), "eval_dir",
        num_evals=10, eval_op=list(names_to_updates.values()),
        final_op=list(names_to_values.values()))

`evaluation_loop` does the same for each new checkpoint in a directory
(`tf.train.checkpoints_iterator`), up to `max_number_of_evaluations` or
until `timeout` seconds pass without a new one.

The metrics' local variables are initialized first (so every call starts
from zero), and the summaries (`tf.summary.merge_all()` by default) are
written to `logdir` at the checkpoint's global step.
"""

from tf1_dnn._compat import v1
from tf1_dnn.errors import InputError

__all__ = ["evaluate_once", "evaluation_loop"]

_USE_DEFAULT = 0


def evaluate_once(master, checkpoint_path, logdir, num_evals=1,
                  initial_op=None, initial_op_feed_dict=None, eval_op=None,
                  eval_op_feed_dict=None, final_op=None,
                  final_op_feed_dict=None, summary_op=_USE_DEFAULT,
                  summary_op_feed_dict=None, variables_to_restore=None,
                  session_config=None, hooks=None):
    """Evaluates the model at `checkpoint_path` once; returns `final_op`'s
    value (None without a `final_op`).

    Args:
      master: must be "" (local).
      checkpoint_path: a checkpoint prefix (or a directory / `.index`).
      logdir: where the summaries go (None: nowhere).
      num_evals: how many times to run `eval_op`.
      initial_op, eval_op, final_op (+ their feed dicts): run once before,
        `num_evals` times, and once after.
      summary_op: default `tf.summary.merge_all()`; None for none.
      variables_to_restore: default: all global variables.
      session_config: a `tf.ConfigProto`.
      hooks: not supported (must be None or empty).
    """
    from tf1_dnn.checkpoints import Saver, resolve_checkpoint
    from tf1_dnn.session import Session
    if master:
        raise InputError("evaluate_once: only local evaluation (master='') "
                         "is supported by tf1_dnn.")
    if hooks:
        raise InputError("evaluate_once: hooks are not supported by tf1_dnn; "
                         "pass eval_op/final_op instead.")
    graph = v1.get_default_graph()
    prefix = resolve_checkpoint(checkpoint_path)
    saver = Saver(variables_to_restore)
    global_step = v1.train.get_global_step()
    if summary_op is _USE_DEFAULT:
        summary_op = v1.summary.merge_all()
    local_init = v1.group(v1.local_variables_initializer(),
                          v1.tables_initializer())
    with Session(graph=graph, config=session_config) as sess:
        saver.restore(sess, prefix)
        sess.run(local_init)
        if initial_op is not None:
            sess.run(initial_op, initial_op_feed_dict)
        if eval_op is not None:
            for _ in range(num_evals):
                sess.run(eval_op, eval_op_feed_dict)
        final = None
        if final_op is not None:
            final = sess.run(final_op, final_op_feed_dict)
        if logdir and summary_op is not None:
            step = sess.run(global_step) if global_step is not None else 0
            writer = v1.summary.FileWriter(logdir, graph)
            writer.add_summary(sess.run(summary_op, summary_op_feed_dict),
                               step)
            writer.close()
    return final


def evaluation_loop(master, checkpoint_dir, logdir, num_evals=1,
                    initial_op=None, initial_op_feed_dict=None,
                    init_fn=None, eval_op=None, eval_op_feed_dict=None,
                    final_op=None, final_op_feed_dict=None,
                    summary_op=_USE_DEFAULT, summary_op_feed_dict=None,
                    variables_to_restore=None, eval_interval_secs=60,
                    max_number_of_evaluations=None, session_config=None,
                    timeout=None, timeout_fn=None, hooks=None):
    """`evaluate_once` on every new checkpoint of `checkpoint_dir`; returns
    the last `final_op` value.

    Args:
      eval_interval_secs: minimum seconds between two evaluations.
      max_number_of_evaluations: stop after that many (None: no limit).
      timeout: stop after waiting that long for a new checkpoint.
      timeout_fn: called on timeout; stop if it returns True.
      init_fn: not supported with a restore (must be None).
      Others: as `evaluate_once`.
    """
    if init_fn is not None:
        raise InputError("evaluation_loop: init_fn is not supported by "
                         "tf1_dnn (the checkpoint restores every variable).")
    final = None
    for count, path in enumerate(v1.train.checkpoints_iterator(
            checkpoint_dir, min_interval_secs=eval_interval_secs,
            timeout=timeout, timeout_fn=timeout_fn), start=1):
        final = evaluate_once(
            master, path, logdir, num_evals=num_evals, initial_op=initial_op,
            initial_op_feed_dict=initial_op_feed_dict, eval_op=eval_op,
            eval_op_feed_dict=eval_op_feed_dict, final_op=final_op,
            final_op_feed_dict=final_op_feed_dict, summary_op=summary_op,
            summary_op_feed_dict=summary_op_feed_dict,
            variables_to_restore=variables_to_restore,
            session_config=session_config, hooks=hooks)
        if max_number_of_evaluations is not None and \
                count >= max_number_of_evaluations:
            break
    return final
