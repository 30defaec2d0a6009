"""Restoring through an explicit name map, with a dry run first."""

import numpy as np
import pytest

from tf1_dnn import checkpoints, layers, namemap, tf

HAERFEST = "haerfest__handson-ml__my_model_final.ckpt"     # dnn/hidden1/weights
NACHO = "nachocarracedo__tensor_flow__my_model_final.ckpt-fcc0a22"
DENSE = "rdcwuyy__handson-ml__my_model_final.ckpt-86d878f"  # hidden1/kernel


def _prefix(tf1_checkpoints_dir, name):
    return str(tf1_checkpoints_dir / name / "my_model_final.ckpt")


def _mlp(X, names=("hidden1", "hidden2", "outputs"), sizes=(300, 100, 10)):
    h = X
    for i, (name, units) in enumerate(zip(names, sizes)):
        last = i == len(names) - 1
        h = layers.dense(h, units, activation=None if last else tf.nn.relu,
                         name=name)
    return h


def _original_outputs(prefix, output, X_value, session_config, feed="X:0"):
    with tf.Graph().as_default() as g:
        saver = tf.train.import_meta_graph(prefix + ".meta")
        with tf.Session(config=session_config) as sess:
            saver.restore(sess, prefix)
            return sess.run(g.get_tensor_by_name(output),
                            {g.get_tensor_by_name(feed): X_value})


@pytest.mark.parametrize("rules, name, expected", [
    (namemap.CONTRIB_TO_DENSE, "dnn/hidden1/weights", "dnn/hidden1/kernel"),
    (namemap.CONTRIB_TO_DENSE, "dnn/my_weights/biases", "dnn/my_weights/bias"),
    ([("dnn_1", "")], "dnn_1/hidden1/weights", "hidden1/weights"),
    (["dnn=", "weights=kernel"], "dnn/hidden1/weights", "hidden1/kernel"),
    ({"hidden1": "layer1"}, "dnn/hidden1/kernel", "dnn/layer1/kernel"),
    ({"dnn/hidden1": "enc/l1"}, "dnn/hidden1/kernel", "enc/l1/kernel"),
    ({"dnn/hidden1": "enc/l1"}, "dnn/hidden2/kernel", "dnn/hidden2/kernel"),
    ({"^hidden1": "contrib/hidden1"}, "dnn_1/hidden1/w", "dnn_1/hidden1/w"),
    ({"^hidden1": "contrib/hidden1"}, "hidden1/w", "contrib/hidden1/w"),
])
def test_map_name(rules, name, expected):
    assert namemap.map_name(name, rules) == expected


def test_bad_rule_errors():
    with pytest.raises(ValueError, match="has no '='.*weights=kernel"):
        namemap.parse_rules(["weights:kernel"])
    with pytest.raises(ValueError, match="empty old name"):
        namemap.parse_rules(["=kernel"])


def test_neuron_layer_checkpoint_into_dense_graph_same_outputs(
        tf1_checkpoints_dir, session_config, rng, capsys):
    prefix = _prefix(tf1_checkpoints_dir, HAERFEST)
    X_value = rng.rand(5, 784).astype(np.float32)
    expected = _original_outputs(prefix, "dnn/outputs/add:0", X_value,
                                 session_config)
    with tf.Graph().as_default():
        X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
        with tf.variable_scope("dnn"):
            logits = _mlp(X)
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(tf.global_variables())
            plan = namemap.restore_mapped(sess, prefix,
                                          namemap.CONTRIB_TO_DENSE,
                                          dry_run=True)
            # the dry run assigned nothing
            for b, a in zip(before, sess.run(tf.global_variables())):
                np.testing.assert_array_equal(a, b)
            report = capsys.readouterr().out
            assert "dnn/hidden1/weights   -> dnn/hidden1/kernel  [784, 300]" \
                in report
            assert "unmatched in the checkpoint (0)" in report
            assert report.rstrip().endswith("OK")
            assert plan.ok and len(plan.pairs) == 6
            namemap.restore_mapped(sess, prefix, namemap.CONTRIB_TO_DENSE)
            got = sess.run(logits, {X: X_value})
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_contrib_fully_connected_and_moved_scope(tf1_checkpoints_dir,
                                                 session_config, rng):
    """nacho's graph holds two heads: contrib fully_connected (hidden1/weights,
    ops under dnn_2/) and neuron_layer under dnn_1/. Removing the dnn_1 scope
    makes both claim hidden1/kernel: reported as a collision; an anchored
    rule moves the contrib head aside."""
    prefix = _prefix(tf1_checkpoints_dir, NACHO)
    X_value = rng.rand(4, 784).astype(np.float32)
    want_dnn1 = _original_outputs(prefix, "dnn_1/outputs/add:0", X_value,
                                  session_config, feed="X_1:0")
    want_contrib = _original_outputs(prefix, "dnn_2/outputs/BiasAdd:0",
                                     X_value, session_config, feed="X_1:0")
    with tf.Graph().as_default():
        X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
        logits = _mlp(X)
        with tf.variable_scope("contrib"):
            contrib_logits = _mlp(X)
        rules = [("dnn_1", "")] + list(namemap.CONTRIB_TO_DENSE)
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            plan = namemap.plan_restore(prefix, rules)
            assert plan.collisions["hidden1/kernel"] == [
                "dnn_1/hidden1/weights", "hidden1/weights"]
            assert "collisions (6)" in plan.report()
            with pytest.raises(checkpoints.CheckpointMismatchError,
                               match="nothing was assigned"):
                namemap.restore_mapped(sess, prefix, rules)
            rules = [("^hidden1", "contrib/hidden1"),
                     ("^hidden2", "contrib/hidden2"),
                     ("^outputs", "contrib/outputs")] + rules
            plan = namemap.restore_mapped(sess, prefix, rules)
            assert plan.ok and len(plan.pairs) == 12
            got_dnn1, got_contrib = sess.run([logits, contrib_logits],
                                             {X: X_value})
    np.testing.assert_allclose(got_dnn1, want_dnn1, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_contrib, want_contrib, rtol=1e-5,
                               atol=1e-5)


def test_renamed_layer_unmatched_and_shape_mismatch_in_dry_run(
        tf1_checkpoints_dir, graph, sess):
    prefix = _prefix(tf1_checkpoints_dir, DENSE)
    X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
    _mlp(X, names=("layer1", "hidden2", "outputs"), sizes=(300, 50, 10))
    new = layers.dense(X, 3, name="new_head")  # noqa: F841
    sess.run(tf.global_variables_initializer())
    before = sess.run(tf.global_variables())
    plan = namemap.restore_mapped(sess, prefix, {"hidden1": "layer1"},
                                  dry_run=True, print_fn=None)
    report = plan.report()
    assert "hidden1/kernel   -> layer1/kernel  [784, 300]" in report
    assert "unmatched in the graph (2):\n  new_head/bias\n  new_head/kernel" \
        in report
    assert ("hidden2/kernel -> hidden2/kernel: checkpoint [300, 100], graph "
            "[300, 50]") in report
    assert ("outputs/kernel -> outputs/kernel: checkpoint [100, 10], graph "
            "[50, 10]") in report
    assert "NOT OK" in report
    with pytest.raises(checkpoints.CheckpointMismatchError) as info:
        namemap.restore_mapped(sess, prefix, {"hidden1": "layer1"},
                               allow_unmatched_graph=True)
    assert "checkpoint [300, 100], graph [300, 50]" in str(info.value)
    for b, a in zip(before, sess.run(tf.global_variables())):
        np.testing.assert_array_equal(a, b)


def test_unmatched_graph_variable_suggests_close_names(tf1_checkpoints_dir,
                                                       graph, sess):
    prefix = _prefix(tf1_checkpoints_dir, DENSE)
    X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
    _mlp(X, names=("hiden1", "hidden2", "outputs"))  # typo in the graph
    sess.run(tf.global_variables_initializer())
    with pytest.raises(checkpoints.CheckpointMismatchError) as info:
        namemap.restore_mapped(sess, prefix)
    msg = str(info.value)
    assert "hiden1/kernel: close checkpoint names ['hidden1/kernel'" in msg
    # with the new layers allowed, the others restore and hiden1 is kept
    kept = sess.run(tf.trainable_variables()[0])
    namemap.restore_mapped(sess, prefix, allow_unmatched_graph=True)
    np.testing.assert_array_equal(sess.run(tf.trainable_variables()[0]), kept)
    reader = tf.train.load_checkpoint(prefix)
    np.testing.assert_array_equal(
        sess.run(tf.trainable_variables()[2]), reader.get_tensor(
            "hidden2/kernel"))
