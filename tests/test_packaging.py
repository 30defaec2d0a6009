"""Packaging: pyproject.toml against requirements*.txt, and the built wheel
installed offline into a fresh virtualenv (its dependencies come from this
test virtualenv through a `.pth` file, so nothing is downloaded)."""

import os
import pathlib
import re
import shutil
import site
import subprocess
import sys
import tomllib
import zipfile

import pytest

import tf1_dnn

from .conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def _requirements(name):
    lines = (REPO / name).read_text().splitlines()
    return {re.sub(r"\s+", "", line) for line in lines
            if line.strip() and not line.startswith(("#", "-r"))}


def _norm(reqs):
    return {re.sub(r"\s+", "", r) for r in reqs}


def test_runtime_dependencies_are_requirements_txt_tensorflow_and_numpy():
    deps = _norm(PYPROJECT["project"]["dependencies"])
    assert deps == {"tensorflow>=2.21,<2.22", "numpy>=1.26"}
    runtime = {r for r in _requirements("requirements.txt")
               if r.startswith(("tensorflow", "numpy"))}
    assert deps == runtime, (
        "pyproject.toml [project] dependencies and requirements.txt's "
        "tensorflow/numpy lines differ: change both together")


def test_extras():
    extras = {k: _norm(v)
              for k, v in PYPROJECT["project"]["optional-dependencies"].items()}
    assert set(extras) == {"lab", "sklearn", "dask", "notebook", "test", "all"}
    assert extras["lab"] == {"matplotlib>=3.7"}
    assert extras["sklearn"] == {"scikit-learn>=1.3"}
    # requirements.txt's other lines (what the lab and DNNClassifier need)
    # are the lab and sklearn extras.
    others = {r for r in _requirements("requirements.txt")
              if not r.startswith(("tensorflow", "numpy"))}
    assert others == extras["lab"] | extras["sklearn"]
    assert extras["test"] == _requirements("requirements-test.txt"), (
        "requirements-test.txt and pyproject.toml's [test] extra differ: "
        "add the new test dependency to both")
    assert extras["all"] == {"tf1-dnn[lab,sklearn,dask,notebook,test]"}


def test_version_lives_in_tf1_dnn_init_only():
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "tf1_dnn.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", tf1_dnn.__version__)
    assert PYPROJECT["project"]["scripts"] == {
        "tf1-dnn": "tf1_dnn.__main__:main"}


def _source_modules():
    root = REPO / "tf1_dnn"
    return sorted(str(p.relative_to(REPO)) for p in root.rglob("*.py")
                  if "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Builds the wheel offline from a copy of the sources (the build leaves
    build/ and *.egg-info behind; not in the checkout)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(REPO / "tf1_dnn", src / "tf1_dnn",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps",
         "--no-build-isolation", "--no-index", "--disable-pip-version-check",
         "-q", "-w", str(tmp / "dist"), str(src)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (whl,) = (tmp / "dist").glob("*.whl")
    return whl


def test_wheel_holds_every_module_and_the_console_script(wheel):
    assert wheel.name == f"tf1_dnn-{tf1_dnn.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        info = f"tf1_dnn-{tf1_dnn.__version__}.dist-info"
        entry_points = z.read(f"{info}/entry_points.txt").decode()
        metadata = z.read(f"{info}/METADATA").decode()
    assert sorted(n for n in names if n.endswith(".py")) == _source_modules()
    # Nothing but the package: no tests, benchmarks or examples.
    assert {n.split("/")[0] for n in names} == {"tf1_dnn", info}
    assert "tf1-dnn = tf1_dnn.__main__:main" in entry_points
    requires = {line.split(": ", 1)[1] for line in metadata.splitlines()
                if line.startswith("Requires-Dist: ")}
    runtime = {r for r in requires if "extra ==" not in r}
    assert _norm(runtime) == {"tensorflow<2.22,>=2.21", "numpy>=1.26"}


def test_wheel_installs_offline_into_a_fresh_virtualenv(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)],
                   check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    # tensorflow, numpy (and everything else) from this test virtualenv:
    # its site-packages folders, including any it reaches through .pth files.
    dirs = [p for p in sys.path if p.endswith(("site-packages",
                                               "dist-packages"))]
    assert set(site.getsitepackages()) <= set(dirs)
    pathlib.Path(purelib, "_test_venv.pth").write_text("\n".join(dirs) + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install",
         "--no-index", "--disable-pip-version-check", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    run = dict(capture_output=True, text=True, env=env, cwd=tmp_path,
               timeout=300)
    script = subprocess.run([str(venv / "bin" / "tf1-dnn"), "--help"], **run)
    assert script.returncode == 0, script.stderr
    module = subprocess.run([str(python), "-m", "tf1_dnn", "--help"], **run)
    assert script.stdout == module.stdout
    assert "usage: python -m tf1_dnn COMMAND" in script.stdout
    # The benchmark harness is not in the wheel: our message, not a traceback.
    bench = subprocess.run([str(venv / "bin" / "tf1-dnn"), "bench"], **run)
    assert bench.returncode == 2
    assert bench.stderr.startswith("tf1_dnn bench: the benchmark harness is "
                                   "not installed"), bench.stderr
    code = (
        "import numpy as np, tf1_dnn\n"
        "from tf1_dnn import tf\n"
        "X = tf.placeholder(tf.float32, (None, 3))\n"
        "y = tf.layers.dense(X, 2, kernel_initializer=tf.ones_initializer())\n"
        "with tf.Session() as s:\n"
        "    s.run(tf.global_variables_initializer())\n"
        "    print(s.run(y, {X: np.ones((1, 3))}).tolist())\n"
        "print(tf1_dnn.__file__, tf1_dnn.__version__)\n")
    proc = subprocess.run([str(python), "-c", code], **run)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out, where = proc.stdout.splitlines()[-2:]
    assert out == "[[3.0, 3.0]]"        # 1+1+1 per unit, zero bias
    path, version = where.split()
    assert pathlib.Path(path).is_relative_to(venv), path
    assert version == tf1_dnn.__version__
