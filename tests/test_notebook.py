"""Jupyter: unchanged TF 1.x notebooks run in a real ipykernel process.

The tests write notebooks with nbformat in the book's style (`import
tensorflow as tf` unchanged, `input_data` on a tiny IDX folder, `tf.layers`,
a `Saver` round trip across cells, a matplotlib plot with Agg, removed numpy
names), execute them with `python -m tf1_dnn notebook run` / `run_notebook`
and read the outputs back from the executed file. Kernel specs go to temp
folders (`--prefix`, `JUPYTER_PATH`); every test checks that no kernel
process is left behind.
"""

import json
import os
import sys

import numpy as np
import pytest

from tests.conftest import REPO
from tests.test_datasets import make_folder

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
psutil = pytest.importorskip("psutil")

from nbformat.v4 import (new_code_cell, new_markdown_cell,  # noqa: E402
                         new_notebook)

from tf1_dnn import kernel, notebook  # noqa: E402
from tf1_dnn.errors import Tf1DnnError  # noqa: E402

CELL_TIMEOUT = 300


@pytest.fixture(autouse=True)
def jupyter_env(tmp_path, monkeypatch):
    """Kernels write their runtime files and IPython profile under tmp; no
    kernel process may outlive the test."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield
    # Children this test started (not, e.g., multiprocessing's resource
    # tracker an earlier test left for the life of the process). A kernel may
    # still be exiting: give them 15 s (this also reaps zombies), then
    # whatever still runs is a leak: killed, and the test fails.
    _, alive = psutil.wait_procs(
        [p for p in psutil.Process().children(recursive=True)
         if p.pid not in before], timeout=15)
    leftover = []
    for p in alive:
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                leftover.append(" ".join(p.cmdline()))
                p.kill()
        except psutil.Error:    # exited meanwhile
            pass
    assert not leftover, leftover


def _write(path, cells, kernel_name="python3"):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": kernel_name, "language": "python",
                                 "display_name": kernel_name}
    nbformat.write(nb, str(path))
    return str(path)


def _plain_kernel(tmp_path, monkeypatch):
    """A plain ipykernel spec (no tf1_dnn) in a temp JUPYTER_PATH."""
    share = tmp_path / "plain_share"
    spec = share / "kernels" / "plain_py"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": "plain", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(share))
    return "plain_py"


def _stdout(cell):
    return "".join(o.get("text", "") for o in cell.outputs
                   if o.output_type == "stream" and o.name == "stdout")


def _stderr(cell):
    return "".join(o.get("text", "") for o in cell.outputs
                   if o.output_type == "stream" and o.name == "stderr")


BOOK_CELLS = [
    new_markdown_cell("# Training Deep Neural Nets (TF 1.x, unchanged)"),
    new_code_cell(
        "import os\n"
        "import numpy as np\n"
        "import tensorflow as tf\n"
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt\n"
        "from tensorflow.examples.tutorials.mnist import input_data"),
    new_code_cell('mnist = input_data.read_data_sets("{data}", '
                  'validation_size=10)'),
    new_code_cell(
        "tf.reset_default_graph()\n"
        "n_inputs, n_hidden1, n_outputs = 28 * 28, 8, 10\n"
        "X = tf.placeholder(tf.float32, shape=(None, n_inputs), name='X')\n"
        "y = tf.placeholder(tf.int64, shape=(None), name='y')\n"
        "with tf.name_scope('dnn'):\n"
        "    he_init = tf.contrib.layers.variance_scaling_initializer()\n"
        "    hidden1 = tf.layers.dense(X, n_hidden1, activation=tf.nn.relu,\n"
        "                              kernel_initializer=he_init, "
        "name='hidden1')\n"
        "    logits = tf.layers.dense(hidden1, n_outputs, name='outputs')\n"
        "with tf.name_scope('loss'):\n"
        "    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(\n"
        "        labels=y, logits=logits)\n"
        "    loss = tf.reduce_mean(xentropy, name='loss')\n"
        "with tf.name_scope('train'):\n"
        "    training_op = tf.train.GradientDescentOptimizer(0.01)"
        ".minimize(loss)\n"
        "init = tf.global_variables_initializer()\n"
        "saver = tf.train.Saver()\n"
        "print(hidden1.name, logits.name)"),
    new_code_cell(
        "losses = []\n"
        "with tf.Session() as sess:\n"
        "    init.run()\n"
        "    for step in range(5):\n"
        "        X_batch, y_batch = mnist.train.next_batch(4)\n"
        "        _, l = sess.run([training_op, loss],\n"
        "                        feed_dict={X: X_batch, y: y_batch})\n"
        "        losses.append(float(l))\n"
        "    X_check = mnist.test.images[:3]\n"
        "    h_check = hidden1.eval(feed_dict={X: X_check})\n"
        "    W, b = sess.run(['hidden1/kernel:0', 'hidden1/bias:0'])\n"
        "    save_path = saver.save(sess, './my_model_final.ckpt')\n"
        "np.savez('trained.npz', X=X_check, h=h_check, W=W, b=b)\n"
        "print('saved', os.path.basename(save_path), len(losses))"),
    new_code_cell(
        "with tf.Session() as sess:\n"
        "    saver.restore(sess, './my_model_final.ckpt')\n"
        "    W_restored = sess.run('hidden1/kernel:0')\n"
        "print('RESTORE_MAXDIFF', float(np.abs(W_restored - W).max()))"),
    new_code_cell(
        "plt.plot(losses)\n"
        "plt.xlabel('step')\n"
        "plt.ylabel('loss')\n"
        "plt.savefig('losses.png')\n"
        "print('backend', matplotlib.get_backend().lower())"),
    new_code_cell("print('legacy numpy', np.float(1.5), "
                  "np.asscalar(np.array([3])))"),
]


def test_book_style_notebook_runs_unchanged_in_tf1_kernel(tmp_path, capsys):
    data = tmp_path / "data"
    make_folder(data, n_train=30, n_test=5)
    cells = [c.copy() for c in BOOK_CELLS]
    cells[2] = new_code_cell(BOOK_CELLS[2].source.format(data=data))
    work = tmp_path / "book"
    work.mkdir()
    path = _write(work / "chapter11.ipynb", cells)
    original = (work / "chapter11.ipynb").read_bytes()
    out = work / "chapter11.out.ipynb"
    code = notebook.main(["run", path, "--out", str(out), "--timeout",
                          str(CELL_TIMEOUT)])
    printed = capsys.readouterr()
    assert code == 0, printed.err[-3000:]
    assert printed.out.startswith("tf1_dnn notebook: executed 7/7 code cells"
                                  " (8 cells)")
    assert (work / "chapter11.ipynb").read_bytes() == original  # untouched
    nb = nbformat.read(str(out), as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code_cells] == list(range(1, 8))
    for cell in code_cells:
        assert not [o for o in cell.outputs if o.output_type == "error"], \
            cell.outputs
    assert all(c.outputs for c in code_cells[1:]), [c.outputs for c in
                                                    code_cells]
    assert f"Extracting {data}/train-images-idx3-ubyte.gz" in _stdout(
        code_cells[1])
    assert _stdout(code_cells[2]).strip() == (
        "dnn/hidden1/Relu:0 dnn/outputs/BiasAdd:0")
    assert _stdout(code_cells[3]).strip() == "saved my_model_final.ckpt 5"
    trained = np.load(work / "trained.npz")
    # Test images are filled with 100 + i (tests.test_datasets.make_folder).
    np.testing.assert_allclose(trained["X"][:, 0], (100 + np.arange(3)) / 255,
                               rtol=1e-6)
    np.testing.assert_allclose(
        trained["h"], np.maximum(trained["X"] @ trained["W"] + trained["b"],
                                 0), rtol=1e-5, atol=1e-6)
    assert _stdout(code_cells[4]).strip() == "RESTORE_MAXDIFF 0.0"
    assert _stdout(code_cells[5]).strip() == "backend agg"
    assert (work / "losses.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _stdout(code_cells[6]).strip() == "legacy numpy 1.5 3"
    log = _stderr(code_cells[6])
    assert "`np.float` (removed in NumPy 1.24) -> use `float" in log
    assert "`np.asscalar` (removed in NumPy 1.23) -> use `a.item()`" in log


def test_kernel_install_writes_a_kernelspec_that_runs(tmp_path, monkeypatch,
                                                      capsys):
    prefix = tmp_path / "prefix"
    assert kernel.main(["install", "--prefix", str(prefix), "--name",
                        "tf1_test"]) == 0
    spec_dir = prefix / "share" / "jupyter" / "kernels" / "tf1_test"
    assert str(spec_dir) in capsys.readouterr().out
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"] == [sys.executable, "-m", "tf1_dnn.kernel", "-f",
                            "{connection_file}"]
    assert spec["display_name"] == "Python 3 (TensorFlow 1.x via tf1_dnn)"
    assert spec["language"] == "python"
    assert spec["env"]["PYTHONPATH"].split(os.pathsep)[0] == str(REPO)
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    from jupyter_client.kernelspec import KernelSpecManager
    found = KernelSpecManager().get_kernel_spec("tf1_test")
    assert found.display_name == spec["display_name"]
    path = _write(tmp_path / "one.ipynb", [new_code_cell(
        "import tensorflow as tf\n"
        "import tensorflow.compat.v1 as tf1\n"
        "print(tf.layers.dense.__module__, tf1 is tf.compat.v1, "
        "tf.executing_eagerly())")], kernel_name="tf1_test")
    result = notebook.run_notebook(path, kernel_name="tf1_test",
                                   timeout=CELL_TIMEOUT)
    assert result.executed == 1 and result.errors == []
    cell = nbformat.read(result.out_path, as_version=4).cells[0]
    assert _stdout(cell).strip() == "tf1_dnn.layers.core True False"
    assert result.out_path == str(tmp_path / "one.executed.ipynb")
    assert kernel.main(["install", "--prefix", str(prefix), "--name",
                        "tf1_test", "--no-legacy-numpy"]) == 0
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert "--no-legacy-numpy" in spec["argv"]


def test_load_ext_in_a_plain_kernel(tmp_path, monkeypatch):
    name = _plain_kernel(tmp_path, monkeypatch)
    path = _write(tmp_path / "plain.ipynb", [
        new_code_cell("import tensorflow as tf\n"
                      "import tensorflow.compat.v1 as tf1\n"
                      "print('before', hasattr(tf, 'placeholder'))"),
        new_code_cell("%load_ext tf1_dnn"),
        new_code_cell("import tensorflow as tf_again\n"
                      "print('after', tf_again is tf, tf1 is tf.compat.v1, "
                      "tf.layers.dense.__module__)"),
        new_code_cell("X = tf.placeholder(tf.float32, (None, 2), name='X')\n"
                      "h = tf.layers.dense(X, 3, name='d')\n"
                      "print(h.name, np_ok)".replace(
                          "np_ok", "__import__('numpy').float_.__name__")),
    ])
    result = notebook.run_notebook(path, kernel_name=name,
                                   timeout=CELL_TIMEOUT)
    assert result.errors == [] and result.executed == 4
    cells = nbformat.read(result.out_path, as_version=4).cells
    assert _stdout(cells[0]).strip() == "before False"
    err = _stderr(cells[1])
    assert "`tf` was the real `tensorflow`; it now is the TF 1.x namespace" \
        in err
    assert ("`tf1` was the real `tensorflow.compat.v1`; it now is the TF 1.x "
            "namespace") in err
    assert "`import tensorflow` now gives the TF 1.x namespace" in err
    assert _stdout(cells[2]).strip() == "after True True tf1_dnn.layers.core"
    assert _stdout(cells[3]).strip() == "d/BiasAdd:0 float64"


def test_cell_error_is_reported_and_notebook_still_written(tmp_path,
                                                           monkeypatch):
    name = _plain_kernel(tmp_path, monkeypatch)
    path = _write(tmp_path / "err.ipynb", [
        new_markdown_cell("setup"),
        new_code_cell("x = 1\nprint('ran', x)"),
        new_code_cell("raise ValueError('bad value 42')"),
        new_code_cell("print('never')"),
    ])
    out = tmp_path / "err.out.ipynb"
    with pytest.raises(notebook.NotebookCellError) as err:
        notebook.run_notebook(path, out=str(out), kernel_name=name,
                              timeout=CELL_TIMEOUT)
    e = err.value
    assert isinstance(e, Tf1DnnError) and isinstance(e, RuntimeError)
    assert (e.cell_index, e.ename, e.evalue) == (2, "ValueError",
                                                 "bad value 42")
    assert "cell 2 of" in str(e) and str(out) in str(e)
    assert e.out_path == str(out)
    cells = nbformat.read(str(out), as_version=4).cells
    assert _stdout(cells[1]).strip() == "ran 1"
    assert [o.ename for o in cells[2].outputs] == ["ValueError"]
    assert cells[3].outputs == [] and cells[3].execution_count is None


def test_dead_kernel_is_reported_with_its_cell(tmp_path, monkeypatch):
    name = _plain_kernel(tmp_path, monkeypatch)
    path = _write(tmp_path / "dies.ipynb", [
        new_code_cell("raise KeyError('kept')"),
        new_code_cell("import os\nos._exit(3)"),
        new_code_cell("print('never')"),
    ])
    with pytest.raises(notebook.NotebookCellError) as err:
        notebook.run_notebook(path, kernel_name=name, allow_errors=True,
                              timeout=CELL_TIMEOUT)
    e = err.value
    assert (e.cell_index, e.ename) == (1, "DeadKernelError")
    assert e.result.errors[0][:2] == (0, "KeyError")
    cells = nbformat.read(e.out_path, as_version=4).cells
    assert [o.ename for o in cells[0].outputs] == ["KeyError"]
    assert cells[2].outputs == []


def test_kernel_that_cannot_start_is_reported(tmp_path, monkeypatch):
    share = tmp_path / "share"
    spec = share / "kernels" / "broken"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", "import sys; sys.exit(3)", "-f",
                 "{connection_file}"],
        "display_name": "broken", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(share))
    path = _write(tmp_path / "x.ipynb", [new_code_cell("print(1)")])
    with pytest.raises(notebook.NotebookCellError,
                       match="failed before the first cell") as err:
        notebook.run_notebook(path, kernel_name="broken", startup_timeout=60)
    assert err.value.cell_index is None
    cells = nbformat.read(err.value.out_path, as_version=4).cells
    assert cells[0].outputs == []


def test_bad_input_gets_named_errors(tmp_path, capsys):
    missing = tmp_path / "nope.ipynb"
    with pytest.raises(notebook.NotebookNotFoundError, match="nope.ipynb"):
        notebook.run_notebook(str(missing))
    assert issubclass(notebook.NotebookNotFoundError, FileNotFoundError)
    assert notebook.main(["run", str(missing)]) == 2
    assert "no notebook at" in capsys.readouterr().err
    text = tmp_path / "script.ipynb"
    text.write_text("import tensorflow as tf\n")
    with pytest.raises(notebook.NotANotebookError, match="not JSON"):
        notebook.run_notebook(str(text))
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps({"cells": "nope", "nbformat": 4,
                               "nbformat_minor": 5, "metadata": {}}))
    with pytest.raises(notebook.NotANotebookError) as err:
        notebook.run_notebook(str(bad))
    assert isinstance(err.value, ValueError)
    assert isinstance(err.value, Tf1DnnError)
    good = _write(tmp_path / "good.ipynb", [new_code_cell("1")])
    with pytest.raises(notebook.OutputExistsError, match="--inplace"):
        notebook.run_notebook(good, out=good)
    with pytest.raises(notebook.KernelNotFoundError,
                       match="kernel install") as err:
        notebook.run_notebook(good, kernel_name="no_such_kernel_xyz")
    assert isinstance(err.value, LookupError)
    assert not (tmp_path / "good.executed.ipynb").exists()
    (tmp_path / "good.executed.ipynb").write_text("mine")
    with pytest.raises(notebook.OutputExistsError, match="--force"):
        notebook.run_notebook(good)
    assert (tmp_path / "good.executed.ipynb").read_text() == "mine"


def test_missing_extra_names_the_pip_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "nbclient", None)
    with pytest.raises(kernel.MissingNotebookExtraError,
                       match=r"pip install tf1_dnn\[notebook\]") as err:
        kernel.require_notebook_extra("nbclient")
    assert isinstance(err.value, ImportError)
    assert isinstance(err.value, Tf1DnnError)
