"""`python -m tf1_dnn ckpt inspect|diff|rename|export`."""

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO
from tf1_dnn import checkpoints, ckpt_cli, tf

BN = "martinjedwabny__HandsOnMLTensorflow__c11_bn_final.ckpt"
IVAN = "Ivan-xu__Hands-on-Machine-Learning__my_mnist_model_5_to_9_five_frozen"
DENSE = "rdcwuyy__handson-ml__my_model_final.ckpt-86d878f"
SELU = "rdcwuyy__handson-ml__my_model_final_selu.ckpt"
NACHO = "nachocarracedo__tensor_flow__my_model_final.ckpt-fcc0a22"


def _run(argv, capsys):
    code = ckpt_cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_inspect_contrib_bn_flags_nan(tf1_checkpoints_dir, capsys):
    meta = tf1_checkpoints_dir / BN / "c11_bn_final.ckpt.meta"
    code, out, _ = _run(["inspect", str(meta)], capsys)
    assert code == 0
    assert "written by TensorFlow 1.13.1" in out
    assert "variables (15):" in out
    assert "  hidden1/weights  [784, 300]  float32\n" in out
    assert "  hidden1/BatchNorm/moving_mean  [300]  float32  <-- 300 NaN, " \
        "0 Inf" in out
    assert "  is_training  Placeholder  ()  bool" in out
    assert "likely outputs (1):\n  outputs/BatchNorm/Reshape_1:0" in out
    assert "NaN/Inf values in 6 tensor(s) as written in the checkpoint" in out


def test_inspect_lists_optimizer_slots(tf1_checkpoints_dir, capsys):
    code, out, _ = _run(["inspect", str(tf1_checkpoints_dir / IVAN /
                                        (IVAN.split("__")[-1] + ".index"))],
                        capsys)
    assert code == 0
    assert "variables (12):" in out and "optimizer slots (32):" in out
    for slot in ("beta1_power_1", "logits/kernel/Adam2_1",
                 "hidden1/kernel/Adam"):
        assert f"  {slot}  " in out
    assert "likely outputs (2):\n  Y_proba:0\n  logits/BiasAdd:0" in out
    assert "all values finite" in out


def test_optimizer_slots_rule():
    names = ["a/kernel", "a/kernel/Momentum", "beta1_power", "dnn/train/"
             "beta2_power", "a/bias", "b/moving_mean"]
    assert ckpt_cli.optimizer_slots(names) == [
        "a/kernel/Momentum", "beta1_power", "dnn/train/beta2_power"]


def test_diff_same_names_different_values(tf1_checkpoints_dir, capsys):
    a = tf1_checkpoints_dir / DENSE / "my_model_final.ckpt"
    b = tf1_checkpoints_dir / SELU / "my_model_final_selu.ckpt"
    code, out, _ = _run(["diff", str(a), str(b)], capsys)
    assert code == 0
    reader_a = tf.train.load_checkpoint(str(a))
    reader_b = tf.train.load_checkpoint(str(b))
    expected = np.abs(reader_a.get_tensor("outputs/kernel") -
                      reader_b.get_tensor("outputs/kernel")).max()
    assert f"  outputs/kernel: max |A-B| = {expected:.6g}" in out
    assert "values differ (6):" in out and "checkpoints differ" in out


def test_diff_identical_nan_aware(tf1_checkpoints_dir):
    a = str(tf1_checkpoints_dir / BN)
    report, identical = ckpt_cli.diff_checkpoints(a + "/c11_bn_final.ckpt",
                                                  a + "/c11_bn_final.ckpt")
    assert identical, report  # NaN moving stats compare equal to themselves
    assert "identical (15)" in report


def test_rename_writes_new_checkpoint_and_never_overwrites(
        tf1_checkpoints_dir, tmp_path, capsys):
    src = tf1_checkpoints_dir / NACHO / "my_model_final.ckpt"
    digest = hashlib.sha256(open(str(src) + ".index", "rb").read()).hexdigest()
    out = tmp_path / "renamed.ckpt"
    code, text, _ = _run(["rename", str(src), "--map", "^dnn_1=new",
                          "--map", "weights=kernel", "--map", "biases=bias",
                          "--out", str(out)], capsys)
    assert code == 0, text
    assert "dnn_1/hidden1/weights -> new/hidden1/kernel" in text
    assert "(12 tensors, 12 renamed)" in text
    old = tf.train.load_checkpoint(str(src))
    new = tf.train.load_checkpoint(str(out))
    assert sorted(new.get_variable_to_shape_map()) == sorted(
        ["new/hidden1/kernel", "new/hidden1/bias", "new/hidden2/kernel",
         "new/hidden2/bias", "new/outputs/kernel", "new/outputs/bias",
         "hidden1/kernel", "hidden1/bias", "hidden2/kernel", "hidden2/bias",
         "outputs/kernel", "outputs/bias"])
    np.testing.assert_array_equal(new.get_tensor("new/hidden1/kernel"),
                                  old.get_tensor("dnn_1/hidden1/weights"))
    np.testing.assert_array_equal(new.get_tensor("outputs/bias"),
                                  old.get_tensor("outputs/biases"))
    assert not (tmp_path / "checkpoint").exists()
    # refuses an existing output and the input itself
    code, _, err = _run(["rename", str(src), "--map", "a=b", "--out",
                         str(out)], capsys)
    assert code == 1 and "already exists" in err and "nothing is " \
        "overwritten" in err
    code, _, err = _run(["rename", str(src), "--map", "a=b", "--out",
                         str(src)], capsys)
    assert code == 1 and "is the input checkpoint" in err
    assert hashlib.sha256(open(str(src) + ".index", "rb").read()
                          ).hexdigest() == digest


def test_rename_collision_is_an_error(tf1_checkpoints_dir, tmp_path, capsys):
    src = tf1_checkpoints_dir / NACHO / "my_model_final.ckpt"
    code, _, err = _run(["rename", str(src), "--map", "dnn_1=", "--out",
                         str(tmp_path / "x.ckpt")], capsys)
    assert code == 1
    assert "the same name 'hidden1/biases'" in err
    assert not list(tmp_path.iterdir())


def test_export_npz(tf1_checkpoints_dir, tmp_path, capsys):
    src = tf1_checkpoints_dir / BN
    out = tmp_path / "bn.npz"
    code, text, _ = _run(["export", str(src / "c11_bn_final.ckpt"), "--to",
                          "npz", "--out", str(out)], capsys)
    assert code == 0 and f"wrote {out}" in text
    arrays = np.load(out)
    reader = tf.train.load_checkpoint(str(src / "c11_bn_final.ckpt"))
    assert sorted(arrays.files) == sorted(reader.get_variable_to_shape_map())
    for name in arrays.files:
        np.testing.assert_array_equal(arrays[name], reader.get_tensor(name))
    assert np.isnan(arrays["outputs/BatchNorm/moving_mean"]).all()
    code, _, err = _run(["export", str(src / "c11_bn_final.ckpt"), "--to",
                         "npz", "--out", str(out)], capsys)
    assert code == 1 and "already exists" in err


def test_missing_path_error(tmp_path, capsys):
    code, _, err = _run(["inspect", str(tmp_path / "nope.ckpt")], capsys)
    assert code == 1
    assert "No checkpoint at" in err and "nope.ckpt.index' does not exist" \
        in err


def test_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        ckpt_cli.main(["export", "x"])  # --to missing
    assert info.value.code == 2


def test_python_m_tf1_dnn_ckpt_dispatch(tf1_checkpoints_dir):
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run(
        [sys.executable, "-m", "tf1_dnn", "ckpt", "inspect",
         str(tf1_checkpoints_dir / DENSE)], capture_output=True, text=True,
        env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "written by TensorFlow 1.3.0" in out.stdout
    assert "  hidden1/kernel  [784, 300]  float32" in out.stdout
    assert "likely outputs (1):\n  dnn/outputs/BiasAdd:0" in out.stdout


def test_checkpoint_error_is_value_error():
    assert issubclass(checkpoints.CheckpointError, ValueError)


def test_rename_dry_run_writes_nothing(tf1_checkpoints_dir, tmp_path, capsys):
    src = tf1_checkpoints_dir / DENSE
    code, out, _ = _run(["rename", str(src), "--map", "hidden1=layer1",
                         "--out", str(tmp_path / "x.ckpt"), "--dry-run"],
                        capsys)
    assert code == 0
    assert "hidden1/kernel -> layer1/kernel\n" in out
    assert "outputs/bias (unchanged)\n" in out
    assert not list(tmp_path.iterdir())
