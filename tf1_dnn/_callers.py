"""Who is asking: legacy code or an installed library?

`tf1_dnn.activate()` changes two things other code can see: the `tensorflow`
module aliases and the numpy names removed since 1.24/2.0. Both answer
differently depending on the code that asks, found from the caller's frame:

* **library code** -- a file under the standard library or a
  `site-packages`/`dist-packages` folder, or tf1_dnn itself. numpy keeps its
  modern behaviour for it (`hasattr(np, "float_")` stays False, so version
  checks in libraries are not fooled).
* **legacy code** -- everything else: the script `python -m tf1_dnn run`
  runs, notebook cells (`/tmp/ipykernel_*/...py`, `<ipython-input-...>`),
  `exec`'d strings, your package in a source checkout or an editable install.

A legacy package installed *into* site-packages (a plain `pip install .`)
counts as a library; install it editable (`pip install -e .`) or run it from
its checkout.

The frames of `importlib`'s frozen bootstrap (`<frozen ...>`) are skipped: the
code that asked is the one running the `import`/`from ... import`.
"""

import os
import site
import sys
import sysconfig

__all__ = ["caller_filename", "is_library_file", "caller_is_legacy",
           "caller_module"]

_CACHE = {}
_HERE = os.path.dirname(os.path.abspath(__file__))


def _library_roots():
    roots = set()
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            roots.add(paths[key])
    for getter in (getattr(site, "getsitepackages", None),
                   getattr(site, "getusersitepackages", None)):
        try:
            found = getter() if getter else []
        except Exception:  # noqa: BLE001 - virtualenvs without site helpers
            found = []
        roots.update([found] if isinstance(found, str) else found)
    roots.add(_HERE)
    result = set()
    for root in roots:
        result.add(os.path.abspath(root))
        result.add(os.path.realpath(root))
    return tuple(sorted(r.rstrip(os.sep) + os.sep for r in result))


_ROOTS = None


def is_library_file(filename):
    """True for stdlib, site-packages/dist-packages and tf1_dnn's own files."""
    cached = _CACHE.get(filename)
    if cached is not None:
        return cached
    global _ROOTS
    if _ROOTS is None:
        _ROOTS = _library_roots()
    if not filename or filename.startswith("<"):
        result = False           # <string>, <stdin>, <ipython-input-...>
    else:
        parts = filename.replace("\\", "/").split("/")
        if "site-packages" in parts or "dist-packages" in parts:
            result = True
        else:
            candidates = {os.path.abspath(filename),
                          os.path.realpath(filename)}
            result = any(c.startswith(_ROOTS) for c in candidates)
    _CACHE[filename] = result
    return result


def _skip_frozen(frame):
    while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
        frame = frame.f_back
    return frame


def caller_filename(depth=2):
    """The file of the code `depth` frames up (frozen importlib skipped)."""
    frame = _skip_frozen(sys._getframe(depth))
    return frame.f_code.co_filename if frame is not None else ""


def caller_is_legacy(frame):
    """True if `frame` (frozen importlib frames skipped) is legacy code."""
    frame = _skip_frozen(frame)
    if frame is None:
        return False
    return not is_library_file(frame.f_code.co_filename)


def caller_module(frame):
    """`__name__` of the module running `frame` (frozen frames skipped)."""
    frame = _skip_frozen(frame)
    if frame is None:
        return ""
    return frame.f_globals.get("__name__", "") or ""
