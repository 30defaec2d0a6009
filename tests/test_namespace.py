"""The TF1 namespace and the no-global-effect promise of the submodules."""

import pytest

from tests.conftest import run_python
from tf1_dnn import tf


def _run(code):
    return run_python(code).stdout.strip().splitlines()[-1]


def test_namespace_forwards_compat_v1_and_overrides_layers():
    import tensorflow
    assert tf.placeholder is tensorflow.compat.v1.placeholder
    # tf.Session is tf1_dnn's drop-in subclass (cached fast run path).
    assert issubclass(tf.Session, tensorflow.compat.v1.Session)
    assert tf.Session.__module__ == "tf1_dnn.session"
    from tf1_dnn import layers
    assert tf.layers is layers
    assert tf.layers.dense is layers.dense
    assert tf.compat.v1 is tf
    assert tf.train.GradientDescentOptimizer is \
        tensorflow.compat.v1.train.GradientDescentOptimizer


def test_tf1_behaviour_is_on():
    assert not tf.executing_eagerly()
    with tf.Graph().as_default():
        v = tf.Variable(1.0, name="v")
        assert type(v).__name__ == "RefVariable"
        assert v.initializer.name == "v/Assign"


def test_unknown_attribute_error_names_it():
    with pytest.raises(AttributeError, match=r"tf\.no_such_thing"):
        tf.no_such_thing  # noqa: B018


def test_import_after_tensorflow_without_env_var_prints_layers_dense():
    last = _run("import tensorflow; from tf1_dnn import tf; "
                "print(tf.layers.dense.__module__)")
    assert last == "tf1_dnn.layers.core"


def test_submodules_do_not_change_global_behaviour():
    """Every tf1_dnn module but the `tf` namespace can be imported into TF2
    code without switching eager execution or TF2 behaviour off. (Not the
    entry points -- `tf1_dnn.__main__`, `tf1_dnn.lab.__main__` run their
    command -- nor `tf1_dnn._mp_main`, a spawned child's main module.)"""
    last = _run(
        "import pkgutil, importlib, tensorflow as t, tf1_dnn\n"
        "names = sorted(m.name for m in pkgutil.walk_packages(\n"
        "    tf1_dnn.__path__, 'tf1_dnn.')\n"
        "    if m.name not in ('tf1_dnn.tf', 'tf1_dnn._mp_main')\n"
        "    and not m.name.endswith('.__main__'))\n"
        "for n in names:\n"
        "    importlib.import_module(n)\n"
        "print(len(names), t.executing_eagerly(), t.__internal__.tf2.enabled())")
    count, eager, tf2_enabled = last.split()
    assert int(count) >= 40
    assert (eager, tf2_enabled) == ("True", "True")


def test_namespace_switches_process_to_graph_mode():
    last = _run("import tensorflow as t; from tf1_dnn import tf; "
                "print(t.executing_eagerly())")
    assert last == "False"


def test_layers_under_eager_explain_how_to_get_a_graph():
    last = _run(
        "import tensorflow as t; import tf1_dnn.layers as L\n"
        "try:\n    L.dense(t.zeros([2, 3]), 4)\n"
        "except Exception as e:\n    print(type(e).__name__, 'tf1_dnn import tf' in str(e), "
        "'disable_eager_execution' in str(e))")
    assert last == "GraphModeRequiredError True True"


def test_works_without_tf_keras_installed():
    """tf_keras is only a test oracle: block it and build/run a dense layer."""
    last = _run(
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'tf_keras' or name.startswith('tf_keras.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import tensorflow\n"
        "from tf1_dnn import tf\n"
        "X = tf.placeholder(tf.float32, shape=(None, 3), name='X')\n"
        "h = tf.layers.dense(X, 2, kernel_initializer=tf.ones_initializer(), name='hidden1')\n"
        "with tf.Session() as s:\n"
        "    s.run(tf.global_variables_initializer())\n"
        "    out = s.run(h, {X: [[1.0, 2.0, 3.0]]})\n"
        "print(tf.layers.dense.__module__, 'tf_keras' in sys.modules, h.op.name, out.tolist())")
    assert last == ("tf1_dnn.layers.core False hidden1/BiasAdd "
                    "[[6.0, 6.0]]")
