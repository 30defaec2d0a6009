"""`tf.contrib.framework`: `arg_scope` and the variable helpers.

    from tf1_dnn import tf
    with tf.contrib.framework.arg_scope([tf.contrib.layers.conv2d],
                                        padding="VALID"):
        ...
    to_restore = tf.contrib.framework.get_variables_to_restore(
        exclude=["logits"])
    global_step = tf.contrib.framework.get_or_create_global_step()

The same objects are in `tf.contrib.slim` (`slim.arg_scope`,
`slim.get_variables_to_restore`, ...). See `tf1_dnn.contrib.arg_scope` and
`tf1_dnn.contrib.variables` for the rules and caveats.
"""

from tf1_dnn.contrib.arg_scope import (ArgScopeError, add_arg_scope,
                                       arg_scope, arg_scoped_arguments,
                                       current_arg_scope, has_arg_scope)
from tf1_dnn.contrib.variables import (
    VariableNotFoundError, add_model_variable, assert_global_step,
    assign_from_checkpoint, assign_from_checkpoint_fn, assign_from_values,
    assign_from_values_fn, create_global_step, get_global_step,
    get_local_variables, get_model_variables, get_or_create_global_step,
    get_trainable_variables, get_unique_variable, get_variable_full_name,
    get_variables, get_variables_by_name, get_variables_by_suffix,
    get_variables_to_restore, global_variable, init_from_checkpoint,
    list_variables, load_variable, local_variable, model_variable, variable)

__all__ = [
    "arg_scope", "add_arg_scope", "has_arg_scope", "arg_scoped_arguments",
    "current_arg_scope", "ArgScopeError", "variable", "model_variable",
    "local_variable", "global_variable", "add_model_variable",
    "get_variables", "get_model_variables", "get_local_variables",
    "get_trainable_variables", "get_variables_to_restore",
    "get_variables_by_suffix", "get_variables_by_name",
    "get_unique_variable", "get_variable_full_name",
    "get_or_create_global_step", "get_global_step", "create_global_step",
    "assert_global_step", "list_variables", "load_variable",
    "init_from_checkpoint", "assign_from_checkpoint",
    "assign_from_checkpoint_fn", "assign_from_values",
    "assign_from_values_fn", "VariableNotFoundError"]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    from tf1_dnn.contrib import _missing
    raise _missing("framework", name)
