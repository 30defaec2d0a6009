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


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_exercise_8_2_script_runs_its_search_on_a_local_cluster(
        fashion_mnist_dir):
    """The legacy script as a user runs it: `python -m tf1_dnn run
    legacy_examples/exercise_08_2_randomized_search.py --quick
    --dask-workers 2`, a fresh process (this worktree first on PYTHONPATH)
    whose LocalCluster spawns 2 workers, each re-importing the script."""
    import os
    import pathlib
    import re
    import subprocess
    import sys

    psutil = pytest.importorskip("psutil")
    repo = pathlib.Path(__file__).resolve().parents[1]
    env = {"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin",
           "TF_CPP_MIN_LOG_LEVEL": "3", "TF1_DNN_OFFLINE": "1"}
    if "TF_ENABLE_ONEDNN_OPTS" in os.environ:
        env["TF_ENABLE_ONEDNN_OPTS"] = os.environ["TF_ENABLE_ONEDNN_OPTS"]
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "tf1_dnn", "run",
         str(repo / "legacy_examples" / "exercise_08_2_randomized_search.py"),
         "--quick", "--dask-workers", "2"],
        capture_output=True, text=True, env=env, timeout=540, cwd=str(repo))
    seconds = time.time() - start
    assert out.returncode == 0, out.stderr[-3000:]
    dask_line = re.search(r"^Dask: (\d+) tasks on workers \[(.*)\] "
                          r"\(pids \[(.*)\]\)$", out.stdout, re.M)
    assert dask_line, out.stdout[-3000:]
    # The 2 candidates x 2 folds ran as Dask tasks on both workers, which
    # are processes of their own and were ended with the cluster.
    assert int(dask_line.group(1)) >= 1
    addresses = re.findall(r"'(tcp://127\.0\.0\.1:\d+)'", dask_line.group(2))
    assert 1 <= len(addresses) <= 2
    pids = [int(p) for p in dask_line.group(3).split(", ")]
    assert len(pids) == 2 and out.returncode == 0
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() \
            == psutil.STATUS_ZOMBIE, f"Dask worker {pid} left behind"
    (result,) = [line for line in out.stdout.splitlines()
                 if line.startswith("RESULT ")]
    assert float(re.search(r"test_accuracy=([0-9.]+)", result).group(1)) > 0.5
    print(f"\nexercise 8.2 --quick --dask-workers 2: {seconds:.1f} s; "
          f"{dask_line.group(0)}; {result}")
