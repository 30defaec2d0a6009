"""The report folder: Markdown, HTML and JSON tables, the PNGs, the marker."""

import html
import json
import pathlib
import shutil

from tf1_dnn.lab.errors import ReportDirError
from tf1_dnn.lab.plots import plot_curves
from tf1_dnn.lab.settings import N_HIDDEN1, N_HIDDEN2, N_INPUTS, N_OUTPUTS

__all__ = ["MARKER", "TABLE_HEADER", "prepare_report_dir", "markdown_table",
           "write_report"]

MARKER = ".tf1_dnn_lab_report"


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
