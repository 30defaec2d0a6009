"""The chapter's dense networks (W1-W3, F-feed, F-cache) on the TensorFlow
variants: the book's construction phase on the official or tf1_dnn layers
(`run_legacy`), and tf1_dnn's in-graph loop (`run_library`).

A workload module gives `WORKLOADS` (name -> spec), `VARIANTS` (those it
supports), `QUICK` (its --quick data sizes), `flops(spec, n)` and
`run(variant, name, spec, data, n_epochs)`; `benchmarks.bench` collects them.
"""

import os

import numpy as np

from benchmarks.common import LEARNING_RATE, SEED, shuffle_batch, time_epochs

WORKLOADS = {
    "W1": dict(layers=[300, 100], act="leaky_relu", bn=False, batch=50,
               clip=None, init=None),
    "W2": dict(layers=[300, 100], act="elu", bn=True, batch=200, clip=None,
               init="he"),
    "W3": dict(layers=[300, 50, 50, 50, 50], act="relu", bn=False, batch=200,
               clip=1.0, init=None),
    "F-feed": dict(layers=[300, 50, 50, 20], act="relu", bn=False, batch=50,
                   clip=None, init=None, frozen=2, cache=False),
    "F-cache": dict(layers=[300, 50, 50, 20], act="relu", bn=False,
                    batch=50, clip=None, init=None, frozen=2, cache=True),
}
VARIANTS = ["official", "legacy-stock", "legacy", "legacy-1t", "library",
            "pytorch"]
# --quick (CI): 5 500 training images, the 5 000 validation images.
QUICK = dict(n_train=5500, n_valid=None)


# Below this many dense-layer FLOPs per tower and step, splitting a batch
# costs more than it gains (F-cache: 0.9 MFLOP per step, 0.019 s per epoch
# with 2 towers vs 0.014 s with one; W1: 56 MFLOP, 2 towers pay).
MIN_TOWER_FLOPS = 5e6


def library_plan(spec, cpu_count=None):
    """(towers, intra-op threads) the library variant uses for a workload.

    One tower per core, as long as each tower keeps `MIN_TOWER_FLOPS` of
    work per step; towers need one intra-op thread (docs/performance.md)
    and are not allowed with batch norm. Else one tower and TensorFlow's
    default threads (0).
    """
    cpus = cpu_count or os.cpu_count() or 1
    per_step = dense_flops(spec, spec["batch"])
    towers = min(cpus, spec["batch"], int(per_step // MIN_TOWER_FLOPS))
    if spec["bn"] or towers < 2:
        return 1, 0
    return towers, 1


def dense_flops(spec, n):
    """FLOPs of one training epoch over n examples (dense layers only).

    Per layer of shape (in, out) and example: 2*in*out forward (skipped for
    frozen layers when training on cached activations), 2*in*out for the
    weight gradient if the layer is trained, 2*in*out for the input gradient
    if a trained layer lies below.
    """
    sizes = [784] + list(spec["layers"]) + [10]
    frozen = spec.get("frozen", 0)
    total = 0
    for k in range(len(sizes) - 1):
        mac = sizes[k] * sizes[k + 1]
        trained = k >= frozen
        if trained or not spec.get("cache"):
            total += 2 * mac
        if trained:
            total += 2 * mac
            if k > frozen:
                total += 2 * mac
    return total * n


flops = dense_flops


def _namespace(variant):
    """(tf, dense, batch_normalization, Session) for a variant."""
    if variant == "official":
        from tf1_dnn._compat import v1 as tf
        tf.disable_v2_behavior()
        from tf_keras.src.legacy_tf_layers import core, normalization
        return tf, core.dense, normalization.batch_normalization, tf.Session
    from tf1_dnn import tf
    if variant == "legacy-stock":
        from tf1_dnn._compat import v1
        return tf, tf.layers.dense, tf.layers.batch_normalization, v1.Session
    if variant == "legacy-1t":
        from tf1_dnn.session import small_model_config

        def Session(graph=None):
            return tf.Session(graph=graph, config=small_model_config(graph))
        return tf, tf.layers.dense, tf.layers.batch_normalization, Session
    return tf, tf.layers.dense, tf.layers.batch_normalization, tf.Session


def _build_legacy(tf, dense, batch_norm, spec, frozen_inputs=False):
    """The chapter's construction phase, written as the book writes it."""
    def leaky_relu(z, name=None):
        return tf.maximum(0.01 * z, z, name=name)
    act = {"leaky_relu": leaky_relu, "elu": tf.nn.elu,
           "relu": tf.nn.relu}[spec["act"]]
    init = (tf.variance_scaling_initializer(scale=2.0)
            if spec["init"] == "he" else None)
    frozen = spec.get("frozen", 0)
    X = tf.placeholder(tf.float32, shape=(None, 28 * 28), name="X")
    y = tf.placeholder(tf.int32, shape=(None), name="y")
    training = tf.placeholder_with_default(False, shape=(), name="training")
    net = {"X": X, "y": y, "training": training}
    h = X
    with tf.name_scope("dnn"):
        for k, units in enumerate(spec["layers"]):
            name = f"hidden{k + 1}"
            if spec["bn"]:
                h = dense(h, units, kernel_initializer=init, name=name)
                h = act(batch_norm(h, training=training, momentum=0.9))
            else:
                h = dense(h, units, activation=act, kernel_initializer=init,
                          name=name)
            net[name] = h
        logits = dense(h, 10, kernel_initializer=init, name="outputs")
        if spec["bn"]:
            logits = batch_norm(logits, training=training, momentum=0.9)
    with tf.name_scope("loss"):
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits)
        loss = tf.reduce_mean(xentropy, name="loss")
    with tf.name_scope("train"):
        optimizer = tf.train.GradientDescentOptimizer(LEARNING_RATE)
        if frozen:
            train_vars = tf.get_collection(
                tf.GraphKeys.TRAINABLE_VARIABLES,
                scope="hidden[34]|outputs")
            training_op = optimizer.minimize(loss, var_list=train_vars)
        elif spec["clip"]:
            threshold = spec["clip"]
            grads_and_vars = optimizer.compute_gradients(loss)
            capped_gvs = [(tf.clip_by_value(grad, -threshold, threshold), var)
                          for grad, var in grads_and_vars]
            training_op = optimizer.apply_gradients(capped_gvs)
        else:
            training_op = optimizer.minimize(loss)
    with tf.name_scope("eval"):
        correct = tf.nn.in_top_k(logits, y, 1)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    net.update(logits=logits, loss=loss, training_op=training_op,
               accuracy=accuracy, init=tf.global_variables_initializer(),
               extra_update_ops=tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    return net


def run_legacy(variant, name, spec, data, n_epochs):
    tf, dense, batch_norm, Session = _namespace(variant)
    X_train, y_train, X_valid, y_valid = data
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(SEED)
        net = _build_legacy(tf, dense, batch_norm, spec)
    np.random.seed(SEED)
    X, y, training = net["X"], net["y"], net["training"]
    training_op = net["training_op"]
    extra_update_ops = net["extra_update_ops"]
    batch_size = spec["batch"]
    with Session(graph=graph) as sess:
        net["init"].run()
        if spec.get("cache"):
            hidden2 = net["hidden2"]
            n_batches = len(X_train) // batch_size
            h2_cache = sess.run(hidden2, feed_dict={X: X_train})

            def epoch_fn(epoch):
                shuffled_idx = np.random.permutation(len(X_train))
                hidden2_batches = np.array_split(h2_cache[shuffled_idx],
                                                 n_batches)
                y_batches = np.array_split(y_train[shuffled_idx], n_batches)
                for hidden2_batch, y_batch in zip(hidden2_batches, y_batches):
                    sess.run(training_op,
                             feed_dict={hidden2: hidden2_batch, y: y_batch})
        elif spec["bn"]:
            def epoch_fn(epoch):
                for X_batch, y_batch in shuffle_batch(X_train, y_train,
                                                      batch_size):
                    sess.run([training_op, extra_update_ops],
                             feed_dict={training: True, X: X_batch,
                                        y: y_batch})
        else:
            def epoch_fn(epoch):
                for X_batch, y_batch in shuffle_batch(X_train, y_train,
                                                      batch_size):
                    sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        wall, cpu = time_epochs(n_epochs, epoch_fn)
        acc = net["accuracy"].eval(feed_dict={X: X_valid, y: y_valid})
        stats = getattr(sess, "fast_run_stats", lambda: None)()
    return {"wall": wall, "cpu": cpu, "valid_accuracy": float(acc),
            "fast_run_stats": stats}


def _model_fn(tf, spec, first_layer=0):
    act = {"leaky_relu": lambda z: tf.maximum(0.01 * z, z), "elu": tf.nn.elu,
           "relu": tf.nn.relu}[spec["act"]]
    init = (tf.variance_scaling_initializer(scale=2.0)
            if spec["init"] == "he" else None)

    def model_fn(X, is_training):
        h = X
        for k in range(first_layer, len(spec["layers"])):
            units = spec["layers"][k]
            if spec["bn"]:
                h = tf.layers.dense(h, units, kernel_initializer=init,
                                    name=f"hidden{k + 1}")
                h = act(tf.layers.batch_normalization(
                    h, training=is_training, momentum=0.9, name=f"bn{k + 1}"))
            else:
                h = tf.layers.dense(h, units, activation=act,
                                    kernel_initializer=init,
                                    name=f"hidden{k + 1}")
        logits = tf.layers.dense(h, 10, kernel_initializer=init,
                                 name="outputs")
        if spec["bn"]:
            logits = tf.layers.batch_normalization(
                logits, training=is_training, momentum=0.9, name="bn_out")
        return logits
    return model_fn


def run_library(name, spec, data, n_epochs):
    from tf1_dnn import frozen_cache, tf, training
    X_train, y_train, X_valid, y_valid = data
    towers, intra = library_plan(spec)
    with tf.Graph().as_default():
        tf.set_random_seed(SEED)
        # New code may choose its threads (the intra-op pool is per process:
        # run_bench gives each library workload its own process).
        config = tf.ConfigProto(intra_op_parallelism_threads=intra)
        with tf.Session(config=config) as sess:
            optimizer = tf.train.GradientDescentOptimizer(LEARNING_RATE)
            frozen = spec.get("frozen", 0)
            if frozen and spec.get("cache"):
                # The "pretrained" frozen part: hidden1-2 only.
                lower = dict(spec, layers=spec["layers"][:frozen])
                X = tf.placeholder(tf.float32, (None, 784), name="X")
                h = X
                for k, units in enumerate(lower["layers"]):
                    h = tf.layers.dense(h, units, activation=tf.nn.relu,
                                        name=f"hidden{k + 1}")
                sess.run(tf.global_variables_initializer())
                cached = frozen_cache.FrozenCache(sess, X, h, X_train,
                                                  X_valid)
                trainer = cached.build(_model_fn(tf, spec, frozen), y_train,
                                       batch_size=spec["batch"],
                                       optimizer=optimizer, seed=SEED,
                                       towers=towers)
                trainer.load_data(sess)
                Xv, yv = cached.valid_features, y_valid
            else:
                var_list = "hidden[34]|outputs" if frozen else None
                trainer = training.build(
                    _model_fn(tf, spec), X_train, y_train,
                    batch_size=spec["batch"], optimizer=optimizer,
                    clip_value=spec["clip"], var_list=var_list, seed=SEED,
                    towers=towers)
                trainer.load_data(sess)
                Xv, yv = X_valid, y_valid
            wall, cpu = time_epochs(
                n_epochs, lambda e: training.fit(sess, trainer, 1, load=False))
            _, acc = trainer.evaluate(sess, Xv, yv)
    return {"wall": wall, "cpu": cpu, "valid_accuracy": float(acc),
            "fast_run_stats": None, "towers": towers,
            "intra_op_threads": intra}


def run(variant, name, spec, data, n_epochs):
    """One workload for one TensorFlow variant, in this process."""
    if variant == "library":
        return run_library(name, spec, data, n_epochs)
    return run_legacy(variant, name, spec, data, n_epochs)
