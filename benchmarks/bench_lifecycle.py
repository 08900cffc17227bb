"""Cost of the lifecycle services and the deadline engine, each beside a
baseline measured in the same run.

    .venv/bin/python benchmarks/bench_lifecycle.py [--cases 500]

Uses a throw-away SQLite database in var/ unless DATABASE_URL is set (a
PostgreSQL URL gets a test database created and dropped by Django).

- register_case (validation, case number, policy match, deadlines, event)
  against the bare ORM writes of the same Case and CaseEvent rows;
- dispatch + sign + reply + visit (four services, four events) against four
  bare UPDATEs of the state column;
- working-day deadlines from the work-calendar table against the
  chinesecalendar package's own ``find_workday``.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")

from reporting import report  # noqa: E402


def timed(fn, n):
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return samples


def row(name, samples, base_samples, baseline_name):
    med, base = statistics.median(samples) * 1000, statistics.median(base_samples) * 1000
    ratio = med / base if base else float("inf")
    report("bench_lifecycle", name.split(" vs ")[0], med, "ms", base, baseline_name, n=len(samples))
    return f"| {name} | {len(samples)} | {med:.3f} | {base:.3f} | {ratio:.1f}× |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=500)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from casemodels.models import Case, CaseEvent
        from casemodels.services import (
            dispatch_case, record_return_visit, register_case, reply_case, sign_case,
        )
        from casemodels.services.deadlines import due_after
        from snippets.models import Channel, Level, PolicyLimit, Role, StaffProfile, TimeLimitPolicy, Unit
        from snippets.services.calendar import WorkCalendar, seed_from_chinesecalendar

        seed_from_chinesecalendar()
        centre = Unit.objects.create(name="指挥中心", code="c", kind=Unit.Kind.CENTRE, level=Level.CITY)
        dept = Unit.objects.create(name="住建局", code="d", kind=Unit.Kind.DEPARTMENT, level=Level.CITY, parent=centre)
        channel = Channel.objects.create(name="12345热线", code="hotline")
        policy = TimeLimitPolicy.objects.create(name="默认", priority=1000)
        PolicyLimit.objects.create(policy=policy, kind="sign", amount=2, unit="hours")
        PolicyLimit.objects.create(policy=policy, kind="reply", amount=5, unit="working_days")
        User = get_user_model()

        def staff(username, unit, *roles):
            user = User.objects.create_user(username, password="x")
            profile = StaffProfile.objects.create(user=user, name=username, unit=unit)
            profile.roles.set(Role.objects.filter(code__in=roles))
            return User.objects.get(pk=user.pk)

        dispatcher = staff("dispatcher", centre, "dispatcher", "visitor")
        handler = staff("handler", dept, "handler")
        n = args.cases
        content = "小区门口井盖破损，晚上经过很危险，请尽快处理。"

        cases = []
        register = timed(lambda i: cases.append(register_case(
            acting_user=dispatcher, channel=channel, case_type="complaint", content=content,
            citizen_phone="13800138000")), n)

        def bare_insert(i):
            now = timezone.now()
            case = Case.objects.create(
                number=f"BARE{i:08d}", channel=channel, case_type="complaint", title=content[:30], content=content,
                citizen_phone="13800138000", query_code="000000", owner_unit=centre, received_at=now,
            )
            CaseEvent.objects.create(case=case, action="register", created_at=now, to_state="received")

        bare = timed(bare_insert, n)

        def lifecycle(i):
            case = cases[i]
            dispatch_case(case, acting_user=dispatcher, unit=dept)
            sign_case(case, acting_user=handler)
            reply_case(case, acting_user=handler, reply="已更换井盖。")
            record_return_visit(case, acting_user=dispatcher, satisfaction="satisfied", resolved=True)

        life = timed(lifecycle, n)
        bare_ids = list(Case.objects.filter(number__startswith="BARE").values_list("pk", flat=True))

        def bare_updates(i):
            for state in ("dispatched", "handling", "replied", "closed"):
                Case.objects.filter(pk=bare_ids[i]).update(state=state)

        bare_life = timed(bare_updates, n)

        import chinese_calendar

        limit = PolicyLimit(kind="reply", amount=5, unit="working_days")
        cal = WorkCalendar.load(2025, 2027)
        starts = [timezone.make_aware(datetime.datetime(2025, 1, 1, 9)) + datetime.timedelta(hours=7 * i)
                  for i in range(n)]
        engine = timed(lambda i: due_after(limit, starts[i], cal), n)
        package = timed(lambda i: chinese_calendar.find_workday(5, starts[i].date()), n)

        print(f"\nMinsheng lifecycle benchmark — {connection.vendor}, {n} cases, "
              f"{datetime.date.today()}, Python {sys.version.split()[0]}\n")
        print("| measurement | n | median ms | baseline median ms | ratio |")
        print("|---|---|---|---|---|")
        print(row("register_case vs bare INSERT case + event", register, bare, "bare INSERT case + event"))
        print(row("dispatch+sign+reply+visit vs 4 bare UPDATEs", life, bare_life, "4 bare UPDATEs"))
        print(row("5-working-day deadline vs chinese_calendar.find_workday", engine, package,
                  "chinese_calendar.find_workday"))
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
