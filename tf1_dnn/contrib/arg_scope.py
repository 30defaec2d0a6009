"""`arg_scope` / `add_arg_scope` (tf-slim semantics), for `tf.contrib.framework`
and `tf.contrib.slim`.

`arg_scope` sets default keyword arguments for functions decorated with
`@add_arg_scope` (all of `tf.contrib.layers`' layers are)::

    with arg_scope([fully_connected], weights_initializer=he_init,
                   normalizer_fn=batch_norm, normalizer_params=bn_params):
        hidden1 = fully_connected(X, 300, scope="hidden1")   # gets them all
        logits = fully_connected(hidden1, 10, activation_fn=None,
                                 scope="outputs")            # explicit wins

Rules (as tf-slim): an explicit keyword argument overrides the scope; inner
scopes extend/override outer ones; the scope is a Python-level stack (not
per graph); a function not decorated with `@add_arg_scope` raises
`ArgScopeError` (a ValueError); `with arg_scope(sc):` re-enters a scope dict yielded by an earlier
`with arg_scope(...) as sc`.

Caveat (from the style guide): arg_scope hides defaults far from the call;
`functools.partial` (the chapter's idiom) is often clearer.
"""

import contextlib
import functools

from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.errors import InputTypeError

__all__ = ["arg_scope", "add_arg_scope", "has_arg_scope",
           "arg_scoped_arguments", "current_arg_scope", "ArgScopeError"]


class ArgScopeError(Tf1DnnError, ValueError):
    """`arg_scope` misuse: an op not decorated with `@add_arg_scope`, or
    kwargs given together with a reused scope dict (a `ValueError`)."""


_ARGSTACK = [{}]
_DECORATED_OPS = {}


def _key_op(op):
    return getattr(op, "_key_op", str(op))


def _name_op(op):
    name = getattr(op, "__name__", None) or getattr(
        getattr(op, "func", None), "__name__", repr(op))
    return f"{getattr(op, '__module__', '?')}.{name}"


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
      ArgScopeError (a ValueError): kwargs given with a scope dict, or an op that is not
        decorated with `@add_arg_scope`.
      TypeError: `list_ops_or_scope` is neither a list/tuple nor a dict.
    """
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ArgScopeError(
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
            raise ArgScopeError(
                f"{_name_op(op) if callable(op) else repr(op)} is not decorated "
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
        raise ArgScopeError(f"{func!r} is not decorated with @add_arg_scope.")
    return _DECORATED_OPS[_key_op(func)]
