"""One warning sweep over 1,000,000 cases with 100,000 open, beside a
baseline measured in the same run (a bare ``SELECT COUNT(*)`` of the open
cases past their reply deadline: the predicate of the overdue rule alone;
and, for scale, a count of all the open cases).

    .venv/bin/python benchmarks/bench_sweep.py [--cases 1000000] [--open 100000] [--runs 7] [--reuse]

Uses a SQLite file in var/ (``bench_sweep.sqlite3``) unless DATABASE_URL is
set (a PostgreSQL URL gets a test database created by Django). ``--reuse``
keeps the database and reuses it, so the million rows are written once;
without it the database is dropped at the end.

The data: the cases of a large centre's three years, written with raw
``executemany`` (every concrete column of the model, defaults for the rest):
900,000 closed or archived, received over three years; 100,000 open,
received over the last 12 days, reply due 10 days after receipt — received
3 %, dispatched 10 % (sign-for due 24 hours after dispatch), in hand 79 %
(1 % of them paused), replied 8 % — each dispatched one with its lead
assignment to one of 101 units; 2,000 in the unsatisfied ledger, 3,000 with
an approved extension, 1,000 handed back to the centre by an approved
return; 300 callers with three orders each in the last two days; 480
directory items and 81 regions; a tenth of the cases in hand under a policy
asking for progress every 7 days. Two staff per unit (handler, unit leader)
with phones.

Nine rules, each telling the lead unit's handler and leader in the admin
and by SMS: near due (80 % of the reply time), overdue reply, overdue
sign-for, repeat caller (3 in 3 days), repeat matter (3 in 2 days),
unsatisfied, extended, returned, progress missed.

Timed: the first sweep over the unswept backlog (at most
``MINSHENG_SWEEP_BATCH`` warnings per rule, with their notifications and
events), and the runs that follow it at once until the backlog is worked
off, as the scheduled task chains them (each run, the longest, and all of
them together); then the steady state — the sweep run
again one minute later, and again, as the schedule does (median of
``--runs``) — and each rule alone in the steady state; the baseline count;
and the delivery with the default senders: every due in-app notification
marked sent at once, then 500 SMS one by one (claimed, written to the log,
marked sent)."""

import argparse
import datetime
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
DB_FILE = ROOT / "var" / "bench_sweep.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{DB_FILE}")

import reporting  # noqa: E402

TARGET_MS = 1000
NOW = datetime.datetime(2025, 11, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Wednesday, a working day
OPEN_STATES = [("received", 0.03), ("dispatched", 0.10), ("handling", 0.79), ("replied", 0.08)]


def median_ms(fn, runs):
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def raw_insert(model, rows, batch=20_000):
    """Insert ``rows`` (dicts by attname, values ready for the database) with
    ``executemany``; every other concrete column gets its default."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) if f.has_default() else None
                for f in fields}
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"
    names = [f.attname for f in fields]
    with connection.cursor() as cursor:
        chunk = []
        for row in rows:
            chunk.append(tuple(row.get(name, defaults[name]) for name in names))
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)


def build(n_cases, n_open, rng):
    """Configuration, staff, rules and the cases (see the module docstring)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from casemodels.models import Assignment, Case, ExtensionRequest, ReturnRequest
    from snippets.models import (
        Channel, DirectoryItem, Level, PolicyLimit, Region, Role, StaffProfile, TimeLimitPolicy, Unit, WarningRule,
    )
    from snippets.services.calendar import seed_from_chinesecalendar

    ts = connection.ops.adapt_datetimefield_value
    seed_from_chinesecalendar(years=[2022, 2023, 2024, 2025, 2026])
    city = Region.objects.create(name="市", code="city", level=Level.CITY)
    centre = Unit.objects.create(name="指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY, region=city)
    units = [Unit.objects.create(name=f"局{i}", code=f"dept{i}", kind=Unit.Kind.DEPARTMENT, level=Level.CITY,
                                 parent=centre) for i in range(20)]
    regions = [city]
    for i in range(16):
        region = Region.objects.create(name=f"镇{i}", code=f"t{i}", level=Level.TOWNSHIP, parent=city)
        town = Unit.objects.create(name=f"镇政府{i}", code=f"town{i}", kind=Unit.Kind.TOWNSHIP,
                                   level=Level.TOWNSHIP, parent=centre, region=region)
        units.append(town)
        regions.append(region)
        for j in range(4):
            village = Region.objects.create(name=f"村{i}-{j}", code=f"t{i}-{j}", level=Level.VILLAGE, parent=region)
            regions.append(village)
            units.append(Unit.objects.create(name=f"村委{i}-{j}", code=f"v{i}-{j}", kind=Unit.Kind.COMMUNITY,
                                             level=Level.VILLAGE, parent=town, region=village))
    roles = {r.code: r for r in Role.objects.all()} or {
        code: Role.objects.create(code=code, name=code) for code in Role.Code.values
    }
    User = get_user_model()
    for unit in [centre, *units]:
        for k, code in enumerate(("handler", "unit_leader")):
            user = User.objects.create_user(f"{unit.code}-{code}", password="x", email=f"{unit.code}-{k}@example.cn")
            profile = StaffProfile.objects.create(user=user, name=f"{unit.name}{code}", unit=unit,
                                                  phone=f"139{unit.pk:04d}{k:04d}")
            profile.roles.set([roles[code]])
    channels = [Channel.objects.create(name=f"渠道{i}", code=f"ch{i}") for i in range(10)]
    classes = [DirectoryItem.objects.create(name=f"大类{i}", code=f"C{i:02d}") for i in range(40)]
    items = [DirectoryItem.objects.create(name=f"事项{c.code}-{k}", code=f"{c.code}-{k:02d}", parent=c)
             for c in classes for k in range(12)]
    general = TimeLimitPolicy.objects.create(name="通用", priority=1000)
    PolicyLimit.objects.create(policy=general, kind="reply", amount=10, unit="natural_days")
    progress = TimeLimitPolicy.objects.create(name="长时限", priority=10)
    PolicyLimit.objects.create(policy=progress, kind="reply", amount=10, unit="natural_days")
    PolicyLimit.objects.create(policy=progress, kind="progress", amount=7, unit="natural_days")

    K = WarningRule.Kind
    rule_specs = [
        dict(name="临期", kind=K.NEAR_DUE, light="yellow", deadline="reply", share_elapsed=80),
        dict(name="超期", kind=K.OVERDUE, light="red", deadline="reply"),
        dict(name="签收超期", kind=K.OVERDUE, light="red", deadline="sign"),
        dict(name="重复来电", kind=K.REPEAT_CALLER, light="red", threshold=3, window_days=3),
        dict(name="同一事项", kind=K.REPEAT_MATTER, light="yellow", threshold=3, window_days=2),
        dict(name="不满意", kind=K.UNSATISFIED, light="red"),
        dict(name="延期", kind=K.EXTENDED, light="yellow", threshold=1),
        dict(name="退单", kind=K.RETURNED, light="yellow", threshold=1),
        dict(name="未反馈进展", kind=K.PROGRESS_MISSED, light="yellow"),
    ]
    for spec in rule_specs:
        rule = WarningRule.objects.create(in_app=True, by_sms=True, **spec)
        rule.notify_roles.set([roles["handler"], roles["unit_leader"]])

    now = NOW
    day = datetime.timedelta(days=1)
    state_names = [s for s, _w in OPEN_STATES]
    state_weights = [w for _s, w in OPEN_STATES]
    repeaters = [f"1380000{i:04d}" for i in range(300)]
    plans = []  # (number, state, unit) of the open cases

    def cases():
        for i in range(n_cases):
            is_open = i >= n_cases - n_open
            if is_open:
                state = rng.choices(state_names, state_weights)[0]
                received = now - datetime.timedelta(seconds=rng.uniform(0, 12 * 86400))
            else:
                state = "closed" if rng.random() < 0.7 else "archived"
                received = now - datetime.timedelta(seconds=rng.uniform(12 * 86400, 3 * 365 * 86400))
            phone = f"13{rng.randrange(10 ** 9):09d}"
            if is_open and i % 111 == 0:  # 900 orders: three for each of 300 callers
                phone = repeaters[(i // 111) % 300]
                received = now - datetime.timedelta(seconds=rng.uniform(0, 2 * 86400))
            dispatched = received + datetime.timedelta(minutes=20) if state != "received" else None
            unit = rng.choice(units)
            number = f"BS{i:09d}"
            policy = progress if state == "handling" and rng.random() < 0.1 else general
            if is_open:
                plans.append((number, state, unit))
            yield {
                "number": number, "channel_id": rng.choice(channels).pk, "case_type": "complaint",
                "urgency": "normal", "title": f"第{i}号诉求", "content": "小区门口路灯坏了。", "address": "",
                "region_id": rng.choice(regions).pk, "citizen_name": "张三", "citizen_phone": phone,
                "citizen_id_number": "", "is_anonymous": False, "is_confidential": False, "query_code": "ABCDEFGH",
                "directory_item_id": rng.choice(items).pk, "state": state, "round": 1, "owner_unit_id": centre.pk,
                "divert_route": "", "reply": "", "is_unsatisfied": False, "is_public": False,
                "received_at": ts(received), "dispatched_at": ts(dispatched) if dispatched else None,
                "replied_at": ts(received + 2 * day) if state in ("replied", "closed", "archived") else None,
                "closed_at": ts(received + 3 * day) if state in ("closed", "archived") else None,
                "updated_at": ts(received), "policy_id": policy.pk,
                "sign_due": ts(dispatched + day) if dispatched else None, "reply_due": ts(received + 10 * day),
                "completion_due": ts(received + 20 * day), "deadlines_provisional": False,
                "paused_since": ts(now - day) if state == "handling" and rng.random() < 0.01 else None,
                "version": 1,
            }

    with transaction.atomic():
        raw_insert(Case, cases())
    numbers = {number: (state, unit) for number, state, unit in plans}
    open_rows = list(Case.objects.filter(number__in=list(numbers)).values_list("pk", "number", "dispatched_at",
                                                                                "sign_due", "reply_due"))
    a_state = {"dispatched": "pending", "handling": "signed", "replied": "replied"}
    assignments = []
    for pk, number, dispatched, sign_due, reply_due in open_rows:
        state, unit = numbers[number]
        if state in a_state:
            assignments.append({
                "case_id": pk, "unit_id": unit.pk, "role": "lead", "state": a_state[state], "round": 1,
                "dispatched_at": ts(dispatched), "signed_at": ts(dispatched) if state != "dispatched" else None,
                "sign_due": ts(sign_due), "reply_due": ts(reply_due),
            })
    with transaction.atomic():
        raw_insert(Assignment, assignments)
        handling = list(Assignment.objects.filter(state="signed").values_list("pk", "case_id", "unit_id"))
        rng.shuffle(handling)
        Case.objects.filter(pk__in=[c for _a, c, _u in handling[:2000]]).update(is_unsatisfied=True)
        raw_insert(ExtensionRequest, ({
            "case_id": c, "assignment_id": a, "unit_id": u, "reason": "需协调", "state": "approved",
            "requested_at": ts(now - 2 * day), "reviewed_at": ts(now - day), "review_note": "", "working_days": 3,
        } for a, c, u in handling[2000:5000]))
        returned = handling[5000:6000]
        raw_insert(ReturnRequest, ({
            "case_id": c, "assignment_id": a, "unit_id": u, "reason": "不属于本单位", "state": "approved",
            "requested_at": ts(now - 2 * day), "reviewed_at": ts(now - day), "review_note": "",
        } for a, c, u in returned))
        Assignment.objects.filter(pk__in=[a for a, _c, _u in returned]).update(state="returned")
        Case.objects.filter(pk__in=[c for _a, c, _u in returned]).update(state="received", dispatched_at=None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="Keep the database and reuse it when present.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    for name in ("casemodels.outbox", "django-q"):
        logging.getLogger(name).setLevel(logging.WARNING)
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        connection.settings_dict["TEST"]["NAME"] = str(DB_FILE)
    keep = args.reuse and (DB_FILE.exists() or not sqlite)
    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    try:
        from casemodels.models import Case, CaseEvent, Notification, Warning
        from casemodels.services.inbox import CLOCK_STATES
        from casemodels.services.outbox import deliver_due, mark_in_app_sent
        from casemodels.services.sweep import active_rules, batch_limit, centre_scopes, sweep, sweep_rule

        started = time.perf_counter()
        if not Case.objects.exists():
            build(args.cases, args.open, random.Random(12345))
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        built = time.perf_counter() - started
        for model in (CaseEvent, Notification, Warning):  # a reused database starts again from no warnings
            model.objects.filter(**({"action": "warning"} if model is CaseEvent else {})).delete()

        def baseline(i):
            Case.objects.filter(state__in=CLOCK_STATES, paused_since__isnull=True,
                                reply_due__lt=NOW + datetime.timedelta(minutes=i)).count()

        base = median_ms(baseline, args.runs)
        open_base = median_ms(lambda i: Case.objects.filter(
            state__in=("received", "dispatched", "handling", "replied")).count(), args.runs)
        backlog = []  # (ms, report) of each run until nothing is left
        while not backlog or backlog[-1][1]["more"]:
            start = time.perf_counter()  # the follow-ups sweep the rules cut short, as the task chains them
            report = sweep(now=NOW, only=set(backlog[-1][1]["more"]) if backlog else None)
            backlog.append(((time.perf_counter() - start) * 1000, report))
        first_ms, first = backlog[0]
        longest = max(ms for ms, _ in backlog)
        drained_ms = sum(ms for ms, _ in backlog)
        with connection.cursor() as cursor:  # the statistics see the new warnings (autovacuum would, later)
            cursor.execute("ANALYZE")
        minute = datetime.timedelta(minutes=1)
        steady_reports = []
        steady = median_ms(lambda i: steady_reports.append(sweep(now=NOW + (i + 1) * minute)), args.runs)
        rules = active_rules()
        per_rule = [
            (rule.name, median_ms(lambda i, r=rule: sweep_rule(r, NOW + (args.runs + i + 1) * minute,
                                                               centres=centre_scopes), args.runs))
            for rule in rules
        ]
        later = NOW + datetime.timedelta(hours=1)
        start = time.perf_counter()
        marked = mark_in_app_sent(later)
        in_app_ms = (time.perf_counter() - start) * 1000
        deliver = median_ms(lambda i: deliver_due(now=later, limit=500), 3)

        open_cases = Case.objects.filter(state__in=("received", "dispatched", "handling", "replied")).count()
        print(f"\nMinsheng warning sweep benchmark — {connection.vendor}, {Case.objects.count()} cases "
              f"({open_cases} open; built in {built:.0f} s), {datetime.date.today()}, Python {sys.version.split()[0]}, "
              f"median of {args.runs} runs\n")
        print(f"the backlog: {sum(r['raised'] for _, r in backlog)} warnings and "
              f"{sum(r['notifications'] for _, r in backlog)} notifications in {len(backlog)} runs of at most "
              f"{batch_limit()} warnings per rule (the first run raised {first['raised']}); "
              f"the steady runs raised {sum(r['raised'] for r in steady_reports)} in all\n")
        print("| measurement | ms | baseline ms | ratio | under 1 s |")
        print("|---|---|---|---|---|")
        print(f"| baseline 2: COUNT(*) of all the open cases | {open_base:.1f} | {base:.1f} | {open_base / base:.1f}× | |")
        print(f"| first sweep over the backlog (9 rules, one batch each) | {first_ms:.0f} | "
              f"{base:.1f} | {first_ms / base:.0f}× | {'yes' if first_ms < TARGET_MS else 'NO'} |")
        print(f"| — the longest of the {len(backlog)} runs working off the backlog | {longest:.0f} | "
              f"{base:.1f} | {longest / base:.0f}× | {'yes' if longest < TARGET_MS else 'NO'} |")
        print(f"| — all {len(backlog)} runs together | {drained_ms:.0f} | {base:.1f} | {drained_ms / base:.0f}× | |")
        print(f"| steady sweep, one minute later (9 rules) | {steady:.0f} | {base:.1f} | {steady / base:.1f}× | "
              f"{'yes' if steady < TARGET_MS else 'NO'} |")
        for name, ms in per_rule:
            print(f"| — rule {name} alone | {ms:.1f} | {base:.1f} | {ms / base:.1f}× | |")
        print(f"| delivery: every due in-app notification marked sent ({marked}, one UPDATE) | {in_app_ms:.0f} | "
              f"{base:.1f} | {in_app_ms / base:.0f}× | |")
        print(f"| delivery: 500 SMS one by one (claim, log sender, mark) | {deliver:.0f} | {base:.1f} | "
              f"{deliver / base:.0f}× | |")
        print("\nbaseline: SELECT COUNT(*) of the open cases with a running clock past their reply deadline")
        base_name = "COUNT(*) of the open cases past their reply deadline"
        for name, ms, target in (("first sweep over the backlog (9 rules)", first_ms, TARGET_MS),
                                 ("longest run working off the backlog", longest, TARGET_MS),
                                 ("steady sweep, one minute later (9 rules)", steady, TARGET_MS),
                                 ("delivery: 500 SMS one by one", deliver, None)):
            reporting.report("bench_sweep", name, ms, "ms", base, base_name, target=target, n=args.runs,
                             note=f"{Case.objects.count():,} cases, {open_cases:,} open")
    finally:
        if not args.reuse:
            connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
