"""Early stopping for a TF 1.x training loop: keep the best weights, stop
after `patience` evaluations without improvement, restore the best weights.

    early = EarlyStopping(sess, patience=10)       # after building the graph
    for epoch in range(n_epochs):
        for X_batch, y_batch in ...:
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        if early.update(sess.run(loss, feed_dict={X: X_valid, y: y_valid})):
            break
    early.restore()                                   # the best weights again

This is the chapter's recipe ("evaluate on the validation set at regular
intervals, save the winner snapshot, stop when the step count since the
winner reaches a limit, then roll back to the winner") without writing a
checkpoint per improvement: by default the snapshot is kept in memory with
one `sess.run(var_list)`, and `restore()` feeds it back through
placeholders and assign ops built once in the constructor (no new op per
call, so the graph does not grow). Pass `checkpoint_path` to keep it on
disk with a `tf.train.Saver` instead (for models too big for memory).

Importing this module changes nothing global.
"""

import glob
import math
import os

from tf1_dnn._compat import v1
from tf1_dnn._plateau import improved
from tf1_dnn.errors import InputError, OutputExistsError, StateError

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Tracks a validation metric and keeps the best variable values.

    Args:
      sess: the training session (its graph holds the variables).
      var_list: the variables to snapshot. Default: every global variable of
        the session's graph, like `tf.train.Saver()` in the book -- model
        weights, batch-norm moving statistics, optimizer slots,
        `global_step` and a learning-rate variable all go back to the best
        evaluation. Pass
        `tf.trainable_variables()` plus the moving statistics if you want
        the optimizer state to keep running.
      patience: evaluations without improvement before `update()` returns
        True (>= 1).
      min_delta: how much better counts as an improvement.
      mode: "min" (losses) or "max" (accuracies).
      checkpoint_path: None keeps the snapshot in memory; a path keeps it
        on disk (`Saver.save` at each improvement, `Saver.restore` in
        `restore()`). The path must not already hold a checkpoint.

    Attributes:
      best: the best metric so far. best_index: the number of `update()`
      calls before it (0-based). wait: evaluations since then.

    Caveats:
      - Create it after the whole graph (optimizer slots included) exists:
        variables made later are not in the default `var_list`.
      - `update()` decides with the metric you give it; compute it on the
        validation set, not on a training batch.
    """

    def __init__(self, sess, var_list=None, patience=10, min_delta=0.0,
                 mode="min", checkpoint_path=None):
        if int(patience) != patience or patience < 1:
            raise InputError(
                f"EarlyStopping: patience must be an integer >= 1, got "
                f"{patience!r}.")
        if mode not in ("min", "max"):
            raise InputError(
                f"EarlyStopping: mode must be 'min' (losses) or 'max' "
                f"(accuracies), got {mode!r}.")
        graph = sess.graph
        with graph.as_default():
            var_list = list(v1.global_variables() if var_list is None
                            else var_list)
        if not var_list:
            raise InputError(
                "EarlyStopping: there are no variables to keep. Create it "
                "after building the model (and the optimizer), or pass "
                "var_list.")
        for v in var_list:
            if getattr(v, "graph", graph) is not graph:
                raise InputError(
                    f"EarlyStopping: variable {v.name} is not in the "
                    "session's graph.")
        if checkpoint_path is not None and glob.glob(
                glob.escape(str(checkpoint_path)) + ".*"):
            raise OutputExistsError(
                f"EarlyStopping: a checkpoint already exists at "
                f"{checkpoint_path!r}; it would be overwritten by the first "
                "improvement. Pick a new path or delete the old one.")
        self.sess = sess
        self.var_list = var_list
        self.patience = int(patience)
        self.min_delta = abs(float(min_delta))
        self.mode = mode
        self.checkpoint_path = (None if checkpoint_path is None
                                else os.fspath(checkpoint_path))
        self.best = math.inf if mode == "min" else -math.inf
        self.best_index = None
        self.wait = 0
        self._count = 0
        self._best_values = None
        with graph.as_default(), v1.name_scope("EarlyStopping"):
            if checkpoint_path is None:
                self._placeholders = [
                    v1.placeholder(v.dtype.base_dtype, shape=v.get_shape(),
                                   name="best_value") for v in var_list]
                self._restore_op = v1.group(
                    *[v.assign(p) for v, p in zip(var_list,
                                                  self._placeholders)],
                    name="restore_best")
            else:
                self._saver = v1.train.Saver(var_list, max_to_keep=1)

    @property
    def should_stop(self):
        """True once `patience` evaluations in a row brought no improvement."""
        return self.wait >= self.patience

    def _improved(self, metric):
        return improved(metric, self.best, self.mode, self.min_delta)

    def update(self, metric):
        """Records one validation evaluation; returns True when to stop.

        On improvement the current values of `var_list` are kept (in memory
        or in the checkpoint).
        """
        metric = float(metric)
        index, self._count = self._count, self._count + 1
        if self._improved(metric):
            self.best, self.best_index, self.wait = metric, index, 0
            if self.checkpoint_path is None:
                self._best_values = self.sess.run(self.var_list)
            else:
                self._saver.save(self.sess, self.checkpoint_path,
                                 write_meta_graph=False)
                self._best_values = True
            return False
        self.wait += 1
        return self.should_stop

    def restore(self):
        """Puts the best values back into the variables.

        Raises:
          RuntimeError: if no evaluation improved yet (nothing to restore).
        """
        if self._best_values is None:
            raise StateError(
                "EarlyStopping.restore(): nothing to restore yet -- call "
                "update(validation_metric) at least once (with a metric that "
                "is not NaN) first.")
        if self.checkpoint_path is None:
            self.sess.run(self._restore_op,
                          dict(zip(self._placeholders, self._best_values)))
        else:
            self._saver.restore(self.sess, self.checkpoint_path)
