"""`tf.contrib.framework`: `arg_scope` and model variables (tf-slim semantics).

`arg_scope` sets default keyword arguments for functions decorated with
`@add_arg_scope` (all of `tf.contrib.layers`' layers are)::

    with arg_scope([fully_connected], weights_initializer=he_init,
                   normalizer_fn=batch_norm, normalizer_params=bn_params):
        hidden1 = fully_connected(X, 300, scope="hidden1")   # gets them all
        logits = fully_connected(hidden1, 10, activation_fn=None,
                                 scope="outputs")            # explicit wins

Rules (as tf-slim): an explicit keyword argument overrides the scope; inner
scopes extend/override outer ones; the scope is a Python-level stack (not
per graph); a function not decorated with `@add_arg_scope` raises ValueError;
`with arg_scope(sc):` re-enters a scope dict yielded by an earlier
`with arg_scope(...) as sc`.

Caveat (from the style guide): arg_scope hides defaults far from the call;
`functools.partial` (the chapter's idiom) is often clearer.
"""

import contextlib
import functools

from tf1_dnn._compat import v1
from tf1_dnn.errors import InputError, InputTypeError

__all__ = ["arg_scope", "add_arg_scope", "has_arg_scope",
           "arg_scoped_arguments", "current_arg_scope", "model_variable",
           "variable", "get_model_variables"]

_ARGSTACK = [{}]
_DECORATED_OPS = {}


def _key_op(op):
    return getattr(op, "_key_op", str(op))


def _name_op(op):
    return (op.__module__, op.__name__)


def current_arg_scope():
    """The innermost scope: dict `op key -> {kwarg: value}`."""
    return _ARGSTACK[-1]


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """Stores default `kwargs` for each op in `list_ops_or_scope`.

    Args:
      list_ops_or_scope: a list/tuple of `@add_arg_scope` functions, or a
        scope dict from an earlier `arg_scope` (then no kwargs allowed).
      **kwargs: the defaults.

    Yields:
      The current scope dict (reusable with `arg_scope(sc)`).

    Raises:
      ValueError: kwargs given with a scope dict, or an op that is not
        decorated with `@add_arg_scope`.
      TypeError: `list_ops_or_scope` is neither a list/tuple nor a dict.
    """
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise InputError(
                "When attempting to re-use a scope by supplying a dictionary, "
                "kwargs must be empty.")
        current_scope = list_ops_or_scope.copy()
        _ARGSTACK.append(current_scope)
        try:
            yield current_scope
        finally:
            _ARGSTACK.pop()
        return
    if not isinstance(list_ops_or_scope, (list, tuple)):
        raise InputTypeError(
            "list_ops_or_scope must either be a list/tuple or reused scope "
            f"(i.e. dict), got {type(list_ops_or_scope).__name__}: write "
            "arg_scope([fully_connected], ...) with brackets.")
    current_scope = current_arg_scope().copy()
    for op in list_ops_or_scope:
        key = _key_op(op)
        if not has_arg_scope(op):
            raise InputError(
                f"{_name_op(op) if callable(op) else op!r} is not decorated "
                "with @add_arg_scope, so arg_scope cannot set its defaults. "
                "Decorate it (tf1_dnn.contrib.framework.add_arg_scope) or use "
                "functools.partial.")
        if key in current_scope:
            merged = current_scope[key].copy()
            merged.update(kwargs)
            current_scope[key] = merged
        else:
            current_scope[key] = kwargs.copy()
    _ARGSTACK.append(current_scope)
    try:
        yield current_scope
    finally:
        _ARGSTACK.pop()


def add_arg_scope(func):
    """Decorator: lets `arg_scope` supply default kwargs to `func`."""

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        scope = current_arg_scope()
        key = _key_op(func)
        if key in scope:
            current_args = scope[key].copy()
            current_args.update(kwargs)
        else:
            current_args = kwargs
        return func(*args, **current_args)

    _DECORATED_OPS[_key_op(func)] = _kwarg_names(func)
    func_with_args._key_op = _key_op(func)
    return func_with_args


def _kwarg_names(func):
    code = func.__code__
    names = code.co_varnames[:code.co_argcount]
    n_defaults = len(func.__defaults__ or ())
    return names[len(names) - n_defaults:]


def has_arg_scope(func):
    """True if `func` was decorated with `@add_arg_scope`."""
    return _key_op(func) in _DECORATED_OPS


def arg_scoped_arguments(func):
    """The keyword argument names `arg_scope` can set for `func`."""
    if not has_arg_scope(func):
        raise InputError(f"{func!r} is not decorated with @add_arg_scope.")
    return _DECORATED_OPS[_key_op(func)]


def variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
             trainable=True, collections=None):
    """`tf.get_variable` that applies `regularizer` once, on creation.

    The loss (if not None) is computed under the name scope
    `<variable op name>/Regularizer/` and added to `REGULARIZATION_LOSSES`;
    nothing is added when an existing variable is reused (TF 1.x behaviour).
    `collections` defaults to `[GLOBAL_VARIABLES]`; trainable variables also
    go to `TRAINABLE_VARIABLES`.
    """
    collections = list(collections if collections is not None
                       else [v1.GraphKeys.GLOBAL_VARIABLES])
    collections = list(dict.fromkeys(collections))
    before = set(id(v) for key in set(collections) | {
        v1.GraphKeys.GLOBAL_VARIABLES, v1.GraphKeys.LOCAL_VARIABLES}
        for v in v1.get_collection(key))
    var = v1.get_variable(name, shape=shape, dtype=dtype,
                          initializer=initializer, trainable=trainable,
                          collections=collections)
    if regularizer is not None and id(var) not in before:
        with v1.name_scope(var.op.name + "/Regularizer/"):
            loss = regularizer(var)
        if loss is not None:
            v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, loss)
    return var


def model_variable(name, shape=None, dtype=None, initializer=None,
                   regularizer=None, trainable=True, collections=None):
    """`variable` that is also in `tf.GraphKeys.MODEL_VARIABLES` (what
    `fully_connected` and `batch_norm` create)."""
    collections = list(collections or [])
    collections += [v1.GraphKeys.GLOBAL_VARIABLES,
                    v1.GraphKeys.MODEL_VARIABLES]
    return variable(name, shape=shape, dtype=dtype, initializer=initializer,
                    regularizer=regularizer, trainable=trainable,
                    collections=collections)


def get_model_variables(scope=None):
    """The `MODEL_VARIABLES` collection, filtered by `scope` (a regex)."""
    return v1.get_collection(v1.GraphKeys.MODEL_VARIABLES, scope)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    from tf1_dnn.contrib import _missing
    raise _missing("framework", name)
