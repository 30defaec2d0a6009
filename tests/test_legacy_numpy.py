"""numpy 1.x names for legacy code (`tf1_dnn.legacy_numpy`): given back to
legacy callers only, each logged once with its modern spelling, removed again
by `uninstall()`; `run` and `activate()` turn them on (off with the flag);
`upgrade` rewrites them in the source."""

import inspect
import logging
import os
import textwrap

import numpy as np
import pytest

import tf1_dnn
from tf1_dnn import activation, legacy_numpy, runner, upgrade
from tf1_dnn._compat import v1

# Names TF 1.x-era code used that numpy 2.x removed (checked below against
# the installed numpy, so the list cannot silently go stale).
EXPECTED_GONE = ["int", "float", "object", "str", "unicode", "complex",
                 "infty", "Inf", "NaN", "NINF", "PINF", "float_", "complex_",
                 "asscalar", "alltrue", "sometrue", "product", "cumproduct",
                 "round_", "in1d", "trapz", "msort", "string_", "unicode_"]


@pytest.fixture
def legacy(monkeypatch):
    monkeypatch.setattr(legacy_numpy, "_used", {})
    legacy_numpy.install()
    yield
    legacy_numpy.uninstall()


def test_installed_numpy_really_lacks_the_names():
    if int(np.__version__.split(".")[0]) < 2:
        pytest.skip("numpy 1.x still has most of these names")
    for name in EXPECTED_GONE:
        assert name not in np.__dict__, name
    assert set(EXPECTED_GONE) <= set(legacy_numpy.removed_names())
    # Still in numpy 2.x, so never touched.
    for name in ("bool", "long", "row_stack", "matrix"):
        assert name in np.__dict__
        assert name not in legacy_numpy.removed_names()


def test_names_answer_legacy_code_with_their_modern_values(legacy):
    assert np.int is int and np.float is float and np.object is object
    assert np.str is str and np.unicode is str and np.complex is complex
    assert np.float_ is np.float64 and np.complex_ is np.complex128
    assert np.infty == np.inf and np.Inf == np.inf and np.PINF == np.inf
    assert np.NINF == -np.inf and np.isnan(np.NaN)
    assert np.asscalar(np.array([2.5])) == 2.5
    assert type(np.asscalar(np.array([2.5]))) is float
    a = np.array([[1, 2], [3, 4]])
    assert np.product(a) == 24 and np.cumproduct([1, 2, 3]).tolist() == [1, 2, 6]
    assert np.alltrue([True, True]) and not np.sometrue([False])
    assert np.round_(2.567, 1) == 2.6
    assert np.in1d(a, [2, 3]).tolist() == [False, True, True, False]
    assert np.msort(np.array([[3, 1], [1, 2]])).tolist() == [[1, 1], [3, 2]]
    assert np.trapz([1, 2, 3]) == 4.0
    assert np.reshape(np.arange(6), newshape=(2, 3)).shape == (2, 3)
    hist, _ = np.histogram([0.0, 1.0, 1.0, 3.0], bins=2, normed=True)
    np.testing.assert_allclose(hist, [0.5, 1 / 6])
    from numpy import float_  # `from numpy import` works too
    assert float_ is np.float64


def test_each_name_is_logged_once_with_modern_spelling_and_caller(legacy, caplog):
    caplog.set_level(logging.WARNING, logger="tf1_dnn.legacy_numpy")
    line = inspect.currentframe().f_lineno + 1
    x = np.float(1) + np.float(2)
    np.reshape(np.zeros(4), newshape=(2, 2))
    np.reshape(np.zeros(4), newshape=(2, 2))
    assert x == 3.0
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert messages[0] == (
        "tf1_dnn: numpy: `np.float` (removed in NumPy 1.24) -> use "
        f"`float (or np.float64)` (first used at {__file__}:{line})")
    assert "np.reshape(..., newshape=)" in messages[1]
    assert "np.reshape(..., shape=)" in messages[1]
    assert legacy_numpy.used()["np.float"] == ("float (or np.float64)",
                                               f"{__file__}:{line}")


def test_library_code_keeps_modern_numpy(legacy):
    code = textwrap.dedent("""
        has_float_ = hasattr(np, "float_")
        try:
            np.reshape(np.zeros(4), newshape=(2, 2))
            reshape_error = None
        except TypeError as e:
            reshape_error = str(e)
        """)
    library = {"np": np}
    fake = os.path.join(os.path.dirname(np.__file__), "_fake_library.py")
    exec(compile(code, fake, "exec"), library)
    assert library["has_float_"] is False
    assert "newshape" in library["reshape_error"]
    user = {"np": np}
    exec(compile(code, "/home/me/legacy.py", "exec"), user)
    assert user["has_float_"] is True and user["reshape_error"] is None
    with pytest.raises(AttributeError, match="np.float_` was removed"):
        exec(compile("np.float_", fake, "exec"), {"np": np})


def test_uninstall_restores_numpy_exactly():
    original_getattr = np.__dict__.get("__getattr__")
    original_reshape = np.reshape
    legacy_numpy.install()
    legacy_numpy.install()                       # reference-counted
    legacy_numpy.uninstall()
    assert np.float is float
    legacy_numpy.uninstall()
    assert not legacy_numpy.installed()
    assert np.__dict__.get("__getattr__") is original_getattr
    assert np.reshape is original_reshape
    with pytest.raises(AttributeError, match="np.float"):
        np.float  # noqa: B018
    legacy_numpy.uninstall()                     # extra call: no-op
    assert np.reshape is original_reshape


def test_activate_turns_them_on_and_legacy_numpy_false_off():
    try:
        act = tf1_dnn.activate()
        assert "float_" in act.legacy_numpy and np.float_ is np.float64
        tf1_dnn.deactivate()
        assert not hasattr(np, "float_")
        tf1_dnn.activate(legacy_numpy=False)
        assert not hasattr(np, "float_")
    finally:
        activation.deactivate()


SCRIPT = """\
import numpy as np
import tensorflow as tf
x = tf.placeholder(tf.float32, shape=(None, 2))
y = tf.reduce_sum(x, axis=1)
with tf.Session() as sess:
    out = sess.run(y, {x: np.ones((3, 2), dtype=np.float)})
total = np.asscalar(np.sum(out))
table = np.reshape(out, newshape=(1, 3)).astype(np.int)
assert total == 6.0 and table.tolist() == [[2, 2, 2]], (total, table)
assert np.NINF < 0 and np.product([2, 3]) == 6
"""


def test_run_gives_the_script_old_numpy_names_and_logs_each(tmp_path, caplog,
                                                            monkeypatch):
    monkeypatch.setattr(legacy_numpy, "_used", {})
    caplog.set_level(logging.WARNING, logger="tf1_dnn.legacy_numpy")
    script = tmp_path / "old.py"
    script.write_text(SCRIPT)
    with v1.Graph().as_default():
        assert runner.run_script(str(script), scan=False) == 0
    messages = [r.getMessage() for r in caplog.records]
    expected = {"np.float": ("float (or np.float64)", 6),
                "np.asscalar": ("a.item()", 7),
                "np.reshape(..., newshape=)": ("np.reshape(..., shape=)", 8),
                "np.int": ("int (or np.int64)", 8),
                "np.NINF": ("-np.inf", 10), "np.product": ("np.prod", 10)}
    assert len(messages) == len(expected), messages
    for name, (modern, line) in expected.items():
        assert any(f"`{name}`" in m and f"use `{modern}`" in m
                   and m.endswith(f"{script}:{line})") for m in messages), name
    assert not legacy_numpy.installed()
    with v1.Graph().as_default(), pytest.raises(AttributeError,
                                                match="np.float"):
        runner.main(["--no-scan", "--no-legacy-numpy", str(script)])


def test_upgrade_rewrites_numpy_names_and_the_result_runs_on_plain_numpy():
    source = textwrap.dedent("""\
        import numpy as np
        a = np.zeros(3, dtype=np.float)
        b = np.asscalar(np.array([np.float_(2)]))
        c = np.reshape(a, newshape=(1, 3)); d = np.in1d(a, [0]); e = np.NINF * 2
        f = np.asscalar(a[0] + 1)
        g = np.histogram([0.0, 1.0, 1.0, 3.0], bins=2, normed=True)[0]
        h = np.product([2, 3]), np.bool_, np.msort(np.array([[3, 1], [1, 2]]))
        """)
    new, changes = upgrade.rewrite_numpy(source, "s.py")
    assert new == textwrap.dedent("""\
        import numpy as np
        a = np.zeros(3, dtype=float)
        b = np.array([np.float64(2)]).item()
        c = np.reshape(a, shape=(1, 3)); d = np.isin(a, [0]).ravel(); e = (-np.inf) * 2
        f = (a[0] + 1).item()
        g = np.histogram([0.0, 1.0, 1.0, 3.0], bins=2, density=True)[0]
        h = np.prod([2, 3]), np.bool_, np.sort(np.array([[3, 1], [1, 2]]), axis=0)
        """)
    assert (5, "np.asscalar(a[0] + 1)", "(a[0] + 1).item()") in changes
    assert len(changes) == 10
    modern = {}
    exec(compile(new, "/home/me/new.py", "exec"), modern)   # plain numpy
    legacy_numpy.install()
    try:
        old = {}
        exec(compile(source, "/home/me/old.py", "exec"), old)
    finally:
        legacy_numpy.uninstall()
    for key in "abcdefg":
        np.testing.assert_array_equal(np.asarray(modern[key]),
                                      np.asarray(old[key]))
    assert modern["h"][0] == old["h"][0] == 6
    # --no-legacy-numpy leaves numpy alone; imports are still upgraded.
    script = "import numpy as np\nimport tensorflow as tf\nx = np.float(1)\n"
    new_script, _ = upgrade.upgrade_source(script, "s.py", legacy_numpy=False)
    assert new_script == ("import numpy as np\nfrom tf1_dnn import tf\n"
                          "x = np.float(1)\n")
    assert upgrade.upgrade_source(script, "s.py")[0].endswith("x = float(1)\n")
