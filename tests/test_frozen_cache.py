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


def test_train_with_validation_reports_history(session_config):
    X, y = _data(300)
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        Xp = tf.placeholder(tf.float32, (None, 10), name="X")
        h2 = _lower(Xp)
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            lower = frozen_cache.FrozenCache(sess, Xp, h2, X[:200], X[200:])
            history = lower.train(
                _upper, y[:200], y[200:], n_epochs=3, batch_size=20,
                optimizer=tf.train.GradientDescentOptimizer(0.5))
            # Recompute the validation figures independently: the upper
            # layers' weights, numpy, on the cached validation features.
            w = {v.op.name: sess.run(v) for v in tf.trainable_variables()}
    assert len(history) == 3
    h3 = np.maximum(lower.valid_features @ w["hidden3/kernel"]
                    + w["hidden3/bias"], 0.0)
    logits = h3 @ w["outputs/kernel"] + w["outputs/bias"]
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    assert history[-1]["valid_loss"] == pytest.approx(
        -logp[np.arange(len(logp)), y[200:]].mean(), rel=1e-4)
    assert history[-1]["valid_accuracy"] == pytest.approx(
        (logits.argmax(axis=1) == y[200:]).mean())
    assert history[-1]["loss"] < history[0]["loss"]


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
