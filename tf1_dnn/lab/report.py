"""The report folder: Markdown, HTML and JSON tables, the PNGs, the marker.

A run never writes into `--out` directly. `ReportFolder` writes the new
report into `<out>.partial/` beside it, results streaming in as each
configuration finishes (`results.json` and `report.md` rewritten each time),
and only when the whole run is complete swaps the files it wrote into
`<out>/`: the previous report's files (those its marker lists) are moved
aside, the new ones moved in, the marker replaced last. Files in `<out>/`
or `<out>/tensorboard/` that the lab did not write stay. A Ctrl-C, a crash
or a kill leaves `<out>/` as it was and the finished configurations in
`<out>.partial/`.
"""

import html
import json
import os
import pathlib
import shutil
import tempfile

from tf1_dnn.lab.errors import ReportDirError
from tf1_dnn.lab.settings import N_HIDDEN1, N_HIDDEN2, N_INPUTS, N_OUTPUTS

__all__ = ["MARKER", "TABLE_HEADER", "ReportFolder", "check_report_dir",
           "markdown_table", "status_text", "write_report"]

MARKER = ".tf1_dnn_lab_report"
PARTIAL_SUFFIX = ".partial"
TOP_LEVEL = ("report.md", "report.html", "results.json")


def _is_lab_dir(path):
    return path.is_dir() and not path.is_symlink() and (path / MARKER).exists()


def check_report_dir(out):
    """Checks that `out` (and `<out>.partial` beside it) can take a report.

    Touches nothing. Returns `out` as a `pathlib.Path`.

    Raises:
      ReportDirError: `out` is a file, or a non-empty folder that is not a
        lab report; or `<out>.partial` exists and is not an interrupted lab
        report (the lab would need that name for the new report).
    """
    out = pathlib.Path(out)
    if out.exists() and not out.is_dir():
        raise ReportDirError(
            f"--out {out} is a file, not a folder; pass a folder name, e.g. "
            "--out lab_report.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ReportDirError(
            f"--out {out} is a non-empty folder that is not a tf1_dnn lab "
            "report; the lab will not write into it (it could overwrite "
            "your files). Pass a new or empty folder, e.g. --out "
            "lab_report.")
    staging = out.parent / (out.name + PARTIAL_SUFFIX)
    if (staging.exists() or staging.is_symlink()) and not _is_lab_dir(staging):
        raise ReportDirError(
            f"{staging} exists and is not an interrupted lab report: the lab "
            f"writes the new report there before swapping it into {out}. "
            "Move or rename it, or pass another --out.")
    return out


def _write_text(path, text):
    """Writes `text` to a temporary name beside `path`, then renames it."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _safe_relative(rel):
    parts = pathlib.PurePosixPath(rel).parts
    return bool(parts) and not pathlib.PurePosixPath(rel).is_absolute() and (
        ".." not in parts)


def _previous_entries(out):
    """Relative paths of what the previous lab run wrote in `out`."""
    try:
        files = json.loads((out / MARKER).read_text())["files"]
        files = [f for f in files if isinstance(f, str) and _safe_relative(f)]
    except (OSError, ValueError, KeyError, TypeError):
        # A marker of the first lab versions (plain text): the names they
        # wrote, and the TensorBoard runs named like a configuration.
        from tf1_dnn.lab_configs import CONFIGS
        files = list(TOP_LEVEL) + [p.name for p in out.glob("curves*.png")]
        files += [f"tensorboard/{c.name}" for c in CONFIGS]
    return [f for f in files if f != MARKER]


def _move(src, dst):
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)


def _swap_in(staging, out, entries, manifest_text):
    """Moves `entries` (relative paths) from `staging` into `out`.

    The previous report's entries go to a `.<out>.previous-*` folder first
    (deleted at the end). An entry of the new report whose name is taken by
    a file the previous report did not write (the user's) is kept under
    `<name>.user-<n>`. The marker is replaced last. Returns the user files
    that were renamed.
    """
    out.mkdir(parents=True, exist_ok=True)
    old = _previous_entries(out) if (out / MARKER).exists() else []
    trash = pathlib.Path(tempfile.mkdtemp(prefix=f".{out.name}.previous-",
                                          dir=out.parent))
    renamed = []
    for rel in old:
        if (out / rel).exists() or (out / rel).is_symlink():
            _move(out / rel, trash / rel)
    board = out / "tensorboard"
    for rel in entries:
        dst = out / rel
        if dst.exists() or dst.is_symlink():
            n = 1
            while dst.with_name(f"{dst.name}.user-{n}").exists():
                n += 1
            _move(dst, dst.with_name(f"{dst.name}.user-{n}"))
            renamed.append(str(dst.with_name(f"{dst.name}.user-{n}")))
        _move(staging / rel, dst)
    _write_text(staging / MARKER, manifest_text)
    os.replace(staging / MARKER, out / MARKER)
    if board.is_dir() and not any(board.iterdir()):
        board.rmdir()
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    return renamed


class ReportFolder:
    """Where a lab run writes: `<out>.partial/` first, `<out>/` when done.

    Usage: `folder = ReportFolder(out)` (checks, touches nothing), then
    `folder.open()`, `folder.add(result, meta)` per finished configuration,
    `folder.finish(results, meta)` at the end.
    """

    def __init__(self, out):
        self.out = check_report_dir(out)
        self.staging = self.out.parent / (self.out.name + PARTIAL_SUFFIX)
        self.results = []
        self.renamed = []

    def open(self):
        """Creates a fresh `<out>.partial/` (replacing an interrupted one)."""
        self.out.parent.mkdir(parents=True, exist_ok=True)
        check_report_dir(self.out)
        if _is_lab_dir(self.staging):
            shutil.rmtree(self.staging)
        (self.staging / "tensorboard").mkdir(parents=True)
        _write_text(self.staging / MARKER, json.dumps(dict(
            written_by="python -m tf1_dnn lab", partial=True, files=[])))
        return self

    def logdir(self, name):
        """The TensorBoard run folder of configuration `name`."""
        return self.staging / "tensorboard" / name

    def add(self, result, meta, files=None):
        """Streams one finished result (and its event `files`, a dict
        relative path -> bytes, for results computed elsewhere) in."""
        if files:
            for rel, blob in files.items():
                if not _safe_relative(rel):
                    continue
                path = self.logdir(result["name"]) / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(blob)
        self.results.append(result)
        write_report(self.results, self.staging, dict(meta, partial=True),
                     plots=False)

    def finish(self, results, meta):
        """Writes the full report, then swaps it into `out`. Returns the
        path of `report.md`."""
        write_report(results, self.staging, meta)
        entries = [p.name for p in sorted(self.staging.iterdir())
                   if p.name not in (MARKER, "tensorboard")
                   and not p.name.startswith(".")]
        entries += [f"tensorboard/{p.name}" for p in
                    sorted((self.staging / "tensorboard").iterdir())]
        manifest = json.dumps(dict(written_by="python -m tf1_dnn lab",
                                   files=entries), indent=1)
        self.renamed = _swap_in(self.staging, self.out, entries, manifest)
        return self.out / "report.md"


def status_text(result):
    """The status cell: ok, diverged (where) or failed (the error)."""
    status = result.get("status", "ok")
    if status == "diverged":
        epoch, batch = result.get("diverged_at") or ("?", "?")
        return f"DIVERGED (NaN/Inf loss, epoch {epoch} batch {batch})"
    if status == "failed":
        error = (result.get("error") or "").strip().splitlines()
        error = error[-1] if error else "unknown error"
        return "FAILED: " + (error if len(error) <= 100 else error[:97] + "...")
    return "ok"


def _accuracy(value):
    return "-" if value is None else f"{value:.4f}"


def _table_rows(results):
    return [(str(i), r["name"], r["group"], r["technique"],
             _accuracy(r["val_accuracy"]), _accuracy(r["test_accuracy"]),
             str(r.get("epochs_run", r["epochs"])), f"{r['seconds']:.1f}",
             status_text(r))
            for i, r in enumerate(results, start=1)]


TABLE_HEADER = ("#", "config", "group", "technique", "val acc", "test acc",
                "epochs", "seconds", "status")


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
    lines = [f"- mode: {'quick (CI subset)' if meta['quick'] else 'default'}",
             f"- data: {meta['data']}",
             f"- epochs: {meta['epochs']}, batch size {meta['batch_size']}, "
             f"seed {meta['seed']}",
             f"- network: {N_INPUTS}-{N_HIDDEN1}-{N_HIDDEN2}-{N_OUTPUTS}, "
             "one tf.Graph per configuration",
             f"- TensorFlow {meta['tensorflow']}, total {meta['seconds']:.1f} s"]
    if meta.get("runner"):
        lines.append(f"- run by: {meta['runner']}")
    if meta.get("partial"):
        lines.append("- PARTIAL: the run has not finished (or was interrupted)")
    return lines


def _summary_line(results):
    diverged = [r["name"] for r in results if r.get("status") == "diverged"]
    failed = [r["name"] for r in results if r.get("status") == "failed"]
    parts = []
    if diverged:
        parts.append(f"{len(diverged)} diverged ({', '.join(diverged)})")
    if failed:
        parts.append(f"{len(failed)} failed ({', '.join(failed)})")
    return ("**Not every configuration finished: " + "; ".join(parts) + ".**"
            if parts else None)


def write_report(results, out, meta, plots=True):
    """Writes report.md, report.html, results.json and (plots=True) the PNG
    curves into `out`, each file under a temporary name first."""
    out = pathlib.Path(out)
    if plots:
        from tf1_dnn.lab.plots import plot_curves
        pngs = plot_curves(results, out)
    else:
        pngs = []
    summary = _summary_line(results)
    md = ["# tf1_dnn chapter 11 lab", ""] + _meta_lines(meta) + [""]
    if summary:
        md += [summary, ""]
    md += [markdown_table(results), ""]
    if pngs:
        md += ["Validation accuracy per epoch (epoch 0 = untrained):", ""]
        md += [f"![{p.stem}]({p.name})" for p in pngs]
    md += ["", "TensorBoard: `tensorboard --logdir "
           f"{out / 'tensorboard'}`", ""]
    _write_text(out / "report.md", "\n".join(md))

    esc = html.escape
    rows = "\n".join(
        f'<tr class="{esc(r.get("status", "ok"))}">'
        + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
        for r, row in zip(results, _table_rows(results)))
    head = "".join(f"<th>{esc(h)}</th>" for h in TABLE_HEADER)
    meta_html = "".join(f"<li>{esc(line[2:])}</li>" for line in _meta_lines(meta))
    summary_html = (f"<p><strong>{esc(summary.strip('*'))}</strong></p>"
                    if summary else "")
    imgs = "\n".join(f'<p><img src="{esc(p.name)}" alt="{esc(p.stem)}"></p>'
                     for p in pngs)
    _write_text(out / "report.html", f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>tf1_dnn chapter 11 lab</title>
<style>body{{font-family:sans-serif}} table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:2px 6px}} td:nth-child(n+5){{text-align:right}}
td:last-child{{text-align:left}} tr.diverged,tr.failed{{background:#fdd}}</style>
</head><body>
<h1>tf1_dnn chapter 11 lab</h1>
<ul>{meta_html}</ul>
{summary_html}
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>Validation accuracy per epoch</h2>
{imgs}
</body></html>
""")
    _write_text(out / "results.json", json.dumps(
        dict(meta=meta, results=results), indent=1))
    return out / "report.md"
