#!/usr/bin/env bash
# Install into ./.venv and run the whole test suite (SQLite and PostgreSQL), ruff and mypy.
# PostgreSQL: a server at AKLEDGER_TEST_PG_ADMIN_URL (default: trust auth on 127.0.0.1:5432);
# the tests create and drop their own database.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
# The browser tests (tests/browser) drive Debian's chromium through Playwright (no browser download):
# install it once where we can; where we cannot, those tests are skipped with the reason.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
        || echo "warning: chromium could not be installed: the browser tests will be skipped" >&2
fi
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 "$@"
