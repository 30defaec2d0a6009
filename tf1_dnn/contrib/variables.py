"""contrib/slim's variable helpers (`tf.contrib.framework.*`, `slim.*`):
creating model variables, finding variables by scope/suffix/name, the global
step, and restoring variables from a checkpoint.

    weights = slim.model_variable("weights", shape=[3, 3, 1, 32],
                                  initializer=tf.truncated_normal_initializer(stddev=0.1),
                                  regularizer=slim.l2_regularizer(0.05))
    to_restore = slim.get_variables_to_restore(exclude=["logits"])
    init_fn = slim.assign_from_checkpoint_fn("pretrained.ckpt", to_restore)

Caveats (TF 1.x behaviour, mirrored):
  - `scope` arguments are regular expressions matched with `re.match` from
    the start of the variable name: `get_variables("conv1")` also returns
    `conv10/weights`. End the scope with "/" to avoid that.
  - `variable`'s regularizer runs once, when the variable is created, under
    the name scope `<variable name>/Regularizer/`; reusing the variable adds
    no second loss.
  - `assign_from_checkpoint` feeds the checkpoint values through
    placeholders: run its op *with* the returned feed dict.
"""

import logging

from tf1_dnn._compat import tf2, v1
from tf1_dnn.contrib.arg_scope import add_arg_scope
from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.errors import InputError, InputTypeError

__all__ = [
    "variable", "model_variable", "local_variable", "global_variable",
    "add_model_variable", "get_variables", "get_model_variables",
    "get_local_variables", "get_trainable_variables",
    "get_variables_to_restore", "get_variables_by_suffix",
    "get_variables_by_name", "get_unique_variable", "get_variable_full_name",
    "get_or_create_global_step", "get_global_step", "create_global_step",
    "assert_global_step", "list_variables", "load_variable",
    "init_from_checkpoint", "assign_from_checkpoint",
    "assign_from_checkpoint_fn", "assign_from_values",
    "assign_from_values_fn", "VariableNotFoundError"]

log = logging.getLogger("tf1_dnn.contrib")


class VariableNotFoundError(Tf1DnnError, ValueError):
    """A variable named by the caller is not in the graph or the checkpoint."""


@add_arg_scope
def variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
             trainable=True, collections=None, caching_device=None,
             device=None, partitioner=None, custom_getter=None,
             use_resource=None):
    """`tf.get_variable` that applies `regularizer` once, on creation.

    The loss (if not None) is computed under the name scope
    `<variable op name>/Regularizer/` and added to `REGULARIZATION_LOSSES`;
    nothing is added when an existing variable is reused (TF 1.x behaviour).
    `collections` defaults to `[GLOBAL_VARIABLES]`; trainable variables also
    go to `TRAINABLE_VARIABLES`. `device` places the variable (e.g.
    `arg_scope([slim.variable], device="/cpu:0")`).
    """
    collections = list(collections if collections is not None
                       else [v1.GraphKeys.GLOBAL_VARIABLES])
    collections = list(dict.fromkeys(collections))
    before = set(id(v) for key in set(collections) | {
        v1.GraphKeys.GLOBAL_VARIABLES, v1.GraphKeys.LOCAL_VARIABLES}
        for v in v1.get_collection(key))
    with v1.device(device or ""):
        var = v1.get_variable(name, shape=shape, dtype=dtype,
                              initializer=initializer, trainable=trainable,
                              collections=collections,
                              caching_device=caching_device,
                              partitioner=partitioner,
                              custom_getter=custom_getter,
                              use_resource=use_resource)
    if regularizer is not None and id(var) not in before:
        with v1.name_scope(var.op.name + "/Regularizer/"):
            loss = regularizer(var)
        if loss is not None:
            v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, loss)
    return var


@add_arg_scope
def model_variable(name, shape=None, dtype=v1.float32, initializer=None,
                   regularizer=None, trainable=True, collections=None,
                   caching_device=None, device=None, partitioner=None,
                   custom_getter=None, use_resource=None):
    """`variable` that is also in `tf.GraphKeys.MODEL_VARIABLES` (what every
    contrib/slim layer creates; `get_model_variables()` lists them)."""
    collections = list(collections or [])
    collections += [v1.GraphKeys.GLOBAL_VARIABLES,
                    v1.GraphKeys.MODEL_VARIABLES]
    return variable(name, shape=shape, dtype=dtype, initializer=initializer,
                    regularizer=regularizer, trainable=trainable,
                    collections=collections, caching_device=caching_device,
                    device=device, partitioner=partitioner,
                    custom_getter=custom_getter, use_resource=use_resource)


def local_variable(initial_value, validate_shape=True, name=None,
                   use_resource=None):
    """A non-trainable variable in `LOCAL_VARIABLES` only (what streaming
    metrics count with; initialized by `tf.local_variables_initializer()`)."""
    return v1.Variable(initial_value, trainable=False,
                       collections=[v1.GraphKeys.LOCAL_VARIABLES],
                       validate_shape=validate_shape, name=name,
                       use_resource=use_resource)


def global_variable(initial_value, validate_shape=True, name=None,
                    use_resource=None):
    """A non-trainable variable in `GLOBAL_VARIABLES` only."""
    return v1.Variable(initial_value, trainable=False,
                       collections=[v1.GraphKeys.GLOBAL_VARIABLES],
                       validate_shape=validate_shape, name=name,
                       use_resource=use_resource)


def add_model_variable(var):
    """Adds `var` to `MODEL_VARIABLES` (once)."""
    if not any(v is var for v in v1.get_collection(
            v1.GraphKeys.MODEL_VARIABLES)):
        v1.add_to_collection(v1.GraphKeys.MODEL_VARIABLES, var)


def get_variables(scope=None, suffix=None,
                  collection=v1.GraphKeys.GLOBAL_VARIABLES):
    """Variables of `collection` whose name matches `scope` (a regex matched
    at the start, or a `VariableScope`) and ends with `suffix`."""
    if isinstance(scope, v1.VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return v1.get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None):
    """`get_variables` over `MODEL_VARIABLES`."""
    return get_variables(scope, suffix, v1.GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope=None, suffix=None):
    """`get_variables` over `LOCAL_VARIABLES`."""
    return get_variables(scope, suffix, v1.GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None):
    """`get_variables` over `TRAINABLE_VARIABLES`."""
    return get_variables(scope, suffix, v1.GraphKeys.TRAINABLE_VARIABLES)


def get_variables_to_restore(include=None, exclude=None):
    """The global variables under the `include` scopes (default: all) minus
    those under the `exclude` scopes -- the usual fine-tuning list::

        to_restore = get_variables_to_restore(exclude=["InceptionV3/Logits"])

    Caveat: scopes are regex prefixes (`"fc"` also excludes `"fc2"`).
    """
    if include is None:
        to_include = get_variables()
    else:
        if isinstance(include, str):
            raise InputTypeError(
                f"get_variables_to_restore: include must be a list of scopes, "
                f"got the string {include!r}; write include=[{include!r}].")
        to_include = []
        for scope in include:
            to_include += get_variables(scope)
    excluded = set()
    if exclude is not None:
        if isinstance(exclude, str):
            raise InputTypeError(
                f"get_variables_to_restore: exclude must be a list of scopes, "
                f"got the string {exclude!r}; write exclude=[{exclude!r}].")
        for scope in exclude:
            excluded |= set(id(v) for v in get_variables(scope))
    return [v for v in to_include if id(v) not in excluded]


def get_variables_by_suffix(suffix, scope=None):
    """Variables whose name ends with `suffix`."""
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name, scope=None):
    """Variables whose last name component is `given_name`
    (`get_variables_by_name("weights")`)."""
    suffix = "/" + given_name + ":|^" + given_name + ":"
    return get_variables(scope=scope, suffix=suffix)


def get_unique_variable(var_op_name):
    """The one variable whose op name is `var_op_name`.

    Raises:
      VariableNotFoundError (a ValueError): none, or no exact match.
    """
    candidates = get_variables(scope=var_op_name)
    if not candidates:
        raise VariableNotFoundError(
            f"Couldn't find variable {var_op_name!r}; list them with "
            "slim.get_variables().")
    for candidate in candidates:
        if candidate.op.name == var_op_name:
            return candidate
    raise VariableNotFoundError(
        f"Variable {var_op_name!r} does not uniquely identify a variable "
        f"(prefix of {[v.op.name for v in candidates]}).")


def get_variable_full_name(var):
    """The variable's name in a checkpoint (`op.name`; the full name of a
    partitioned variable's slice)."""
    info = getattr(var, "_save_slice_info", None)
    if info:
        return info.full_name
    return var.op.name


def get_or_create_global_step(graph=None):
    """`tf.train.get_or_create_global_step`."""
    return v1.train.get_or_create_global_step(graph)


def get_global_step(graph=None):
    """`tf.train.get_global_step` (None if there is none)."""
    return v1.train.get_global_step(graph)


def create_global_step(graph=None):
    """`tf.train.create_global_step` (ValueError if one exists)."""
    return v1.train.create_global_step(graph)


def assert_global_step(global_step_tensor):
    """`tf.train.assert_global_step`."""
    return v1.train.assert_global_step(global_step_tensor)


def list_variables(checkpoint_dir):
    """[(name, shape)] of a checkpoint (prefix or directory)."""
    return tf2.train.list_variables(_resolve(checkpoint_dir))


def load_variable(checkpoint_dir, name):
    """The numpy value of `name` in a checkpoint (prefix or directory)."""
    if name.endswith(":0"):
        name = name[:-2]
    return tf2.train.load_variable(_resolve(checkpoint_dir), name)


def init_from_checkpoint(checkpoint_dir, assignment_map):
    """`tf.train.init_from_checkpoint`: overrides the initializers of the
    mapped variables so `global_variables_initializer()` loads them."""
    return v1.train.init_from_checkpoint(_resolve(checkpoint_dir),
                                         assignment_map)


def _resolve(path):
    from tf1_dnn.checkpoints import resolve_checkpoint
    return resolve_checkpoint(path)


def _checkpoint_names(var_list):
    """{checkpoint name: [variables]} from a list or a dict."""
    grouped = {}
    if isinstance(var_list, dict):
        for name, var in var_list.items():
            grouped.setdefault(name, []).append(var)
    else:
        for var in var_list:
            grouped.setdefault(get_variable_full_name(var), []).append(var)
    return grouped


def assign_from_checkpoint(model_path, var_list, ignore_missing_vars=False):
    """An op assigning checkpoint values to `var_list`, and its feed dict.

        init_assign_op, init_feed_dict = assign_from_checkpoint(path, vars)
        sess.run(init_assign_op, init_feed_dict)

    Args:
      model_path: a checkpoint prefix (or a directory / `.index` file).
      var_list: variables (restored under their op names) or a dict
        {checkpoint name: variable}.
      ignore_missing_vars: skip (with a log line) names the checkpoint lacks.

    Raises:
      VariableNotFoundError (a ValueError): a name missing from the
        checkpoint, with `ignore_missing_vars=False`.
      CheckpointError: no checkpoint, or a truncated one.
    """
    from tf1_dnn.checkpoints import read_checkpoint
    prefix = _resolve(model_path)
    grouped = _checkpoint_names(var_list)
    reader = tf2.train.load_checkpoint(prefix)
    present = reader.get_variable_to_shape_map()
    wanted = [name for name in grouped if name in present]
    missing = [name for name in grouped if name not in present]
    if missing and not ignore_missing_vars:
        raise VariableNotFoundError(
            f"Tensor(s) {missing} not found in checkpoint {prefix!r} (it "
            f"holds {len(present)} tensors). Pass ignore_missing_vars=True, "
            "or exclude them with get_variables_to_restore(exclude=[...]).")
    for name in missing:
        log.warning("tf1_dnn: variable %s missing in checkpoint %s", name,
                    prefix)
    values = read_checkpoint(prefix, wanted)
    assign_ops, feed_dict = [], {}
    for name in wanted:
        for var in grouped[name]:
            value = values[name]
            placeholder = v1.placeholder(
                dtype=var.dtype.base_dtype, shape=var.shape,
                name="placeholder/" + var.op.name)
            assign_ops.append(v1.assign(var, placeholder))
            feed_dict[placeholder] = value.reshape(value.shape)
    return v1.group(*assign_ops), feed_dict


def assign_from_checkpoint_fn(model_path, var_list, ignore_missing_vars=False,
                              reshape_variables=False):
    """A function `init_fn(session)` that restores `var_list` from
    `model_path` with a `tf.train.Saver` (tf1_dnn's, which loads TF 1.x
    checkpoints) -- what `slim.learning.train(init_fn=...)` takes.

    Returns None (with a warning) when nothing is left to restore.
    """
    from tf1_dnn.checkpoints import Saver
    if not var_list:
        raise InputError("assign_from_checkpoint_fn: var_list is empty; "
                         "pass the variables to restore.")
    if ignore_missing_vars:
        present = tf2.train.load_checkpoint(
            _resolve(model_path)).get_variable_to_shape_map()
        grouped = _checkpoint_names(var_list)
        if isinstance(var_list, dict):
            var_list = {k: v for k, v in var_list.items() if k in present}
        else:
            var_list = [v for name, vs in grouped.items() for v in vs
                        if name in present]
            for name in grouped:
                if name not in present:
                    log.warning("tf1_dnn: variable %s missing in checkpoint "
                                "%s", name, model_path)
    if not var_list:
        log.warning("tf1_dnn: no variables to restore from %s", model_path)
        return None
    saver = Saver(var_list, reshape=reshape_variables)

    def callback(session):
        saver.restore(session, model_path)

    return callback


def assign_from_values(var_names_to_values):
    """An op assigning numpy values to variables named by op name, and its
    feed dict (`sess.run(op, feed_dict)`)."""
    assign_ops, feed_dict = [], {}
    for name, value in var_names_to_values.items():
        var = get_unique_variable(name)
        placeholder = v1.placeholder(dtype=var.dtype.base_dtype,
                                     shape=var.shape,
                                     name="placeholder/" + var.op.name)
        assign_ops.append(v1.assign(var, placeholder))
        feed_dict[placeholder] = value
    return v1.group(*assign_ops, name="assign_from_values"), feed_dict


def assign_from_values_fn(var_names_to_values):
    """`init_fn(session)` running `assign_from_values`."""
    assign_op, feed_dict = assign_from_values(var_names_to_values)

    def callback(session):
        return session.run(assign_op, feed_dict)

    return callback
