"""`python -m tf1_dnn ckpt ...` on damaged inputs and unwritable outputs:
exit code 1, one line on stderr (no traceback), nothing under the final
output name, the input files unchanged."""

import errno
import os

import numpy as np
import pytest

from tests.test_bad_input_checkpoints import _digests, _files, _save_small
from tf1_dnn import checkpoints, ckpt_cli


def _run(argv, capsys):
    code = ckpt_cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(err, fragment):
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert fragment in err, err


@pytest.fixture
def small(tmp_path):
    (tmp_path / "in").mkdir()
    return _save_small(tmp_path / "in")


def test_inspect_empty_meta_exits_1(small, tmp_path, capsys):
    open(small + ".meta", "wb").close()
    before = _digests(tmp_path / "in")
    code, out, err = _run(["inspect", small], capsys)
    assert code == 1 and out == ""
    _one_line_error(err, "model.ckpt.meta' is empty (0 bytes)")
    assert _digests(tmp_path / "in") == before


@pytest.mark.parametrize("cmd", ["inspect", "diff", "export"])
def test_corrupt_index_exits_1(small, tmp_path, capsys, cmd):
    with open(small + ".index", "r+b") as f:
        f.seek(-8, os.SEEK_END)
        f.write(b"\0" * 8)
    before = _digests(tmp_path / "in")
    argv = {"inspect": ["inspect", small], "diff": ["diff", small, small],
            "export": ["export", small, "--to", "npz", "--out",
                       str(tmp_path / "x.npz")]}[cmd]
    code, _, err = _run(argv, capsys)
    assert code == 1
    _one_line_error(err, "is corrupt")
    assert _digests(tmp_path / "in") == before
    assert not (tmp_path / "x.npz").exists()


def test_export_on_a_full_disk_leaves_no_partial_npz(small, tmp_path, capsys,
                                                     monkeypatch):
    real_savez = np.savez

    def savez_then_full(f, **arrays):
        real_savez(f, **arrays)  # part of the bytes reach the file
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ckpt_cli.np, "savez", savez_then_full)
    out = tmp_path / "out" / "weights.npz"
    out.parent.mkdir()
    before = _digests(tmp_path / "in")
    code, _, err = _run(["export", small, "--to", "npz", "--out", str(out)],
                        capsys)
    assert code == 1
    _one_line_error(err, "No space left on device. Nothing was written under "
                    "that name")
    assert os.listdir(out.parent) == []  # no partial file, no temporary
    assert _digests(tmp_path / "in") == before


@pytest.mark.parametrize("cmd", ["export", "rename"])
def test_output_into_unwritable_folder(small, tmp_path, capsys, cmd):
    # /proc refuses new files even to root (a read-only folder does not).
    out = "/proc/tf1_dnn_out" + (".npz" if cmd == "export" else "")
    argv = (["export", small, "--to", "npz", "--out", out] if cmd == "export"
            else ["rename", small, "--map", "v=w", "--out", out])
    before = _digests(tmp_path / "in")
    code, _, err = _run(argv, capsys)
    assert code == 1
    _one_line_error(err, "/proc/tf1_dnn_out")
    assert "Choose a writable" in err or "choose a writable" in err
    assert _digests(tmp_path / "in") == before


def test_rename_on_a_full_disk_leaves_no_checkpoint(small, tmp_path, capsys,
                                                    monkeypatch):
    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoints.os, "replace", full)
    out = tmp_path / "out" / "renamed.ckpt"
    code, _, err = _run(["rename", small, "--map", "v=w", "--out", str(out)],
                        capsys)
    assert code == 1
    _one_line_error(err, "No space left on device")
    assert _files(out.parent) == []


def test_rename_still_works(small, tmp_path, capsys):
    out = tmp_path / "renamed.ckpt"
    code, text, _ = _run(["rename", small, "--map", "v=w", "--out", str(out)],
                         capsys)
    assert code == 0 and "v -> w" in text
    np.testing.assert_array_equal(
        checkpoints.read_checkpoint(str(out))["w"], [1.0, 2.0, 3.0])
    assert not [f for f in _files(tmp_path) if "tf1dnn-tmp" in f]
