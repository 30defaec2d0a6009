#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine with Python 3.11:
#   a virtualenv in .venv, the requirements, and Fashion-MNIST from Debian's
#   dataset-fashion-mnist when no MNIST is found.
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
