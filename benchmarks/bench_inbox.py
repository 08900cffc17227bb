"""The workbench inbox with 100,000 cases in the database: the full Django
request through the test client (session, middleware, the Wagtail admin
page with its menu and box counts, the first page of the box), beside a
baseline measured in the same run (a plain ORM SELECT of 50 cases with
their channel).

    .venv/bin/python benchmarks/bench_inbox.py [--cases 100000] [--runs 9]

Uses a throw-away SQLite database in var/ unless DATABASE_URL is set (a
PostgreSQL URL gets a test database created and dropped by Django).

The cases are written with bulk_create, spread like a centre's year: most
closed or archived, a few thousand open ones across dispatched, in hand and
replied, some of them near or past their deadlines, pending returns and
extension requests, and return visits. The menu's counts are cached for 30
seconds per user; every timed request starts with an empty cache, so each
figure includes counting every box."""

import argparse
import datetime
import os
import re
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_inbox.sqlite3'}")

from reporting import report  # noqa: E402

TARGET_MS = 300
# A year and more of a county-level centre (about 270 cases a day): the open
# cases are the last two weeks' work; --open-share makes the open part larger.
STATES = [  # (state, share of the cases)
    ("received", 0.005), ("dispatched", 0.01), ("handling", 0.03), ("replied", 0.01),
    ("closed", 0.80), ("archived", 0.145),
]


def median_ms(fn, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def build(n, rng, open_factor=1.0):
    """Units, staff, channels, directory items and ``n`` cases; returns
    (dispatcher, handler) user accounts."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from casemodels.models import Assignment, Case, ExtensionRequest, ReturnRequest, ReturnVisit
    from snippets.models import Channel, DirectoryItem, Level, Region, Role, StaffProfile, Unit

    city = Region.objects.create(name="高平市", code="gp", level=Level.CITY)
    centre = Unit.objects.create(name="指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY, region=city)
    units = [Unit.objects.create(name=f"局{i}", code=f"dept{i}", kind=Unit.Kind.DEPARTMENT, level=Level.CITY,
                                 parent=centre) for i in range(20)]
    for i in range(16):
        region = Region.objects.create(name=f"镇{i}", code=f"gp-{i}", level=Level.TOWNSHIP, parent=city)
        town = Unit.objects.create(name=f"镇政府{i}", code=f"town{i}", kind=Unit.Kind.TOWNSHIP,
                                   level=Level.TOWNSHIP, parent=centre, region=region)
        units.append(town)
        for j in range(4):
            vregion = Region.objects.create(name=f"村{i}-{j}", code=f"gp-{i}-{j}", level=Level.VILLAGE, parent=region)
            units.append(Unit.objects.create(name=f"村委{i}-{j}", code=f"v{i}-{j}", kind=Unit.Kind.COMMUNITY,
                                             level=Level.VILLAGE, parent=town, region=vregion))
    regions = list(Region.objects.all())
    channels = [Channel.objects.create(name=f"渠道{i}", code=f"ch{i}") for i in range(10)]
    classes = [DirectoryItem.objects.create(name=f"大类{i}", code=f"C{i:02d}") for i in range(40)]
    items = [DirectoryItem.objects.create(
        name=f"事项{c.code}-{k}", code=f"{c.code}-{k:02d}", parent=c, routing=DirectoryItem.Routing.SECTOR,
        sector_unit=rng.choice(units[:20])) for c in classes for k in range(12)]

    User = get_user_model()

    def staff(username, unit, *codes):
        user = User.objects.create_user(username, password="x")
        profile = StaffProfile.objects.create(user=user, name=username, unit=unit)
        profile.roles.set(Role.objects.filter(code__in=codes))
        return user

    staff("dispatcher", centre, "dispatcher", "visitor")
    busy = units[0]  # the handler's department gets a larger share of the work
    staff("handler", busy, "handler")

    now = timezone.now()
    weights = [w * (open_factor if s in ("received", "dispatched", "handling", "replied") else 1) for s, w in STATES]
    names = [s for s, _w in STATES]
    cases, plans = [], []
    for i in range(n):
        state = rng.choices(names, weights)[0]
        is_open = state in ("received", "dispatched", "handling", "replied")
        received = now - datetime.timedelta(hours=rng.uniform(0, 24 * (14 if is_open else 400)))
        reply_due = received + datetime.timedelta(days=5)
        dispatched = received + datetime.timedelta(minutes=20) if state != "received" else None
        unit = busy if rng.random() < 0.08 else rng.choice(units)
        cases.append(Case(
            number=f"BN{i:09d}", channel=rng.choice(channels), case_type=rng.choice(["complaint", "help", "consultation"]),
            title=f"第{i}号诉求：路灯不亮", content="小区门口路灯坏了，晚上很黑。", citizen_name="张三",
            citizen_phone=f"138{i:08d}", query_code="ABCDEFGH", directory_item=rng.choice(items),
            region=rng.choice(regions), state=state, owner_unit=centre, received_at=received, dispatched_at=dispatched,
            sign_due=dispatched + datetime.timedelta(hours=24) if dispatched else None, reply_due=reply_due,
            replied_at=received + datetime.timedelta(days=2) if state in ("replied", "closed", "archived") else None,
            closed_at=received + datetime.timedelta(days=3) if state in ("closed", "archived") else None,
        ))
        plans.append((state, unit))
    Case.objects.bulk_create(cases, batch_size=2000)
    assignment_state = {"dispatched": "pending", "handling": "signed", "replied": "replied", "closed": "replied",
                        "archived": "replied"}
    assignments = [
        Assignment(case=case, unit=unit, role="lead", state=assignment_state[state], dispatched_at=case.dispatched_at,
                   signed_at=None if state == "dispatched" else case.dispatched_at, sign_due=case.sign_due,
                   reply_due=case.reply_due)
        for case, (state, unit) in zip(cases, plans) if state != "received"
    ]
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    handling = [a for a in assignments if a.state == "signed"]
    ReturnRequest.objects.bulk_create([
        ReturnRequest(case_id=a.case_id, assignment=a, unit=a.unit, reason="不属于本单位", requested_at=now)
        for a in rng.sample(handling, min(300, len(handling)))
    ])
    ExtensionRequest.objects.bulk_create([
        ExtensionRequest(case_id=a.case_id, assignment=a, unit=a.unit, reason="需协调", working_days=3,
                         requested_at=now)
        for a in rng.sample(handling, min(300, len(handling)))
    ])
    closed = [c for c, (s, _u) in zip(cases, plans) if s in ("closed", "archived")]
    ReturnVisit.objects.bulk_create([
        ReturnVisit(case=c, round=1, method="phone", satisfaction="satisfied", resolved=True, visited_at=now)
        for c in closed
    ], batch_size=2000)
    return User.objects.get(username="dispatcher"), User.objects.get(username="handler")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--open-factor", type=float, default=1.0,
                        help="Multiply the share of open cases (default 1: about 5%% open).")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from casemodels.models import OPEN_STATES, Case
        from casemodels.services.inbox import box_counts, box_queryset

        started = time.perf_counter()
        dispatcher, handler = build(args.cases, random.Random(12345), args.open_factor)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        built = time.perf_counter() - started

        def baseline():
            list(Case.objects.select_related("channel").order_by("-received_at")[:50])

        rows = []
        base = median_ms(baseline, args.runs)
        for who, user, boxes in (
            ("dispatcher", dispatcher, ["to_dispatch", "overdue", "due_soon", "to_visit"]),
            ("handler", handler, ["in_hand", "to_sign", "overdue"]),
        ):
            client = Client()
            client.force_login(user)
            for key in boxes:
                url = reverse(f"workbench:{key}")
                size = box_queryset(user, key).count()

                def request():
                    cache.clear()
                    response = client.get(url)
                    assert response.status_code == 200, response.status_code

                request()  # warm up templates and the connection
                rows.append((f"{who}: {key} ({size} cases), first page + menu counts", median_ms(request, args.runs)))
            rows.append((f"{who}: box_counts (one query)", median_ms(lambda u=user: box_counts(u), args.runs)))
            warm = reverse(f"workbench:{boxes[0]}")
            client.get(warm)
            rows.append((f"{who}: {boxes[0]} with the menu counts cached (within 30 s)",
                         median_ms(lambda: client.get(warm), args.runs)))

        open_cases = Case.objects.filter(state__in=OPEN_STATES).count()
        print(f"\nMinsheng inbox benchmark — {connection.vendor}, {args.cases} cases ({open_cases} open; built in {built:.0f} s), "
              f"{datetime.date.today()}, Python {sys.version.split()[0]}, median of {args.runs} runs\n")
        print("| measurement | median ms | baseline median ms | ratio | under 300 ms |")
        print("|---|---|---|---|---|")
        for name, ms in rows:
            ok = "yes" if ms < TARGET_MS else "NO"
            print(f"| {name} | {ms:.1f} | {base:.1f} | {ms / base:.1f}× | {ok if 'box_counts' not in name else ''} |")
            report("bench_inbox", re.sub(r" \([\d,]+ cases\)", "", name), ms, "ms", base,
                   "ORM SELECT of 50 cases with their channel",
                   target=None if "box_counts" in name else TARGET_MS, n=args.runs)
        print(f"\nbaseline: SELECT of 50 cases with their channel, newest first (ORM, {args.runs} runs)")
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
