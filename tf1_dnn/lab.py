"""`python -m tf1_dnn lab`: the chapter's techniques trained side by side.

    python -m tf1_dnn lab                      # full default data, 10 epochs
    python -m tf1_dnn lab --quick              # CI: small subset, 1 epoch
    python -m tf1_dnn lab --only 'optimizers,*decay' --epochs 10 --seed 7
    python -m tf1_dnn lab --list               # the configurations

Every configuration of `tf1_dnn.lab_configs` (activations, initializations,
batch norm, gradient clipping, optimizers, learning-rate schedules, l1/l2,
dropout, max-norm and the table 11-2 default network) gets its own
`tf.Graph`, built with `from tf1_dnn import tf` code in the chapter's style,
and is trained with a plain `feed_dict` loop on the default data
(Fashion-MNIST from `tf1_dnn.datasets`: 55 000 training images, the first
5 000 of the training file as validation set like `input_data`, 10 000 test).

The report folder (default `lab_report/`) gets:

* `report.md` and `report.html` -- one row per configuration: technique,
  final validation and test accuracy, epochs, seconds (HTML embeds the plots);
* `curves.png` (all groups) and `curves_<group>.png` -- validation accuracy
  per epoch, epoch 0 being the untrained network;
* `tensorboard/<config>/events.out.tfevents.*` -- one run per configuration,
  written by `tf.summary.FileWriter`, scalars per epoch: `validation_accuracy`,
  `validation_loss`, `train_loss`, `learning_rate`, plus `test_accuracy` at
  the last epoch (`tensorboard --logdir lab_report/tensorboard`);
* `results.json` -- the same numbers, for programs.

Determinism: `--seed` sets the graph-level seed (`tf.set_random_seed`) of
every graph and the numpy shuffling; sessions run with one intra-op and one
inter-op thread, so the same seed gives the same table numbers (only the
seconds differ), whichever `--only` subset is run.

Caveats:
  * Running the lab switches the process to TF 1.x behaviour (it imports
    `tf1_dnn.tf`); importing this module does not.
  * The report folder is replaced only if it is a previous lab report (it
    holds `.tf1_dnn_lab_report`); any other non-empty folder is refused.
  * Accuracies after 1 epoch on the `--quick` subset say little about the
    techniques; they prove the pipeline. Use the default mode for the lesson.
"""

import argparse
import dataclasses
import html
import json
import math
import os
import pathlib
import shutil
import sys
import time

import numpy as np

from tf1_dnn import lab_configs
from tf1_dnn.lab_configs import GROUPS

__all__ = ["main", "run_lab", "LabSettings", "load_lab_data",
           "build_network", "train_config", "write_report", "ProgressBar",
           "ReportDirError", "LabDataError"]

MARKER = ".tf1_dnn_lab_report"
N_INPUTS = 28 * 28
N_HIDDEN1 = 300
N_HIDDEN2 = 100
N_OUTPUTS = 10
VALIDATION_SIZE = 5000


class ReportDirError(ValueError):
    """The --out folder cannot be used without losing something of the user's."""


class LabDataError(FileNotFoundError):
    """The --data folder holds no MNIST-format data."""


@dataclasses.dataclass(frozen=True)
class LabSettings:
    """How the lab runs (everything but the configurations)."""
    epochs: int = 10
    seed: int = 42
    batch_size: int = 50
    n_train: int = None  # None = all 55 000
    n_valid: int = None  # None = all 5 000
    n_test: int = None   # None = all 10 000
    quick: bool = False

    @classmethod
    def quick_mode(cls, epochs=None, seed=42):
        """CI settings: 3 000 / 1 000 / 2 000 images, 1 epoch."""
        return cls(epochs=1 if epochs is None else epochs, seed=seed,
                   n_train=3000, n_valid=1000, n_test=2000, quick=True)


# -- data -------------------------------------------------------------------

def load_lab_data(settings, data_dir=None):
    """The lab's data as float32 [0, 1] rows of 784 pixels, int64 labels.

    Returns (data, description): data is a dict with X_train, y_train,
    X_valid, y_valid, X_test, y_test. Validation is the first 5 000 training
    images (as `input_data`); `--quick` keeps the first n of each split.

    The source is `tf1_dnn.datasets`' order (`data_dir`, $TF1_DNN_MNIST_DIR,
    ~/.keras/datasets/mnist.npz, then the built-in default, Debian's
    Fashion-MNIST) but never a download: the lab does not touch the network.
    """
    from tf1_dnn.datasets import sources
    source = sources.find_source(data_dir, allow_download=False)
    if data_dir is not None and (os.path.realpath(source.location)
                                 != os.path.realpath(data_dir)):
        # find_source falls through to the next source; the lab must not
        # silently train on other data than the one asked for.
        raise LabDataError(
            f"--data {data_dir} holds no MNIST-format data: it must be a "
            "folder with the four IDX files (train-images-idx3-ubyte[.gz], "
            "train-labels-idx1-ubyte[.gz], t10k-...) or an mnist.npz file. "
            "Leave --data out to use the built-in default.")
    X_train_full, y_train_full, X_test, y_test = sources.load_arrays(source)

    def prepare(X, y, n):
        X = np.asarray(X)[:n].reshape(-1, N_INPUTS).astype(np.float32) / 255.0
        return X, np.asarray(y)[:n].astype(np.int64)

    X_valid, y_valid = prepare(X_train_full[:VALIDATION_SIZE],
                               y_train_full[:VALIDATION_SIZE], settings.n_valid)
    X_train, y_train = prepare(X_train_full[VALIDATION_SIZE:],
                               y_train_full[VALIDATION_SIZE:], settings.n_train)
    X_test, y_test = prepare(X_test, y_test, settings.n_test)
    data = dict(X_train=X_train, y_train=y_train, X_valid=X_valid,
                y_valid=y_valid, X_test=X_test, y_test=y_test)
    return data, source.describe()


def standardized(data):
    """Inputs scaled to mean 0 / std 1 with the training statistics (SELU)."""
    means = data["X_train"].mean(axis=0, keepdims=True)
    stds = data["X_train"].std(axis=0, keepdims=True) + 1e-10
    out = dict(data)
    for split in ("X_train", "X_valid", "X_test"):
        out[split] = ((data[split] - means) / stds).astype(np.float32)
    return out


# -- the graph --------------------------------------------------------------

class Network:
    """The tensors and ops `train_config` needs (attributes set by build)."""


def _activation(tf, name):
    from tf1_dnn.activations import leaky_relu  # the chapter's: alpha 0.01
    return {"logistic": tf.nn.sigmoid, "relu": tf.nn.relu,
            "leaky_relu": leaky_relu, "elu": tf.nn.elu,
            "selu": tf.nn.selu}[name]


def _initializer(tf, name):
    if name == "xavier":
        return None  # tf.layers.dense default: glorot_uniform
    if name == "he":
        return tf.variance_scaling_initializer(scale=2.0)
    return tf.variance_scaling_initializer()  # the pitfall: LeCun, scale 1.0


def _kernel_regularizer(tf, config):
    if config.max_norm is not None:
        from tf1_dnn.regularizers import max_norm_regularizer  # the chapter's
        return max_norm_regularizer(config.max_norm, axes=config.max_norm_axes)
    if config.l1:
        return tf.contrib.layers.l1_regularizer(config.l1)
    if config.l2:
        return tf.contrib.layers.l2_regularizer(config.l2)
    return None


def _learning_rate(tf, config, global_step):
    from tf1_dnn import schedules
    if config.schedule == "exponential":  # = tf.train.exponential_decay
        return schedules.exponential_decay(config.learning_rate, global_step,
                                           decay_steps=10000, decay_rate=1 / 10)
    if config.schedule == "power":  # = tf.train.inverse_time_decay
        return schedules.power_decay(config.learning_rate, global_step,
                                     decay_steps=1000, power=1.0)
    return tf.constant(config.learning_rate, name="learning_rate")


def _optimizer(tf, config, learning_rate):
    name = config.optimizer
    if name == "sgd":
        return tf.train.GradientDescentOptimizer(learning_rate)
    if name in ("momentum", "nesterov"):
        return tf.train.MomentumOptimizer(learning_rate, momentum=0.9,
                                          use_nesterov=name == "nesterov")
    if name == "adagrad":
        return tf.train.AdagradOptimizer(learning_rate)
    if name == "rmsprop":
        return tf.train.RMSPropOptimizer(learning_rate, momentum=0.9,
                                         decay=0.9, epsilon=1e-10)
    return tf.train.AdamOptimizer(learning_rate)


def build_network(config, seed):
    """Builds `config`'s network in a new `tf.Graph`, chapter style.

    Returns a `Network` with: graph, X, y, training, logits, base_loss, loss,
    accuracy, learning_rate, training_op, extra_update_ops (batch norm's
    UPDATE_OPS, run with every training step), clip_all_weights (max-norm
    ops, run after every step), summary (validation accuracy + loss),
    init, global_step.
    """
    from functools import partial

    from tf1_dnn import clipping, tf

    if config.table_11_2:
        return _build_default_dnn(config, seed)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        X = tf.placeholder(tf.float32, shape=(None, N_INPUTS), name="X")
        y = tf.placeholder(tf.int64, shape=(None,), name="y")
        training = tf.placeholder_with_default(False, shape=(), name="training")

        activation = _activation(tf, config.activation)
        my_dense_layer = partial(
            tf.layers.dense,
            kernel_initializer=_initializer(tf, config.initializer),
            kernel_regularizer=_kernel_regularizer(tf, config))
        my_batch_norm_layer = partial(tf.layers.batch_normalization,
                                      training=training,
                                      momentum=config.bn_momentum)
        my_dropout = partial(tf.layers.dropout, rate=config.dropout_rate,
                             training=training)

        with tf.name_scope("dnn"):
            inputs = my_dropout(X) if config.dropout_rate else X
            for i, units in enumerate((N_HIDDEN1, N_HIDDEN2), start=1):
                if config.batch_norm:
                    hidden = my_dense_layer(inputs, units, name=f"hidden{i}")
                    hidden = activation(my_batch_norm_layer(hidden))
                else:
                    hidden = my_dense_layer(inputs, units, activation=activation,
                                            name=f"hidden{i}")
                inputs = my_dropout(hidden) if config.dropout_rate else hidden
            logits = my_dense_layer(inputs, N_OUTPUTS, name="outputs")
            if config.batch_norm:
                logits = my_batch_norm_layer(logits)

        with tf.name_scope("loss"):
            xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=logits)
            base_loss = tf.reduce_mean(xentropy, name="avg_xentropy")
            reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
            loss = tf.add_n([base_loss] + reg_losses, name="loss")

        with tf.name_scope("train"):
            global_step = tf.Variable(0, trainable=False, name="global_step")
            learning_rate = _learning_rate(tf, config, global_step)
            optimizer = _optimizer(tf, config, learning_rate)
            if config.clip_threshold is not None:
                threshold = config.clip_threshold
                grads_and_vars = optimizer.compute_gradients(loss)
                capped_gvs = clipping.clip_by_value(grads_and_vars,
                                                    -threshold, threshold)
                training_op = optimizer.apply_gradients(
                    capped_gvs, global_step=global_step)
            else:
                training_op = optimizer.minimize(loss, global_step=global_step)

        with tf.name_scope("eval"):
            correct = tf.nn.in_top_k(logits, y, 1)
            accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

        summary = tf.summary.merge([
            tf.summary.scalar("validation_accuracy", accuracy),
            tf.summary.scalar("validation_loss", base_loss)])

        net = Network()
        net.graph = graph
        net.X, net.y, net.training = X, y, training
        net.logits, net.base_loss, net.loss = logits, base_loss, loss
        net.accuracy, net.learning_rate = accuracy, learning_rate
        net.global_step, net.training_op = global_step, training_op
        net.extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        net.clip_all_weights = tf.get_collection("max_norm")
        net.summary = summary
        net.init = tf.global_variables_initializer()
    graph.finalize()
    return net


def _build_default_dnn(config, seed):
    """Table 11-2's network from `tf1_dnn.defaults.default_dnn`."""
    from tf1_dnn import tf
    from tf1_dnn.defaults import default_dnn

    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        dnn = default_dnn(N_INPUTS, N_OUTPUTS, n_hidden=(N_HIDDEN1, N_HIDDEN2),
                          learning_rate=config.learning_rate, momentum=0.9,
                          dropout_rate=config.dropout_rate,
                          batch_norm_momentum=config.bn_momentum)
        net = Network()
        net.graph = graph
        net.X, net.y, net.training = dnn.X, dnn.y, dnn.training
        net.logits, net.loss = dnn.logits, dnn.loss
        net.base_loss = graph.get_tensor_by_name("loss/avg_xentropy:0")
        net.accuracy = dnn.accuracy
        net.learning_rate = tf.constant(config.learning_rate,
                                        name="learning_rate")
        net.global_step, net.training_op = None, dnn.training_op
        # default_dnn makes the batch-norm updates control dependencies of
        # training_op: running them again would update twice.
        net.extra_update_ops = []
        net.clip_all_weights = []
        net.summary = tf.summary.merge([
            tf.summary.scalar("validation_accuracy", net.accuracy),
            tf.summary.scalar("validation_loss", net.base_loss)])
        net.init = tf.global_variables_initializer()
    graph.finalize()
    return net


# -- training ---------------------------------------------------------------

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


# -- the report -------------------------------------------------------------

def prepare_report_dir(out):
    """Creates `out`, or empties it if it holds a previous lab report.

    Raises:
      ReportDirError: `out` is a file, or a non-empty folder that is not a
        lab report (nothing of the user's is deleted).
    """
    out = pathlib.Path(out)
    if out.exists() and not out.is_dir():
        raise ReportDirError(
            f"--out {out} is a file, not a folder; pass a folder name, e.g. "
            "--out lab_report.")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise ReportDirError(
                f"--out {out} is a non-empty folder that is not a tf1_dnn lab "
                "report; the lab will not write into it (it could overwrite "
                "your files). Pass a new or empty folder, e.g. --out "
                "lab_report.")
        for item in out.iterdir():
            if item.name == "tensorboard" and item.is_dir():
                shutil.rmtree(item)
            elif item.name in (MARKER, "report.md", "report.html",
                               "results.json") or (
                    item.name.startswith("curves") and item.suffix == ".png"):
                item.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by python -m tf1_dnn lab\n")
    return out


def _table_rows(results):
    return [(str(i), r["name"], r["group"], r["technique"],
             f"{r['val_accuracy']:.4f}", f"{r['test_accuracy']:.4f}",
             str(r["epochs"]), f"{r['seconds']:.1f}")
            for i, r in enumerate(results, start=1)]


TABLE_HEADER = ("#", "config", "group", "technique", "val acc", "test acc",
                "epochs", "seconds")


def markdown_table(results):
    """The report table as Markdown (one row per configuration)."""
    lines = ["| " + " | ".join(TABLE_HEADER) + " |",
             "|" + "|".join("---:" if h in ("#", "val acc", "test acc",
                                           "epochs", "seconds") else "---"
                            for h in TABLE_HEADER) + "|"]
    for row in _table_rows(results):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row)
                     + " |")
    return "\n".join(lines)


def _plot_group(ax, group, results):
    """Validation accuracy per epoch of the group's runs (dashed: runs of
    other groups drawn as reference). With 2+ epochs the untrained epoch 0
    (~0.1, it would squash the curves) is left out; with 1 epoch it is the
    start of each line."""
    from matplotlib.ticker import MaxNLocator

    members = [r for r in results if group in r["groups"]]
    first = 1 if any(len(r["val_curve"]) > 2 for r in members) else 0
    for r in members:
        style = "--" if r["group"] != group else "-"
        curve = r["val_curve"][first:]
        ax.plot(range(first, first + len(curve)), curve, style,
                marker="o", markersize=3, label=r["name"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(GROUPS[group])
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.grid(True, alpha=0.3)
    if members:
        ax.legend(fontsize=7, loc="best")


def plot_curves(results, out):
    """Writes curves_<group>.png per group and curves.png with all groups.

    matplotlib is imported here (Agg canvas, no pyplot, no global backend
    change). Returns the written paths.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    groups = [g for g in GROUPS if any(g in r["groups"] for r in results)]
    paths = []
    for group in groups:
        fig = Figure(figsize=(6, 4))
        FigureCanvasAgg(fig)
        _plot_group(fig.add_subplot(1, 1, 1), group, results)
        fig.tight_layout()
        path = pathlib.Path(out) / f"curves_{group}.png"
        fig.savefig(path, dpi=100)
        paths.append(path)
    ncols = min(4, len(groups))
    nrows = int(math.ceil(len(groups) / ncols))
    fig = Figure(figsize=(4.5 * ncols, 3.5 * nrows))
    FigureCanvasAgg(fig)
    for i, group in enumerate(groups, start=1):
        _plot_group(fig.add_subplot(nrows, ncols, i), group, results)
    fig.tight_layout()
    path = pathlib.Path(out) / "curves.png"
    fig.savefig(path, dpi=100)
    return [path] + paths


def _meta_lines(meta):
    return [f"- mode: {'quick (CI subset)' if meta['quick'] else 'default'}",
            f"- data: {meta['data']}",
            f"- epochs: {meta['epochs']}, batch size {meta['batch_size']}, "
            f"seed {meta['seed']}",
            f"- network: {N_INPUTS}-{N_HIDDEN1}-{N_HIDDEN2}-{N_OUTPUTS}, "
            "one tf.Graph per configuration",
            f"- TensorFlow {meta['tensorflow']}, total {meta['seconds']:.1f} s"]


def write_report(results, out, meta):
    """Writes report.md, report.html, results.json and the PNG curves."""
    out = pathlib.Path(out)
    pngs = plot_curves(results, out)
    md = ["# tf1_dnn chapter 11 lab", ""] + _meta_lines(meta) + [
        "", markdown_table(results), "",
        "Validation accuracy per epoch (epoch 0 = untrained):", ""]
    md += [f"![{p.stem}]({p.name})" for p in pngs]
    md += ["", "TensorBoard: `tensorboard --logdir "
           f"{out / 'tensorboard'}`", ""]
    (out / "report.md").write_text("\n".join(md))

    esc = html.escape
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
        for row in _table_rows(results))
    head = "".join(f"<th>{esc(h)}</th>" for h in TABLE_HEADER)
    meta_html = "".join(f"<li>{esc(line[2:])}</li>" for line in _meta_lines(meta))
    imgs = "\n".join(f'<p><img src="{esc(p.name)}" alt="{esc(p.stem)}"></p>'
                     for p in pngs)
    (out / "report.html").write_text(f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>tf1_dnn chapter 11 lab</title>
<style>body{{font-family:sans-serif}} table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:2px 6px}} td:nth-child(n+5){{text-align:right}}</style>
</head><body>
<h1>tf1_dnn chapter 11 lab</h1>
<ul>{meta_html}</ul>
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>Validation accuracy per epoch</h2>
{imgs}
</body></html>
""")
    (out / "results.json").write_text(json.dumps(
        dict(meta=meta, results=results), indent=1))
    return out / "report.md"


# -- command line -----------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tf1_dnn lab",
        description="Train the chapter 11 configurations side by side on the "
                    "default data (Fashion-MNIST) and write a report folder.")
    parser.add_argument("--quick", action="store_true",
                        help="CI mode: 3000/1000/2000 images, 1 epoch")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs per configuration (default 10; --quick: 1)")
    parser.add_argument("--seed", type=int, default=42,
                        help="graph and shuffling seed (default 42)")
    parser.add_argument("--only", metavar="PATTERN", default=None,
                        help="comma-separated globs on config names or groups "
                             "(no wildcard = substring), e.g. 'optimizers,"
                             "*decay'")
    parser.add_argument("--out", metavar="DIR", default="lab_report",
                        help="report folder (default lab_report/)")
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="folder of MNIST-format IDX files or an .npz "
                             "(default: tf1_dnn.datasets' sources, no "
                             "download; Debian's Fashion-MNIST)")
    parser.add_argument("--list", action="store_true",
                        help="list the configurations and exit")
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}.")
    return parser, args


def run_lab(configs, settings, out, data_dir=None, stream=None):
    """Trains `configs`, writes the report in `out`; returns (results, path)."""
    from tf1_dnn import tf

    start = time.perf_counter()
    data, source = load_lab_data(settings, data_dir)
    out = prepare_report_dir(out)
    results = []
    for i, config in enumerate(configs, start=1):
        label = f"[{i:2d}/{len(configs)}] {config.name:<17}"
        results.append(train_config(config, data, settings,
                                    logdir=out / "tensorboard" / config.name,
                                    label=label, stream=stream))
    meta = dict(quick=settings.quick, epochs=settings.epochs,
                seed=settings.seed, batch_size=settings.batch_size,
                data=(f"{source}, {len(data['X_train'])} train / "
                      f"{len(data['X_valid'])} validation / "
                      f"{len(data['X_test'])} test images"),
                tensorflow=tf.VERSION if hasattr(tf, "VERSION")
                else tf.version.VERSION,
                seconds=round(time.perf_counter() - start, 2),
                configs=[c.name for c in configs])
    return results, write_report(results, out, meta)


def main(argv=None):
    parser, args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        configs = lab_configs.select(args.only)
    except ValueError as e:
        parser.error(str(e))
    if args.list:
        for c in configs:
            print(f"{c.name:<18} {c.group:<15} {c.technique}")
        return 0
    settings = (LabSettings.quick_mode(args.epochs, args.seed) if args.quick
                else LabSettings(epochs=10 if args.epochs is None
                                 else args.epochs, seed=args.seed))
    from tf1_dnn.datasets import IdxError, MissingDataError
    try:
        results, report = run_lab(configs, settings, args.out,
                                  data_dir=args.data)
    except (ReportDirError, LabDataError, MissingDataError, IdxError) as e:
        print(f"tf1_dnn lab: {e}", file=sys.stderr)
        return 2
    print(markdown_table(results))
    print(f"\nreport: {report} (HTML, PNG curves and TensorBoard logs in "
          f"{report.parent})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
