"""Exercise 8.2 (ch. 11): tune the DNN with cross-validation.

"Tune the hyperparameters using cross-validation and see what precision you
can achieve." The book's solution wraps the network in a scikit-learn
compatible `DNNClassifier` and runs `RandomizedSearchCV`; here that class is
`tf1_dnn.sklearn.DNNClassifier` (each instance owns its tf.Graph and Session,
so it works in this TF1-mode process and with clone()).

Quick mode: 2 candidates x 2 folds, 3 epochs, 1500 training images.

On Dask (optional extra: pip install 'tf1_dnn[dask]'): `--dask-workers N`
runs the search's fits in a LocalCluster of N worker processes on this
machine (127.0.0.1, free ports, no dashboard), `--dask-scheduler
tcp://HOST:8786` on an existing cluster whose workers have tf1_dnn; the
search goes through `joblib.parallel_backend("dask")`. Without either flag
the search runs in this process, as the book's does. Dask starts its workers
with `spawn`, which re-imports this script in each of them: hence the
`if __name__ == "__main__":` guard, which plain Python needs too.

Run: python -m tf1_dnn run legacy_examples/exercise_08_2_randomized_search.py [--epochs N] [--quick]
     [--dask-workers N | --dask-scheduler ADDRESS]
"""
import argparse

import numpy as np
import tensorflow as tf
from sklearn.model_selection import RandomizedSearchCV
from tensorflow.examples.tutorials.mnist import input_data

from tf1_dnn.sklearn import DNNClassifier, leaky_relu

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Exercise 8.2")
    parser.add_argument("--epochs", type=int, default=1000,
                        help="maximum number of epochs per fit (early stopping ends sooner)")
    parser.add_argument("--quick", action="store_true",
                        help="2 candidates, 2 folds, 3 epochs, 1500 images")
    parser.add_argument("--dask-workers", type=int, metavar="N",
                        help="run the fits in N local Dask worker processes")
    parser.add_argument("--dask-scheduler", metavar="ADDRESS",
                        help="run the fits on an existing Dask cluster, e.g. tcp://HOST:8786")
    args = parser.parse_args()

    mnist = input_data.read_data_sets("/tmp/data/")

    X_train1 = mnist.train.images[mnist.train.labels < 5]
    y_train1 = mnist.train.labels[mnist.train.labels < 5]
    X_test1 = mnist.test.images[mnist.test.labels < 5]
    y_test1 = mnist.test.labels[mnist.test.labels < 5]

    param_distribs = {
        "n_neurons": [10, 30, 50, 70, 90, 100, 120, 140, 160],
        "batch_size": [10, 50, 100, 500],
        "learning_rate": [0.01, 0.02, 0.05, 0.1],
        "activation": [tf.nn.relu, tf.nn.elu, leaky_relu(alpha=0.01), leaky_relu(alpha=0.1)],
        # you could also try exploring different numbers of hidden layers, different optimizers, etc.
        #"n_hidden_layers": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        #"optimizer_class": [tf.train.AdamOptimizer, partial(tf.train.MomentumOptimizer, momentum=0.95)],
    }

    if args.quick:
        X_train1, y_train1 = X_train1[:1500], y_train1[:1500]
        n_iter, cv, n_epochs = 2, 2, 3
    else:
        n_iter, cv, n_epochs = 50, 3, args.epochs

    rnd_search = RandomizedSearchCV(DNNClassifier(random_state=42, n_epochs=n_epochs),
                                    param_distribs, n_iter=n_iter, cv=cv,
                                    random_state=42, verbose=2)
    if args.dask_workers is None and args.dask_scheduler is None:
        rnd_search.fit(X_train1, y_train1)
    else:
        import joblib
        from dask.distributed import get_task_stream
        from tf1_dnn.lab.parallel import dask_client
        with dask_client(args.dask_workers, args.dask_scheduler) as client:
            with joblib.parallel_backend("dask"), get_task_stream(client) as tasks:
                rnd_search.fit(X_train1, y_train1)
            pids = sorted(client.run(lambda: __import__("os").getpid()).values())
        print("Dask: %d tasks on workers %s (pids %s)" % (
            len(tasks.data), sorted({t["worker"] for t in tasks.data}), pids))

    print(rnd_search.best_params_)

    y_pred = rnd_search.predict(X_test1)
    acc_test = np.mean(y_pred == y_test1)
    print("Test accuracy:", acc_test)

    assert len(rnd_search.cv_results_["params"]) == n_iter
    assert set(np.unique(y_pred)) <= {0, 1, 2, 3, 4}
    assert acc_test > 0.5, acc_test   # 5 classes: chance is 0.2
    print("RESULT test_accuracy=%.4f best_params=%s" % (acc_test, {
        k: getattr(v, "__name__", v) for k, v in rnd_search.best_params_.items()}))
