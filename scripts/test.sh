#!/usr/bin/env bash
# The second command of the README: install what the tests need and run the
# whole suite on SQLite, then again on PostgreSQL when one is reachable
# (DATABASE_URL pointing at PostgreSQL, or a server on 127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
PY=${VENV:-.venv}/bin/python
export DJANGO_SETTINGS_MODULE=config.settings_test

echo "==> Checks"
"$PY" manage.py check --fail-level WARNING
"$PY" manage.py makemigrations --check --dry-run -v0 || { echo "Missing migrations: run makemigrations"; exit 1; }
[ ! -e graphql/__init__.py ] || { echo "graphql/ must not be a Python package"; exit 1; }

PG_URL=""
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  PG_URL=$DATABASE_URL
elif "$PY" -c 'import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(("127.0.0.1",5432)))' 2>/dev/null; then
  PG_URL="postgres://postgres@127.0.0.1:5432/minsheng"
fi

echo "==> Test suite on SQLite"
DATABASE_URL="sqlite:///$(pwd)/var/test.sqlite3" "$PY" -m pytest "$@"

if [ -n "$PG_URL" ]; then
  echo "==> Test suite on PostgreSQL ($PG_URL)"
  DATABASE_URL=$PG_URL "$PY" -m pytest --create-db "$@"
else
  echo "==> PostgreSQL not reachable: the PostgreSQL run and its concurrency tests were skipped"
fi
