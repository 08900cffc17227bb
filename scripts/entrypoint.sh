#!/usr/bin/env bash
# Container entry point: `web` (migrate, then gunicorn), `worker` (django-q2)
# or `demo` (migrate, load the demo profile, then web).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${VENV:-.venv}/bin/python
case "${1:-web}" in
  web)
    "$PY" manage.py migrate --no-input
    exec "${VENV:-.venv}/bin/gunicorn" config.wsgi --bind 0.0.0.0:8000 --workers "${WEB_WORKERS:-3}" --timeout 60
    ;;
  worker)
    exec "$PY" manage.py qcluster
    ;;
  demo)
    "$PY" manage.py migrate --no-input
    "$PY" manage.py load_demo
    exec "${VENV:-.venv}/bin/gunicorn" config.wsgi --bind 0.0.0.0:8000 --workers "${WEB_WORKERS:-3}" --timeout 60
    ;;
  *)
    exec "$@"
    ;;
esac
