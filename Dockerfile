# Minsheng image: the same scripts as the README (scripts/setup.sh installs
# system packages, the virtualenv and the Python packages, and compiles the
# translations). One image serves the web process and the django-q2 worker.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app
COPY . .
RUN bash scripts/setup.sh \
    && DJANGO_SECRET_KEY=build-only /opt/venv/bin/python manage.py collectstatic --no-input -v0

EXPOSE 8000
ENTRYPOINT ["bash", "scripts/entrypoint.sh"]
CMD ["web"]
