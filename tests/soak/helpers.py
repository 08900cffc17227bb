"""Helpers of the fault tests: the environment of the worker processes for
the test database, enqueuing a task for them, waiting on the database."""

import time

from django.db import connection
from django_q.tasks import async_task

from benchmarks.load.harness import environment


def test_database_url():
    """The URL of the database this test runs on (pytest-django's test database, committed data)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_environment(**extra):
    """The production settings (not the suite's: no sync mode) on the test database."""
    return {**environment(test_database_url(), **extra), "DJANGO_SETTINGS_MODULE": "config.settings"}


def enqueue(func, *args, **kwargs):
    """Put a task in the ORM broker's queue for a running cluster (never run here, whatever Q_SYNC says)."""
    return async_task(func, *args, sync=False, **kwargs)


def wait_for(condition, *, timeout, every=0.05, what="the condition"):
    """Poll ``condition()`` (autocommit: each query reads the database afresh) until it is truthy; its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s")
        time.sleep(every)
