"""Helpers shared by the `tf.contrib.layers` modules (contrib's `utils`).

The key one is `model_variable_getter`: contrib/slim layers build a
`tf.layers` class inside `variable_scope(..., custom_getter=getter)`, so the
class's `kernel`/`bias` become contrib's `weights`/`biases` and land in
`MODEL_VARIABLES` too -- exactly how TF 1.15's contrib and tf-slim delegated.
"""

from tf1_dnn._compat import v1
from tf1_dnn._cond import static_bool
from tf1_dnn.layers.base import InputError
from tf1_dnn.errors import InputTypeError

__all__ = ["variable_collections", "collect_named_outputs",
           "model_variable_getter", "add_variable_to_collections",
           "static_training", "input_error", "n_positive_integers",
           "tf_layers_arguments", "finish_layer"]

DATA_FORMAT_NHWC = "NHWC"
DATA_FORMAT_NCHW = "NCHW"
DATA_FORMAT_NDHWC = "NDHWC"
DATA_FORMAT_NCDHW = "NCDHW"

WEIGHTS_BIASES = {"kernel": "weights", "bias": "biases"}


def variable_collections(variables_collections, name):
    """contrib's `get_variable_collections`: a dict is looked up by name."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name, None)
    return variables_collections


def collect_named_outputs(collections, alias, outputs):
    """Adds `outputs` to `collections`, appending `alias` to `outputs.aliases`."""
    if collections:
        if alias.endswith("/"):
            alias = alias[:-1]
        aliases = getattr(outputs, "aliases", None)
        if aliases is None:
            outputs.aliases = [alias]
        else:
            aliases.append(alias)
        outputs.alias = alias
        for key in ([collections] if isinstance(collections, str)
                    else collections):
            v1.add_to_collection(key, outputs)
    return outputs


def model_variable_getter(rename=None):
    """A variable-scope custom getter: renames `kernel`->`weights` etc. and
    puts the variable in GLOBAL_VARIABLES and MODEL_VARIABLES."""

    def custom_getter(getter, name, *args, **kwargs):
        short = name.split("/")[-1]
        if rename and short in rename:
            name = "/".join(name.split("/")[:-1] + [rename[short]])
        collections = list(kwargs.pop("collections", None) or [])
        collections += [v1.GraphKeys.GLOBAL_VARIABLES,
                        v1.GraphKeys.MODEL_VARIABLES]
        kwargs["collections"] = list(dict.fromkeys(collections))
        return getter(name, *args, **kwargs)

    return custom_getter


def add_variable_to_collections(variable, collections_set, name):
    """Adds `variable` to the collections `collections_set` gives for `name`."""
    if variable is None:
        return
    for key in variable_collections(collections_set, name) or []:
        if not any(v is variable for v in v1.get_collection(key)):
            v1.add_to_collection(key, variable)


def tf_layers_arguments(sc, inputs, normalizer_fn, weights_initializer,
                        weights_regularizer, biases_initializer,
                        biases_regularizer, trainable, reuse):
    """The `tf.layers` class arguments a contrib layer passes (TF 1.15's
    mapping, shared by `fully_connected`, `convolution` and the transposed
    convolutions): no activation (contrib applies `activation_fn` after the
    normalizer), a bias only without `normalizer_fn` and with a
    `biases_initializer`, `weights_*`/`biases_*` as `kernel_*`/`bias_*`, the
    input's dtype, and the variable scope `sc` the contrib layer opened."""
    return dict(activation=None,
                use_bias=bool(not normalizer_fn and biases_initializer),
                kernel_initializer=weights_initializer,
                bias_initializer=biases_initializer,
                kernel_regularizer=weights_regularizer,
                bias_regularizer=biases_regularizer, trainable=trainable,
                name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
                _reuse=reuse)


def finish_layer(layer, outputs, variables_collections, normalizer_fn,
                 normalizer_params, activation_fn, outputs_collections,
                 scope_name, kernels=("kernel",)):
    """The end of a contrib layer built on a `tf.layers` class: its kernels
    (`kernels`: attribute names) and bias go to `variables_collections`
    ("weights", "biases"), then `normalizer_fn`, then `activation_fn`, then
    the output goes to `outputs_collections` under the alias `scope_name`."""
    for attr in kernels:
        add_variable_to_collections(getattr(layer, attr, None),
                                    variables_collections, "weights")
    add_variable_to_collections(getattr(layer, "bias", None),
                                variables_collections, "biases")
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return collect_named_outputs(outputs_collections, scope_name, outputs)


def static_training(pred, layer):
    """`is_training` as a bool/None (tensor); `None` itself is an error."""
    if isinstance(pred, bool):
        return pred
    if pred is None:
        raise InputTypeError(
            f"{layer}: is_training must be a Python bool or a boolean tensor, "
            "got None. Pass e.g. tf.placeholder_with_default(False, shape=()).")
    return static_bool(pred)


def input_error(layer, inputs, problem, fix):
    """The `InputError` (a ValueError) for a bad input tensor."""
    return InputError(
        f"{layer} got an input of shape {inputs.shape} and dtype "
        f"{inputs.dtype.name} ({inputs.name}): {problem}. {fix}")


def check_rank(layer, inputs, ranks, fix):
    """Raises `InputError` unless `inputs` has one of `ranks`."""
    rank = inputs.shape.ndims
    if rank is None or rank not in ranks:
        expected = " or ".join(str(r) for r in ranks)
        raise input_error(layer, inputs,
                          f"expected an input of rank {expected}, got "
                          f"{'unknown' if rank is None else rank}", fix)


def n_positive_integers(n, value):
    """`value` (an int or a sequence of n ints) as a tuple of n ints."""
    if isinstance(value, int):
        value = (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n or any(v <= 0 for v in value):
        raise InputError(
            f"expected {n} positive integers (or one int), got {value!r}.")
    return value
