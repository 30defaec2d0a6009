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
`evaluation`. Not provided: `slim.nets`, `slim.data`, `slim.queues`,
`slim.model_analyzer` (an AttributeError names them).
"""

from tf1_dnn.contrib import losses, metrics  # noqa: F401  (slim.losses/metrics)
from tf1_dnn.contrib.framework import *  # noqa: F401,F403
from tf1_dnn.contrib.framework import __all__ as _framework_all
from tf1_dnn.contrib.layers import *  # noqa: F401,F403
from tf1_dnn.contrib.layers import __all__ as _layers_all
from tf1_dnn.contrib.slim import evaluation, learning  # noqa: F401

__all__ = sorted(set(_framework_all) | set(_layers_all)
                 | {"losses", "metrics", "learning", "evaluation"})


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    from tf1_dnn.contrib import _missing
    raise _missing("slim", name)
