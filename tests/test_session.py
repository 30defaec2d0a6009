"""tf1_dnn.session: a drop-in tf.compat.v1.Session with a cached fast `run`.

Every test runs the same calls through the stock `tf.compat.v1.Session` and
through ours and compares results (values, types, structure) and errors;
`fast_run_stats` proves the fast path was really taken where it should be.
"""

import collections

import numpy as np
import pytest

from tf1_dnn import tf
from tf1_dnn import session as session_mod
from tf1_dnn._compat import v1

Session = session_mod.Session
Pair = collections.namedtuple("Pair", "a b")



def test_fast_path_available_on_this_tensorflow():
    # TF 2.21 has every private member the fast path needs; if a future TF
    # drops one, this fails first (and every run takes the stock path).
    assert session_mod.FAST_RUN_AVAILABLE


def _graph():
    g = tf.Graph()
    with g.as_default():
        X = tf.placeholder(tf.float32, shape=(None, 3), name="X")
        s = tf.placeholder_with_default(np.float32(2.0), shape=(), name="s")
        flag = tf.placeholder_with_default(False, shape=(), name="flag")
        w = tf.get_variable("w", initializer=np.arange(3, dtype=np.float32))
        y = tf.identity(tf.reduce_sum(X * w, axis=1) * s, name="y")
        z = tf.cond(flag, lambda: y * 10.0, lambda: y, name="z")
        counter = tf.get_variable("counter", initializer=0,
                                  use_resource=False)
        incr = tf.assign_add(counter, 1, name="incr")
        init = tf.global_variables_initializer()
    return g, dict(X=X, s=s, flag=flag, w=w, y=y, z=z, counter=counter,
                   incr=incr, init=init)


def _both(calls, config=None):
    """Runs calls(sess, t) under a stock and a tf1_dnn session."""
    out = []
    for cls in (v1.Session, Session):
        g, t = _graph()
        with cls(graph=g, config=config) as sess:
            sess.run(t["init"])
            out.append((calls(sess, t), sess))
    return out


def _assert_same(a, b):
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


XB = np.array([[1, 2, 3], [4, 5, 6]], np.float32)


@pytest.mark.parametrize("fetch", [
    lambda t: t["y"],
    lambda t: [t["y"], t["w"]],
    lambda t: (t["y"], [t["incr"], t["y"]]),
    lambda t: {"y": t["y"], "nested": {"w": t["w"], "op": t["incr"].op}},
    lambda t: collections.OrderedDict([("b", t["y"]), ("a", t["w"])]),
    lambda t: Pair(a=t["y"], b=[t["w"]]),
    lambda t: "y:0",
    lambda t: ["y:0", "incr"],
    lambda t: t["incr"].op,
    lambda t: [t["incr"].op],
    lambda t: t["w"],               # a Variable
    lambda t: [],
    lambda t: {},
], ids=["tensor", "list", "tuple", "dict", "ordereddict", "namedtuple",
        "name", "names", "op", "op-list", "variable", "empty-list",
        "empty-dict"])
def test_fetch_structures_match_stock_session(fetch):
    def calls(sess, t):
        return [sess.run(fetch(t), feed_dict={t["X"]: XB})
                for _ in range(4)]
    (stock, _), (ours, sess) = _both(calls)
    _assert_same(stock, ours)
    fast, _ = sess.fast_run_stats()
    assert fast >= 2          # calls 2-4 took the fast path


def test_defaultdict_fetch_keeps_its_factory():
    def calls(sess, t):
        fetch = collections.defaultdict(list, {"y": t["y"]})
        return [sess.run(fetch, feed_dict={t["X"]: XB}) for _ in range(3)]
    (stock, _), (ours, _) = _both(calls)
    for a, b in zip(stock, ours):
        assert isinstance(b, collections.defaultdict)
        assert b.default_factory is list and a.default_factory is list
        np.testing.assert_array_equal(a["y"], b["y"])


@pytest.mark.parametrize("feeds", [
    lambda t: {t["X"]: XB},
    lambda t: {t["X"]: XB, t["s"]: 0.5},                 # Python float
    lambda t: {t["X"]: XB, t["s"]: np.float32(3)},       # numpy scalar
    lambda t: {t["X"]: XB, t["flag"]: True},             # Python bool
    lambda t: {t["X"]: XB.astype(np.float64)},           # converted: stock
    lambda t: {t["X"]: XB.tolist()},                     # list: stock
    lambda t: {"X:0": XB},                               # name key: stock
    lambda t: {t["X"]: XB, t["s"]: 4},                   # int: stock
    lambda t: {t["X"]: XB, t["y"]: np.ones(2, np.float32)},  # fed fetch
], ids=["array", "float", "np-scalar", "bool", "float64", "list", "name-key",
        "int", "fed-fetch"])
def test_feed_forms_match_stock_session(feeds):
    def calls(sess, t):
        return [sess.run([t["z"], t["y"]], feed_dict=feeds(t))
                for _ in range(3)]
    (stock, _), (ours, _) = _both(calls)
    _assert_same(stock, ours)


def test_stock_path_for_conversions_fast_path_for_plain_arrays():
    g, t = _graph()
    with Session(graph=g) as sess:
        sess.run(t["init"])
        for _ in range(5):
            sess.run(t["y"], feed_dict={t["X"]: XB.tolist()})
        assert sess.fast_run_stats()[0] == 0
        for _ in range(5):
            sess.run(t["y"], feed_dict={t["X"]: XB})
        # The signature (fetch y, feed X) was already cached by the list
        # calls (whose values then missed): all five array calls are fast.
        assert sess.fast_run_stats() == (5, 6)   # stock: init + 5 lists


def test_stateful_op_runs_exactly_once_per_call():
    def calls(sess, t):
        for _ in range(7):
            sess.run(t["incr"])
        return sess.run(t["counter"])
    (stock, _), (ours, _) = _both(calls)
    assert stock == ours == 7


@pytest.mark.parametrize("bad", [
    lambda t: ({t["X"]: np.ones((2, 4), np.float32)}, ValueError,
               "Cannot feed value of shape"),
    lambda t: ({t["X"]: tf.constant(XB)}, TypeError,
               "The value of a feed cannot be a tf.Tensor"),
    lambda t: ({t["X"]: XB, t["s"]: 2 ** 40}, None, None),
], ids=["shape", "tensor-value", "big-int"])
def test_errors_are_the_stock_ones(bad):
    for cls in (v1.Session, Session):
        g, t = _graph()
        with cls(graph=g) as sess:
            sess.run(t["init"])
            for _ in range(3):
                sess.run(t["y"], feed_dict={t["X"]: XB})   # warm the cache
            with g.as_default():
                feed, exc, msg = bad(t)
            if exc is None:
                # float32 placeholder and a big Python int: stock converts.
                np.testing.assert_allclose(
                    sess.run(t["y"], feed_dict=feed), [8 * 2.0 ** 40,
                                                       17 * 2.0 ** 40],
                    rtol=1e-6)
                continue
            with pytest.raises(exc, match=msg):
                sess.run(t["y"], feed_dict=feed)


def test_runtime_error_same_type_and_node():
    for cls in (v1.Session, Session):
        g = tf.Graph()
        with g.as_default():
            X = tf.placeholder(tf.float32, shape=(None,), name="X")
            checked = tf.debugging.check_numerics(X, "bad value", name="chk")
        with cls(graph=g) as sess:
            for _ in range(3):
                sess.run(checked, feed_dict={X: np.ones(2, np.float32)})
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(checked, feed_dict={X: np.array([np.nan],
                                                         np.float32)})
            assert info.value.op is not None and info.value.op.name == "chk"


def test_none_fetch_and_missing_feed_raise_like_stock():
    for cls in (v1.Session, Session):
        g, t = _graph()
        with cls(graph=g) as sess:
            sess.run(t["init"])
            with pytest.raises(TypeError, match="has invalid type"):
                sess.run(None)
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="placeholder"):
                sess.run(t["y"])


def test_run_options_and_metadata_use_stock_path():
    g, t = _graph()
    with Session(graph=g) as sess:
        sess.run(t["init"])
        meta = tf.RunMetadata()
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        for _ in range(3):
            out = sess.run(t["y"], feed_dict={t["X"]: XB}, options=opts,
                           run_metadata=meta)
        np.testing.assert_array_equal(out, [16.0, 34.0])
        assert len(meta.step_stats.dev_stats) > 0
        assert sess.fast_run_stats()[0] == 0


def test_eval_and_op_run_use_default_session():
    g, t = _graph()
    with g.as_default(), Session() as sess:
        t["init"].run()
        for _ in range(3):
            t["incr"].op.run()
        vals = [t["y"].eval(feed_dict={t["X"]: XB}) for _ in range(3)]
        assert t["counter"].eval() == 3
        for v in vals:
            np.testing.assert_array_equal(v, [16.0, 34.0])
        assert sess.fast_run_stats()[0] >= 2
        assert tf.get_default_session() is sess


def test_interactive_session_installs_itself_and_closes():
    g, t = _graph()
    with g.as_default():
        sess = session_mod.InteractiveSession()
        try:
            assert isinstance(sess, v1.InteractiveSession)
            assert tf.get_default_session() is sess
            t["init"].run()
            for _ in range(3):
                np.testing.assert_array_equal(
                    t["y"].eval(feed_dict={t["X"]: XB}), [16.0, 34.0])
            assert sess.fast_run_stats()[0] >= 1
        finally:
            sess.close()
        with pytest.raises(RuntimeError, match="closed Session"):
            sess.run(t["y"], feed_dict={t["X"]: XB})


def test_closed_session_raises_like_stock():
    g, t = _graph()
    sess = Session(graph=g)
    sess.run(t["init"])
    for _ in range(3):
        sess.run(t["y"], feed_dict={t["X"]: XB})
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
        sess.run(t["y"], feed_dict={t["X"]: XB})


def test_graph_growth_clears_cache_and_new_ops_work():
    g, t = _graph()
    with Session(graph=g) as sess:
        sess.run(t["init"])
        for _ in range(3):
            sess.run(t["y"], feed_dict={t["X"]: XB})
        assert len(sess._fast_cache) == 1
        with g.as_default():
            doubled = t["y"] * 2.0
        assert sess.run(doubled, feed_dict={t["X"]: XB}).tolist() == [32, 68]
        assert len(sess._fast_cache) == 0
        g.finalize()
        for _ in range(3):
            out = sess.run(doubled, feed_dict={t["X"]: XB})
        assert out.tolist() == [32.0, 68.0]
        assert len(sess._fast_cache) == 1


def test_other_graph_tensor_raises_like_stock():
    g, t = _graph()
    other, u = _graph()
    for cls in (v1.Session, Session):
        with cls(graph=g) as sess:
            sess.run(t["init"])
            with pytest.raises((TypeError, ValueError)):
                sess.run(u["y"], feed_dict={t["X"]: XB})


def test_is_a_tf_session():
    g, _ = _graph()
    with Session(graph=g) as sess:
        assert isinstance(sess, v1.Session)
        assert sess.graph is g


def test_small_model_config_depends_on_model_size():
    small, big = tf.Graph(), tf.Graph()
    with small.as_default():
        tf.get_variable("w", shape=[784, 300])
        tf.get_variable("frozen_big", shape=[2000, 2000], trainable=False)
    with big.as_default():
        tf.get_variable("w", shape=[1000, 1001])
    cfg = session_mod.small_model_config(small)
    assert cfg.intra_op_parallelism_threads == 1
    assert cfg.inter_op_parallelism_threads == 0
    assert session_mod.small_model_config(
        big).intra_op_parallelism_threads == 0


def test_config_is_stock_plus_no_spinning_and_callers_config_untouched(
        monkeypatch):
    monkeypatch.setattr(session_mod.os, "cpu_count", lambda: 2)
    g, _ = _graph()
    with Session(graph=g) as sess, v1.Session(graph=g) as stock:
        assert sess._config.experimental.disable_thread_spinning is True
        assert stock._config.experimental.disable_thread_spinning is False
        expected = tf.ConfigProto()
        expected.CopyFrom(stock._config)
        expected.experimental.disable_thread_spinning = True
        assert sess._config == expected          # the only difference
        assert sess._config.intra_op_parallelism_threads == 0
        assert sess._config.inter_op_parallelism_threads == 0
    mine = tf.ConfigProto(intra_op_parallelism_threads=3,
                          log_device_placement=False,
                          allow_soft_placement=True)
    before = mine.SerializeToString()
    with Session(graph=g, config=mine) as sess:
        assert sess._config is not mine
        assert mine.SerializeToString() == before          # not modified
        assert mine.experimental.disable_thread_spinning is False
        assert sess._config.intra_op_parallelism_threads == 3
        assert sess._config.allow_soft_placement is True
        assert sess._config.experimental.disable_thread_spinning is True
    # One intra-op thread: spinning kept (sleeping did not pay there).
    small = session_mod.small_model_config(g)
    assert small.intra_op_parallelism_threads == 1
    assert small.experimental.disable_thread_spinning is False
    one = tf.ConfigProto(intra_op_parallelism_threads=1)
    assert session_mod.session_config(one) == one
    assert session_mod.session_config(one) is not one


def test_default_threads_spin_only_on_one_cpu(monkeypatch):
    zero = tf.ConfigProto()                       # 0 = one thread per CPU
    monkeypatch.setattr(session_mod.os, "cpu_count", lambda: 1)
    assert session_mod.session_config(
        zero).experimental.disable_thread_spinning is False
    monkeypatch.setattr(session_mod.os, "cpu_count", lambda: 2)
    assert session_mod.session_config(
        zero).experimental.disable_thread_spinning is True


def test_thread_spinning_opt_out(monkeypatch):
    monkeypatch.setattr(session_mod, "DISABLE_THREAD_SPINNING", False)
    g, _ = _graph()
    with Session(graph=g) as sess, v1.Session(graph=g) as stock:
        assert sess._config == stock._config
        assert sess._config.experimental.disable_thread_spinning is False


def test_bad_config_type_raises_the_stock_error():
    g, _ = _graph()
    errors = []
    for cls in (v1.Session, Session):
        with pytest.raises(TypeError) as info:
            cls(graph=g, config={"intra_op_parallelism_threads": 1})
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert "ConfigProto" in errors[0]


_SPIN_SCRIPT = r"""
import hashlib, sys
import numpy as np
from tf1_dnn import tf
from tf1_dnn._compat import v1
cls = v1.Session if sys.argv[1] == "stock" else tf.Session
rng = np.random.RandomState(0)
X_all = rng.rand(2000, 784).astype(np.float32)
y_all = rng.randint(0, 10, size=2000).astype(np.int32)
g = tf.Graph()
with g.as_default():
    tf.set_random_seed(42)
    X = tf.placeholder(tf.float32, shape=(None, 784))
    y = tf.placeholder(tf.int32, shape=(None))
    h = tf.layers.dense(X, 300, activation=tf.nn.relu, name="hidden1")
    h = tf.layers.dense(h, 100, activation=tf.nn.relu, name="hidden2")
    logits = tf.layers.dense(h, 10, name="outputs")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=logits))
    training_op = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    init = tf.global_variables_initializer()
np.random.seed(1)
with cls(graph=g) as sess:                     # TensorFlow's thread counts
    init.run()
    for idx in np.array_split(np.random.permutation(2000), 40):
        sess.run(training_op, feed_dict={X: X_all[idx], y: y_all[idx]})
    values = sess.run(g.get_collection("variables"))
print(hashlib.sha256(b"".join(v.tobytes() for v in values)).hexdigest())
"""


def test_no_spinning_default_is_bit_identical_to_stock_threads():
    """Fresh processes (TF's pools are per process): stock spinning session
    vs our session, default thread counts -> the same bytes."""
    from tests.conftest import run_python
    digests = [run_python(_SPIN_SCRIPT.replace("sys.argv[1]", repr(kind)))
               .stdout.strip() for kind in ("stock", "ours")]
    assert len(digests[0]) == 64
    assert digests[0] == digests[1]


def test_training_loop_bit_identical_to_stock(session_config):
    """Same seed, same batches: identical weights after a legacy SGD loop."""
    rng = np.random.RandomState(0)
    X_all = rng.rand(600, 20).astype(np.float32)
    y_all = (X_all[:, :3].sum(axis=1) > 1.5).astype(np.int32)
    finals = []
    for cls in (v1.Session, Session):
        g = tf.Graph()
        with g.as_default():
            tf.set_random_seed(7)
            X = tf.placeholder(tf.float32, shape=(None, 20), name="X")
            y = tf.placeholder(tf.int32, shape=(None), name="y")
            training = tf.placeholder_with_default(False, shape=())
            h = tf.layers.dense(X, 16, name="hidden1")
            h = tf.nn.elu(tf.layers.batch_normalization(
                h, training=training, momentum=0.9))
            logits = tf.layers.dense(h, 2, name="outputs")
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=y, logits=logits))
            training_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            init = tf.global_variables_initializer()
        np.random.seed(3)
        with cls(graph=g, config=session_config) as sess:
            init.run()
            for epoch in range(3):
                for idx in np.array_split(np.random.permutation(600), 12):
                    sess.run([training_op, extra_update_ops],
                             feed_dict={training: True, X: X_all[idx],
                                        y: y_all[idx]})
            finals.append(sess.run(g.get_collection("variables")))
    for a, b in zip(*finals):
        np.testing.assert_array_equal(a, b)


def test_tf_namespace_session_is_ours_and_with_block_works():
    assert tf.Session is Session
    assert tf.InteractiveSession is session_mod.InteractiveSession
    assert tf.compat.v1.Session is Session
    g, t = _graph()
    with g.as_default():
        with tf.Session() as sess:          # the chapter's idiom
            assert tf.get_default_session() is sess
            t["init"].run()
            for _ in range(3):
                out = sess.run(t["y"], feed_dict={t["X"]: XB})
            np.testing.assert_array_equal(out, [16.0, 34.0])
        assert sess._closed
    assert tf.get_default_session() is None


def test_saver_round_trip_between_stock_and_ours(tmp_path):
    g, t = _graph()
    with g.as_default():
        saver = tf.train.Saver()
    with Session(graph=g) as sess:
        sess.run(t["init"])
        for _ in range(4):
            sess.run(t["incr"])
        path = saver.save(sess, str(tmp_path / "model.ckpt"))
    with v1.Session(graph=g) as stock:
        saver.restore(stock, path)
        assert stock.run(t["counter"]) == 4
        for _ in range(2):
            stock.run(t["incr"])
        path2 = saver.save(stock, str(tmp_path / "model2.ckpt"))
    with Session(graph=g) as sess:
        saver.restore(sess, path2)
        assert sess.run(t["counter"]) == 6


def test_monitored_training_session_gets_no_spinning_config(monkeypatch):
    monkeypatch.setattr(session_mod.os, "cpu_count", lambda: 2)
    seen = []

    def fake(master="", is_chief=True, checkpoint_dir=None, scaffold=None,
             hooks=None, chief_only_hooks=None, save_checkpoint_secs=None,
             save_summaries_steps=None, save_summaries_secs=None,
             config=None, **rest):
        seen.append((checkpoint_dir, config))
        return "session"
    monkeypatch.setattr(v1.train, "MonitoredTrainingSession", fake)
    mine = tf.ConfigProto(intra_op_parallelism_threads=2)
    before = mine.SerializeToString()
    assert tf.train.MonitoredTrainingSession(
        checkpoint_dir="ck", config=mine) == "session"
    # positional config (10th argument) too
    tf.train.MonitoredTrainingSession("", True, None, None, None, None,
                                      None, None, None, mine)
    tf.train.MonitoredTrainingSession()
    assert mine.SerializeToString() == before
    assert seen[0][0] == "ck"
    for _, config in seen:
        assert config.experimental.disable_thread_spinning is True
    assert seen[0][1].intra_op_parallelism_threads == 2
    assert seen[1][1].intra_op_parallelism_threads == 2


def test_monitored_training_session_runs(graph, tmp_path):
    step = tf.train.get_or_create_global_step()
    inc = tf.assign_add(step, 1)
    with tf.train.MonitoredTrainingSession(
            checkpoint_dir=str(tmp_path), save_summaries_steps=None,
            save_summaries_secs=None, save_checkpoint_secs=None,
            save_checkpoint_steps=None, log_step_count_steps=0,
            hooks=[tf.train.StopAtStepHook(last_step=3)]) as mon:
        values = []
        while not mon.should_stop():
            values.append(int(mon.run(inc)))
    assert values == [1, 2, 3]


# ------------------------------------------------- private API mismatches --
# The fast path relies on private members of TensorFlow's session module.
# Whatever changes there, `sess.run` must give the stock results, never an
# error of ours.

def _training_calls(sess, t):
    """A few steps that change state: the counter proves each ran once."""
    out = []
    for k in range(5):
        out.append(sess.run([t["y"], t["incr"]], {t["X"]: XB + k}))
        out.append(sess.run(t["z"], feed_dict={t["X"]: XB, t["flag"]: True}))
    out.append(sess.run(t["counter"]))
    return out


def _stock_then_ours():
    (stock, _), (ours, sess) = _both(_training_calls)
    _assert_same(stock, ours)
    assert ours[-1] == 5              # 5 increments: no step ran twice
    return sess


def test_private_api_check_matches_this_tensorflow():
    assert session_mod.private_api_mismatch() is None
    assert session_mod.FAST_RUN_MISMATCH is None
    sess = _stock_then_ours()
    assert sess.fast_run_stats()[0] > 0     # the fast path was used


def test_missing_private_member_means_stock_run(monkeypatch):
    base = next(c for c in v1.Session.__mro__
                if "_extend_graph" in c.__dict__)
    member = base.__dict__["_extend_graph"]
    # What the import-time check says on a TensorFlow without the member.
    delattr(base, "_extend_graph")
    try:
        mismatch = session_mod.private_api_mismatch()
    finally:
        setattr(base, "_extend_graph", member)
    assert mismatch == "Session._extend_graph is missing"
    module = type("FakeSessionModule", (), {})     # no _FetchHandler at all
    assert session_mod.private_api_mismatch(v1.Session, module) == \
        "_FetchHandler.__init__ is missing"
    monkeypatch.setattr(session_mod, "FAST_RUN_AVAILABLE", mismatch is None)
    sess = _stock_then_ours()
    assert sess.fast_run_stats() == (0, 12)     # init + 11 calls


def test_changed_private_signature_means_stock_run(monkeypatch):
    original = v1.Session._call_tf_sessionrun

    def changed(self, options, feed_dict, fetch_list, target_list,
                run_metadata, step_id=None):   # a new parameter
        return original(self, options, feed_dict, fetch_list, target_list,
                        run_metadata)

    monkeypatch.setattr(v1.Session, "_call_tf_sessionrun", changed)
    mismatch = session_mod.private_api_mismatch()
    assert mismatch.startswith("Session._call_tf_sessionrun(self, options, "
                               "feed_dict, fetch_list, target_list, "
                               "run_metadata, step_id=) is not")
    monkeypatch.setattr(session_mod, "FAST_RUN_AVAILABLE", mismatch is None)
    sess = _stock_then_ours()
    assert sess.fast_run_stats() == (0, 12)     # init + 11 calls


def test_private_member_failing_at_run_time_means_stock_run(monkeypatch):
    # Same signature, different behaviour: it rejects the fast path's call
    # (as a TensorFlow whose C entry point changed would) before running.
    import sys
    original = v1.Session._call_tf_sessionrun
    rejected = []

    def picky(self, options, feed_dict, fetch_list, target_list,
              run_metadata):
        if sys._getframe(1).f_globals["__name__"] == session_mod.__name__:
            rejected.append(1)
            raise TypeError("incompatible function arguments")
        return original(self, options, feed_dict, fetch_list, target_list,
                        run_metadata)

    monkeypatch.setattr(v1.Session, "_call_tf_sessionrun", picky)
    assert session_mod.private_api_mismatch() is None
    sess = _stock_then_ours()
    assert rejected == [1]               # tried once, then off for the session
    assert sess.fast_run_stats() == (0, 12)     # init + 11 calls
    assert sess._fast_off == "TypeError: incompatible function arguments"


def test_result_builder_is_dry_run_before_a_signature_goes_fast(monkeypatch):
    # A fetch handler whose build_results breaks: found when the entry is
    # built, so that signature takes the stock path; no step runs twice.
    handler = session_mod._fetch_handler_class(None)

    class Broken(handler):
        def build_results(self, session, tensor_values):
            if any(v is None for v in tensor_values):
                raise AttributeError("changed")
            return super().build_results(session, tensor_values)

    monkeypatch.setattr(session_mod, "_fetch_handler_class",
                        lambda session: Broken)
    sess = _stock_then_ours()
    assert sess.fast_run_stats() == (0, 12)     # init + 11 calls
