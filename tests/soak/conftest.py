"""The long fault tests (SIGKILLed worker, PostgreSQL restarted under load)
are opt-in: they start real processes (django-q2 clusters, gunicorn, a
private PostgreSQL server) and take minutes. ``make soak`` (scripts/soak.sh)
runs them with ``MINSHENG_SOAK=1``; the normal test command skips them,
saying so. They need PostgreSQL (the database the suite runs on)."""

import os

import pytest
from django.conf import settings

HERE = os.path.dirname(__file__)


def pytest_collection_modifyitems(config, items):
    mine = [item for item in items if str(item.fspath).startswith(HERE)]
    if not mine:
        return
    if os.environ.get("MINSHENG_SOAK") != "1":
        reason = "long fault test: run with `make soak` (MINSHENG_SOAK=1)"
    elif "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        reason = "the fault tests need PostgreSQL: set DATABASE_URL=postgres://…"
    else:
        return
    for item in mine:
        item.add_marker(pytest.mark.skip(reason=reason))
