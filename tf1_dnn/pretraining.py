"""Pretraining: greedy layer-wise autoencoders, and an auxiliary task.

Unsupervised pretraining (chapter 11, figure 11-5): train one shallow
autoencoder per hidden layer, each on the codings of the layer below, then
stack the encoders' weights into a DNN and fine-tune it on the few labels::

    pre = greedy_layerwise_pretrain(X_unlabelled, [300, 100])
    logits = build_pretrained_dnn(X, pre.weights, n_outputs=10)

Pretraining on an auxiliary task (exercise 10): train two DNN towers
(`DNN_A`, `DNN_B`) to tell whether two images are of the same class --
labels that are cheap to make -- then reuse `DNN_A`'s layers, frozen, under a
new softmax layer trained on a small labelled set::

    X1, X2, same = make_pairs(X_train, y_train, 5000)
    aux = pretrain_on_pairs(X1, X2, same, save_path="aux.ckpt")
    result = train_on_reused_layers(X_small, y_small, aux.save_path)

Each phase builds its own graph and session, so nothing here touches the
default graph.

Caveats:
  - Phase k of the greedy scheme trains on the codings of the frozen layers
    below it, computed once (the "caching the frozen layers" idea).
  - The decoder of each phase is thrown away; only the encoder (kernel, bias)
    is reused.
  - `build_pretrained_dnn` stores the weights as constant initializers: the
    graph (and `.meta`) carries a copy of them.
"""

import numpy as np

from tf1_dnn._compat import tf2, v1
from tf1_dnn import layers
from tf1_dnn.reuse import restore_saver_for, trainable_in_scope
from tf1_dnn.errors import InputError

__all__ = ["PretrainResult", "greedy_layerwise_pretrain",
           "build_pretrained_dnn", "make_pairs", "AuxiliaryResult",
           "pretrain_on_pairs", "ReuseResult", "train_on_reused_layers",
           "session_config"]


def session_config():
    """One thread each for intra/inter-op parallelism (shared machines)."""
    return v1.ConfigProto(intra_op_parallelism_threads=1,
                          inter_op_parallelism_threads=1)


def _batches(rng, n, batch_size, n_steps):
    for _ in range(n_steps):
        yield rng.randint(0, n, batch_size)


class PretrainResult:
    """Attributes:
      weights: [(kernel, bias)] numpy arrays, one per hidden layer.
      losses: [(first, last)] reconstruction MSE of each phase, on all data.
    """

    def __init__(self, weights, losses):
        self.weights = weights
        self.losses = losses


def greedy_layerwise_pretrain(X, layer_sizes, activation=v1.nn.elu,
                              n_steps=300, batch_size=100,
                              learning_rate=0.01, seed=42, config=None):
    """Greedy layer-wise unsupervised pretraining with shallow autoencoders.

    Phase k trains `codings = activation(inputs @ W_k + b_k)`,
    `reconstruction = codings @ W'_k + b'_k` to minimize the MSE
    `mean((reconstruction - inputs)^2)` with Adam, where `inputs` are the
    data for k = 1 and the codings of phase k-1 otherwise.

    Args:
      X: float array [n_instances, n_features] (unlabelled data).
      layer_sizes: units of each hidden layer, bottom first.

    Returns:
      A `PretrainResult`.
    """
    X = np.asarray(X, np.float32)
    if X.ndim != 2:
        raise InputError(f"X must be 2-D [instances, features], got shape "
                         f"{X.shape}: flatten images first, e.g. "
                         "X.reshape(len(X), -1).")
    rng = np.random.RandomState(seed)
    inputs, weights, losses = X, [], []
    for k, units in enumerate(layer_sizes, start=1):
        with tf2.Graph().as_default():
            v1.set_random_seed(seed + k)
            X_in = v1.placeholder(v1.float32, (None, inputs.shape[1]),
                                  name="X")
            hidden = layers.dense(X_in, units, activation=activation,
                                  name=f"hidden{k}")
            recon = layers.dense(hidden, inputs.shape[1], name="outputs")
            loss = v1.reduce_mean(v1.square(recon - X_in), name="mse")
            train = v1.train.AdamOptimizer(learning_rate).minimize(loss)
            with v1.Session(config=config or session_config()) as sess:
                sess.run(v1.global_variables_initializer())
                first = sess.run(loss, {X_in: inputs})
                for idx in _batches(rng, len(inputs), batch_size, n_steps):
                    sess.run(train, {X_in: inputs[idx]})
                last = sess.run(loss, {X_in: inputs})
                kernel, bias = sess.run(
                    [v1.get_default_graph().get_tensor_by_name(
                        f"hidden{k}/kernel:0"),
                     v1.get_default_graph().get_tensor_by_name(
                         f"hidden{k}/bias:0")])
                inputs = sess.run(hidden, {X_in: inputs})
        weights.append((kernel, bias))
        losses.append((float(first), float(last)))
    return PretrainResult(weights, losses)


def build_pretrained_dnn(X, weights, n_outputs, activation=v1.nn.elu,
                         trainable=True, names=None):
    """Stacks pretrained (kernel, bias) pairs and adds a new output layer.

    Hidden layer k is `tf1_dnn.layers.dense(..., name="hidden<k>")` whose
    kernel and bias are initialized to the pretrained values; the output
    layer `outputs` is new (Glorot init). Returns the logits.

    Args:
      trainable: False freezes the pretrained layers (only `outputs` trains).
    """
    names = names or [f"hidden{k}" for k in range(1, len(weights) + 1)]
    h = X
    for name, (kernel, bias) in zip(names, weights):
        if v1.dimension_value(h.shape[-1]) != kernel.shape[0]:
            raise InputError(
                f"Layer {name}: its input has {h.shape[-1]} features, the "
                f"pretrained kernel expects {kernel.shape[0]}.")
        h = layers.dense(h, kernel.shape[1], activation=activation,
                         kernel_initializer=v1.constant_initializer(kernel),
                         bias_initializer=v1.constant_initializer(bias),
                         trainable=trainable, name=name)
    return layers.dense(h, n_outputs, name="outputs")


def make_pairs(X, y, n_pairs, rng=None, same_fraction=0.5):
    """Pairs of instances and whether they are of the same class.

    Returns (X1, X2, same) with `same` a float32 column [n_pairs, 1] of 0/1;
    `same_fraction` of the pairs are same-class.
    """
    rng = rng if rng is not None else np.random.RandomState(42)
    X, y = np.asarray(X), np.asarray(y)
    by_class = {c: np.flatnonzero(y == c) for c in np.unique(y)}
    n_same = int(round(n_pairs * same_fraction))
    i1 = rng.randint(0, len(X), n_pairs)
    i2 = np.empty(n_pairs, np.int64)
    for j, a in enumerate(i1):
        if j < n_same:
            i2[j] = rng.choice(by_class[y[a]])
        else:
            others = rng.randint(0, len(X))
            while y[others] == y[a]:
                others = rng.randint(0, len(X))
            i2[j] = others
    same = (y[i1] == y[i2]).astype(np.float32).reshape(-1, 1)
    order = rng.permutation(n_pairs)
    return X[i1][order], X[i2][order], same[order]


def _tower(X, hidden_sizes, activation, scope, trainable=True):
    with v1.variable_scope(scope):
        h = X
        for k, units in enumerate(hidden_sizes, start=1):
            h = layers.dense(h, units, activation=activation,
                             trainable=trainable, name=f"hidden{k}")
    return h


class AuxiliaryResult:
    """Attributes: save_path, accuracy_before, accuracy_after (pair task,
    on the training pairs), weights {variable name: array} of DNN_A."""

    def __init__(self, save_path, accuracy_before, accuracy_after, weights):
        self.save_path = save_path
        self.accuracy_before = accuracy_before
        self.accuracy_after = accuracy_after
        self.weights = weights


def pretrain_on_pairs(X1, X2, same, hidden_sizes=(100, 100),
                      activation=v1.nn.elu, n_steps=300, batch_size=100,
                      learning_rate=0.01, seed=42, save_path=None,
                      config=None):
    """Trains DNN_A(X1) and DNN_B(X2), concatenated under a 10-unit layer
    and one logit, to predict whether the pair is of the same class
    (sigmoid cross-entropy, Adam). Saves the checkpoint to `save_path`."""
    X1 = np.asarray(X1, np.float32)
    X2 = np.asarray(X2, np.float32)
    same = np.asarray(same, np.float32).reshape(-1, 1)
    rng = np.random.RandomState(seed)
    with tf2.Graph().as_default():
        v1.set_random_seed(seed)
        A = v1.placeholder(v1.float32, (None, X1.shape[1]), name="X1")
        B = v1.placeholder(v1.float32, (None, X2.shape[1]), name="X2")
        y = v1.placeholder(v1.float32, (None, 1), name="y")
        top = v1.concat([_tower(A, hidden_sizes, activation, "DNN_A"),
                         _tower(B, hidden_sizes, activation, "DNN_B")],
                        axis=1)
        hidden = layers.dense(top, 10, activation=activation, name="hidden")
        logits = layers.dense(hidden, 1, name="logits")
        loss = v1.reduce_mean(v1.nn.sigmoid_cross_entropy_with_logits(
            labels=y, logits=logits))
        accuracy = v1.reduce_mean(v1.cast(v1.equal(
            v1.cast(logits > 0, v1.float32), y), v1.float32))
        train = v1.train.AdamOptimizer(learning_rate).minimize(loss)
        saver = v1.train.Saver()
        feed_all = {A: X1, B: X2, y: same}
        with v1.Session(config=config or session_config()) as sess:
            sess.run(v1.global_variables_initializer())
            before = float(sess.run(accuracy, feed_all))
            for idx in _batches(rng, len(X1), batch_size, n_steps):
                sess.run(train, {A: X1[idx], B: X2[idx], y: same[idx]})
            after = float(sess.run(accuracy, feed_all))
            tower = v1.get_collection(v1.GraphKeys.TRAINABLE_VARIABLES,
                                      scope="DNN_A")
            weights = dict(zip([v.op.name for v in tower], sess.run(tower)))
            if save_path is not None:
                save_path = saver.save(sess, save_path)
    return AuxiliaryResult(save_path, before, after, weights)


class ReuseResult:
    """Attributes: accuracy (on the given evaluation data), restored
    {name: array} of DNN_A right after the restore, final weights."""

    def __init__(self, accuracy, restored, final, loss_before, loss_after):
        self.accuracy = accuracy
        self.restored = restored
        self.final = final
        self.loss_before = loss_before
        self.loss_after = loss_after


def train_on_reused_layers(X, y, checkpoint, hidden_sizes=(100, 100),
                           n_outputs=10, activation=v1.nn.elu, freeze=True,
                           n_steps=300, batch_size=50, learning_rate=0.01,
                           seed=42, X_eval=None, y_eval=None, config=None):
    """Rebuilds DNN_A, restores it from the auxiliary checkpoint (only the
    `DNN_A` scope), adds a new softmax output layer and trains on (X, y).

    With `freeze=True` only the new layer trains (`var_list`).
    """
    X = np.asarray(X, np.float32)
    y = np.asarray(y, np.int64)
    rng = np.random.RandomState(seed)
    with tf2.Graph().as_default():
        v1.set_random_seed(seed)
        X_in = v1.placeholder(v1.float32, (None, X.shape[1]), name="X")
        y_in = v1.placeholder(v1.int64, (None,), name="y")
        top = _tower(X_in, hidden_sizes, activation, "DNN_A")
        logits = layers.dense(top, n_outputs, name="new_outputs")
        loss = v1.reduce_mean(v1.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y_in, logits=logits))
        correct = v1.nn.in_top_k(logits, y_in, 1)
        accuracy = v1.reduce_mean(v1.cast(correct, v1.float32))
        optimizer = v1.train.AdamOptimizer(learning_rate)
        var_list = trainable_in_scope("new_outputs") if freeze else None
        train = optimizer.minimize(loss, var_list=var_list)
        restore = restore_saver_for("DNN_A")
        tower = v1.get_collection(v1.GraphKeys.GLOBAL_VARIABLES,
                                  scope="DNN_A")
        with v1.Session(config=config or session_config()) as sess:
            sess.run(v1.global_variables_initializer())
            restore.restore(sess, checkpoint)
            restored = dict(zip([v.op.name for v in tower], sess.run(tower)))
            loss_before = float(sess.run(loss, {X_in: X, y_in: y}))
            for idx in _batches(rng, len(X), batch_size, n_steps):
                sess.run(train, {X_in: X[idx], y_in: y[idx]})
            loss_after = float(sess.run(loss, {X_in: X, y_in: y}))
            final = dict(zip([v.op.name for v in tower], sess.run(tower)))
            eval_X = X if X_eval is None else np.asarray(X_eval, np.float32)
            eval_y = y if y_eval is None else np.asarray(y_eval, np.int64)
            acc = float(sess.run(accuracy, {X_in: eval_X, y_in: eval_y}))
    return ReuseResult(acc, restored, final, loss_before, loss_after)
