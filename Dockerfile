# Minsheng image: the same scripts as the README (scripts/setup.sh installs
# system packages, the virtualenv and the Python packages, and compiles the
# translations). One image serves the web process and the django-q2 worker.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app
# Dependencies first, so that a code change does not reinstall them.
COPY requirements/ requirements/
COPY scripts/setup.sh scripts/setup.sh
RUN SKIP_COMPILE_MESSAGES=1 bash scripts/setup.sh
COPY . .
RUN bash scripts/setup.sh \
    && DJANGO_SECRET_KEY=build-only /opt/venv/bin/python manage.py collectstatic --no-input -v0 \
    && useradd --system --home /app minsheng \
    && mkdir -p /app/media && chown -R minsheng /app/media /app/var

USER minsheng
EXPOSE 8000
ENTRYPOINT ["bash", "scripts/entrypoint.sh"]
CMD ["web"]
