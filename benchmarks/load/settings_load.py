"""Settings of the gunicorn workers under ``run_load.py``: the production
settings with ONE change, made here in the open and printed by the driver.

- ``MINSHENG_SUBMIT_LIMIT``: the public submission throttle allows 20
  submissions per client address per hour. The load test's 50 clients each
  send their own ``X-Forwarded-For`` address (the driver sets
  ``MINSHENG_TRUSTED_PROXY_COUNT=1``, as behind one nginx), but one client
  still submits far more than 20 requests a minute; the limit is raised so
  that the submissions are served rather than refused. The throttle itself
  is tested in tests/publishing and tests/api."""

from config.settings import *  # noqa: F401,F403

MINSHENG_SUBMIT_LIMIT = 1_000_000
