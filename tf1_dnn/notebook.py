"""`python -m tf1_dnn notebook run legacy.ipynb`: execute an unchanged TF 1.x notebook.

    python -m tf1_dnn notebook run legacy.ipynb [--out executed.ipynb]
        [--timeout S] [--allow-errors] [--inplace] [--force]
        [--kernel NAME] [--no-legacy-numpy]

Executes every code cell, in order, in the tf1_dnn kernel (`tf1_dnn.kernel`:
a real ipykernel that activated the TF1 aliases before the first cell), as
`jupyter nbconvert --to notebook --execute` would, and writes the notebook
with its outputs:

* to `--out`, or by default `legacy.executed.ipynb` beside the input; the
  input is never overwritten unless `--inplace`; an existing output is not
  overwritten unless `--force`. The file is written to a temporary name in
  the same folder, then renamed, so a crash never leaves half a notebook.
* The kernel runs in the notebook's folder (relative paths work as in
  Jupyter). `--timeout S` bounds each cell (default 600 s; -1 = none).
* Without `--kernel`, the kernel is this Python with tf1_dnn (no install
  needed); `--kernel NAME` uses an installed kernelspec (e.g. the one
  `python -m tf1_dnn kernel install` wrote, or `python3` for a plain
  kernel).

Errors (each a `tf1_dnn.errors.Tf1DnnError`; the command prints them and
exits with 1, or 2 for bad input):

* `NotebookNotFoundError` (`FileNotFoundError`): no such file.
* `NotANotebookError` (`ValueError`): not JSON, or not a valid nbformat 4
  notebook (the validation error is quoted).
* `OutputExistsError` (`FileExistsError`): the output exists (`--force`)
  or is the input (`--inplace`).
* `KernelNotFoundError` (`LookupError`): `--kernel NAME` is not installed.
* `NotebookCellError` (`RuntimeError`): a cell raised (without
  `--allow-errors`), timed out, or the kernel died. The message gives the
  cell index (0-based, counting every cell as Jupyter does), the error name
  and value; the executed notebook is still written, with the outputs of
  every cell that ran, and its path is in the message and in `.out_path`.
  With `--allow-errors`, a cell's error is kept as its output and execution
  goes on (a dead kernel still stops it). A kernel that cannot start is
  reported the same way, with no cell index.
"""

import argparse
import atexit
import json
import os
import sys
import tempfile
import time

from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.kernel import (KERNEL_NAME, MissingNotebookExtraError,
                            require_notebook_extra, write_spec_dir)

__all__ = ["run_notebook", "NotebookResult", "NotebookNotFoundError",
           "NotANotebookError", "NotebookCellError", "OutputExistsError",
           "KernelNotFoundError",
           "MissingNotebookExtraError", "main"]


class NotebookNotFoundError(Tf1DnnError, FileNotFoundError):
    """The notebook file does not exist."""


class NotANotebookError(Tf1DnnError, ValueError):
    """The file is not a (valid nbformat 4) Jupyter notebook."""


class OutputExistsError(Tf1DnnError, FileExistsError):
    """The output notebook exists (pass `force=True` / `--force`) or is the
    input (pass `inplace=True` / `--inplace`)."""


class KernelNotFoundError(Tf1DnnError, LookupError):
    """`--kernel NAME` names no installed kernelspec (the message lists the
    installed ones)."""


class NotebookCellError(Tf1DnnError, RuntimeError):
    """A cell raised, timed out, or the kernel died.

    Attributes:
      cell_index: the 0-based index of the cell among all cells.
      ename, evalue: the error's name and value.
      out_path: the executed notebook written with what ran.
      result: the `NotebookResult`.
    """

    def __init__(self, message, cell_index, ename, evalue, out_path, result):
        super().__init__(message)
        self.cell_index = cell_index
        self.ename = ename
        self.evalue = evalue
        self.out_path = out_path
        self.result = result


class NotebookResult:
    """What `run_notebook` did.

    Attributes:
      out_path: the executed notebook.
      cells: number of cells; code_cells: of which code.
      executed: code cells that ran (started).
      errors: [(cell index, ename, evalue)] of cells that raised.
      seconds: wall time, kernel start included.
      notebook: the executed `nbformat.NotebookNode`.
    """

    def __init__(self, out_path, notebook, executed, errors, seconds):
        self.out_path = out_path
        self.notebook = notebook
        self.cells = len(notebook.cells)
        self.code_cells = sum(c.cell_type == "code" for c in notebook.cells)
        self.executed = executed
        self.errors = errors
        self.seconds = seconds

    def __repr__(self):
        return (f"<NotebookResult {self.out_path!r}: {self.executed}/"
                f"{self.code_cells} code cells, {len(self.errors)} errors, "
                f"{self.seconds:.1f} s>")


def _read(path, nbformat):
    if not os.path.exists(path):
        raise NotebookNotFoundError(
            f"no notebook at {path!r}: check the path (relative paths are "
            f"from {os.getcwd()!r}).")
    if os.path.isdir(path):
        raise NotANotebookError(f"{path!r} is a folder, not a notebook file.")
    from nbformat.reader import NotJSONError  # noqa: PLC0415
    try:
        with open(path, encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=4)
    except (json.JSONDecodeError, UnicodeDecodeError, NotJSONError) as e:
        raise NotANotebookError(
            f"{path!r} is not a Jupyter notebook: it is not JSON ({e}). "
            "Give an .ipynb file saved by Jupyter.") from e
    except Exception as e:  # noqa: BLE001 - nbformat's reader errors
        raise NotANotebookError(
            f"{path!r} is not a Jupyter notebook nbformat can read: "
            f"{type(e).__name__}: {e}") from e
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        raise NotANotebookError(
            f"{path!r} is not a valid nbformat 4 notebook: "
            f"{str(e).splitlines()[0]}") from e
    return nb


def _default_out(path):
    root, ext = os.path.splitext(path)
    return f"{root}.executed{ext or '.ipynb'}"


def _write_atomic(nb, out_path, nbformat):
    folder = os.path.dirname(os.path.abspath(out_path))
    fd, tmp = tempfile.mkstemp(prefix=".tf1_dnn-", suffix=".ipynb.tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.replace(tmp, out_path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _manager_class(kernel_dir):
    from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415
    from jupyter_client.manager import AsyncKernelManager  # noqa: PLC0415
    from traitlets import default  # noqa: PLC0415

    class _Tf1KernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _default_kernel_spec_manager(self):
            return KernelSpecManager(kernel_dirs=[kernel_dir], parent=self)

    return _Tf1KernelManager


def _error_of(cell):
    for output in reversed(cell.get("outputs", [])):
        if output.get("output_type") == "error":
            return output.get("ename", "Error"), output.get("evalue", "")
    return None


def run_notebook(path, out=None, timeout=600, allow_errors=False,
                 inplace=False, force=False, kernel_name=None,
                 legacy_numpy=True, startup_timeout=180):
    """Executes the notebook at `path`; returns a `NotebookResult`.

    Args:
      path: the .ipynb file.
      out: where to write the executed notebook (default
        `<name>.executed.ipynb` beside it; with `inplace`, `path`).
      timeout: seconds per cell (None or -1: no limit).
      allow_errors: keep going after a cell raises (its error is its output).
      inplace: write over `path`.
      force: overwrite an existing `out`.
      kernel_name: an installed kernelspec to use instead of tf1_dnn's
        kernel in this Python.
      legacy_numpy: for tf1_dnn's own kernel: numpy's removed names.
      startup_timeout: seconds to wait for the kernel to start.

    Raises:
      NotebookNotFoundError, NotANotebookError, OutputExistsError,
      NotebookCellError, MissingNotebookExtraError: see the module docstring.
    """
    nbformat, nbclient = require_notebook_extra("nbformat", "nbclient")
    require_notebook_extra("jupyter_client", "ipykernel")
    nb = _read(path, nbformat)
    if inplace:
        out_path = path
    else:
        out_path = out or _default_out(path)
        if os.path.exists(out_path):
            if os.path.samefile(out_path, path):
                raise OutputExistsError(
                    f"the output {out_path!r} is the input notebook; pass "
                    "--inplace (inplace=True) to overwrite it, or another "
                    "--out.")
            if not force:
                raise OutputExistsError(
                    f"the output {out_path!r} already exists; pass --force "
                    "(force=True) to overwrite it, or another --out.")
    if kernel_name is not None:
        from jupyter_client.kernelspec import (  # noqa: PLC0415
            KernelSpecManager, NoSuchKernel)
        ksm = KernelSpecManager()
        try:
            ksm.get_kernel_spec(kernel_name)
        except NoSuchKernel:
            raise KernelNotFoundError(
                f"no Jupyter kernel named {kernel_name!r} (installed: "
                f"{', '.join(sorted(ksm.find_kernel_specs())) or 'none'}). "
                "Install tf1_dnn's with `python -m tf1_dnn kernel install "
                "[--user]`, or leave out --kernel to use tf1_dnn's kernel in "
                "this Python.") from None
    out_dir = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_dir, exist_ok=True)
    from nbclient.exceptions import (CellExecutionError,  # noqa: PLC0415
                                     CellTimeoutError, DeadKernelError)
    if timeout is not None and timeout < 0:
        timeout = None
    started = []
    errors = []

    def on_start(cell, cell_index):
        if cell.cell_type == "code":
            started.append(cell_index)

    def on_error(cell, cell_index, execute_reply):
        content = (execute_reply or {}).get("content", {})
        errors.append((cell_index, content.get("ename", "Error"),
                       content.get("evalue", "")))

    t0 = time.monotonic()
    failure = None
    with tempfile.TemporaryDirectory(prefix="tf1_dnn-kernel-") as kdir:
        kwargs = {}
        if kernel_name is None:
            write_spec_dir(kdir, KERNEL_NAME, legacy_numpy=legacy_numpy)
            kwargs["kernel_manager_class"] = _manager_class(kdir)
            kernel_name = KERNEL_NAME
        client = nbclient.NotebookClient(
            nb, timeout=timeout, startup_timeout=startup_timeout,
            allow_errors=allow_errors, kernel_name=kernel_name,
            resources={"metadata": {"path": os.path.dirname(
                os.path.abspath(path))}},
            on_cell_start=on_start, on_cell_error=on_error, **kwargs)
        try:
            client.execute()
        except CellExecutionError as e:
            failure = (getattr(e, "ename", type(e).__name__),
                       getattr(e, "evalue", str(e)), "raised")
        except CellTimeoutError as e:
            failure = ("CellTimeoutError", str(e).splitlines()[0]
                       if str(e) else f"no reply within {timeout} s",
                       "timed out")
        except DeadKernelError as e:
            failure = ("DeadKernelError", str(e) or "the kernel died",
                       "killed the kernel")
        except RuntimeError as e:   # e.g. "Kernel died before replying"
            failure = (type(e).__name__, str(e), "failed")
        finally:
            # nbclient registers an atexit clean-up before starting the
            # kernel and leaves it registered when the start fails (it then
            # fails at exit); the kernel is gone either way.
            cleanup = getattr(client, "_cleanup_kernel", None)
            if cleanup is not None:
                atexit.unregister(cleanup)
    seconds = time.monotonic() - t0
    _write_atomic(nb, out_path, nbformat)
    result = NotebookResult(out_path, nb, len(started), errors, seconds)
    if failure is not None:
        index = started[-1] if started else None
        ename, evalue, what = failure
        if what == "raised" and errors and errors[-1][0] == index:
            ename, evalue = errors[-1][1], errors[-1][2]
        elif what != "raised":
            errors.append((index, ename, evalue))
        if index is None:
            message = (f"the kernel for {path!r} failed before the first "
                       f"cell: {ename}: {evalue}. The notebook was written "
                       f"unexecuted to {out_path!r}.")
        else:
            message = (f"cell {index} of {path!r} {what}: {ename}: {evalue}. "
                       f"The executed notebook (cells up to {index}, with "
                       f"their outputs) was written to {out_path!r}.")
        raise NotebookCellError(message, index, ename, evalue, out_path,
                                result)
    return result


def main(argv=None):
    """`python -m tf1_dnn notebook run ...`."""
    parser = argparse.ArgumentParser(
        prog="python -m tf1_dnn notebook",
        description="Execute an unchanged TF 1.x notebook in the tf1_dnn "
                    "kernel and write it with its outputs.")
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="execute a notebook")
    run.add_argument("notebook")
    run.add_argument("--out", help="executed notebook (default "
                     "NAME.executed.ipynb beside the input)")
    run.add_argument("--timeout", type=float, default=600,
                     help="seconds per cell (default 600; -1 = no limit)")
    run.add_argument("--allow-errors", action="store_true",
                     help="keep going after a cell raises")
    run.add_argument("--inplace", action="store_true",
                     help="write the outputs into the input notebook")
    run.add_argument("--force", action="store_true",
                     help="overwrite an existing --out")
    run.add_argument("--kernel", help="an installed kernelspec name instead "
                     "of tf1_dnn's kernel in this Python")
    run.add_argument("--no-legacy-numpy", action="store_true",
                     help="do not give the notebook numpy's removed names")
    args = parser.parse_args(argv)
    try:
        result = run_notebook(
            args.notebook, out=args.out, timeout=args.timeout,
            allow_errors=args.allow_errors, inplace=args.inplace,
            force=args.force, kernel_name=args.kernel,
            legacy_numpy=not args.no_legacy_numpy)
    except NotebookCellError as e:
        print(f"tf1_dnn notebook: {e}", file=sys.stderr)
        return 1
    except (NotebookNotFoundError, NotANotebookError, OutputExistsError,
            KernelNotFoundError, MissingNotebookExtraError) as e:
        print(f"tf1_dnn notebook: {e}", file=sys.stderr)
        return 2
    for index, ename, evalue in result.errors:
        print(f"tf1_dnn notebook: cell {index} raised {ename}: {evalue} "
              "(kept, --allow-errors)", file=sys.stderr)
    print(f"tf1_dnn notebook: executed {result.executed}/{result.code_cells} "
          f"code cells ({result.cells} cells) in {result.seconds:.1f} s; "
          f"wrote {result.out_path}")
    return 0
