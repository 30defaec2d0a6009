"""`python -m tf1_dnn run` / `upgrade` on bad scripts: a latin-1 script with
a coding line works; a missing script, a folder, an undecodable file get one
clear line and exit 2; --out never leaves a partial file."""

import errno
import os

import pytest

from tests.test_bad_input_checkpoints import _digests
from tf1_dnn import errors, runner, upgrade

LATIN1 = ("# -*- coding: latin-1 -*-\n"
          "import tensorflow as tf\n"
          "# caf\u00e9 cr\u00e8me br\u00fbl\u00e9e\n"
          "print('r\u00e9sultat', tf.constant(1.5).dtype.name)\n")


@pytest.fixture
def latin1_script(tmp_path):
    path = tmp_path / "my scripts" / "old script.py"
    path.parent.mkdir()
    path.write_bytes(LATIN1.encode("latin-1"))
    return path


def test_run_latin1_script_with_coding_line(latin1_script, capfd):
    before = _digests(latin1_script.parent)
    assert runner.main([str(latin1_script)]) == 0
    out, err = capfd.readouterr()
    assert "r\u00e9sultat float32" in out
    assert "Traceback" not in err
    assert _digests(latin1_script.parent) == before


def test_upgrade_latin1_script_keeps_its_encoding(latin1_script, tmp_path,
                                                  capsys):
    out = tmp_path / "new.py"
    assert upgrade.main([str(latin1_script), "--out", str(out)]) == 0
    new = out.read_bytes().decode("latin-1")
    assert new == LATIN1.replace("import tensorflow as tf",
                                 "from tf1_dnn import tf")
    assert [f for f in os.listdir(tmp_path) if "tf1dnn-tmp" in f] == []


@pytest.mark.parametrize("main", [runner.main, upgrade.main])
def test_missing_script(tmp_path, capsys, main):
    assert main([str(tmp_path / "missing.py")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such script" in err \
        and "missing.py" in err


@pytest.mark.parametrize("main", [runner.main, upgrade.main])
def test_script_that_is_a_folder(tmp_path, capsys, main):
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a folder, not a script" in err


@pytest.mark.parametrize("main", [runner.main, upgrade.main])
def test_undecodable_script(tmp_path, capsys, main):
    path = tmp_path / "bad.py"
    path.write_bytes(b"print('caf\xe9')\n")  # latin-1 without a coding line
    before = _digests(tmp_path)
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be decoded" in err
    assert "# -*- coding: latin-1 -*-" in err
    assert _digests(tmp_path) == before


def test_run_script_api_raises_script_error(tmp_path):
    with pytest.raises(errors.ScriptError, match="is a folder"):
        runner.run_script(str(tmp_path))
    assert issubclass(errors.ScriptError, OSError)


def test_upgrade_out_on_a_full_disk_leaves_nothing(latin1_script, tmp_path,
                                                   capsys, monkeypatch):
    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(upgrade.os, "link", full)
    out = tmp_path / "out"
    out.mkdir()
    assert upgrade.main([str(latin1_script), "--out",
                         str(out / "new.py")]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "nothing was written" in err
    assert os.listdir(out) == []
