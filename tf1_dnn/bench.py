"""`python -m tf1_dnn bench`: the entry point of the benchmark harness.

The harness (workloads, the official tf_keras and PyTorch runners, worker
subprocesses, the report) lives outside the importable package, in the
checkout's `benchmarks/` folder (`benchmarks/bench.py` documents it). This
module only finds that folder beside the package and runs it; an installed
wheel has no `benchmarks/`, and `bench` then says where to get it.
"""

import importlib
import pathlib
import sys

from tf1_dnn.errors import Tf1DnnError

__all__ = ["main", "load_harness", "BenchmarksNotFoundError"]


class BenchmarksNotFoundError(Tf1DnnError, FileNotFoundError):
    """`benchmarks/` is not beside the package (an installed wheel)."""


def _checkout():
    return pathlib.Path(__file__).resolve().parents[1]


def load_harness():
    """The `benchmarks.bench` module of the checkout this package lives in.

    Raises:
      BenchmarksNotFoundError: the package is not in a checkout (e.g. it was
        installed from a wheel), so there is no `benchmarks/bench.py`.
    """
    root = _checkout()
    if not (root / "benchmarks" / "bench.py").is_file():
        raise BenchmarksNotFoundError(
            f"the benchmark harness is not installed: {root / 'benchmarks'} "
            "does not exist (tf1_dnn was installed as a package; the "
            "harness is only in a git checkout). Fix: run it from a "
            "checkout, `cd CHECKOUT && python -m tf1_dnn bench`, or "
            "`pip install -e CHECKOUT`.")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    harness = importlib.import_module("benchmarks.bench")
    found = pathlib.Path(harness.__file__).resolve()
    if found != root / "benchmarks" / "bench.py":
        raise BenchmarksNotFoundError(
            f"`import benchmarks.bench` found {found}, not the harness in "
            f"{root / 'benchmarks'}: another `benchmarks` package comes first "
            "on sys.path. Fix: run from the checkout, `cd "
            f"{root} && python -m tf1_dnn bench`.")
    return harness


def main(argv=None):
    try:
        harness = load_harness()
    except BenchmarksNotFoundError as e:
        print(f"tf1_dnn bench: {e}", file=sys.stderr)
        return 2
    return harness.main(argv)


if __name__ == "__main__":
    sys.exit(main())
