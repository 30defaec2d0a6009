"""tf.contrib.rnn and tf.contrib.seq2seq.sequence_loss.

No oracle runs on TF 2.21 for these (tf_keras has none of them), so each is
checked against an independent computation: the fused kernels against our
`LSTMCell`/`GRUCell` (themselves bitwise equal to the oracle, see
test_rnn_cells.py) with the same weights, the wrappers, layer-norm LSTM and
sequence_loss against numpy. Every name of the issue's list is enumerated
through `from tf1_dnn import tf` and run in a graph.
"""

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn.rnn_cell import RNNInputError

B, T, D, N = 3, 5, 4, 6
SEQ = np.array([5, 2, 4], np.int32)


def _x():
    return np.random.RandomState(0).randn(B, T, D).astype(np.float32)


def _load_same(sess, src_vars, dst_vars):
    """Loads random values into src_vars and the same into dst_vars."""
    r = np.random.RandomState(3)
    for s, d in zip(src_vars, dst_vars):
        value = (0.5 * r.randn(*s.shape.as_list())).astype(np.float32)
        s.load(value, sess)
        d.load(value.reshape(d.shape.as_list()), sess)


def _run_pair(build_a, build_b, seq=True):
    """Builds two RNNs on the same input in one graph; loads identical
    weights; returns (outputs, final h, d loss/d X, d loss/d kernel) each."""
    with tf.Graph().as_default():
        X = tf.constant(_x())
        seq_len = tf.constant(SEQ) if seq else None
        with tf.variable_scope("a"):
            out_a, h_a = build_a(X, seq_len)
        with tf.variable_scope("b"):
            out_b, h_b = build_b(X, seq_len)
        va = tf.global_variables("a")
        vb = tf.global_variables("b")
        assert len(va) == len(vb) > 0
        ga = tf.gradients(tf.reduce_sum(out_a ** 2) + tf.reduce_sum(h_a),
                          [X] + va)
        gb = tf.gradients(tf.reduce_sum(out_b ** 2) + tf.reduce_sum(h_b),
                          [X] + vb)
        with tf.Session() as sess:
            _load_same(sess, va, vb)
            return sess.run([(out_a, h_a, ga), (out_b, h_b, gb)]), \
                [v.op.name for v in va], [v.op.name for v in vb]


def _assert_close(a, b, tol=2e-5):
    for x, y in zip(tf.nest.flatten(a), tf.nest.flatten(b)):
        np.testing.assert_allclose(x, y, atol=tol, rtol=tol)


@pytest.mark.parametrize("clip", [None, 0.4])
def test_lstm_block_cell_equals_lstm_cell(clip):
    def block(X, seq):
        cell = tf.contrib.rnn.LSTMBlockCell(N, cell_clip=clip,
                                            forget_bias=0.5)
        out, state = tf.nn.dynamic_rnn(cell, X, sequence_length=seq,
                                       dtype=tf.float32)
        return out, state.h

    def core(X, seq):
        cell = tf.nn.rnn_cell.LSTMCell(N, cell_clip=clip, forget_bias=0.5)
        out, state = tf.nn.dynamic_rnn(cell, X, sequence_length=seq,
                                       dtype=tf.float32)
        return out, state.h

    (a, b), names_a, names_b = _run_pair(block, core)
    expected = ["rnn/lstm_cell/kernel", "rnn/lstm_cell/bias"]
    assert names_a == ["a/" + n for n in expected]
    assert names_b == ["b/" + n for n in expected]
    if clip is None:
        _assert_close(a, b)  # outputs, final h, gradients (X, kernel, bias)
    else:
        # Pitfall kept from TF 1.x: the forward pass clips, but contrib's
        # LSTMBlockCell gradient (LSTMBlockCellGrad has no cell_clip) passes
        # gradients through the clip as if it were not there.
        _assert_close(a[:2], b[:2])
        assert not np.allclose(a[2][0], b[2][0], atol=1e-3)


def test_lstm_block_cell_peepholes_by_name():
    """Peephole values loaded by name: block kernel == LSTMCell."""
    with tf.Graph().as_default():
        X = tf.constant(_x())
        with tf.variable_scope("a"):
            out_a, _ = tf.nn.dynamic_rnn(tf.contrib.rnn.LSTMBlockCell(
                N, use_peephole=True, cell_clip=0.4), X, dtype=tf.float32)
        with tf.variable_scope("b"):
            out_b, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(
                N, use_peepholes=True, cell_clip=0.4), X, dtype=tf.float32)
        va = {v.op.name[2:]: v for v in tf.global_variables("a")}
        vb = {v.op.name[2:]: v for v in tf.global_variables("b")}
        assert sorted(va) == sorted(vb)
        with tf.Session() as sess:
            r = np.random.RandomState(5)
            for name in sorted(va):
                value = 0.5 * r.randn(*va[name].shape.as_list())
                va[name].load(value, sess)
                vb[name].load(value, sess)
            got_a, got_b = sess.run([out_a, out_b])
    np.testing.assert_allclose(got_a, got_b, atol=2e-5)


def test_lstm_block_fused_cell_equals_lstm_cell():
    def fused(X, seq):
        cell = tf.contrib.rnn.LSTMBlockFusedCell(N)
        out, state = cell(tf.transpose(X, [1, 0, 2]), dtype=tf.float32,
                          sequence_length=seq)
        return tf.transpose(out, [1, 0, 2]), state.h

    def core(X, seq):
        out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(N), X,
                                       sequence_length=seq, dtype=tf.float32)
        return out, state.h

    (a, b), names_a, names_b = _run_pair(fused, core)
    assert names_a == ["a/lstm_fused_cell/kernel", "a/lstm_fused_cell/bias"]
    _assert_close(a, b)
    np.testing.assert_array_equal(a[0][1, 2:], 0)  # past sequence length


@pytest.mark.parametrize("cls,names", [
    ("GRUBlockCellV2", ["gates/kernel", "gates/bias", "candidate/kernel",
                        "candidate/bias"]),
    ("GRUBlockCell", ["w_ru", "b_ru", "w_c", "b_c"])])
def test_gru_block_cells_equal_gru_cell(cls, names):
    def block(X, seq):
        out, state = tf.nn.dynamic_rnn(getattr(tf.contrib.rnn, cls)(N), X,
                                       sequence_length=seq, dtype=tf.float32)
        return out, state

    def core(X, seq):
        out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(N), X,
                                       sequence_length=seq, dtype=tf.float32)
        return out, state

    (a, b), names_a, _ = _run_pair(block, core)
    assert names_a == ["a/rnn/gru_cell/" + n for n in names]
    _assert_close(a, b)


def test_output_projection_wrapper_names_and_numpy():
    x = _x()
    with tf.Graph().as_default():
        cell = tf.contrib.rnn.OutputProjectionWrapper(
            tf.contrib.rnn.BasicRNNCell(N), output_size=2)
        out, state = tf.nn.dynamic_rnn(cell, tf.constant(x), dtype=tf.float32)
        names = [v.op.name for v in tf.global_variables()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values = sess.run(tf.global_variables())
            got_out, got_state = sess.run([out, state])
    assert names == ["rnn/output_projection_wrapper/basic_rnn_cell/kernel",
                     "rnn/output_projection_wrapper/basic_rnn_cell/bias",
                     "rnn/output_projection_wrapper/kernel",
                     "rnn/output_projection_wrapper/bias"]
    W, b, P, c = values
    h = np.zeros((B, N), np.float32)
    for t in range(T):
        h = np.tanh(np.concatenate([x[:, t], h], 1) @ W + b)
        np.testing.assert_allclose(got_out[:, t], h @ P + c, atol=1e-5)
    np.testing.assert_allclose(got_state, h, atol=1e-5)


def test_input_projection_wrapper_names():
    with tf.Graph().as_default():
        cell = tf.contrib.rnn.InputProjectionWrapper(
            tf.contrib.rnn.GRUCell(N), num_proj=3)
        out, _ = tf.nn.dynamic_rnn(cell, tf.constant(_x()), dtype=tf.float32)
        assert [(v.op.name, v.shape.as_list())
                for v in tf.global_variables()] == [
            ("rnn/input_projection_wrapper/kernel", [D, 3]),
            ("rnn/input_projection_wrapper/bias", [3]),
            ("rnn/input_projection_wrapper/gru_cell/gates/kernel",
             [3 + N, 2 * N]),
            ("rnn/input_projection_wrapper/gru_cell/gates/bias", [2 * N]),
            ("rnn/input_projection_wrapper/gru_cell/candidate/kernel",
             [3 + N, N]),
            ("rnn/input_projection_wrapper/gru_cell/candidate/bias", [N])]
        assert out.shape.as_list() == [B, T, N]


def test_layer_norm_basic_lstm_cell_numpy():
    r = np.random.RandomState(2)
    x = r.randn(B, D).astype(np.float32)
    c0 = r.randn(B, N).astype(np.float32)
    h0 = r.randn(B, N).astype(np.float32)
    with tf.Graph().as_default():
        cell = tf.contrib.rnn.LayerNormBasicLSTMCell(N, norm_gain=1.5,
                                                     norm_shift=0.2)
        out, (c1, h1) = cell(tf.constant(x), tf.nn.rnn_cell.LSTMStateTuple(
            tf.constant(c0), tf.constant(h0)))
        names = [v.op.name for v in tf.global_variables()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            W = sess.run(tf.global_variables()[0])
            got = sess.run([c1, h1])
    assert names[0] == "layer_norm_basic_lstm_cell/kernel"
    assert names[1:3] == ["layer_norm_basic_lstm_cell/input/gamma",
                          "layer_norm_basic_lstm_cell/input/beta"]
    assert len(names) == 11 and names[-1] == "layer_norm_basic_lstm_cell/" \
                                             "state/beta"

    def ln(v):
        m = v.mean(1, keepdims=True)
        return (v - m) / np.sqrt(v.var(1, keepdims=True) + 1e-12) * 1.5 + 0.2

    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, j, f, o = np.split(np.concatenate([x, h0], 1) @ W, 4, axis=1)
    c = ln(c0 * sig(ln(f) + 1.0) + sig(ln(i)) * np.tanh(ln(j)))
    h = np.tanh(c) * sig(ln(o))
    np.testing.assert_allclose(got[0], c, atol=1e-4)
    np.testing.assert_allclose(got[1], h, atol=1e-4)


def test_stack_bidirectional_dynamic_and_static():
    with tf.Graph().as_default():
        X = tf.constant(_x())
        out, fw, bw = tf.contrib.rnn.stack_bidirectional_dynamic_rnn(
            [tf.contrib.rnn.LSTMCell(N), tf.contrib.rnn.GRUCell(3)],
            [tf.contrib.rnn.LSTMCell(N), tf.contrib.rnn.GRUCell(2)], X,
            dtype=tf.float32, sequence_length=SEQ)
        names = [v.op.name for v in tf.global_variables()]
        steps = tf.unstack(X, axis=1)
        souts, sfw, _ = tf.contrib.rnn.stack_bidirectional_rnn(
            [tf.contrib.rnn.BasicRNNCell(2)], [tf.contrib.rnn.BasicRNNCell(2)],
            steps, dtype=tf.float32, scope="static")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run(out)
        assert len(souts) == T and souts[0].shape.as_list() == [B, 4]
        assert len(sfw) == 1
    assert got.shape == (B, T, 5) and len(fw) == len(bw) == 2
    assert names[0] == ("stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/"
                        "lstm_cell/kernel")
    assert ("stack_bidirectional_rnn/cell_1/bidirectional_rnn/bw/gru_cell/"
            "candidate/bias") in names
    with pytest.raises(RNNInputError, match="same depth"):
        tf.contrib.rnn.stack_bidirectional_dynamic_rnn(
            [tf.contrib.rnn.GRUCell(2)],
            [tf.contrib.rnn.GRUCell(2), tf.contrib.rnn.GRUCell(2)], X)


@pytest.mark.parametrize("kw,axis", [
    ({}, None),
    ({"average_across_batch": False}, 1),
    ({"average_across_timesteps": False}, 0),
    ({"average_across_timesteps": False, "average_across_batch": False,
      "sum_over_timesteps": True, "sum_over_batch": True}, "count")])
def test_sequence_loss_numpy(kw, axis):
    r = np.random.RandomState(4)
    logits = r.randn(2, 3, 5).astype(np.float32)
    targets = r.randint(0, 5, (2, 3)).astype(np.int32)
    weights = np.array([[1, 1, 0], [1, 0.5, 1]], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(tf.contrib.seq2seq.sequence_loss(
            tf.constant(logits), tf.constant(targets), tf.constant(weights),
            **kw))
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    ce = -np.take_along_axis(logp, targets[..., None], -1)[..., 0] * weights
    if axis is None:
        want = ce.sum() / weights.sum()
    elif axis == "count":
        want = ce.sum() / np.count_nonzero(weights)
    else:
        want = ce.sum(axis) / weights.sum(axis)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_sequence_loss_rank_error():
    with tf.Graph().as_default():
        with pytest.raises(RNNInputError, match="logits must be a"):
            tf.contrib.seq2seq.sequence_loss(tf.zeros((2, 5)),
                                             tf.zeros((2, 3), tf.int32),
                                             tf.ones((2, 3)))


CELLS = ["BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell"]
WRAPPERS = ["DropoutWrapper", "ResidualWrapper", "DeviceWrapper"]


def _make(ns, name):
    if name in ("BasicRNNCell", "GRUCell", "ResidualWrapper"):
        return (getattr(ns, name)(D) if name != "ResidualWrapper"
                else ns.ResidualWrapper(ns.GRUCell(D)))
    if name in ("BasicLSTMCell", "LSTMCell"):
        return getattr(ns, name)(N)
    if name == "DropoutWrapper":
        return ns.DropoutWrapper(ns.BasicLSTMCell(N), output_keep_prob=0.5)
    if name == "DeviceWrapper":
        return ns.DeviceWrapper(ns.GRUCell(N), "/cpu:0")
    if name == "MultiRNNCell":
        return ns.MultiRNNCell([ns.GRUCell(N), ns.BasicLSTMCell(N)])
    if name == "OutputProjectionWrapper":
        return ns.OutputProjectionWrapper(ns.GRUCell(N), 2)
    if name == "InputProjectionWrapper":
        return ns.InputProjectionWrapper(ns.GRUCell(N), 3)
    return getattr(ns, name)(N)


NN_NAMES = CELLS + WRAPPERS + ["MultiRNNCell"]
CONTRIB_NAMES = NN_NAMES + ["OutputProjectionWrapper",
                            "InputProjectionWrapper", "LayerNormBasicLSTMCell",
                            "LSTMBlockCell", "GRUBlockCell", "GRUBlockCellV2"]


@pytest.mark.parametrize("where,name", [("nn", n) for n in NN_NAMES] +
                         [("contrib", n) for n in CONTRIB_NAMES])
def test_every_name_runs_in_a_graph(where, name):
    ns = tf.nn.rnn_cell if where == "nn" else tf.contrib.rnn
    with tf.Graph().as_default():
        cell = _make(ns, name)
        assert type(cell).__module__.startswith("tf1_dnn.")
        X = tf.constant(_x())
        out, state = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32,
                                       sequence_length=SEQ)
        loss = tf.reduce_sum(out)
        grads = tf.gradients(loss, tf.trainable_variables())
        assert grads and all(g is not None for g in grads)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run([out, grads])
    assert got[0].shape[:2] == (B, T) and np.isfinite(got[0]).all()


def test_every_function_and_class_resolves():
    for name in ["RNNCell", "LSTMStateTuple"] + NN_NAMES:
        assert getattr(tf.nn.rnn_cell, name).__module__ == "tf1_dnn.rnn_cell"
        assert getattr(tf.contrib.rnn, name) is getattr(tf.nn.rnn_cell, name)
    with tf.Graph().as_default():
        X = tf.constant(_x())
        steps = tf.unstack(X, axis=1)
        outs, _ = tf.contrib.rnn.static_rnn(tf.contrib.rnn.GRUCell(2), steps,
                                            dtype=tf.float32, scope="s")
        bouts, _, _ = tf.contrib.rnn.static_bidirectional_rnn(
            tf.contrib.rnn.GRUCell(2), tf.contrib.rnn.GRUCell(2), steps,
            dtype=tf.float32)
        fused_out, _ = tf.contrib.rnn.LSTMBlockFusedCell(3)(
            steps, dtype=tf.float32)
        assert len(outs) == len(bouts) == len(fused_out) == T
        assert bouts[0].shape.as_list() == [B, 4]

        class Custom(tf.nn.rnn_cell.RNNCell):  # TF 1.x style subclass
            state_size = output_size = 2

            def call(self, inputs, state):
                w = tf.get_variable("w", [D + 2, 2])
                return (tf.tanh(tf.matmul(tf.concat([inputs, state], 1), w)),) * 2

        cell = Custom()
        out, _ = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
        assert [v.op.name for v in cell.trainable_weights] == ["rnn/custom/w"]
        loss = tf.contrib.seq2seq.sequence_loss(
            out, tf.zeros((B, T), tf.int32), tf.ones((B, T)))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert np.isfinite(sess.run(loss))


def test_runner_hints_name_things_that_run():
    """Every `tf.x.y` a `run`/`upgrade` hint names resolves in our namespace,
    and a script using a contrib.rnn name we lack gets the rnn hint."""
    import re
    from tf1_dnn import upgrade
    named = []
    for hint in upgrade._HINTS.values():
        for dotted in re.findall(r"\btf\.[A-Za-z_][\w.]*[A-Za-z_]", hint):
            obj = tf
            for part in dotted.split(".")[1:]:
                obj = getattr(obj, part)  # AttributeError = a dead hint
            named.append(dotted)
    assert "tf.contrib.rnn.LSTMBlockFusedCell" in named
    assert "tf.nn.rnn_cell.RNNCell" in named
    findings = upgrade.scan(
        "import tensorflow as tf\n"
        "cell = tf.contrib.rnn.BasicLSTMCell(10)\n"
        "wrapped = tf.contrib.rnn.AttentionCellWrapper(cell, 3)\n"
        "loss = tf.contrib.seq2seq.sequence_loss\n", "s.py")
    assert [(f.line, f.name) for f in findings] == [
        (3, "tensorflow.contrib.rnn.AttentionCellWrapper")]
    assert "tf.nn.rnn_cell.RNNCell subclass" in findings[0].message
