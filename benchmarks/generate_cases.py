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
printed.

This module holds the entry points (``generate``, ``verify``) and the command
line; the configuration is in ``case_config``, each case's lifecycle rows and
their writing in ``case_lifecycle``."""

import argparse
import datetime
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
BENCHMARKS = Path(__file__).resolve().parent
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

from case_config import load_config
from case_lifecycle import Writer, accumulate, day_weights, one_case, zipf_weights

ZONE = ZoneInfo("Asia/Shanghai")
CHUNK = 20_000
NUMBER_PREFIX = "SYN"
CASE_TYPES = [("complaint", 34), ("help", 30), ("consultation", 16), ("report", 10), ("suggestion", 7),
              ("praise", 3)]
URGENCIES = [("normal", 94), ("urgent", 5), ("very_urgent", 1)]
SATISFACTION = [("satisfied", 81), ("basically_satisfied", 11), ("unsatisfied", 8)]
VISIT_METHODS = [("phone", 80), ("sms", 10), ("online", 8), ("on_site", 2)]
# Hour-of-day weights (local time): a hotline's day.
HOURS = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 4, 8, 10, 10, 9, 6, 6, 8, 9, 9, 8, 6, 5, 4, 3, 2, 1.5]
TEXTS = [
    ("{item}问题", "我是{place}的居民，反映{item}的问题，已经持续一段时间，希望有关部门尽快处理。"),
    ("关于{item}的投诉", "{place}附近{item}，多次反映未解决，影响正常生活，请尽快协调处理并回复。"),
    ("咨询{item}", "请问{item}相关政策怎么办理？需要准备哪些材料？我在{place}。"),
    ("{place}{item}", "{place}{item}，晚上尤其严重，老人孩子出行不便，请相关单位到现场查看。"),
    ("建议改善{item}", "建议在{place}改善{item}，方便周边群众，希望采纳。"),
]
QUERY_ALPHABET = string.ascii_uppercase + string.digits


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


# ---------------------------------------------------------------- generation


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
    cum_days = list(accumulate(day_weights(start_day, days, years)))
    cum_hours = list(accumulate(HOURS))
    item_weights = list(accumulate(zipf_weights(len(cfg.items), 1.05, rng)))
    region_weights = list(accumulate(zipf_weights(len(cfg.regions), 0.8, rng)))
    channel_weights = list(accumulate(cfg.channel_weights))
    type_names, type_cum = [t for t, _w in CASE_TYPES], list(accumulate(w for _t, w in CASE_TYPES))
    urgency_names, urgency_cum = [u for u, _w in URGENCIES], list(accumulate(w for _u, w in URGENCIES))
    sat_names, sat_cum = [s for s, _w in SATISFACTION], list(accumulate(w for _s, w in SATISFACTION))
    method_names, method_cum = [m for m, _w in VISIT_METHODS], list(accumulate(w for _m, w in VISIT_METHODS))
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
                state = one_case(rng, case_id, row, received, end_utc, case_type, item, place, route, event,
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