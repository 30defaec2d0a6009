"""`%load_ext tf1_dnn`: a TF 1.x notebook runs unchanged in any Python kernel.

Put it in the first cell, before `import tensorflow as tf`::

    %load_ext tf1_dnn
    import tensorflow as tf          # the TF1 namespace from tf1_dnn
    X = tf.placeholder(tf.float32, shape=(None, 784))

It calls `tf1_dnn.activate()` (module aliases + numpy's removed names, see
`tf1_dnn.activation`). If the notebook already ran `import tensorflow as tf`,
the names in the notebook's namespace bound to the real `tensorflow` (or to
`tensorflow.compat.v1`) are rebound to the TF1 namespace -- the notebook's
namespace is the one place where we know every name -- and each rebinding is
printed. Other modules that imported the real `tensorflow` are only warned
about (`TensorflowAlreadyImportedWarning`).

`%unload_ext tf1_dnn` calls `tf1_dnn.deactivate()`.

To skip the legacy numpy names, call `tf1_dnn.activate(legacy_numpy=False)`
in the first cell instead of loading the extension. The tf1_dnn kernel
(`python -m tf1_dnn kernel install`) activates before the first cell, so the
notebook needs no extra cell at all.
"""

import sys
import types

__all__ = ["load_ipython_extension", "unload_ipython_extension"]


def _rebind_user_namespace(user_ns, aliases):
    """Rebinds notebook names holding the real tensorflow; returns them."""
    real_to_alias = {}
    for name, alias in aliases.items():
        real = _real_module(name)
        if real is not None and real is not alias:
            real_to_alias[id(real)] = (real, alias, name)
    rebound = []
    for key, value in list(user_ns.items()):
        if key.startswith("_") or not isinstance(value, types.ModuleType):
            continue
        hit = real_to_alias.get(id(value))
        if hit is not None and hit[0] is value:
            user_ns[key] = hit[1]
            rebound.append((key, hit[2]))
    return rebound


_SAVED_REAL = {}


def _real_module(name):
    return _SAVED_REAL.get(name)


def load_ipython_extension(ipython):
    """Activates tf1_dnn in the running IPython kernel/shell."""
    from tf1_dnn import activation  # noqa: PLC0415 - imports TensorFlow

    before = {}
    real = sys.modules.get("tensorflow")
    if real is not None and not activation.is_active():
        before["tensorflow"] = real
        compat = getattr(real, "compat", None)
        before["tensorflow.compat"] = compat
        before["tensorflow.compat.v1"] = getattr(compat, "v1", None)
    user_ns = getattr(ipython, "user_ns", None)
    was_active = activation.is_active()
    result = activation.activate(warn=False)
    if not was_active:
        _SAVED_REAL.clear()
        _SAVED_REAL.update({k: v for k, v in before.items() if v is not None})
    rebound = []
    if user_ns is not None:
        rebound = _rebind_user_namespace(user_ns, result.aliases)
    for key, module in rebound:
        print(f"tf1_dnn: `{key}` was the real `{module}`; it now is the "
              "TF 1.x namespace", file=sys.stderr)
    found = [(m, n) for m, n in activation.find_modules_with_real_tensorflow(
        result.aliases) if m != "__main__"]
    if found:
        import warnings  # noqa: PLC0415
        warnings.warn(activation._already_imported_message(found),  # noqa: SLF001
                      activation.TensorflowAlreadyImportedWarning,
                      stacklevel=2)
    if result.owner:
        print("tf1_dnn: `import tensorflow` now gives the TF 1.x namespace"
              + (f"; {len(result.legacy_numpy)} removed numpy names are back "
                 "for this notebook" if result.legacy_numpy else ""),
              file=sys.stderr)


def unload_ipython_extension(ipython):
    """Deactivates tf1_dnn (`%unload_ext tf1_dnn`)."""
    from tf1_dnn import activation  # noqa: PLC0415
    activation.deactivate()
