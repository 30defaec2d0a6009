"""`pytest -p tf1_dnn.pytest_plugin`: a TF 1.x codebase passes its own suite.

A small package is written to a temp folder (`import tensorflow as tf` in
several modules, `import tensorflow.compat.v1 as tf` in one, `tf.layers.dense`,
`tf.placeholder`, `tf.Session`, a removed numpy name) with its own tests and
conftest.py, and its pytest suite runs in a subprocess: through `-p`; with
the plugin loaded as an entry point would load it but not asked for (nothing
changes: the suite fails on TF 2, so the plugin is what makes it pass); and
with the ini option `tf1_dnn_activate = true`; and without the plugin, through
the one-line conftest.py recipe.
"""

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO

FILES = {
    "legacypkg/__init__.py": "",
    "legacypkg/model.py": """
        import tensorflow as tf

        def build(n_inputs, n_outputs):
            X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
            logits = tf.layers.dense(X, n_outputs,
                                     kernel_initializer=tf.ones_initializer(),
                                     name="outputs")
            return X, logits
        """,
    "legacypkg/train.py": """
        import numpy as np
        import tensorflow.compat.v1 as tf

        from legacypkg import model

        def forward(batch):
            graph = tf.Graph()
            with graph.as_default():
                X, logits = model.build(batch.shape[1], 2)
                init = tf.global_variables_initializer()
            with tf.Session(graph=graph) as sess:
                sess.run(init)
                return sess.run(logits, feed_dict={X: batch}), logits.name

        def as_floats(values):
            return np.array(values, dtype=np.float)
        """,
    "legacypkg/metrics.py": """
        import tensorflow as tf

        def accuracy(logits, labels):
            correct = tf.nn.in_top_k(logits, labels, 1)
            return tf.reduce_mean(tf.cast(correct, tf.float32))
        """,
    "tests/conftest.py": """
        import tensorflow as tf
        import pytest

        @pytest.fixture
        def graph():
            with tf.Graph().as_default() as g:
                yield g
        """,
    "tests/test_model.py": """
        import numpy as np
        import tensorflow as tf
        from legacypkg import metrics, train

        def test_forward_matches_numpy():
            batch = np.arange(6, dtype=np.float32).reshape(2, 3)
            out, name = train.forward(batch)
            assert name == "outputs/BiasAdd:0"
            np.testing.assert_array_equal(out, batch @ np.ones((3, 2)))

        def test_accuracy(graph):
            acc = metrics.accuracy(tf.constant([[0., 1.], [1., 0.]]),
                                   tf.constant([1, 1]))
            with tf.Session() as sess:
                assert sess.run(acc) == 0.5

        def test_legacy_numpy_name():
            assert train.as_floats([1, 2]).dtype == np.float64
        """,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("legacy_project")
    for name, source in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


def _pytest(root, *args, ini=""):
    (root / "pytest.ini").write_text("[pytest]\n" + ini)
    env = {"PYTHONPATH": f"{REPO}:{root}", "PATH": "/usr/bin:/bin",
           "TF_CPP_MIN_LOG_LEVEL": "3", "TF1_DNN_OFFLINE": "1",
           "HOME": str(root)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
         "-rA", *args, "tests"], capture_output=True, text=True, env=env,
        cwd=str(root), timeout=600)


def test_suite_passes_through_the_plugin(project):
    proc = _pytest(project, "-p", "tf1_dnn.pytest_plugin")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "3 passed" in proc.stdout
    assert ("tf1_dnn: `import tensorflow` gives the TF 1.x namespace "
            "(tf1_dnn.activate);") in proc.stdout
    assert "removed numpy names given back" in proc.stdout


def test_installed_plugin_is_opt_in_and_ini_option_activates(project):
    # Loaded the way a pytest11 entry point loads it (registered under
    # another name), but not asked for: nothing changes, and the TF1 code
    # fails on plain TensorFlow 2 ...
    (project / "entry_probe.py").write_text(
        "from tf1_dnn.pytest_plugin import (pytest_addoption,  # noqa\n"
        "    pytest_load_initial_conftests, pytest_report_header,\n"
        "    pytest_unconfigure)\n")
    proc = _pytest(project, "-p", "entry_probe")
    assert proc.returncode == 1
    assert "tf1_dnn:" not in proc.stdout
    assert "placeholder" in proc.stdout   # module 'tensorflow' has no ...
    # ... until the ini option asks for it (here with numpy's removed names
    # turned off, so the one test that uses `np.float` fails).
    proc = _pytest(project, "-p", "entry_probe", "-o",
                   "tf1_dnn_legacy_numpy=false",
                   ini="tf1_dnn_activate = true\n")
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "1 failed, 2 passed" in proc.stdout
    assert "(tf1_dnn.activate); numpy unchanged" in proc.stdout
    assert "FAILED tests/test_model.py::test_legacy_numpy_name" in proc.stdout
    assert "np.float" in proc.stdout


def test_one_line_conftest_recipe(project, tmp_path):
    """Without the plugin: `import tf1_dnn; tf1_dnn.activate()` as the first
    line of the root conftest.py (the documented recipe)."""
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(
        "entry_probe.py", "__pycache__"))
    (copy / "conftest.py").write_text("import tf1_dnn; tf1_dnn.activate()\n")
    proc = _pytest(copy)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "3 passed" in proc.stdout
