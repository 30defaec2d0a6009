"""`python -m tf1_dnn run script.py [args...]`: run a TF 1.x script unchanged.

The script keeps its `import tensorflow as tf`, `tf.contrib...` and
`from tensorflow.examples.tutorials.mnist import input_data`; for the
duration of the script those names resolve to tf1_dnn:

1. The script is scanned first (`ast`, not run): every TF name tf1_dnn
   cannot map (a missing `tf.contrib.X`, `tensorflow.python` imports, ...)
   is reported on stderr with file and line. The script still runs.
2. The real `tensorflow` is imported, then `from tf1_dnn import tf` (TF1
   behaviour on, as `tf.compat.v1.disable_v2_behavior()` would do).
3. `sys.modules` entries are aliased: `tensorflow` -> a module that answers
   from our TF1 namespace (and from the real package for what ours lacks,
   e.g. `tensorflow.python`), with the real package's `__path__` so imports
   of real submodules (`tensorflow.python.*`) keep working;
   `tensorflow.compat(.v1)`, `tensorflow.contrib(.layers, .framework, ...)`
   -- whatever `tf1_dnn.contrib` provides, checked at run time -- and
   `tensorflow.examples.tutorials(.mnist(.input_data))` -> ours. This is
   `tf1_dnn.activate()` (`tf1_dnn.activation`), the same code notebooks, the
   kernel and the pytest plugin use; it also gives the script numpy's names
   removed since 1.24/2.0 (`np.float`, `np.asscalar`, ...; each logged once
   with its modern spelling; `--no-legacy-numpy` turns that off).
4. The script runs with `runpy.run_path(..., run_name="__main__")`,
   `sys.argv = [script, *args]` and the script's folder first on `sys.path`,
   like `python script.py args`. Afterwards `sys.modules` (unless the process
   was already activated), numpy, `sys.argv` and `sys.path` are restored.

Caveats:
  * Code that is imported for the first time while the script runs and does
    `import tensorflow` also gets the TF1 namespace (TensorFlow's own
    modules are already imported by then and keep their references; Keras 3
    is imported by `import tensorflow`, so it is not affected).
  * Returns the script's exit status (`sys.exit(n)`); an uncaught exception
    propagates with its traceback, as with `python script.py`.
"""

import contextlib
import os
import runpy
import sys

# One implementation, shared with `tf1_dnn.activate()` (re-exported here).
from tf1_dnn import activation
from tf1_dnn.activation import _TensorflowAlias, module_aliases  # noqa: F401

__all__ = ["main", "run_script", "module_aliases"]

_USAGE = """usage: python -m tf1_dnn run [--no-scan] [--no-legacy-numpy] script.py [args...]

Runs an unchanged TensorFlow 1.x script on TensorFlow 2.21 through tf1_dnn.
  --no-scan           skip the static report of names tf1_dnn cannot map
  --no-legacy-numpy   do not give the script numpy's removed names back
                      (np.float, np.asscalar, reshape(newshape=), ...)"""


# Tell a spawned child (tf1_dnn._mp_main) which script to run and whether
# with the legacy numpy names; set by the runner for its children only (the
# child's sys.argv[0] is rewritten by runpy.run_module).
_CHILD_SCRIPT_ENV = "TF1_DNN_RUN_SCRIPT"
_CHILD_LEGACY_NUMPY_ENV = "TF1_DNN_RUN_LEGACY_NUMPY"


@contextlib.contextmanager
def _spawned_children_activate(path, legacy_numpy):
    """While the script runs, multiprocessing *spawn* children start through
    `tf1_dnn._mp_main` (aliases first, then the script as `__mp_main__`)
    instead of re-running the bare script, which would see TensorFlow 2.

    It wraps `multiprocessing.spawn.get_preparation_data`, the function every
    spawn/forkserver start calls for the child's start-up data, replacing its
    `init_main_from_path` (this script) by `init_main_from_name`. If that
    function is missing or returns something else, children start as stock
    multiprocessing starts them.
    """
    import multiprocessing.spawn as spawn
    original = getattr(spawn, "get_preparation_data", None)
    if original is None:
        yield
        return
    script = os.path.normpath(path)

    def get_preparation_data(name):
        data = original(name)
        if isinstance(data, dict) and \
                data.get("init_main_from_path") == script:
            del data["init_main_from_path"]
            data["init_main_from_name"] = "tf1_dnn._mp_main"
        return data

    values = {_CHILD_SCRIPT_ENV: script,
              _CHILD_LEGACY_NUMPY_ENV: "1" if legacy_numpy else "0"}
    saved_env = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    spawn.get_preparation_data = get_preparation_data
    try:
        yield
    finally:
        spawn.get_preparation_data = original
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_script(path, args=(), scan=True, stderr=None, legacy_numpy=True):
    """Runs the TF 1.x script at `path` with `args`; returns its exit status.

    Args:
      path: the script.
      args: its command-line arguments (`sys.argv[1:]`).
      scan: report unmappable names on `stderr` before running.
      stderr: where the report goes (default `sys.stderr`).
      legacy_numpy: give the script numpy's names removed since 1.24/2.0
        (`tf1_dnn.legacy_numpy`; each logged once with its modern spelling).

    Raises:
      ScriptError: the script is missing, a folder, unreadable or cannot be
        decoded (a PEP 263 coding line such as latin-1 is honoured).
    """
    from tf1_dnn.upgrade import read_script
    stderr = stderr or sys.stderr
    path = os.path.abspath(path)
    source, _ = read_script(path)  # ScriptError: missing, folder, undecodable
    if scan:
        from tf1_dnn.upgrade import format_findings, scan as scan_source
        try:
            findings = scan_source(source, path)
        except SyntaxError as e:
            print(f"tf1_dnn run: {path}:{e.lineno}: cannot parse ({e.msg}); "
                  "is it Python 3?", file=stderr)
            return 1
        for line in format_findings(findings):
            print(f"tf1_dnn run: warning: {line}", file=stderr)
    activation_ = activation.activate(legacy_numpy=legacy_numpy, warn=False)
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [path] + list(args)
    sys.path.insert(0, os.path.dirname(path))
    try:
        with _spawned_children_activate(path, legacy_numpy):
            runpy.run_path(path, run_name="__main__")
        return 0
    except SystemExit as e:
        if e.code is None:
            return 0
        if isinstance(e.code, int):
            return e.code
        print(e.code, file=stderr)
        return 1
    finally:
        if activation_.owner:
            activation.deactivate()
        sys.argv = saved_argv
        sys.path[:] = saved_path


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    scan, legacy_numpy = True, True
    while argv and argv[0].startswith("-"):
        option = argv.pop(0)
        if option in ("-h", "--help"):
            print(_USAGE)
            return 0
        if option == "--no-scan":
            scan = False
        elif option == "--no-legacy-numpy":
            legacy_numpy = False
        else:
            print(f"tf1_dnn run: unknown option {option!r}\n\n{_USAGE}",
                  file=sys.stderr)
            return 2
    if not argv:
        print(_USAGE, file=sys.stderr)
        return 2
    script, args = argv[0], argv[1:]
    from tf1_dnn.errors import ScriptError
    from tf1_dnn.upgrade import read_script
    try:
        read_script(script)
    except ScriptError as e:
        print(f"tf1_dnn run: error: {e}", file=sys.stderr)
        return 2
    return run_script(script, args, scan=scan, legacy_numpy=legacy_numpy)
