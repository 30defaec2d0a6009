"""A Jupyter kernel for unchanged TF 1.x notebooks: "Python 3 (TensorFlow 1.x via tf1_dnn)".

    python -m tf1_dnn kernel install [--user] [--prefix P] [--name NAME]
                                     [--display-name TEXT] [--no-legacy-numpy]
    python -m tf1_dnn kernel uninstall [--name NAME]     # = jupyter kernelspec remove

`install` writes a standard kernelspec (with `jupyter_client.kernelspec`)
whose command is::

    <this python> -m tf1_dnn.kernel -f {connection_file}

That process calls `tf1_dnn.activate()` (module aliases and numpy's removed
names, see `tf1_dnn.activation`) and then starts ipykernel's own
`IPKernelApp` -- a real IPython kernel, in which the notebook's
`import tensorflow as tf` gives the TF 1.x namespace from the first cell on.
Pick the kernel in Jupyter by its display name, or run a notebook headless
with `python -m tf1_dnn notebook run legacy.ipynb` (`tf1_dnn.notebook`).

Needs the optional extra `[notebook]` (ipykernel, jupyter_client, nbformat,
nbclient): `pip install tf1_dnn[notebook]`. Without it, the commands stop
with `MissingNotebookExtraError` naming that line.

Where it goes: without options, the system-wide Jupyter data folder
(`jupyter --paths`, data); `--user` the user's; `--prefix P` puts it in
`P/share/jupyter/kernels/NAME` (e.g. `--prefix "$VIRTUAL_ENV"`), found when
`P/share/jupyter` is on Jupyter's path (`JUPYTER_PATH`). An existing spec of
the same name is replaced (it is a spec we wrote: same name, same command).
If tf1_dnn is not installed but imported from a source checkout, the spec
sets `PYTHONPATH` to that checkout so the kernel finds it.
"""

import argparse
import json
import os
import sys
import tempfile

from tf1_dnn.errors import Tf1DnnError

__all__ = ["KERNEL_NAME", "DISPLAY_NAME", "kernel_spec", "install",
           "uninstall", "launch", "main", "MissingNotebookExtraError",
           "require_notebook_extra"]

KERNEL_NAME = "tf1_dnn"
DISPLAY_NAME = "Python 3 (TensorFlow 1.x via tf1_dnn)"
_EXTRA = ("ipykernel", "jupyter_client", "nbformat", "nbclient")


class MissingNotebookExtraError(Tf1DnnError, ImportError):
    """The optional `[notebook]` packages are not installed."""


def require_notebook_extra(*modules):
    """Imports and returns `modules` (default: all four of the extra).

    Raises:
      MissingNotebookExtraError: naming `pip install tf1_dnn[notebook]`.
    """
    import importlib  # noqa: PLC0415
    names = modules or _EXTRA
    loaded = []
    for name in names:
        try:
            loaded.append(importlib.import_module(name))
        except ImportError as e:
            raise MissingNotebookExtraError(
                f"tf1_dnn's Jupyter support needs {name!r}, which is not "
                f"installed ({e}). Install the optional extra: "
                "pip install tf1_dnn[notebook]  (or: pip install ipykernel "
                "jupyter_client nbformat nbclient)") from e
    return loaded


def _source_checkout():
    """The folder holding the `tf1_dnn` package, if it is not installed."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts = here.replace("\\", "/").split("/")
    if "site-packages" in parts or "dist-packages" in parts:
        return None
    return here


def kernel_spec(display_name=DISPLAY_NAME, legacy_numpy=True,
                python=None):
    """The kernel.json dict for the tf1_dnn kernel."""
    argv = [python or sys.executable, "-m", "tf1_dnn.kernel"]
    if not legacy_numpy:
        argv.append("--no-legacy-numpy")
    argv += ["-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": display_name, "language": "python",
            "metadata": {"debugger": True, "tf1_dnn": True}}
    checkout = _source_checkout()
    if checkout is not None:
        path = [checkout] + [p for p in os.environ.get(
            "PYTHONPATH", "").split(os.pathsep) if p and p != checkout]
        spec["env"] = {"PYTHONPATH": os.pathsep.join(path)}
    return spec


def write_spec_dir(folder, name=KERNEL_NAME, **spec_args):
    """Writes `folder/name/kernel.json`; returns `folder/name`."""
    path = os.path.join(folder, name)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "kernel.json"), "w", encoding="utf-8") as f:
        json.dump(kernel_spec(**spec_args), f, indent=1)
    return path


def install(user=False, prefix=None, name=KERNEL_NAME,
            display_name=DISPLAY_NAME, legacy_numpy=True):
    """Installs the kernelspec with `jupyter_client`; returns its folder."""
    require_notebook_extra("jupyter_client")
    from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415
    with tempfile.TemporaryDirectory() as tmp:
        source = write_spec_dir(tmp, name, display_name=display_name,
                                legacy_numpy=legacy_numpy)
        return KernelSpecManager().install_kernel_spec(
            source, kernel_name=name, user=user, prefix=prefix)


def uninstall(name=KERNEL_NAME):
    """Removes the kernelspec `name`; returns the folder removed."""
    require_notebook_extra("jupyter_client")
    from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415
    return KernelSpecManager().remove_kernel_spec(name)


def launch(argv=None):
    """The kernel process: activate tf1_dnn, then run ipykernel's app.

    `argv` is what Jupyter passes (`-f CONNECTION_FILE`, ...), plus our
    `--no-legacy-numpy`.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    legacy_numpy = "--no-legacy-numpy" not in argv
    argv = [a for a in argv if a != "--no-legacy-numpy"]
    require_notebook_extra("ipykernel")
    from tf1_dnn import activation  # noqa: PLC0415 - imports TensorFlow
    activation.activate(legacy_numpy=legacy_numpy, warn=False)
    from ipykernel.kernelapp import IPKernelApp  # noqa: PLC0415
    IPKernelApp.launch_instance(argv=argv)


def main(argv=None):
    """`python -m tf1_dnn kernel install|uninstall ...`."""
    parser = argparse.ArgumentParser(
        prog="python -m tf1_dnn kernel",
        description="Install the Jupyter kernel "
                    f"{DISPLAY_NAME!r}, in which unchanged TF 1.x notebooks "
                    "run.")
    sub = parser.add_subparsers(dest="action", required=True)
    inst = sub.add_parser("install", help="write the kernelspec")
    inst.add_argument("--user", action="store_true",
                      help="install for this user only")
    inst.add_argument("--prefix", help="install under PREFIX/share/jupyter")
    inst.add_argument("--name", default=KERNEL_NAME,
                      help=f"kernelspec name (default {KERNEL_NAME})")
    inst.add_argument("--display-name", default=DISPLAY_NAME)
    inst.add_argument("--no-legacy-numpy", action="store_true",
                      help="do not give notebooks numpy's removed names back")
    rm = sub.add_parser("uninstall", help="remove the kernelspec")
    rm.add_argument("--name", default=KERNEL_NAME)
    args = parser.parse_args(argv)
    try:
        if args.action == "install":
            path = install(user=args.user, prefix=args.prefix, name=args.name,
                           display_name=args.display_name,
                           legacy_numpy=not args.no_legacy_numpy)
            print(f"tf1_dnn kernel: installed {args.display_name!r} as "
                  f"{args.name!r} in {path}")
        else:
            path = uninstall(args.name)
            print(f"tf1_dnn kernel: removed {path}")
    except MissingNotebookExtraError as e:
        print(f"tf1_dnn kernel: {e}", file=sys.stderr)
        return 2
    except (OSError, KeyError) as e:
        print(f"tf1_dnn kernel: {args.action} failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    launch()
