#!/usr/bin/env bash
# Install into ./.venv and run the whole test suite (SQLite and PostgreSQL), ruff and mypy.
# PostgreSQL: a server at AKLEDGER_TEST_PG_ADMIN_URL (default: trust auth on 127.0.0.1:5432);
# the tests create and drop their own database.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 "$@"
