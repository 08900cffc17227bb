"""The configuration the benchmarks' synthetic cases point to (see ``generate_cases``).

``load_config`` reads the database's own channels, units, regions, routed
directory items and time-limit policy into a ``Config``; when the database
has none, it first loads the demo profile's (``cms.demo``) or, with
``source="synthetic"`` (or without ``cms.demo``), writes a small generated
one (``synthetic_config``)."""

import random
from dataclasses import dataclass


@dataclass
class Config:
    """What the cases point to: ids and weights, read once."""

    centre_id: int
    channels: list  # channel ids
    channel_weights: list
    items: list  # (id, name, sector unit id or None, territorial level or None, default case type)
    regions: list  # (id, name, {level: ancestor region id}) of the lowest levels
    units: list  # ids of the units that handle cases (fallback routing)
    unit_by_region: dict  # region id -> unit id
    policy_id: int | None
    source: str



def load_config(source="auto"):
    """The database's configuration; the demo profile's (or a generated one) when it has none."""
    from snippets.models import DirectoryItem, Unit

    have = (Unit.objects.exists() and DirectoryItem.objects.exclude(routing="none").exists())
    if source == "auto":
        source = "existing" if have else "demo"
    if source == "demo" and not have:
        try:
            load_demo_config()
        except ImportError:  # cms.demo absent: a generated configuration instead
            source = "synthetic"
    elif source == "existing" and not have:
        raise RuntimeError("The database has no configuration (units and a routed directory); "
                           "use --config demo or --config synthetic.")
    if source == "synthetic" and not have:
        synthetic_config(random.Random(0))  # its own generator: the cases come out the same on any configuration
    return read_config(source)


def load_demo_config():
    """The demo profile's organisation, channels, directory, policies and calendar (not its cases or pages)."""
    from collections import Counter

    from django.db import transaction

    from cms.demo import deadline_recompute_paused, directory, organisation, policies

    stats = Counter()
    with deadline_recompute_paused(), transaction.atomic():
        organisation.load(stats)
        policies.load_channels(stats)
        directory.load(stats)
        policies.load_policies(stats)
        policies.load_calendar(stats)
    return stats


def synthetic_config(rng):
    """A small generated configuration: 20 departments, 16 townships of 4 villages, 10 channels, 480 items
    (written with ``bulk_create``: no revisions or search-index entries)."""
    from django.db import transaction

    from snippets.models import Channel, DirectoryItem, Level, PolicyLimit, Region, TimeLimitPolicy, Unit

    with transaction.atomic():
        city = Region.objects.create(name="市", code="syn-city", level=Level.CITY)
        centre = Unit.objects.create(name="指挥中心", code="syn-centre", kind=Unit.Kind.CENTRE, level=Level.CITY,
                                     region=city)
        depts = Unit.objects.bulk_create(
            Unit(name=f"局{i}", code=f"syn-d{i}", kind=Unit.Kind.DEPARTMENT, level=Level.CITY, parent=centre)
            for i in range(20))
        towns = Region.objects.bulk_create(
            Region(name=f"镇{i}", code=f"syn-t{i}", level=Level.TOWNSHIP, parent=city) for i in range(16))
        town_units = Unit.objects.bulk_create(
            Unit(name=f"镇政府{i}", code=f"syn-town{i}", kind=Unit.Kind.TOWNSHIP, level=Level.TOWNSHIP,
                 parent=centre, region=region) for i, region in enumerate(towns))
        villages = Region.objects.bulk_create(
            Region(name=f"村{i}-{j}", code=f"syn-t{i}-{j}", level=Level.VILLAGE, parent=region)
            for i, region in enumerate(towns) for j in range(4))
        Unit.objects.bulk_create(
            Unit(name=f"村委{v.code[5:]}", code=f"syn-v{v.code[5:]}", kind=Unit.Kind.COMMUNITY,
                 level=Level.VILLAGE, parent=town_units[k // 4], region=v) for k, v in enumerate(villages))
        Channel.objects.bulk_create(Channel(name=f"渠道{i}", code=f"syn-ch{i}") for i in range(10))
        classes = DirectoryItem.objects.bulk_create(
            DirectoryItem(name=f"大类{c}", code=f"SYN{c:02d}") for c in range(40))
        items = []
        for c, parent in enumerate(classes):
            for k in range(12):
                territorial = rng.random() < 1 / 3
                items.append(DirectoryItem(
                    name=f"事项{c}-{k}", code=f"SYN{c:02d}{k:02d}", parent=parent,
                    routing="territorial" if territorial else "sector",
                    sector_unit=None if territorial else rng.choice(depts),
                    territorial_level=Level.TOWNSHIP if territorial else None))
        DirectoryItem.objects.bulk_create(items)
        policy = TimeLimitPolicy.objects.create(name="通用", priority=1000)
        PolicyLimit.objects.bulk_create([PolicyLimit(policy=policy, kind="sign", amount=2, unit="hours"),
                                         PolicyLimit(policy=policy, kind="reply", amount=5, unit="working_days")])


def read_config(source):
    from snippets.models import Channel, DirectoryItem, Region, TimeLimitPolicy, Unit

    try:
        from cms.demo.case_plan import GENERAL_CHANNELS
        demo_weights = dict(GENERAL_CHANNELS)
    except ImportError:
        demo_weights = {}
    channels = list(Channel.objects.filter(is_active=True).order_by("sort_order", "pk").values_list("pk", "code")) \
        if hasattr(Channel, "is_active") else list(Channel.objects.order_by("pk").values_list("pk", "code"))
    if not channels:
        raise RuntimeError("No channel configured.")
    weights = [demo_weights.get(code, 0) or 1 / (rank + 2) for rank, (_pk, code) in enumerate(channels)]
    regions = {pk: (name, level, parent) for pk, name, level, parent in
               Region.objects.values_list("pk", "name", "level", "parent_id")}
    has_child = {parent for _n, _l, parent in regions.values() if parent}
    leaves = []
    for pk, (name, level, parent) in sorted(regions.items()):
        if pk in has_child or parent is None:
            continue
        chain, up = {level: pk}, parent
        while up:
            _n, up_level, up_parent = regions[up]
            chain[up_level] = up
            up = up_parent
        leaves.append((pk, name, chain))
    # Grids are too fine for a caller's place: keep the villages and communities above them.
    top_level = max((lvl for _pk, _n, chain in leaves for lvl in chain), default=0)
    by_village = {}
    for pk, name, chain in leaves:
        level = max(chain)
        if level == top_level and len(chain) > 3:  # a grid below a village: use its village
            parent_level = sorted(chain)[-2]
            village = chain[parent_level]
            by_village[village] = (village, regions[village][0],
                                   {lvl: rid for lvl, rid in chain.items() if lvl <= parent_level})
        else:
            by_village[pk] = (pk, name, chain)
    centre = Unit.objects.filter(kind="centre").order_by("level", "pk").first() or Unit.objects.order_by("pk").first()
    units = list(Unit.objects.exclude(pk=centre.pk).values_list("pk", "region_id", "kind"))
    unit_by_region = {}
    for pk, region_id, _kind in units:
        if region_id and region_id not in unit_by_region:
            unit_by_region[region_id] = pk
    items = list(DirectoryItem.objects.exclude(routing="none").order_by("code").values_list(
        "pk", "name", "sector_unit_id", "territorial_level", "default_case_type"))
    policy = TimeLimitPolicy.objects.order_by("-priority", "pk").values_list("pk", flat=True).first()
    return Config(centre_id=centre.pk, channels=[pk for pk, _c in channels], channel_weights=weights,
                  items=items, regions=list(by_village.values()),
                  units=[pk for pk, _r, kind in units if kind != "centre"] or [centre.pk],
                  unit_by_region=unit_by_region, policy_id=policy, source=source)
