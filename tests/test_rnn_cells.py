"""Parity of tf1_dnn.rnn_cell with TF 1.15's `tf.nn.rnn_cell`.

The oracle is tf_keras's copy of TF 1.15's cells
(`tf_keras.src.layers.rnn.legacy_cells` and `legacy_cell_wrappers`), which
still build `tf.compat.v1` graphs. Each case builds the same network twice,
once with each library, in separate graphs, loads the same weights (derived
from each variable's name), and compares variable names and shapes, op names,
outputs, final states and gradients -- bitwise (max abs diff 0). The figures
are printed at the end of the module (`pytest -s`).
"""

import hashlib
import types

import numpy as np
import pytest

from tf1_dnn import rnn_cell as ours
from tf1_dnn import tf

kcells = pytest.importorskip("tf_keras.src.layers.rnn.legacy_cells")
kwrap = pytest.importorskip("tf_keras.src.layers.rnn.legacy_cell_wrappers")

OURS = types.SimpleNamespace(name="tf1_dnn", m=ours, w=ours)
ORACLE = types.SimpleNamespace(name="tf_keras", m=kcells, w=kwrap)

MAX_DIFF = {}
BATCH, TIME, DEPTH = 3, 4, 5


@pytest.fixture(scope="module", autouse=True)
def _print_max_diffs():
    yield
    print("\nmax |tf1_dnn - tf_keras oracle| (outputs, states, gradients):")
    for what, diff in sorted(MAX_DIFF.items()):
        print(f"  {what:50s} {diff:.3g}")


def _value_for(var):
    seed = int(hashlib.md5(var.op.name.encode()).hexdigest()[:8], 16)
    r = np.random.RandomState(seed)
    return (0.5 * r.randn(*var.shape.as_list())).astype(np.float32)


def _inputs():
    r = np.random.RandomState(0)
    return r.randn(BATCH, TIME, DEPTH).astype(np.float32)


# Each case: lib -> cell. Names of the variables they must create follow.
CASES = {
    "BasicRNNCell": lambda L: L.m.BasicRNNCell(6),
    "BasicRNNCell_relu": lambda L: L.m.BasicRNNCell(6, activation=tf.nn.relu),
    "BasicLSTMCell": lambda L: L.m.BasicLSTMCell(6),
    "BasicLSTMCell_fb0_concat": lambda L: L.m.BasicLSTMCell(
        6, forget_bias=0.0, state_is_tuple=False),
    "LSTMCell": lambda L: L.m.LSTMCell(6),
    "LSTMCell_peep_clip_proj": lambda L: L.m.LSTMCell(
        6, use_peepholes=True, cell_clip=0.5, num_proj=4, proj_clip=0.3,
        forget_bias=0.5),
    "LSTMCell_proj_concat": lambda L: L.m.LSTMCell(
        6, num_proj=3, state_is_tuple=False),
    "LSTMCell_shards": lambda L: L.m.LSTMCell(
        6, num_proj=4, num_unit_shards=2, num_proj_shards=2),
    "GRUCell": lambda L: L.m.GRUCell(6),
    "GRUCell_init": lambda L: L.m.GRUCell(
        6, bias_initializer=tf.constant_initializer(0.3)),
    "MultiRNNCell_lstm_gru": lambda L: L.m.MultiRNNCell(
        [L.m.BasicLSTMCell(6), L.m.GRUCell(4), L.m.LSTMCell(3, num_proj=2)]),
    "MultiRNNCell_concat": lambda L: L.m.MultiRNNCell(
        [L.m.BasicLSTMCell(6, state_is_tuple=False), L.m.BasicRNNCell(4)],
        state_is_tuple=False),
    "DropoutWrapper_keep1": lambda L: L.w.DropoutWrapper(
        L.m.BasicLSTMCell(6), input_keep_prob=1.0, output_keep_prob=1.0),
    "DropoutWrapper_seeded": lambda L: L.w.DropoutWrapper(
        L.m.BasicLSTMCell(6), input_keep_prob=0.7, output_keep_prob=0.6,
        state_keep_prob=0.8, seed=5),
    "DropoutWrapper_variational": lambda L: L.w.DropoutWrapper(
        L.m.GRUCell(6), input_keep_prob=0.7, output_keep_prob=0.6,
        state_keep_prob=0.8, variational_recurrent=True, input_size=DEPTH,
        dtype=tf.float32, seed=3),
    "DropoutWrapper_tensor_keep": lambda L: L.w.DropoutWrapper(
        L.m.BasicRNNCell(6),
        output_keep_prob=tf.placeholder_with_default(1.0, ())),
    "Multi_of_Dropout": lambda L: L.m.MultiRNNCell([
        L.w.DropoutWrapper(L.m.BasicLSTMCell(6), output_keep_prob=0.5, seed=1),
        L.w.DropoutWrapper(L.m.BasicLSTMCell(5), output_keep_prob=0.5,
                           seed=2)]),
    "ResidualWrapper": lambda L: L.w.ResidualWrapper(L.m.GRUCell(DEPTH)),
    "DeviceWrapper": lambda L: L.w.DeviceWrapper(L.m.BasicLSTMCell(6),
                                                 "/cpu:0"),
}


# static_rnn runs the same cell code as dynamic_rnn; it is checked on one
# case per cell class and option family (keeps the file fast on 2 cores).
STATIC_CASES = {"BasicRNNCell", "BasicLSTMCell_fb0_concat",
                "LSTMCell_peep_clip_proj", "LSTMCell_shards", "GRUCell",
                "MultiRNNCell_concat", "DropoutWrapper_seeded",
                "DropoutWrapper_variational", "ResidualWrapper"}


def _build(lib, case, mode):
    tf.set_random_seed(7)
    X = tf.placeholder(tf.float32, (BATCH, TIME, DEPTH), name="X")
    seq = tf.constant([4, 2, 3], dtype=tf.int32)
    cell = CASES[case](lib)
    if mode == "dynamic":
        # Per-step masks of a seeded DropoutWrapper depend on the order in
        # which the while loop runs its steps' random ops: one at a time
        # makes them reproducible (in both libraries).
        parallel = 1 if "Dropout" in case else 32
        outputs, state = tf.compat.v1.nn.dynamic_rnn(
            cell, X, dtype=tf.float32, sequence_length=seq,
            parallel_iterations=parallel)
    elif mode == "dynamic_time_major":
        outputs, state = tf.compat.v1.nn.dynamic_rnn(
            cell, tf.transpose(X, [1, 0, 2]), dtype=tf.float32,
            time_major=True)
    else:
        steps = tf.unstack(X, axis=1)
        outs, state = tf.compat.v1.nn.static_rnn(cell, steps, dtype=tf.float32)
        outputs = tf.stack(outs, axis=1)
    loss = tf.reduce_sum(outputs ** 2) + sum(
        tf.reduce_sum(s) for s in tf.nest.flatten(state))
    params = tf.trainable_variables()
    grads = tf.gradients(loss, [X] + params)
    return X, outputs, state, dict(zip(
        ["d_X"] + [f"d_{p.op.name}" for p in params], grads)), cell


def _run(lib, case, mode):
    g = tf.Graph()
    with g.as_default():
        X, outputs, state, grads, cell = _build(lib, case, mode)
        variables = tf.global_variables()
        names = [(v.op.name, v.shape.as_list()) for v in variables]
        # What the cell object reports. tf_keras's wrappers report no
        # weights and its sharded LSTMCell only the bias; ours report the
        # wrapped cell's weights and the PartitionedVariables (see
        # test_wrappers_report_the_wrapped_cells_weights).
        if not any(k in case for k in ("Wrapper", "Dropout", "shards")):
            names.append(("cell.trainable_weights",
                          [w.name for w in cell.trainable_weights]))
        trainable = [v.op.name for v in tf.trainable_variables()]
        with tf.Session(graph=g) as sess:
            for v in variables:
                v.load(_value_for(v), sess)
            got = sess.run({"outputs": outputs, "state": state,
                             "grads": grads}, {X: _inputs()})
        ops = sorted(op.name for op in g.get_operations())
        collections = {key: [getattr(item, "name", repr(item))
                             for item in g.get_collection(key)]
                       for key in g.get_all_collection_keys()}
    return names, trainable, (ops, collections), got


TIME_MAJOR_CASES = {"BasicLSTMCell", "GRUCell", "MultiRNNCell_lstm_gru"}
PARITY_PARAMS = ([(c, "dynamic") for c in sorted(CASES)]
                 + [(c, "static") for c in sorted(STATIC_CASES)]
                 + [(c, "dynamic_time_major") for c in sorted(TIME_MAJOR_CASES)])


@pytest.mark.parametrize("case,mode", PARITY_PARAMS)
def test_bitwise_parity(case, mode):
    a_names, a_train, a_ops, a = _run(OURS, case, mode)
    b_names, b_train, b_ops, b = _run(ORACLE, case, mode)
    assert a_names == b_names
    assert a_train == b_train
    assert a_names  # not vacuous
    assert a_ops == b_ops
    flat_a = tf.nest.flatten(a)
    flat_b = tf.nest.flatten(b)
    assert len(flat_a) == len(flat_b) > 3
    diff = max(float(np.max(np.abs(x - y))) if np.size(x) else 0.0
               for x, y in zip(flat_a, flat_b))
    MAX_DIFF[f"{case} [{mode}]"] = diff
    for x, y in zip(flat_a, flat_b):
        np.testing.assert_array_equal(x, y)
    assert np.all(np.isfinite(flat_a[0]))


EXPECTED_VARIABLES = {
    "BasicRNNCell": ["rnn/basic_rnn_cell/kernel", "rnn/basic_rnn_cell/bias"],
    "BasicLSTMCell": ["rnn/basic_lstm_cell/kernel",
                      "rnn/basic_lstm_cell/bias"],
    "LSTMCell_peep_clip_proj": [
        "rnn/lstm_cell/kernel", "rnn/lstm_cell/bias", "rnn/lstm_cell/w_f_diag",
        "rnn/lstm_cell/w_i_diag", "rnn/lstm_cell/w_o_diag",
        "rnn/lstm_cell/projection/kernel"],
    "GRUCell": ["rnn/gru_cell/gates/kernel", "rnn/gru_cell/gates/bias",
                "rnn/gru_cell/candidate/kernel",
                "rnn/gru_cell/candidate/bias"],
    "Multi_of_Dropout": [
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
        "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel",
        "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias"],
}


@pytest.mark.parametrize("case", sorted(EXPECTED_VARIABLES))
def test_tf1_variable_names(case):
    with tf.Graph().as_default():
        _build(OURS, case, "dynamic")
        assert [v.op.name for v in tf.global_variables()] == \
            EXPECTED_VARIABLES[case]


def test_wrappers_report_the_wrapped_cells_weights():
    with tf.Graph().as_default():
        X = tf.placeholder(tf.float32, (2, 3, 4))
        lstm, gru = ours.BasicLSTMCell(5), ours.GRUCell(5)
        stack = ours.MultiRNNCell([ours.DropoutWrapper(lstm, 0.5),
                                   ours.DeviceWrapper(gru, "/cpu:0")])
        tf.nn.dynamic_rnn(ours.ResidualWrapper(stack), X[..., :1] * tf.ones(
            (1, 1, 5)), dtype=tf.float32)
        assert stack.trainable_weights == lstm.trainable_weights + \
            gru.trainable_weights == tf.trainable_variables()
        assert len(tf.trainable_variables()) == 6
        # The aliases follow the overridden properties (TF 1.15's Layer
        # aliases do too), for the stack and for every wrapper.
        wrappers = [stack, stack._cells[0], stack._cells[1]]
        for cell in wrappers:
            assert cell.trainable_variables == cell.trainable_weights != []
            assert cell.variables == cell.weights == cell.trainable_weights
            assert cell.non_trainable_variables == [] == \
                cell.non_trainable_weights


def test_lstm_matches_numpy_closed_form():
    """One BasicLSTMCell step against numpy: i, j, f, o order, forget_bias
    added to f at run time."""
    r = np.random.RandomState(1)
    x = r.randn(2, 3).astype(np.float32)
    c0, h0 = r.randn(2, 4).astype(np.float32), r.randn(2, 4).astype(np.float32)
    with tf.Graph().as_default():
        cell = ours.BasicLSTMCell(4, forget_bias=0.7)
        out, (c1, h1) = cell(tf.constant(x), ours.LSTMStateTuple(
            tf.constant(c0), tf.constant(h0)))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            W, b = sess.run([cell._kernel, cell._bias])
            got = sess.run([out, c1, h1])
    z = np.concatenate([x, h0], 1) @ W + b
    i, j, f, o = np.split(z, 4, axis=1)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    c = c0 * sig(f + 0.7) + sig(i) * np.tanh(j)
    h = np.tanh(c) * sig(o)
    np.testing.assert_allclose(got[1], c, atol=1e-5)
    np.testing.assert_allclose(got[2], h, atol=1e-5)
    np.testing.assert_array_equal(got[0], got[2])


def test_dropout_wrapper_mask_statistics():
    """keep_prob 0.6 without a seed: ~40% zeros, kept units scaled by 1/0.6."""
    with tf.Graph().as_default():
        cell = ours.DropoutWrapper(ours.BasicRNNCell(200),
                                   output_keep_prob=0.6)
        X = tf.ones((50, 3, 4))
        outputs, _ = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
        plain, _ = tf.nn.dynamic_rnn(cell.cell, X, dtype=tf.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            dropped, full = sess.run([outputs, plain])
    zero = dropped == 0
    assert abs(zero.mean() - 0.4) < 0.02
    np.testing.assert_allclose(dropped[~zero], full[~zero] / 0.6, rtol=1e-5)


def test_variational_mask_is_the_same_at_every_step():
    with tf.Graph().as_default():
        cell = ours.DropoutWrapper(ours.BasicRNNCell(50), output_keep_prob=0.5,
                                   variational_recurrent=True,
                                   dtype=tf.float32)
        outputs, _ = tf.nn.dynamic_rnn(cell, tf.ones((4, 5, 3)),
                                       dtype=tf.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            zero = sess.run(outputs) == 0
    assert zero.any() and not zero.all()
    for t in range(1, 5):  # one mask, shared by the batch and the steps
        np.testing.assert_array_equal(zero[:, t], zero[:, 0])


def test_cells_work_in_raw_rnn_while_loop_and_bidirectional():
    with tf.Graph().as_default():
        X = tf.placeholder(tf.float32, (2, 3, 4))
        (fw, bw), _ = tf.nn.bidirectional_dynamic_rnn(
            ours.GRUCell(5), ours.BasicLSTMCell(5), X, dtype=tf.float32,
            sequence_length=[3, 1])
        cell = ours.BasicRNNCell(5)
        inputs_ta = tf.TensorArray(tf.float32, size=3).unstack(
            tf.transpose(X, [1, 0, 2]))

        def loop_fn(time, cell_output, cell_state, loop_state):
            state = (cell.zero_state(2, tf.float32) if cell_output is None
                     else cell_state)
            finished = time >= 3
            next_input = tf.cond(finished, lambda: tf.zeros((2, 4)),
                                 lambda: inputs_ta.read(time))
            return finished, next_input, state, cell_output, None

        raw_ta, raw_state, _ = tf.nn.raw_rnn(cell, loop_fn, scope="raw")
        loop_cell = ours.BasicLSTMCell(5)

        def body(t, state):
            _, new_state = loop_cell(X[:, 0], state)
            return t + 1, new_state

        _, loop_state = tf.while_loop(
            lambda t, s: t < 3, body,
            [tf.constant(0), loop_cell.zero_state(2, tf.float32)])
        names = [v.op.name for v in tf.global_variables()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run([fw, bw, raw_ta.stack(), loop_state.h],
                           {X: np.ones((2, 3, 4))})
    assert "bidirectional_rnn/fw/gru_cell/gates/kernel" in names
    assert "bidirectional_rnn/bw/basic_lstm_cell/kernel" in names
    assert "raw/basic_rnn_cell/kernel" in names
    assert got[0].shape == (2, 3, 5) and got[2].shape == (3, 2, 5)
    np.testing.assert_array_equal(got[0][1, 1:], 0)  # sequence_length 1


def test_reuse_shares_variables():
    with tf.Graph().as_default():
        X = tf.placeholder(tf.float32, (None, 3, 4))
        with tf.variable_scope("enc"):
            tf.nn.dynamic_rnn(ours.BasicLSTMCell(5), X, dtype=tf.float32)
        with tf.variable_scope("enc", reuse=True):
            tf.nn.dynamic_rnn(ours.BasicLSTMCell(5), X, dtype=tf.float32)
        tf.nn.dynamic_rnn(ours.BasicLSTMCell(5, reuse=tf.AUTO_REUSE), X,
                          dtype=tf.float32, scope="enc")
        assert [v.op.name for v in tf.global_variables()] == [
            "enc/rnn/basic_lstm_cell/kernel", "enc/rnn/basic_lstm_cell/bias",
            "enc/basic_lstm_cell/kernel", "enc/basic_lstm_cell/bias"]


# --- errors -----------------------------------------------------------------

def _error(exc_info, *fragments):
    assert isinstance(exc_info.value, ours.RNNInputError)
    assert isinstance(exc_info.value, ValueError)
    for fragment in fragments:
        assert fragment in str(exc_info.value)


def test_dynamic_rnn_rejects_2d_inputs():
    with tf.Graph().as_default():
        with pytest.raises(ours.RNNInputError) as e:
            tf.nn.dynamic_rnn(ours.BasicRNNCell(4),
                              tf.placeholder(tf.float32, (None, 28)),
                              dtype=tf.float32)
    _error(e, "rank 2", "[batch_size, max_time, input_size]")


def test_cell_rejects_3d_step_and_int_inputs():
    with tf.Graph().as_default():
        cell = ours.BasicRNNCell(4)
        with pytest.raises(ours.RNNInputError) as e:
            cell(tf.zeros((2, 3, 4)), tf.zeros((2, 4)))
        _error(e, "2-D tensor [batch_size, input_size]")
        with pytest.raises(ours.RNNInputError) as e:
            tf.nn.dynamic_rnn(ours.BasicRNNCell(4), tf.zeros((2, 3, 1),
                                                             tf.int32),
                              dtype=tf.float32)
        _error(e, "int32", "tf.cast")


def test_state_structure_errors():
    with tf.Graph().as_default():
        x = tf.zeros((2, 3))
        tuple_cell = ours.BasicLSTMCell(4)
        with pytest.raises(ours.RNNInputError) as e:
            tuple_cell(x, tf.zeros((2, 8)))
        _error(e, "wrong structure", "LSTMStateTuple(c, h)")
        concat_cell = ours.LSTMCell(4, state_is_tuple=False)
        with pytest.raises(ours.RNNInputError) as e:
            concat_cell(x, ours.LSTMStateTuple(tf.zeros((2, 4)),
                                               tf.zeros((2, 4))))
        _error(e, "state_is_tuple=False", "tf.concat([c, h], 1)")
        with pytest.raises(ours.RNNInputError) as e:
            ours.GRUCell(4)(x, tf.zeros((2, 5)))
        _error(e, "[batch_size] + [4]", "zero_state")
        with pytest.raises(ours.RNNInputError) as e:
            ours.MultiRNNCell([ours.GRUCell(4), ours.GRUCell(4)])(
                x, tf.zeros((2, 8)))
        _error(e, "wrong structure")


@pytest.mark.parametrize("kwargs", [{"input_keep_prob": 0.0},
                                    {"output_keep_prob": 1.5},
                                    {"state_keep_prob": -0.1}])
def test_keep_prob_outside_0_1(kwargs):
    with tf.Graph().as_default():
        with pytest.raises(ours.RNNInputError) as e:
            ours.DropoutWrapper(ours.BasicRNNCell(3), **kwargs)
    _error(e, "outside (0, 1]", list(kwargs)[0])


def test_two_input_sizes_under_reuse():
    with tf.Graph().as_default():
        cell = ours.BasicLSTMCell(4)
        state = cell.zero_state(2, tf.float32)
        cell(tf.zeros((2, 3)), state)
        with pytest.raises(ours.RNNInputError) as e:
            cell(tf.zeros((2, 5)), state)
        _error(e, "inputs of size 3", "size 5")
        with tf.variable_scope("s"):
            ours.BasicLSTMCell(4)(tf.zeros((2, 3)), state)
        with tf.variable_scope("s", reuse=True):
            with pytest.raises(ours.RNNInputError) as e:
                ours.BasicLSTMCell(4)(tf.zeros((2, 6)), state)
        _error(e, "reuses variables", "s/basic_lstm_cell/kernel")
