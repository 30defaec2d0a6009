#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine with Python 3.11:
#   a virtualenv in .venv, the requirements, this package (editable), and
#   Fashion-MNIST from Debian's dataset-fashion-mnist when no MNIST is found.
# Usage: scripts/setup.sh [runtime|test]
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-runtime}
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
req=requirements.txt
[ "$kind" = test ] && req=requirements-test.txt
stamp=".venv/.installed-$kind-$(cat requirements.txt requirements-test.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
  touch "$stamp"
fi
# The package itself, editable, so that .venv/bin/tf1-dnn exists (= python -m
# tf1_dnn). Offline-safe: no index, no build isolation (setuptools and wheel
# came with tensorflow's requirements). A .venv that is a symlink belongs to
# another checkout: this one is not installed into it.
pkg_stamp=".venv/.installed-editable-$( (pwd; cat pyproject.toml) | sha256sum | cut -c1-16)"
if [ -L .venv ]; then
  :
elif [ ! -f "$pkg_stamp" ] || [ ! -x .venv/bin/tf1-dnn ]; then
  if .venv/bin/python -m pip install --quiet --disable-pip-version-check \
       --no-index --no-deps --no-build-isolation -e . >/dev/null; then
    rm -f .venv/.installed-editable-*
    touch "$pkg_stamp"
  else
    echo "setup: could not install tf1_dnn into .venv in editable mode" \
         "(pip install --no-deps -e . failed); python -m tf1_dnn still works" \
         "from this folder" >&2
  fi
fi
# Data: the default data set is Debian's Fashion-MNIST (same IDX format as MNIST).
fm=/usr/share/datasets/fashion-mnist
if [ ! -f "$fm/train-images-idx3-ubyte.gz" ] && [ -z "${TF1_DNN_MNIST_DIR:-}" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's dataset-fashion-mnist (the default data)" >&2
    (apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq dataset-fashion-mnist >/dev/null; })
  else
    echo "setup: no MNIST found and cannot apt-get install dataset-fashion-mnist;" \
         "run 'sudo apt-get install dataset-fashion-mnist' or set TF1_DNN_MNIST_DIR" >&2
  fi
fi
