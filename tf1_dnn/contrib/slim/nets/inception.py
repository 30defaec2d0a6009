"""`tf.contrib.slim.nets.inception`: the Inception networks under one
namespace, as TF 1.15 had it: `inception_v{1,2,3}`,
`inception_v{1,2,3}_base` and `inception_v{1,2,3}_arg_scope`."""

from tf1_dnn.contrib.slim.nets.inception_v1 import (inception_v1,
                                                    inception_v1_arg_scope,
                                                    inception_v1_base)
from tf1_dnn.contrib.slim.nets.inception_v2 import (inception_v2,
                                                    inception_v2_arg_scope,
                                                    inception_v2_base)
from tf1_dnn.contrib.slim.nets.inception_v3 import (inception_v3,
                                                    inception_v3_arg_scope,
                                                    inception_v3_base)

__all__ = ["inception_v1", "inception_v1_arg_scope", "inception_v1_base",
           "inception_v2", "inception_v2_arg_scope", "inception_v2_base",
           "inception_v3", "inception_v3_arg_scope", "inception_v3_base"]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        f"tf.contrib.slim.nets.inception.{name} is not provided by tf1_dnn "
        "(it has inception_v1, inception_v2 and inception_v3 with their "
        "_base and _arg_scope). If your code needs it, please open an issue "
        "with the line that uses it.")
