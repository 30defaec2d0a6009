"""One configuration's network in its own `tf.Graph`, in the chapter's style."""

from tf1_dnn.lab.settings import N_HIDDEN1, N_HIDDEN2, N_INPUTS, N_OUTPUTS

__all__ = ["Network", "build_network"]


class Network:
    """The tensors and ops `train_config` needs (attributes set by build)."""


def _activation(tf, name):
    from tf1_dnn.activations import leaky_relu  # the chapter's: alpha 0.01
    return {"logistic": tf.nn.sigmoid, "relu": tf.nn.relu,
            "leaky_relu": leaky_relu, "elu": tf.nn.elu,
            "selu": tf.nn.selu}[name]


def _initializer(tf, name):
    if name == "xavier":
        return None  # tf.layers.dense default: glorot_uniform
    if name == "he":
        return tf.variance_scaling_initializer(scale=2.0)
    return tf.variance_scaling_initializer()  # the pitfall: LeCun, scale 1.0


def _kernel_regularizer(tf, config):
    if config.max_norm is not None:
        from tf1_dnn.regularizers import max_norm_regularizer  # the chapter's
        return max_norm_regularizer(config.max_norm, axes=config.max_norm_axes)
    if config.l1:
        return tf.contrib.layers.l1_regularizer(config.l1)
    if config.l2:
        return tf.contrib.layers.l2_regularizer(config.l2)
    return None


def _learning_rate(tf, config, global_step):
    from tf1_dnn import schedules
    if config.schedule == "exponential":  # = tf.train.exponential_decay
        return schedules.exponential_decay(config.learning_rate, global_step,
                                           decay_steps=10000, decay_rate=1 / 10)
    if config.schedule == "power":  # = tf.train.inverse_time_decay
        return schedules.power_decay(config.learning_rate, global_step,
                                     decay_steps=1000, power=1.0)
    return tf.constant(config.learning_rate, name="learning_rate")


def _optimizer(tf, config, learning_rate):
    name = config.optimizer
    if name == "sgd":
        return tf.train.GradientDescentOptimizer(learning_rate)
    if name in ("momentum", "nesterov"):
        return tf.train.MomentumOptimizer(learning_rate, momentum=0.9,
                                          use_nesterov=name == "nesterov")
    if name == "adagrad":
        return tf.train.AdagradOptimizer(learning_rate)
    if name == "rmsprop":
        return tf.train.RMSPropOptimizer(learning_rate, momentum=0.9,
                                         decay=0.9, epsilon=1e-10)
    return tf.train.AdamOptimizer(learning_rate)


def build_network(config, seed):
    """Builds `config`'s network in a new `tf.Graph`, chapter style.

    Returns a `Network` with: graph, X, y, training, logits, base_loss, loss,
    accuracy, learning_rate, training_op, extra_update_ops (batch norm's
    UPDATE_OPS, run with every training step), clip_all_weights (max-norm
    ops, run after every step), summary (validation accuracy + loss),
    init, global_step.
    """
    from functools import partial

    from tf1_dnn import clipping, tf

    if config.table_11_2:
        return _build_default_dnn(config, seed)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        X = tf.placeholder(tf.float32, shape=(None, N_INPUTS), name="X")
        y = tf.placeholder(tf.int64, shape=(None,), name="y")
        training = tf.placeholder_with_default(False, shape=(), name="training")

        activation = _activation(tf, config.activation)
        my_dense_layer = partial(
            tf.layers.dense,
            kernel_initializer=_initializer(tf, config.initializer),
            kernel_regularizer=_kernel_regularizer(tf, config))
        my_batch_norm_layer = partial(tf.layers.batch_normalization,
                                      training=training,
                                      momentum=config.bn_momentum)
        my_dropout = partial(tf.layers.dropout, rate=config.dropout_rate,
                             training=training)

        with tf.name_scope("dnn"):
            inputs = my_dropout(X) if config.dropout_rate else X
            for i, units in enumerate((N_HIDDEN1, N_HIDDEN2), start=1):
                if config.batch_norm:
                    hidden = my_dense_layer(inputs, units, name=f"hidden{i}")
                    hidden = activation(my_batch_norm_layer(hidden))
                else:
                    hidden = my_dense_layer(inputs, units, activation=activation,
                                            name=f"hidden{i}")
                inputs = my_dropout(hidden) if config.dropout_rate else hidden
            logits = my_dense_layer(inputs, N_OUTPUTS, name="outputs")
            if config.batch_norm:
                logits = my_batch_norm_layer(logits)

        with tf.name_scope("loss"):
            xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=logits)
            base_loss = tf.reduce_mean(xentropy, name="avg_xentropy")
            reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
            loss = tf.add_n([base_loss] + reg_losses, name="loss")

        with tf.name_scope("train"):
            global_step = tf.Variable(0, trainable=False, name="global_step")
            learning_rate = _learning_rate(tf, config, global_step)
            optimizer = _optimizer(tf, config, learning_rate)
            if config.clip_threshold is not None:
                threshold = config.clip_threshold
                grads_and_vars = optimizer.compute_gradients(loss)
                capped_gvs = clipping.clip_by_value(grads_and_vars,
                                                    -threshold, threshold)
                training_op = optimizer.apply_gradients(
                    capped_gvs, global_step=global_step)
            else:
                training_op = optimizer.minimize(loss, global_step=global_step)

        with tf.name_scope("eval"):
            correct = tf.nn.in_top_k(logits, y, 1)
            accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

        summary = tf.summary.merge([
            tf.summary.scalar("validation_accuracy", accuracy),
            tf.summary.scalar("validation_loss", base_loss)])

        net = Network()
        net.graph = graph
        net.X, net.y, net.training = X, y, training
        net.logits, net.base_loss, net.loss = logits, base_loss, loss
        net.accuracy, net.learning_rate = accuracy, learning_rate
        net.global_step, net.training_op = global_step, training_op
        net.extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        net.clip_all_weights = tf.get_collection("max_norm")
        net.summary = summary
        net.init = tf.global_variables_initializer()
    graph.finalize()
    return net


def _build_default_dnn(config, seed):
    """Table 11-2's network from `tf1_dnn.defaults.default_dnn`."""
    from tf1_dnn import tf
    from tf1_dnn.defaults import default_dnn

    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        dnn = default_dnn(N_INPUTS, N_OUTPUTS, n_hidden=(N_HIDDEN1, N_HIDDEN2),
                          learning_rate=config.learning_rate, momentum=0.9,
                          dropout_rate=config.dropout_rate,
                          batch_norm_momentum=config.bn_momentum)
        net = Network()
        net.graph = graph
        net.X, net.y, net.training = dnn.X, dnn.y, dnn.training
        net.logits, net.loss = dnn.logits, dnn.loss
        net.base_loss = graph.get_tensor_by_name("loss/avg_xentropy:0")
        net.accuracy = dnn.accuracy
        net.learning_rate = tf.constant(config.learning_rate,
                                        name="learning_rate")
        net.global_step, net.training_op = None, dnn.training_op
        # default_dnn makes the batch-norm updates control dependencies of
        # training_op: running them again would update twice.
        net.extra_update_ops = []
        net.clip_all_weights = []
        net.summary = tf.summary.merge([
            tf.summary.scalar("validation_accuracy", net.accuracy),
            tf.summary.scalar("validation_loss", net.base_loss)])
        net.init = tf.global_variables_initializer()
    graph.finalize()
    return net
