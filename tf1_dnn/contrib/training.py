"""`tf.contrib.training.HParams` as TF 1.x had it (pure Python).

    hparams = tf.contrib.training.HParams(learning_rate=0.1, num_hidden_units=100,
                                          activations=["relu", "tanh"])
    hparams.parse("learning_rate=0.3,activations=[relu,relu]")
    hparams.learning_rate            # 0.3

Same behaviour as TF 1.15's `hparam.py`, type checking included: a
hyperparameter keeps the type of its first value; an int accepts an int
(not a float), a float accepts an int or a float, a bool only a bool (in
`parse`, also `true`/`false`/0/1), a str only a str; lists keep the type of
their first element and may not be empty; a name that is an attribute of
the class (`values`, `parse`, ...) is reserved. `to_proto`/`from_proto` are
not provided (the HParamDef proto left TensorFlow with contrib).
Errors are `HParamsError` (a `ValueError`, as TF 1.x raised) or, for an
unknown name in `set_hparam`, `UnknownHParamError` (also a `KeyError`).
"""

import json
import numbers
import re

from tf1_dnn.errors import Tf1DnnError

__all__ = ["HParams", "parse_values", "HParamsError", "UnknownHParamError"]


class HParamsError(Tf1DnnError, ValueError):
    """A hyperparameter value that is malformed or of the wrong type."""


class UnknownHParamError(HParamsError, KeyError):
    """A hyperparameter name that this HParams does not have."""

    def __str__(self):
        return self.args[0] if self.args else ""


_PARAM_RE = re.compile(r"""
  (?P<name>[a-zA-Z][\w\.]*)      # variable name: "var" or "x"
  (\[\s*(?P<index>\d+)\s*\])?    # (optional) index: "1" or None
  \s*=\s*
  ((?P<val>[^,\[]*)              # single value: "a" or None
   |
   \[(?P<vals>[^\]]*)\])         # list of values: None or "1,2,3"
  ($|,\s*)""", re.VERBOSE)


def _parse_fail(name, var_type, value, values):
    raise HParamsError(
        f"Could not parse hparam {name!r} of type {var_type.__name__!r} with "
        f"value {value!r} in {values!r}")


def _reuse_fail(name, values):
    raise HParamsError(
        f"Multiple assignments to variable {name!r} in {values!r}")


def parse_values(values, type_map, ignore_unknown=False):
    """Parses "a=1,b=[2,3],c[1]=x" into {name: value} using `type_map`.

    Indexed assignments (`c[1]=x`) give {index: value} dicts.
    """
    results = {}
    pos = 0
    while pos < len(values):
        m = _PARAM_RE.match(values, pos)
        if not m:
            raise HParamsError(
                f"Malformed hyperparameter value: {values[pos:]!r}. Use "
                "'name=value,name2=[v1,v2]'.")
        pos = m.end()
        d = m.groupdict()
        name = d["name"]
        if name not in type_map:
            if ignore_unknown:
                continue
            raise HParamsError(f"Unknown hyperparameter type for {name}")
        type_ = type_map[name]
        if type_ == bool:
            def parse(value, name=name):
                if value in ("true", "True"):
                    return True
                if value in ("false", "False"):
                    return False
                try:
                    return bool(int(value))
                except ValueError:
                    _parse_fail(name, type_, value, values)
        else:
            parse = type_

        def convert(value, name=name, parse=parse):
            try:
                return parse(value)
            except ValueError:
                _parse_fail(name, type_, value, values)

        if d["index"] is not None:
            if d["val"] is None:
                _parse_fail(name, type_, d["vals"], values)
            index = int(d["index"])
            entry = results.setdefault(name, {})
            if not isinstance(entry, dict) or index in entry:
                _reuse_fail(f"{name}[{index}]", values)
            entry[index] = convert(d["val"])
        elif d["val"] is not None:
            if name in results:
                _reuse_fail(name, values)
            results[name] = convert(d["val"])
        else:
            if name in results:
                _reuse_fail(name, values)
            results[name] = [convert(e) for e in
                             filter(None, re.split("[ ,]", d["vals"]))]
    return results


def _cast(name, param_type, value):
    """TF 1.x's `_cast_to_type_if_compatible`."""
    fail = HParamsError(f"Could not cast hparam {name!r} of type "
                        f"{param_type!r} from value {value!r}")
    if issubclass(type(value), param_type):
        return value
    if issubclass(param_type, type(None)):
        return value
    if issubclass(param_type, (str, bytes)) and \
            not isinstance(value, (str, bytes)):
        raise fail
    if issubclass(param_type, bool) != isinstance(value, bool):
        raise fail
    if issubclass(param_type, numbers.Integral) and \
            not isinstance(value, numbers.Integral):
        raise fail
    if issubclass(param_type, numbers.Number) and \
            not isinstance(value, numbers.Number):
        raise fail
    return param_type(value)


class HParams:
    """A set of named, typed hyperparameters (TF 1.x `HParams`)."""

    _HAS_DYNAMIC_ATTRIBUTES = True

    def __init__(self, hparam_def=None, model_structure=None, **kwargs):
        if hparam_def is not None:
            raise HParamsError(
                "HParams(hparam_def=...) needs the HParamDef proto, which "
                "left TensorFlow with tf.contrib; pass keyword arguments.")
        self._hparam_types = {}
        self._model_structure = model_structure
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    def add_hparam(self, name, value):
        """Adds `name` with `value`; its type is fixed from `value`."""
        if getattr(self, name, None) is not None or hasattr(type(self), name):
            raise HParamsError(f"Hyperparameter name is reserved: {name}")
        if isinstance(value, (list, tuple)):
            if not value:
                raise HParamsError(
                    f"Multi-valued hyperparameters cannot be empty: {name}")
            self._hparam_types[name] = (type(value[0]), True)
        else:
            self._hparam_types[name] = (type(value), False)
        setattr(self, name, value)

    def set_hparam(self, name, value):
        """Sets an existing hyperparameter, checking the type."""
        if name not in self._hparam_types:
            raise UnknownHParamError(
                f"Unknown hyperparameter {name!r}; known: "
                f"{sorted(self._hparam_types)}. Use add_hparam to add it.")
        param_type, is_list = self._hparam_types[name]
        if isinstance(value, list):
            if not is_list:
                raise HParamsError(
                    f"Must not pass a list for single-valued parameter: "
                    f"{name}")
            setattr(self, name, [_cast(name, param_type, v) for v in value])
        else:
            if is_list:
                raise HParamsError(
                    f"Must pass a list for multi-valued parameter: {name}.")
            setattr(self, name, _cast(name, param_type, value))

    def del_hparam(self, name):
        if hasattr(self, name):
            delattr(self, name)
            del self._hparam_types[name]

    def parse(self, values):
        """Overrides from a "name=value,..." string; returns self."""
        type_map = {name: t for name, (t, _) in self._hparam_types.items()}
        parsed = parse_values(values, type_map)
        for name, value in parsed.items():
            if isinstance(value, dict):   # indexed assignments into a list
                current = list(getattr(self, name))
                for index, v in value.items():
                    if index >= len(current):
                        raise HParamsError(
                            f"Index {index} out of range for hparam {name!r}"
                            f" of length {len(current)}")
                    current[index] = v
                parsed[name] = current
        return self.override_from_dict(parsed)

    def override_from_dict(self, values_dict):
        for name, value in values_dict.items():
            self.set_hparam(name, value)
        return self

    def set_model_structure(self, model_structure):
        self._model_structure = model_structure

    def get_model_structure(self):
        return self._model_structure

    def to_json(self, indent=None, separators=None, sort_keys=False):
        def remove_callables(x):
            if isinstance(x, dict):
                return {k: remove_callables(v) for k, v in x.items()
                        if not callable(v)}
            if isinstance(x, list):
                return [remove_callables(i) for i in x if not callable(i)]
            return x
        return json.dumps(remove_callables(self.values()), indent=indent,
                          separators=separators, sort_keys=sort_keys)

    def parse_json(self, values_json):
        return self.override_from_dict(json.loads(values_json))

    def values(self):
        """{name: value} of every hyperparameter."""
        return {n: getattr(self, n) for n in self._hparam_types}

    def get(self, key, default=None):
        if key in self._hparam_types:
            if default is not None:
                param_type, is_param_list = self._hparam_types[key]
                type_str = f"list<{param_type}>" if is_param_list \
                    else str(param_type)
                fail = HParamsError(
                    f"Hparam {key!r} of type {type_str!r} is incompatible "
                    f"with default={default!r}")
                is_default_list = isinstance(default, list)
                if is_param_list != is_default_list:
                    raise fail
                try:
                    for v in (default if is_default_list else [default]):
                        _cast(key, param_type, v)
                except HParamsError as e:
                    raise fail from e
            return getattr(self, key)
        return default

    def __contains__(self, key):
        return key in self._hparam_types

    def __str__(self):
        return str(sorted(self.values().items()))

    def __repr__(self):
        return f"{type(self).__name__}({self})"
