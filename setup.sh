#!/usr/bin/env bash
# One command from a fresh clone: make .venv, install ach with its test tools
# (at the versions in constraints.txt), and write the K-1 report.
# `./setup.sh --no-report` only installs.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
echo "==> installing ach and its dependencies into .venv (first time: about a minute)"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[dev]'
if ! command -v chromium >/dev/null 2>&1 && [ -z "${ACH_CHROMIUM:-}" ]; then
  echo "==> note: no chromium here; ach serve works, but its browser tests skip and ach report --pdf cannot print"
  echo "    (Debian/Ubuntu: sudo apt-get install chromium; or set ACH_CHROMIUM=/path/to/chrome)"
fi
if [ "${1:-}" != "--no-report" ]; then
  echo "==> writing the K-1 report (the first run compiles the exact sampler: a few seconds)"
  .venv/bin/ach report cases/k1.yaml
fi
