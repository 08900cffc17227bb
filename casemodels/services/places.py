"""Where a request is about: the region named in an address or a text.

Every active region is known by its name and its aliases (the region
snippet's "aliases": other names people use, a street's or an estate's
name for its community, …), and by its name without the suffix of its
level (市; 区/县; 街道/镇/乡; 社区/村) when two characters or more remain.

``match_region`` returns the region whose names occur in the text, chosen
by, in order:

1. how many of its ancestors are named too (“城关镇新华社区” is the 新华社区
   of 城关镇, not a 新华社区 of another township), less the regions named at
   a higher level in another branch (“三甲镇人民路” is in 三甲镇, not in the
   人民社区 of another township);
2. the deepest level;
3. the longest name found (“米西村” over “米西”).

A name found only inside a longer name of another region is not counted
(“三甲” in “三甲镇”).

The names are read once and kept in the process for ``CACHE_SECONDS``
(an edited alias is used within that time by every process); a change
saved in this process is used at once.
"""

from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from snippets.models import Region

from .process_cache import ProcessCache

REGION_SUFFIXES = ("街道", "社区", "镇", "乡", "村", "市", "区", "县")
LEVEL_SUFFIXES = {  # Level values: city, district / county, township / street, village / community
    1: ("市",), 2: ("区", "县", "市"), 3: ("街道", "镇", "乡"), 4: ("社区", "村"),
}
CACHE_SECONDS = 60


def region_names(name, aliases="", level=None):
    """The names a region is known by: its name, its aliases, and its name
    without the suffix of its level (米山镇 → 米山; 新华社区 → 新华, not
    新华社) when two characters or more remain. Aliases are taken as they
    are: they already are what people say."""
    name = name.strip()
    names = {name} | {a.strip() for a in (aliases or "").replace("，", ",").replace("、", ",").split(",")}
    suffix = max((x for x in LEVEL_SUFFIXES.get(level, REGION_SUFFIXES) if name.endswith(x)), key=len, default=None)
    if suffix and len(name) - len(suffix) >= 2:
        names.add(name[: -len(suffix)])
    return {n for n in names if len(n) >= 2}


@dataclass(frozen=True)
class _Place:
    pk: int
    level: int
    parent_id: int | None
    names: tuple


def _read_places():
    rows = Region.objects.filter(is_active=True).values_list("pk", "level", "parent_id", "name", "aliases")
    return {
        pk: _Place(pk, level, parent_id, tuple(sorted(region_names(name, aliases, level), key=len, reverse=True)))
        for pk, level, parent_id, name, aliases in rows
    }


gazetteer = ProcessCache(_read_places, CACHE_SECONDS)


@receiver([post_save, post_delete], sender=Region, dispatch_uid="casemodels.places.forget")
def _forget_on_change(**kwargs):
    gazetteer.forget()


def match_region(text):
    """The region ``text`` is about (see the module docstring), or None."""
    text = text or ""
    if not text.strip():
        return None
    places = gazetteer.get()
    spans = {}  # region id → [(start, end)] of its names in the text
    for place in places.values():
        for name in place.names:
            start = text.find(name)
            while start != -1:
                spans.setdefault(place.pk, []).append((start, start + len(name)))
                start = text.find(name, start + 1)
    # A name found only inside a longer name of another region is not a hit: 三甲 (三甲村 without its
    # suffix) in 三甲镇新华社区 is the township's name.
    every = [(begin, end, pk) for pk, found in spans.items() for begin, end in found]
    hits = {}
    for pk, found in spans.items():
        free = [(b, e) for b, e in found
                if not any(other != pk and ob <= b and e <= oe and oe - ob > e - b for ob, oe, other in every)]
        if free:
            hits[pk] = max(e - b for b, e in free)
    if not hits:
        return None

    def ancestors(place):
        chain, parent = [], place.parent_id
        while parent is not None and parent not in chain and parent in places:
            chain.append(parent)
            parent = places[parent].parent_id
        return chain

    def support(pk):
        """Regions named in the text that are its ancestors, less those named at a higher level in
        another branch (三甲镇人民路: 米山镇's 人民社区 contradicts the 三甲镇 named)."""
        above = ancestors(places[pk])
        named_above = sum(1 for a in above if a in hits)
        contradicting = sum(
            1 for other in hits
            if other != pk and other not in above and places[other].level < places[pk].level
            and pk not in ancestors(places[other])
        )
        return named_above - contradicting

    best = max(hits, key=lambda pk: (support(pk), places[pk].level, hits[pk], -pk))
    return Region.objects.filter(pk=best, is_active=True).first()
