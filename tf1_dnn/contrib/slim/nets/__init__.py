"""`tf.contrib.slim.nets`: the model definitions of TF 1.15's
`tensorflow/contrib/slim/python/slim/nets/`, on tf1_dnn's contrib layers.

    from tensorflow.contrib.slim.nets import vgg      # python -m tf1_dnn run
    nets = tf.contrib.slim.nets                       # from tf1_dnn import tf
    with slim.arg_scope(nets.vgg.vgg_arg_scope()):
        logits, end_points = nets.vgg.vgg_16(images, num_classes=1000,
                                             is_training=False)
    slim.assign_from_checkpoint_fn("vgg_16.ckpt",
                                   slim.get_model_variables("vgg_16"))

Variable names and `end_points` keys are TF 1.15's exactly (checked against
tf-slim 1.1, the same code), so the published pretrained checkpoints
(vgg_16.ckpt, resnet_v1_50.ckpt, ...) restore. Families: `vgg`, `alexnet`,
`overfeat`, `resnet_utils`, `resnet_v1`, `resnet_v2`, `inception` (v1, v2,
v3; the modules `nets.inception_v1/2/3` import too) -- all of TF 1.15's.
Each submodule is imported on first use.
"""

import importlib

__all__ = ["alexnet", "inception", "overfeat", "resnet_utils", "resnet_v1",
           "resnet_v2", "vgg"]
_FAMILIES = frozenset(__all__)


def __getattr__(name):
    if name in _FAMILIES:
        return importlib.import_module(f"{__name__}.{name}")
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        f"tf.contrib.slim.nets.{name} is not provided by tf1_dnn (it has "
        f"{sorted(_FAMILIES)}). If your code needs it, please open an issue "
        "with the line that uses it.")


def __dir__():
    return sorted(set(globals()) | _FAMILIES)
