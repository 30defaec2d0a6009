"""`tf.contrib.slim`: TF-Slim's namespace over tf1_dnn's contrib objects.

    import tensorflow.contrib.slim as slim       # with `python -m tf1_dnn run`
    slim = tf.contrib.slim                       # with `from tf1_dnn import tf`

    with slim.arg_scope([slim.conv2d, slim.fully_connected],
                        activation_fn=tf.nn.relu,
                        weights_regularizer=slim.l2_regularizer(0.0005)):
        net = slim.conv2d(images, 32, [5, 5], scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
        net = slim.flatten(net)
        logits = slim.fully_connected(net, 10, activation_fn=None,
                                      scope="logits")
    slim.losses.softmax_cross_entropy(logits, onehot_labels)
    train_op = slim.learning.create_train_op(slim.losses.get_total_loss(),
                                             tf.train.AdamOptimizer())
    slim.learning.train(train_op, "train_dir", number_of_steps=1000)

Every layer is the same object as in `tf.contrib.layers` (`slim.conv2d is
tf.contrib.layers.conv2d`), every variable helper the same as in
`tf.contrib.framework`; `slim.losses` is `tf.contrib.losses` and
`slim.metrics` is `tf.contrib.metrics`. Submodules: `learning`,
`evaluation`, `nets` (the model definitions: `slim.nets.vgg.vgg_16`, ...;
imported on first use). Not provided: `slim.data`, `slim.queues`,
`slim.model_analyzer` (an AttributeError names them).
"""

from tf1_dnn.contrib import losses, metrics
from tf1_dnn.contrib.framework import (  # noqa: F401
    ArgScopeError, VariableNotFoundError, add_arg_scope, add_model_variable,
    arg_scope, arg_scoped_arguments, assert_global_step,
    assign_from_checkpoint, assign_from_checkpoint_fn, assign_from_values,
    assign_from_values_fn, create_global_step, current_arg_scope,
    get_global_step, get_local_variables, get_model_variables,
    get_or_create_global_step, get_trainable_variables, get_unique_variable,
    get_variable_full_name, get_variables, get_variables_by_name,
    get_variables_by_suffix, get_variables_to_restore, global_variable,
    has_arg_scope, init_from_checkpoint, list_variables, load_variable,
    local_variable, model_variable, variable
)
from tf1_dnn.contrib.layers import (  # noqa: F401
    OPTIMIZER_CLS_NAMES, OPTIMIZER_SUMMARIES, apply_regularization,
    avg_pool2d, avg_pool3d, batch_norm, bias_add, conv1d, conv2d,
    conv2d_transpose, conv3d, conv3d_transpose, convolution, convolution1d,
    convolution2d, convolution2d_transpose, convolution3d,
    convolution3d_transpose, dropout, elu, embed_sequence, flatten,
    fully_connected, instance_norm, l1_l2_regularizer, l1_regularizer,
    l2_regularizer, layer_norm, linear, max_pool2d, max_pool3d,
    one_hot_encoding, optimize_loss, pool, relu, relu6, repeat,
    separable_conv2d, separable_convolution2d, softmax, stack,
    sum_regularizer, unit_norm, utils, variance_scaling_initializer,
    xavier_initializer, xavier_initializer_conv2d
)
from tf1_dnn.contrib.slim import evaluation, learning

__all__ = [
    "ArgScopeError", "OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES",
    "VariableNotFoundError", "add_arg_scope", "add_model_variable",
    "apply_regularization", "arg_scope", "arg_scoped_arguments",
    "assert_global_step", "assign_from_checkpoint",
    "assign_from_checkpoint_fn", "assign_from_values",
    "assign_from_values_fn", "avg_pool2d", "avg_pool3d", "batch_norm",
    "bias_add", "conv1d", "conv2d", "conv2d_transpose", "conv3d",
    "conv3d_transpose", "convolution", "convolution1d", "convolution2d",
    "convolution2d_transpose", "convolution3d", "convolution3d_transpose",
    "create_global_step", "current_arg_scope", "dropout", "elu",
    "embed_sequence", "evaluation", "flatten", "fully_connected",
    "get_global_step", "get_local_variables", "get_model_variables",
    "get_or_create_global_step", "get_trainable_variables",
    "get_unique_variable", "get_variable_full_name", "get_variables",
    "get_variables_by_name", "get_variables_by_suffix",
    "get_variables_to_restore", "global_variable", "has_arg_scope",
    "init_from_checkpoint", "instance_norm", "l1_l2_regularizer",
    "l1_regularizer", "l2_regularizer", "layer_norm", "learning", "linear",
    "list_variables", "load_variable", "local_variable", "losses",
    "max_pool2d", "max_pool3d", "metrics", "model_variable", "nets",
    "one_hot_encoding", "optimize_loss", "pool", "relu", "relu6", "repeat",
    "separable_conv2d", "separable_convolution2d", "softmax", "stack",
    "sum_regularizer", "unit_norm", "utils", "variable",
    "variance_scaling_initializer", "xavier_initializer",
    "xavier_initializer_conv2d"
]


def __getattr__(name):
    if name == "nets":
        import importlib  # noqa: PLC0415 - nets is imported on first use
        return importlib.import_module(__name__ + ".nets")
    if name.startswith("__"):
        raise AttributeError(name)
    from tf1_dnn.contrib import _missing
    raise _missing("slim", name)
