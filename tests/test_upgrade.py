"""`python -m tf1_dnn upgrade`: the minimal import diff, and the scan report.

Pins the exact rewritten text for each import form, the unified diff and
stderr report of the CLI, that --out never overwrites (the input or any
existing file), and that an upgraded script runs with plain `python`.
"""

import subprocess
import sys

from tests.conftest import REPO
from tests.test_datasets import make_folder
from tf1_dnn import upgrade

SOURCE = """\
import os, tensorflow as tf
import tensorflow
import tensorflow.compat.v1 as tf1
from tensorflow.compat import v1 as tfv1
from tensorflow.examples.tutorials.mnist import input_data
from tensorflow.contrib.layers import fully_connected  # dense layer
import tensorflow.contrib.layers as layers
from tensorflow.contrib.cudnn_rnn import CudnnLSTM
from tensorflow.python.ops import math_ops


def build():
    import tensorflow as tf
    return tf.contrib.layers.variance_scaling_initializer()

he = tf.contrib.layers.variance_scaling_initializer()
cell = tf.contrib.cudnn_rnn.CudnnLSTM
bad = tensorflow.no_such_name
"""

EXPECTED = """\
import os
from tf1_dnn import tf
from tf1_dnn import tf as tensorflow
from tf1_dnn import tf as tf1
from tf1_dnn import tf as tfv1
from tf1_dnn.examples.tutorials.mnist import input_data
from tf1_dnn.contrib.layers import fully_connected  # dense layer
import tf1_dnn.contrib.layers as layers
from tensorflow.contrib.cudnn_rnn import CudnnLSTM
from tensorflow.python.ops import math_ops


def build():
    from tf1_dnn import tf
    return tf.contrib.layers.variance_scaling_initializer()

he = tf.contrib.layers.variance_scaling_initializer()
cell = tf.contrib.cudnn_rnn.CudnnLSTM
bad = tensorflow.no_such_name
"""


def test_upgrade_source_rewrites_only_imports():
    new, findings = upgrade.upgrade_source(SOURCE, "s.py")
    assert new == EXPECTED
    assert [(f.line, f.name) for f in findings] == [
        (8, "tensorflow.contrib.cudnn_rnn"),
        (9, "tensorflow.python"),
        (17, "tensorflow.contrib.cudnn_rnn"),
        (18, "tensorflow.no_such_name"),
    ]
    assert upgrade.format_findings(findings)[2] == (
        "s.py:17: tf.contrib.cudnn_rnn is not provided by tf1_dnn (use "
        "tf.contrib.rnn.LSTMBlockFusedCell, one fused kernel; CudnnLSTM's "
        "weight layout differs)")
    assert upgrade.format_findings(findings)[3] == (
        "s.py:18: tensorflow.no_such_name is not provided by tf1_dnn")


def test_already_upgraded_script_is_unchanged():
    new, findings = upgrade.upgrade_source(EXPECTED.replace(
        "from tensorflow.contrib.cudnn_rnn import CudnnLSTM\n", "").replace(
        "from tensorflow.python.ops import math_ops\n", ""), "s.py")
    assert "tensorflow" not in new.replace("tensorflow.no_such", "").replace(
        "as tensorflow", "")
    new2, _ = upgrade.upgrade_source(new, "s.py")
    assert new2 == new


def test_cli_prints_unified_diff_and_report(tmp_path, capsys):
    script = tmp_path / "s.py"
    script.write_text("import numpy as np\nimport tensorflow as tf\n"
                      "x = tf.contrib.cudnn_rnn\n")
    assert upgrade.main([str(script)]) == 0
    out, err = capsys.readouterr()
    name = str(script).lstrip("/")
    assert out.splitlines() == [
        f"--- a/{name}", f"+++ b/{name}", "@@ -1,3 +1,3 @@",
        " import numpy as np", "-import tensorflow as tf",
        "+from tf1_dnn import tf", " x = tf.contrib.cudnn_rnn"]
    assert err.splitlines() == [
        f"tf1_dnn upgrade: {script}:3: tf.contrib.cudnn_rnn is not provided "
        "by tf1_dnn (use tf.contrib.rnn.LSTMBlockFusedCell, one fused "
        "kernel; CudnnLSTM's weight layout differs)"]
    assert script.read_text().startswith("import numpy")   # input untouched


def test_out_never_overwrites(tmp_path, capsys):
    script = tmp_path / "s.py"
    original = "import tensorflow as tf\n"
    script.write_text(original)
    assert upgrade.main([str(script), "--out", str(script)]) == 2
    assert "is the input script; not overwritten" in capsys.readouterr().err
    other = tmp_path / "other.py"
    other.write_text("mine\n")
    assert upgrade.main([str(script), "--out", str(other)]) == 2
    assert "already exists; not overwritten" in capsys.readouterr().err
    assert script.read_text() == original and other.read_text() == "mine\n"
    new = tmp_path / "new.py"
    assert upgrade.main([str(script), "--out", str(new)]) == 0
    assert new.read_text() == "from tf1_dnn import tf\n"


def test_unparsable_script_is_reported(tmp_path, capsys):
    script = tmp_path / "py2.py"
    script.write_text("import tensorflow as tf\nprint 'hello'\n")
    assert upgrade.main([str(script)]) == 2
    assert f"{script}:2: cannot parse" in capsys.readouterr().err


def test_upgraded_script_runs_with_plain_python(tmp_path):
    data = tmp_path / "data"
    make_folder(data, n_train=12, n_test=3)
    script = tmp_path / "old.py"
    script.write_text(
        "import sys\nimport tensorflow as tf\n"
        "from tensorflow.examples.tutorials.mnist import input_data\n"
        "mnist = input_data.read_data_sets(sys.argv[1], validation_size=2)\n"
        "X = tf.placeholder(tf.float32, (None, 784))\n"
        "h = tf.layers.dense(X, 3, kernel_initializer="
        "tf.contrib.layers.variance_scaling_initializer(), name='h')\n"
        "print('OK', mnist.train.num_examples, h.shape.as_list(), "
        "tf.layers.dense.__module__)\n")
    new = tmp_path / "new.py"
    assert upgrade.main([str(script), "--out", str(new)]) == 0
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
           "TF_CPP_MIN_LOG_LEVEL": "3", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, str(new), str(data)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines()[-1] == "OK 10 [None, 3] tf1_dnn.layers.core"
    assert "import tensorflow" not in new.read_text()
