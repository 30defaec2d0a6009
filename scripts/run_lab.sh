#!/usr/bin/env bash
# The main job, from a fresh clone: set-up, then the chapter lab on the
# built-in default data (report in lab_report/). Extra arguments go to the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh runtime
exec .venv/bin/python -m tf1_dnn lab "$@"
