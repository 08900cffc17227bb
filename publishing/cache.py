"""The public cache version: one number that every cached public page is
kept under (``cms.cache``). Bumping it makes every cached page stale at
once; the next request for each renders it afresh.

- ``public_version()`` reads the number from the cache (one read, no SQL).
- ``current_public_version()`` is what each page request asks: the same
  number, read at most once per ``MINSHENG_PUBLIC_VERSION_SECONDS`` (1 s)
  per process when the cache is shared (Redis: a read is a network round
  trip); on a cache local to the process it reads every time (a read costs
  microseconds there, and nothing else could move it).
- ``bump_public_version()`` moves it on (an atomic ``INCR`` on Redis); the
  process that bumps sees the new number at once.
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
every web process and the django-q2 worker: a change anywhere reaches every
process within ``MINSHENG_PUBLIC_VERSION_SECONDS``. On the local-memory
cache (the embedded setup) each process has its own number and its own
cached pages: a bump reaches the process that made the change only, and a
change made in another process (the worker's roll-up refresh, a scheduled
bulletin) shows when the cached page expires (``MINSHENG_PAGE_CACHE_SECONDS``,
``cms.cache``).

When the number is missing (a fresh or cleared cache, an eviction) it starts
again from a random 62-bit number, not from a value used before: a page
cached under an older number cannot come back into use (not even in a
process that keeps pages of its own, ``cms.cache``, nor under a frozen test
clock).

Figures cached apart from the pages (the result board's summary, the
charts) may key their entries on ``public_version()`` as well, so that one
bump renews them together with the pages that show them.
"""

import secrets
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "minsheng:public-version"
DEFAULT_MEMO_SECONDS = 1.0
# Caches each process has to itself: reading the version there costs microseconds.
LOCAL_BACKENDS = frozenset({
    "django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache",
})

_queued = threading.local()
# (version, time.monotonic() when read), shared by the process's threads.
_memo = (None, 0.0)


def _seed():
    return secrets.randbits(62)


def public_version():
    """The current public version, an int, read from the cache."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _seed(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def memo_seconds():
    """How long a process may go on with the version it read: 0 on a cache
    of its own (local memory), ``MINSHENG_PUBLIC_VERSION_SECONDS`` otherwise."""
    if settings.CACHES["default"]["BACKEND"] in LOCAL_BACKENDS:
        return 0
    return getattr(settings, "MINSHENG_PUBLIC_VERSION_SECONDS", DEFAULT_MEMO_SECONDS)


def current_public_version():
    """The public version for a page request: ``public_version()``, kept by
    the process for ``memo_seconds()``."""
    global _memo
    seconds = memo_seconds()
    if seconds:
        version, read_at = _memo
        now = time.monotonic()
        if version is not None and now - read_at < seconds:
            return version
        version = public_version()
        _memo = (version, now)
        return version
    return public_version()


def bump_public_version():
    """Move the public version on: every page cached before is stale.
    Returns the new version."""
    global _memo
    try:
        version = cache.incr(VERSION_KEY)
    except ValueError:  # missing: never read, cleared, or evicted
        cache.add(VERSION_KEY, _seed(), timeout=None)
        version = cache.incr(VERSION_KEY)
    _memo = (version, time.monotonic())
    return version


def forget_public_version():
    """Drop the version this process keeps (tests that clear the cache)."""
    global _memo
    _memo = (None, 0.0)


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
