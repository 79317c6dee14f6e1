#!/usr/bin/env bash
# Install into ./.venv, create a demo ledger on SQLite (./.akledger), verify it, and serve
# the API on http://127.0.0.1:8000 with the log integrator running in-process.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/akledger demo "$@"
