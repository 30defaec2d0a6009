"""`tf.contrib.slim.nets.inception`: the Inception networks under one
namespace, as TF 1.15 had it. tf1_dnn provides Inception v1
(`inception_v1`, `inception_v1_base`, `inception_v1_arg_scope`); v2 and v3
raise an AttributeError naming them."""

from tf1_dnn.contrib.slim.nets.inception_v1 import (inception_v1,
                                                    inception_v1_arg_scope,
                                                    inception_v1_base)

__all__ = ["inception_v1", "inception_v1_arg_scope", "inception_v1_base"]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        f"tf.contrib.slim.nets.inception.{name} is not provided by tf1_dnn "
        "(it has inception_v1, inception_v1_base and inception_v1_arg_scope; "
        "not Inception v2/v3). If your code needs it, please open an issue "
        "with the line that uses it.")
