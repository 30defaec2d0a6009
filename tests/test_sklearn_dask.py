"""Exercise 8.2's search on a Dask cluster: RandomizedSearchCV over
tf1_dnn.sklearn.DNNClassifier under joblib's Dask backend, on a LocalCluster
of 2 worker processes bound to 127.0.0.1 (ports picked free at run time).
The scores equal the serial search's, since each fit depends only on its
parameters, its random_state and its fold."""

import time

import numpy as np
import pytest

pytest.importorskip("sklearn")
distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

from sklearn.datasets import make_blobs  # noqa: E402
from sklearn.model_selection import RandomizedSearchCV  # noqa: E402

from tf1_dnn import tf  # noqa: E402
from tf1_dnn.sklearn import DNNClassifier, leaky_relu  # noqa: E402

PARAMS = {"n_neurons": [8, 16, 24], "learning_rate": [0.01, 0.05],
          "activation": [tf.nn.relu, tf.nn.elu, leaky_relu(0.1)]}


def _search():
    # One intra-op thread per fit: the same arithmetic in every process.
    config = tf.ConfigProto(intra_op_parallelism_threads=1,
                            inter_op_parallelism_threads=1)
    return RandomizedSearchCV(
        DNNClassifier(n_hidden_layers=2, n_epochs=3, batch_size=20,
                      random_state=42, session_config=config),
        PARAMS, n_iter=3, cv=2, random_state=42, return_train_score=False)


@pytest.mark.slow
def test_randomized_search_on_a_local_dask_cluster_equals_serial():
    X, y = make_blobs(n_samples=240, n_features=8, centers=3,
                      cluster_std=3.0, random_state=0)
    X = X.astype(np.float32)
    serial = _search().fit(X, y)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True,
        host="127.0.0.1", scheduler_port=0, dashboard_address=None,
        silence_logs=40)
    try:
        with distributed.Client(cluster) as client:
            pids = set(client.run(lambda: __import__("os").getpid()).values())
            start = time.time()
            with joblib.parallel_backend("dask"):
                on_dask = _search().fit(X, y)
            seconds = time.time() - start
            workers = client.run(lambda: __import__("os").getpid())
    finally:
        cluster.close()
    # Every worker process is gone after close().
    for pid in pids:
        try:
            import os
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        pytest.fail(f"Dask worker {pid} left behind")
    assert len(workers) == 2
    np.testing.assert_array_equal(on_dask.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    assert on_dask.best_params_ == serial.best_params_
    np.testing.assert_array_equal(on_dask.predict_proba(X),
                                  serial.predict_proba(X))
    print(f"\n3 candidates x 2 folds on 2 Dask workers: {seconds:.1f} s; "
          f"scores {on_dask.cv_results_['mean_test_score']}")
