"""tf.contrib.factorization.KMeans / KMeansClustering against numpy Lloyd steps."""

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.contrib.factorization import KMeansError

RNG = np.random.RandomState(0)
CENTERS = np.array([[0, 0], [5, 5], [0, 6]], np.float32)
X = np.concatenate([c + 0.3 * RNG.randn(30, 2)
                    for c in CENTERS]).astype(np.float32)


def lloyd(x, centers, steps):
    for _ in range(steps):
        d = ((x[:, None, :] - centers[None]) ** 2).sum(-1)
        idx = d.argmin(1)
        sums = np.zeros_like(centers)
        np.add.at(sums, idx, x)
        counts = np.bincount(idx, minlength=len(centers))
        centers = sums / (counts[:, None] + 1e-6)
    return centers


def run_kmeans(steps, init, **kw):
    with tf.Graph().as_default():
        km = tf.contrib.factorization.KMeans(tf.constant(X), 3,
                                             initial_clusters=init, **kw)
        out = km.training_graph()
        assert len(out) == 6
        all_scores, idx, scores, initialized, init_op, train_op = out
        names = sorted(v.op.name for v in tf.global_variables())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert not sess.run(initialized)
            sess.run(init_op)
            assert sess.run(initialized)
            start = sess.run("clusters:0")
            for _ in range(steps):
                sess.run(train_op)
            values = sess.run([all_scores[0], idx[0], scores[0],
                               "clusters:0"])
    return names, start, values


def test_full_batch_matches_numpy_lloyd():
    init = X[[0, 1, 2]]                  # a poor start: all in one blob
    names, start, (all_scores, idx, scores, centers) = run_kmeans(4, init)
    assert names == ["clusters", "initialized"]
    np.testing.assert_array_equal(start, init)
    expected = lloyd(X, init.copy(), 4)
    np.testing.assert_allclose(centers, expected, rtol=1e-4, atol=1e-4)
    d = ((X[:, None, :] - centers[None]) ** 2).sum(-1)
    np.testing.assert_allclose(all_scores, d, rtol=1e-3, atol=1e-3)
    np.testing.assert_array_equal(idx, d.argmin(1))
    np.testing.assert_allclose(scores, d.min(1), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("init", ["random", "kmeans_plus_plus", "kmc2"])
def test_initializations_pick_input_rows_and_converge(init):
    _, start, (_, idx, scores, centers) = run_kmeans(10, init, random_seed=3)
    # every initial center is one of the input points
    assert all(np.any(np.all(np.isclose(X, c), axis=1)) for c in start)
    if init != "random":          # seeding spreads the centers out
        got = centers[np.argsort(centers[:, 0] * 10 + centers[:, 1])]
        want = CENTERS[np.argsort(CENTERS[:, 0] * 10 + CENTERS[:, 1])]
        np.testing.assert_allclose(got, want, atol=0.2)


def test_mini_batch_running_mean():
    """One mini-batch step from given centers: (c * 0 + sum) / count."""
    init = CENTERS + 0.5
    names, _, (_, idx, _, centers) = run_kmeans(1, init,
                                                use_mini_batch=True)
    assert "cluster_counts" in names
    d = ((X[:, None, :] - init[None]) ** 2).sum(-1).argmin(1)
    want = np.stack([X[d == k].mean(0) for k in range(3)])
    np.testing.assert_allclose(centers, want, rtol=1e-5, atol=1e-5)


def test_bad_arguments():
    with pytest.raises(KMeansError, match="Unsupported distance metric"):
        tf.contrib.factorization.KMeans(X, 3, distance_metric="l1")
    with pytest.raises(KMeansError, match="Unsupported initialization"):
        tf.contrib.factorization.KMeans(X, 3, initial_clusters="best")


def test_kmeans_clustering_estimator(tmp_path):
    def input_fn():
        return tf.constant(X), None

    km = tf.contrib.factorization.KMeansClustering(
        num_clusters=3, model_dir=str(tmp_path), use_mini_batch=False,
        initial_clusters=tf.contrib.factorization.KMEANS_PLUS_PLUS_INIT,
        random_seed=2)
    km.train(input_fn, steps=5)
    centers = km.cluster_centers()
    assert centers.shape == (3, 2)
    d = ((X[:, None, :] - centers[None]) ** 2).sum(-1)
    np.testing.assert_allclose(km.score(input_fn), d.min(1).sum(), rtol=1e-3)
    # TF 1.x's recipe: limit_epochs so that predict ends (a constant never
    # raises OutOfRange, and predict would yield forever).
    idx = list(km.predict_cluster_index(
        lambda: tf.train.limit_epochs(tf.constant(X[:5]), num_epochs=1)))
    assert idx == d[:5].argmin(1).tolist()
