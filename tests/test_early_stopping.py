"""Early stopping: the exact best values come back, patience counts right, the
graph does not grow, and a real (small) training loop ends on its best
validation loss."""

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.early_stopping import EarlyStopping


def _vars():
    w = tf.Variable(np.zeros((3, 2), np.float32), name="w")
    b = tf.Variable(np.zeros(2, np.float64), name="b")
    step = tf.Variable(0, trainable=False, name="step", dtype=tf.int64)
    return w, b, step


def _set(sess, variables, rng):
    vals = [rng.standard_normal(v.get_shape().as_list()).astype(
        v.dtype.base_dtype.as_numpy_dtype) for v in variables]
    for v, x in zip(variables, vals):
        v.load(x, sess)
    return vals


@pytest.mark.parametrize("on_disk", [False, True])
def test_restores_exact_best_values_and_counts_patience(graph, sess, rng,
                                                        tmp_path, on_disk):
    w, b, step = _vars()
    sess.run(tf.global_variables_initializer())
    path = str(tmp_path / "best.ckpt") if on_disk else None
    early = EarlyStopping(sess, patience=3, checkpoint_path=path)
    assert early.var_list == [w, b, step]
    n_ops = len(graph.get_operations())
    metrics = [0.9, 0.7, 0.8, 0.5, 0.6, 0.55, 0.5, 0.51]
    snapshots, stops = [], []
    for m in metrics:
        snapshots.append(_set(sess, [w, b, step], rng))
        stops.append(early.update(m))
    # best 0.5 at index 3; 0.5 again at index 6 is not an improvement
    assert early.best == 0.5 and early.best_index == 3
    assert stops == [False] * 6 + [True, True]
    assert early.should_stop and early.wait == 4
    early.restore()
    for v, want in zip([w, b, step], snapshots[3]):
        np.testing.assert_array_equal(sess.run(v), want)   # bit for bit
    if not on_disk:
        assert len(graph.get_operations()) == n_ops          # nothing added
    early.restore()                                          # idempotent
    np.testing.assert_array_equal(sess.run(w), snapshots[3][0])


def test_var_list_and_max_mode(graph, sess, rng):
    w, b, _ = _vars()
    sess.run(tf.global_variables_initializer())
    early = EarlyStopping(sess, var_list=[w], patience=1, mode="max",
                          min_delta=0.05)
    first = _set(sess, [w, b], rng)
    assert not early.update(0.80)
    _set(sess, [w, b], rng)
    assert early.update(0.83)            # not better by min_delta -> stop
    current_b = sess.run(b)
    early.restore()
    np.testing.assert_array_equal(sess.run(w), first[0])
    np.testing.assert_array_equal(sess.run(b), current_b)   # not in var_list


def test_training_loop_ends_on_its_best_validation_loss(graph, sess, rng):
    """Over-fitting linear regression (40 features, 30 training rows)."""
    X_tr = rng.standard_normal((30, 40)).astype(np.float32)
    X_va = rng.standard_normal((200, 40)).astype(np.float32)
    true_w = np.zeros((40, 1), np.float32)
    true_w[:3] = 1.0
    y_tr = X_tr @ true_w + rng.standard_normal((30, 1)).astype(np.float32)
    y_va = X_va @ true_w + rng.standard_normal((200, 1)).astype(np.float32)
    X = tf.placeholder(tf.float32, [None, 40])
    y = tf.placeholder(tf.float32, [None, 1])
    w = tf.Variable(tf.zeros([40, 1]), name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(X, w) - y))
    training_op = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    sess.run(tf.global_variables_initializer())
    early = EarlyStopping(sess, patience=5)
    history = []
    for epoch in range(500):
        sess.run(training_op, {X: X_tr, y: y_tr})
        history.append(sess.run(loss, {X: X_va, y: y_va}))
        if early.update(history[-1]):
            break
    assert epoch < 499, "the validation loss should start rising"
    assert early.best == min(history) and len(history) == early.best_index + 6
    assert history[-1] > early.best
    early.restore()
    assert sess.run(loss, {X: X_va, y: y_va}) == early.best


def test_errors(graph, sess, tmp_path):
    with pytest.raises(ValueError, match="no variables to keep"):
        EarlyStopping(sess)
    w, b, step = _vars()
    sess.run(tf.global_variables_initializer())
    with pytest.raises(ValueError, match="patience must be an integer >= 1"):
        EarlyStopping(sess, patience=0)
    early = EarlyStopping(sess)
    with pytest.raises(RuntimeError, match="nothing to restore yet"):
        early.restore()
    early.update(float("nan"))            # NaN never counts as best
    with pytest.raises(RuntimeError, match="nothing to restore yet"):
        early.restore()
    existing = tmp_path / "model.ckpt"
    tf.train.Saver([w]).save(sess, str(existing))
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(FileExistsError, match="would be overwritten"):
        EarlyStopping(sess, checkpoint_path=existing)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
