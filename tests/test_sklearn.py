"""tf1_dnn.sklearn.DNNClassifier: the scikit-learn contract and the TF1 model."""

import pickle

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402

from tf1_dnn import tf  # noqa: E402
from tf1_dnn.sklearn import DNNClassifier, leaky_relu  # noqa: E402


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=300, n_features=8, centers=3, cluster_std=3.0,
                      random_state=0)
    return X.astype(np.float32), y


def small(session_config, **kwargs):
    params = dict(n_hidden_layers=2, n_neurons=16, n_epochs=4, batch_size=20,
                  random_state=42, session_config=session_config)
    params.update(kwargs)
    return DNNClassifier(**params)


def test_get_params_round_trip_and_defaults():
    clf = DNNClassifier()
    params = clf.get_params()
    assert params["n_hidden_layers"] == 5 and params["n_neurons"] == 100
    assert params["optimizer_class"] is tf.train.AdamOptimizer
    assert params["activation"] is tf.nn.elu
    assert params["learning_rate"] == 0.01 and params["batch_size"] == 20
    assert params["initializer"] is None
    assert params["batch_norm_momentum"] is None and params["dropout_rate"] is None
    assert set(params) == {
        "n_hidden_layers", "n_neurons", "optimizer_class", "learning_rate",
        "batch_size", "activation", "initializer", "batch_norm_momentum",
        "dropout_rate", "random_state", "n_epochs", "validation_fraction",
        "max_checks_without_progress", "session_config", "verbose"}
    act = leaky_relu(0.1)
    assert clf.set_params(n_neurons=7, activation=act, dropout_rate=0.3) is clf
    assert clf.get_params()["n_neurons"] == 7
    assert clf.get_params()["activation"] is act
    assert DNNClassifier(**clf.get_params()).get_params() == clf.get_params()
    with pytest.raises(ValueError, match="Invalid parameter 'n_neuron'"):
        clf.set_params(n_neuron=3)


def test_clone_of_fitted_model_is_unfitted_with_same_params(blobs,
                                                            session_config):
    X, y = blobs
    clf = small(session_config).fit(X, y)
    twin = clone(clf)
    assert twin.get_params() == clf.get_params()
    with pytest.raises(NotFittedError, match=r"call fit\(X, y\)"):
        twin.predict(X)
    # Same random_state, same data: the clone learns exactly the same model.
    twin.fit(X, y)
    np.testing.assert_allclose(twin.predict_proba(X), clf.predict_proba(X),
                               rtol=1e-5, atol=1e-6)


def test_predict_shapes_probabilities_and_labels(blobs, session_config):
    X, y = blobs
    labels = np.array(["cat", "dog", "emu"])[y]      # arbitrary labels
    clf = small(session_config).fit(X, labels)
    assert list(clf.classes_) == ["cat", "dog", "emu"]
    proba = clf.predict_proba(X[:50])
    assert proba.shape == (50, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert (proba >= 0).all()
    pred = clf.predict(X[:50])
    assert pred.shape == (50,)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    assert clf.n_features_in_ == 8


def test_score_beats_chance_on_a_small_problem(blobs, session_config):
    X, y = blobs
    clf = small(session_config, n_epochs=10).fit(X[:200], y[:200])
    score = clf.score(X[200:], y[200:])
    assert score == np.mean(clf.predict(X[200:]) == y[200:])
    assert score > 0.8      # 3 classes: chance is 1/3


def test_early_stopping_restores_the_best_epoch(blobs, session_config):
    X, y = blobs
    # A learning rate this large makes the validation loss bounce around.
    clf = small(session_config, n_epochs=30, learning_rate=0.05,
                max_checks_without_progress=3, validation_fraction=0.2)
    clf.fit(X, y)
    losses = [h[1] for h in clf.history_]
    assert len(losses) == clf.n_epochs_
    assert clf.best_epoch_ == int(np.argmin(losses))
    assert clf.best_loss_ == pytest.approx(min(losses))
    if clf.stopped_early_:
        assert clf.n_epochs_ == clf.best_epoch_ + 3 + 2
    # The model in the session is the best one: its validation log loss,
    # computed here with scikit-learn, is the best recorded loss.
    idx = clf.validation_indices_
    assert len(idx) == 60
    assert log_loss(y[idx], clf.predict_proba(X[idx]),
                    labels=clf.classes_) == pytest.approx(clf.best_loss_,
                                                          rel=1e-4)


def test_batch_norm_and_dropout_variants(blobs, session_config):
    X, y = blobs
    clf = small(session_config, batch_norm_momentum=0.9, dropout_rate=0.2,
                n_epochs=3).fit(X, y)
    graph = clf._graph
    names = [v.op.name for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)]
    assert "batch_normalization/moving_mean" in names
    assert len(graph.get_collection(tf.GraphKeys.UPDATE_OPS)) == 4  # 2 layers
    moving_mean = clf._session.run(
        graph.get_tensor_by_name("batch_normalization/moving_mean:0"))
    assert np.abs(moving_mean).max() > 0        # the updates ran
    # Inference is deterministic (dropout off, moving statistics).
    np.testing.assert_array_equal(clf.predict_proba(X[:20]),
                                  clf.predict_proba(X[:20]))


def test_each_instance_owns_its_graph_and_leaves_default_graph_alone(
        blobs, session_config):
    X, y = blobs
    with tf.Graph().as_default() as g:
        a = small(session_config).fit(X, y)
        b = small(session_config, n_neurons=8).fit(X, y)
        assert g.get_operations() == []
    assert a._graph is not b._graph
    assert a._graph.get_tensor_by_name("hidden1/kernel:0").shape[1] == 16
    assert b._graph.get_tensor_by_name("hidden1/kernel:0").shape[1] == 8
    # The book's names: hidden<i>_out activations, logits, Y_proba.
    ops = {op.name for op in a._graph.get_operations()}
    assert {"hidden1_out", "hidden2_out", "Y_proba", "logits/MatMul"} <= ops


def test_initializer_default_is_lecun_like_the_book(session_config):
    X = np.random.RandomState(0).rand(40, 400).astype(np.float32)
    y = np.arange(40) % 2
    clf = small(session_config, n_neurons=300, n_epochs=1, learning_rate=1e-12,
                validation_fraction=None).fit(X, y)
    kernel = clf._session.run(clf._graph.get_tensor_by_name("hidden1/kernel:0"))
    # tf.variance_scaling_initializer(): scale 1.0, fan_in -> var 1 / 400.
    assert np.var(kernel) == pytest.approx(1.0 / 400, rel=0.1)


def test_randomized_search_cv_tunes_it(blobs, session_config):
    from sklearn.model_selection import RandomizedSearchCV
    X, y = blobs
    search = RandomizedSearchCV(
        small(session_config, n_epochs=2),
        {"n_neurons": [4, 16], "activation": [tf.nn.relu, leaky_relu(0.1)]},
        n_iter=2, cv=2, random_state=0)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 2
    assert search.best_estimator_.get_params()["n_neurons"] in (4, 16)
    assert search.score(X, y) > 0.5


def test_bad_input_errors_name_the_problem(blobs, session_config):
    X, y = blobs
    clf = small(session_config)
    with pytest.raises(ValueError, match=r"X must be 2-D .* X.reshape"):
        clf.fit(X.reshape(len(X), 2, 4), y)
    with pytest.raises(ValueError, match="one label per row of X"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="single class"):
        clf.fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="dropout_rate must be None or in"):
        small(session_config, dropout_rate=1.5).fit(X, y)
    with pytest.raises(ValueError, match="n_neurons must be a positive integer"):
        small(session_config, n_neurons=0).fit(X, y)
    with pytest.raises(ValueError, match="leaves no validation"):
        small(session_config, validation_fraction=0.001).fit(X[:10], y[:10])
    with pytest.raises(ValueError, match="alpha must be in"):
        leaky_relu(-1.0)
    fitted = small(session_config, n_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but the model was "
                                         "fitted with 8"):
        fitted.predict(X[:, :3])
    assert pickle.loads(pickle.dumps(clone(fitted))).get_params()["n_neurons"] == 16


def test_fitted_model_pickles_with_its_weights(blobs, session_config):
    """A fitted DNNClassifier (leaky_relu activation, Adam slots) pickles
    with its weights: the copy predicts bitwise the same, owns its own graph,
    and keeps the fitted attributes."""
    X, y = blobs
    fitted = small(session_config, n_epochs=2, activation=leaky_relu(0.1),
                   optimizer_class=tf.train.AdamOptimizer).fit(X, y)
    copy = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(copy.predict_proba(X),
                                  fitted.predict_proba(X))
    assert copy._graph is not fitted._graph
    assert copy.history_ == fitted.history_
    np.testing.assert_array_equal(copy.classes_, fitted.classes_)
    assert copy.get_params()["activation"] == leaky_relu(0.1)
    unfitted = pickle.loads(pickle.dumps(small(session_config)))
    with pytest.raises(NotFittedError):
        unfitted.predict(X)


def test_leaky_relu_matches_numpy(sess):
    z = np.linspace(-3, 3, 13).astype(np.float32)
    out = sess.run(leaky_relu(0.2)(tf.constant(z), name="lrelu"))
    np.testing.assert_allclose(out, np.maximum(0.2 * z, z))
