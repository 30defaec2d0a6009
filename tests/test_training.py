"""tf1_dnn.training: the in-graph loop keeps the chapter's semantics.

The reference for every check is the chapter's feed_dict loop, run step by
step in a separate graph with the same initial weights and the same
batches (the permutation the in-graph epoch used), or closed-form numpy.
"""

import numpy as np
import pytest

from tf1_dnn import tf, training


def _data(n=300, d=12, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, d).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 1.0).astype(np.int64) + (X[:, 2] > 0.7)
    return X, y


def _model_fn(bn=False, act=tf.nn.elu):
    def model_fn(X, is_training):
        h = tf.layers.dense(X, 8, activation=None if bn else act,
                            name="hidden1")
        if bn:
            h = act(tf.layers.batch_normalization(
                h, training=is_training, momentum=0.9, name="bn1"))
        return tf.layers.dense(h, 3, name="outputs")
    return model_fn


def _values(sess, graph):
    return {v.op.name: sess.run(v)
            for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)}


def _reference(init_values, X, y, permutations, batch_size, bn=False,
               lr=0.1, clip=None, frozen=None, optimizer="sgd",
               epoch_stats=None):
    """The chapter's feed_dict loop, same weights, same batches.

    With a list as `epoch_stats`, appends per epoch (mean of the batches'
    pre-update losses, count of correct pre-update predictions)."""
    g = tf.Graph()
    with g.as_default():
        Xp = tf.placeholder(tf.float32, shape=(None, X.shape[1]), name="X")
        yp = tf.placeholder(tf.int64, shape=(None,), name="y")
        training_ph = tf.placeholder_with_default(False, shape=())
        logits = _model_fn(bn)(Xp, training_ph)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=yp, logits=logits))
        opt = (tf.train.GradientDescentOptimizer(lr) if optimizer == "sgd"
               else tf.train.MomentumOptimizer(lr, 0.9))
        var_list = (tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES,
                                      scope=frozen) if frozen else None)
        gvs = opt.compute_gradients(loss, var_list=var_list)
        if clip:
            gvs = [(tf.clip_by_value(g_, -clip, clip), v) for g_, v in gvs]
        extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(extra_update_ops):
            training_op = opt.apply_gradients(gvs)
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        for v in g.get_collection(tf.GraphKeys.GLOBAL_VARIABLES):
            if v.op.name in init_values:
                v.load(init_values[v.op.name], sess)
        n_batches = len(X) // batch_size
        correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), yp),
                                        tf.int64))
        for perm in permutations:
            losses, n_correct = [], 0
            for idx in np.array_split(perm, n_batches):
                batch_loss, batch_correct, _ = sess.run(
                    [loss, correct, training_op],
                    feed_dict={Xp: X[idx], yp: y[idx], training_ph: True})
                losses.append(batch_loss)
                n_correct += batch_correct
            if epoch_stats is not None:
                epoch_stats.append((np.mean(losses), n_correct))
        return _values(sess, g)


@pytest.mark.parametrize("case", [
    dict(bn=False, batch_size=32),                  # 300 / 32: uneven sizes
    dict(bn=True, batch_size=50),
    dict(bn=False, batch_size=40, clip=0.05),
    dict(bn=False, batch_size=30, frozen="outputs"),
    dict(bn=True, batch_size=60, optimizer="momentum"),
    dict(bn=False, batch_size=32, towers=3),        # 34/33-row batches
    dict(bn=False, batch_size=40, clip=0.05, towers=2),
    dict(bn=False, batch_size=30, frozen="outputs", towers=2),
    dict(bn=False, batch_size=60, optimizer="momentum", towers=4),
], ids=["sgd-uneven", "batchnorm", "clip", "frozen", "momentum-bn",
        "towers3-uneven", "towers2-clip", "towers2-frozen",
        "towers4-momentum"])
def test_in_graph_epochs_equal_feed_dict_loop(case, session_config):
    X, y = _data()
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(1)
        opt = (tf.train.GradientDescentOptimizer(0.1)
               if case.get("optimizer", "sgd") == "sgd"
               else tf.train.MomentumOptimizer(0.1, 0.9))
        trainer = training.build(
            _model_fn(case["bn"]), X, y, batch_size=case["batch_size"],
            optimizer=opt, clip_value=case.get("clip"),
            var_list=case.get("frozen"), seed=5,
            towers=case.get("towers", 1))
        assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
        tower_scopes = {op.name.split("/")[2] for op in g.get_operations()
                        if "/tower" in op.name} - {"tower_sum"}
        assert tower_scopes == ({f"tower{t}" for t in range(case["towers"])}
                                if "towers" in case else set())
        with tf.Session(config=session_config) as sess:
            trainer.load_data(sess)
            start = _values(sess, g)
            history = training.fit(sess, trainer, 3,
                                   return_permutations=True)
            end = _values(sess, g)
    perms = [h["permutation"] for h in history]
    for p in perms:
        assert sorted(p.tolist()) == list(range(len(X)))
    assert not np.array_equal(perms[0], perms[1])    # reshuffled per epoch
    ref = _reference(start, X, y, perms, case["batch_size"], bn=case["bn"],
                     clip=case.get("clip"), frozen=case.get("frozen"),
                     optimizer=case.get("optimizer", "sgd"))
    assert set(ref) <= set(end)
    for name, value in ref.items():
        np.testing.assert_allclose(end[name], value, rtol=1e-4, atol=1e-5,
                                   err_msg=name)
    if case.get("frozen"):
        np.testing.assert_array_equal(end["hidden1/kernel"],
                                      start["hidden1/kernel"])
    if case["bn"]:
        assert not np.allclose(end["bn1/moving_mean"], 0.0)


def test_history_fields_and_numbers(session_config):
    X, y = _data(400)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(0)
        trainer = training.build(
            _model_fn(), X[:300], y[:300], batch_size=25,
            optimizer=tf.train.GradientDescentOptimizer(0.5))
        with tf.Session(config=session_config) as sess:
            trainer.load_data(sess)
            start = _values(sess, g)
            history = training.fit(sess, trainer, 4, X[300:], y[300:],
                                   return_permutations=True)
            # Recompute the validation figures independently.
            logits = g.get_tensor_by_name("outputs/BiasAdd:0")
            X_eval = g.get_tensor_by_name("in_graph_training/X_eval:0")
            out = sess.run(logits, {X_eval: X[300:]})
    assert [h["epoch"] for h in history] == [0, 1, 2, 3]
    assert set(history[0]) == {"epoch", "loss", "train_accuracy",
                               "valid_loss", "valid_accuracy", "seconds",
                               "permutation"}
    # The training figures of every epoch, recomputed by the feed_dict loop
    # on the same batches from the same start: the mean of the batches'
    # pre-update losses and the pre-update predictions' accuracy.
    stats = []
    _reference(start, X[:300], y[:300], [h["permutation"] for h in history],
               25, lr=0.5, epoch_stats=stats)
    for h, (mean_loss, n_correct) in zip(history, stats):
        assert h["loss"] == pytest.approx(mean_loss, rel=1e-5), h["epoch"]
        assert h["train_accuracy"] == n_correct / 300, h["epoch"]
    z = out - out.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    assert history[-1]["valid_loss"] == pytest.approx(
        -logp[np.arange(100), y[300:]].mean(), rel=1e-5)
    assert history[-1]["valid_accuracy"] == pytest.approx(
        (out.argmax(axis=1) == y[300:]).mean())
    assert all(h["seconds"] > 0 for h in history)


@pytest.mark.parametrize("towers", [1, 3])
def test_epoch_loss_is_mean_of_batch_losses(session_config, towers):
    """Epoch loss = mean over the epoch's batches of the pre-update loss."""
    X, y = _data(120)
    g = tf.Graph()
    with g.as_default():
        trainer = training.build(_model_fn(), X, y, batch_size=40,
                                 optimizer=tf.train.GradientDescentOptimizer(
                                     0.0), seed=3,   # lr 0: weights fixed
                                 towers=towers)
        with tf.Session(config=session_config) as sess:
            trainer.load_data(sess)
            (entry,) = training.fit(sess, trainer, 1)
            mean_loss, acc = trainer.evaluate(sess, X, y)
    # With lr 0 every batch sees the same weights: the batch-mean of the
    # losses equals the full-data mean (equal batch sizes), same accuracy.
    assert entry["loss"] == pytest.approx(mean_loss, rel=1e-5)
    assert entry["train_accuracy"] == pytest.approx(acc)


def test_early_stopping_restores_best_weights(session_config):
    X, y = _data(300)
    losses = []
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        with tf.Session(config=session_config) as sess:
            # A learning rate that makes validation loss go up after a while.
            history = training.train(
                sess, _model_fn(), X[:200], y[:200], X[200:], y[200:],
                n_epochs=30, batch_size=10,
                optimizer=tf.train.GradientDescentOptimizer(3.0),
                early_stopping=2, callback=lambda e: losses.append(
                    e["valid_loss"]) and False)
            trainer_vals = sess.run(tf.trainable_variables())
            g = tf.get_default_graph()
            logits = g.get_tensor_by_name("outputs/BiasAdd:0")
            X_eval = g.get_tensor_by_name("in_graph_training/X_eval:0")
            out = sess.run(logits, {X_eval: X[200:]})
    assert len(history) < 30
    best = int(np.argmin(losses))
    assert len(history) == best + 3           # patience 2
    z = out - out.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    assert -logp[np.arange(100), y[200:]].mean() == pytest.approx(
        losses[best], rel=1e-5)
    assert trainer_vals


def test_errors_name_problem_and_fix():
    X, y = _data(50)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="integer class ids"):
            training.build(_model_fn(), X, y.astype(np.float32),
                           batch_size=10)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="batch_size must be in"):
            training.build(_model_fn(), X, y, batch_size=0)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="matches no trainable"):
            training.build(_model_fn(), X, y, batch_size=10,
                           var_list="hidden9")
    with tf.Graph().as_default():
        def reg_model(X, is_training):
            return tf.layers.dense(
                X, 3, name="outputs",
                kernel_regularizer=lambda w: 0.1 * tf.nn.l2_loss(w))
        with pytest.raises(ValueError, match="return logits, extra_loss"):
            training.build(reg_model, X, y, batch_size=10)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="same n"):
            training.build(_model_fn(), X, y[:10], batch_size=10)


def test_extra_loss_is_added(session_config):
    """model_fn may return (logits, extra_loss): l2 on the kernel shrinks it."""
    X, y = _data(100)
    norms = []
    for scale in (0.0, 1.0):
        with tf.Graph().as_default():
            tf.set_random_seed(0)

            def model_fn(X, is_training):
                logits = tf.layers.dense(X, 3, name="outputs")
                w = tf.get_variable("outputs/kernel")
                return logits, scale * tf.nn.l2_loss(w)
            with tf.Session(config=session_config) as sess:
                training.train(sess, _reuse_safe(model_fn), X, y,
                               n_epochs=5, batch_size=10,
                               optimizer=tf.train.GradientDescentOptimizer(
                                   0.1))
                norms.append(np.linalg.norm(sess.run(
                    tf.get_default_graph().get_tensor_by_name(
                        "outputs/kernel:0"))))
    assert norms[1] < 0.5 * norms[0]


def _weights_after_training(model_fn, X, y, towers, session_config, lr,
                            **kwargs):
    """Trainable values after `training.train` with `towers` (seed 0)."""
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        with tf.Session(config=session_config) as sess:
            training.train(sess, _reuse_safe(model_fn), X, y, towers=towers,
                           optimizer=tf.train.GradientDescentOptimizer(lr),
                           **kwargs)
            return sess.run(tf.trainable_variables())


def test_towers_add_extra_loss_once(session_config):
    """(logits, extra_loss) with towers: the l2 term counts once per step,
    as with one tower (same start, same batches -> same weights)."""
    X, y = _data(100)

    def model_fn(X, is_training):
        logits = tf.layers.dense(X, 3, name="outputs")
        w = tf.get_variable("outputs/kernel")
        return logits, 0.5 * tf.nn.l2_loss(w)
    finals = [_weights_after_training(model_fn, X, y, towers, session_config,
                                      0.1, n_epochs=3, batch_size=10, seed=4)
              for towers in (1, 2)]
    for a, b in zip(*finals):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_towers_sum_sparse_gradients(session_config):
    """An embedding lookup gives IndexedSlices gradients: the towers'
    slices are concatenated, which equals one tower's update."""
    rng = np.random.RandomState(1)
    X = rng.randint(0, 7, size=(120, 1)).astype(np.float32)
    y = (X[:, 0] > 3).astype(np.int64)

    def model_fn(X, is_training):
        emb = tf.get_variable("emb", [7, 4])
        ids = tf.cast(X[:, 0], tf.int32)
        h = tf.nn.embedding_lookup(emb, ids)
        return tf.layers.dense(h, 2, name="outputs")
    finals = [_weights_after_training(model_fn, X, y, towers, session_config,
                                      0.5, n_epochs=2, batch_size=20, seed=2)
              for towers in (1, 2)]
    for a, b in zip(*finals):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_towers_errors():
    X, y = _data(60)
    for bad in (0, 11, 1.5, True, "2"):
        with tf.Graph().as_default():
            with pytest.raises(ValueError, match=r"towers must be an int in "
                               r"\[1, batch_size=10\]"):
                training.build(_model_fn(), X, y, batch_size=10, towers=bad)
    with tf.Graph().as_default() as g:
        with pytest.raises(ValueError, match="towers=2 cannot be used with "
                           "batch normalization"):
            training.build(_model_fn(bn=True), X, y, batch_size=10, towers=2)
        assert g.get_collection(tf.GraphKeys.UPDATE_OPS) == []


def _reuse_safe(model_fn):
    def wrapped(X, is_training):
        with tf.variable_scope(tf.get_variable_scope(), reuse=tf.AUTO_REUSE):
            return model_fn(X, is_training)
    return wrapped


def test_array_split_bounds_match_numpy():
    for n, k in [(10, 3), (55000, 1100), (300, 9), (7, 7)]:
        bounds = training.array_split_bounds(n, k)
        parts = np.array_split(np.arange(n), k)
        assert [p[0] for p in parts] == bounds[:-1].tolist()
        assert bounds[-1] == n


@pytest.mark.slow
def test_fashion_mnist_w1_trains(fashion_mnist_dir, session_config):
    from benchmarks.common import load_fashion
    from benchmarks.dense import _model_fn as bench_model_fn, WORKLOADS
    X_train, y_train, X_valid, y_valid = load_fashion(11000)
    with tf.Graph().as_default():
        tf.set_random_seed(42)
        with tf.Session(config=session_config) as sess:
            history = training.train(
                sess, bench_model_fn(tf, WORKLOADS["W1"]), X_train, y_train,
                X_valid, y_valid, n_epochs=2, batch_size=50,
                optimizer=tf.train.GradientDescentOptimizer(0.01))
    print("W1 in-graph, 11k images: seconds per epoch",
          [round(h["seconds"], 3) for h in history],
          "valid acc", history[-1]["valid_accuracy"])
    assert history[-1]["valid_accuracy"] > 0.6
