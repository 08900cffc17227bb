#!/usr/bin/env bash
# The first command of the README: install everything, prepare an embedded
# SQLite database with the demo profile (高平 + the rules of 宁国, 珙县,
# 市南, 莱山) and run the site together with a django-q2 worker.
# Environment: PORT (default 8000), HOST (default 0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=${VENV:-.venv}/bin/python

if [ ! -f .env ]; then
  echo "==> Writing .env with a fresh secret key (local demo settings)"
  {
    echo "DJANGO_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
    echo "DJANGO_DEBUG=true"
  } > .env
fi

echo "==> Preparing the database"
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py load_demo
"$PY" manage.py collectstatic --no-input -v0

HOST=${HOST:-0.0.0.0}
PORT=${PORT:-8000}
echo "==> Starting the django-q2 worker"
"$PY" manage.py qcluster &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM

cat <<TXT

  Minsheng is running.
    Public site:   http://localhost:$PORT/
    Admin:         http://localhost:$PORT/admin/
    GraphQL:       http://localhost:$PORT/graphql/
  Demo accounts (password minsheng-demo): admin, dispatcher, visitor, supervisor, zhujian, dongcheng
  (load_demo above lists every account). Stop with Ctrl-C.

TXT
"$PY" manage.py runserver "$HOST:$PORT"
