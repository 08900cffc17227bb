"""Counting what anonymous callers do, in the Django cache (Redis in
production, shared by every web worker), to slow down guessing and flooding:
wrong query codes of ``trackCase``, submissions of ``submitCase``.

A ``Throttle`` has named buckets (``client``, ``case`` …); each bucket value
(an IP address, a case number) is hashed into its own counter, which lives
``window`` seconds from its first hit; the window is not extended by later
hits (``incr`` keeps the expiry). A caller is throttled when any of its
buckets has reached ``limit``."""

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


class Throttle:
    def __init__(self, name, *, limit, window):
        self.name, self.limit, self.window = name, limit, window

    def keys(self, **buckets):
        return [
            f"{self.name}:{bucket}:" + hashlib.sha256(str(value).encode()).hexdigest()[:40]
            for bucket, value in buckets.items()
        ]

    def exceeded(self, **buckets):
        """Has any bucket reached the limit? Counts nothing."""
        counts = cache.get_many(self.keys(**buckets))
        return any((count or 0) >= self.limit for count in counts.values())

    def hit(self, **buckets):
        """Count one attempt in every bucket; the highest count after it."""
        highest = 0
        for key in self.keys(**buckets):
            cache.add(key, 0, self.window)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, self.window)
                count = 1
            if count == self.limit:
                logger.warning("%s: %s attempts (%s); refused for up to %ss", self.name, count, key, self.window)
            highest = max(highest, count)
        return highest

    def allow(self, **buckets):
        """Count one attempt and say whether it is within the limit (the
        count comes first, so attempts made at the same time cannot all
        slip in under it)."""
        return self.hit(**buckets) <= self.limit

    def reset(self, **buckets):
        """Forget the counts of these buckets (e.g. after a successful sign-in)."""
        cache.delete_many(self.keys(**buckets))
