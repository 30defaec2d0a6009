"""legacy_examples/: every script runs unmodified, in quick mode, and is sane.

Each script is plain TF 1.x code (`import tensorflow as tf`, `from
tensorflow.examples.tutorials.mnist import input_data`) that asserts its own
result (accuracy well above chance, plus numbers it can check in closed form)
and prints a `RESULT ...` line. The scripts run in this process through the
runner's public function `tf1_dnn.runner.run_script` -- what `python -m
tf1_dnn run` calls -- with a fresh default graph each (one TensorFlow start
for all of them keeps the whole file to a couple of minutes); one test runs a
script through the real command line.

Checkpoints go to <repo>/checkpoints/quick/ (git-ignored); a reuse example
trains its pretrained model first when it is missing.
"""

import ast
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO
from tf1_dnn import tf

EXAMPLES = REPO / "legacy_examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))

# The chapter's sections and exercises that must have a script.
EXPECTED = [
    "01_he_initialization.py", "02_leaky_relu.py", "03_elu.py", "04_selu.py",
    "05_batch_normalization.py", "06_gradient_clipping.py",
    "07_reuse_import_meta_graph.py", "08_partial_restore.py",
    "09_reuse_other_framework.py", "10_freezing_var_list.py",
    "11_freezing_stop_gradient.py", "12_caching_frozen_layers.py",
    "13_momentum_optimizer.py", "14_nesterov_accelerated_gradient.py",
    "15_adagrad_optimizer.py", "16_rmsprop_optimizer.py",
    "17_adam_optimizer.py", "18_learning_rate_scheduling.py",
    "19_l1_regularization_by_hand.py",
    "20_l1_regularization_kernel_regularizer.py", "21_dropout.py",
    "22_max_norm_by_hand.py", "23_max_norm_regularizer.py",
    "24_data_augmentation.py", "25_tf_layers_cnn.py", "26_slim_cnn.py",
    "27_conv_autoencoder.py",
    "40_estimator_dnn_classifier.py", "41_estimator_custom_model_fn.py",
    "exercise_08_1_dnn_adam_early_stopping.py",
    "exercise_08_2_randomized_search.py", "exercise_08_3_batch_norm.py",
    "exercise_08_4_dropout.py", "exercise_08_5_hparam_search.py",
    "exercise_09_transfer_learning.py",
    "exercise_10_pretraining_auxiliary_task.py",
    # Chapter 14 (recurrent networks).
    "30_rnn_mnist_rows.py", "31_multi_lstm_dropout.py", "32_time_series.py",
]


def test_every_section_and_exercise_has_a_script():
    assert SCRIPTS == sorted(EXPECTED)


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_is_unchanged_tf1_style(name):
    """`import tensorflow as tf`, --quick/--epochs, nothing the runner can't map."""
    from tf1_dnn.upgrade import scan
    source = (EXAMPLES / name).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imports = [(n.module, [a.name for a in n.names]) if isinstance(n, ast.ImportFrom)
               else (None, [(a.name, a.asname) for a in n.names])
               for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert (None, [("tensorflow", "tf")]) in imports
    assert not any(m and m.startswith("tf1_dnn") and not name.startswith("exercise_08_")
                   for m, _ in imports), "only exercise 8's library classes import tf1_dnn"
    assert '"--quick"' in source and '"--epochs"' in source
    assert "tensorflow.python" not in source
    assert scan(source, name) == []   # the runner maps every TF name used
    # Ends by checking its own result and printing it.
    # (at the script's top level or under its `if __name__ == "__main__":`)
    assert re.search(r"^( *)assert .*\n(.*\n)*\1print\(\"RESULT ", source, re.M)


def _run_in_process(name, capsys):
    from tf1_dnn.runner import run_script
    tf.reset_default_graph()
    try:
        rc = run_script(str(EXAMPLES / name), ["--quick"])
    finally:
        tf.reset_default_graph()
    out = capsys.readouterr().out
    return rc, out


@pytest.mark.slow
@pytest.mark.parametrize("name", SCRIPTS)
def test_script_runs_quick_and_is_sane(name, capsys, tmp_path, fashion_mnist_dir):
    rc, out = _run_in_process(name, capsys)
    assert rc == 0
    results = [line for line in out.splitlines() if line.startswith("RESULT ")]
    assert len(results) == 1, out[-2000:]
    # Every accuracy the script reports is far above chance (<= 0.2 here).
    accuracies = [float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", results[0])
                  if k not in ("learning_rate", "lr", "weight_decay")
                  and "mse" not in k]  # errors (32_time_series) check themselves
    assert all(a > 0.35 for a in accuracies), results[0]


@pytest.mark.slow
def test_reuse_example_trains_missing_pretrained_model(tmp_path, capsys,
                                                       fashion_mnist_dir):
    """A reuse script in a fresh checkout (no checkpoints) trains the base first."""
    import shutil
    root = tmp_path / "repo"
    (root / "legacy_examples").mkdir(parents=True)
    for name in ("06_gradient_clipping.py", "08_partial_restore.py"):
        shutil.copy(EXAMPLES / name, root / "legacy_examples" / name)
    from tf1_dnn.runner import run_script
    tf.reset_default_graph()
    try:
        rc = run_script(str(root / "legacy_examples" / "08_partial_restore.py"),
                        ["--quick"])
    finally:
        tf.reset_default_graph()
    out = capsys.readouterr().out
    assert rc == 0
    ckpt = root / "checkpoints" / "quick"
    assert (ckpt / "my_model_final.ckpt.index").exists()      # base, trained first
    assert (ckpt / "my_new_model_final.ckpt.index").exists()  # the reuse result
    assert len([l for l in out.splitlines() if l.startswith("RESULT ")]) == 2
    reader = tf.train.NewCheckpointReader(str(ckpt / "my_new_model_final.ckpt"))
    base = tf.train.NewCheckpointReader(str(ckpt / "my_model_final.ckpt"))
    assert reader.get_tensor("hidden4/kernel").shape == (50, 20)   # new layer
    assert base.get_tensor("hidden4/kernel").shape == (50, 50)


def test_command_line_runs_a_script_unmodified():
    """`python -m tf1_dnn run legacy_examples/09_... --quick` in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, "-m", "tf1_dnn", "run",
         str(EXAMPLES / "09_reuse_other_framework.py"), "--quick"],
        capture_output=True, text=True, env=env, timeout=600, cwd=str(REPO))
    assert out.returncode == 0, out.stderr[-3000:]
    last = out.stdout.strip().splitlines()[-1]
    # relu([10, 11] @ [[1, 2, 3], [4, 5, 6]] + [7, 8, 9])
    expected = np.maximum(np.dot([10.0, 11.0], [[1, 2, 3], [4, 5, 6]])
                          + [7, 8, 9], 0)
    assert last == "RESULT hidden1=[%s]" % [float(v) for v in expected]


def test_script_with_bad_option_fails_clearly():
    from tf1_dnn.runner import run_script
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = run_script(str(EXAMPLES / "09_reuse_other_framework.py"),
                        ["--epochs", "many"], scan=False)
    assert rc == 2
    assert "invalid int value: 'many'" in err.getvalue()
