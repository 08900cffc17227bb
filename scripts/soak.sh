#!/usr/bin/env bash
# `make soak`: the long tests, each printing its figures (minutes; loopback only; PostgreSQL needed).
#   1. the load test: 50 clients for 60 s against gunicorn (4 workers) on a fresh database
#      (benchmarks/load/run_load.py; LOAD_ARGS to change it, e.g. LOAD_ARGS="--users 20 --seconds 30");
#   2. the fault tests (tests/soak/): the django-q2 worker SIGKILLed mid-sweep, mid-delivery and mid-render,
#      a private PostgreSQL server restarted under load (initdb/pg_ctl from MINSHENG_SOAK_PG_BIN, default
#      /usr/local/bin; run as the postgres user when root);
#   3. the long property and fuzz runs (MINSHENG_SOAK=1 gives them more examples).
# DATABASE_URL: the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/minsheng_soak; pytest makes
# test_minsheng_soak, the load test minsheng_load beside it). Exit status: non-zero when any part failed.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${VENV:-.venv}/bin/python
export MINSHENG_SOAK=1
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/minsheng_soak}
[[ "$DATABASE_URL" == postgres* ]] || { echo "make soak needs PostgreSQL: DATABASE_URL=postgres://…"; exit 2; }
export LOAD_ADMIN_DATABASE_URL=${LOAD_ADMIN_DATABASE_URL:-${DATABASE_URL%/*}/postgres}
failed=()

echo "==> Load test (benchmarks/load/run_load.py ${LOAD_ARGS:-})"
# shellcheck disable=SC2086
"$PY" benchmarks/load/run_load.py ${LOAD_ARGS:-} || failed+=("load test")

echo "==> Fault tests (tests/soak/)"
# --create-db --reuse-db: a fresh test database, kept for the property runs below (migrating takes minutes).
DJANGO_SETTINGS_MODULE=config.settings_test LOG_LEVEL=${LOG_LEVEL:-WARNING} "$PY" -m pytest tests/soak -s -v \
  -p no:cacheprovider --create-db --reuse-db || failed+=("fault tests")

echo "==> Long property and fuzz runs"
long=()
for f in tests/casemodels/test_lifecycle_stateful.py tests/api/test_fuzz.py; do
  [ -e "$f" ] && long+=("$f") || echo "    ($f is not there yet: skipped)"
done
if [ ${#long[@]} -gt 0 ]; then
  DJANGO_SETTINGS_MODULE=config.settings_test "$PY" -m pytest "${long[@]}" -q -p no:cacheprovider --reuse-db \
    --hypothesis-show-statistics || failed+=("property and fuzz runs")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "==> make soak FAILED: ${failed[*]}"
  exit 1
fi
echo "==> make soak passed"
