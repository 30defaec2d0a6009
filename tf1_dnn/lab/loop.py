"""The training loop of one configuration (`feed_dict`, one batch per run)."""

import math
import sys
import time

import numpy as np

from tf1_dnn.lab.data import standardized
from tf1_dnn.lab.network import build_network

__all__ = ["ProgressBar", "train_config", "failed_result"]


class ProgressBar:
    """A one-line text progress bar on stderr (no tqdm).

    On a terminal it redraws in place (at most ~20 times a second); on a
    pipe or file (CI logs) it writes one line per finished bar only.
    """

    def __init__(self, total, label, stream=None, width=30):
        self.total = max(int(total), 1)
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.done = 0
        self.start = time.perf_counter()
        self._last_draw = 0.0
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty())

    def _line(self, suffix=""):
        frac = min(self.done / self.total, 1.0)
        filled = int(round(self.width * frac))
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.perf_counter() - self.start
        return (f"{self.label} |{bar}| {self.done}/{self.total} "
                f"{elapsed:5.1f}s{suffix}")

    def update(self, n=1, suffix=""):
        self.done += n
        now = time.perf_counter()
        if self.interactive and (now - self._last_draw > 0.05
                                 or self.done >= self.total):
            self._last_draw = now
            self.stream.write("\r" + self._line(suffix))
            self.stream.flush()

    def close(self, suffix=""):
        self.stream.write(("\r" if self.interactive else "")
                          + self._line(suffix) + "\n")
        self.stream.flush()


def _scalar_summary(tf, **values):
    return tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=float(v))
                             for tag, v in values.items()])


def train_config(config, data, settings, logdir=None, label=None,
                 stream=None):
    """Trains one configuration; returns its result dict.

    The dict has: name, group, groups, technique, val_curve (validation
    accuracy at epochs 0..N, 0 = untrained), train_loss (mean training loss
    per epoch), val_accuracy and test_accuracy (after the last epoch),
    epochs (asked), epochs_run, seconds (graph build + training +
    evaluation), status ("ok" or "diverged"), diverged (bool), error (None
    or why it stopped).

    Divergence: the first batch whose loss is NaN or infinite stops the
    run (the weights are NaN from then on: evaluating them would report
    "accuracy ~0.1", the argmax of NaN logits being class 0). The result
    then has status "diverged", val/test accuracy None, the curves up to the
    last finished epoch, and `error` naming the epoch, the batch and the
    likely causes (learning rate too high, NaN/Inf in the inputs).
    """
    from tf1_dnn import tf

    start = time.perf_counter()
    if config.standardize:
        data = standardized(data)
    net = build_network(config, settings.seed)
    rnd = np.random.RandomState(settings.seed)
    n_train = len(data["X_train"])
    n_batches = int(math.ceil(n_train / settings.batch_size))
    valid_feed = {net.X: data["X_valid"], net.y: data["y_valid"]}
    session_config = tf.ConfigProto(intra_op_parallelism_threads=1,
                                    inter_op_parallelism_threads=1)
    writer = (tf.summary.FileWriter(str(logdir), net.graph)
              if logdir is not None else None)
    val_curve, train_losses, error, diverged_at = [], [], None, None
    test_acc = val_acc = None
    epochs_run = 0
    try:
        with tf.Session(graph=net.graph, config=session_config) as sess:
            sess.run(net.init)
            acc, summary_str = sess.run([net.accuracy, net.summary], valid_feed)
            val_curve.append(float(acc))
            if writer is not None:
                writer.add_summary(summary_str, 0)
            train_ops = [net.training_op, net.extra_update_ops, net.loss]
            for epoch in range(1, settings.epochs + 1):
                bar = ProgressBar(n_batches, f"{label or config.name} "
                                  f"epoch {epoch}/{settings.epochs}",
                                  stream=stream)
                losses = []
                for step, batch_index in enumerate(
                        np.array_split(rnd.permutation(n_train), n_batches),
                        start=1):
                    _, _, loss_val = sess.run(train_ops, feed_dict={
                        net.X: data["X_train"][batch_index],
                        net.y: data["y_train"][batch_index],
                        net.training: True})
                    if not np.isfinite(loss_val):
                        error = (f"diverged: training loss {loss_val} at epoch "
                                 f"{epoch}, batch {step}/{n_batches}; stopped "
                                 "there. Likely causes: a learning rate too "
                                 "high for this configuration, or NaN/Inf in "
                                 "the input data.")
                        diverged_at = [epoch, step]
                        break
                    if net.clip_all_weights:
                        sess.run(net.clip_all_weights)
                    losses.append(loss_val)
                    bar.update(1, f" loss {loss_val:.4f}")
                if error is not None:
                    bar.close(f" loss {loss_val} DIVERGED")
                    break
                train_loss = float(np.mean(losses))
                train_losses.append(train_loss)
                acc, summary_str, lr = sess.run(
                    [net.accuracy, net.summary, net.learning_rate], valid_feed)
                val_curve.append(float(acc))
                epochs_run = epoch
                bar.close(f" loss {train_loss:.4f} val_acc {acc:.4f}")
                if writer is not None:
                    writer.add_summary(summary_str, epoch)
                    writer.add_summary(_scalar_summary(
                        tf, train_loss=train_loss, learning_rate=lr), epoch)
            if error is None:
                val_acc = val_curve[-1]
                test_acc = float(sess.run(net.accuracy, {
                    net.X: data["X_test"], net.y: data["y_test"]}))
                if writer is not None:
                    writer.add_summary(
                        _scalar_summary(tf, test_accuracy=test_acc),
                        settings.epochs)
    finally:
        if writer is not None:
            writer.close()
    return dict(name=config.name, group=config.group,
                groups=list(config.groups), technique=config.technique,
                val_curve=val_curve, train_loss=train_losses,
                val_accuracy=val_acc, test_accuracy=test_acc,
                epochs=settings.epochs, epochs_run=epochs_run,
                seconds=round(time.perf_counter() - start, 2),
                status="ok" if error is None else "diverged",
                diverged=error is not None, diverged_at=diverged_at,
                error=error)


def failed_result(config, settings, error, seconds=0.0):
    """The result row of a configuration whose training raised `error`."""
    return dict(name=config.name, group=config.group,
                groups=list(config.groups), technique=config.technique,
                val_curve=[], train_loss=[], val_accuracy=None,
                test_accuracy=None, epochs=settings.epochs, epochs_run=0,
                seconds=round(seconds, 2), status="failed", diverged=False,
                diverged_at=None, error=error)
