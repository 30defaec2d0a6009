"""Bad input and faults in `python -m tf1_dnn lab`: each case ends in a
working run or in a named error of ours, and the user's files are unchanged
(sha256 before/after)."""

import dataclasses
import hashlib
import json
import pathlib
import struct

import numpy as np
import pytest

from tf1_dnn import lab, lab_configs
from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.lab import loop


def _tree_digest(folder):
    """{relative path: sha256} of every file under `folder`."""
    folder = pathlib.Path(folder)
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _results(out):
    return json.loads((pathlib.Path(out) / "results.json").read_text())


@pytest.fixture(scope="module")
def previous_report(tmp_path_factory, fashion_mnist_dir):
    """A finished --quick report of one config, plus files of the user's
    in the report folder and in its tensorboard/ folder."""
    out = tmp_path_factory.mktemp("prev") / "R"
    assert lab.main(["--quick", "--only", "l1", "--out", str(out)]) == 0
    (out / "my_notes.txt").write_text("mine")
    (out / "tensorboard" / "my_run").mkdir()
    (out / "tensorboard" / "my_run" / "events.mine").write_bytes(b"\x00\x01")
    return out


def _copy_tree(src, dst):
    import shutil
    shutil.copytree(src, dst)
    return dst


# -- arguments: refused before anything is touched ---------------------------

@pytest.mark.parametrize("argv, fragment", [
    (["--seed", "-1"], "--seed must be an integer in 0..4294967295"),
    (["--seed", str(2 ** 32)], "--seed must be an integer in 0..4294967295"),
    (["--epochs", "0"], "--epochs must be at least 1"),
    (["--epochs", "-3"], "--epochs must be at least 1"),
    (["--train-size", "0"], "--train-size must be a number of images of at "
                            "least 1"),
    (["--only", "nadam"], "'nadam' matches no configuration"),
    (["--workers", "0"], "--workers must be a number of worker processes of "
                         "at least 1, got 0"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"],
     "--workers and --scheduler exclude each other"),
    (["--scheduler", "127.0.0.1:8786"], "--scheduler must be a Dask scheduler "
                                        "address like tcp://HOST:8786"),
])
def test_bad_argument_is_refused_before_the_report_is_touched(
        argv, fragment, previous_report, tmp_path, capsys):
    out = _copy_tree(previous_report, tmp_path / "R")
    before = _tree_digest(out)
    with pytest.raises(SystemExit) as e:
        lab.main(argv + ["--quick", "--out", str(out)])
    assert e.value.code == 2
    assert fragment in capsys.readouterr().err
    assert _tree_digest(out) == before
    assert not (tmp_path / "R.partial").exists()


def test_settings_raise_a_tf1_dnn_error_naming_the_argument():
    with pytest.raises(lab.LabArgumentError, match=r"--seed must be .*-1.*"
                                                   r"e\.g\. --seed 42"):
        lab.LabSettings(seed=-1)
    with pytest.raises(Tf1DnnError, match="--epochs must be at least 1"):
        lab.LabSettings(epochs=0)
    with pytest.raises(ValueError, match="batch_size must be an integer"):
        lab.LabSettings(batch_size=0)


def test_out_is_a_file_or_a_foreign_folder(tmp_path, capsys):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert lab.main(["--quick", "--only", "relu", "--out", str(a_file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert a_file.read_text() == "x"
    # A folder named like the staging folder that is not ours is refused.
    out = tmp_path / "R"
    foreign = tmp_path / "R.partial"
    foreign.mkdir()
    (foreign / "x.txt").write_text("mine")
    with pytest.raises(lab.ReportDirError, match=r"R\.partial exists and is "
                                                 "not an interrupted lab"):
        lab.ReportFolder(out)
    assert lab.main(["--quick", "--only", "relu", "--out", str(out)]) == 2
    assert "Move or rename it" in capsys.readouterr().err
    assert (foreign / "x.txt").read_text() == "mine" and not out.exists()


# -- the report folder is swapped in only when complete ----------------------

def test_crash_midway_leaves_the_previous_report_intact(
        previous_report, tmp_path, monkeypatch, capsys):
    out = _copy_tree(previous_report, tmp_path / "R")
    before = _tree_digest(out)
    real = loop.train_config
    calls = []

    def crash_on_second(config, *args, **kwargs):
        calls.append(config.name)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as a Ctrl-C during the second config
        return real(config, *args, **kwargs)

    monkeypatch.setattr(loop, "train_config", crash_on_second)
    assert lab.main(["--quick", "--only", "l2,dropout", "--out",
                     str(out)]) == 130
    assert "is unchanged, the finished ones are in" in capsys.readouterr().err
    assert _tree_digest(out) == before
    # What finished is kept beside it, report and event files included.
    partial = tmp_path / "R.partial"
    assert [r["name"] for r in _results(partial)["results"]] == ["l2"]
    assert _results(partial)["meta"]["partial"] is True
    assert "| l2 |" in (partial / "report.md").read_text()
    assert list((partial / "tensorboard" / "l2").glob("events.out.*"))
    # The next run replaces the interrupted one and swaps in normally.
    monkeypatch.setattr(loop, "train_config", real)
    assert lab.main(["--quick", "--only", "l2", "--out", str(out)]) == 0
    assert not partial.exists()
    assert [r["name"] for r in _results(out)["results"]] == ["l2"]


def test_rerun_keeps_the_users_files_in_the_folder_and_tensorboard(
        previous_report, tmp_path):
    out = _copy_tree(previous_report, tmp_path / "R")
    mine = {k: v for k, v in _tree_digest(out).items()
            if k in ("my_notes.txt", "tensorboard/my_run/events.mine")}
    assert len(mine) == 2
    assert lab.main(["--quick", "--only", "l2", "--out", str(out)]) == 0
    after = _tree_digest(out)
    assert {k: after[k] for k in mine} == mine
    runs = sorted(p.name for p in (out / "tensorboard").iterdir())
    assert runs == ["l2", "my_run"]   # the previous run's l1 is gone
    manifest = json.loads((out / lab.MARKER).read_text())
    assert "tensorboard/l2" in manifest["files"]
    assert "my_notes.txt" not in manifest["files"]
    assert not (tmp_path / "R.partial").exists()
    assert not list(tmp_path.glob(".R.previous-*"))


# -- divergence ----------------------------------------------------------------

def test_diverged_configuration_is_marked_in_every_table(
        tmp_path, fashion_mnist_dir):
    relu = lab_configs.by_name("relu")
    exploding = dataclasses.replace(relu, name="relu_lr1e6",
                                    technique="ReLU, SGD 1e6",
                                    learning_rate=1e6)
    settings = lab.LabSettings.quick_mode(epochs=2, seed=3)
    results, report = lab.run_lab([relu, exploding], settings,
                                  tmp_path / "R")
    ok, bad = results
    assert ok["status"] == "ok" and ok["val_accuracy"] > 0.4
    assert bad["status"] == "diverged" and bad["diverged"]
    assert bad["val_accuracy"] is None and bad["test_accuracy"] is None
    epoch, batch = bad["diverged_at"]
    assert epoch == 1 and 1 <= batch <= 60 and bad["epochs_run"] == 0
    assert "learning rate too high" in bad["error"]
    assert len(bad["val_curve"]) == 1   # the untrained epoch 0 only
    md = report.read_text()
    assert ("| relu_lr1e6 | activations | ReLU, SGD 1e6 | - | - | 0 |"
            in md)
    assert f"DIVERGED (NaN/Inf loss, epoch 1 batch {batch}) |" in md
    assert "1 diverged (relu_lr1e6)" in md
    html_text = (report.parent / "report.html").read_text()
    assert '<tr class="diverged"><td>2</td><td>relu_lr1e6</td>' in html_text
    assert "DIVERGED (NaN/Inf loss" in html_text
    (row,) = [r for r in _results(report.parent)["results"]
              if r["name"] == "relu_lr1e6"]
    assert row["status"] == "diverged" and row["val_accuracy"] is None


# -- small data ----------------------------------------------------------------

def _write_idx(folder, n_train, n_test, seed=0):
    rnd = np.random.RandomState(seed)
    folder.mkdir()
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rnd.randint(0, 256, (n, 28, 28)).astype(np.uint8)
        labels = rnd.randint(0, 10, n).astype(np.uint8)
        (folder / f"{prefix}-images-idx3-ubyte").write_bytes(
            struct.pack(">IIII", 2051, n, 28, 28) + images.tobytes())
        (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(
            struct.pack(">II", 2049, n) + labels.tobytes())
    return folder


def test_4000_training_images_work(tmp_path):
    # Used to fail with "number sections must be larger than 0": the first
    # 5 000 images went to validation and none were left to train on.
    data = _write_idx(tmp_path / "small", 4000, 300)
    before = _tree_digest(data)
    out = tmp_path / "R"
    assert lab.main(["--only", "adam", "--epochs", "1", "--data", str(data),
                     "--out", str(out)]) == 0
    assert _tree_digest(data) == before
    meta = _results(out)["meta"]
    # 1/11 of 4000 is validation (5 000 / 55 000, input_data's share).
    assert "3637 train / 363 validation / 300 test images" in meta["data"]
    assert lab.validation_size(4000) == 363
    assert lab.validation_size(60000) == 5000


def test_train_size_flag_limits_the_training_images(tmp_path):
    data = _write_idx(tmp_path / "small", 1200, 100)
    out = tmp_path / "R"
    assert lab.main(["--only", "adam", "--epochs", "1", "--train-size", "77",
                     "--data", str(data), "--out", str(out)]) == 0
    assert "77 train / 109 validation" in _results(out)["meta"]["data"]


def test_one_training_image_is_a_clear_error(tmp_path, capsys):
    data = _write_idx(tmp_path / "tiny", 1, 5)
    out = tmp_path / "R"
    assert lab.main(["--only", "adam", "--data", str(data),
                     "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "has 1 training and 5 test images" in err
    assert "at least 2 training images" in err
    assert not out.exists() and not (tmp_path / "R.partial").exists()


def test_workers_without_dask_names_the_extra(previous_report, tmp_path,
                                              monkeypatch, capsys):
    import sys
    out = _copy_tree(previous_report, tmp_path / "R")
    before = _tree_digest(out)
    for name in ("dask", "dask.distributed", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)   # import fails
    assert lab.main(["--quick", "--workers", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'tf1_dnn[dask]'" in err
    assert _tree_digest(out) == before
    from tf1_dnn.lab import parallel
    with pytest.raises(lab.DaskMissingError, match=r"optional extra"):
        parallel.check_dask_args(workers=1)
    assert issubclass(lab.DaskMissingError, ImportError)
