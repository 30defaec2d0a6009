"""A scikit-learn compatible `DNNClassifier` on TF 1.x graph code (exercise 8).

The chapter's exercise 8.4 wraps its 5x100 ELU network in a scikit-learn
estimator so that `RandomizedSearchCV` can tune it::

    from sklearn.model_selection import RandomizedSearchCV
    from tf1_dnn.sklearn import DNNClassifier, leaky_relu

    param_distribs = {
        "n_neurons": [10, 30, 50, 70, 90, 100, 120, 140, 160],
        "batch_size": [10, 50, 100, 500],
        "learning_rate": [0.01, 0.02, 0.05, 0.1],
        "activation": [tf.nn.relu, tf.nn.elu, leaky_relu(alpha=0.01)],
    }
    search = RandomizedSearchCV(DNNClassifier(random_state=42), param_distribs,
                                n_iter=50, cv=3)
    search.fit(X_train1, y_train1)

The network (as the book's solution builds it), for each hidden layer:
`dropout` (if `dropout_rate`) -> `dense(n_neurons)` -> `batch_normalization`
(if `batch_norm_momentum`) -> `activation`; then a `dense` "logits" layer and
a softmax. Loss: mean sparse softmax cross-entropy. Early stopping: after each
epoch the loss on a validation split (`validation_fraction` of the training
data) is measured; the best parameters so far are kept in memory and put back
at the end; training stops after `max_checks_without_progress` epochs without
improvement.

Each instance builds its own `tf.Graph` and `tf.Session` in `fit`, so it works
in a process already in TF1 mode (`from tf1_dnn import tf`), in a TF2-mode
process, and with `sklearn.base.clone` (which copies only the constructor
parameters). Importing this module changes nothing global; it imports
scikit-learn, which this feature needs.

Caveats (the book's solution, mirrored):
  * `initializer=None` means `tf.variance_scaling_initializer()` -- the
    solution called it `he_init`, but with no argument it is LeCun (scale 1.0);
    pass `tf.variance_scaling_initializer(scale=2.0)` for He.
  * `activation` is called as `activation(z, name=...)`, so it must accept a
    `name` argument (`tf.nn.relu`/`elu` do; use `leaky_relu(alpha)` below).
  * Batch-norm moving averages are updated by running `UPDATE_OPS` with each
    training step (done here); with dropout and batch norm, `predict` runs
    in inference mode (`training=False`).
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError

from tf1_dnn import layers
from tf1_dnn._compat import v1
from tf1_dnn.early_stopping import EarlyStopping
from tf1_dnn.training import shuffled_batch_indices
from tf1_dnn.errors import (InputError, StateError,
                            TrainingDivergedError, diverged_message,
                            nonfinite_summary)

__all__ = ["DNNClassifier", "leaky_relu"]


class _LeakyReLU:
    """`f(z, name=None) = max(alpha * z, z)`; a class, so that it pickles."""

    def __init__(self, alpha):
        self.alpha = alpha
        self.__name__ = f"leaky_relu_{alpha:g}"

    def __call__(self, z, name=None):
        return v1.maximum(self.alpha * z, z, name=name)

    def __eq__(self, other):
        return isinstance(other, _LeakyReLU) and other.alpha == self.alpha

    def __hash__(self):
        return hash(("leaky_relu", self.alpha))

    def __repr__(self):
        return f"leaky_relu(alpha={self.alpha!r})"


def leaky_relu(alpha=0.01):
    """Returns `f(z, name=None) = max(alpha * z, z)` (the book's factory).

    The result is a picklable callable (so a DNNClassifier using it can go
    to Dask workers or be pickled fitted), named `leaky_relu_<alpha>`.
    """
    if not 0.0 <= alpha < 1.0:
        raise InputError(f"leaky_relu: alpha must be in [0, 1), got {alpha!r}")
    return _LeakyReLU(alpha)


class DNNClassifier(ClassifierMixin, BaseEstimator):
    """Deep feed-forward classifier (TF1 graph), scikit-learn compatible.

    Args:
      n_hidden_layers: number of hidden layers (default 5).
      n_neurons: neurons per hidden layer (default 100).
      optimizer_class: a `tf.train.Optimizer` class, called as
        `optimizer_class(learning_rate=learning_rate)` (default Adam).
      learning_rate: default 0.01.
      batch_size: default 20.
      activation: callable `f(z, name=None)` (default `tf.nn.elu`).
      initializer: kernel initializer; None means
        `tf.variance_scaling_initializer()` (LeCun, see the module caveats).
      batch_norm_momentum: None (no batch norm) or the moving-average momentum.
      dropout_rate: None (no dropout) or the drop rate before each hidden layer.
      random_state: int seed (graph seed, shuffling, validation split) or None.
      n_epochs: maximum number of epochs (default 100).
      validation_fraction: share of the training data held out for early
        stopping (default 0.1); 0 or None disables early stopping.
      max_checks_without_progress: epochs without validation improvement
        before stopping (default 20).
      session_config: a `tf.ConfigProto` for the session, or None.
      verbose: print the validation loss/accuracy each epoch.

    Attributes (after `fit`): `classes_`, `n_features_in_`, `n_epochs_`
    (epochs run), `best_loss_`, `best_epoch_`, `history_` (list of
    `(epoch, val_loss, val_accuracy)`), `validation_indices_` (rows of X used
    for validation), `stopped_early_`.
    """

    def __init__(self, n_hidden_layers=5, n_neurons=100,
                 optimizer_class=v1.train.AdamOptimizer, learning_rate=0.01,
                 batch_size=20, activation=v1.nn.elu, initializer=None,
                 batch_norm_momentum=None, dropout_rate=None,
                 random_state=None, n_epochs=100, validation_fraction=0.1,
                 max_checks_without_progress=20, session_config=None,
                 verbose=False):
        self.n_hidden_layers = n_hidden_layers
        self.n_neurons = n_neurons
        self.optimizer_class = optimizer_class
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.activation = activation
        self.initializer = initializer
        self.batch_norm_momentum = batch_norm_momentum
        self.dropout_rate = dropout_rate
        self.random_state = random_state
        self.n_epochs = n_epochs
        self.validation_fraction = validation_fraction
        self.max_checks_without_progress = max_checks_without_progress
        self.session_config = session_config
        self.verbose = verbose

    # -- checks ---------------------------------------------------------------

    def _check_params(self):
        def positive_int(name):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
                    or value < 1:
                raise InputError(f"DNNClassifier: {name} must be a positive "
                                 f"integer, got {value!r}")
        for name in ("n_hidden_layers", "n_neurons", "batch_size", "n_epochs"):
            positive_int(name)
        if not self.learning_rate > 0:
            raise InputError("DNNClassifier: learning_rate must be > 0, got "
                             f"{self.learning_rate!r}")
        if self.dropout_rate is not None and not 0 <= self.dropout_rate < 1:
            raise InputError("DNNClassifier: dropout_rate must be None or in "
                             f"[0, 1), got {self.dropout_rate!r}")
        if self.batch_norm_momentum is not None and \
                not 0 < self.batch_norm_momentum < 1:
            raise InputError("DNNClassifier: batch_norm_momentum must be None "
                             f"or in (0, 1), got {self.batch_norm_momentum!r}")
        value = self.max_checks_without_progress
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
                or value < 0:
            raise InputError("DNNClassifier: max_checks_without_progress must "
                             f"be an integer >= 0, got {value!r}")
        if self.validation_fraction and not 0 < self.validation_fraction < 1:
            raise InputError("DNNClassifier: validation_fraction must be 0/None "
                             f"or in (0, 1), got {self.validation_fraction!r}")
        if not callable(self.activation):
            raise InputError("DNNClassifier: activation must be callable "
                             "f(z, name=None), e.g. tf.nn.elu, got "
                             f"{self.activation!r}")

    @staticmethod
    def _check_X(X, n_features=None):
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2:
            raise InputError(
                f"DNNClassifier: X must be 2-D (n_samples, n_features), got "
                f"shape {X.shape}; flatten images first, e.g. "
                "X.reshape(len(X), -1)")
        if n_features is not None and X.shape[1] != n_features:
            raise InputError(
                f"DNNClassifier: X has {X.shape[1]} features, but the model "
                f"was fitted with {n_features}")
        if len(X) == 0:
            raise InputError("DNNClassifier: X is empty (0 rows)")
        # NaN rows would train to a kernel-dependent result and predict
        # class 0: refused first, as scikit-learn's own estimators do.
        problem = nonfinite_summary(X, "X")
        if problem:
            raise InputError(f"DNNClassifier: {problem}")
        return X

    def _check_is_fitted(self):
        if getattr(self, "_session", None) is None:
            raise NotFittedError(
                "This DNNClassifier instance is not fitted yet: call "
                "fit(X, y) before predict/predict_proba/score.")

    # -- graph ----------------------------------------------------------------

    def _build_graph(self, n_inputs, n_outputs):
        initializer = self.initializer
        if initializer is None:
            initializer = v1.variance_scaling_initializer()  # LeCun (caveat)
        if self.random_state is not None:
            v1.set_random_seed(self.random_state)
        X = v1.placeholder(v1.float32, shape=(None, n_inputs), name="X")
        y = v1.placeholder(v1.int32, shape=(None,), name="y")
        training = v1.placeholder_with_default(False, shape=(), name="training")
        inputs = X
        for layer in range(self.n_hidden_layers):
            if self.dropout_rate:
                inputs = layers.dropout(inputs, self.dropout_rate,
                                        training=training)
            inputs = layers.dense(inputs, self.n_neurons,
                                  kernel_initializer=initializer,
                                  name="hidden%d" % (layer + 1))
            if self.batch_norm_momentum:
                inputs = layers.batch_normalization(
                    inputs, momentum=self.batch_norm_momentum,
                    training=training)
            inputs = self.activation(inputs, name="hidden%d_out" % (layer + 1))
        logits = layers.dense(inputs, n_outputs, kernel_initializer=initializer,
                              name="logits")
        Y_proba = v1.nn.softmax(logits, name="Y_proba")
        xentropy = v1.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits)
        loss = v1.reduce_mean(xentropy, name="loss")
        optimizer = self.optimizer_class(learning_rate=self.learning_rate)
        training_op = optimizer.minimize(loss)
        correct = v1.nn.in_top_k(logits, y, 1)
        accuracy = v1.reduce_mean(v1.cast(correct, v1.float32), name="accuracy")
        gvars = v1.global_variables()
        assign_feeds = [v1.placeholder(v.dtype.base_dtype, shape=v.shape)
                        for v in gvars]
        assign_ops = [v1.assign(v, p) for v, p in zip(gvars, assign_feeds)]
        self._X, self._y, self._training = X, y, training
        self._Y_proba, self._loss, self._accuracy = Y_proba, loss, accuracy
        self._training_op = training_op
        self._extra_update_ops = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
        self._gvars, self._assign_feeds, self._assign_ops = \
            gvars, assign_feeds, assign_ops
        self._init = v1.global_variables_initializer()

    def _get_model_params(self):
        return self._session.run(self._gvars)

    def _restore_model_params(self, values):
        self._session.run(self._assign_ops,
                          feed_dict=dict(zip(self._assign_feeds, values)))

    # -- scikit-learn API ------------------------------------------------------

    def fit(self, X, y):
        """Trains a fresh network on (X, y); returns self.

        Any earlier fit of this instance is discarded (its session closed).

        Raises:
          TrainingDivergedError: the training loss of an epoch became NaN or
            Inf (a learning rate too high, or NaN/Inf in X: the message says
            which). The estimator is then fitted with the weights of before
            that epoch (the last finite ones).
        """
        self._check_params()
        X = self._check_X(X)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise InputError(
                f"DNNClassifier: y must be 1-D with one label per row of X "
                f"({len(X)}), got shape {y.shape}")
        classes, y_idx = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise InputError("DNNClassifier: y has a single class "
                             f"({classes!r}); a classifier needs at least two")
        y_idx = y_idx.astype(np.int32)
        rng = np.random.RandomState(self.random_state)

        valid_idx = np.array([], dtype=np.int64)
        train_idx = np.arange(len(X))
        if self.validation_fraction:
            n_valid = int(round(len(X) * self.validation_fraction))
            if n_valid < 1 or n_valid >= len(X):
                raise InputError(
                    f"DNNClassifier: validation_fraction="
                    f"{self.validation_fraction} of {len(X)} samples leaves "
                    "no validation or no training data; use more data or set "
                    "validation_fraction=None (no early stopping)")
            perm = rng.permutation(len(X))
            valid_idx, train_idx = np.sort(perm[:n_valid]), perm[n_valid:]
        X_train, y_train = X[train_idx], y_idx[train_idx]
        X_valid, y_valid = X[valid_idx], y_idx[valid_idx]

        self.close()
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self.validation_indices_ = valid_idx
        self._graph = v1.Graph()
        with self._graph.as_default():
            self._build_graph(X.shape[1], len(classes))
        self._session = v1.Session(graph=self._graph,
                                   config=self.session_config)

        # The chapter's rule: stop after more than max_checks_without_progress
        # epochs without a lower validation loss, keep the best weights.
        stopper = EarlyStopping(self._session, var_list=self._gvars,
                                patience=self.max_checks_without_progress + 1)
        self.history_ = []
        self.stopped_early_ = False
        self._session.run(self._init)
        n_batches = max(1, len(X_train) // self.batch_size)
        epoch = -1
        for epoch in range(self.n_epochs):
            last_finite = self._get_model_params()
            loss_sum = 0.0
            for batch_idx in shuffled_batch_indices(len(X_train), n_batches,
                                                    rng):
                feed = {self._X: X_train[batch_idx],
                        self._y: y_train[batch_idx]}
                if self._extra_update_ops or self.dropout_rate:
                    feed[self._training] = True
                _, _, batch_loss = self._session.run(
                    [self._training_op, self._extra_update_ops, self._loss],
                    feed_dict=feed)
                loss_sum += float(batch_loss)
            if not np.isfinite(loss_sum):
                self._restore_model_params(last_finite)
                self.n_epochs_ = epoch
                self.best_loss_ = stopper.best \
                    if stopper.best_index is not None else None
                self.best_epoch_ = stopper.best_index
                # (NaN/Inf in X was refused by _check_X before training.)
                raise TrainingDivergedError(
                    diverged_message(
                        "DNNClassifier.fit", epoch, loss_sum / n_batches,
                        None, "The estimator keeps the weights of before "
                        "that epoch (the last finite ones) and can predict."),
                    epoch=epoch, input_has_nan=False,
                    history=list(self.history_))
            if len(valid_idx):
                loss_val, acc_val = self._session.run(
                    [self._loss, self._accuracy],
                    feed_dict={self._X: X_valid, self._y: y_valid})
                self.history_.append((epoch, float(loss_val), float(acc_val)))
                stop = stopper.update(loss_val)
                if self.verbose:
                    print("%d\tValidation loss: %.6f\tBest loss: %.6f\t"
                          "Accuracy: %.2f%%" % (epoch, loss_val, stopper.best,
                                                acc_val * 100))
                if stop:
                    self.stopped_early_ = True
                    if self.verbose:
                        print("Early stopping!")
                    break
        if stopper.best_index is not None:
            stopper.restore()
        self.n_epochs_ = epoch + 1
        self.best_loss_ = stopper.best if stopper.best_index is not None \
            else None
        self.best_epoch_ = stopper.best_index
        return self

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), rows sum to 1."""
        self._check_is_fitted()
        X = self._check_X(X, self.n_features_in_)
        return self._session.run(self._Y_proba, feed_dict={self._X: X})

    def predict(self, X):
        """The most probable class label of each row, shape (n_samples,)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def save(self, path):
        """Saves the fitted variables as a TF1 checkpoint at `path`."""
        self._check_is_fitted()
        with self._graph.as_default():
            saver = v1.train.Saver(self._gvars)
        return saver.save(self._session, path)

    def close(self):
        """Closes the session (the instance is then unfitted)."""
        session = getattr(self, "_session", None)
        if session is not None:
            session.close()
        self._session = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __getstate__(self):
        """Parameters, fitted attributes and, when fitted, the weights.

        A fitted instance pickles with its variables' values (numpy arrays,
        optimizer slots included) instead of its graph and session, which do
        not pickle; unpickling rebuilds the graph and a session and assigns
        them, so `predict_proba` gives the same numbers. This is what lets
        joblib's Dask backend (`RandomizedSearchCV` on a Dask cluster) and
        `return_estimator=True` ship fitted models between processes.
        """
        state = super().__getstate__()
        state = {k: v for k, v in state.items()
                 if not k.startswith("_") or k == "_sklearn_version"}
        if getattr(self, "_session", None) is not None:
            state["_fitted_weights"] = self._get_model_params()
        return state

    def __setstate__(self, state):
        state = dict(state)
        weights = state.pop("_fitted_weights", None)
        super().__setstate__(state)
        self._session = None
        if weights is None:
            return
        self._graph = v1.Graph()
        with self._graph.as_default():
            self._build_graph(self.n_features_in_, len(self.classes_))
        if len(weights) != len(self._gvars):
            raise StateError(
                f"DNNClassifier: the pickled weights hold {len(weights)} "
                f"arrays but the rebuilt graph has {len(self._gvars)} "
                "variables (pickled by another tf1_dnn version?); refit it.")
        self._session = v1.Session(graph=self._graph,
                                   config=self.session_config)
        self._session.run(self._init)
        self._restore_model_params(weights)
