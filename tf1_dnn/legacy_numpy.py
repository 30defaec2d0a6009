"""numpy 1.x names for TF 1.x-era code: `np.float`, `np.asscalar`, `newshape=`...

numpy 1.24 removed the aliases of the builtins (`np.int`, `np.float`, ...) and
numpy 2.0 removed many more names (`np.float_`, `np.infty`, `np.asscalar`,
`np.product`, ...), so code of 2016-2019 stops with an `AttributeError` from
numpy right after its TensorFlow part works. `install()` answers those names
again, for legacy code only::

    from tf1_dnn import legacy_numpy
    legacy_numpy.install()        # done by `python -m tf1_dnn run`,
                                  # `tf1_dnn.activate()`, `%load_ext tf1_dnn`
                                  # and the tf1_dnn Jupyter kernel
    np.float(3)                   # -> 3.0, logged once:
    # tf1_dnn: numpy: `np.float` (removed in NumPy 1.24) -> use `float`
    #          (first used at train.py:12)

How it stays out of the way of modern code:

* Removed **names** are answered by a module `__getattr__` installed on numpy
  that chains to numpy's own `__getattr__` (PEP 562). Python calls it only for
  names numpy no longer has, so every name numpy has is untouched and costs
  nothing extra.
* It answers only **legacy callers** (see `tf1_dnn._callers`): the frame
  that asks must not be in the standard library, a site-packages folder or
  tf1_dnn. A library that feature-tests `hasattr(np, "float_")` still gets
  False and numpy's own error message.
* Renamed **keywords** (`np.reshape(a, newshape=...)`, removed in 2.4;
  `np.histogram(..., normed=...)`, removed in 1.24) need a wrapper around
  the function: `np.reshape`/`np.histogram` become thin wrappers that, only
  when the old keyword is passed by legacy code, translate it; every other
  call goes straight to numpy's function (same result, same errors).
  `uninstall()` puts numpy's functions back.
* Each name is logged once per process, with its modern spelling and the
  file:line that used it first (logger `tf1_dnn.legacy_numpy`, level
  WARNING, so it reaches stderr without any logging set-up).

Names numpy 2.x still has are not touched: `np.bool` (now `np.bool_`, was the
builtin `bool`), `np.long` (now the C long), `np.row_stack`, `np.matrix`.
`ndarray.tostring()`/`ndarray.itemset()` are methods of a C type and cannot
be given back; `python -m tf1_dnn upgrade` rewrites what it can in the source.
"""

import builtins
import functools
import logging
import pickle
import sys
import threading

import numpy as _np

from tf1_dnn import _callers

__all__ = ["install", "uninstall", "installed", "used", "REMOVED_NAMES",
           "RENAMED_KEYWORDS", "removed_names"]

_log = logging.getLogger("tf1_dnn.legacy_numpy")


def _asscalar(a):
    """`np.asscalar(a)` as numpy 1.x had it: `a.item()`."""
    return a.item()


def _in1d(ar1, ar2, assume_unique=False, invert=False, **kwargs):
    return _np.isin(ar1, ar2, assume_unique=assume_unique, invert=invert,
                    **kwargs).ravel()


def _msort(a):
    return _np.sort(a, axis=0)


def _asfarray(a, dtype=_np.float64):
    if not _np.issubdtype(dtype, _np.inexact):
        dtype = _np.float64
    return _np.asarray(a, dtype=dtype)


def _sctype2char(sctype):
    return _np.dtype(sctype).char


def _np_attr(name):
    return lambda: getattr(_np, name)


def _const(value):
    return lambda: value


# name -> (value factory, modern spelling, removed in).
REMOVED_NAMES = {
    # Aliases of the builtins (deprecated 1.20, removed 1.24).
    "int": (_const(builtins.int), "int (or np.int64)", "1.24"),
    "float": (_const(builtins.float), "float (or np.float64)", "1.24"),
    "complex": (_const(builtins.complex), "complex (or np.complex128)", "1.24"),
    "object": (_const(builtins.object), "object", "1.24"),
    "str": (_const(builtins.str), "str", "1.24"),
    "unicode": (_const(builtins.str), "str", "1.24"),
    # Scalar-type aliases.
    "float_": (_np_attr("float64"), "np.float64", "2.0"),
    "complex_": (_np_attr("complex128"), "np.complex128", "2.0"),
    "cfloat": (_np_attr("complex128"), "np.complex128", "2.0"),
    "singlecomplex": (_np_attr("complex64"), "np.complex64", "2.0"),
    "longfloat": (_np_attr("longdouble"), "np.longdouble", "2.0"),
    "longcomplex": (_np_attr("clongdouble"), "np.clongdouble", "2.0"),
    "clongfloat": (_np_attr("clongdouble"), "np.clongdouble", "2.0"),
    "unicode_": (_np_attr("str_"), "np.str_", "2.0"),
    "string_": (_np_attr("bytes_"), "np.bytes_", "2.0"),
    "int0": (_np_attr("intp"), "np.intp", "1.24"),
    "uint0": (_np_attr("uintp"), "np.uintp", "1.24"),
    "bool8": (_np_attr("bool_"), "np.bool_", "1.24"),
    "object0": (_np_attr("object_"), "np.object_", "1.24"),
    "str0": (_np_attr("str_"), "np.str_", "1.24"),
    "bytes0": (_np_attr("bytes_"), "np.bytes_", "1.24"),
    "void0": (_np_attr("void"), "np.void", "1.24"),
    # Constants.
    "infty": (_const(_np.inf), "np.inf", "2.0"),
    "Inf": (_const(_np.inf), "np.inf", "2.0"),
    "Infinity": (_const(_np.inf), "np.inf", "2.0"),
    "PINF": (_const(_np.inf), "np.inf", "2.0"),
    "NINF": (_const(-_np.inf), "-np.inf", "2.0"),
    "NaN": (_const(_np.nan), "np.nan", "2.0"),
    "NAN": (_const(_np.nan), "np.nan", "2.0"),
    "PZERO": (_const(0.0), "0.0", "2.0"),
    "NZERO": (_const(-0.0), "-0.0", "2.0"),
    # Functions.
    "asscalar": (_const(_asscalar), "a.item()", "1.23"),
    "alltrue": (_np_attr("all"), "np.all", "2.0"),
    "sometrue": (_np_attr("any"), "np.any", "2.0"),
    "product": (_np_attr("prod"), "np.prod", "2.0"),
    "cumproduct": (_np_attr("cumprod"), "np.cumprod", "2.0"),
    "round_": (_np_attr("round"), "np.round", "2.0"),
    "rank": (_np_attr("ndim"), "np.ndim", "1.18"),
    "in1d": (_const(_in1d), "np.isin(...).ravel()", "2.4"),
    "trapz": (_np_attr("trapezoid"), "np.trapezoid", "2.4"),
    "msort": (_const(_msort), "np.sort(a, axis=0)", "2.0"),
    "asfarray": (_const(_asfarray), "np.asarray(a, dtype=np.float64)", "2.0"),
    "mat": (_np_attr("asmatrix"), "np.asmatrix", "2.0"),
    "issubclass_": (_const(builtins.issubclass), "issubclass", "2.0"),
    "sctype2char": (_const(_sctype2char), "np.dtype(t).char", "2.0"),
    "loads": (_const(pickle.loads), "pickle.loads", "1.17"),
}

# function name -> {old keyword: new keyword}.
RENAMED_KEYWORDS = {
    "reshape": {"newshape": "shape"},        # removed in 2.4
    "histogram": {"normed": "density"},      # removed in 1.24
}

_lock = threading.Lock()
_state = {"original_getattr": None, "originals": {}, "count": 0}
_used = {}                       # name -> (modern, "file:line")


def removed_names():
    """The names of `REMOVED_NAMES` the installed numpy really lacks and can
    be given back (their modern replacement exists)."""
    names = []
    for name, (factory, _, _) in REMOVED_NAMES.items():
        if name in _np.__dict__:
            continue
        try:
            factory()
        except AttributeError:
            continue
        names.append(name)
    return names


def _where(frame):
    frame = _callers._skip_frozen(frame)  # noqa: SLF001 - same package
    if frame is None:
        return "?"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _note(key, modern, removed_in, frame):
    if key in _used:
        return
    where = _where(frame)
    _used[key] = (modern, where)
    _log.warning("tf1_dnn: numpy: `%s` (removed in NumPy %s) -> use `%s` "
                 "(first used at %s)", key, removed_in, modern, where)


def used():
    """dict: each legacy numpy name used so far -> (modern spelling,
    "file:line" of its first use)."""
    return dict(_used)


def _make_getattr(original, available):
    def __getattr__(name):
        entry = available.get(name)
        if entry is not None:
            frame = sys._getframe(1)
            if _callers.caller_is_legacy(frame):
                factory, modern, removed_in = entry
                _note(f"np.{name}", modern, removed_in, frame)
                return factory()
        if original is None:
            raise AttributeError(
                f"module 'numpy' has no attribute {name!r}")
        return original(name)
    __getattr__._tf1_dnn_legacy = True
    return __getattr__


def _make_keyword_wrapper(func, renames):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if kwargs and any(old in kwargs for old in renames):
            frame = sys._getframe(1)
            if _callers.caller_is_legacy(frame):
                for old, new in renames.items():
                    if old in kwargs and new not in kwargs:
                        kwargs[new] = kwargs.pop(old)
                        _note(f"np.{func.__name__}(..., {old}=)",
                              f"np.{func.__name__}(..., {new}=)",
                              "2.4" if old == "newshape" else "1.24", frame)
        return func(*args, **kwargs)
    wrapper._tf1_dnn_legacy = True
    return wrapper


def installed():
    """True while `install()` is in effect."""
    return _state["count"] > 0


def install():
    """Gives legacy code back the numpy names removed since 1.24/2.0.

    Reference-counted: every `install()` needs one `uninstall()`; the first
    installs, the last restores numpy exactly. Returns the list of names
    given back (those the installed numpy really lacks).
    """
    with _lock:
        _state["count"] += 1
        if _state["count"] > 1:
            return removed_names()
        names = removed_names()
        available = {n: REMOVED_NAMES[n] for n in names}
        _state["original_getattr"] = _np.__dict__.get("__getattr__")
        _np.__getattr__ = _make_getattr(_state["original_getattr"], available)
        originals = {}
        for fname, renames in RENAMED_KEYWORDS.items():
            func = _np.__dict__.get(fname)
            if func is None:
                continue
            import inspect  # noqa: PLC0415 - only when installing
            try:
                params = inspect.signature(func).parameters
            except (TypeError, ValueError):
                continue
            todo = {o: n for o, n in renames.items() if o not in params}
            if todo:
                originals[fname] = func
                setattr(_np, fname, _make_keyword_wrapper(func, todo))
        _state["originals"] = originals
        return names


def uninstall():
    """Undoes one `install()`; the last one restores numpy exactly."""
    with _lock:
        if _state["count"] == 0:
            return
        _state["count"] -= 1
        if _state["count"]:
            return
        original = _state["original_getattr"]
        if original is None:
            _np.__dict__.pop("__getattr__", None)
        else:
            _np.__getattr__ = original
        for fname, func in _state["originals"].items():
            setattr(_np, fname, func)
        _state["original_getattr"] = None
        _state["originals"] = {}
