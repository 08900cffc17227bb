"""Where a request is about: the region named in an address or a text.

Every active region is known by its name and its aliases (the region
snippet's "aliases": other names people use, a street's or an estate's
name for its community, …), and by each of those without its suffix
(镇/乡/街道/村/社区/市/区/县) when two characters or more remain.

``match_region`` returns the region whose names occur in the text, chosen
by, in order:

1. how many of its ancestors are named too (“城关镇新华社区” is the 新华社区
   of 城关镇, not a 新华社区 of another township);
2. the deepest level;
3. the longest name found (“米西村” over “米西”).

The names are read once and kept in the process for ``CACHE_SECONDS``
(an edited alias is used within that time by every process); a change
saved in this process is used at once.
"""

import threading
import time
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from snippets.models import Region

REGION_SUFFIXES = ("街道", "社区", "镇", "乡", "村", "市", "区", "县")
CACHE_SECONDS = 60


def region_names(name, aliases=""):
    """The names a region is known by (see the module docstring)."""
    full = {name.strip()} | {a.strip() for a in (aliases or "").replace("，", ",").replace("、", ",").split(",")}
    short = {
        n[: -len(suffix)] for n in full for suffix in REGION_SUFFIXES
        if n.endswith(suffix) and len(n) - len(suffix) >= 2
    }
    return {n for n in full | short if len(n) >= 2}


@dataclass(frozen=True)
class _Place:
    pk: int
    level: int
    parent_id: int | None
    names: tuple


class _Gazetteer:
    """The active regions' names, with a time to live."""

    def __init__(self):
        self._lock = threading.Lock()
        self._places = None
        self._read_at = 0.0

    def places(self):
        places = self._places
        if places is None or time.monotonic() - self._read_at > CACHE_SECONDS:
            with self._lock:
                rows = Region.objects.filter(is_active=True).values_list("pk", "level", "parent_id", "name", "aliases")
                places = {
                    pk: _Place(pk, level, parent_id, tuple(sorted(region_names(name, aliases), key=len, reverse=True)))
                    for pk, level, parent_id, name, aliases in rows
                }
                self._places, self._read_at = places, time.monotonic()
        return places

    def forget(self):
        with self._lock:
            self._places = None


gazetteer = _Gazetteer()


@receiver([post_save, post_delete], sender=Region, dispatch_uid="casemodels.places.forget")
def _forget_on_change(**kwargs):
    gazetteer.forget()


def match_region(text):
    """The region ``text`` is about (see the module docstring), or None."""
    text = text or ""
    if not text.strip():
        return None
    places = gazetteer.places()
    hits = {}
    for place in places.values():
        for name in place.names:  # longest first
            if name in text:
                hits[place.pk] = len(name)
                break
    if not hits:
        return None

    def named_ancestors(place):
        count, seen, parent = 0, {place.pk}, place.parent_id
        while parent is not None and parent not in seen:
            seen.add(parent)
            count += parent in hits
            parent = places[parent].parent_id if parent in places else None
        return count

    best = max(hits, key=lambda pk: (named_ancestors(places[pk]), places[pk].level, hits[pk], -pk))
    return Region.objects.filter(pk=best, is_active=True).first()
