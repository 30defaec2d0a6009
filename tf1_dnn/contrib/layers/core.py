"""contrib's core layers: `fully_connected` (on `tf.layers.Dense`), `dropout`
(on `tf.layers.Dropout`), `flatten`, `linear`, `softmax`, `bias_add`,
`unit_norm`, `one_hot_encoding`, `repeat`, `stack`, `embed_sequence`.

Before (TF 1.x; `tensorflow.contrib` is gone in TF 2)::

    from tensorflow.contrib.layers import fully_connected, batch_norm
    hidden1 = fully_connected(X, 300, scope="hidden1",
                              normalizer_fn=batch_norm,
                              normalizer_params={"is_training": is_training})

After::

    from tf1_dnn.contrib.layers import fully_connected, batch_norm  # or
    from tf1_dnn import tf    # and keep tf.contrib.layers.fully_connected

Differences from `tf.layers` that bite (all mirrored):
  - variables are `<scope>/weights` and `<scope>/biases` (not kernel/bias),
    default scope `fully_connected`, `fully_connected_1`, ...; they are also
    in `tf.GraphKeys.MODEL_VARIABLES`. A regularizer's loss keeps the
    `tf.layers` name, `<scope>/kernel/Regularizer/...` (TF 1.15 delegated to
    `Dense`, which names it before contrib's getter renames the variable);
  - `activation_fn` defaults to **ReLU** (`tf.layers.dense`: linear) -- pass
    `activation_fn=None` for the logits layer (or use `linear`);
  - the default `weights_initializer` is Xavier uniform;
  - with a `normalizer_fn` there are no biases (beta plays their role);
  - `dropout` takes `keep_prob` (= 1 - rate) and `is_training=True` by
    default, the opposite of `tf.layers.dropout(training=False)`.
"""

import functools
import numbers

from tf1_dnn._compat import require_graph, v1
from tf1_dnn.contrib.framework import add_arg_scope
from tf1_dnn.contrib.layers._utils import (WEIGHTS_BIASES,
                                           collect_named_outputs,
                                           finish_layer, input_error,
                                           model_variable_getter,
                                           static_training,
                                           tf_layers_arguments,
                                           variable_collections)
from tf1_dnn.contrib.variables import model_variable
from tf1_dnn.initializers import xavier_initializer
from tf1_dnn.layers.core import Dense, Dropout
from tf1_dnn.layers.core import flatten as _layers_flatten
from tf1_dnn.errors import InputError, InputTypeError

__all__ = ["fully_connected", "linear", "relu", "relu6", "elu", "dropout",
           "flatten", "softmax", "bias_add", "unit_norm", "one_hot_encoding",
           "repeat", "stack", "embed_sequence"]


@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=v1.nn.relu,
                    normalizer_fn=None, normalizer_params=None,
                    weights_initializer=xavier_initializer(),
                    weights_regularizer=None,
                    biases_initializer=v1.zeros_initializer(),
                    biases_regularizer=None, reuse=None,
                    variables_collections=None, outputs_collections=None,
                    trainable=True, scope=None):
    """A fully connected layer: `activation_fn(normalizer_fn(x @ W [+ b]))`.

    Built on `tf1_dnn.layers.Dense` (as TF 1.15 did), with contrib's names:
    `<scope>/weights` `[n_in, num_outputs]` and `<scope>/biases`
    `[num_outputs]` (only without `normalizer_fn` and with a
    `biases_initializer`), in GLOBAL_VARIABLES, MODEL_VARIABLES and (if
    trainable) TRAINABLE_VARIABLES. Ops (`MatMul`, `BiasAdd`, `Relu`, and the
    normalizer's) live in the scope's name scope. Rank > 2 inputs are
    multiplied over their last axis (`Tensordot`).

    Args:
      inputs: float tensor `[batch, ..., n_in]` with a known last dimension.
      num_outputs: int, number of units.
      activation_fn: default `tf.nn.relu`; None for linear.
      normalizer_fn: e.g. `batch_norm`; called as
        `normalizer_fn(outputs, **normalizer_params)`.
      normalizer_params: dict of keyword arguments for `normalizer_fn`.
      weights_initializer: default `xavier_initializer()` (uniform).
      weights_regularizer, biases_regularizer: `w -> loss or None`; losses
        go to REGULARIZATION_LOSSES (name `<scope>/kernel/Regularizer/...`).
      biases_initializer: default zeros; None means no biases.
      reuse: reuse the variables of `scope` (which must then be given).
      variables_collections: list of extra collections for all variables, or
        dict `{"weights": [...], "biases": [...]}`.
      outputs_collections: collections to add the output to (with
        `outputs.alias = scope name`).
      trainable: add the variables to TRAINABLE_VARIABLES.
      scope: variable scope (default "fully_connected", made unique).

    Returns:
      The output tensor.

    Raises:
      ValueError: num_outputs not an int; InputError (a ValueError): an
        input of rank < 2, unknown last dimension or non-float dtype.
    """
    require_graph("tf.contrib.layers.fully_connected")
    if isinstance(num_outputs, bool) or not isinstance(
            num_outputs, numbers.Integral):
        raise InputTypeError(
            f"num_outputs should be an int, got {num_outputs!r} "
            f"({type(num_outputs).__name__}).")
    if num_outputs <= 0:
        raise InputError(
            f"fully_connected: num_outputs must be a positive integer, got "
            f"{num_outputs!r}.")
    if reuse and scope is None:
        raise InputError(
            "fully_connected: reuse=True needs scope=... (the name of the "
            "layer whose variables to reuse).")
    with v1.variable_scope(scope, "fully_connected", [inputs], reuse=reuse,
                           custom_getter=model_variable_getter(
                               WEIGHTS_BIASES)) as sc:
        inputs = v1.convert_to_tensor(inputs)
        shape = inputs.shape
        layer_name = f"fully_connected '{sc.name}'"
        if shape.ndims is not None and shape.ndims < 2:
            raise input_error(
                layer_name, inputs, "inputs must have rank >= 2 "
                "([batch_size, features])",
                "Reshape first, e.g. tf.reshape(X, [-1, n_inputs]).")
        if shape.ndims is None or v1.dimension_value(shape[-1]) is None:
            raise input_error(
                layer_name, inputs, "the last dimension must be known to "
                "create the weights", "Give the placeholder a static last "
                "dimension, e.g. tf.placeholder(tf.float32, shape=(None, 784)).")
        if not inputs.dtype.is_floating:
            raise input_error(
                layer_name, inputs, "fully_connected needs floating-point "
                "inputs", "Cast first, e.g. tf.cast(X, tf.float32).")
        layer = Dense(units=num_outputs, **tf_layers_arguments(
            sc, inputs, normalizer_fn, weights_initializer,
            weights_regularizer, biases_initializer, biases_regularizer,
            trainable, reuse))
        outputs = layer.apply(inputs)
        return finish_layer(layer, outputs, variables_collections,
                            normalizer_fn, normalizer_params, activation_fn,
                            outputs_collections, sc.name)


# contrib's presets (functools.partial of fully_connected, as TF 1.15).
linear = functools.partial(fully_connected, activation_fn=None)
relu = functools.partial(fully_connected, activation_fn=v1.nn.relu)
relu6 = functools.partial(fully_connected, activation_fn=v1.nn.relu6)
elu = functools.partial(fully_connected, activation_fn=v1.nn.elu)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True,
            outputs_collections=None, scope=None, seed=None):
    """`tf.contrib.layers.dropout`: `tf.layers.Dropout(rate=1 - keep_prob)`.

    In training, each element is kept with probability `keep_prob` and
    scaled by `1 / keep_prob`; otherwise the identity. Default scope
    "Dropout".

    Caveats:
      - `keep_prob` is the fraction to KEEP (`tf.layers.dropout` takes
        `rate` = 1 - keep_prob).
      - `is_training` defaults to **True**: pass a placeholder, or the layer
        also drops at test time.

    Raises:
      ValueError: a numeric keep_prob outside (0, 1].
      TypeError: `is_training=None`.
    """
    require_graph("tf.contrib.layers.dropout")
    if not isinstance(keep_prob, numbers.Real) and not v1.is_tensor(keep_prob):
        raise InputTypeError(
            f"dropout: keep_prob must be a number or a scalar tensor, got "
            f"{keep_prob!r} ({type(keep_prob).__name__}).")
    if isinstance(keep_prob, numbers.Real) and not 0.0 < keep_prob <= 1.0:
        raise InputError(
            f"dropout: keep_prob must be in (0, 1], got {keep_prob!r} "
            "(keep_prob is the fraction to KEEP; rate=0.1 is keep_prob=0.9).")
    static_training(is_training, "dropout")
    with v1.variable_scope(scope, "Dropout", [inputs],
                           custom_getter=model_variable_getter()) as sc:
        inputs = v1.convert_to_tensor(inputs)
        layer = Dropout(rate=1 - keep_prob, noise_shape=noise_shape,
                        seed=seed, name=sc.name, _scope=sc)
        outputs = layer.apply(inputs, training=is_training)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """`[batch, d1, ..., dk] -> [batch, d1 * ... * dk]` (`tf.layers.flatten`
    inside the name scope "Flatten").

    Raises:
      InputError: an input of rank < 2 or unknown rank.
    """
    with v1.name_scope(scope, "Flatten", [inputs]) as sc:
        inputs = v1.convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None or rank < 2:
            raise input_error(
                "flatten", inputs, "inputs must have a known rank >= 2",
                "Pass a batch [batch_size, ...] with a static rank.")
        outputs = _layers_flatten(inputs)
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def softmax(logits, scope=None):
    """Softmax over the last axis of an N-D tensor (reshaped to 2-D first)."""
    with v1.variable_scope(scope, "softmax", [logits]):
        logits = v1.convert_to_tensor(logits)
        rank = logits.shape.ndims
        n = None if rank is None or rank < 2 else \
            v1.dimension_value(logits.shape[-1])
        if n is None:
            raise input_error("softmax", logits, "logits need rank >= 2 and a "
                              "known last dimension (number of classes)",
                              "Give the logits a static shape.")
        predictions = v1.nn.softmax(v1.reshape(logits, [-1, n]))
        predictions = v1.reshape(predictions, v1.shape(logits))
        predictions.set_shape(logits.shape)
        return predictions


@add_arg_scope
def bias_add(inputs, activation_fn=None,
             initializer=v1.zeros_initializer(), regularizer=None,
             reuse=None, variables_collections=None, outputs_collections=None,
             trainable=True, data_format="NHWC", scope=None):
    """Adds a `biases` model variable (one per channel); usable as a
    `normalizer_fn`. Default scope "BiasAdd".

    Raises:
      ValueError: bad `data_format`; InputError: unknown rank, NCHW on a
        non 4-D input, or unknown channel dimension.
    """
    if data_format not in ("NCHW", "NHWC"):
        raise InputError(
            f"bias_add: data_format has to be either NCHW or NHWC, got "
            f"{data_format!r}.")
    with v1.variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = v1.convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise input_error("bias_add", inputs, "the rank must be known",
                              "Give the input a static shape.")
        if rank != 4 and data_format == "NCHW":
            raise input_error("bias_add", inputs, "data format NCHW only "
                              "supports 4-D tensors", "Use NHWC.")
        axis = 1 if data_format == "NCHW" else -1
        num_features = v1.dimension_value(inputs.shape[axis])
        if num_features is None:
            raise input_error("bias_add", inputs, "the channel (C) dimension "
                              "must be known", "Give the input a static shape.")
        biases = model_variable(
            "biases", shape=[num_features], dtype=inputs.dtype.base_dtype,
            initializer=initializer, regularizer=regularizer,
            collections=variable_collections(variables_collections, "biases"),
            trainable=trainable)
        outputs = v1.nn.bias_add(inputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def unit_norm(inputs, dim, epsilon=1e-7, scope=None):
    """`inputs / sqrt(epsilon + sum(inputs**2, axis=dim))`. Scope "UnitNorm".

    Raises:
      ValueError: unknown rank, or `dim` not in [0, rank).
    """
    with v1.variable_scope(scope, "UnitNorm", [inputs]):
        inputs = v1.convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise input_error("unit_norm", inputs, "the input rank must be "
                              "known", "Give the input a static shape.")
        if dim < 0 or dim >= rank:
            raise InputError(
                f"unit_norm: dim must be positive but smaller than the input "
                f"rank {rank}, got {dim}.")
        lengths = v1.sqrt(epsilon + v1.reduce_sum(v1.square(inputs), dim,
                                                  True))
        multiples = []
        if dim > 0:
            multiples.append(v1.ones([dim], v1.int32))
        multiples.append(v1.strided_slice(v1.shape(inputs), [dim],
                                          [dim + 1]))
        if dim < rank - 1:
            multiples.append(v1.ones([rank - 1 - dim], v1.int32))
        multiples = v1.concat(multiples, 0)
        return v1.div(inputs, v1.tile(lengths, multiples))


@add_arg_scope
def one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0,
                     outputs_collections=None, scope=None):
    """`tf.one_hot(tf.to_int64(labels), num_classes)` (float32 by default),
    name scope "OneHotEncoding"."""
    with v1.name_scope(scope, "OneHotEncoding", [labels, num_classes]) as sc:
        labels = v1.convert_to_tensor(labels)
        if labels.dtype == v1.int32:
            labels = v1.to_int64(labels)
        outputs = v1.one_hot(labels, num_classes, on_value=on_value,
                             off_value=off_value)
        return collect_named_outputs(outputs_collections, sc, outputs)


def _layer_name(layer, default):
    if hasattr(layer, "__name__"):
        return layer.__name__
    if hasattr(layer, "func") and hasattr(layer.func, "__name__"):
        return layer.func.__name__  # a functools.partial
    return default


def repeat(inputs, repetitions, layer, *args, **kwargs):
    """Applies `layer` `repetitions` times with the same arguments.

    `repeat(x, 3, conv2d, 64, [3, 3], scope="conv1")` builds
    `conv1/conv1_1`, `conv1/conv1_2`, `conv1/conv1_3`. Without `scope`, the
    outer scope is "Repeat" and the inner ones `<layer.__name__>_<i>`.

    Raises:
      ValueError: `repetitions` is not a positive int.
    """
    if not isinstance(repetitions, int) or repetitions < 1:
        raise InputError(
            f"repeat: repetitions must be a positive int, got {repetitions!r}.")
    scope = kwargs.pop("scope", None)
    with v1.variable_scope(scope, "Repeat", [inputs]):
        inputs = v1.convert_to_tensor(inputs)
        if scope is None:
            scope = _layer_name(layer, "repeat")
        outputs = inputs
        for i in range(repetitions):
            kwargs["scope"] = f"{scope}_{i + 1}"
            outputs = layer(outputs, *args, **kwargs)
        return outputs


@add_arg_scope
def stack(inputs, layer, stack_args, **kwargs):
    """Applies `layer` once per entry of `stack_args` (each an argument or a
    tuple of arguments), in scopes `<scope>/<scope>_1`, `_2`, ...

    `stack(x, fully_connected, [32, 64, 128], scope="fc")` is three layers
    `fc/fc_1`, `fc/fc_2`, `fc/fc_3`. Default outer scope "Stack".

    Raises:
      ValueError: `stack_args` is not a list or tuple.
    """
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise InputError(
            f"stack: stack_args need to be a list or tuple, got "
            f"{type(stack_args).__name__}.")
    with v1.variable_scope(scope, "Stack", [inputs]):
        inputs = v1.convert_to_tensor(inputs)
        if scope is None:
            scope = _layer_name(layer, "stack")
        outputs = inputs
        for i, layer_args in enumerate(stack_args):
            kwargs["scope"] = f"{scope}_{i + 1}"
            if not isinstance(layer_args, (list, tuple)):
                layer_args = [layer_args]
            outputs = layer(outputs, *layer_args, **kwargs)
        return outputs


def embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False,
                   initializer=None, regularizer=None, trainable=True,
                   scope=None, reuse=None):
    """Maps a `[batch, doc_length]` int tensor of ids to
    `[batch, doc_length, embed_dim]` through the model variable
    `<scope>/embeddings` `[vocab_size, embed_dim]` (default scope
    "EmbedSequence", default initializer Glorot uniform).

    Raises:
      ValueError: `vocab_size`/`embed_dim` missing when not reusing.
    """
    if not (reuse or (vocab_size and embed_dim)):
        raise InputError(
            "embed_sequence: must specify vocab_size and embed_dim when not "
            f"reusing. Got vocab_size={vocab_size} and embed_dim={embed_dim}.")
    with v1.variable_scope(scope, "EmbedSequence", [ids], reuse=reuse):
        shape = [vocab_size, embed_dim]
        if reuse and (vocab_size is None or embed_dim is None):
            shape = None
        embeddings = model_variable("embeddings", shape=shape,
                                    initializer=initializer,
                                    regularizer=regularizer,
                                    trainable=trainable)
        if unique:
            ids = v1.convert_to_tensor(ids)
            flat = v1.reshape(ids, [-1])
            uniq, idx = v1.unique(flat)
            looked = v1.nn.embedding_lookup(embeddings, uniq)
            out = v1.gather(looked, idx)
            return v1.reshape(out, v1.concat(
                [v1.shape(ids), v1.shape(looked)[1:]], 0))
        return v1.nn.embedding_lookup(embeddings, ids)
