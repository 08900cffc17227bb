"""The public cache version: one number that every cached public page is
kept under (``cms.cache``). Bumping it makes every cached page stale at
once; the next request for each renders it afresh.

- ``public_version()`` reads the number: one cache read, no SQL.
- ``bump_public_version()`` moves it on (an atomic ``INCR`` on Redis).
- ``public_content_changed()`` is what the signal receivers call (``cms.signals``:
  pages published, unpublished, moved or deleted; bulletins; the snippets
  pages show; a roll-up refresh that recomputed figures): it bumps now and
  once more when the transaction commits. The bump after the commit is the
  one that counts — a page rendered between the change and the commit read
  the old rows, and the second bump makes it stale. The bump now keeps a
  request made inside the same transaction (a test, a script) from seeing
  the page as it was cached before. The bump after the commit is queued
  once per transaction, whatever the number of rows saved in it (an import).

The number lives in the default cache. On Redis (production) it is shared by
every web process and the django-q2 worker, so a change anywhere reaches all
of them at once. On the local-memory cache (the embedded setup) each
process has its own number and its own cached pages: a bump reaches the
process that made the change only, and a change made in another process
(the worker's roll-up refresh, a scheduled bulletin) shows when the cached
page expires (``MINSHENG_PAGE_CACHE_SECONDS``, ``cms.cache``).

When the number is missing (a fresh cache, an eviction) it starts again from
the clock in microseconds, never from a value used before: a page cached
under an older number cannot come back into use.

Figures cached apart from the pages (the result board, the charts) may key
their entries on ``public_version()`` as well, so that one bump renews them
together with the pages that show them.
"""

import threading
import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "minsheng:public-version"

_queued = threading.local()


def _seed():
    return time.time_ns() // 1000


def public_version():
    """The current public version, an int."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _seed(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_public_version():
    """Move the public version on: every page cached before is stale.
    Returns the new version."""
    try:
        return cache.incr(VERSION_KEY)
    except ValueError:  # missing: never read, or evicted
        cache.add(VERSION_KEY, _seed(), timeout=None)
        return cache.incr(VERSION_KEY)


def public_content_changed(using=None):
    """Something the public sees has changed (or will, when the current
    transaction commits): bump the version now and, inside a transaction,
    once more on commit (queued once per transaction)."""
    bump_public_version()
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return
    # Django starts a new run_on_commit list at every commit and rollback: a
    # bump queued on the current list is still to come.
    pending = getattr(_queued, "lists", {})
    if pending.get(connection.alias) is connection.run_on_commit:
        return
    transaction.on_commit(bump_public_version, using=using)
    pending[connection.alias] = connection.run_on_commit
    _queued.lists = pending
