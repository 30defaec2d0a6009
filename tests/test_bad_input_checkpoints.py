"""Damaged checkpoint files and interrupted saves (issue 10, part 3).

Each case ends in a named `CheckpointError` that names the file and the fix,
and leaves the user's files as they were (sha256 before/after).
"""

import glob
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tf1_dnn import checkpoints, errors, tf
from tests.conftest import REPO

HAERFEST = "haerfest__handson-ml__my_model_final.ckpt"


def _digests(folder):
    return {p: hashlib.sha256(open(p, "rb").read()).hexdigest()
            for p in sorted(glob.glob(os.path.join(str(folder), "*")))
            if os.path.isfile(p)}


def _save_small(folder, name="model.ckpt", values=(1.0, 2.0, 3.0)):
    """A 3-float checkpoint written by our Saver; returns its prefix."""
    with tf.Graph().as_default():
        v = tf.Variable(np.array(values, np.float32), name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            return saver.save(sess, os.path.join(str(folder), name))


def _restore_small(path):
    with tf.Graph().as_default():
        v = tf.Variable(np.zeros(3, np.float32), name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, path)
            return sess.run(v)


@pytest.fixture
def small(tmp_path):
    return _save_small(tmp_path)


def test_corrupt_index_names_file(small, tmp_path):
    with open(small + ".index", "r+b") as f:
        f.seek(-8, os.SEEK_END)
        f.write(b"\0" * 8)  # the sstable magic number lives at the end
    before = _digests(tmp_path)
    for call in (lambda: _restore_small(small),
                 lambda: checkpoints.read_checkpoint(small),
                 lambda: checkpoints.checkpoint_variables(small)):
        with pytest.raises(errors.CorruptCheckpointError) as info:
            call()
        msg = str(info.value)
        assert f"Checkpoint index {small + '.index'!r} is corrupt" in msg
        assert "Copy the .index file again" in msg
    assert _digests(tmp_path) == before


def test_empty_index(small, tmp_path):
    open(small + ".index", "wb").close()
    before = _digests(tmp_path)
    with pytest.raises(errors.CorruptCheckpointError,
                       match=r"is empty \(0 bytes\)"):
        _restore_small(small)
    assert _digests(tmp_path) == before


def test_corrupt_meta_names_file(tf1_checkpoints_dir, tmp_path):
    for f in (tf1_checkpoints_dir / HAERFEST).iterdir():
        shutil.copy(f, tmp_path)
    meta = tmp_path / "my_model_final.ckpt.meta"
    raw = meta.read_bytes()
    meta.write_bytes(raw[:len(raw) // 2] + b"\xff" * 64)
    before = _digests(tmp_path)
    with tf.Graph().as_default():
        with pytest.raises(errors.CorruptCheckpointError) as info:
            tf.train.import_meta_graph(str(meta))
    msg = str(info.value)
    assert str(meta) in msg and "is not a MetaGraphDef" in msg
    assert "Copy the .meta file again" in msg
    assert _digests(tmp_path) == before


def test_empty_meta_raises_instead_of_returning_none(small, tmp_path):
    open(small + ".meta", "wb").close()
    before = _digests(tmp_path)
    with tf.Graph().as_default():
        with pytest.raises(errors.CorruptCheckpointError,
                           match=r"model\.ckpt\.meta' is empty \(0 bytes\)"):
            tf.train.import_meta_graph(small + ".meta")
    assert _digests(tmp_path) == before


def test_meta_without_graph(small, tmp_path):
    open(small + ".meta", "wb").write(
        tf.MetaGraphDef().SerializeToString() + b"\x12\x00")
    with tf.Graph().as_default():
        with pytest.raises(errors.CorruptCheckpointError,
                           match="holds no graph"):
            tf.train.import_meta_graph(small + ".meta")


@pytest.mark.parametrize("content, fragment", [
    (b"", "is empty or has no model_checkpoint_path"),
    (b"model_checkpoint_path: {{{ garbage", "is not a checkpoint state"),
    (b"\x00\xff\xfe\x12", "cannot be read"),
])
def test_bad_state_file(small, tmp_path, content, fragment):
    (tmp_path / "checkpoint").write_bytes(content)
    before = _digests(tmp_path)
    for call in (lambda: tf.train.latest_checkpoint(str(tmp_path)),
                 lambda: checkpoints.resolve_checkpoint(str(tmp_path)),
                 lambda: _restore_small(str(tmp_path))):
        with pytest.raises(errors.CorruptCheckpointError) as info:
            call()
        msg = str(info.value)
        assert fragment in msg
        assert str(tmp_path / "checkpoint") in msg
        assert "['model.ckpt']" in msg  # what the directory holds
        assert 'model_checkpoint_path: "model.ckpt"' in msg  # the fix
    assert _digests(tmp_path) == before
    # The prefix itself still works.
    np.testing.assert_array_equal(_restore_small(small), [1.0, 2.0, 3.0])


def test_truncated_data_of_small_checkpoint(small, tmp_path):
    data = small + ".data-00000-of-00001"
    open(data, "r+b").truncate(4)
    before = _digests(tmp_path)
    with pytest.raises(errors.CorruptCheckpointError,
                       match="truncated or corrupt"):
        _restore_small(small)
    assert _digests(tmp_path) == before


# -- Saver.save --------------------------------------------------------------

def _files(folder):
    return sorted(os.listdir(str(folder)))


def test_save_sequence_matches_stock_saver(tmp_path):
    """File names, state file and max_to_keep behave as TF 1.x's Saver."""
    from tf1_dnn._compat import v1
    results = []
    for kind in ("stock", "ours"):
        folder = tmp_path / kind
        folder.mkdir()
        cls = v1.train.Saver if kind == "stock" else checkpoints.Saver
        assert (cls is checkpoints.Saver) == (kind == "ours")
        with tf.Graph().as_default():
            tf.Variable([1.0], name="v")
            step = tf.train.get_or_create_global_step()
            saver = cls(max_to_keep=2)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                paths = [saver.save(sess, str(folder / "m.ckpt"),
                                    global_step=i) for i in range(4)]
                paths += [saver.save(sess, str(folder / "same.ckpt"))
                          for _ in range(2)]
                paths.append(saver.save(sess, str(folder / "g"),
                                        global_step=step))
                paths.append(saver.save(sess, str(folder / "nostate"),
                                        write_state=False,
                                        write_meta_graph=False))
        state = (folder / "checkpoint").read_text().replace(str(folder), "D")
        results.append(([os.path.basename(p) for p in paths], _files(folder),
                         state, saver.last_checkpoints[-1].replace(
                             str(folder), "D")))
    assert results[0] == results[1]
    assert "m.ckpt-0.index" not in results[1][1]  # max_to_keep=2 deleted it


def test_save_to_missing_folder_creates_it_as_stock_tf(tmp_path, graph,
                                                       sess):
    v = tf.Variable([1.0], name="v")
    sess.run(v.initializer)
    path = str(tmp_path / "new folder" / "sub" / "m.ckpt")
    assert checkpoints.Saver().save(sess, path) == path
    assert _files(tmp_path / "new folder" / "sub") == [
        "checkpoint", "m.ckpt.data-00000-of-00001", "m.ckpt.index",
        "m.ckpt.meta"]


def test_save_where_a_folder_cannot_be_created(tmp_path, graph, sess):
    v = tf.Variable([1.0], name="v")
    sess.run(v.initializer)
    (tmp_path / "a file").write_text("mine")
    before = _digests(tmp_path)
    with pytest.raises(errors.OutputError,
                       match="Cannot create the folder .*a file/sub"):
        checkpoints.Saver().save(sess, str(tmp_path / "a file" / "sub" / "m"))
    assert _digests(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_save_into_read_only_folder_keeps_previous(tmp_path, graph, sess):
    v = tf.Variable([1.0], name="v")
    sess.run(v.initializer)
    saver = checkpoints.Saver()
    saver.save(sess, str(tmp_path / "m.ckpt"))
    before = _digests(tmp_path)
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(errors.OutputError,
                           match="previous checkpoint and the state file are "
                           "unchanged"):
            saver.save(sess, str(tmp_path / "m.ckpt"))
    finally:
        os.chmod(tmp_path, 0o755)
    assert _digests(tmp_path) == before


def test_save_on_a_full_disk_keeps_previous(tmp_path, graph, sess,
                                             monkeypatch):
    import errno
    v = tf.Variable([1.0], name="v")
    sess.run(v.initializer)
    saver = checkpoints.Saver()
    saver.save(sess, str(tmp_path / "m.ckpt"))
    before = _digests(tmp_path)
    sess.run(v.assign([2.0]))

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoints.os, "replace", full)
    for path in (tmp_path / "m.ckpt", tmp_path / "other.ckpt"):
        with pytest.raises(errors.OutputError,
                           match="No space left on device.*unchanged"):
            saver.save(sess, str(path))
    monkeypatch.undo()
    assert _digests(tmp_path) == before
    assert [f for f in _files(tmp_path) if "tf1dnn-tmp" in f] == []
    with tf.Graph().as_default():
        w = tf.Variable([0.0], name="v")
        with tf.Session() as s2:
            checkpoints.Saver().restore(s2, str(tmp_path))
            assert s2.run(w) == [1.0]


def test_leftovers_of_a_killed_save_are_cleaned(tmp_path, graph, sess):
    v = tf.Variable([1.0], name="v")
    sess.run(v.initializer)
    dead = subprocess.run([sys.executable, "-c", "import os; "
                           "print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    junk = [f"m.ckpt.tf1dnn-tmp-{dead}-00ff00ff.index",
            f"m.ckpt.tf1dnn-tmp-{dead}-00ff00ff.data-00000-of-00001"
            ".tempstate123", f".checkpoint.tf1dnn-tmp-{dead}-00aa00aa"]
    for name in junk:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "user notes.txt").write_text("mine")
    checkpoints.Saver().save(sess, str(tmp_path / "m.ckpt"))
    assert _files(tmp_path) == ["checkpoint", "m.ckpt.data-00000-of-00001",
                                "m.ckpt.index", "m.ckpt.meta",
                                "user notes.txt"]


_CHILD = r"""
import os, sys
import numpy as np
from tf1_dnn import tf
with tf.Graph().as_default():
    v = tf.Variable(np.zeros(20000, np.float32), name="v")
    value = tf.placeholder(tf.float32, [20000])
    assign = tf.assign(v, value)
    saver = tf.train.Saver(max_to_keep=2, save_relative_paths=True)
    with tf.Session() as sess:
        for i in range(1, 100000):
            sess.run(assign, {value: np.full(20000, i, np.float32)})
            # The same prefix again and again, and one prefix per step.
            saver.save(sess, os.path.join(sys.argv[1], "same", "model.ckpt"))
            saver.save(sess, os.path.join(sys.argv[1], "step", "model.ckpt"),
                       global_step=i)
            if i == 1:
                print("ready", flush=True)
"""


def _check_snapshot(folder):
    prefix = tf.train.latest_checkpoint(str(folder))
    assert prefix is not None, _files(folder)
    values = checkpoints.read_checkpoint(prefix)["v"]
    assert values[0] >= 1 and np.all(values == values[0]), (
        "mixed values: not one complete save", _files(folder))
    assert os.path.isfile(prefix + ".meta")
    return int(values[0])


def _wait_stopped(pid):
    """SIGSTOP is delivered asynchronously: wait until every thread of `pid`
    is stopped (state T in /proc)."""
    deadline = time.time() + 10
    while time.time() < deadline:
        states = []
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/stat") as f:
                    states.append(f.read().rsplit(")", 1)[1].split()[0])
            except FileNotFoundError:
                continue
        if states and all(s in "tT" for s in states):
            return
        time.sleep(0.001)
    raise AssertionError("the saving process did not stop")


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"),
                    reason="needs /proc to see that a process is stopped")
def test_kill_during_save_leaves_a_restorable_checkpoint(tmp_path):
    """A process saving in a loop is frozen (SIGSTOP) at random moments and
    its folders copied -- exactly what a kill at that moment leaves -- then
    SIGKILLed. Every copy, and the folders after the kill, hold a state file
    naming a complete checkpoint with the values of one save: saving to the
    same prefix each time, and to one prefix per step with max_to_keep=2."""
    work = tmp_path / "work"
    for mode in ("same", "step"):
        (work / mode).mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="3")
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(work)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env=env, text=True)
    seen = {"same": [], "step": []}
    caught = 0
    try:
        assert child.stdout.readline().strip() == "ready"
        rnd = random.Random(1234)
        for k in range(12):
            time.sleep(rnd.uniform(0.0, 0.08))
            child.send_signal(signal.SIGSTOP)
            _wait_stopped(child.pid)
            snapshot = tmp_path / f"snap{k}"
            shutil.copytree(work, snapshot)
            child.send_signal(signal.SIGCONT)
            for mode in seen:
                seen[mode].append(_check_snapshot(snapshot / mode))
                caught += any("tf1dnn-tmp" in f
                              for f in _files(snapshot / mode))
        print(f"{caught} of 24 copies caught a save in progress")
        time.sleep(rnd.uniform(0.0, 0.05))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        for mode in seen:
            seen[mode].append(_check_snapshot(work / mode))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    for mode, values in seen.items():
        # Saves only move forward (no assertion on how far: no timing).
        assert values[0] >= 1 and values == sorted(values), (mode, values)
    # The next save (another process: this one) cleans the leftovers.
    with tf.Graph().as_default():
        v = tf.Variable(np.zeros(20000, np.float32), name="v")
        with tf.Session() as sess:
            sess.run(v.initializer)
            for mode in seen:
                checkpoints.Saver(save_relative_paths=True).save(
                    sess, str(work / mode / "model.ckpt"))
                assert not [f for f in _files(work / mode)
                            if "tempstate" in f or "tf1dnn-tmp" in f], \
                    _files(work / mode)


@pytest.mark.parametrize("path, error, fragment", [
    ("", errors.InputError, "save_path is empty"),
    (5, errors.InputTypeError, "save_path must be a path"),
])
def test_save_with_a_bad_path(graph, sess, path, error, fragment):
    v = tf.Variable([1.0], name="v")
    sess.run(v.initializer)
    with pytest.raises(error, match=fragment):
        checkpoints.Saver().save(sess, path)


def test_name_map_and_graph_name_errors(graph):
    from tf1_dnn import namemap, reuse
    tf.placeholder(tf.float32, (None, 2), name="X")
    with pytest.raises(errors.InputTypeError, match="A name map must be"):
        namemap.parse_rules(5)
    with pytest.raises(errors.InputTypeError, match="A name map must be"):
        namemap.parse_rules("weights=kernel")  # a bare string, not a list
    with pytest.raises(errors.GraphNameError,
                       match="no tensor or operation 'nope'"):
        reuse.get_tensor("nope")
    with pytest.raises(errors.InputError, match="'X:0'"):
        reuse.get_tensor("X")  # an op name: the fix is the index
    with pytest.raises(errors.InputTypeError, match="must be a string"):
        reuse.get_tensor(5)
