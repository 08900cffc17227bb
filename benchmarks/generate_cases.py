"""Realistic synthetic cases for the benchmarks, written fast.

    .venv/bin/python benchmarks/generate_cases.py --cases 1000000 \\
        [--database-url sqlite:////work/main/var/bench_cases.sqlite3] [--seed 1] [--years 3] [--end 2025-11-12]

As a module (inside a configured Django, e.g. a test or another benchmark):
``generate_cases.generate(n, seed=1)`` returns a ``Generated`` (counts, seconds).

The configuration is the database's own when it has one (channels, units,
regions, a routed dispatch directory); otherwise the demo profile's
(``cms.demo``: 高平's regions, units and staff, its channels, the
487-item directory, the time-limit policies and the work calendar) is
loaded first; ``--config synthetic`` builds a small generated one instead.

Each case, over ``--years`` ending at ``--end`` (received at realistic
times: more every year, fewer at weekends and at night): a channel (the
demo's own proportions), a case type, a directory item (Zipf: a few items
take most cases) and the region of a village or community (Zipf too), a
caller (one case in ten from a pool of repeat callers, a few anonymous).
Then its lifecycle, drawn from delays (dispatch after minutes, sign-for
after hours, reply after days, return visit a day or two after the reply,
archiving a month after closing) and cut at ``--end``, so old cases are
closed or archived and recent ones are still open in every state. About 10 %
of consultations are answered on the spot; some cases are merged into an
earlier one, diverted to a legal route or marked invalid; 2 % of dispatched
cases are first sent to the wrong unit and returned; an unsatisfied first
visit sends a third of its cases to a second round. Rows written: the
cases, their events (register, answer, dispatch, sign, reply,
return visit, redispatch, close, archive, merge, divert, invalid), their
assignments (lead, 5 % with a co-handling unit) and return visits, with
raw ``executemany`` (``COPY`` on PostgreSQL) and explicit ids, in one
transaction per chunk of cases.

Approximations, on purpose: the deadlines are the default policy's
(sign-for 2 hours, reply 7 calendar days), not recomputed by the deadline
engine per case; no content fingerprints, roll-ups or warnings are written
(the benchmarks that need them build them through the product's code).

After loading, the counts are checked against what was generated and the
consistency rules below (``verify``) against the rows; rows per second are
printed."""

import argparse
import datetime
import json
import math
import os
import random
import string
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ZONE = ZoneInfo("Asia/Shanghai")
CHUNK = 20_000
NUMBER_PREFIX = "SYN"
CASE_TYPES = [("complaint", 34), ("help", 30), ("consultation", 16), ("report", 10), ("suggestion", 7),
              ("praise", 3)]
URGENCIES = [("normal", 94), ("urgent", 5), ("very_urgent", 1)]
SATISFACTION = [("satisfied", 81), ("basically_satisfied", 11), ("unsatisfied", 8)]
VISIT_METHODS = [("phone", 80), ("sms", 10), ("online", 8), ("on_site", 2)]
DIVERT_ROUTES = ["litigation", "arbitration", "reconsideration", "petition", "other"]
# Hour-of-day weights (local time): a hotline's day.
HOURS = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 4, 8, 10, 10, 9, 6, 6, 8, 9, 9, 8, 6, 5, 4, 3, 2, 1.5]
TEXTS = [
    ("{item}问题", "我是{place}的居民，反映{item}的问题，已经持续一段时间，希望有关部门尽快处理。"),
    ("关于{item}的投诉", "{place}附近{item}，多次反映未解决，影响正常生活，请尽快协调处理并回复。"),
    ("咨询{item}", "请问{item}相关政策怎么办理？需要准备哪些材料？我在{place}。"),
    ("{place}{item}", "{place}{item}，晚上尤其严重，老人孩子出行不便，请相关单位到现场查看。"),
    ("建议改善{item}", "建议在{place}改善{item}，方便周边群众，希望采纳。"),
]
REPLY = "经核实，已安排人员到现场处理，问题已解决，并与来电人沟通。"
QUERY_ALPHABET = string.ascii_uppercase + string.digits


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


@dataclass
class Generated:
    cases: int = 0
    counts: dict = field(default_factory=dict)  # table -> rows written
    states: dict = field(default_factory=dict)
    seconds: float = 0.0  # generating and writing the rows (not the configuration)
    config_seconds: float = 0.0
    write_seconds: float = 0.0  # of which in executemany / COPY, the rows already built
    first_case_id: int = 0
    config_source: str = ""

    @property
    def rows(self):
        return sum(self.counts.values())

    @property
    def rows_per_second(self):
        return self.rows / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- configuration


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


# ---------------------------------------------------------------- writing


class Writer:
    """Rows by attname into one table, explicit ids, raw ``executemany`` (``COPY`` on PostgreSQL)."""

    def __init__(self, model):
        from django.db import connection

        self.connection = connection
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) if f.has_default() else None
                         for f in self.fields}
        for f in self.fields:  # blank text columns without a default hold ""
            if not f.has_default() and not f.null and f.get_internal_type() in ("CharField", "TextField"):
                self.defaults[f.attname] = ""
        self.datetimes = {f.attname for f in self.fields if f.get_internal_type() == "DateTimeField"}
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in self.fields)
        self.rows = []
        self.written = 0
        self.seconds = 0.0  # in executemany / COPY alone
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            # COPY's text format takes the JSON text as it is.
            for f in self.fields:
                if f.get_internal_type() == "JSONField" and f.has_default():
                    self.defaults[f.attname] = json.dumps(f.get_default())
        self.next_id = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def add(self, **row):
        row["id"] = pk = self.next_id
        self.next_id += 1
        if not self.postgres:  # as Django's SQLite backend stores them: naive UTC text
            for name in self.datetimes:
                value = row.get(name)
                if value is not None:
                    row[name] = str(value.replace(tzinfo=None))
        defaults = self.defaults
        self.rows.append(tuple(row[name] if name in row else defaults[name] for name in self.names))
        return pk

    def flush(self):
        if not self.rows:
            return
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.names))
                cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", self.rows)
        self.written += len(self.rows)
        self.rows = []
        self.seconds += time.perf_counter() - started

    def reset_sequence(self):
        if not self.postgres:
            return
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(sql)


# ---------------------------------------------------------------- generation


def zipf_weights(n, s=1.1, rng=None):
    """Zipf weights in a shuffled order (so the busiest items are not the first codes)."""
    weights = [1 / (rank + 1) ** s for rank in range(n)]
    if rng:
        rng.shuffle(weights)
    return weights


def day_weights(start_day, days, years):
    """Daily volume: growing 25 % a year, 60 % at weekends, a winter peak (heating)."""
    out = []
    for d in range(days):
        day = start_day + datetime.timedelta(days=d)
        growth = 1.25 ** (d / 365)
        weekend = 0.6 if day.weekday() >= 5 else 1.0
        season = 1 + 0.15 * math.cos((day.timetuple().tm_yday - 15) / 365 * 2 * math.pi)
        out.append(growth * weekend * season)
    return out


def lifecycle(rng):
    """Delays of a dispatched case's steps (timedelta)."""
    minute, hour, day = datetime.timedelta(minutes=1), datetime.timedelta(hours=1), datetime.timedelta(days=1)
    dispatch = minute * min(rng.lognormvariate(3, 1), 60 * 24)
    sign = hour * min(rng.lognormvariate(0.3, 1.1), 72)
    reply = day * min(rng.lognormvariate(1.0, 0.8), 40)
    visit = hour * rng.uniform(4, 60)
    return dispatch, sign, reply, visit


def generate(n, *, seed=1, end=None, years=3.0, config="auto", chunk=CHUNK, progress=None):
    """Write ``n`` cases with their events, assignments and return visits; returns a ``Generated``."""
    from django.db import connection, transaction

    from casemodels.models import Assignment, Case, CaseEvent, ReturnVisit

    rng = random.Random(seed)
    say = progress or (lambda message: None)
    started = time.perf_counter()
    cfg = load_config(config)
    config_seconds = time.perf_counter() - started
    started = time.perf_counter()
    end = end or datetime.datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)
    if end.tzinfo is None:
        end = end.replace(tzinfo=ZONE)
    days = max(1, int(years * 365))
    start_day = (end - datetime.timedelta(days=days)).date()
    cum_days = list(_accumulate(day_weights(start_day, days, years)))
    cum_hours = list(_accumulate(HOURS))
    item_weights = list(_accumulate(zipf_weights(len(cfg.items), 1.05, rng)))
    region_weights = list(_accumulate(zipf_weights(len(cfg.regions), 0.8, rng)))
    channel_weights = list(_accumulate(cfg.channel_weights))
    type_names, type_cum = [t for t, _w in CASE_TYPES], list(_accumulate(w for _t, w in CASE_TYPES))
    urgency_names, urgency_cum = [u for u, _w in URGENCIES], list(_accumulate(w for _u, w in URGENCIES))
    sat_names, sat_cum = [s for s, _w in SATISFACTION], list(_accumulate(w for _s, w in SATISFACTION))
    method_names, method_cum = [m for m, _w in VISIT_METHODS], list(_accumulate(w for _m, w in VISIT_METHODS))
    repeat_callers = [f"13{rng.randrange(10 ** 9):09d}" for _ in range(max(10, n // 50))]
    end_utc = end.astimezone(datetime.timezone.utc)
    utc = datetime.timezone.utc

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB: the indexes of a million cases
    cases, events = Writer(Case), Writer(CaseEvent)
    assignments, visits = Writer(Assignment), Writer(ReturnVisit)
    result = Generated(cases=n, first_case_id=cases.next_id, config_source=cfg.source, config_seconds=config_seconds)
    states = result.states
    day = datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(start_day, datetime.time(), ZONE)
    recent = deque(maxlen=500)  # (case id, received) of the latest cases, which a duplicate may be merged into

    def event(case_id, action, at, from_state, to_state, unit_id=None, note=""):
        events.add(case_id=case_id, action=action, created_at=at, from_state=from_state, to_state=to_state,
                   unit_id=unit_id, note=note)

    def route(item, region_chain):
        _pk, _name, sector_unit, level, _type = item
        if sector_unit:
            return sector_unit
        if level and level in region_chain:
            unit = cfg.unit_by_region.get(region_chain[level])
            if unit:
                return unit
        return rng.choice(cfg.units)

    all_days = sorted(rng.choices(range(days), cum_weights=cum_days, k=n))  # ids follow the receipt order
    done = 0
    while done < n:
        size = min(chunk, n - done)
        day_picks = all_days[done:done + size]
        hour_picks = rng.choices(range(24), cum_weights=cum_hours, k=size)
        received_list = sorted(
            (midnight + datetime.timedelta(days=d, hours=h, seconds=rng.random() * 3600)).astimezone(utc)
            for d, h in zip(day_picks, hour_picks))
        received_list = [r if r < end_utc else end_utc - datetime.timedelta(seconds=rng.random() * 3600)
                         for r in received_list]
        items = rng.choices(cfg.items, cum_weights=item_weights, k=size)
        places = rng.choices(cfg.regions, cum_weights=region_weights, k=size)
        channels = rng.choices(cfg.channels, cum_weights=channel_weights, k=size)
        types = rng.choices(type_names, cum_weights=type_cum, k=size)
        urgencies = rng.choices(urgency_names, cum_weights=urgency_cum, k=size)
        with transaction.atomic():
            for k in range(size):
                i = done + k
                received = received_list[k]
                item, place, case_type = items[k], places[k], types[k]
                if item[4] and rng.random() < 0.6:
                    case_type = item[4]
                title, text = TEXTS[i % len(TEXTS)]
                roll = rng.random()
                anonymous = roll < 0.02
                phone = "" if anonymous else (rng.choice(repeat_callers) if roll < 0.12
                                              else f"1{rng.choice('3578')}{rng.randrange(10 ** 9):09d}")
                row = dict(
                    number=f"{NUMBER_PREFIX}{cases.next_id:010d}", channel_id=channels[k], case_type=case_type,
                    urgency=urgencies[k], title=title.format(item=item[1], place=place[1])[:200],
                    content=text.format(item=item[1], place=place[1]), region_id=place[0],
                    citizen_name="" if anonymous else "市民", citizen_phone=phone, is_anonymous=anonymous,
                    query_code="".join(rng.choices(QUERY_ALPHABET, k=8)), directory_item_id=item[0],
                    owner_unit_id=cfg.centre_id, received_at=received, updated_at=received,
                    policy_id=cfg.policy_id, sign_due=None, reply_due=received + 7 * day,
                    completion_due=received + 21 * day,
                )
                case_id = cases.next_id
                event(case_id, "register", received, "", "received")
                state = _one_case(rng, case_id, row, received, end_utc, case_type, item, place, route, event,
                                  assignments, visits, recent, sat_names, sat_cum, method_names, method_cum,
                                  cfg.units)
                row["state"] = state
                if state not in ("merged", "invalid", "diverted"):
                    recent.append((case_id, received))
                row["updated_at"] = max(v for v in (received, row.get("dispatched_at"), row.get("replied_at"),
                                                    row.get("closed_at")) if v is not None)
                cases.add(**row)
                states[state] = states.get(state, 0) + 1
            # Cases first: the other rows point to them.
            cases.flush()
            assignments.flush()
            events.flush()
            visits.flush()
        done += size
        say(f"  {done:,} cases ({time.perf_counter() - started:.0f} s)")
    for writer in (cases, events, assignments, visits):
        writer.reset_sequence()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for writer in (cases, events, assignments, visits):
                cursor.execute(f"ANALYZE {writer.table}")
    result.seconds = time.perf_counter() - started
    result.write_seconds = sum(w.seconds for w in (cases, events, assignments, visits))
    result.counts = {"case": cases.written, "event": events.written, "assignment": assignments.written,
                     "return visit": visits.written}
    return result


def _accumulate(values):
    total = 0
    for v in values:
        total += v
        yield total


def _one_case(rng, case_id, row, received, end, case_type, item, place, route, event, assignments, visits,
              recent, sat_names, sat_cum, method_names, method_cum, pool):
    """Fill ``row``'s lifecycle columns and write its events, assignments and visits; returns its state."""
    day = datetime.timedelta(days=1)
    roll = rng.random()
    # Cases that never reach a unit.
    if roll < 0.03 and recent:
        primary_id, primary_at = recent[rng.randrange(len(recent))]
        if primary_at < received:
            at = received + datetime.timedelta(minutes=rng.uniform(5, 120))
            if at <= end:
                row.update(merged_into_id=primary_id, closed_at=at)
                event(case_id, "merge", at, "received", "merged")
                return "merged"
    if roll < 0.045:
        at = received + datetime.timedelta(minutes=rng.uniform(10, 600))
        if at <= end:
            row.update(divert_route=rng.choice(("litigation", "arbitration", "reconsideration", "petition")),
                       closed_at=at)
            event(case_id, "divert", at, "received", "diverted")
            return "diverted"
        return "received"
    if roll < 0.065:
        at = received + datetime.timedelta(minutes=rng.uniform(2, 240))
        if at <= end:
            row["closed_at"] = at
            event(case_id, "invalid", at, "received", "invalid")
            return "invalid"
        return "received"
    if case_type == "consultation" and rng.random() < 0.6:  # answered on the spot
        at = received + datetime.timedelta(minutes=rng.uniform(3, 15))
        if at > end:
            return "received"
        row.update(reply="已当场答复来电人。", replied_at=at, closed_at=at)
        event(case_id, "answer", at, "received", "closed")
        return _archive(rng, case_id, row, at, end, event)

    dispatch, sign, reply, visit = lifecycle(rng)
    dispatched = received + dispatch
    if dispatched > end:
        return "received"
    unit = route(item, place[2])
    if rng.random() < 0.02:  # first sent to the wrong unit, returned, then dispatched again
        wrong = rng.choice(pool)
        back = dispatched + datetime.timedelta(hours=rng.uniform(1, 20))
        assignments.add(case_id=case_id, unit_id=wrong, role="lead", state="returned", round=1,
                        dispatched_at=dispatched, signed_at=None, finished_at=min(back, end),
                        sign_due=dispatched + 2 * datetime.timedelta(hours=1), reply_due=row["reply_due"])
        event(case_id, "dispatch", dispatched, "received", "dispatched", wrong)
        if back > end:
            row.update(dispatched_at=dispatched, sign_due=dispatched + datetime.timedelta(hours=2))
            return "dispatched"
        event(case_id, "review_return", back, "dispatched", "received", wrong)
        dispatched = back + datetime.timedelta(minutes=rng.uniform(5, 90))
        if dispatched > end:
            row.update(dispatched_at=None)
            return "received"
    row.update(dispatched_at=dispatched, sign_due=dispatched + datetime.timedelta(hours=2))
    state = "dispatched"
    event(case_id, "dispatch", dispatched, "received", "dispatched", unit)
    signed = dispatched + sign
    replied = signed + reply
    lead = dict(case_id=case_id, unit_id=unit, role="lead", round=1, dispatched_at=dispatched,
                sign_due=dispatched + datetime.timedelta(hours=2), reply_due=row["reply_due"])
    co = rng.random() < 0.05
    if signed > end:
        assignments.add(state="pending", **lead)
        if co:
            assignments.add(**{**lead, "role": "co", "unit_id": rng.choice(pool),
                               "state": "pending"})
        return state
    event(case_id, "sign", signed, "dispatched", "handling", unit)
    state = "handling"
    if replied > end:
        assignments.add(state="signed", signed_at=signed, **lead)
        if co:
            assignments.add(**{**lead, "role": "co", "unit_id": rng.choice(pool),
                               "state": "signed", "signed_at": signed})
        return state
    assignments.add(state="replied", signed_at=signed, finished_at=replied, **lead)
    if co:
        assignments.add(**{**lead, "role": "co", "unit_id": rng.choice(pool),
                           "state": "replied", "signed_at": signed, "finished_at": replied})
    event(case_id, "reply", replied, "handling", "replied", unit)
    row.update(reply=REPLY, replied_at=replied)
    state = "replied"
    visited = replied + visit
    if visited > end:
        return state
    satisfaction = rng.choices(sat_names, cum_weights=sat_cum)[0]
    resolved = satisfaction != "unsatisfied" or rng.random() < 0.2
    visits.add(case_id=case_id, round=1, method=rng.choices(method_names, cum_weights=method_cum)[0],
               satisfaction=satisfaction, resolved=resolved, visited_at=visited)
    if satisfaction == "unsatisfied" and rng.random() < 1 / 3:  # a second round
        event(case_id, "return_visit", visited, "replied", "dispatched", unit)
        again = visited + datetime.timedelta(hours=rng.uniform(1, 24))
        if again > end:
            row.update(round=2, is_unsatisfied=True)
            return "replied"
        event(case_id, "redispatch", again, "replied", "dispatched", unit)
        _d, sign2, reply2, visit2 = lifecycle(rng)
        replied2 = again + sign2 + reply2
        round2 = dict(case_id=case_id, unit_id=unit, role="lead", round=2, dispatched_at=again,
                      sign_due=again + datetime.timedelta(hours=2), reply_due=again + 7 * day)
        row.update(round=2, dispatched_at=again, reply_due=again + 7 * day, sign_due=round2["sign_due"])
        if replied2 > end:
            signed2 = again + sign2
            if signed2 > end:
                assignments.add(state="pending", **round2)
                return "dispatched"
            assignments.add(state="signed", signed_at=signed2, **round2)
            event(case_id, "sign", signed2, "dispatched", "handling", unit)
            return "handling"
        assignments.add(state="replied", signed_at=again + sign2, finished_at=replied2, **round2)
        event(case_id, "sign", again + sign2, "dispatched", "handling", unit)
        event(case_id, "reply", replied2, "handling", "replied", unit)
        row.update(replied_at=replied2)
        visited = replied2 + visit2
        if visited > end:
            return "replied"
        satisfaction = rng.choices(sat_names, cum_weights=sat_cum)[0]
        visits.add(case_id=case_id, round=2, method="phone", satisfaction=satisfaction,
                   resolved=satisfaction != "unsatisfied", visited_at=visited)
    row["is_unsatisfied"] = satisfaction == "unsatisfied"
    event(case_id, "return_visit", visited, "replied", "replied", unit)
    event(case_id, "close", visited, "replied", "closed")
    row["closed_at"] = visited
    return _archive(rng, case_id, row, visited, end, event)


def _archive(rng, case_id, row, closed, end, event):
    archived = closed + datetime.timedelta(days=rng.uniform(20, 40))
    if archived > end:
        return "closed"
    event(case_id, "archive", archived, "closed", "archived")
    return "archived"


# ---------------------------------------------------------------- checks


def verify(result):
    """Counts written equal the rows found, and the lifecycle's rules hold; returns a list of problems."""
    from django.db.models import F, Q

    from casemodels.models import Assignment, Case, CaseEvent, ReturnVisit

    first = result.first_case_id
    ours = Case.objects.filter(pk__gte=first, number__startswith=NUMBER_PREFIX)
    problems = []
    found = {"case": ours.count(), "event": CaseEvent.objects.filter(case_id__gte=first).count(),
             "assignment": Assignment.objects.filter(case_id__gte=first).count(),
             "return visit": ReturnVisit.objects.filter(case_id__gte=first).count()}
    for table, written in result.counts.items():
        if found[table] != written:
            problems.append(f"{table}: {written} written, {found[table]} found")
    checks = {
        "cases without their register event": ours.exclude(events__action="register"),
        "cases closed before they were received": ours.filter(closed_at__lt=F("received_at")),
        "closed or archived cases without closed_at": ours.filter(state__in=["closed", "archived"],
                                                                  closed_at__isnull=True),
        "open cases with closed_at": ours.filter(state__in=["received", "dispatched", "handling", "replied"],
                                                 closed_at__isnull=False),
        "dispatched cases without a lead assignment": ours.filter(dispatched_at__isnull=False).exclude(
            assignments__role="lead"),
        "replies before dispatch": ours.filter(round=1, replied_at__lt=F("dispatched_at")),
    }
    for name, qs in checks.items():
        count = qs.count()
        if count:
            problems.append(f"{name}: {count}")
    visits_on_unreplied = ReturnVisit.objects.filter(case_id__gte=first).filter(
        Q(case__replied_at__isnull=True) | Q(visited_at__lt=F("case__received_at"))).count()
    if visits_on_unreplied:
        problems.append(f"return visits on cases never replied: {visits_on_unreplied}")
    return problems


# ---------------------------------------------------------------- command line


def prepare_database(url, fresh=False):
    """Point Django at ``url`` (creating a missing PostgreSQL database; ``fresh``: dropping the database
    or the SQLite file first) and migrate it."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    if url.startswith("postgres"):
        import psycopg
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    elif fresh and url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_cases.sqlite3'}"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--end", type=datetime.date.fromisoformat, default=None,
                        help="The last day of the cases (default: now).")
    parser.add_argument("--config", choices=["auto", "existing", "demo", "synthetic"], default="auto")
    parser.add_argument("--fresh", action="store_true",
                        help="Start from an empty database (drops the PostgreSQL database or the SQLite file).")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    prepare_database(args.database_url, fresh=args.fresh)
    from django.db import connection

    end = None if args.end is None else datetime.datetime.combine(args.end, datetime.time(18), ZONE)
    print(f"Generating {args.cases:,} cases into {connection.vendor} ({connection.settings_dict['NAME']}), "
          f"seed {args.seed}")
    result = generate(args.cases, seed=args.seed, end=end, years=args.years, config=args.config,
                      progress=print if args.cases >= 50_000 else None)
    print(f"\nConfiguration ({result.config_source}) in {result.config_seconds:.1f} s; written in {result.seconds:.1f} s: "
          + ", ".join(f"{n:,} {table} rows" for table, n in result.counts.items())
          + f" — {result.rows:,} rows, {result.rows_per_second:,.0f} rows/s, "
          f"{result.cases / result.seconds:,.0f} cases/s; the executemany / COPY alone {result.write_seconds:.1f} s, "
          f"{result.rows / result.write_seconds:,.0f} rows/s")
    print("States: " + ", ".join(f"{s} {c:,} ({c / result.cases:.1%})" for s, c in
                                 sorted(result.states.items(), key=lambda kv: -kv[1])))
    started = time.perf_counter()
    problems = verify(result)
    print(f"Checked in {time.perf_counter() - started:.1f} s: " + ("; ".join(problems) if problems else "all consistent"))
    try:
        from reporting import report
    except ImportError:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from reporting import report
    report("generate_cases", f"{args.cases:,} cases with their events, assignments, visits", result.rows_per_second,
           "rows/s", result.rows / result.write_seconds, "the executemany / COPY of the same rows alone",
           note=f"{result.rows:,} rows in {result.seconds:.0f} s ({result.config_source} configuration)",
           better="higher")
    if args.cases >= 1_000_000:  # the issue: a million cases "in a few minutes"
        report("generate_cases", f"{args.cases:,} cases loaded", result.seconds, "s", target=300)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
