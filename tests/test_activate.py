"""`tf1_dnn.activate()` / `deactivate()` / `activated()`: legacy modules imported
while active get the TF1 namespace; `sys.modules` comes back exactly; modules
that imported the real tensorflow first are named in a warning (or an error
with `strict=True`); TF 2 packages keep the real API."""

import importlib
import sys
import textwrap
import uuid

import numpy as np
import pytest

import tf1_dnn
from tests.conftest import run_python
from tf1_dnn import activation, runner
from tf1_dnn._compat import tf2, v1
from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.layers import core as layers_core

_NAMES = ("tensorflow", "tensorflow.compat", "tensorflow.compat.v1",
          "tensorflow.contrib", "tensorflow.contrib.layers",
          "tensorflow.examples", "tensorflow.examples.tutorials.mnist",
          "tensorflow.examples.tutorials.mnist.input_data")


@pytest.fixture(autouse=True)
def _always_deactivate():
    yield
    activation.deactivate()


def _snapshot():
    return {name: sys.modules.get(name) for name in _NAMES}


def _write_module(tmp_path, source):
    """A legacy module in its own folder; returns its (unique) name."""
    name = "legacy_" + uuid.uuid4().hex[:8]
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    return name


@pytest.fixture
def on_path(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [n for n in sys.modules if n.startswith("legacy_")]:
        del sys.modules[name]


LEGACY = """
    import tensorflow as tf
    import tensorflow.compat.v1 as tf1
    from tensorflow.contrib.layers import variance_scaling_initializer
    from tensorflow.examples.tutorials.mnist import input_data

    def build():
        g = tf.Graph()
        with g.as_default():
            X = tf.placeholder(tf.float32, shape=(None, 3), name="X")
            h = tf.layers.dense(X, 2, kernel_initializer=tf.ones_initializer(),
                                name="hidden1")
        return g, X, h
"""


def test_modules_imported_while_active_get_tf1_and_state_is_restored(on_path):
    before = _snapshot()
    real_tf = sys.modules["tensorflow"]
    act = tf1_dnn.activate(legacy_numpy=False)
    assert act.owner and tf1_dnn.activation.is_active()
    mod = importlib.import_module(_write_module(on_path, LEGACY))
    assert mod.tf1 is tf1_dnn.tf
    assert mod.tf.layers.dense is layers_core.dense
    assert mod.tf.contrib is tf1_dnn.tf.contrib
    assert mod.input_data.read_data_sets.__module__.startswith("tf1_dnn.")
    assert mod.tf.__version__ == tf2.__version__
    assert mod.tf.__path__ == list(real_tf.__path__)
    g, X, h = mod.build()
    assert h.name == "hidden1/BiasAdd:0"
    with v1.Session(graph=g) as sess:
        sess.run(v1.variables_initializer(
            g.get_collection(v1.GraphKeys.GLOBAL_VARIABLES)))
        x = np.arange(6, dtype=np.float32).reshape(2, 3)
        np.testing.assert_array_equal(sess.run(h, {X: x}),
                                      x @ np.ones((3, 2), np.float32))
    tf1_dnn.deactivate()
    assert not activation.is_active()
    after = _snapshot()
    for name in _NAMES:
        assert after[name] is before[name], name
    assert sys.modules["tensorflow"] is real_tf
    tf1_dnn.deactivate()                      # no-op when inactive
    assert sys.modules["tensorflow"] is real_tf


def test_activate_is_idempotent_and_context_manager_nests():
    before = _snapshot()
    first = tf1_dnn.activate(legacy_numpy=False)
    alias = sys.modules["tensorflow"]
    second = tf1_dnn.activate(legacy_numpy=False)
    assert first.owner and not second.owner
    assert sys.modules["tensorflow"] is alias
    with second:                 # not the owner: leaving changes nothing
        pass
    assert sys.modules["tensorflow"] is alias
    with tf1_dnn.activated(legacy_numpy=False) as inner:
        assert not inner.owner
    assert activation.is_active()
    tf1_dnn.deactivate()
    assert _snapshot() == before
    with tf1_dnn.activated(legacy_numpy=False) as act:
        assert act.owner and sys.modules["tensorflow"] is not before[
            "tensorflow"]
    assert _snapshot() == before
    with activation.activate(legacy_numpy=False):
        assert activation.is_active()
    assert not activation.is_active()


def test_module_that_imported_real_tensorflow_first_is_named(on_path):
    name = _write_module(on_path, """
        import tensorflow as tf
        import tensorflow as tf_again
        x = 1
        """)
    importlib.import_module(name)
    with pytest.warns(activation.TensorflowAlreadyImportedWarning) as rec:
        tf1_dnn.activate(legacy_numpy=False)
    message = str(rec[0].message)
    assert f"{name} (tf, tf_again)" in message
    assert "importlib.reload" in message and "conftest.py" in message
    tf1_dnn.deactivate()
    before = _snapshot()
    with pytest.raises(activation.TensorflowAlreadyImportedError) as err:
        tf1_dnn.activate(legacy_numpy=False, strict=True)
    assert isinstance(err.value, Tf1DnnError)
    assert isinstance(err.value, RuntimeError)
    assert name in str(err.value)
    assert not activation.is_active() and _snapshot() == before
    # After a reload, the module has the TF1 namespace and is not named.
    tf1_dnn.activate(legacy_numpy=False, warn=False)
    mod = importlib.reload(sys.modules[name])
    assert mod.tf.layers.dense is layers_core.dense
    assert name not in dict(activation.find_modules_with_real_tensorflow(
        activation._active["state"]["aliases"]))


def test_tf2_packages_keep_the_real_api_legacy_code_gets_v1():
    tf1_dnn.activate(legacy_numpy=False)
    alias = sys.modules["tensorflow"]
    code = "Variable = tensorflow.Variable\nhas_layers = hasattr(tensorflow, 'layers')"
    library = {"__name__": "tf_keras.src.fake", "tensorflow": alias}
    exec(compile(code, "/site-packages/tf_keras/src/fake.py", "exec"), library)
    legacy = {"__name__": "my_legacy_code", "tensorflow": alias}
    exec(compile(code, "/home/me/my_legacy_code.py", "exec"), legacy)
    assert library["Variable"] is tf2.Variable
    assert legacy["Variable"] is v1.Variable
    assert tf2.Variable is not v1.Variable
    assert legacy["has_layers"]


def test_runner_uses_the_same_activation(tmp_path):
    script = tmp_path / "s.py"
    script.write_text(textwrap.dedent("""
        import sys
        import tensorflow as tf
        from tf1_dnn import activation
        assert activation.is_active()
        assert type(sys.modules["tensorflow"]) is activation._TensorflowAlias
        """))
    assert runner.module_aliases is activation.module_aliases
    real_tf = sys.modules["tensorflow"]
    with v1.Graph().as_default():
        assert runner.run_script(str(script), scan=False) == 0
    assert not activation.is_active()
    assert sys.modules["tensorflow"] is real_tf
    # Inside an active process the runner leaves the activation in place.
    tf1_dnn.activate(legacy_numpy=False)
    with v1.Graph().as_default():
        assert runner.run_script(str(script), scan=False) == 0
    assert activation.is_active()


def test_tf2_libraries_imported_after_activation_still_work():
    """tf_keras is imported for the first time after `activate()` (a fresh
    process): its `import tensorflow.compat.v2 as tf` must find the real
    submodule (our `tensorflow.compat` keeps the real `__path__`) and its
    `import tensorflow as tf` the real API (tf_keras is in TF2_PACKAGES)."""
    pytest.importorskip("tf_keras")
    out = run_python(textwrap.dedent("""
        import sys
        import tf1_dnn
        assert "tf_keras" not in sys.modules
        tf1_dnn.activate()
        import tensorflow as tf
        import tensorflow.compat.v2 as tf_v2
        import tf_keras
        from tf_keras.src.legacy_tf_layers import core as official
        X = tf.placeholder(tf.float32, (None, 2), name="X")
        ours = tf.layers.dense(X, 3, name="ours")
        theirs = official.dense(X, 3, name="theirs")
        print(ours.name, theirs.name, tf_v2.Variable is tf.Variable,
              type(tf_keras.layers.Dense(2)(X)).__name__)
        """))
    assert out.stdout.split() == ["ours/BiasAdd:0", "theirs/BiasAdd:0",
                                  "False", "SymbolicTensor"]
