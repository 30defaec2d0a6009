"""The six recurrent TF 1.x checkpoints, rebuilt with tf1_dnn's cells.

For each recurrent entry of ../shared/tf1_checkpoints/manifest.json: import
the original graph (`import_meta_graph` + restore) and run its output on the
manifest's forward feed; rebuild the same network by hand with
`tf.nn.rnn_cell` / `tf.contrib.rnn` (a few lines each, read off the graph),
restore the checkpoint's weights into it *by name* (TF 1.0/1.1's
`weights`/`biases` through `tf1_dnn.namemap`), and check both outputs agree
on the same input. The maximal differences are printed (`pytest -s`).
"""

import numpy as np
import pytest

from tests.conftest import TF1_CHECKPOINTS
from tests.test_checkpoints import ENTRIES, _forward_feeds
from tf1_dnn import checkpoints, namemap, tf

RNN_ENTRIES = {e["dir"]: e for e in ENTRIES
               if "dynamic_rnn(while_loop)" in e.get("graph_features", [])}
MAX_DIFF = {}


@pytest.fixture(scope="module", autouse=True)
def _print_max_diffs():
    yield
    print("\nmax |rebuilt with tf1_dnn cells - imported TF 1.x graph|:")
    for what, diff in sorted(MAX_DIFF.items()):
        print(f"  {what:80s} {diff:.3g}")


# --- the rebuilt networks: feeds (by original tensor name) -> output --------

def _time_series_dropout(ph):
    """cbilgili (TF 1.0): 3 x DropoutWrapper(BasicRNNCell(100)), dense 1."""
    X = ph("Placeholder:0", (None, 20, 1))
    keep_prob = tf.placeholder_with_default(1.0, shape=())
    cells = [tf.nn.rnn_cell.DropoutWrapper(
        tf.nn.rnn_cell.BasicRNNCell(num_units=100),
        input_keep_prob=keep_prob) for _ in range(3)]
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), X,
                                   dtype=tf.float32)
    stacked = tf.reshape(outputs, [-1, 100])
    return tf.reshape(tf.layers.dense(stacked, 1), [-1, 20, 1])


def _time_series_projection(ph):
    """danielhardej (TF 1.3): OutputProjectionWrapper(BasicRNNCell relu)."""
    X = ph("Placeholder_2:0", (None, 20, 1))
    cell = tf.contrib.rnn.OutputProjectionWrapper(
        tf.contrib.rnn.BasicRNNCell(num_units=100, activation=tf.nn.relu),
        output_size=1)
    outputs, _ = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
    return outputs


def _reber_lstm(ph):
    """lrunaways (TF 1.5): LSTMCell(64), sequence_length, dense on the final
    state's *c* (`states[0]`: the graph feeds while/Exit_3, the c exit, to
    the dense layer -- h is Exit_4), sigmoid."""
    X = ph("LSTM/Placeholder:0", (None, None, 7))
    seq_length = ph("LSTM/Placeholder_2:0", (None,), tf.int32)
    _, states = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(num_units=64), X,
                                  dtype=tf.float32,
                                  sequence_length=seq_length)
    logits = tf.layers.dense(states[0], 1)
    # y_proba saturates (0.0 on both sides for these inputs): also compare
    # the logits.
    return tf.sigmoid(logits), {"LSTM/dense/BiasAdd:0": logits}


def _gru_stack(ph):
    """Enny1991 (TF 1.1): 3 x DropoutWrapper(GRUCell(120)), last step."""
    X = ph("Placeholder:0", (None, 249, 39))
    cells = [tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.GRUCell(120),
                                           input_keep_prob=1.0)
             for _ in range(3)]
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), X,
                                   dtype=tf.float32)
    last = tf.transpose(outputs, [1, 0, 2])[-1]
    W = tf.Variable(tf.zeros([120, 11]), name="Variable")
    b = tf.Variable(tf.zeros([11]), name="Variable_1")
    return tf.nn.softmax(tf.matmul(last, W) + b)


def _char_lstm(ph):
    """LC-John (TF 1.4): embedding, W_in, BasicLSTMCell(300), W_out."""
    ids = ph("x_raw_input:0", (None, 158), tf.int32)
    lengths = ph("length_of_each_sequence:0", (None,), tf.int32)
    batch_size = ph("batch_size:0", (), tf.int32)
    embedding = tf.Variable(tf.zeros([92, 100]), name="embedding_matrix")
    W_in = tf.Variable(tf.zeros([100, 300]), name="W_in")
    b_in = tf.Variable(tf.zeros([300]), name="b_in")
    W_out = tf.Variable(tf.zeros([300, 92]), name="W_out")
    b_out = tf.Variable(tf.zeros([92]), name="b_out")
    x = tf.reshape(tf.nn.embedding_lookup(embedding, ids), [-1, 100])
    x = tf.reshape(tf.matmul(x, W_in) + b_in, [-1, 158, 300])
    cell = tf.nn.rnn_cell.BasicLSTMCell(300)
    outputs, _ = tf.nn.dynamic_rnn(
        cell, x, sequence_length=lengths,
        initial_state=cell.zero_state(batch_size, tf.float32))
    out = tf.matmul(tf.reshape(outputs, [-1, 300]), W_out) + b_out
    return tf.reshape(out, [-1, 158, 92])


def _multi_lstm_resource(ph):
    """yantanglife (TF 1.13): 2 x DropoutWrapper(BasicLSTMCell(128)),
    last output, fc1 + dropout + relu, fc2, softmax."""
    X = ph("input_x:0", (None, 100, 6))
    keep_prob = ph("keep_prob:0", None)
    cells = [tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(128),
                                           output_keep_prob=keep_prob)
             for _ in range(2)]
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), X,
                                   dtype=tf.float32)
    fc1 = tf.layers.dense(outputs[:, -1, :], 128, name="fc1")
    fc1 = tf.nn.relu(tf.nn.dropout(fc1, keep_prob))
    return tf.nn.softmax(tf.layers.dense(fc1, 10, name="fc2"))


REBUILD = {
    "cbilgili__hands-on-ml__my_dropout_time_series_model":
        (_time_series_dropout, namemap.CONTRIB_TO_DENSE),
    "danielhardej__hands-on-ML__my_time_series_model":
        (_time_series_projection, None),
    "lrunaways__Identifying-embedded-Reber-grammar-with-LSTM__"
    "my_reber_classifier-f9a8cca": (_reber_lstm, None),
    "Enny1991__TIDIGITS_task__model.ckpt-3ee7961":
        (_gru_stack, namemap.CONTRIB_TO_DENSE),
    "LC-John__Fake-Trump-Tweet__model.ckpt-80de987": (_char_lstm, None),
    "yantanglife__CNNDemo__rnn_best_validation":
        (_multi_lstm_resource, None),
}

# Enny1991's graph applies input dropout with a constant keep probability
# inside its while loop. Such a tensor cannot be fed (the feed would sit
# outside the loop's frame), so these Const nodes are set to 1.0 in the
# MetaGraphDef before the import: the original graph becomes deterministic.
KEEP_PROB_CONSTS = {
    "Enny1991__TIDIGITS_task__model.ckpt-3ee7961": [
        f"rnn/while/multi_rnn_cell/cell_{i}/dropout/keep_prob"
        for i in range(3)],
}


# Tensors of the original graph compared besides the output (the rebuild
# returns them in a dict).
EXTRA_COMPARED = {
    "lrunaways__Identifying-embedded-Reber-grammar-with-LSTM__"
    "my_reber_classifier-f9a8cca": ["LSTM/dense/BiasAdd:0"],
}


def _meta_graph(prefix, entry_dir):
    meta = checkpoints.load_meta_graph_def(prefix + ".meta")
    names = set(KEEP_PROB_CONSTS.get(entry_dir, []))
    found = []
    for node in meta.graph_def.node:
        if node.name in names:
            assert node.op == "Const"
            old = tf.make_ndarray(node.attr["value"].tensor)
            assert 0 < old < 1  # it really was dropping
            node.attr["value"].tensor.CopyFrom(
                tf.make_tensor_proto(np.float32(1.0)))
            found.append(node.name)
    assert sorted(found) == sorted(names)
    return meta


def test_every_recurrent_checkpoint_has_a_rebuild():
    if not ENTRIES:
        pytest.skip("../shared/tf1_checkpoints is absent")
    assert sorted(RNN_ENTRIES) == sorted(REBUILD)


@pytest.mark.parametrize("entry_dir", sorted(REBUILD))
def test_rebuilt_with_our_cells_matches_original(entry_dir, session_config):
    if entry_dir not in RNN_ENTRIES:
        pytest.skip("../shared/tf1_checkpoints is absent")
    entry = RNN_ENTRIES[entry_dir]
    prefix = str(TF1_CHECKPOINTS / entry["dir"] / entry["prefix"])
    rng = np.random.RandomState(0)

    original = tf.Graph()
    with original.as_default():
        saver = tf.train.import_meta_graph(_meta_graph(prefix, entry_dir))
        feeds = _forward_feeds(original, entry, rng)
        output = original.get_tensor_by_name(entry["output_tensor"])
        with tf.Session(graph=original, config=session_config) as sess:
            saver.restore(sess, prefix)
            want = sess.run(output, feeds)
            # Deterministic (also where the graph had in-loop dropout).
            np.testing.assert_array_equal(want, sess.run(output, feeds))
            build, mapping = REBUILD[entry_dir]
            extra_names = EXTRA_COMPARED.get(entry_dir, [])
            want_extra = sess.run(extra_names, feeds)
    feed_values = {t.name: v for t, v in feeds.items()}

    rebuilt = tf.Graph()
    with rebuilt.as_default():
        placeholders = {}

        def ph(name, shape, dtype=tf.float32):
            placeholders[name] = tf.placeholder(dtype, shape)
            return placeholders[name]

        out = build(ph)
        out, extra = out if isinstance(out, tuple) else (out, {})
        cell_vars = [v.op.name for v in tf.global_variables()
                     if v.op.name.startswith("rnn/")]
        with tf.Session(graph=rebuilt, config=session_config) as sess:
            plan = namemap.restore_mapped(sess, prefix, mapping,
                                          print_fn=None)
            got, got_extra = sess.run(
                [out, [extra[n] for n in extra_names]],
                {placeholders[n]: v for n, v in feed_values.items()})
    # Every variable of the rebuilt graph got its value from the checkpoint
    # (unmatched graph variables raise in restore_mapped).
    assert plan.unmatched_graph == [] and cell_vars
    assert got.shape == want.shape == tuple(entry["forward_output_shape"])
    diff = float(np.max(np.abs(got - want)))
    MAX_DIFF[f"{entry_dir} ({len(plan.pairs)} vars)"] = diff
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for name, a, b in zip(extra_names, got_extra, want_extra):
        MAX_DIFF[f"{entry_dir} {name}"] = float(np.max(np.abs(a - b)))
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
