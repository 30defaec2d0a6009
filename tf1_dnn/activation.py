"""`tf1_dnn.activate()`: `import tensorflow as tf` gives TF 1.x from now on.

    import tf1_dnn
    tf1_dnn.activate()            # before the legacy code is imported
    import legacy_model           # its `import tensorflow as tf` -> TF1 namespace

    with tf1_dnn.activated():     # or only for a block
        import legacy_model

`activate()` installs in `sys.modules` the aliases `python -m tf1_dnn run`
uses (the runner calls the same code):

* `tensorflow` -> a module that answers from our TF1 namespace
  (`from tf1_dnn import tf`), and from the real package for what ours lacks
  (`tensorflow.python`, dunders); it keeps the real `__path__`, so imports of
  real submodules (`tensorflow.python.*`) keep working;
* `tensorflow.compat` (with `v1` = ours, `v2` = the real TF 2 API, and the
  real `__path__`, so `import tensorflow.compat.v2` still works),
  `tensorflow.compat.v1` -> ours;
* `tensorflow.contrib` and each `tensorflow.contrib.X` tf1_dnn provides,
  and `tensorflow.contrib.slim.nets(.vgg, .resnet_v1, ...)`;
* `tensorflow.examples.tutorials(.mnist(.input_data))` -> ours;

plus, unless `legacy_numpy=False`, the numpy names removed since 1.24/2.0
(`tf1_dnn.legacy_numpy`). Importing `tf1_dnn.tf` switches the process to TF1
behaviour (graph mode), as the runner does.

TensorFlow's own code and Keras keep the real TensorFlow 2 API: Keras 3 is
imported by `import tensorflow` (before the aliases exist) and keeps its
reference; and a package imported later that is in `TF2_PACKAGES`
(`tensorflow`, `keras`, `tf_keras`, `tensorboard`, `tensorflow_probability`,
...) and does `import tensorflow as tf` is answered from the real package
first (the alias looks at the calling module's name).

What it cannot change -- caveats:

* A module that already did `import tensorflow` holds the real module in
  its globals and keeps it: activation only changes what *later* imports
  get. `activate()` finds such modules of yours (module globals bound to the
  real `tensorflow` or one of its submodules, outside TensorFlow, Keras,
  tf1_dnn, the standard library and site-packages) and warns, naming them
  (`TensorflowAlreadyImportedWarning`; `strict=True` raises
  `TensorflowAlreadyImportedError` instead). Re-import them
  (`importlib.reload`) after `activate()`, or activate first (`conftest.py`,
  the tf1_dnn kernel, `%load_ext tf1_dnn` in the first cell).
* Objects created before activation (graphs, eager tensors, Keras models)
  stay what they were.
* `deactivate()` restores exactly the `sys.modules` entries that were there
  (and numpy), but not TF2 behaviour: the process stays in TF1 graph mode,
  as after `tf.compat.v1.disable_v2_behavior()`.
"""

import contextlib
import importlib
import sys
import threading
import types
import warnings

from tf1_dnn import _callers
from tf1_dnn.errors import Tf1DnnError

__all__ = ["activate", "deactivate", "activated", "is_active",
           "module_aliases", "find_modules_with_real_tensorflow",
           "Activation", "TensorflowAlreadyImportedWarning",
           "TensorflowAlreadyImportedError", "TF2_PACKAGES"]

# Top-level packages that use the TensorFlow 2 API: an `import tensorflow`
# in them, after activation, still reads the real package first.
TF2_PACKAGES = {
    "tensorflow", "keras", "tf_keras", "tensorboard", "tensorflow_probability",
    "tensorflow_datasets", "tensorflow_hub", "tensorflow_estimator",
    "tensorflow_addons", "tensorflow_text", "tensorflow_io", "tf2onnx",
    "tensorflow_model_optimization", "tensorflow_serving", "tfx",
}


class TensorflowAlreadyImportedWarning(UserWarning):
    """Modules of yours imported the real `tensorflow` before `activate()`;
    they keep it (the message names them and the fix)."""


class TensorflowAlreadyImportedError(Tf1DnnError, RuntimeError):
    """`activate(strict=True)` found modules of yours that already imported
    the real `tensorflow` (the message names them and the fix)."""


class _TensorflowAlias(types.ModuleType):
    """`tensorflow` as legacy code sees it: our TF1 namespace first."""

    def __init__(self, ours, real):
        super().__init__("tensorflow", ours.__doc__)
        self.__dict__["_ours"] = ours
        self.__dict__["_real"] = real
        self.__path__ = list(getattr(real, "__path__", []))
        self.__file__ = getattr(real, "__file__", None)
        self.__version__ = real.__version__

    def __getattr__(self, name):
        ours, real = self.__dict__["_ours"], self.__dict__["_real"]
        module = _callers.caller_module(sys._getframe(1))
        if module.partition(".")[0] in TF2_PACKAGES:
            try:
                return getattr(real, name)
            except AttributeError:
                pass
        try:
            return getattr(ours, name)
        except AttributeError as ours_error:
            if name.startswith("__") or name in ("python",):
                try:
                    return getattr(real, name)
                except AttributeError:
                    pass
            raise ours_error

    def __dir__(self):
        return dir(self.__dict__["_ours"])

    def __repr__(self):
        return "<module 'tensorflow' (TF 1.x namespace via tf1_dnn)>"


class _CompatAlias(types.ModuleType):
    """`tensorflow.compat` for `sys.modules`: our `tf.compat` (`v1` = the TF1
    namespace, `v2` = the real API), with the real `tensorflow.compat`'s
    `__path__`, so `import tensorflow.compat.v2` (tf_keras, TF 2 libraries)
    still finds the real submodule."""

    def __init__(self, ours, real_compat):
        super().__init__("tensorflow.compat", ours.__doc__)
        self.__dict__["_ours"] = ours
        self.__path__ = list(getattr(real_compat, "__path__", []))

    def __getattr__(self, name):
        return getattr(self.__dict__["_ours"], name)

    def __dir__(self):
        return dir(self.__dict__["_ours"])


def module_aliases():
    """dict `sys.modules` name -> module: what legacy code should import."""
    import tf1_dnn._compat as compat  # noqa: PLC0415 - the real tensorflow
    from tf1_dnn import tf  # noqa: PLC0415 - TF1 behaviour on
    aliases = {
        "tensorflow": _TensorflowAlias(tf, compat.tf2),
        "tensorflow.compat": _CompatAlias(tf.compat, compat.tf2.compat),
        "tensorflow.compat.v1": tf,
        # `from tensorflow.nn.rnn_cell import LSTMCell` -> tf1_dnn.rnn_cell.
        "tensorflow.nn": tf.nn,
        "tensorflow.nn.rnn_cell": tf.nn.rnn_cell,
        "tensorflow.compat.v1.nn": tf.nn,
        "tensorflow.compat.v1.nn.rnn_cell": tf.nn.rnn_cell,
    }
    for name in ("examples", "examples.tutorials", "examples.tutorials.mnist",
                 "examples.tutorials.mnist.input_data"):
        aliases["tensorflow." + name] = importlib.import_module(
            "tf1_dnn." + name)
    try:
        contrib = importlib.import_module("tf1_dnn.contrib")
    except ImportError:
        contrib = None
    if contrib is not None:
        aliases["tensorflow.contrib"] = contrib
        for name in getattr(contrib, "__all__", dir(contrib)):
            try:
                sub = getattr(contrib, name)
            except (AttributeError, ImportError):
                continue
            if isinstance(sub, types.ModuleType):
                aliases["tensorflow.contrib." + name] = sub
        slim = aliases.get("tensorflow.contrib.slim")
        nets = getattr(slim, "nets", None)
        if isinstance(nets, types.ModuleType):
            # `import tensorflow.contrib.slim.nets.vgg` gets our module,
            # not a second copy loaded under the alias's name.
            aliases["tensorflow.contrib.slim.nets"] = nets
            for name in nets.__all__:
                aliases["tensorflow.contrib.slim.nets." + name] = getattr(
                    nets, name)
        # Likewise every child module of ours a contrib package holds
        # (`import tensorflow.contrib.slim.learning`, `...layers.
        # normalization`): without an alias Python would load a second copy
        # from the package's path under the alias's name and rebind it as
        # the package's attribute (`slim.learning` replaced by the copy).
        for alias, module in list(aliases.items()):
            if alias.startswith("tensorflow.contrib"):
                _alias_children(alias, module, aliases)
    return aliases


def _alias_children(alias, module, aliases, depth=3):
    """Adds `alias.X` for each submodule `X` of `module` already imported
    (an attribute of `module` whose name is `module.__name__ + ".X"`)."""
    if depth == 0 or not hasattr(module, "__path__"):
        return
    prefix = module.__name__ + "."
    for name, value in list(vars(module).items()):
        if isinstance(value, types.ModuleType) and \
                value.__name__ == prefix + name and \
                aliases.setdefault(alias + "." + name, value) is value:
            _alias_children(alias + "." + name, value, aliases, depth - 1)


def _is_real_tensorflow(value, ours):
    if not isinstance(value, types.ModuleType) or id(value) in ours:
        return False
    name = getattr(value, "__name__", None)
    return isinstance(name, str) and (name == "tensorflow"
                                      or name.startswith("tensorflow."))


def find_modules_with_real_tensorflow(aliases=None):
    """[(module name, [global names])] of user modules bound to the real
    `tensorflow` (or a submodule of it).

    User modules are those outside TensorFlow, Keras, tf1_dnn, the standard
    library and site-packages (see `tf1_dnn._callers`); `__main__` (a script,
    a notebook's namespace) always counts.
    """
    ours = {id(m) for m in (aliases or {}).values()}
    found = []
    for modname, module in list(sys.modules.items()):
        if module is None or modname.partition(".")[0] in TF2_PACKAGES \
                or modname.partition(".")[0] == "tf1_dnn":
            continue
        if modname != "__main__":
            filename = getattr(module, "__file__", None)
            if not filename or _callers.is_library_file(filename):
                continue
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        names = sorted(k for k, v in items if _is_real_tensorflow(v, ours))
        if names:
            found.append((modname, names))
    return sorted(found)


class Activation:
    """What `activate()` returns; also a context manager.

    Leaving the `with` block deactivates only if this call activated (a
    nested `with tf1_dnn.activated()` inside an active process changes
    nothing).

    Attributes:
      owner: True if this call installed the aliases.
      aliases: the `sys.modules` entries installed.
      legacy_numpy: the numpy names given back ([] if off).
      already_imported: [(module, [names])] found bound to the real tensorflow.
    """

    def __init__(self, owner, aliases, legacy_numpy, already_imported):
        self.owner = owner
        self.aliases = aliases
        self.legacy_numpy = legacy_numpy
        self.already_imported = already_imported

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.owner:
            deactivate()
        return False

    def __repr__(self):
        return (f"<tf1_dnn Activation owner={self.owner} "
                f"aliases={len(self.aliases)} "
                f"legacy_numpy={len(self.legacy_numpy)}>")


_lock = threading.RLock()
_active = {"state": None}     # None or dict(saved, aliases, numpy)


def is_active():
    """True between `activate()` and `deactivate()`."""
    return _active["state"] is not None


def _already_imported_message(found):
    listed = "; ".join(f"{mod} ({', '.join(names)})" for mod, names in found)
    return (
        "tf1_dnn.activate(): these modules imported the real `tensorflow` "
        f"before activation and keep it: {listed}. Their TF1 code (tf.layers, "
        "tf.placeholder, tf.Session, ...) will not see tf1_dnn. Fix: activate "
        "before they are imported (first line of conftest.py, the tf1_dnn "
        "Jupyter kernel, `%load_ext tf1_dnn` in the first cell), or re-import "
        "them afterwards with importlib.reload(module).")


def activate(legacy_numpy=True, strict=False, warn=True):
    """Makes `import tensorflow` give the TF 1.x namespace from now on.

    Idempotent: a second call while active changes nothing (except turning
    legacy numpy names on if they were off) and returns an `Activation`
    whose `owner` is False.

    Args:
      legacy_numpy: give legacy code back numpy's removed names
        (`tf1_dnn.legacy_numpy`).
      strict: raise `TensorflowAlreadyImportedError` instead of warning when
        modules of yours already hold the real `tensorflow`.
      warn: look for such modules at all (the runner passes False: the
        script's modules are not imported yet).

    Returns:
      An `Activation` (a context manager that deactivates on exit if this
      call activated).

    Raises:
      TensorflowAlreadyImportedError: with `strict=True`, see above.
    """
    with _lock:
        state = _active["state"]
        if state is not None:
            names = []
            if legacy_numpy and not state["numpy"]:
                from tf1_dnn import legacy_numpy as ln  # noqa: PLC0415
                names = ln.install()
                state["numpy"] = True
            return Activation(False, state["aliases"], names, [])
        aliases = module_aliases()
        found = find_modules_with_real_tensorflow(aliases) if warn else []
        if found and strict:
            raise TensorflowAlreadyImportedError(
                _already_imported_message(found))
        saved = {name: sys.modules.get(name) for name in aliases}
        sys.modules.update(aliases)
        names = []
        if legacy_numpy:
            from tf1_dnn import legacy_numpy as ln  # noqa: PLC0415
            names = ln.install()
        _active["state"] = {"saved": saved, "aliases": aliases,
                            "numpy": bool(legacy_numpy)}
    if found:
        warnings.warn(_already_imported_message(found),
                      TensorflowAlreadyImportedWarning, stacklevel=2)
    return Activation(True, aliases, names, found)


def deactivate():
    """Restores exactly the `sys.modules` entries (and numpy) that were there
    before `activate()`. No-op when not active. The process stays in TF1
    graph mode."""
    with _lock:
        state = _active["state"]
        if state is None:
            return
        for name, module in state["saved"].items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        if state["numpy"]:
            from tf1_dnn import legacy_numpy as ln  # noqa: PLC0415
            ln.uninstall()
        _active["state"] = None


@contextlib.contextmanager
def activated(legacy_numpy=True, strict=False, warn=True):
    """`with tf1_dnn.activated(): ...` -- `activate()` for a block.

    Deactivates on exit only if the block activated (nesting is safe).
    """
    activation = activate(legacy_numpy=legacy_numpy, strict=strict,
                          warn=warn)
    try:
        yield activation
    finally:
        if activation.owner:
            deactivate()
