"""`tf.contrib.factorization.KMeans` and `KMeansClustering` (TF 1.15 API).

    kmeans = tf.contrib.factorization.KMeans(X, num_clusters=3,
                                             use_mini_batch=False)
    (all_scores, cluster_idx, scores, initialized, init_op,
     train_op) = kmeans.training_graph()

Built on the clustering kernels TensorFlow 2.21 still ships
(`tf.raw_ops.NearestNeighbors`, `KmeansPlusPlusInitialization`,
`KMC2ChainInitialization`) and core ops, as TF 1.15's `clustering_ops` was.
Behaviour kept from TF 1.15, pitfalls included:

* `training_graph()` returns the 6-tuple above; `all_scores`, `cluster_idx`
  and `scores` are lists (one entry per input tensor).
* Variables `clusters` (shape set at initialization, `validate_shape=False`),
  `initialized` (bool) and, in mini-batch mode, `cluster_counts`.
* `init_op` must run (once) before `train_op`; it initializes from the batch
  it sees. RANDOM_INIT samples input rows uniformly *with replacement*
  (duplicate centers are possible).
* Squared Euclidean scores are squared distances; cosine scores are
  1 - cos (inputs and centers l2-normalized).
* Full-batch step: each center becomes the mean of its points, computed as
  sum / (count + 1e-6), so an empty cluster's center collapses to the origin.
  Mini-batch step: running mean, center = (center * old_count + sum) /
  (old_count + new_count).
"""

from tf1_dnn._compat import tf2, v1
from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.estimator.estimator import Estimator
from tf1_dnn.estimator.model_fn import EstimatorSpec, ModeKeys

__all__ = ["KMeans", "KMeansClustering", "SQUARED_EUCLIDEAN_DISTANCE",
           "COSINE_DISTANCE", "RANDOM_INIT", "KMEANS_PLUS_PLUS_INIT",
           "KMC2_INIT", "KMeansError"]

SQUARED_EUCLIDEAN_DISTANCE = "squared_euclidean"
COSINE_DISTANCE = "cosine"
RANDOM_INIT = "random"
KMEANS_PLUS_PLUS_INIT = "kmeans_plus_plus"
KMC2_INIT = "kmc2"
CLUSTERS_VAR_NAME = "clusters"


class KMeansError(Tf1DnnError, ValueError):
    """Bad KMeans arguments."""


class KMeans:
    """The k-means graph of TF 1.15's `tf.contrib.factorization.KMeans`."""

    def __init__(self, inputs, num_clusters,
                 initial_clusters=RANDOM_INIT,
                 distance_metric=SQUARED_EUCLIDEAN_DISTANCE,
                 use_mini_batch=False, mini_batch_steps_per_iteration=1,
                 random_seed=0, kmeans_plus_plus_num_retries=2,
                 kmc2_chain_length=200):
        if distance_metric not in (SQUARED_EUCLIDEAN_DISTANCE,
                                   COSINE_DISTANCE):
            raise KMeansError(
                f"Unsupported distance metric {distance_metric!r}; use "
                "SQUARED_EUCLIDEAN_DISTANCE or COSINE_DISTANCE.")
        if isinstance(initial_clusters, str) and initial_clusters not in (
                RANDOM_INIT, KMEANS_PLUS_PLUS_INIT, KMC2_INIT):
            raise KMeansError(
                f"Unsupported initialization {initial_clusters!r}; use "
                "RANDOM_INIT, KMEANS_PLUS_PLUS_INIT, KMC2_INIT, a tensor or "
                "a callable(inputs, num_clusters).")
        if mini_batch_steps_per_iteration != 1:
            raise KMeansError(
                "mini_batch_steps_per_iteration != 1 (TF 1.x's delayed "
                "updates) is not provided by tf1_dnn; use 1.")
        self._inputs = inputs if isinstance(inputs, list) else [inputs]
        self._num_clusters = num_clusters
        self._initial_clusters = initial_clusters
        self._distance_metric = distance_metric
        self._use_mini_batch = use_mini_batch
        self._random_seed = random_seed
        self._num_retries = kmeans_plus_plus_num_retries
        self._kmc2_chain_length = kmc2_chain_length

    def _cosine(self):
        return self._distance_metric == COSINE_DISTANCE

    def _distances(self, inputs, clusters):
        """(all_scores, cluster_idx, scores) lists."""
        all_scores, idx, scores = [], [], []
        for inp in inputs:
            if self._cosine():
                sim = v1.matmul(inp, clusters, transpose_b=True)
                all_scores.append(1.0 - sim)
                idx.append(v1.argmax(sim, axis=1))
                scores.append(1.0 - v1.reduce_max(sim, axis=1))
            else:
                sq = (v1.reduce_sum(v1.square(inp), 1, keepdims=True)
                      - 2.0 * v1.matmul(inp, clusters, transpose_b=True)
                      + v1.transpose(v1.reduce_sum(v1.square(clusters), 1,
                                                   keepdims=True)))
                all_scores.append(sq)
                nn_idx, nn_dist = tf2.raw_ops.NearestNeighbors(
                    points=inp, centers=clusters, k=1)
                idx.append(v1.squeeze(nn_idx, [1]))
                scores.append(v1.squeeze(nn_dist, [1]))
        return all_scores, idx, scores

    def _init_clusters(self, inp):
        k = self._num_clusters
        init = self._initial_clusters
        seed = self._random_seed
        if callable(init):
            return init(inp, k)
        if not isinstance(init, str):
            return v1.convert_to_tensor(init, dtype=inp.dtype)
        num_data = v1.shape(inp, out_type=tf2.int64)[0]
        check = v1.assert_less_equal(
            v1.cast(k, tf2.int64), num_data,
            message="Number of clusters must not exceed the number of data "
                    "points in the first batch (TF 1.x's requirement).")
        with v1.control_dependencies([check]):
            if init == RANDOM_INIT:
                rows = v1.random_uniform([k], 0, num_data, dtype=tf2.int64,
                                         seed=seed)
                return v1.gather(inp, rows)
            if init == KMEANS_PLUS_PLUS_INIT:
                return tf2.raw_ops.KmeansPlusPlusInitialization(
                    points=inp, num_to_sample=v1.cast(k, tf2.int64),
                    seed=v1.cast(seed, tf2.int64),
                    num_retries_per_sample=v1.cast(self._num_retries,
                                                   tf2.int64))
            # KMC2: first center uniform, the others by Markov chains.
            first = v1.random_uniform([1], 0, num_data, dtype=tf2.int64,
                                      seed=seed)
            centers = v1.gather(inp, first)
            for i in range(1, k):
                cand_rows = v1.random_uniform(
                    [self._kmc2_chain_length], 0, num_data, dtype=tf2.int64,
                    seed=seed + i)
                cand = v1.gather(inp, cand_rows)
                _, dist = tf2.raw_ops.NearestNeighbors(points=cand,
                                                       centers=centers, k=1)
                pick = tf2.raw_ops.KMC2ChainInitialization(
                    distances=v1.squeeze(dist, [1]),
                    seed=v1.cast(seed + i, tf2.int64))
                centers = v1.concat([centers, cand[pick:pick + 1]], 0)
            return centers

    def training_graph(self):
        """(all_scores, cluster_idx, scores, cluster_centers_initialized,
        init_op, training_op), as TF 1.15."""
        inputs = self._inputs
        if self._cosine():
            inputs = [v1.nn.l2_normalize(i, axis=1) for i in inputs]
        dtype = inputs[0].dtype
        clusters = v1.get_variable(
            CLUSTERS_VAR_NAME, initializer=v1.zeros([0, 0], dtype),
            validate_shape=False, trainable=False, use_resource=False)
        initialized = v1.get_variable(
            "initialized", initializer=False, dtype=tf2.bool,
            trainable=False, use_resource=False)
        counts = None
        if self._use_mini_batch:
            counts = v1.get_variable(
                "cluster_counts",
                initializer=v1.zeros([self._num_clusters], tf2.int64),
                trainable=False, use_resource=False)

        def do_init():
            init = self._init_clusters(inputs[0])
            if self._cosine():
                init = v1.nn.l2_normalize(init, axis=1)
            a = v1.assign(clusters, init, validate_shape=False)
            with v1.control_dependencies([a]):
                return v1.identity(v1.assign(initialized, True))

        init_op = v1.cond(initialized, lambda: v1.identity(initialized),
                          do_init).op
        centers = v1.identity(clusters)
        centers.set_shape([self._num_clusters, inputs[0].shape[1]])
        all_scores, idx, scores = self._distances(inputs, centers)
        k = self._num_clusters
        sums = v1.add_n([v1.unsorted_segment_sum(inp, i, k)
                         for inp, i in zip(inputs, idx)])
        new_counts = v1.add_n([v1.unsorted_segment_sum(
            v1.ones_like(i, dtype=tf2.int64), i, k) for i in idx])
        if self._use_mini_batch:
            old = v1.cast(counts, dtype)[:, None]
            total = old + v1.cast(new_counts, dtype)[:, None]
            new_centers = v1.where(
                v1.tile(total > 0, [1, v1.shape(centers)[1]]),
                (centers * old + sums) / v1.maximum(total, 1.0), centers)
            update = [v1.assign_add(counts, new_counts)]
        else:
            new_centers = sums / (v1.cast(new_counts, dtype)[:, None] + 1e-6)
            update = []
        if self._cosine():
            new_centers = v1.nn.l2_normalize(new_centers, axis=1)
        with v1.control_dependencies(update):
            training_op = v1.assign(clusters, new_centers,
                                    validate_shape=False).op
        return all_scores, idx, scores, initialized, init_op, training_op


class _InitHook(v1.train.SessionRunHook):
    """Runs the cluster initialization before training (TF 1.15's
    `_InitializeClustersHook`)."""

    def __init__(self, init_op, initialized):
        self._init_op, self._initialized = init_op, initialized

    def after_create_session(self, session, coord):
        if not session.run(self._initialized):
            session.run(self._init_op)


class KMeansClustering(Estimator):
    """TF 1.15's `KMeansClustering` estimator (a `tf.estimator.Estimator`).

    `input_fn` returns the points (a [n, d] tensor, or a dict with one
    tensor); `train`, `cluster_centers()`, `predict_cluster_index`, `score`
    (sum of squared distances, over the eval input), `transform`
    (distances to every center).
    """

    SQUARED_EUCLIDEAN_DISTANCE = SQUARED_EUCLIDEAN_DISTANCE
    COSINE_DISTANCE = COSINE_DISTANCE
    RANDOM_INIT = RANDOM_INIT
    KMEANS_PLUS_PLUS_INIT = KMEANS_PLUS_PLUS_INIT
    SCORE = "score"
    CLUSTER_CENTERS_VAR_NAME = CLUSTERS_VAR_NAME
    ALL_DISTANCES = "all_distances"
    CLUSTER_INDEX = "cluster_index"

    def __init__(self, num_clusters, model_dir=None,
                 initial_clusters=RANDOM_INIT,
                 distance_metric=SQUARED_EUCLIDEAN_DISTANCE, random_seed=0,
                 use_mini_batch=True, mini_batch_steps_per_iteration=1,
                 kmeans_plus_plus_num_retries=2, relative_tolerance=None,
                 config=None, feature_columns=None):
        kmeans_args = dict(
            num_clusters=num_clusters, initial_clusters=initial_clusters,
            distance_metric=distance_metric, use_mini_batch=use_mini_batch,
            mini_batch_steps_per_iteration=mini_batch_steps_per_iteration,
            random_seed=random_seed,
            kmeans_plus_plus_num_retries=kmeans_plus_plus_num_retries)

        def model_fn(features, labels, mode):
            if isinstance(features, dict):
                if feature_columns is not None:
                    points = v1.feature_column.input_layer(features,
                                                           feature_columns)
                elif len(features) == 1:
                    (points,) = features.values()
                else:
                    raise KMeansError(
                        "KMeansClustering: features are a dict of "
                        f"{sorted(features)}; pass feature_columns.")
            else:
                points = features
            points = v1.to_float(points)
            (all_scores, idx, scores, initialized, init_op,
             training_op) = KMeans(points, **kmeans_args).training_graph()
            loss = v1.reduce_sum(scores[0])
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(mode, predictions={
                    "all_distances": all_scores[0],
                    "cluster_index": idx[0]})
            if mode == ModeKeys.EVAL:
                return EstimatorSpec(mode, loss=loss, eval_metric_ops={
                    "score": v1.metrics.mean(loss)})
            with v1.control_dependencies([training_op]):
                train_op = v1.assign_add(v1.train.get_global_step(), 1).op
            return EstimatorSpec(mode, loss=loss, train_op=train_op,
                                 training_hooks=[_InitHook(init_op,
                                                           initialized)])

        super().__init__(model_fn, model_dir=model_dir, config=config)

    def cluster_centers(self):
        return self.get_variable_value(CLUSTERS_VAR_NAME)

    def predict_cluster_index(self, input_fn):
        for row in self.predict(input_fn, predict_keys=["cluster_index"]):
            yield row["cluster_index"]

    def transform(self, input_fn):
        for row in self.predict(input_fn, predict_keys=["all_distances"]):
            yield row["all_distances"]

    def score(self, input_fn):
        """Sum of the distances of the points to their nearest center."""
        return self.evaluate(input_fn=input_fn, steps=1)["score"]
