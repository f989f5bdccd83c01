#!/usr/bin/env bash
# THE test command: bash scripts/test.sh [pytest arguments]
# Installs what is missing (scripts/install.sh), starts PostgreSQL for the collector's
# tests, checks the code with ruff (a finding fails the run), then runs pytest (unit
# tests, the collector, and the accessibility gate).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh

# --- PostgreSQL: a local cluster, role root, database panelsite_test (unix socket) ---
if [ -z "${PANELSITE_TEST_PG_URL:-}" ] && [ "$(id -u)" -eq 0 ] && command -v pg_ctlcluster >/dev/null; then
  pg_version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  [ -d "/etc/postgresql/$pg_version/main" ] || pg_createcluster "$pg_version" main >/dev/null
  pg_ctlcluster "$pg_version" main status >/dev/null 2>&1 || pg_ctlcluster "$pg_version" main start
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'root'\"" | grep -q 1 \
    || su postgres -c "createuser -s root"
  psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'panelsite_test'" | grep -q 1 \
    || createdb panelsite_test
  export PANELSITE_TEST_PG_URL=postgresql:///panelsite_test
fi

# --- lint: the rules of [tool.ruff] in pyproject.toml (line length, the rules the noqa comments name)
"${PANELSITE_VENV:-.venv}/bin/python" -m ruff check panelsite

exec "${PANELSITE_VENV:-.venv}/bin/python" -m pytest "$@"
