"""The default DNN configuration of chapter 11 (table 11-2) as one call.

    Initialization        He initialization
    Activation function   ELU
    Normalization         Batch Normalization
    Regularization        Dropout
    Optimizer             Nesterov Accelerated Gradient
    Learning rate sched.  None

Variants the chapter lists:

* `variant="fast"` -- for a lightning-fast model at runtime: no batch
  normalization, leaky ReLU (alpha 0.01) instead of ELU.
* `variant="sparse"` -- for a sparse model: l1 regularization on the
  kernels, and FTRL (with l1 regularization strength) instead of NAG.

Example::

    from tf1_dnn import tf
    from tf1_dnn.defaults import default_dnn

    dnn = default_dnn(n_inputs=28 * 28, n_outputs=10, dropout_rate=0.2)
    with tf.Session() as sess:
        dnn.init.run()
        sess.run(dnn.training_op, {dnn.X: X_batch, dnn.y: y_batch,
                                   dnn.training: True})
        acc = dnn.accuracy.eval({dnn.X: X_test, dnn.y: y_test})

Graph names: placeholders `X`, `y` (int, class ids) and `training`
(bool, default False); layers `dnn/hidden1`, `dnn/bn1`, ..., `dnn/outputs`
(variables `hidden1/kernel`, `bn1/gamma`, ...); `loss/loss`, `eval/accuracy`;
the optimizer ops under `train/`.

Caveats:
  - The batch-norm update ops are already control dependencies of
    `training_op` (unlike the chapter's listing, which runs
    `extra_update_ops` itself); running them again does a second update.
  - Feed `training: True` for training steps: it switches batch norm to
    batch statistics and turns dropout on. Evaluation uses the default False.
  - The kernels of the batch-normalized layers keep their bias, as the
    chapter's listing does (redundant with beta, harmless).
"""

import collections

from tf1_dnn._compat import require_graph, v1
from tf1_dnn import layers
from tf1_dnn.activations import leaky_relu
from tf1_dnn.regularizers import l1_regularizer
from tf1_dnn.errors import InputError

__all__ = ["default_dnn", "DNN", "TABLE_11_2", "VARIANTS"]

TABLE_11_2 = {
    "initialization": "He initialization",
    "activation": "ELU",
    "normalization": "Batch Normalization",
    "regularization": "Dropout",
    "optimizer": "Nesterov Accelerated Gradient",
    "learning_rate_schedule": None,
}

VARIANTS = {
    "default": dict(activation="elu", batch_norm=True, l1=False,
                    optimizer="nesterov"),
    "fast": dict(activation="leaky_relu", batch_norm=False, l1=False,
                 optimizer="nesterov"),
    "sparse": dict(activation="elu", batch_norm=True, l1=True,
                   optimizer="ftrl"),
}

DNN = collections.namedtuple(
    "DNN", ["X", "y", "training", "logits", "loss", "training_op",
            "accuracy", "init", "extra_update_ops", "config"])


def default_dnn(n_inputs, n_outputs, n_hidden=(300, 100), variant="default",
                learning_rate=0.01, momentum=0.9, dropout_rate=0.0,
                batch_norm_momentum=0.9, l1_scale=0.001, seed=None):
    """Builds table 11-2's network in the default graph.

    Args:
      n_inputs: number of input features.
      n_outputs: number of classes.
      n_hidden: sizes of the hidden layers.
      variant: "default", "fast" or "sparse" (see the module docstring).
      learning_rate: optimizer learning rate.
      momentum: NAG momentum (ignored by FTRL).
      dropout_rate: fraction dropped on the inputs and after each hidden
        layer in training; 0 disables dropout (table 11-2's "Dropout" row).
      batch_norm_momentum: moving-average momentum of batch norm.
      l1_scale: l1 regularization for the "sparse" variant (kernel
        regularizer and FTRL's `l1_regularization_strength`).
      seed: Python int; layer i uses op-level seed `seed + i` for its He
        initializer and dropout (the output layer: LeCun init, as a softmax
        layer has no ReLU-family activation).

    Returns:
      A `DNN` namedtuple: `X`, `y`, `training`, `logits`, `loss`,
      `training_op`, `accuracy`, `init` (global variables initializer),
      `extra_update_ops` (batch-norm updates, already run by `training_op`)
      and `config` (the settings used).

    Raises:
      ValueError: unknown variant, empty `n_hidden`, or a dropout rate
        outside [0, 1).
    """
    require_graph("tf1_dnn.defaults.default_dnn")
    if variant not in VARIANTS:
        raise InputError(
            f"default_dnn: unknown variant {variant!r}; use one of "
            f"{sorted(VARIANTS)}.")
    n_hidden = list(n_hidden)
    if not n_hidden:
        raise InputError("default_dnn: n_hidden must list at least one "
                         "hidden layer size, e.g. (300, 100).")
    if not 0.0 <= dropout_rate < 1.0:
        raise InputError(
            f"default_dnn: dropout_rate must be in [0, 1), got "
            f"{dropout_rate!r} (the fraction to DROP).")
    settings = VARIANTS[variant]
    config = dict(settings, variant=variant, n_hidden=tuple(n_hidden),
                  learning_rate=learning_rate, dropout_rate=dropout_rate)
    activation = v1.nn.elu if settings["activation"] == "elu" else leaky_relu
    regularizer = l1_regularizer(l1_scale) if settings["l1"] else None

    X = v1.placeholder(v1.float32, shape=(None, n_inputs), name="X")
    y = v1.placeholder(v1.int64, shape=(None,), name="y")
    training = v1.placeholder_with_default(False, shape=(), name="training")

    with v1.name_scope("dnn") as dnn_scope:
        inputs = X
        for i, units in enumerate(n_hidden, start=1):
            layer_seed = None if seed is None else seed + i
            if dropout_rate:
                inputs = layers.dropout(inputs, dropout_rate, seed=layer_seed,
                                        training=training, name=f"drop{i}")
            he_init = v1.variance_scaling_initializer(scale=2.0,
                                                      seed=layer_seed)
            hidden = layers.dense(inputs, units, kernel_initializer=he_init,
                                  kernel_regularizer=regularizer,
                                  name=f"hidden{i}")
            if settings["batch_norm"]:
                hidden = layers.batch_normalization(
                    hidden, training=training, momentum=batch_norm_momentum,
                    name=f"bn{i}")
            inputs = activation(hidden)
        out_seed = None if seed is None else seed + len(n_hidden) + 1
        if dropout_rate:
            inputs = layers.dropout(inputs, dropout_rate, seed=out_seed,
                                    training=training, name="drop_out")
        logits = layers.dense(
            inputs, n_outputs, kernel_regularizer=regularizer,
            kernel_initializer=v1.variance_scaling_initializer(seed=out_seed),
            name="outputs")

    with v1.name_scope("loss"):
        xentropy = v1.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits)
        base_loss = v1.reduce_mean(xentropy, name="avg_xentropy")
        reg_losses = v1.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES,
                                       scope=dnn_scope)
        loss = v1.add_n([base_loss] + reg_losses, name="loss")

    with v1.name_scope("train"):
        if settings["optimizer"] == "ftrl":
            optimizer = v1.train.FtrlOptimizer(
                learning_rate, l1_regularization_strength=l1_scale)
        else:
            optimizer = v1.train.MomentumOptimizer(
                learning_rate, momentum=momentum, use_nesterov=True)
        extra_update_ops = v1.get_collection(v1.GraphKeys.UPDATE_OPS,
                                             scope=dnn_scope)
        with v1.control_dependencies(extra_update_ops):
            training_op = optimizer.minimize(loss)

    with v1.name_scope("eval"):
        correct = v1.nn.in_top_k(logits, y, 1)
        accuracy = v1.reduce_mean(v1.cast(correct, v1.float32),
                                  name="accuracy")

    init = v1.global_variables_initializer()
    return DNN(X, y, training, logits, loss, training_op, accuracy, init,
               extra_update_ops, config)
