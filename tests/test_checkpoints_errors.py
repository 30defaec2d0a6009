"""Bad input gets a clear error naming problem and fix, and loses nothing.

Files are copied from the shared folder to tmp_path before being broken;
/work/shared is never modified.
"""

import re
import shutil

import numpy as np
import pytest

from tf1_dnn import checkpoints, layers, tf

HAERFEST = "haerfest__handson-ml__my_model_final.ckpt"
DENSE = "rdcwuyy__handson-ml__my_model_final.ckpt-86d878f"


def _copy(tf1_checkpoints_dir, name, tmp_path):
    src = tf1_checkpoints_dir / name
    for f in src.iterdir():
        shutil.copy(f, tmp_path)
    return str(tmp_path / "my_model_final.ckpt")


def _dense_graph(sizes=(300, 100, 10)):
    """The chapter's 300-100-10 net with tf.layers.dense names."""
    X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
    h = X
    for name, units in zip(("hidden1", "hidden2", "outputs"), sizes):
        h = layers.dense(h, units, name=name)
    return X, h


def test_missing_data_file(tf1_checkpoints_dir, tmp_path, graph, sess):
    prefix = _copy(tf1_checkpoints_dir, HAERFEST, tmp_path)
    (tmp_path / "my_model_final.ckpt.data-00000-of-00001").unlink()
    saver = tf.train.import_meta_graph(prefix + ".meta")
    with pytest.raises(checkpoints.CorruptCheckpointError,
                       match=r"has its \.index file but no "
                       r"my_model_final\.ckpt\.data-00000-of-00001 file"):
        saver.restore(sess, prefix)
    with pytest.raises(checkpoints.CorruptCheckpointError, match="Copy the"):
        checkpoints.read_checkpoint(prefix)


def test_truncated_data_file_assigns_nothing(tf1_checkpoints_dir, tmp_path,
                                             graph, sess):
    prefix = _copy(tf1_checkpoints_dir, HAERFEST, tmp_path)
    data = tmp_path / "my_model_final.ckpt.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:1000])
    saver = tf.train.import_meta_graph(prefix + ".meta")
    sess.run(tf.global_variables_initializer())
    before = sess.run(tf.global_variables())
    with pytest.raises(checkpoints.CorruptCheckpointError) as info:
        saver.restore(sess, prefix)
    msg = str(info.value)
    assert "truncated or corrupt" in msg
    assert "my_model_final.ckpt.data-00000-of-00001: 1000 bytes" in msg
    assert "copy it again" in msg
    after = sess.run(tf.global_variables())
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)


def test_missing_variable_named_with_close_matches(tf1_checkpoints_dir, graph,
                                                   sess):
    # A contrib-era checkpoint (weights/biases) into a dense graph
    # (kernel/bias): the plain Saver cannot match the names.
    prefix = str(tf1_checkpoints_dir / HAERFEST / "my_model_final.ckpt")
    with tf.name_scope("dnn"):
        with tf.variable_scope("dnn"):
            _dense_graph()
    sess.run(tf.global_variables_initializer())
    before = sess.run(tf.global_variables())
    saver = tf.train.Saver()
    with pytest.raises(checkpoints.CheckpointMismatchError) as info:
        saver.restore(sess, prefix)
    msg = str(info.value)
    assert "6 variable(s) of the graph are not in checkpoint" in msg
    assert re.search(r"'dnn/hidden1/kernel' \(graph variable "
                     r"'dnn/hidden1/kernel'\); close matches: "
                     r"\[[^\]]*'dnn/hidden1/weights'", msg)
    assert re.search(r"'dnn/hidden1/bias' \(graph variable "
                     r"'dnn/hidden1/bias'\); close matches: "
                     r"\['dnn/hidden1/biases'", msg)
    assert "tf1_dnn.namemap.restore_mapped" in msg
    assert "Nothing was assigned" in msg
    for b, a in zip(before, sess.run(tf.global_variables())):
        np.testing.assert_array_equal(a, b)


def test_shape_mismatch_names_both_shapes(tf1_checkpoints_dir, graph, sess):
    prefix = str(tf1_checkpoints_dir / DENSE / "my_model_final.ckpt")
    _dense_graph(sizes=(200, 100, 10))
    sess.run(tf.global_variables_initializer())
    before = sess.run(tf.global_variables())
    with pytest.raises(checkpoints.CheckpointMismatchError) as info:
        tf.train.Saver().restore(sess, prefix)
    msg = str(info.value)
    assert ("'hidden1/kernel': checkpoint shape [784, 300], graph variable "
            "'hidden1/kernel' shape [784, 200]") in msg
    assert ("'hidden2/kernel': checkpoint shape [300, 100], graph variable "
            "'hidden2/kernel' shape [200, 100]") in msg
    assert "'hidden1/bias': checkpoint shape [300]" in msg
    assert "Nothing was assigned" in msg
    for b, a in zip(before, sess.run(tf.global_variables())):
        np.testing.assert_array_equal(a, b)


def test_state_file_pointing_nowhere(tmp_path, graph, sess):
    (tmp_path / "checkpoint").write_text(
        'model_checkpoint_path: "/home/alice/models/gone.ckpt"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) is None  # as TF 1.x
    _dense_graph()
    with pytest.raises(checkpoints.CheckpointNotFoundError) as info:
        tf.train.Saver().restore(sess, str(tmp_path))
    msg = str(info.value)
    assert "points to '/home/alice/models/gone.ckpt'" in msg
    assert "Checkpoints in that directory: none" in msg


def test_directory_without_state_file_lists_prefixes(tf1_checkpoints_dir,
                                                     tmp_path):
    prefix = _copy(tf1_checkpoints_dir, HAERFEST, tmp_path)
    # one checkpoint: used (with a notice)
    assert checkpoints.resolve_checkpoint(str(tmp_path)) == prefix
    shutil.copy(prefix + ".index", str(tmp_path / "other.index"))
    with pytest.raises(checkpoints.CheckpointNotFoundError,
                       match=r"has no 'checkpoint' state file.*Checkpoints in "
                       r"it: \[" + re.escape(repr(prefix))):
        checkpoints.resolve_checkpoint(str(tmp_path))


def test_restore_none_explains_latest_checkpoint(graph, sess):
    _dense_graph()
    with pytest.raises(checkpoints.CheckpointNotFoundError,
                       match=r"latest_checkpoint\(\) returns None"):
        tf.train.Saver().restore(sess, tf.train.latest_checkpoint("/nonexistent"))


def test_wrong_prefix_suggests_close_names(tf1_checkpoints_dir, tmp_path):
    prefix = _copy(tf1_checkpoints_dir, HAERFEST, tmp_path)
    with pytest.raises(checkpoints.CheckpointNotFoundError,
                       match=r"Did you mean \[" + re.escape(repr(prefix))):
        checkpoints.resolve_checkpoint(prefix.replace("final", "finale"))


def test_shared_files_untouched(tf1_checkpoints_dir):
    import hashlib
    import json
    manifest = json.loads((tf1_checkpoints_dir / "manifest.json").read_text())
    entry = next(e for e in manifest if e["dir"] == HAERFEST)
    for f in entry["files"]:
        data = (tf1_checkpoints_dir / HAERFEST / f["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"]


def test_sharded_resource_and_partitioned_variables(tmp_path,
                                                    session_config):
    """The pre-restore check reads the saver's own RestoreV2 ops: it sees
    resource variables (restored through Identity) and sharded savers, and
    leaves partitioned slices to TF."""
    with tf.Graph().as_default():
        tf.get_variable("a", initializer=tf.ones([3, 2]))
        tf.get_variable("b", initializer=tf.zeros([4]), use_resource=True)
        tf.get_variable("p", shape=[6, 2],
                        partitioner=tf.fixed_size_partitioner(2))
        saver = tf.train.Saver(sharded=True)
        targets = checkpoints.saver_restore_targets(saver)
        assert {k: v[1].as_list() for k, v in targets.items()} == {
            "a": [3, 2], "b": [4]}
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "m.ckpt"))
            saver.restore(sess, path)
    with tf.Graph().as_default():
        a = tf.get_variable("a", initializer=tf.fill([3, 2], 7.0))
        tf.get_variable("b", initializer=tf.zeros([5]), use_resource=True)
        tf.get_variable("p", shape=[6, 2],
                        partitioner=tf.fixed_size_partitioner(2))
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(checkpoints.CheckpointMismatchError) as info:
                tf.train.Saver().restore(sess, path)
            assert "'b': checkpoint shape [4], graph variable 'b' shape [5]" \
                in str(info.value)
            np.testing.assert_array_equal(sess.run(a), np.full((3, 2), 7.0))
