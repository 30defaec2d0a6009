"""`python -m tf1_dnn lab`: the report of a --quick run, determinism, the graphs.

One --quick run of every configuration (module fixture, ~20-40 s here) is
checked file by file; the other tests build single graphs or run one or two
configurations.
"""

import io
import json
import pathlib
import re
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

from tf1_dnn import lab, lab_configs, tf
from tf1_dnn.lab_configs import CONFIGS, GROUPS

REPO = pathlib.Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCALAR_TAGS = {"validation_accuracy", "validation_loss", "train_loss",
               "learning_rate", "test_accuracy"}


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory, fashion_mnist_dir):
    out = tmp_path_factory.mktemp("lab") / "lab_report"
    assert lab.main(["--quick", "--seed", "7", "--out", str(out)]) == 0
    return out


def _results(out):
    return json.loads((out / "results.json").read_text())


def _markdown_rows(out):
    lines = (out / "report.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith("| # | config |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


def _png_chunks(path):
    """(type, data) of every chunk; asserts signature and CRCs."""
    blob = pathlib.Path(path).read_bytes()
    assert blob[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    pos, chunks = 8, []
    while pos < len(blob):
        (length,) = struct.unpack(">I", blob[pos:pos + 4])
        ctype = blob[pos + 4:pos + 8]
        data = blob[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", blob[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(ctype + data) == crc, f"bad CRC in {ctype!r}"
        chunks.append((ctype, data))
        pos += 12 + length
    return chunks


def _event_scalars(run_dir):
    """{tag: {step: value}} from the run's event file(s)."""
    files = sorted(pathlib.Path(run_dir).glob("events.out.tfevents.*"))
    assert files, f"no event file in {run_dir}"
    scalars = {}
    for f in files:
        for event in tf.train.summary_iterator(str(f)):
            for value in event.summary.value:
                scalars.setdefault(value.tag, {})[event.step] = value.simple_value
    return scalars


# -- the --quick report ------------------------------------------------------

def test_quick_report_has_every_file(quick_report):
    for name in ("report.md", "report.html", "results.json", "curves.png",
                 lab.MARKER):
        assert (quick_report / name).is_file(), name
    for group in GROUPS:
        assert (quick_report / f"curves_{group}.png").is_file(), group
    runs = sorted(p.name for p in (quick_report / "tensorboard").iterdir())
    assert runs == sorted(c.name for c in CONFIGS)


def test_table_has_one_row_per_config_with_accuracies_in_0_1(quick_report):
    rows = _markdown_rows(quick_report)
    assert [r[1] for r in rows] == [c.name for c in CONFIGS]
    assert [r[2] for r in rows] == [c.group for c in CONFIGS]
    results = {r["name"]: r for r in _results(quick_report)["results"]}
    for number, name, group, technique, val, test, epochs, seconds, status in rows:
        assert status == "ok"
        assert 0.0 <= float(val) <= 1.0 and 0.0 <= float(test) <= 1.0
        assert epochs == "1" and float(seconds) > 0
        assert technique == lab_configs.by_name(name).technique
        assert float(val) == pytest.approx(results[name]["val_accuracy"],
                                           abs=5e-5)
        assert float(test) == pytest.approx(results[name]["test_accuracy"],
                                            abs=5e-5)
    html_text = (quick_report / "report.html").read_text()
    assert html_text.count("<tr class=\"ok\"><td>") == len(CONFIGS)
    for group in GROUPS:
        assert f'src="curves_{group}.png"' in html_text


def test_accuracies_are_plausible_for_one_epoch(quick_report):
    results = {r["name"]: r for r in _results(quick_report)["results"]}
    for r in results.values():
        # Epoch 0 is the untrained network: about chance (1 in 10 classes).
        assert 0.03 < r["val_curve"][0] < 0.25, r["name"]
        assert not r["diverged"], r["name"]
        assert r["val_curve"][-1] == r["val_accuracy"]
    # 60 SGD steps learn something; the chapter's faster optimizers more.
    assert results["relu"]["val_accuracy"] > 0.4
    for name in ("momentum", "nesterov", "adam"):
        assert results[name]["val_accuracy"] > results["relu"]["val_accuracy"]
    # Techniques that change the maths give different numbers from the
    # baseline (logistic vs ReLU is the bug this pins).
    for name in ("logistic", "leaky_relu", "elu", "selu", "he_init",
                 "lecun_init", "l1", "l2", "dropout", "max_norm_axis0"):
        assert results[name]["train_loss"] != results["relu"]["train_loss"], name


def test_png_curves_are_valid_pngs(quick_report):
    for path in sorted(quick_report.glob("curves*.png")):
        chunks = _png_chunks(path)
        assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
        width, height = struct.unpack(">II", chunks[0][1][:8])
        assert width >= 300 and height >= 200
        assert any(t == b"IDAT" for t, _ in chunks)
        # It decodes and is not blank.
        import matplotlib.image
        pixels = matplotlib.image.imread(str(path))
        assert pixels.shape[:2] == (height, width)
        assert pixels[..., :3].std() > 0.05


def test_event_files_hold_the_scalars_per_epoch(quick_report):
    results = {r["name"]: r for r in _results(quick_report)["results"]}
    for config in CONFIGS:
        scalars = _event_scalars(quick_report / "tensorboard" / config.name)
        assert set(scalars) == SCALAR_TAGS, config.name
        r = results[config.name]
        assert sorted(scalars["validation_accuracy"]) == [0, 1]
        for epoch, acc in enumerate(r["val_curve"]):
            assert scalars["validation_accuracy"][epoch] == pytest.approx(acc)
        assert scalars["train_loss"][1] == pytest.approx(r["train_loss"][0])
        assert scalars["test_accuracy"][1] == pytest.approx(r["test_accuracy"])
        assert set(scalars["learning_rate"]) == {1}
    # After 60 steps (3000 images / 50): tf.train.exponential_decay's
    # 0.1 * 0.1 ** (60 / 10000) and inverse_time_decay's 0.1 / (1 + 60/1000).
    lr = _event_scalars(quick_report / "tensorboard" / "exponential_decay")
    assert lr["learning_rate"][1] == pytest.approx(0.1 * 0.1 ** (60 / 10000),
                                                   rel=1e-5)
    lr = _event_scalars(quick_report / "tensorboard" / "power_decay")
    assert lr["learning_rate"][1] == pytest.approx(0.1 / (1 + 60 / 1000),
                                                   rel=1e-5)
    lr = _event_scalars(quick_report / "tensorboard" / "adam")
    assert lr["learning_rate"][1] == pytest.approx(0.001)


def test_same_seed_same_numbers_whatever_the_subset(quick_report, tmp_path):
    # Random ops of every kind: dropout masks, batch norm, shuffling.
    names = ["dropout", "default_dnn"]
    out = tmp_path / "again"
    assert lab.main(["--quick", "--seed", "7", "--only", ",".join(names),
                     "--out", str(out)]) == 0
    first = {r["name"]: r for r in _results(quick_report)["results"]}
    again = {r["name"]: r for r in _results(out)["results"]}
    assert sorted(again) == sorted(names)
    for name in names:
        for key in ("val_curve", "train_loss", "val_accuracy",
                    "test_accuracy"):
            assert again[name][key] == first[name][key], (name, key)
    assert [r[1] for r in _markdown_rows(out)] == [
        c.name for c in CONFIGS if c.name in names]


def test_another_seed_gives_other_numbers(quick_report, tmp_path):
    out = tmp_path / "seed8"
    assert lab.main(["--quick", "--seed", "8", "--only", "dropout",
                     "--out", str(out)]) == 0
    seed7 = {r["name"]: r for r in _results(quick_report)["results"]}
    (seed8,) = _results(out)["results"]
    assert seed8["train_loss"] != seed7["dropout"]["train_loss"]


# -- the graphs ----------------------------------------------------------------

def _kernels(net):
    with net.graph.as_default():
        return {v.op.name: v for v in tf.global_variables()
                if v.op.name.endswith("kernel")}


def _run(net, session_config, fetches, feed=None):
    with tf.Session(graph=net.graph, config=session_config) as sess:
        sess.run(net.init)
        return sess.run(fetches, feed)


def test_network_names_shapes_and_batch_norm_updates():
    net = lab.build_network(lab_configs.by_name("batch_norm"), seed=1)
    kernels = _kernels(net)
    assert {k: v.shape.as_list() for k, v in kernels.items()} == {
        "hidden1/kernel": [784, 300], "hidden2/kernel": [300, 100],
        "outputs/kernel": [100, 10]}
    assert net.logits.shape.as_list() == [None, 10]
    # The chapter's listing: batch norm after each dense layer, the outputs
    # too; the lab runs the 2 moving-average updates per layer itself.
    assert len(net.extra_update_ops) == 6
    with net.graph.as_default():
        names = {v.op.name for v in tf.global_variables()}
    assert {"batch_normalization/moving_mean",
            "batch_normalization_2/moving_variance"} <= names


def test_table_11_2_network_comes_from_defaults(session_config):
    net = lab.build_network(lab_configs.by_name("default_dnn"), seed=1)
    with net.graph.as_default():
        names = {v.op.name for v in tf.global_variables()}
        moving_mean = [v for v in tf.global_variables()
                       if v.op.name == "bn1/moving_mean"][0]
    assert {"hidden1/kernel", "bn1/gamma", "bn2/moving_variance",
            "outputs/kernel"} <= names
    # Its updates are control dependencies of training_op: the lab must not
    # run them a second time.
    assert net.extra_update_ops == []
    rnd = np.random.RandomState(0)
    X = rnd.rand(50, 784).astype(np.float32)
    with tf.Session(graph=net.graph, config=session_config) as sess:
        sess.run(net.init)
        W = sess.run(net.graph.get_tensor_by_name("hidden1/kernel:0"))
        b = sess.run(net.graph.get_tensor_by_name("hidden1/bias:0"))
        # hidden1's input: X after dropout 0.2, fetched in the same run.
        x_dropped = net.graph.get_operation_by_name(
            "dnn/hidden1/MatMul").inputs[0]
        _, X_drop = sess.run(
            [net.training_op, x_dropped],
            {net.X: X, net.y: rnd.randint(0, 10, 50), net.training: True})
        after = sess.run(moving_mean)
    assert 0.1 < (X_drop == 0).mean() < 0.3        # dropout 0.2 was on
    # One update with momentum 0.9 from 0: 0.1 * batch mean of hidden1's
    # pre-normalization output, X_drop @ W + b.
    expected = 0.1 * (X_drop.astype(np.float64) @ W + b).mean(axis=0)
    np.testing.assert_allclose(after, expected, rtol=1e-5, atol=1e-7)


def test_lecun_pitfall_and_he_init_variances(session_config):
    # tf.variance_scaling_initializer() (no argument) is LeCun: 1/fan_in;
    # scale=2.0 is He: 2/fan_in. Xavier uniform: 2/(fan_in+fan_out).
    expected = {"lecun_init": 1 / 784, "he_init": 2 / 784,
                "relu": 2 / (784 + 300)}
    for name, variance in expected.items():
        net = lab.build_network(lab_configs.by_name(name), seed=3)
        w = _run(net, session_config, _kernels(net)["hidden1/kernel"])
        assert np.var(w) == pytest.approx(variance, rel=0.05), name


def test_leaky_relu_is_the_chapters_alpha_001(session_config):
    net = lab.build_network(lab_configs.by_name("leaky_relu"), seed=0)
    with net.graph.as_default():
        hidden1 = net.graph.get_tensor_by_name("dnn/hidden1/BiasAdd:0")
        act = net.graph.get_operation_by_name("dnn/hidden1/Maximum").outputs[0]
    z, a = _run(net, session_config, [hidden1, act],
                {net.X: np.random.RandomState(0).rand(5, 784)})
    np.testing.assert_allclose(a, np.maximum(0.01 * z, z), rtol=1e-6)
    assert (z < 0).any()


def test_l1_and_l2_losses_match_numpy(session_config):
    for name, penalty in (("l1", lambda w: 0.001 * np.abs(w).sum()),
                          ("l2", lambda w: 0.001 * (w ** 2).sum() / 2)):
        net = lab.build_network(lab_configs.by_name(name), seed=0)
        kernels = _kernels(net)
        with net.graph.as_default():
            reg = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        assert len(reg) == 3
        feed = {net.X: np.zeros((2, 784)), net.y: [0, 1]}
        ws, base, loss = _run(net, session_config,
                              [list(kernels.values()), net.base_loss, net.loss],
                              feed)
        assert loss - base == pytest.approx(sum(penalty(w) for w in ws),
                                            rel=1e-4), name


@pytest.mark.parametrize("name, axis", [("max_norm", 1),
                                        ("max_norm_axis0", 0)])
def test_max_norm_clips_every_kernel_along_its_axes(name, axis,
                                                   session_config):
    net = lab.build_network(lab_configs.by_name(name), seed=0)
    kernels = _kernels(net)
    assert len(net.clip_all_weights) == 3
    with tf.Session(graph=net.graph, config=session_config) as sess:
        sess.run(net.init)
        for v in kernels.values():
            v.load(sess.run(v) * 50, sess)  # norms far above 1.0
        before = sess.run(list(kernels.values()))
        sess.run(net.clip_all_weights)
        after = sess.run(list(kernels.values()))
    for w0, w1 in zip(before, after):
        norms0 = np.linalg.norm(w0, axis=axis, keepdims=True)
        np.testing.assert_allclose(w1, w0 / np.maximum(norms0, 1.0),
                                   rtol=1e-4, atol=1e-6)


def test_clip_value_caps_every_gradient(session_config):
    # Huge weights -> huge gradients; clipped to [-1, 1], one SGD step of
    # lr 0.01 moves every parameter by at most 0.01, many by exactly 0.01.
    net = lab.build_network(lab_configs.by_name("clip_value"), seed=0)
    rnd = np.random.RandomState(0)
    feed = {net.X: rnd.rand(50, 784), net.y: rnd.randint(0, 10, 50),
            net.training: True}
    with net.graph.as_default():
        params = tf.trainable_variables()
    with tf.Session(graph=net.graph, config=session_config) as sess:
        sess.run(net.init)
        for v in params:
            v.load(sess.run(v) * 30 + 0.5, sess)
        before = sess.run(params)
        sess.run(net.training_op, feed)
        after = sess.run(params)
    steps = np.concatenate([np.abs(a - b).ravel()
                            for a, b in zip(after, before)])
    assert steps.max() <= 0.01 * (1 + 1e-3)
    assert np.isclose(steps, 0.01, rtol=1e-3).sum() > 100


# -- command line ----------------------------------------------------------------

def test_only_selects_by_glob_substring_and_group():
    names = lambda p: [c.name for c in lab_configs.select(p)]
    assert names("relu") == ["relu", "leaky_relu"]
    assert names("*decay") == ["exponential_decay", "power_decay"]
    assert names("optimizers,l2") == ["momentum", "nesterov", "adagrad",
                                      "rmsprop", "adam", "l2"]
    assert len(names(None)) == len(CONFIGS) == 22


def test_only_without_match_is_a_clear_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        lab.main(["--only", "nadam", "--list"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "'nadam' matches no configuration" in err and "adam" in err


def test_list_prints_every_config(capsys):
    assert lab.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [c.name for c in CONFIGS]


def test_epochs_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        lab.main(["--epochs", "0"])
    assert "--epochs must be at least 1" in capsys.readouterr().err


def test_out_folder_of_the_user_is_never_overwritten(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.md").write_text("my notes")
    assert lab.main(["--quick", "--only", "relu", "--out", str(mine)]) == 2
    assert "not a tf1_dnn lab report" in capsys.readouterr().err
    assert (mine / "report.md").read_text() == "my notes"
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert lab.main(["--quick", "--only", "relu", "--out", str(a_file)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert a_file.read_text() == "x"


def test_rerun_replaces_a_previous_report(tmp_path, fashion_mnist_dir):
    out = tmp_path / "r"
    assert lab.main(["--quick", "--only", "l1", "--out", str(out)]) == 0
    (out / "notes.txt").write_text("kept")
    assert lab.main(["--quick", "--only", "l2", "--out", str(out),
                     "--data", str(fashion_mnist_dir)]) == 0
    assert "Fashion-MNIST" in _results(out)["meta"]["data"]
    assert [p.name for p in (out / "tensorboard").iterdir()] == ["l2"]
    assert [r[1] for r in _markdown_rows(out)] == ["l2"]
    assert (out / "notes.txt").read_text() == "kept"


def test_progress_bar_text():
    stream = io.StringIO()  # not a terminal: one line per finished bar
    bar = lab.ProgressBar(4, "relu epoch 1/1", stream=stream, width=8)
    for _ in range(4):
        bar.update(1, " loss 0.5")
    bar.close(" val_acc 0.9")
    assert re.fullmatch(r"relu epoch 1/1 \|########\| 4/4 +\d+\.\ds val_acc 0.9\n",
                        stream.getvalue())

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    bar = lab.ProgressBar(2, "x", stream=tty, width=4)
    bar.update(1)
    assert tty.getvalue().startswith("\rx |##--| 1/2")


def test_importing_lab_changes_nothing_global():
    code = ("import sys, tf1_dnn.lab; "
            "print('tensorflow' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]


def test_python_m_tf1_dnn_lab_dispatches_here():
    out = subprocess.run([sys.executable, "-m", "tf1_dnn", "lab", "--list",
                          "--only", "*decay"], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    assert [line.split()[0] for line in out.splitlines()] == [
        "exponential_decay", "power_decay"]


def test_data_folder_without_mnist_is_an_error_not_a_fallback(tmp_path,
                                                              capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    assert lab.main(["--quick", "--only", "relu", "--data", str(empty),
                     "--out", str(out)]) == 2
    assert f"--data {empty} holds no MNIST-format data" in (
        capsys.readouterr().err)
    assert not out.exists()


def test_lab_errors_are_tf1_dnn_errors_and_builtins():
    from tf1_dnn.errors import Tf1DnnError
    assert issubclass(lab.ReportDirError, Tf1DnnError)
    assert issubclass(lab.ReportDirError, ValueError)
    assert issubclass(lab.LabDataError, Tf1DnnError)
    assert issubclass(lab.LabDataError, FileNotFoundError)


def test_python_m_tf1_dnn_dot_lab_runs_the_same_cli():
    out = subprocess.run([sys.executable, "-m", "tf1_dnn.lab", "--list",
                          "--only", "l1"], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    assert [line.split()[0] for line in out.splitlines()] == ["l1"]
