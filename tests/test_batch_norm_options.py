"""TF 1.15's remaining batch-norm options: `renorm`, `virtual_batch_size` and
`adjustment` in `tf.layers.BatchNormalization`; `renorm`, `adjustment`,
`zero_debias_moving_mean` and `batch_weights` in `tf.contrib.layers.batch_norm`.

The `tf.layers` oracle is tf_keras's copy of TF 1.15's layer
(`tf_keras.src.legacy_tf_layers.normalization`), built in the same graph on the
same input: its plain path runs the same ops as ours, so outputs, gradients
and every variable after the updates must be equal bit for bit. contrib's
options (tf-slim's batch_norm does not run on TF 2.21) are checked against
numpy closed forms and TF's own `ExponentialMovingAverage(zero_debias)`.
"""

import numpy as np
import pytest

from tf1_dnn import layers as L
from tf1_dnn import tf
from tf1_dnn.contrib import layers as C
from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.layers import InputError

K = pytest.importorskip("tf_keras.src.legacy_tf_layers.normalization")

EPS = 1e-3


def _names(variables):
    return [v.op.name for v in variables]


def _collections(graph, variable):
    return sorted(k for k in graph.get_all_collection_keys()
                  if any(v is variable for v in graph.get_collection(k)))


def _pair(graph, x_shape, training, **kwargs):
    """Our layer and the oracle on one placeholder; a loss with unequal
    weights per element so the gradients are not trivially zero."""
    X = tf.placeholder(tf.float32, (None,) + tuple(x_shape[1:]), name="X")
    weights = np.linspace(0.5, 2.0, int(np.prod(x_shape[1:])), dtype=np.float32)
    built = {}
    for name, module in (("ours", L), ("ref", K)):
        layer = module.BatchNormalization(
            momentum=0.8, gamma_initializer=tf.constant_initializer(1.5),
            beta_initializer=tf.constant_initializer(0.2), name=name, **kwargs)
        y = layer.apply(X, training=training)
        loss = tf.reduce_sum(tf.square(y) * weights.reshape(x_shape[1:]))
        grads = tf.gradients(loss, [X] + layer.trainable_variables)
        updates = [u for u in tf.get_collection(tf.GraphKeys.UPDATE_OPS)
                   if u.name.startswith(name + "/")]
        built[name] = (layer, [y] + grads, updates)
    return X, built


def _assert_same_graph_contract(graph, built):
    ours, ref = built["ours"][0], built["ref"][0]
    strip = [n.split("/", 1)[1] for n in _names(ours.weights)]
    assert strip == [n.split("/", 1)[1] for n in _names(ref.weights)]
    assert [v.shape.as_list() for v in ours.weights] == \
        [v.shape.as_list() for v in ref.weights]
    for a, b in zip(ours.weights, ref.weights):
        assert _collections(graph, a) == _collections(graph, b), a.name
        assert a.op.colocation_groups() == [
            g.replace(b"loc:@ref/", b"loc:@ours/")
            for g in b.op.colocation_groups()], a.name
    assert len(built["ours"][2]) == len(built["ref"][2]) == 2


def _run_parity(sess, X, T, built, x_shape, rng, steps=3):
    """Outputs and gradients (training on and off) and, after each round of
    update ops, every variable: ours == oracle bit for bit."""
    sess.run(tf.global_variables_initializer())
    for _ in range(steps):
        x = (2 * rng.randn(*x_shape) + 1).astype(np.float32)
        for training in (True, False):
            feed = {X: x, T: training}
            got, want = sess.run([built["ours"][1], built["ref"][1]], feed)
            for a, b in zip(got, want):
                np.testing.assert_array_equal(a, b)
        sess.run(built["ours"][2] + built["ref"][2], {X: x, T: True})
        got, want = sess.run([built["ours"][0].weights,
                              built["ref"][0].weights])
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)


# -- renorm --------------------------------------------------------------------
def test_renorm_matches_tf_keras_oracle_bitwise(graph, sess, rng):
    T = tf.placeholder(tf.bool, (), name="training")
    clipping = {"rmax": 1.2, "rmin": tf.constant(0.8), "dmax": 0.3}
    X, built = _pair(graph, (8, 3), T, renorm=True, renorm_clipping=clipping,
                     renorm_momentum=0.7)
    assert _names(built["ours"][0].weights) == [
        "ours/gamma", "ours/beta", "ours/moving_mean", "ours/moving_variance",
        "ours/moving_stddev", "ours/renorm_mean", "ours/renorm_stddev"]
    assert _names(tf.trainable_variables()) == [
        "ours/gamma", "ours/beta", "ref/gamma", "ref/beta"]
    _assert_same_graph_contract(graph, built)
    _run_parity(sess, X, T, built, (8, 3), rng)


def test_renorm_numbers_against_numpy(graph, sess, rng):
    # One training step from the initial averages (renorm_mean 0,
    # renorm_stddev 1): r = sigma_B, d = mu_B, clipped; then the updates.
    x = (3 * rng.randn(10, 4) + np.array([0.1, -0.2, 2.0, 0.0])).astype(
        np.float32)
    layer = L.BatchNormalization(renorm=True, momentum=0.9,
                                 renorm_momentum=0.5,
                                 renorm_clipping={"rmax": 2.5, "dmax": 0.5})
    y = layer.apply(tf.constant(x), training=True)
    sess.run(tf.global_variables_initializer())
    mu, var = x.mean(0), x.var(0)
    sigma = np.sqrt(var + EPS)
    r, d = np.minimum(sigma, 2.5), np.clip(mu, -0.5, 0.5)
    np.testing.assert_allclose(sess.run(y), (x - mu) / sigma * r + d,
                               rtol=1e-5, atol=1e-5)
    sess.run(layer.updates)
    got = dict(zip(_names(layer.weights), sess.run(layer.weights)))
    np.testing.assert_allclose(got["batch_normalization/renorm_mean"],
                               0.5 * mu, rtol=1e-5)
    np.testing.assert_allclose(got["batch_normalization/renorm_stddev"],
                               0.5 + 0.5 * sigma, rtol=1e-5)
    np.testing.assert_allclose(got["batch_normalization/moving_mean"],
                               0.1 * mu, rtol=1e-5)
    stddev = 0.9 + 0.1 * sigma            # moving_stddev starts at sqrt(1)
    np.testing.assert_allclose(got["batch_normalization/moving_stddev"],
                               stddev, rtol=1e-5)
    np.testing.assert_allclose(got["batch_normalization/moving_variance"],
                               stddev ** 2 - EPS, rtol=1e-5)
    # inference ignores renorm: the moving statistics, r = 1, d = 0
    y_inf = L.BatchNormalization(renorm=True, name="batch_normalization",
                                 _reuse=True).apply(tf.constant(x))
    np.testing.assert_allclose(
        sess.run(y_inf),
        (x - 0.1 * mu) / np.sqrt(stddev ** 2 - EPS + EPS), rtol=1e-4,
        atol=1e-5)


def test_renorm_float64_works(graph, sess, rng):
    # TF 1.15 / the oracle raise TypeError here (a float32 sqrt(epsilon));
    # ours computes it in float64. From the initial averages (0, 1) the
    # first training step gives r = sigma_B, d = mu_B: y = x exactly.
    x = rng.randn(4, 3)
    y = L.batch_normalization(tf.constant(x), renorm=True, training=True)
    sess.run(tf.global_variables_initializer())
    assert y.dtype == tf.float64
    np.testing.assert_allclose(sess.run(y), x, rtol=1e-12, atol=1e-12)


def test_renorm_stops_gradients_through_r_and_d(graph, sess, rng):
    x = rng.randn(6, 2).astype(np.float32)
    X = tf.constant(x)
    y = L.batch_normalization(X, training=True, renorm=True, center=False,
                              scale=False)
    plain = L.batch_normalization(X, training=True, center=False,
                                  scale=False)
    # y = x_hat * r + d with r, d constants: the gradient is plain BN's
    # gradient times r (r = sigma_B at the first step, unclipped).
    c = tf.constant(rng.randn(6, 2).astype(np.float32))
    grads = [tf.gradients(tf.reduce_sum(y * c), X)[0],
             tf.gradients(tf.reduce_sum(plain * c), X)[0]]
    sess.run(tf.global_variables_initializer())
    g, g_plain = sess.run(grads)
    np.testing.assert_allclose(g, g_plain * np.sqrt(x.var(0) + EPS),
                               rtol=1e-4, atol=1e-5)
    assert graph.get_operation_by_name(
        "batch_normalization/renorm_r").type == "StopGradient"


def test_fused_true_with_renorm_vbs_or_adjustment_takes_plain_path(graph):
    # TF 1.15's tf.layers (the V1 layer) fell back silently; so does the
    # oracle, so do we.
    X = tf.placeholder(tf.float32, (8, 2, 2, 3))
    options = [dict(renorm=True), dict(virtual_batch_size=4),
               dict(adjustment=lambda s: (tf.ones(s[-1:]), tf.zeros(s[-1:])))]
    for i, kw in enumerate(options):
        ours = L.BatchNormalization(fused=True, name=f"o{i}", **kw)
        ref = K.BatchNormalization(fused=True, name=f"r{i}", **kw)
        ours.apply(X, training=True)
        ref.apply(X, training=True)
        assert ours.fused is False and ref.fused is False
    plain = L.BatchNormalization(fused=True, name="p")
    plain.apply(X, training=True)
    assert plain.fused is True
    fused_ops = [op.name for op in graph.get_operations()
                 if op.type.startswith("FusedBatchNorm")]
    assert fused_ops and all(n.startswith("p/") for n in fused_ops)


# -- virtual_batch_size --------------------------------------------------------
@pytest.mark.parametrize("x_shape,vbs,kwargs", [
    ((12, 3), 4, {}),
    ((8, 2, 2, 3), 2, {"renorm": True}),
    ((6, 3, 2), 3, {"axis": 1}),
])
def test_virtual_batch_matches_tf_keras_oracle_bitwise(graph, sess, rng,
                                                       x_shape, vbs, kwargs):
    T = tf.placeholder(tf.bool, (), name="training")
    X, built = _pair(graph, x_shape, T, virtual_batch_size=vbs, **kwargs)
    _assert_same_graph_contract(graph, built)
    # TF 1.x's parameter shape: the input rank plus one, all ones but C
    gamma = built["ours"][0].gamma
    want = [1] * (len(x_shape) + 1)
    axis = kwargs.get("axis", -1) % len(x_shape)
    want[axis + 1] = x_shape[axis]
    assert gamma.shape.as_list() == want
    _run_parity(sess, X, T, built, x_shape, rng, steps=2)


def test_virtual_batches_are_strided_numpy(graph, sess, rng):
    # [12, 3] with virtual_batch_size=4 -> [4, 3, 3]: virtual batch j is
    # examples j, j+3, j+6, j+9 (TF 1.x's reshape), not 4 consecutive ones.
    x = (rng.randn(12, 3) * 2 + 1).astype(np.float32)
    layer = L.BatchNormalization(virtual_batch_size=4, momentum=0.5,
                                 epsilon=EPS)
    y = layer.apply(tf.constant(x), training=True)
    sess.run(tf.global_variables_initializer())
    groups = x.reshape(4, 3, 3)           # [vbs, N / vbs, C]
    mu, var = groups.mean(0), groups.var(0)
    want = ((groups - mu) / np.sqrt(var + EPS)).reshape(12, 3)
    np.testing.assert_allclose(sess.run(y), want, rtol=1e-5, atol=1e-5)
    sess.run(layer.updates)
    mm, mv = sess.run([layer.moving_mean, layer.moving_variance])
    assert mm.shape == (1, 1, 3)
    # one update with the mean of the virtual batches' statistics
    np.testing.assert_allclose(mm[0, 0], 0.5 * mu.mean(0), rtol=1e-5)
    np.testing.assert_allclose(mv[0, 0], 0.5 + 0.5 * var.mean(0), rtol=1e-5)


def test_virtual_batch_size_errors(graph, sess):
    with pytest.raises(InputError, match=r"virtual_batch_size=5 does not "
                                         r"divide the batch size 12"):
        L.batch_normalization(tf.zeros([12, 3]), virtual_batch_size=5,
                              training=True, name="bad_static")
    for bad in (0, -2, 2.0, True):
        with pytest.raises(InputError, match="must be a positive integer"):
            L.BatchNormalization(virtual_batch_size=bad)
    with pytest.raises(InputError, match="axis cannot include 0"):
        L.batch_normalization(tf.zeros([4, 3]), axis=[0, 1],
                              virtual_batch_size=2, name="bad_axis")
    with pytest.raises(InputError, match="virtual_batch_size and adjustment"):
        L.batch_normalization(
            tf.zeros([4, 3]), virtual_batch_size=2, name="bad_adj",
            adjustment=lambda s: (tf.ones(s[-1:]), tf.zeros(s[-1:])))
    assert tf.global_variables() == []   # nothing was created
    layer = L.BatchNormalization(virtual_batch_size=4, name="vbs4")
    layer.apply(tf.zeros([8, 3]), training=True)
    with pytest.raises(InputError, match="does not divide the batch size 6"):
        layer.apply(tf.zeros([6, 3]), training=True)     # a later call
    # a dynamic batch is checked when the graph runs, with our message
    X = tf.placeholder(tf.float32, (None, 3))
    y = L.batch_normalization(X, virtual_batch_size=4, training=True,
                              name="bn_dynamic")
    sess.run(tf.global_variables_initializer())
    assert sess.run(y, {X: np.ones((8, 3))}).shape == (8, 3)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="virtual_batch_size=4 must divide the batch"):
        sess.run(y, {X: np.ones((6, 3))})
    # TF 1.x reshapes at inference too: the batch must divide there as well
    y_inf = L.batch_normalization(X, virtual_batch_size=4, training=False,
                                  name="bn_dynamic", reuse=True)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="must divide the batch"):
        sess.run(y_inf, {X: np.ones((6, 3))})


# -- adjustment ----------------------------------------------------------------
def _adjustment(shape):
    # deterministic, so ours and the oracle see the same values
    return (tf.linspace(0.9, 1.1, shape[-1]),
            tf.linspace(-0.1, 0.1, shape[-1]))


def test_adjustment_matches_tf_keras_oracle_bitwise(graph, sess, rng):
    T = tf.placeholder(tf.bool, (), name="training")
    X, built = _pair(graph, (6, 2, 2, 3), T, adjustment=_adjustment,
                     renorm=True)
    _assert_same_graph_contract(graph, built)
    _run_parity(sess, X, T, built, (6, 2, 2, 3), rng, steps=2)


def test_adjustment_numpy_training_only(graph, sess, rng):
    x = rng.randn(5, 3).astype(np.float32)
    T = tf.placeholder_with_default(True, ())
    y = L.batch_normalization(tf.constant(x), training=T,
                              adjustment=_adjustment, center=False,
                              scale=False)
    sess.run(tf.global_variables_initializer())
    a, b = np.linspace(0.9, 1.1, 3), np.linspace(-0.1, 0.1, 3)
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + EPS)
    np.testing.assert_allclose(sess.run(y), x_hat * a + b, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(sess.run(y, {T: False}), x / np.sqrt(1 + EPS),
                               rtol=1e-6)


# -- contrib batch_norm: renorm and adjustment (delegated to the layer) ---------
def test_contrib_renorm_delegates_to_the_layer_bitwise(graph, sess, rng):
    x_shape = (6, 2, 2, 3)
    X = tf.placeholder(tf.float32, (None,) + x_shape[1:], name="X")
    T = tf.placeholder(tf.bool, ())
    clipping = {"rmax": 1.5, "rmin": 0.7, "dmax": 0.4}
    # fused=None (True) with renorm: the layer's plain path, as TF 1.15
    y = C.batch_norm(X, decay=0.9, is_training=T, renorm=True,
                     renorm_clipping=clipping, renorm_decay=0.6,
                     adjustment=_adjustment)
    ref = K.batch_normalization(X, momentum=0.9, training=T, renorm=True,
                                renorm_clipping=clipping, renorm_momentum=0.6,
                                adjustment=_adjustment, scale=False,
                                name="ref")
    assert not [op for op in graph.get_operations()
                if op.type.startswith("FusedBatchNorm")]
    names = ["BatchNorm/beta", "BatchNorm/moving_mean",
             "BatchNorm/moving_variance", "BatchNorm/moving_stddev",
             "BatchNorm/renorm_mean", "BatchNorm/renorm_stddev"]
    assert _names(tf.model_variables()) == names
    assert _names(tf.trainable_variables()) == ["BatchNorm/beta", "ref/beta"]
    ours = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="BatchNorm")
    theirs = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="ref")
    assert len(ours) == len(theirs) == 2
    grads = tf.gradients(tf.reduce_sum(y * y), X)
    grads_ref = tf.gradients(tf.reduce_sum(ref * ref), X)
    sess.run(tf.global_variables_initializer())
    for _ in range(2):
        x = (2 * rng.randn(*x_shape) + 1).astype(np.float32)
        for training in (True, False):
            got, want = sess.run([[y] + grads, [ref] + grads_ref],
                                 {X: x, T: training})
            for a, b in zip(got, want):
                np.testing.assert_array_equal(a, b)
        sess.run(ours + theirs, {X: x, T: True})
        got = sess.run(tf.model_variables())
        want = sess.run([graph.get_tensor_by_name("ref/" + n.split("/")[1]
                                                  + ":0") for n in names])
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)


def test_contrib_adjustment_ignored_on_the_legacy_path(graph, sess, rng):
    # TF 1.15: adjustment reaches the layer only with UPDATE_OPS; its legacy
    # path (here: updates in place) drops it without a word.
    x = rng.randn(5, 3).astype(np.float32)
    X = tf.constant(x)
    adjusted = C.batch_norm(X, adjustment=_adjustment, scope="a")
    ignored = C.batch_norm(X, adjustment=_adjustment,
                           updates_collections=None, scope="b")
    sess.run(tf.global_variables_initializer())
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + EPS)
    a, b = np.linspace(0.9, 1.1, 3), np.linspace(-0.1, 0.1, 3)
    np.testing.assert_allclose(sess.run(adjusted), x_hat * a + b, rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(sess.run(ignored), x_hat, rtol=1e-4,
                               atol=1e-5)


def test_contrib_renorm_errors(graph):
    for kw in (dict(updates_collections=None),
               dict(updates_collections=["mine"]),
               dict(zero_debias_moving_mean=True, fused=False),
               dict(batch_weights=tf.ones([4]))):
        with pytest.raises(InputError, match="renorm is not supported with "
                                             "batch_weights"):
            C.batch_norm(tf.zeros([4, 3]), renorm=True, **kw)
    with pytest.raises(InputError, match=r"renorm_clipping has unknown keys "
                                         r"\['max'\]"):
        C.batch_norm(tf.zeros([4, 3]), renorm=True,
                     renorm_clipping={"max": 2.0})
    assert issubclass(InputError, Tf1DnnError)
    assert tf.global_variables() == []


# -- contrib batch_norm: zero_debias_moving_mean --------------------------------
@pytest.mark.parametrize("fused,updates_collections", [
    (None, tf.GraphKeys.UPDATE_OPS), (False, tf.GraphKeys.UPDATE_OPS),
    (None, None), (False, None)])
def test_zero_debias_moving_mean(graph, sess, rng, fused, updates_collections):
    decay, steps = 0.9, 3
    X = tf.placeholder(tf.float32, (None, 2, 2, 3))
    T = tf.placeholder(tf.bool, ())
    y = C.batch_norm(X, decay=decay, scale=True, is_training=T,
                     zero_debias_moving_mean=True, fused=fused,
                     updates_collections=updates_collections)
    # TF's own assign_moving_average(zero_debias=True), through the EMA
    batch_mean = tf.reduce_mean(X, axis=[0, 1, 2])
    ema = tf.train.ExponentialMovingAverage(decay, zero_debias=True)
    ema_op = ema.apply([batch_mean])
    # Names as TF 1.15 (TF's test pins BatchNorm/BatchNorm/moving_mean/biased).
    # Creation order differs: TF 1.15's contrib code made beta before gamma,
    # the layer we delegate to makes gamma first.
    assert _names(tf.global_variables())[:6] == [
        "BatchNorm/gamma", "BatchNorm/beta", "BatchNorm/moving_mean",
        "BatchNorm/moving_variance", "BatchNorm/BatchNorm/moving_mean/biased",
        "BatchNorm/BatchNorm/moving_mean/local_step"]
    assert _names(tf.trainable_variables()) == ["BatchNorm/gamma",
                                                "BatchNorm/beta"]
    assert graph.get_tensor_by_name(
        "BatchNorm/BatchNorm/moving_mean/biased:0").shape.as_list() == [3]
    # TF 1.15: its non-fused path made them model variables (6, as TF's
    # testMovingAverageVariablesZeroDebias); its fused path did not (4).
    assert len(tf.model_variables()) == (6 if fused is False else 4)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == (2 if updates_collections else 0)
    sess.run(tf.global_variables_initializer())
    biased_np, means = 0.0, []
    for _ in range(steps):
        x = (rng.randn(4, 2, 2, 3) + 3).astype(np.float32)
        means.append(x.mean(axis=(0, 1, 2)))
        sess.run([y] + updates + [ema_op], {X: x, T: True})
        sess.run([y] + updates, {X: x, T: False})   # counts no step
        biased_np = decay * biased_np + (1 - decay) * means[-1]
    mm, step, want = sess.run(
        ["BatchNorm/moving_mean:0",
         "BatchNorm/BatchNorm/moving_mean/local_step:0",
         ema.average(batch_mean)])
    assert step == steps
    np.testing.assert_allclose(mm, biased_np / (1 - decay ** steps),
                               rtol=1e-5)
    np.testing.assert_allclose(mm, want, rtol=1e-6)


# -- contrib batch_norm: batch_weights ------------------------------------------
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_batch_weights_weighted_moments(graph, sess, rng, data_format):
    x = (rng.randn(5, 3, 2, 2) * 2 + 1).astype(np.float32)   # NCHW
    w = np.array([1.0, 0.5, 2.0, 0.0, 1.5], np.float32)
    axes = (0, 2, 3)
    if data_format == "NHWC":
        x = x.transpose(0, 2, 3, 1)
        axes = (0, 1, 2)
    y = C.batch_norm(tf.constant(x), decay=0.5, batch_weights=tf.constant(w),
                     data_format=data_format)
    assert not [op for op in graph.get_operations()
                if op.type.startswith("FusedBatchNorm")]
    sess.run(tf.global_variables_initializer())
    wb = w.reshape(-1, 1, 1, 1) * np.ones_like(x)
    mean = (wb * x).sum(axes, keepdims=True) / wb.sum(axes, keepdims=True)
    var = (wb * (x - mean) ** 2).sum(axes, keepdims=True) / wb.sum(
        axes, keepdims=True)
    np.testing.assert_allclose(sess.run(y), (x - mean) / np.sqrt(var + EPS),
                               rtol=1e-4, atol=1e-5)
    sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    mm, mv = sess.run(["BatchNorm/moving_mean:0",
                       "BatchNorm/moving_variance:0"])
    np.testing.assert_allclose(mm, 0.5 * mean.ravel(), rtol=1e-5)
    np.testing.assert_allclose(mv, 0.5 + 0.5 * var.ravel(), rtol=1e-5)


def test_batch_weights_shape_error(graph):
    with pytest.raises(InputError, match=r"batch_weights of shape \(4,\) do "
                                         r"not match the batch size"):
        C.batch_norm(tf.zeros([5, 3]), batch_weights=tf.ones([4]))
