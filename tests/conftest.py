"""Shared fixtures. The test process runs in TF1 mode (`from tf1_dnn import tf`)."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

# No test may touch the internet: downloads from non-loopback hosts are
# refused (inherited by the subprocesses tests start).
os.environ["TF1_DNN_OFFLINE"] = "1"

from tf1_dnn import tf  # noqa: E402
from tf1_dnn.datasets.sources import FASHION_MNIST_DIR  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TF1_CHECKPOINTS = SHARED / "tf1_checkpoints"
FASHION_MNIST = pathlib.Path(FASHION_MNIST_DIR)


@pytest.fixture
def graph():
    """A fresh default graph for the test."""
    g = tf.Graph()
    with g.as_default():
        yield g


@pytest.fixture
def session_config():
    return tf.ConfigProto(intra_op_parallelism_threads=1,
                          inter_op_parallelism_threads=1)


@pytest.fixture
def sess(graph, session_config):
    with tf.Session(graph=graph, config=session_config) as s:
        yield s


@pytest.fixture
def rng():
    return np.random.RandomState(42)


@pytest.fixture(scope="session")
def fashion_mnist_dir():
    if not (FASHION_MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"{FASHION_MNIST} is absent: run scripts/setup.sh "
                    "(installs Debian's dataset-fashion-mnist)")
    return FASHION_MNIST


@pytest.fixture(scope="session")
def tf1_checkpoints_dir():
    if not (TF1_CHECKPOINTS / "manifest.json").exists():
        pytest.skip(f"{TF1_CHECKPOINTS} is absent: the shared TF 1.x "
                    "checkpoints live beside the repository in ../shared")
    return TF1_CHECKPOINTS


def run_python(code, timeout=600, cwd=None):
    """Runs `code` in a fresh interpreter (PYTHONPATH = the repo, no internet)
    and returns the CompletedProcess; fails the test on a non-zero exit.
    `timeout` only bounds a hang: a fresh interpreter importing TensorFlow
    took ~120 s on a 2-core machine at load average 12, so 600 s (as for
    every subprocess the suite starts)."""
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
           "TF_CPP_MIN_LOG_LEVEL": "3", "TF1_DNN_OFFLINE": "1"}
    # The kernel family CI chose (.ci/run runs oneDNN and Eigen).
    if "TF_ENABLE_ONEDNN_OPTS" in os.environ:
        env["TF_ENABLE_ONEDNN_OPTS"] = os.environ["TF_ENABLE_ONEDNN_OPTS"]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, env=env, timeout=timeout, cwd=cwd)
    assert out.returncode == 0, out.stderr[-3000:]
    return out
