"""The learning curves as PNG (matplotlib's Agg canvas, no pyplot)."""

import math
import pathlib

from tf1_dnn.lab_configs import GROUPS

__all__ = ["plot_curves"]


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
