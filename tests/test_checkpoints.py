"""Every checkpoint TF 1.0-1.14 wrote in ../shared/tf1_checkpoints loads on TF 2.21.

For every manifest entry: import the graph (repairing only what TF 2.21
rejects), restore, compare every variable with `tf.train.load_checkpoint`
(NaN-aware), run one forward pass. NaN values written into a checkpoint are
reported as such, not as a failure of ours.
"""

import json
import logging
import shutil

import numpy as np
import pytest
import tensorflow

from tests.conftest import TF1_CHECKPOINTS
from tf1_dnn import checkpoints, tf


def _manifest():
    path = TF1_CHECKPOINTS / "manifest.json"
    if not path.exists():
        return []
    return json.loads(path.read_text())


ENTRIES = _manifest()


@pytest.fixture(scope="module")
def manifest(tf1_checkpoints_dir):
    return {e["dir"]: e for e in
            json.loads((tf1_checkpoints_dir / "manifest.json").read_text())}


def _forward_feeds(graph, entry, rng):
    """The manifest's forward feed: a batch of 2 uniform random floats per
    placeholder, except where `forward_feed_values` says otherwise (a
    concrete `shape` for an open time axis, a `const` keep_prob / sequence
    length / batch_size, `randint` token ids). See the manifest's README."""
    feeds = {}
    special = entry.get("forward_feed_values", {})
    for name, shape, dtype in entry["forward_feeds"]:
        tensor = graph.get_tensor_by_name(name)
        how = special.get(name, {})
        if "shape" in how:
            shape = how["shape"]
        else:
            shape = [2] + [d for d in shape[1:]] if shape else []
        if None in shape:
            raise AssertionError(f"{entry['dir']}: {name} has an open axis "
                                 f"{shape} and no forward_feed_values shape")
        if how.get("kind") == "const":
            feeds[tensor] = np.full(shape, how["value"], dtype=dtype)
        elif how.get("kind") == "randint":
            feeds[tensor] = rng.randint(0, how["high"], size=shape
                                        ).astype(dtype)
        elif dtype == "bool":
            feeds[tensor] = np.zeros(shape, dtype=bool)
        else:
            feeds[tensor] = rng.rand(*shape).astype(dtype)
    return feeds


def test_manifest_lists_every_shared_folder(manifest, tf1_checkpoints_dir):
    """One entry per checkpoint folder (29 since the CNN/RNN ones came),
    whatever the count: the test follows the manifest, not a number."""
    folders = sorted(p.name for p in tf1_checkpoints_dir.iterdir()
                     if p.is_dir())
    assert sorted(manifest) == folders
    assert [e["dir"] for e in ENTRIES] == list(manifest)
    for entry in manifest.values():
        prefix = tf1_checkpoints_dir / entry["dir"] / entry["prefix"]
        assert (prefix.parent / (prefix.name + ".index")).exists(), prefix


@pytest.mark.parametrize("entry_dir", [e["dir"] for e in ENTRIES] or
                         ["manifest-absent"])
def test_import_restore_compare_forward(entry_dir, manifest, session_config,
                                        rng, caplog):
    entry = manifest[entry_dir]
    prefix = str(TF1_CHECKPOINTS / entry["dir"] / entry["prefix"])
    graph = tf.Graph()
    with graph.as_default(), caplog.at_level(logging.WARNING,
                                             logger="tf1_dnn.checkpoints"):
        saver = tf.train.import_meta_graph(prefix + ".meta")
        assert isinstance(saver, checkpoints.Saver)
        variables = {v.op.name: v for v in tf.global_variables()}
        with tf.Session(graph=graph, config=session_config) as sess:
            saver.restore(sess, prefix)
            restored = sess.run(variables)
            feeds = _forward_feeds(graph, entry, rng)
            output = graph.get_tensor_by_name(entry["output_tensor"])
            out = sess.run(output, feeds)
            again = sess.run(output, feeds)
        if "forward_note" not in entry:
            # Same input, same output (the manifest notes the graphs whose
            # forward pass is random, e.g. dropout with a constant keep_prob).
            np.testing.assert_array_equal(out, again)
        for key in ("model_variables", "trainable_variables", "variables"):
            for item in tf.get_collection(key):
                # RefVariables, and ResourceVariables (TF 1.13 RNN cells).
                assert isinstance(item, tensorflow.Variable), (key, item)
    reader = tf.train.load_checkpoint(prefix)
    expected_names = {v[0] for v in entry["variables"]}
    assert set(reader.get_variable_to_shape_map()) == expected_names
    nan_vars = []
    for name in sorted(expected_names):
        value = reader.get_tensor(name)
        assert name in restored, f"{name} not restored"
        np.testing.assert_array_equal(restored[name], value)  # NaN == NaN here
        if value.dtype.kind == "f" and np.isnan(value).any():
            nan_vars.append(name)
    assert list(out.shape) == entry["forward_output_shape"]
    assert sorted(nan_vars) == sorted(
        entry.get("checkpoint_vars_containing_nan", []))
    # NaN output only where the checkpoint itself holds NaN.
    assert np.isfinite(out).all() == (not nan_vars)
    repairs = [r.getMessage() for r in caplog.records
               if r.name == "tf1_dnn.checkpoints"]
    stale = [r for r in repairs if "stale _output_shapes" in r]
    if entry["restores_in_tf221_plain_compat_v1"]:
        assert stale == []
    else:
        assert len(stale) == 1 and "FusedBatchNormGrad" in stale[0]
    collections = [r for r in repairs if "converted to VariableDefs" in r]
    # Variable collections TF 1.x stored as node names (contrib's
    # model_variables in TF 1.1), counted from the .meta file itself.
    expected = []
    collection_def = checkpoints.load_meta_graph_def(
        prefix + ".meta").collection_def
    for key in ("model_variables", "trainable_variables",
                "local_variables"):
        if key in collection_def and \
                collection_def[key].WhichOneof("kind") == "node_list":
            n = len(collection_def[key].node_list.value)
            expected.append(f"tf1_dnn: collection {key!r}: {n} variable(s) "
                            "stored as node names (TF 1.x) converted to "
                            "VariableDefs")
    assert collections == expected
    notices = [r for r in repairs if "NaN/Inf values as written" in r]
    if nan_vars:
        assert len(notices) == 1
        for name in nan_vars:
            assert f"{name} (" in notices[0]
    else:
        assert notices == []
    print(f"\n{entry['dir']}: TF {entry['tensorflow_version']}, "
          f"{len(restored)} vars, repairs={repairs or 'none'}, "
          f"NaN vars={nan_vars or 'none'}, out={out.shape}")


def test_contrib_bn_repair_touches_only_rejected_nodes(manifest):
    entry = manifest["martinjedwabny__HandsOnMLTensorflow__c11_bn_final.ckpt"]
    prefix = str(TF1_CHECKPOINTS / entry["dir"] / entry["prefix"])
    original = checkpoints.load_meta_graph_def(prefix + ".meta")
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="_output_shapes attribute "
                           "inconsistent with the GraphDef for output #3"):
            tf.compat.v1.import_graph_def(original.graph_def, name="")
    repaired, repairs = checkpoints.repair_meta_graph_def(original)
    before = {n.name: n for n in original.graph_def.node}
    changed = [n.name for n in repaired.graph_def.node
               if n != before[n.name]]
    # The manifest's minimal fix: the 12 FusedBatchNormGrad nodes with
    # is_training=False (gradients of the inference branch of the tf.cond).
    assert len(changed) == 12
    for name in changed:
        node = before[name]
        assert node.op == "FusedBatchNormGrad"
        assert node.attr["is_training"].b is False
        assert "_output_shapes" not in {
            n.name: n for n in repaired.graph_def.node}[name].attr
    assert len(repairs) == 1 and "12 node(s)" in repairs[0]
    # The input proto is untouched.
    assert all("_output_shapes" in before[n].attr for n in changed)


def test_plain_graph_needs_no_repair(manifest):
    entry = manifest["haerfest__handson-ml__my_model_final.ckpt"]
    prefix = str(TF1_CHECKPOINTS / entry["dir"] / entry["prefix"])
    original = checkpoints.load_meta_graph_def(prefix)
    repaired, repairs = checkpoints.repair_meta_graph_def(original)
    assert repairs == [] and repaired == original


def test_tf_train_namespace_routes_here():
    assert tf.train.import_meta_graph is checkpoints.import_meta_graph
    assert tf.train.Saver is checkpoints.Saver
    assert tf.train.latest_checkpoint is checkpoints.latest_checkpoint
    assert tf.train.get_checkpoint_state is checkpoints.get_checkpoint_state
    assert issubclass(checkpoints.Saver, tensorflow.compat.v1.train.Saver)


def test_resolve_checkpoint_accepts_prefix_dir_meta_index_data(manifest):
    entry = manifest["rdcwuyy__handson-ml__my_model_final.ckpt-86d878f"]
    d = TF1_CHECKPOINTS / entry["dir"]
    prefix = str(d / entry["prefix"])
    for path in (prefix, str(d), prefix + ".meta", prefix + ".index",
                 prefix + ".data-00000-of-00001"):
        assert checkpoints.resolve_checkpoint(path) == prefix


def test_latest_checkpoint_resolves_paths_of_another_machine(tmp_path,
                                                             caplog):
    src = TF1_CHECKPOINTS / "haerfest__handson-ml__my_model_final.ckpt"
    if not src.exists():
        pytest.skip(f"{src} is absent")
    for f in src.iterdir():
        shutil.copy(f, tmp_path)
    for written in ("/tmp/somebody/my_model_final.ckpt",
                    r"C:\Users\me\handson-ml\my_model_final.ckpt"):
        escaped = written.replace("\\", "\\\\")
        (tmp_path / "checkpoint").write_text(
            f'model_checkpoint_path: "{escaped}"\n'
            f'all_model_checkpoint_paths: "{escaped}"\n')
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="tf1_dnn.checkpoints"):
            got = checkpoints.latest_checkpoint(str(tmp_path))
        assert got == str(tmp_path / "my_model_final.ckpt")
        assert any(written in r.getMessage() and "same basename" in
                   r.getMessage() for r in caplog.records)
        # TF's own answer is an unusable path (the foreign one; the Windows
        # one joined to the directory) ...
        tf_answer = tensorflow.compat.v1.train.get_checkpoint_state(
            str(tmp_path)).model_checkpoint_path
        assert tf_answer.endswith(written)
        assert not (tmp_path / (tf_answer + ".index")).exists()
        assert tensorflow.compat.v1.train.latest_checkpoint(
            str(tmp_path)) is None
        # ... and the state file is not rewritten.
        assert escaped in (tmp_path / "checkpoint").read_text()
        state = checkpoints.get_checkpoint_state(str(tmp_path))
        assert list(state.all_model_checkpoint_paths) == [got]


def test_shared_state_file_with_tmp_path_entry(manifest):
    # quanuw's state file lists "/tmp/my_ch11_dnn_model.ckpt" among the old
    # checkpoints: left as written, since it exists nowhere.
    d = TF1_CHECKPOINTS / "quanuw__handson-ml__my_ch11_dnn_model-761bc7a"
    state = checkpoints.get_checkpoint_state(str(d))
    assert state.model_checkpoint_path == str(d / "my_ch11_dnn_model")
    assert "/tmp/my_ch11_dnn_model.ckpt" in state.all_model_checkpoint_paths
    assert checkpoints.latest_checkpoint(str(d)) == str(d / "my_ch11_dnn_model")


def test_saver_round_trip_in_tf1_namespace(tmp_path, graph, sess):
    v = tf.get_variable("w", initializer=tf.constant([[1.0, 2.0]]))
    sess.run(tf.global_variables_initializer())
    saver = tf.train.Saver()
    path = saver.save(sess, str(tmp_path / "model.ckpt"))
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    sess.run(v.assign([[5.0, 6.0]]))
    saver.restore(sess, str(tmp_path))  # a directory works too
    np.testing.assert_array_equal(sess.run(v), [[1.0, 2.0]])


def test_signatures_identical_to_tf1():
    import inspect
    v1 = tensorflow.compat.v1.train
    for name in ("import_meta_graph", "latest_checkpoint",
                 "get_checkpoint_state"):
        assert inspect.signature(getattr(checkpoints, name)) == \
            inspect.signature(getattr(v1, name)), name
    assert inspect.signature(checkpoints.Saver.restore) == \
        inspect.signature(v1.Saver.restore)
    assert inspect.signature(checkpoints.Saver.__init__) == \
        inspect.signature(v1.Saver.__init__)


def test_import_meta_graph_accepts_directory_and_proto(manifest,
                                                       session_config):
    entry = manifest["KKeishiro__hands-on-machine-learning__my_model_final."
                     "ckpt-f92c3e3"]
    d = TF1_CHECKPOINTS / entry["dir"]
    with tf.Graph().as_default() as g:
        saver = checkpoints.import_meta_graph(str(d))
        with tf.Session(config=session_config) as sess:
            saver.restore(sess, str(d))
            kernel = sess.run(g.get_tensor_by_name("dnn/hidden1/kernel:0"))
    proto = checkpoints.load_meta_graph_def(str(d))
    with tf.Graph().as_default():
        saver = checkpoints.import_meta_graph(proto, import_scope="old")
        with tf.Session(config=session_config) as sess:
            saver.restore(sess, str(d))
            np.testing.assert_array_equal(
                sess.run("old/dnn/hidden1/kernel:0"), kernel)


def test_repaired_contrib_bn_graph_runs_training_branch(manifest,
                                                        session_config, rng):
    """After the repair the graph is usable, not only loadable: with
    is_training=True contrib batch_norm uses batch statistics (the NaN
    moving statistics are not read), so the output is finite, and the
    training op -- through the repaired FusedBatchNormGrad nodes' graph --
    runs and changes the weights."""
    entry = manifest["martinjedwabny__HandsOnMLTensorflow__c11_bn_final.ckpt"]
    prefix = str(TF1_CHECKPOINTS / entry["dir"] / entry["prefix"])
    with tf.Graph().as_default() as g:
        saver = tf.train.import_meta_graph(prefix + ".meta")
        X = g.get_tensor_by_name("X:0")
        y = g.get_tensor_by_name("y:0")
        is_training = g.get_tensor_by_name("is_training:0")
        out = g.get_tensor_by_name(entry["output_tensor"])
        train_op = tf.get_collection("train_op")[0]
        w = g.get_tensor_by_name("hidden1/weights:0")
        with tf.Session(config=session_config) as sess:
            saver.restore(sess, prefix)
            X_value = rng.rand(8, 784).astype(np.float32)
            feed = {X: X_value, y: np.arange(8) % 10, is_training: True}
            assert np.isfinite(sess.run(out, feed)).all()
            w0 = sess.run(w)
            sess.run(train_op, feed)
            w1 = sess.run(w)
    assert np.isfinite(w1).all() and not np.array_equal(w0, w1)


def test_modules_change_nothing_global_and_work_in_plain_compat_v1(
        tf1_checkpoints_dir):
    """Importing the checkpoint modules leaves TF 2 behaviour on, and the
    loader works in a user's own `tf.compat.v1` graph code there too."""
    import subprocess
    import sys

    from tests.conftest import REPO
    prefix = str(tf1_checkpoints_dir /
                 "martinjedwabny__HandsOnMLTensorflow__c11_bn_final.ckpt" /
                 "c11_bn_final.ckpt")
    code = (
        "import tensorflow as t, numpy as np\n"
        "import tf1_dnn.checkpoints as C, tf1_dnn.namemap, tf1_dnn.reuse\n"
        "import tf1_dnn.pretraining, tf1_dnn.ckpt_cli\n"
        "print(t.executing_eagerly(), t.__internal__.tf2.enabled())\n"
        "with t.Graph().as_default():\n"
        f"    s = C.import_meta_graph({prefix!r} + '.meta')\n"
        "    with t.compat.v1.Session() as sess:\n"
        f"        s.restore(sess, {prefix!r})\n"
        "        v = sess.run('hidden1/weights:0')\n"
        f"print(np.array_equal(v, t.train.load_checkpoint({prefix!r})"
        ".get_tensor('hidden1/weights')), t.executing_eagerly())\n")
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split("\n")[:2] == ["True True", "True True"]
    assert "removed the stale _output_shapes attribute of 12 node(s)" in \
        out.stderr


def test_imported_saver_ignores_a_second_saver_in_the_same_scope(tmp_path):
    """The book's pattern: import_meta_graph, add layers, build tf.train.Saver(),
    then restore with the *imported* saver. TF 2.21 names the second saver's
    ops save/RestoreV2_1 in the same scope; only the imported saver's own
    variables may be checked and restored."""
    prefix = str(tmp_path / "m.ckpt")
    with tf.Graph().as_default():
        v = tf.Variable(1.5, name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            saver.save(sess, prefix)
    with tf.Graph().as_default() as g:
        imported = tf.train.import_meta_graph(prefix + ".meta")
        new_v = tf.Variable(2.0, name="new_v")
        second = tf.train.Saver()
        assert g.get_operation_by_name("save/RestoreV2_1")  # same scope
        assert set(checkpoints.saver_restore_targets(imported)) == {"v"}
        assert set(checkpoints.saver_restore_targets(second)) == {"v", "new_v"}
        with tf.Session() as sess:
            sess.run(new_v.initializer)
            imported.restore(sess, prefix)
            assert sess.run("v:0") == 1.5
            assert sess.run(new_v) == 2.0
            with pytest.raises(Exception, match="new_v"):
                second.restore(sess, prefix)
