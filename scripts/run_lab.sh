#!/usr/bin/env bash
# The main job, from a fresh clone: set-up, then the chapter lab on the
# built-in default data (report in lab_report/). Extra arguments go to the lab.
# With --workers N or --scheduler ADDRESS the optional Dask extra
# (dask[distributed]) is installed into .venv first, if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh runtime
for arg in "$@"; do
  case "$arg" in
    --workers|--workers=*|--scheduler|--scheduler=*)
      if ! .venv/bin/python -c "import dask.distributed" >/dev/null 2>&1; then
        echo "run_lab: installing the optional Dask extra (dask[distributed])" >&2
        .venv/bin/python -m pip install --quiet --disable-pip-version-check \
          "dask[distributed]>=2024.1"
      fi
      break ;;
  esac
done
exec .venv/bin/python -m tf1_dnn lab "$@"
