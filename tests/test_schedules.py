"""Learning-rate schedules against their closed forms (numpy) over many steps,
edges included: step 0, boundaries, staircase edges, beyond the end."""

import numpy as np
import pytest

from tf1_dnn import schedules, tf

STEPS = np.arange(0, 301)


def evaluate(make, steps=STEPS, sess_config=None):
    """Values of the tensor(s) `make(global_step)` for each step."""
    with tf.Graph().as_default():
        gs = tf.placeholder(tf.int64, shape=[], name="global_step")
        out = make(gs)
        with tf.Session(config=sess_config) as s:
            return np.array([s.run(out, {gs: int(t)}) for t in steps])


# ------------------------------------------------------------- exponential
@pytest.mark.parametrize("fn", [tf.train.exponential_decay,
                                schedules.exponential_decay])
@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay_closed_form(fn, staircase, session_config):
    got = evaluate(lambda gs: fn(0.1, gs, 50, 0.1, staircase=staircase),
                   sess_config=session_config)
    p = np.floor(STEPS / 50) if staircase else STEPS / 50
    want = 0.1 * 0.1 ** p
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert got[0] == np.float32(0.1)
    if staircase:   # drops exactly at the multiples of decay_steps
        assert got[49] == got[1] and got[50] < got[49]
        np.testing.assert_allclose(got[[49, 50, 99, 100]],
                                   [0.1, 0.01, 0.01, 0.001], rtol=1e-5)


def test_book_listing_with_a_real_global_step(graph, sess):
    w = tf.Variable(5.0)
    loss = tf.square(w)
    initial_learning_rate = 0.1
    decay_steps = 10000
    decay_rate = 1 / 10
    global_step = tf.Variable(0, trainable=False, name="global_step")
    learning_rate = tf.train.exponential_decay(initial_learning_rate,
                                               global_step, decay_steps,
                                               decay_rate)
    optimizer = tf.train.MomentumOptimizer(learning_rate, momentum=0.9)
    training_op = optimizer.minimize(loss, global_step=global_step)
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        sess.run(training_op)
    assert sess.run(global_step) == 3
    np.testing.assert_allclose(sess.run(learning_rate),
                               0.1 * 0.1 ** (3 / 10000), rtol=1e-6)


def test_exponential_decay_checks_its_arguments(graph):
    gs = tf.Variable(0, trainable=False)
    with pytest.raises(ValueError, match="decay_steps must be > 0"):
        schedules.exponential_decay(0.1, gs, 0, 0.1)
    with pytest.raises(ValueError, match="decay_rate must be > 0"):
        schedules.exponential_decay(0.1, gs, 10, -0.5)
    with pytest.raises(ValueError, match="global_step is required"):
        schedules.exponential_decay(0.1, None, 10, 0.1)


# ------------------------------------------------------------------ power
@pytest.mark.parametrize("power,staircase", [(1.0, False), (0.5, False),
                                             (2.0, True), (0.0, False)])
def test_power_decay_closed_form(power, staircase, session_config):
    got = evaluate(lambda gs: schedules.power_decay(
        0.01, gs, 20, power=power, staircase=staircase),
        sess_config=session_config)
    p = np.floor(STEPS / 20) if staircase else STEPS / 20
    np.testing.assert_allclose(got, 0.01 / (1 + p) ** power, rtol=1e-5)
    assert got[0] == np.float32(0.01)
    if power == 1.0:
        np.testing.assert_allclose(got[20], 0.005, rtol=1e-6)  # halved at s


def test_power_1_is_tf_inverse_time_decay(session_config):
    ours = evaluate(lambda gs: schedules.power_decay(0.01, gs, 20),
                    sess_config=session_config)
    tf1 = evaluate(lambda gs: tf.train.inverse_time_decay(0.01, gs, 20, 1.0),
                   sess_config=session_config)
    np.testing.assert_allclose(ours, tf1, rtol=1e-6)
    # and inverse_time_decay itself: eta0 / (1 + decay_rate * t / s)
    tf1b = evaluate(lambda gs: tf.train.inverse_time_decay(
        0.01, gs, 20, 0.5, staircase=True), sess_config=session_config)
    np.testing.assert_allclose(tf1b, 0.01 / (1 + 0.5 * np.floor(STEPS / 20)),
                               rtol=1e-6)


def test_power_decay_integer_rate_is_float(graph, sess):
    lr = schedules.power_decay(1, tf.constant(3), 1)
    assert lr.dtype == tf.float32
    assert sess.run(lr) == 0.25


def test_power_decay_errors(graph):
    gs = tf.Variable(0, trainable=False)
    with pytest.raises(ValueError, match="decay_steps must be > 0"):
        schedules.power_decay(0.1, gs, 0)
    with pytest.raises(ValueError, match="power must be >= 0"):
        schedules.power_decay(0.1, gs, 10, power=-1)


# ------------------------------------------------------- piecewise constant
@pytest.mark.parametrize("fn", [tf.train.piecewise_constant,
                                schedules.piecewise_constant])
def test_piecewise_constant_edges(fn, session_config):
    steps = np.arange(0, 25)
    got = evaluate(lambda gs: fn(gs, [5, 15], [0.01, 0.005, 0.001]),
                   steps=steps, sess_config=session_config)
    want = np.where(steps <= 5, 0.01, np.where(steps <= 15, 0.005, 0.001))
    np.testing.assert_allclose(got, want, rtol=1e-7)
    # TF1 pitfall: the boundary step still gets the earlier value.
    assert got[5] == np.float32(0.01) and got[6] == np.float32(0.005)
    assert got[15] == np.float32(0.005) and got[16] == np.float32(0.001)


def test_piecewise_constant_checks_its_arguments(graph):
    gs = tf.Variable(0, trainable=False, dtype=tf.int64)
    with pytest.raises(ValueError, match="one more value than boundaries"):
        schedules.piecewise_constant(gs, [5, 15], [0.1, 0.01])
    with pytest.raises(ValueError, match="strictly increasing"):
        schedules.piecewise_constant(gs, [15, 5], [0.1, 0.01, 0.001])


# ------------------------------------------------------------------ 1cycle
def np_one_cycle(t, n, max_rate, start=None, n_last=None, last=None,
                 m_max=0.95, m_min=0.85):
    start = max_rate / 10 if start is None else start
    n_last = n // 10 + 1 if n_last is None else n_last
    last = start / 1000 if last is None else last
    h = (n - n_last) // 2
    if t < h:
        return start + (max_rate - start) * t / h, m_max - (m_max - m_min) * t / h
    if t < 2 * h:
        return (max_rate - (max_rate - start) * (t - h) / h,
                m_min + (m_max - m_min) * (t - h) / h)
    if t < n:
        return start + (last - start) * (t - 2 * h) / (n - 2 * h), m_max
    return last, m_max


@pytest.mark.parametrize("n,kwargs", [
    (1000, {}),                                    # h = 449, n_last = 101
    (57, {"start_rate": 0.02, "last_steps": 7, "last_rate": 1e-6}),
])
def test_one_cycle_closed_form(n, kwargs, session_config):
    steps = np.arange(0, n + 20)
    got = evaluate(lambda gs: schedules.one_cycle(gs, n, 0.5, **kwargs),
                   steps=steps, sess_config=session_config)
    want = np.array([np_one_cycle(t, n, 0.5,
                                  kwargs.get("start_rate"),
                                  kwargs.get("last_steps"),
                                  kwargs.get("last_rate")) for t in steps])
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-9)
    lr, mom = got[:, 0], got[:, 1]
    start = kwargs.get("start_rate", 0.05)
    h = (n - kwargs.get("last_steps", n // 10 + 1)) // 2
    np.testing.assert_allclose([lr[0], lr[h], lr[2 * h]], [start, 0.5, start],
                               rtol=1e-6)
    np.testing.assert_allclose([mom[0], mom[h], mom[2 * h], mom[-1]],
                               [0.95, 0.85, 0.95, 0.95], rtol=1e-6)
    assert lr.argmax() == h and mom.argmin() == h
    last = kwargs.get("last_rate", start / 1000)
    assert np.all(lr[n:] == np.float32(last))       # beyond the end: flat
    assert last < lr[n - 1] < start


def test_one_cycle_drives_momentum_optimizer(graph, sess):
    w = tf.Variable(3.0)
    gs = tf.train.get_or_create_global_step()
    lr, mom = schedules.one_cycle(gs, 100, 0.1)
    train = tf.train.MomentumOptimizer(lr, momentum=mom).minimize(
        0.5 * tf.square(w), global_step=gs)
    sess.run(tf.global_variables_initializer())
    w_np, acc = 3.0, 0.0
    for t in range(5):
        lr_t, mom_t = np_one_cycle(t, 100, 0.1)
        acc = mom_t * acc + w_np                    # TF1 momentum rule
        w_np -= lr_t * acc
        sess.run(train)
    np.testing.assert_allclose(sess.run(w), w_np, rtol=1e-5)


def test_one_cycle_errors(graph):
    gs = tf.Variable(0, trainable=False)
    with pytest.raises(ValueError, match="last_steps <= total_steps - 2"):
        schedules.one_cycle(gs, 10, 0.1, last_steps=9)
    with pytest.raises(ValueError, match="start_rate <= max_rate"):
        schedules.one_cycle(gs, 100, 0.1, start_rate=0.5)


# ------------------------------------------------- performance scheduling
def test_reduce_on_plateau_sequence(graph, sess):
    lr = tf.Variable(1.0, trainable=False, name="learning_rate")
    sess.run(lr.initializer)
    sched = schedules.ReduceOnPlateau(sess, lr, factor=0.5, patience=2,
                                      min_lr=0.1)
    n_ops = len(graph.get_operations())
    metrics = [5.0, 4.0, 4.5, 4.2, 3.0, 3.5, 3.5, 2.9, 3.0, 3.1,
               float("nan"), 3.0, 3.0, 3.0, 3.0, 3.0, 3.0]
    # hand-computed: patience 2 -> reduce on the 2nd evaluation in a row
    # without a new best; 0.125 * 0.5 = 0.0625 is clamped to min_lr = 0.1.
    want = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125,
            0.125, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    got = [sched.update(m) for m in metrics]
    np.testing.assert_allclose(got, want, rtol=1e-7)
    np.testing.assert_allclose(sess.run(lr), 0.1, rtol=1e-7)
    assert sched.best == 2.9 and sched.num_reductions == 4
    assert len(graph.get_operations()) == n_ops     # no op per update()


def test_reduce_on_plateau_max_mode_and_min_delta(graph, sess):
    lr = tf.Variable(0.8, trainable=False)
    sess.run(lr.initializer)
    sched = schedules.ReduceOnPlateau(sess, lr, factor=0.25, patience=1,
                                      min_delta=0.01, mode="max")
    got = [sched.update(a) for a in [0.5, 0.6, 0.605, 0.7, 0.69]]
    np.testing.assert_allclose(got, [0.8, 0.8, 0.2, 0.2, 0.05], rtol=1e-6)


def test_reduce_on_plateau_errors(graph, sess):
    tensor_lr = tf.train.exponential_decay(0.1, tf.Variable(0), 10, 0.1)
    with pytest.raises(TypeError, match="needs the learning rate as a "
                                        "tf.Variable"):
        schedules.ReduceOnPlateau(sess, tensor_lr)
    lr = tf.Variable(0.1, trainable=False)
    with pytest.raises(ValueError, match="factor must be in"):
        schedules.ReduceOnPlateau(sess, lr, factor=2.0)
    with pytest.raises(ValueError, match="patience must be an integer"):
        schedules.ReduceOnPlateau(sess, lr, patience=0)
