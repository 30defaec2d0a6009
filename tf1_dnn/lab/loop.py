"""The training loop of one configuration (`feed_dict`, one batch per run)."""

import math
import sys
import time

import numpy as np

from tf1_dnn.lab.data import standardized
from tf1_dnn.lab.network import build_network

__all__ = ["ProgressBar", "train_config"]


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
    epochs, seconds (graph build + training + evaluation), diverged (a NaN
    or infinite training loss was seen).
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
    val_curve, train_losses, diverged = [], [], False
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
                for batch_index in np.array_split(rnd.permutation(n_train),
                                                  n_batches):
                    _, _, loss_val = sess.run(train_ops, feed_dict={
                        net.X: data["X_train"][batch_index],
                        net.y: data["y_train"][batch_index],
                        net.training: True})
                    if net.clip_all_weights:
                        sess.run(net.clip_all_weights)
                    losses.append(loss_val)
                    bar.update(1, f" loss {loss_val:.4f}")
                train_loss = float(np.mean(losses))
                diverged = diverged or not np.isfinite(train_loss)
                train_losses.append(train_loss)
                acc, summary_str, lr = sess.run(
                    [net.accuracy, net.summary, net.learning_rate], valid_feed)
                val_curve.append(float(acc))
                bar.close(f" loss {train_loss:.4f} val_acc {acc:.4f}")
                if writer is not None:
                    writer.add_summary(summary_str, epoch)
                    writer.add_summary(_scalar_summary(
                        tf, train_loss=train_loss, learning_rate=lr), epoch)
            test_acc = float(sess.run(net.accuracy, {
                net.X: data["X_test"], net.y: data["y_test"]}))
            if writer is not None:
                writer.add_summary(_scalar_summary(tf, test_accuracy=test_acc),
                                   settings.epochs)
    finally:
        if writer is not None:
            writer.close()
    return dict(name=config.name, group=config.group,
                groups=list(config.groups), technique=config.technique,
                val_curve=val_curve, train_loss=train_losses,
                val_accuracy=val_curve[-1], test_accuracy=test_acc,
                epochs=settings.epochs,
                seconds=round(time.perf_counter() - start, 2),
                diverged=bool(diverged))
