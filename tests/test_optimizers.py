"""Optimizers: every step against a few lines of numpy implementing the TF 1.x
update rule (float64, so the comparison is tight), plus slot names.

The loss is 0.5 * sum(a * (w - b)**2), so the gradient at w is a * (w - b);
the numpy references recompute it from their own w at every step.

TF1 turns Python hyper-parameters into float32 tensors and casts them to the
variable's dtype, and keeps `beta1_power`/`beta2_power` as float32 variables;
the references do the same (`f32`), which is what lets float64 runs agree to
1e-10.
"""

import numpy as np
import pytest

from tf1_dnn import optimizers, tf

A = np.array([1.0, 3.0, 0.5, 2.0])
B = np.array([0.5, -1.0, 2.0, 0.0])
W0 = np.array([1.0, 2.0, -1.5, 0.3])
STEPS = 6


def f32(x):
    """A hyper-parameter as TF1 sees it: rounded to float32."""
    return float(np.float32(x))


def f32_power(beta, t):
    """beta**t as TF1's float32 `beta_power` variable holds it."""
    p = np.float32(beta)
    for _ in range(t - 1):
        p = np.float32(p * np.float32(beta))
    return float(p)


def grad(w):
    return A * (w - B)


def run_tf(make_opt, session_config, steps=STEPS, use_resource=False,
           minimize_kwargs=None):
    """Returns the values of w after each of `steps` training steps."""
    with tf.Graph().as_default():
        w = tf.get_variable("w", initializer=tf.constant(W0),
                            use_resource=use_resource)
        loss = 0.5 * tf.reduce_sum(A * tf.square(w - B))
        train = make_opt().minimize(loss, **(minimize_kwargs or {}))
        with tf.Session(config=session_config) as s:
            s.run(tf.global_variables_initializer())
            out = []
            for _ in range(steps):
                s.run(train)
                out.append(s.run(w))
    return np.array(out)


def run_np(step, state, steps=STEPS):
    w = W0.copy()
    out = []
    for t in range(1, steps + 1):
        w = step(w, grad(w), state, t)
        out.append(w.copy())
    return np.array(out)


# ---------------------------------------------------------------- references
def np_gd(lr):
    lr = f32(lr)
    return lambda w, g, s, t: w - lr * g


def np_momentum(lr, mu, nesterov=False):
    lr, mu = f32(lr), f32(mu)
    def step(w, g, s, t):
        s["acc"] = mu * s.get("acc", 0.0) + g
        if nesterov:
            return w - lr * g - lr * mu * s["acc"]
        return w - lr * s["acc"]
    return step


def np_adagrad(lr, init=0.1):
    lr = f32(lr)  # the accumulator is initialised in the var's dtype
    def step(w, g, s, t):
        s["acc"] = s.get("acc", init) + g * g
        return w - lr * g / np.sqrt(s["acc"])
    return step


def np_adadelta(lr, rho, eps):
    lr, rho, eps = f32(lr), f32(rho), f32(eps)
    def step(w, g, s, t):
        s["acc"] = rho * s.get("acc", 0.0) + (1 - rho) * g * g
        upd = np.sqrt(s.get("acc_upd", 0.0) + eps) / np.sqrt(s["acc"] + eps) * g
        s["acc_upd"] = rho * s.get("acc_upd", 0.0) + (1 - rho) * upd * upd
        return w - lr * upd
    return step


def np_rmsprop(lr, decay=0.9, momentum=0.0, eps=1e-10, centered=False):
    lr, decay, momentum, eps = f32(lr), f32(decay), f32(momentum), f32(eps)
    def step(w, g, s, t):
        s["ms"] = decay * s.get("ms", 1.0) + (1 - decay) * g * g  # starts at 1
        denom = s["ms"]
        if centered:
            s["mg"] = decay * s.get("mg", 0.0) + (1 - decay) * g
            denom = s["ms"] - s["mg"] ** 2
        s["mom"] = momentum * s.get("mom", 0.0) + lr * g / np.sqrt(denom + eps)
        return w - s["mom"]
    return step


def _adam_moments(g, s, b1, b2):
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g


def np_adam(lr, b1=0.9, b2=0.999, eps=1e-8, nesterov=False, wd=0.0):
    lr, eps, wd = f32(lr), f32(eps), f32(wd)
    b1p, b2p, b1, b2 = b1, b2, f32(b1), f32(b2)

    def step(w, g, s, t):
        w = w - wd * w                      # AdamW: decay first, g is older
        lr_t = lr * np.sqrt(1 - f32_power(b2p, t)) / (1 - f32_power(b1p, t))
        _adam_moments(g, s, b1, b2)
        m = b1 * s["m"] + (1 - b1) * g if nesterov else s["m"]
        return w - lr_t * m / (np.sqrt(s["v"]) + eps)
    return step


def np_ftrl(lr, l1=0.0, l2=0.0, init=0.1, lr_power=-0.5):
    lr, l1, l2 = f32(lr), f32(l1), f32(l2)
    def step(w, g, s, t):
        acc = s.get("acc", np.full_like(w, init))
        new_acc = acc + g * g
        s["lin"] = s.get("lin", 0.0) + g - (
            new_acc ** -lr_power - acc ** -lr_power) / lr * w
        quad = new_acc ** -lr_power / lr + 2 * l2
        s["acc"] = new_acc
        lin = s["lin"]
        return np.where(np.abs(lin) > l1, (np.sign(lin) * l1 - lin) / quad, 0.0)
    return step


CASES = {
    "gd": (lambda: tf.train.GradientDescentOptimizer(0.1), np_gd(0.1)),
    "momentum": (lambda: tf.train.MomentumOptimizer(0.05, momentum=0.9),
                 np_momentum(0.05, 0.9)),
    "nesterov": (lambda: tf.train.MomentumOptimizer(
        0.05, momentum=0.9, use_nesterov=True), np_momentum(0.05, 0.9, True)),
    "adagrad": (lambda: tf.train.AdagradOptimizer(0.3), np_adagrad(0.3)),
    "adadelta": (lambda: tf.train.AdadeltaOptimizer(1.0, rho=0.95,
                                                    epsilon=1e-6),
                 np_adadelta(1.0, 0.95, 1e-6)),
    "rmsprop_book": (lambda: tf.train.RMSPropOptimizer(
        0.01, momentum=0.9, decay=0.9, epsilon=1e-10),
        np_rmsprop(0.01, 0.9, 0.9, 1e-10)),
    "rmsprop_centered": (lambda: tf.train.RMSPropOptimizer(
        0.01, decay=0.8, epsilon=1e-6, centered=True),
        np_rmsprop(0.01, 0.8, 0.0, 1e-6, centered=True)),
    "adam": (lambda: tf.train.AdamOptimizer(0.1), np_adam(0.1)),
    "adam_eps": (lambda: tf.train.AdamOptimizer(0.1, 0.8, 0.99, epsilon=0.5),
                 np_adam(0.1, 0.8, 0.99, 0.5)),
    "ftrl": (lambda: tf.train.FtrlOptimizer(0.5), np_ftrl(0.5)),
    "ftrl_l1_l2": (lambda: tf.train.FtrlOptimizer(
        0.5, l1_regularization_strength=0.3, l2_regularization_strength=0.2),
        np_ftrl(0.5, 0.3, 0.2)),
    "nadam": (lambda: optimizers.NadamOptimizer(0.1),
              np_adam(0.1, nesterov=True)),
    "nadam_betas": (lambda: optimizers.NadamOptimizer(0.05, 0.7, 0.9, 1e-3),
                    np_adam(0.05, 0.7, 0.9, 1e-3, nesterov=True)),
    "adamw": (lambda: optimizers.AdamWOptimizer(0.01, learning_rate=0.1),
              np_adam(0.1, wd=0.01)),
    "momentumw": (lambda: optimizers.MomentumWOptimizer(0.05, 0.1, 0.9),
                  lambda w, g, s, t: np_momentum(0.1, 0.9)(w - f32(0.05) * w,
                                                           g, s, t)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_steps_match_tf1_update_rule(case, session_config):
    make_opt, np_step = CASES[case]
    got = run_tf(make_opt, session_config)
    want = run_np(np_step, {})
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert not np.allclose(got[-1], W0)  # the optimizer did move w


@pytest.mark.parametrize("case", ["nadam", "adamw", "momentumw"])
def test_contrib_optimizers_on_resource_variables(case, session_config):
    make_opt, np_step = CASES[case]
    got = run_tf(make_opt, session_config, use_resource=True)
    np.testing.assert_allclose(got, run_np(np_step, {}), rtol=1e-10)


def test_rmsprop_accumulator_starts_at_one(graph, sess):
    w = tf.Variable([1.0, 2.0], name="w")
    opt = tf.train.RMSPropOptimizer(0.1)
    train = opt.minimize(tf.reduce_sum(w * w))
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(opt.get_slot(w, "rms")), [1, 1])
    sess.run(train)
    # first step: ms = 0.9 * 1 + 0.1 * g**2, g = 2w = [2, 4]
    ms = 0.9 + 0.1 * np.array([4.0, 16.0])
    np.testing.assert_allclose(sess.run(opt.get_slot(w, "rms")), ms,
                               rtol=1e-6)
    np.testing.assert_allclose(
        sess.run(w), [1, 2] - 0.1 * np.array([2, 4]) / np.sqrt(ms + 1e-10),
        rtol=1e-6)


@pytest.mark.parametrize("make_opt,slot_names", [
    (lambda: tf.train.AdamOptimizer(0.1),
     ["w/Adam:0", "w/Adam_1:0", "beta1_power:0", "beta2_power:0"]),
    (lambda: optimizers.NadamOptimizer(0.1),
     ["w/Adam:0", "w/Adam_1:0", "beta1_power:0", "beta2_power:0"]),
    (lambda: optimizers.AdamWOptimizer(1e-4),
     ["w/AdamW:0", "w/AdamW_1:0", "beta1_power:0", "beta2_power:0"]),
    (lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.9),
     ["w/RMSProp:0", "w/RMSProp_1:0"]),
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9), ["w/Momentum:0"]),
    (lambda: optimizers.MomentumWOptimizer(1e-4, 0.1, 0.9),
     ["w/MomentumW:0"]),
])
def test_slot_and_accumulator_names_as_tf1(graph, make_opt, slot_names):
    w = tf.Variable([1.0, 2.0], name="w")
    make_opt().minimize(tf.reduce_sum(w * w))
    names = [v.name for v in tf.global_variables()]
    assert sorted(names) == sorted(["w:0"] + slot_names)


def test_beta_powers_after_steps(graph, sess):
    w = tf.Variable([1.0, 2.0], name="w")
    opt = optimizers.NadamOptimizer(0.1, beta1=0.8, beta2=0.95)
    train = opt.minimize(tf.reduce_sum(w * w))
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        sess.run(train)
    b1p, b2p = sess.run(opt._get_beta_accumulators())
    np.testing.assert_allclose([b1p, b2p], [0.8 ** 4, 0.95 ** 4], rtol=1e-6)


def test_adamw_with_zero_decay_is_adam(session_config):
    got = run_tf(lambda: optimizers.AdamWOptimizer(0.0, 0.1), session_config)
    want = run_tf(lambda: tf.train.AdamOptimizer(0.1), session_config)
    np.testing.assert_array_equal(got, want)


def _two_var_adamw(session_config, decay_var_list):
    with tf.Graph().as_default():
        w = tf.Variable(W0, name="w")
        b = tf.Variable(W0, name="b")
        loss = 0.5 * tf.reduce_sum(A * tf.square(w - B)) + \
            0.5 * tf.reduce_sum(A * tf.square(b - B))
        opt = optimizers.AdamWOptimizer(0.1, learning_rate=0.1)
        dvl = decay_var_list(w, b)
        train = opt.minimize(loss, decay_var_list=dvl)
        with tf.Session(config=session_config) as s:
            s.run(tf.global_variables_initializer())
            for _ in range(STEPS):
                s.run(train)
            return s.run([w, b])


def test_adamw_decay_var_list_is_honoured_by_minimize(session_config):
    # TF1 contrib bug NOT mirrored: its minimize() dropped decay_var_list.
    w, b = _two_var_adamw(session_config, lambda w, b: [w])
    np.testing.assert_allclose(w, run_np(np_adam(0.1, wd=0.1), {})[-1],
                               rtol=1e-10)
    np.testing.assert_allclose(b, run_np(np_adam(0.1), {})[-1], rtol=1e-10)


def test_adamw_empty_decay_var_list_decays_everything_as_tf1(session_config):
    # TF1 pitfall mirrored: `decay_var_list=[]` is falsy, i.e. "all".
    w, b = _two_var_adamw(session_config, lambda w, b: [])
    want = run_np(np_adam(0.1, wd=0.1), {})[-1]
    np.testing.assert_allclose(w, want, rtol=1e-10)
    np.testing.assert_allclose(b, want, rtol=1e-10)


@pytest.mark.parametrize("use_resource", [False, True])
@pytest.mark.parametrize("wd,nesterov", [(0.0, True), (0.05, False)])
def test_sparse_gradients(session_config, use_resource, wd, nesterov):
    """IndexedSlices gradients (tf.gather): only the gathered rows of var
    move (and decay), while m and v decay on every row, as TF1's sparse Adam.
    """
    rows = np.array([0, 2])
    table0 = np.arange(12, dtype=np.float64).reshape(4, 3) / 10
    target = np.full((2, 3), 0.25)
    with tf.Graph().as_default():
        table = tf.get_variable("table", initializer=tf.constant(table0),
                                use_resource=use_resource)
        loss = 0.5 * tf.reduce_sum(tf.square(tf.gather(table, rows) - target))
        if nesterov:
            opt = optimizers.NadamOptimizer(0.1)
        else:
            opt = optimizers.AdamWOptimizer(wd, learning_rate=0.1)
        gv = opt.compute_gradients(loss)
        assert isinstance(gv[0][0], tf.IndexedSlices)
        train = opt.apply_gradients(gv)
        with tf.Session(config=session_config) as s:
            s.run(tf.global_variables_initializer())
            got = []
            for _ in range(3):
                s.run(train)
                got.append(s.run(table))

    w, m, v = table0.copy(), np.zeros_like(table0), np.zeros_like(table0)
    b1, b2 = f32(0.9), f32(0.999)
    for t in range(1, 4):
        g = np.zeros_like(w)
        g[rows] = w[rows] - target
        w[rows] -= f32(wd) * w[rows]
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        lr_t = f32(0.1) * np.sqrt(1 - f32_power(0.999, t)) / (
            1 - f32_power(0.9, t))
        mm = b1 * m + (1 - b1) * g if nesterov else m
        w[rows] -= (lr_t * mm / (np.sqrt(v) + f32(1e-8)))[rows]
        np.testing.assert_allclose(got[t - 1], w, rtol=1e-10)
    np.testing.assert_array_equal(got[-1][[1, 3]], table0[[1, 3]])


def test_extend_with_decoupled_weight_decay(session_config):
    SGDW = optimizers.extend_with_decoupled_weight_decay(
        tf.train.GradientDescentOptimizer)
    assert SGDW.__name__ == "GradientDescentWOptimizer"
    got = run_tf(lambda: SGDW(0.02, 0.1), session_config)  # positional lr
    want = run_np(lambda w, g, s, t: (w - f32(0.02) * w) - f32(0.1) * g, {})
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_extend_rejects_instances_with_a_clear_error():
    with pytest.raises(TypeError, match="Pass the class, not an instance"):
        optimizers.extend_with_decoupled_weight_decay(
            tf.train.AdamOptimizer(0.1))


def test_contrib_opt_path():
    assert tf.contrib.opt.AdamWOptimizer is optimizers.AdamWOptimizer
    assert tf.contrib.opt.NadamOptimizer is optimizers.NadamOptimizer
    assert tf.contrib.opt.MomentumWOptimizer is optimizers.MomentumWOptimizer
    import tf1_dnn.contrib.opt as opt
    assert opt is tf.contrib.opt


def test_tf_train_classes_are_re_exported_unchanged():
    assert optimizers.AdamOptimizer is tf.train.AdamOptimizer
    assert optimizers.RMSPropOptimizer is tf.train.RMSPropOptimizer
    assert issubclass(optimizers.NadamOptimizer, tf.train.AdamOptimizer)
    assert issubclass(optimizers.AdamWOptimizer, tf.train.AdamOptimizer)


def test_nadam_default_name_adam_collides_like_tf1(graph):
    """Caveat mirrored: Nadam's default name is "Adam", as in TF1 contrib."""
    w = tf.Variable([1.0], name="w")
    tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(w * w))
    optimizers.NadamOptimizer(0.1).minimize(tf.reduce_sum(w * w))
    assert [v.name for v in tf.global_variables()] == [
        "w:0", "beta1_power:0", "beta2_power:0", "w/Adam:0", "w/Adam_1:0",
        "beta1_power_1:0", "beta2_power_1:0", "w/Adam_2:0", "w/Adam_3:0"]


@pytest.mark.parametrize("make_opt,slot_prefix,wd,nesterov", [
    (lambda: tf.train.AdamOptimizer(0.1), "Adam", 0.0, False),
    (lambda: optimizers.NadamOptimizer(0.1), "Adam", 0.0, True),
    (lambda: optimizers.AdamWOptimizer(0.01, 0.1), "AdamW", 0.01, False),
])
def test_adam_family_slots_hold_m_and_v(session_config, make_opt,
                                        slot_prefix, wd, nesterov):
    with tf.Graph().as_default():
        w = tf.Variable(W0, name="w")
        opt = make_opt()
        train = opt.minimize(0.5 * tf.reduce_sum(A * tf.square(w - B)))
        m_slot, v_slot = opt.get_slot(w, "m"), opt.get_slot(w, "v")
        assert (m_slot.name, v_slot.name) == (f"w/{slot_prefix}:0",
                                              f"w/{slot_prefix}_1:0")
        with tf.Session(config=session_config) as s:
            s.run(tf.global_variables_initializer())
            for _ in range(STEPS):
                s.run(train)
            got_m, got_v = s.run([m_slot, v_slot])
    state = {}
    run_np(np_adam(0.1, nesterov=nesterov, wd=wd), state)
    np.testing.assert_allclose(got_m, state["m"], rtol=1e-10)
    np.testing.assert_allclose(got_v, state["v"], rtol=1e-10)
