"""Gradient clipping on grads_and_vars: numbers against numpy, None gradients
passed through, the chapter's listing (and where it crashes)."""

import numpy as np
import pytest

from tf1_dnn import clipping, tf

W0 = np.array([[3.0, -0.2], [0.5, -4.0]], dtype=np.float32)
U0 = np.array([0.1, 2.0, -3.0], dtype=np.float32)
# loss = sum(C1 * w) + sum(C2 * u): the gradients are C1 and C2 exactly.
C1 = np.array([[2.5, -0.3], [0.7, -6.0]], dtype=np.float32)
C2 = np.array([0.2, 1.5, -0.4], dtype=np.float32)


def _model():
    w = tf.Variable(W0, name="w")
    u = tf.Variable(U0, name="u")
    frozen = tf.Variable([1.0, 2.0], name="frozen")  # not in the loss
    loss = tf.reduce_sum(C1 * w) + tf.reduce_sum(C2 * u)
    opt = tf.train.GradientDescentOptimizer(0.1)
    gvs = opt.compute_gradients(loss, var_list=[w, frozen, u])
    return opt, gvs, (w, frozen, u)


def _np_global(grads, clip_norm):
    norm = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads))
    return [g * clip_norm / max(norm, clip_norm) for g in grads], norm


def test_compute_gradients_gives_none_for_a_frozen_variable(graph):
    _, gvs, (w, frozen, u) = _model()
    assert [v for _, v in gvs] == [w, frozen, u]
    assert gvs[1][0] is None


def test_clip_by_value_numbers_and_none_passthrough(graph, sess):
    opt, gvs, (w, frozen, u) = _model()
    capped = clipping.clip_by_value(gvs, -1.0, 1.0)
    assert capped is not gvs and len(capped) == 3
    assert [v for _, v in capped] == [w, frozen, u]
    assert capped[1][0] is None
    assert capped[0][0].op.type == "Maximum"  # tf.clip_by_value's last op
    train = opt.apply_gradients(capped)
    sess.run(tf.global_variables_initializer())
    g_w, g_u = sess.run([capped[0][0], capped[2][0]])
    np.testing.assert_array_equal(g_w, np.clip(C1, -1, 1))
    np.testing.assert_array_equal(g_u, np.clip(C2, -1, 1))
    sess.run(train)
    np.testing.assert_allclose(sess.run(w), W0 - 0.1 * np.clip(C1, -1, 1),
                               rtol=1e-6)
    np.testing.assert_array_equal(sess.run(frozen), [1.0, 2.0])


def test_clip_by_norm_per_tensor(graph, sess):
    _, gvs, _ = _model()
    capped = clipping.clip_by_norm(gvs, 2.0)
    assert capped[1][0] is None
    sess.run(tf.global_variables_initializer())
    g_w, g_u = sess.run([capped[0][0], capped[2][0]])
    n_w, n_u = np.linalg.norm(C1), np.linalg.norm(C2)
    assert n_w > 2.0 and n_u < 2.0          # one clipped, one left alone
    np.testing.assert_allclose(g_w, C1 * 2.0 / n_w, rtol=1e-6)
    np.testing.assert_allclose(g_u, C2, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(g_w), 2.0, rtol=1e-6)


@pytest.mark.parametrize("clip_norm", [1.0, 100.0])
def test_clip_by_global_norm(graph, sess, clip_norm):
    _, gvs, _ = _model()
    capped, norm = clipping.clip_by_global_norm(gvs, clip_norm,
                                                return_norm=True)
    assert capped[1][0] is None
    sess.run(tf.global_variables_initializer())
    g_w, g_u, got_norm = sess.run([capped[0][0], capped[2][0], norm])
    (want_w, want_u), want_norm = _np_global([C1, C2], clip_norm)
    np.testing.assert_allclose(got_norm, want_norm, rtol=1e-6)
    np.testing.assert_allclose(g_w, want_w, rtol=1e-6)
    np.testing.assert_allclose(g_u, want_u, rtol=1e-6)
    new_norm = np.sqrt(np.sum(g_w ** 2) + np.sum(g_u ** 2))
    np.testing.assert_allclose(new_norm, min(want_norm, clip_norm), rtol=1e-6)
    # without return_norm: just the pairs
    assert isinstance(clipping.clip_by_global_norm(gvs, clip_norm), list)


def test_indexed_slices_gradients_stay_sparse(graph, sess):
    table = tf.Variable(np.zeros((5, 2), np.float32), name="table")
    rows = tf.gather(table, [1, 3])
    loss = tf.reduce_sum(rows * np.array([[3.0, -0.5], [-2.0, 0.25]],
                                         np.float32))
    gvs = tf.train.GradientDescentOptimizer(1.0).compute_gradients(loss)
    assert isinstance(gvs[0][0], tf.IndexedSlices)
    for capped in (clipping.clip_by_value(gvs, -1.0, 1.0),
                   clipping.clip_by_norm(gvs, 1.0)):
        assert isinstance(capped[0][0], tf.IndexedSlices)
    sess.run(tf.global_variables_initializer())
    vals = sess.run(clipping.clip_by_value(gvs, -1.0, 1.0)[0][0].values)
    np.testing.assert_array_equal(vals, [[1.0, -0.5], [-1.0, 0.25]])


def test_book_listing_works_through_tf1_dnn_tf(graph, sess):
    """The chapter's listing, verbatim, when every variable has a gradient."""
    w = tf.Variable(W0, name="w")
    loss = tf.reduce_sum(C1 * w)
    learning_rate = 0.1
    threshold = 1.0

    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    grads_and_vars = optimizer.compute_gradients(loss)
    capped_gvs = [(tf.clip_by_value(grad, -threshold, threshold), var)
                  for grad, var in grads_and_vars]
    training_op = optimizer.apply_gradients(capped_gvs)

    sess.run(tf.global_variables_initializer())
    sess.run(training_op)
    np.testing.assert_allclose(sess.run(w), W0 - 0.1 * np.clip(C1, -1, 1),
                               rtol=1e-6)


def test_book_listing_crashes_on_a_frozen_variable_ours_does_not(graph):
    _, grads_and_vars, _ = _model()
    threshold = 1.0
    with pytest.raises(ValueError, match="None values not supported"):
        [(tf.clip_by_value(grad, -threshold, threshold), var)
         for grad, var in grads_and_vars]
    capped = clipping.clip_by_value(grads_and_vars, -threshold, threshold)
    assert capped[1][0] is None


def test_errors_name_the_problem_and_the_fix(graph):
    _, gvs, _ = _model()
    with pytest.raises(ValueError, match=r"clip_by_value\(grads_and_vars, -t, t\)"):
        clipping.clip_by_value(gvs, 1.0, -1.0)
    with pytest.raises(ValueError, match="clip_norm must be > 0"):
        clipping.clip_by_norm(gvs, 0.0)
    with pytest.raises(ValueError, match="clip_norm must be > 0"):
        clipping.clip_by_global_norm(gvs, -1.0)
    with pytest.raises(TypeError, match="not a \\(gradient, variable\\) pair"):
        clipping.clip_by_value([g for g, _ in gvs], -1.0, 1.0)
    with pytest.raises(ValueError, match="every gradient is None"):
        clipping.clip_by_global_norm([(None, gvs[1][1])], 1.0)


def test_input_list_is_not_modified(graph):
    _, gvs, _ = _model()
    before = list(gvs)
    clipping.clip_by_value(gvs, -1.0, 1.0)
    clipping.clip_by_global_norm(iter(gvs), 1.0)   # any iterable of pairs
    assert gvs == before
