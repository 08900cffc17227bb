"""Duplicates and suggestions at scale: ``similar_cases`` and
``suggest_dispatch`` with 1,000,000 cases in the database, beside
baselines measured in the same run.

    .venv/bin/python benchmarks/bench_similar.py [--cases 1000000] [--queries 300] [--reuse]

Uses a SQLite file in var/ (``bench_similar.sqlite3``) unless DATABASE_URL
is set (a PostgreSQL URL gets a test database created by Django).
``--reuse`` keeps the database and reuses it, so the rows are written once.

The data: a year of a large centre, written with raw ``executemany``:
``--cases`` cases received evenly over 365 days (about 2,700 a day), each
with a phone (one in ten callers calls again), one of 480 directory items
(closed ones: one of 40 categories, or one of the 7 classes of the real
messages, which the model learns from), one of 81 regions and a text. The texts are the 821 real citizen messages of
``../shared/data/messages_labelled_dev.csv`` (title and details), each told
again with a few characters changed, or, without that file, sentences
assembled from a word list. The fingerprints of the last eight days are
written by the product's own ``refresh_fingerprints`` (timed: what the
hourly task does after a bulk import).

Timed, per call, over ``--queries`` requests taken from the last week (half
of them a recent case's text told again, so that there is something to
find), as a dispatcher of the command centre (sees every case) and as a
department's handler (sees its own):

- ``similar_cases(user, content, phone, directory_item, region)``: all
  three signals;
- the baselines: a bare indexed look-up of the five latest cases from a
  phone (``citizen_phone`` index), and the previous implementation's way of
  finding near-identical text — comparing the text with the 500 most recent
  cases one by one — which finds nothing older than those 500 (a few hours
  at this volume);
- ``suggest_dispatch(content, address)`` with a model trained on the 821
  messages (7 items) and keyword rules on the 480 items, beside the model's
  bare ``rank`` (its arithmetic alone).

Targets (issue 7): similar_cases ≤ 50 ms and a suggestion ≤ 20 ms at p50.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
DB_FILE = ROOT / "var" / "bench_similar.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{DB_FILE}")

from reporting import report  # noqa: E402

NOW = datetime.datetime(2025, 11, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CSV = ROOT.parent / "shared" / "data" / "messages_labelled_dev.csv"
WORDS = ["小区", "门口", "路灯", "不亮", "垃圾", "清运", "噪音", "施工", "扰民", "停水", "水压", "物业", "停车", "占道",
         "经营", "油烟", "排放", "公交", "站台", "积水", "井盖", "破损", "学校", "医保", "社保", "补贴", "拖欠", "工资"]


def texts(rng):
    """``[(title, content, label)]``: the real messages when there, else made-up ones."""
    if CSV.is_file():
        from bench_dispatch import read_messages

        return [(m["title"], m["content"], m["label"]) for m in read_messages(CSV)]
    made = []
    for i in range(800):
        words = rng.sample(WORDS, 8)
        made.append((words[0] + words[1], "，".join("".join(rng.sample(WORDS, 3)) for _ in range(6)) + "。",
                     f"类{i % 7}"))
    return made


def retold(text, rng, changes=3):
    """The text told again with a few characters changed."""
    chars = list(text)
    for _ in range(min(changes, len(chars))):
        chars[rng.randrange(len(chars))] = rng.choice("的了是在有和也就都还")
    return "".join(chars)


def build(n_cases, rng, corpus):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from bench_sweep import raw_insert
    from casemodels.models import Case
    from snippets.models import Channel, DirectoryItem, Level, Region, Role, StaffProfile, TimeLimitPolicy, Unit

    ts = connection.ops.adapt_datetimefield_value
    city = Region.objects.create(name="高平市", code="city", level=Level.CITY)
    centre = Unit.objects.create(name="指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY, region=city)
    units = [Unit.objects.create(name=f"局{i}", code=f"dept{i}", kind=Unit.Kind.DEPARTMENT, level=Level.CITY,
                                 parent=centre) for i in range(20)]
    regions = [city]
    for i in range(16):
        town = Region.objects.create(name=f"{'东南西北'[i % 4]}{i}镇", code=f"t{i}", level=Level.TOWNSHIP, parent=city,
                                     aliases=f"第{i}街道")
        regions.append(town)
        regions += [Region.objects.create(name=f"{town.name}{j}村", code=f"t{i}-{j}", level=Level.VILLAGE, parent=town)
                    for j in range(4)]
    roles = {r.code: r for r in Role.objects.all()}
    User = get_user_model()
    for unit in [centre, units[0]]:
        code = "dispatcher" if unit is centre else "handler"
        user = User.objects.create_user(f"{unit.code}-{code}", password="x")
        StaffProfile.objects.create(user=user, name=f"{unit.name}{code}", unit=unit).roles.set([roles[code]])
    channels = [Channel.objects.create(name=f"渠道{i}", code=f"ch{i}") for i in range(10)]
    classes = [DirectoryItem.objects.create(name=f"大类{i}", code=f"C{i:02d}") for i in range(40)]
    items = [DirectoryItem.objects.create(
        name=f"{WORDS[(i * 12 + k) % len(WORDS)]}事项{i}-{k}", code=f"{c.code}-{k:02d}", parent=c,
        routing=DirectoryItem.Routing.SECTOR, sector_unit=units[(i + k) % 20],
        keywords=",".join(rng.sample(WORDS, 3))) for i, c in enumerate(classes) for k in range(12)]
    labels = sorted({label for _t, _c, label in corpus})
    learned = {label: DirectoryItem.objects.create(
        name=label, code=f"L{n}", routing=DirectoryItem.Routing.SECTOR, sector_unit=units[n]) for n, label in
        enumerate(labels)}
    policy = TimeLimitPolicy.objects.create(name="通用", priority=1000)
    callers = [f"13{rng.randrange(10 ** 9):09d}" for _ in range(max(1, n_cases // 10))]
    span = 365 * 86400

    def cases():
        for i in range(n_cases):
            received = NOW - datetime.timedelta(seconds=span * (n_cases - i) / n_cases)
            title, content, label = corpus[rng.randrange(len(corpus))]
            closed = received < NOW - datetime.timedelta(days=30)
            phone = rng.choice(callers) if rng.random() < 0.1 else f"13{rng.randrange(10 ** 9):09d}"
            yield {
                "number": f"SM{i:09d}", "channel_id": rng.choice(channels).pk, "case_type": "complaint",
                "urgency": "normal", "title": title[:200], "content": retold(content, rng), "address": "",
                "region_id": rng.choice(regions).pk, "citizen_name": "张三", "citizen_phone": phone,
                "citizen_id_number": "", "is_anonymous": False, "is_confidential": False, "query_code": "ABCDEFGH",
                # closed ones: the real messages' classes (learned from), else a category (not learned from:
                # this benchmark times suggestions, bench_dispatch_scale the training over many items)
                "directory_item_id": (learned[label] if rng.random() < 0.05 else rng.choice(classes)).pk
                if closed else rng.choice(items).pk,
                "state": "closed" if closed else "handling", "round": 1, "owner_unit_id": centre.pk,
                "divert_route": "", "reply": "", "is_unsatisfied": False, "is_public": False,
                "received_at": ts(received), "updated_at": ts(received), "policy_id": policy.pk,
                "closed_at": ts(received + datetime.timedelta(days=3)) if closed else None,
                "replied_at": ts(received + datetime.timedelta(days=2)) if closed else None,
                "deadlines_provisional": False, "version": 1,
            }

    with transaction.atomic():
        raw_insert(Case, cases())
    return {"centre": centre, "dept": units[0], "items": items, "regions": regions}


def quantiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import setup_test_environment

    rng = random.Random(7)
    corpus = texts(rng)
    setup_test_environment()
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        DB_FILE.parent.mkdir(exist_ok=True)
        fresh = not (args.reuse and DB_FILE.exists())
        if fresh:
            for path in (DB_FILE, DB_FILE.with_name(DB_FILE.name + "-wal"), DB_FILE.with_name(DB_FILE.name + "-shm")):
                path.unlink(missing_ok=True)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        db_name = str(DB_FILE)
    else:
        db_name = connection.creation.create_test_db(verbosity=0, autoclobber=not args.reuse, keepdb=args.reuse)
        from casemodels.models import Case

        fresh = not Case.objects.exists()
    try:
        import time_machine

        from casemodels.models import Case, CaseFingerprint
        from casemodels.services.duplicates import similar_cases
        from casemodels.services.fingerprints import refresh_fingerprints
        from casemodels.services.learning import forget_loaded_model, train_dispatch_model
        from casemodels.services.learning.store import active_model
        from casemodels.services.suggestions import suggest_dispatch
        from casemodels.services.text import bigrams, overlap
        from snippets.models import DirectoryItem, Region, Unit

        with time_machine.travel(NOW, tick=True):
            if fresh:
                started = time.perf_counter()
                build(args.cases, rng, corpus)
                print(f"built {args.cases:,} cases in {time.perf_counter() - started:.0f} s", flush=True)
                started = time.perf_counter()
                counts = refresh_fingerprints(now=NOW)
                print(f"refresh_fingerprints (backfill of the last 8 days): {counts['written']:,} rows in "
                      f"{time.perf_counter() - started:.1f} s", flush=True)
                started = time.perf_counter()
                result = train_dispatch_model(now=NOW)
                print(f"training: {result.message} ({time.perf_counter() - started:.1f} s)", flush=True)
            forget_loaded_model()
            User = get_user_model()
            dispatcher = User.objects.get(username="centre-dispatcher")
            handler = User.objects.get(username="dept0-handler")
            week = Case.objects.filter(received_at__gte=NOW - datetime.timedelta(days=7))
            recent = list(week.order_by("?").values_list("content", "citizen_phone", "directory_item_id",
                                                          "region_id")[:args.queries])
            items = DirectoryItem.objects.in_bulk([r[2] for r in recent])
            regions = Region.objects.in_bulk([r[3] for r in recent])
            queries = []
            for n, (content, phone, item, region) in enumerate(recent):
                text = retold(content, rng, changes=4) if n % 2 == 0 else corpus[rng.randrange(len(corpus))][1]
                queries.append((text, phone if n % 3 == 0 else f"13{rng.randrange(10 ** 9):09d}", items[item],
                                regions[region]))

            def timed(fn):
                samples, found = [], 0
                for query in queries:
                    start = time.perf_counter()
                    found += bool(fn(*query))
                    samples.append(time.perf_counter() - start)
                return (*quantiles(samples), found)

            def old_way(text, *_rest):  # before the fingerprints: the 500 most recent, one by one
                grams = bigrams(text)
                return [c for c, in week.order_by("-received_at").values_list("content")[:500]
                        if overlap(grams, bigrams(c)) >= 0.6]

            rows = [
                ("similar_cases, command centre dispatcher (all cases)",
                 timed(lambda t, p, i, r: similar_cases(dispatcher, t, p, directory_item=i, region=r, now=NOW))),
                ("similar_cases, a department's handler (its cases)",
                 timed(lambda t, p, i, r: similar_cases(handler, t, p, directory_item=i, region=r, now=NOW))),
                ("baseline: 5 latest cases from a phone (bare indexed SELECT)",
                 timed(lambda t, p, i, r: list(Case.objects.filter(citizen_phone=p).order_by("-received_at")
                                               .values_list("pk", "number")[:5]))),
                ("baseline: the former text comparison with the 500 most recent cases", timed(old_way)),
            ]
            active_model()  # loaded once, as a running process has it
            rows += [
                ("suggest_dispatch (rules on 487 items + learned model)",
                 timed(lambda t, p, i, r: suggest_dispatch(t, f"{r.name}"))),
                ("baseline: the learned model's bare rank (arithmetic only)",
                 timed(lambda t, p, i, r: active_model().rank(t, limit=3))),
            ]
        print(f"\nMinsheng duplicates and suggestions at scale — {connection.vendor}, {Case.objects.count():,} cases, "
              f"{CaseFingerprint.objects.count():,} fingerprint rows, {Unit.objects.count()} units, "
              f"{len(queries)} queries, Python {sys.version.split()[0]}\n")
        print("| call | p50 ms | p95 ms | found something |")
        print("|---|---|---|---|")
        for name, (p50, p95, found) in rows:
            print(f"| {name} | {p50:.1f} | {p95:.1f} | {found}/{len(queries)} |")
        figures = dict(rows)
        phone_base = figures["baseline: 5 latest cases from a phone (bare indexed SELECT)"][0]
        for name, target in (("similar_cases, command centre dispatcher (all cases)", 50),
                             ("similar_cases, a department's handler (its cases)", 50)):
            report("bench_similar", f"{name.split(',')[0]} p50,{name.split(',')[1].split('(')[0].rstrip()}",
                   figures[name][0], "ms", phone_base, "bare indexed SELECT of a phone's 5 latest cases",
                   target=target, n=len(queries), note=f"{args.cases:,} cases")
        report("bench_similar", "similar_cases p50 vs the former text comparison",
               figures["similar_cases, command centre dispatcher (all cases)"][0], "ms",
               figures["baseline: the former text comparison with the 500 most recent cases"][0],
               "former scan of the 500 most recent texts", n=len(queries))
        report("bench_similar", "suggest_dispatch p50", figures["suggest_dispatch (rules on 487 items + learned model)"][0],
               "ms", figures["baseline: the learned model's bare rank (arithmetic only)"][0],
               "the learned model's bare rank", target=20, n=len(queries))
    finally:
        from django.db import connections

        connections.close_all()
        if not sqlite and not args.reuse:
            connection.creation.destroy_test_db(db_name, verbosity=0)
        elif sqlite and not args.reuse:
            for path in (DB_FILE, DB_FILE.with_name(DB_FILE.name + "-wal"), DB_FILE.with_name(DB_FILE.name + "-shm")):
                path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
