"""tf1_dnn.frozen_cache: cached frozen-layer activations, trained in-graph.

Checks the cache against one full `sess.run` (batching must not change it),
that training on the cache gives the same weights as the chapter's
feed-the-images loop with frozen lower layers (same batches), and the
speed-up on Fashion-MNIST (printed, not asserted).
"""

import time

import numpy as np
import pytest

from tf1_dnn import frozen_cache, tf, training


def _lower(X):
    h1 = tf.layers.dense(X, 16, activation=tf.nn.relu, name="hidden1")
    return tf.layers.dense(h1, 8, activation=tf.nn.relu, name="hidden2")


def _upper(h, is_training):
    h3 = tf.layers.dense(h, 8, activation=tf.nn.relu, name="hidden3")
    return tf.layers.dense(h3, 3, name="outputs")


def _data(n=240, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 10).astype(np.float32)
    y = (X[:, 0] > 0.5).astype(np.int64) + (X[:, 1] > 0.5)
    return X, y


def test_cache_equals_one_full_run(session_config):
    X, _ = _data(103)
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        Xp = tf.placeholder(tf.float32, (None, 10), name="X")
        h2 = _lower(Xp)
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            full = sess.run(h2, {Xp: X})
            cached = frozen_cache.cache_activations(sess, Xp, h2, X,
                                                    batch_size=10)
    assert cached.shape == (103, 8) and cached.dtype == np.float32
    np.testing.assert_allclose(cached, full, rtol=1e-6, atol=1e-7)


def test_cache_errors():
    X, _ = _data(10)
    with tf.Graph().as_default():
        Xp = tf.placeholder(tf.float32, (None, 10), name="X")
        h2 = _lower(Xp)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(ValueError, match="empty X"):
                frozen_cache.cache_activations(sess, Xp, h2, X[:0])
            with pytest.raises(ValueError, match="must not feed X:0"):
                frozen_cache.cache_activations(sess, Xp, h2, X,
                                               feed_dict={Xp: X})
            lower = frozen_cache.FrozenCache(sess, Xp, h2, X)
            assert lower.nbytes == 10 * 8 * 4
            with pytest.raises(ValueError, match="pass X_valid"):
                lower.train(_upper, np.zeros(10, np.int64),
                            np.zeros(10, np.int64), n_epochs=1,
                            batch_size=5)


def test_training_on_cache_equals_feeding_images(session_config):
    """Same start, same batches: cached training == the chapter's loop that
    feeds images through frozen hidden1-2 (var_list) at every step."""
    X, y = _data()
    batch_size = 30
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(2)
        Xp = tf.placeholder(tf.float32, (None, 10), name="X")
        h2 = _lower(Xp)
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            lower = frozen_cache.FrozenCache(sess, Xp, h2, X)
            trainer = lower.build(_upper, y, batch_size=batch_size,
                                  optimizer=tf.train.GradientDescentOptimizer(
                                      0.2), seed=4)
            trainer.load_data(sess)
            start = {v.op.name: sess.run(v) for v in tf.global_variables()}
            history = training.fit(sess, trainer, 2,
                                   return_permutations=True)
            end = {v.op.name: sess.run(v) for v in tf.global_variables()}
    # Reference: the chapter's frozen-layer loop, feeding the images.
    g2 = tf.Graph()
    with g2.as_default():
        Xp = tf.placeholder(tf.float32, (None, 10), name="X")
        yp = tf.placeholder(tf.int64, (None,), name="y")
        logits = _upper(_lower(Xp), True)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=yp, logits=logits))
        train_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES,
                                       scope="hidden[34]|outputs")
        training_op = tf.train.GradientDescentOptimizer(0.2).minimize(
            loss, var_list=train_vars)
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            for v in tf.global_variables():
                v.load(start[v.op.name], sess)
            for h in history:
                for idx in np.array_split(h["permutation"],
                                          len(X) // batch_size):
                    sess.run(training_op, {Xp: X[idx], yp: y[idx]})
            ref = {v.op.name: sess.run(v) for v in tf.global_variables()}
    for name, value in ref.items():
        np.testing.assert_allclose(end[name], value, rtol=1e-4, atol=1e-5,
                                   err_msg=name)
    np.testing.assert_array_equal(end["hidden1/kernel"],
                                  start["hidden1/kernel"])
    assert not np.allclose(end["hidden3/kernel"], start["hidden3/kernel"])


def _replay_upper(w, features, y, permutations, n_batches, lr):
    """Numpy SGD on `_upper` (ReLU dense 8, dense 3), batch by batch;
    returns per epoch (mean pre-update batch loss, correct predictions)."""
    w = {n: v.astype(np.float64) for n, v in w.items()}
    stats = []
    for perm in permutations:
        losses, correct = [], 0
        for idx in np.array_split(perm, n_batches):
            h, labels = features[idx], y[idx]
            z3 = h @ w["hidden3/kernel"] + w["hidden3/bias"]
            h3 = np.maximum(z3, 0.0)
            logits = h3 @ w["outputs/kernel"] + w["outputs/bias"]
            z = logits - logits.max(axis=1, keepdims=True)
            p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
            rows = np.arange(len(idx))
            losses.append(-np.log(p[rows, labels]).mean())
            correct += int((logits.argmax(axis=1) == labels).sum())
            dl = p
            dl[rows, labels] -= 1.0
            dl /= len(idx)
            dz3 = (dl @ w["outputs/kernel"].T) * (z3 > 0)
            grads = {"outputs/kernel": h3.T @ dl, "outputs/bias": dl.sum(0),
                     "hidden3/kernel": h.T @ dz3, "hidden3/bias": dz3.sum(0)}
            for n, g_ in grads.items():
                w[n] = w[n] - lr * g_
        stats.append((np.mean(losses), correct))
    return stats


def _history_run(session_config, X, y, one_call):
    """FrozenCache.train (one_call) or .build + fit(return_permutations),
    same graph seed: both make the same graph, weights and batches."""
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        Xp = tf.placeholder(tf.float32, (None, 10), name="X")
        h2 = _lower(Xp)
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            lower = frozen_cache.FrozenCache(sess, Xp, h2, X[:200], X[200:])
            opt = tf.train.GradientDescentOptimizer(0.5)
            start = None
            if one_call:
                history = lower.train(_upper, y[:200], y[200:], n_epochs=3,
                                      batch_size=20, optimizer=opt)
            else:
                trainer = lower.build(_upper, y[:200], batch_size=20,
                                      optimizer=opt)
                trainer.load_data(sess)
                start = {v.op.name: sess.run(v)
                         for v in tf.trainable_variables()}
                history = training.fit(sess, trainer, 3, lower.valid_features,
                                       y[200:], return_permutations=True)
            w = {v.op.name: sess.run(v) for v in tf.trainable_variables()}
    return lower, history, start, w


def test_train_with_validation_reports_history(session_config):
    X, y = _data(300)
    lower, history, _, w = _history_run(session_config, X, y, True)
    assert len(history) == 3
    # The training figures: `train` equals build + fit with the same seed
    # (same numbers, bitwise), whose permutations let numpy replay the 30
    # SGD steps on the cache: per epoch, the mean of the pre-update batch
    # losses and the count of correct pre-update predictions.
    _, replay, start, w2 = _history_run(session_config, X, y, False)
    for a, b in zip(history, replay):
        assert (a["loss"], a["train_accuracy"], a["valid_loss"]) == \
            (b["loss"], b["train_accuracy"], b["valid_loss"])
    for n in w:
        np.testing.assert_array_equal(w[n], w2[n], err_msg=n)
    stats = _replay_upper({n: v for n, v in start.items()
                           if not n.startswith(("hidden1", "hidden2"))},
                          lower.features, y[:200],
                          [h["permutation"] for h in replay], 10, 0.5)
    for h, (mean_loss, correct) in zip(history, stats):
        assert h["loss"] == pytest.approx(mean_loss, rel=1e-5), h["epoch"]
        assert h["train_accuracy"] == correct / 200, h["epoch"]
    # Recompute the validation figures independently: the upper layers'
    # weights, numpy, on the cached validation features.
    h3 = np.maximum(lower.valid_features @ w["hidden3/kernel"]
                    + w["hidden3/bias"], 0.0)
    logits = h3 @ w["outputs/kernel"] + w["outputs/bias"]
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    assert history[-1]["valid_loss"] == pytest.approx(
        -logp[np.arange(len(logp)), y[200:]].mean(), rel=1e-4)
    assert history[-1]["valid_accuracy"] == pytest.approx(
        (logits.argmax(axis=1) == y[200:]).mean())


@pytest.mark.slow
def test_speedup_over_feeding_frozen_layers(fashion_mnist_dir,
                                            session_config):
    """Figures printed (the machine is shared): the chapter's F-feed loop vs
    FrozenCache + in-graph loop, 11 000 images, batch 200."""
    from benchmarks.common import load_fashion
    X_train, y_train, _, _ = load_fashion(11000)
    y_train = y_train.astype(np.int64)

    def lower_fn(X):
        h = tf.layers.dense(X, 300, activation=tf.nn.relu, name="hidden1")
        return tf.layers.dense(h, 50, activation=tf.nn.relu, name="hidden2")

    def upper_fn(h, is_training):
        h = tf.layers.dense(h, 50, activation=tf.nn.relu, name="hidden3")
        h = tf.layers.dense(h, 20, activation=tf.nn.relu, name="hidden4")
        return tf.layers.dense(h, 10, name="outputs")

    with tf.Graph().as_default():
        Xp = tf.placeholder(tf.float32, (None, 784), name="X")
        yp = tf.placeholder(tf.int64, (None,), name="y")
        logits = upper_fn(lower_fn(Xp), True)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=yp, logits=logits))
        training_op = tf.train.GradientDescentOptimizer(0.01).minimize(
            loss, var_list=tf.get_collection(
                tf.GraphKeys.TRAINABLE_VARIABLES, scope="hidden[34]|outputs"))
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            feed = []
            for _ in range(2):
                t0 = time.perf_counter()
                for idx in np.array_split(np.random.permutation(11000), 55):
                    sess.run(training_op, {Xp: X_train[idx],
                                           yp: y_train[idx]})
                feed.append(time.perf_counter() - t0)
    with tf.Graph().as_default():
        Xp = tf.placeholder(tf.float32, (None, 784), name="X")
        h2 = lower_fn(Xp)
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            lower = frozen_cache.FrozenCache(sess, Xp, h2, X_train)
            history = lower.train(
                upper_fn, y_train, n_epochs=3, batch_size=200,
                optimizer=tf.train.GradientDescentOptimizer(0.01))
    cached = [h["seconds"] for h in history[1:]]
    print(f"F-feed epoch {min(feed):.3f} s, F-cache in-graph epoch "
          f"{min(cached):.3f} s: x{min(feed) / min(cached):.1f}")
    assert history[-1]["loss"] < history[0]["loss"]
