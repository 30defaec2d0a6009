"""`tf.contrib.layers.utils` = `slim.utils`: the end-point helpers slim
network code uses.

    end_points_collection = sc.original_name_scope + "_end_points"
    with slim.arg_scope([slim.conv2d, slim.max_pool2d],
                        outputs_collections=end_points_collection):
        net = slim.conv2d(inputs, 64, [3, 3], scope="conv1")
        ...
    end_points = slim.utils.convert_collection_to_dict(end_points_collection)
    end_points["vgg_16/conv1"]           # keyed by the layer's scope (its alias)
"""

import collections

from tf1_dnn._compat import v1
from tf1_dnn.contrib.layers._utils import (collect_named_outputs,
                                           n_positive_integers)
from tf1_dnn.errors import InputError

__all__ = ["collect_named_outputs", "append_tensor_alias",
           "get_tensor_aliases", "convert_collection_to_dict",
           "get_variable_collections", "last_dimension",
           "two_element_tuple", "n_positive_integers"]


def append_tensor_alias(tensor, alias):
    """Appends `alias` (trailing "/" dropped) to `tensor.aliases`."""
    if alias.endswith("/"):
        alias = alias[:-1]
    if hasattr(tensor, "aliases"):
        tensor.aliases.append(alias)
    else:
        tensor.aliases = [alias]
    return tensor


def get_tensor_aliases(tensor):
    """`tensor.aliases`, or `[tensor.name]` without any."""
    if hasattr(tensor, "aliases"):
        return list(tensor.aliases)
    return [tensor.name]


def convert_collection_to_dict(collection, clear_collection=False):
    """An OrderedDict `{alias: tensor}` of a collection's tensors."""
    output = collections.OrderedDict(
        (alias, tensor) for tensor in v1.get_collection(collection)
        for alias in get_tensor_aliases(tensor))
    if clear_collection:
        v1.get_default_graph().clear_collection(collection)
    return output


def get_variable_collections(variables_collections, name):
    """A dict is looked up by variable name; a list applies to all."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name, None)
    return variables_collections


def last_dimension(shape, min_rank=1):
    """The static last dimension of `shape`.

    Raises:
      ValueError: unknown rank, rank < `min_rank`, or unknown last dimension.
    """
    dims = v1.TensorShape(shape).dims
    if dims is None:
        raise InputError("dims of shape must be known but is None")
    if len(dims) < min_rank:
        raise InputError(f"rank of shape must be at least {min_rank} not: "
                         f"{len(dims)}")
    value = v1.dimension_value(dims[-1])
    if value is None:
        raise InputError("last dimension shape must be known but is None")
    return value


def two_element_tuple(int_or_tuple):
    """`(a, a)` from an int, `(a, b)` from a pair (or a TensorShape)."""
    if isinstance(int_or_tuple, (list, tuple)):
        if len(int_or_tuple) != 2:
            raise InputError(f"Must be a list with 2 elements: {int_or_tuple}")
        return int(int_or_tuple[0]), int(int_or_tuple[1])
    if isinstance(int_or_tuple, int):
        return int(int_or_tuple), int(int_or_tuple)
    if isinstance(int_or_tuple, v1.TensorShape) and len(int_or_tuple) == 2:
        return (v1.dimension_value(int_or_tuple[0]),
                v1.dimension_value(int_or_tuple[1]))
    raise InputError("Must be an int, a list with 2 elements or a "
                     f"TensorShape of length 2, got {int_or_tuple!r}.")
