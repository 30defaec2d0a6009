"""Lazy module objects used to assemble the TF1 namespace (`tf1_dnn.tf`).

A `LazyNamespace` forwards every attribute it does not override to a base
module (e.g. `tf.compat.v1.train`) and imports its overrides on first use, so
`from tf1_dnn import tf` does not import every tf1_dnn module up front.
"""

import importlib
import types

__all__ = ["LazyNamespace", "resolve"]


def resolve(spec):
    """Returns the object named by `spec`: "pkg.module" or "pkg.module:attr".

    Anything that is not a string is returned as is.
    """
    if not isinstance(spec, str):
        return spec
    module_name, _, attr = spec.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


class LazyNamespace(types.ModuleType):
    """A module whose attributes come from `overrides` first, then `base`.

    Args:
      name: the dotted name users see, e.g. "tf.train".
      base: a module (or None) to forward unknown attributes to.
      overrides: dict of attribute name -> object or "module[:attr]" string.
      doc: the docstring.
    """

    def __init__(self, name, base=None, overrides=None, doc=None):
        super().__init__(name, doc)
        self._base = base
        self._overrides = dict(overrides or {})

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        overrides = self.__dict__.get("_overrides", {})
        if attr in overrides:
            value = resolve(overrides[attr])
            setattr(self, attr, value)  # cache: next lookups skip __getattr__
            return value
        base = self.__dict__.get("_base")
        if base is not None:
            try:
                return getattr(base, attr)
            except AttributeError:
                pass
        raise AttributeError(
            f"{self.__name__}.{attr} does not exist in TensorFlow 1.x's API as "
            "tf1_dnn provides it. If your code needs it, please open an issue "
            "with the line that uses it.")

    def __dir__(self):
        names = set(self.__dict__) | set(self._overrides)
        if self._base is not None:
            names |= set(dir(self._base))
        return sorted(n for n in names if not n.startswith("_"))

    def __repr__(self):
        return f"<tf1_dnn namespace {self.__name__!r}>"
