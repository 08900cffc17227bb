"""The staff API's 100-case page: the GraphQL ``cases(first: 100)`` query
with each case's owner unit, directory item, channel, assignments (with
their units) and last three events, beside a hand-written Django view that
produces the same JSON from the same data, measured in the same run.

    .venv/bin/python benchmarks/bench_graphql.py [--cases 20000] [--runs 15] [--profile]

Uses a throw-away SQLite database in var/ unless DATABASE_URL is set (a
PostgreSQL URL gets a test database created and dropped by Django).

Both are full requests through Django's test client: URL resolution, every
middleware (session, authentication, CSRF, locale, Wagtail's), the view and
the JSON response. The hand-written view (``hand_written_cases`` below) is
routed beside /graphql/ by pointing ROOT_URLCONF at this module, whose
``urlpatterns`` are the project's plus ``/bench/cases/``. It starts from the
same service as the API (``visible_cases``: unit scope, confidentiality),
reads the page with ``select_related`` and ``prefetch_related`` (assignments
with their units; the last three events through a sliced ``Prefetch``),
masks the title through the same ``Disclosure`` service, and writes the
same JSON, cursors included; the script checks the two answers are equal
before timing anything. Each caller is signed in with a session
(``force_login``), the same for both.

Goal (issue 4): the GraphQL page within 2× of the hand-written view. The
SQL query count of one request of each is printed beside the timings, and
for pages of 20 and 100 to show it does not grow with the page."""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_graphql.sqlite3'}")

from reporting import report  # noqa: E402

GOAL = 2.0
PAGE = 100

QUERY = """
query Page($first: Int!) {
  cases(first: $first) {
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        number title state receivedAt
        ownerUnit { code name }
        directoryItem { code name }
        channel { code name }
        assignments { unit { code name } role state }
        events(last: 3) { action label at }
      }
    }
  }
}
"""

STATES = [  # (state, share): a busy centre's recent weeks, every case with a few events
    ("received", 0.05), ("dispatched", 0.10), ("handling", 0.20), ("replied", 0.10), ("closed", 0.55),
]
EVENTS = {  # the events a case in that state has had, oldest first
    "received": ["register"],
    "dispatched": ["register", "dispatch"],
    "handling": ["register", "dispatch", "sign"],
    "replied": ["register", "dispatch", "sign", "reply"],
    "closed": ["register", "dispatch", "sign", "reply", "return_visit", "close"],
}


def elapsed_ms(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


# --- The hand-written view --------------------------------------------------------------------
def hand_written_cases(request):
    """``/bench/cases/?first=100``: the JSON of the GraphQL page, by hand."""
    from django.db.models import Prefetch, prefetch_related_objects
    from django.http import JsonResponse
    from graphql_relay import offset_to_cursor

    from casemodels.models import Assignment, CaseEvent
    from casemodels.services.disclosure import Disclosure
    from casemodels.services.visibility import active_profile, visible_cases

    user = request.user
    first = max(0, min(int(request.GET.get("first", PAGE)), PAGE))
    profile = active_profile(user)
    if profile is not None:
        prefetch_related_objects([profile], "roles")  # the roles once, not per case
    cases = list(
        visible_cases(user)
        .select_related("owner_unit", "directory_item", "channel")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit").order_by("dispatched_at", "pk")),
            Prefetch("events", queryset=CaseEvent.objects.order_by("-created_at", "-pk")[:3], to_attr="last_events"),
        )
        .order_by("-received_at", "-pk")[: first + 1]
    )
    has_next = len(cases) > first
    cases = cases[:first]

    def code_name(row):
        return {"code": row.code, "name": row.name} if row is not None else None

    edges = []
    for i, case in enumerate(cases):
        edges.append({"cursor": offset_to_cursor(i), "node": {
            "number": case.number,
            "title": Disclosure(user, case).text(case.title),
            "state": case.state.upper(),
            "receivedAt": case.received_at.isoformat(),
            "ownerUnit": code_name(case.owner_unit),
            "directoryItem": code_name(case.directory_item),
            "channel": code_name(case.channel),
            "assignments": [{"unit": code_name(a.unit), "role": a.role, "state": a.state}
                            for a in case.assignments.all()],
            "events": [{"action": e.action, "label": str(CaseEvent.Action(e.action).label),
                        "at": e.created_at.isoformat()} for e in reversed(case.last_events)],
        }})
    page_info = {"hasNextPage": has_next, "endCursor": edges[-1]["cursor"] if edges else None}
    return JsonResponse({"data": {"cases": {"pageInfo": page_info, "edges": edges}}})


def _urlpatterns():
    from django.urls import path

    from config.urls import urlpatterns as project

    return [path("bench/cases/", hand_written_cases), *project]


# --- Data ------------------------------------------------------------------------------------
def build(n, rng):
    """Units, staff, channels, directory items, ``n`` cases with assignments
    and events; returns {caller name: user}."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from casemodels.models import Assignment, Case, CaseEvent
    from snippets.models import Channel, DirectoryItem, Level, Region, Role, StaffProfile, Unit

    city = Region.objects.create(name="高平市", code="gp", level=Level.CITY)
    centre = Unit.objects.create(name="指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY, region=city)
    units = [Unit.objects.create(name=f"局{i}", code=f"dept{i}", kind=Unit.Kind.DEPARTMENT, level=Level.CITY,
                                 parent=centre) for i in range(20)]
    regions = [city]
    for i in range(16):
        region = Region.objects.create(name=f"镇{i}", code=f"gp-{i}", level=Level.TOWNSHIP, parent=city)
        regions.append(region)
        units.append(Unit.objects.create(name=f"镇政府{i}", code=f"town{i}", kind=Unit.Kind.TOWNSHIP,
                                         level=Level.TOWNSHIP, parent=centre, region=region))
    channels = [Channel.objects.create(name=f"渠道{i}", code=f"ch{i}") for i in range(10)]
    classes = [DirectoryItem.objects.create(name=f"大类{i}", code=f"C{i:02d}") for i in range(40)]
    items = [DirectoryItem.objects.create(name=f"事项{c.code}-{k}", code=f"{c.code}-{k:02d}", parent=c)
             for c in classes for k in range(12)]

    User = get_user_model()

    def staff(username, unit, *codes):
        user = User.objects.create_user(username, password="x")
        profile = StaffProfile.objects.create(user=user, name=username, unit=unit)
        profile.roles.set(Role.objects.filter(code__in=codes))
        return user

    busy = units[0]  # the handler's department gets a larger share of the work
    callers = {
        "superuser": User.objects.create_superuser("admin", password="x"),
        "dispatcher": staff("dispatcher", centre, "dispatcher", "visitor"),
        "handler": staff("handler", busy, "handler"),
    }

    now = timezone.now()
    names = [s for s, _w in STATES]
    weights = [w for _s, w in STATES]
    cases, plans = [], []
    for i in range(n):
        state = rng.choices(names, weights)[0]
        received = now - datetime.timedelta(minutes=rng.uniform(0, 60 * 24 * 60))
        lead = busy if rng.random() < 0.08 else rng.choice(units)
        co = rng.choice(units) if state != "received" and rng.random() < 0.2 else None
        cases.append(Case(
            number=f"BG{i:09d}", channel=rng.choice(channels), case_type=rng.choice(["complaint", "help"]),
            title=f"第{i}号诉求：张三反映路灯不亮", content="小区门口路灯坏了，晚上很黑。", citizen_name="张三",
            citizen_phone=f"138{i:08d}", query_code="ABCDEFGH", directory_item=rng.choice(items),
            region=rng.choice(regions), state=state, owner_unit=centre, received_at=received,
            dispatched_at=received + datetime.timedelta(minutes=20) if state != "received" else None,
            reply_due=received + datetime.timedelta(days=5),
        ))
        plans.append((state, lead, co))
    Case.objects.bulk_create(cases, batch_size=2000)

    assignment_state = {"dispatched": "pending", "handling": "signed", "replied": "replied", "closed": "replied"}
    assignments, events = [], []
    for case, (state, lead, co) in zip(cases, plans):
        for k, action in enumerate(EVENTS[state]):
            events.append(CaseEvent(case=case, action=action, created_at=case.received_at + datetime.timedelta(hours=k),
                                    unit=centre, from_state="", to_state=state))
        if state == "received":
            continue
        for unit, role in ((lead, "lead"), (co, "co")):
            if unit is not None:
                assignments.append(Assignment(case=case, unit=unit, role=role, state=assignment_state[state],
                                              dispatched_at=case.dispatched_at, reply_due=case.reply_due))
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    return callers, len(assignments), len(events)


# --- Measuring -------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the GraphQL page (superuser)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    global urlpatterns
    urlpatterns = _urlpatterns()
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        callers, n_assignments, n_events = build(args.cases, random.Random(12345))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        built = time.perf_counter() - started

        rows = []
        for who, user in callers.items():
            client = Client()
            client.force_login(user)

            def graphql(first=PAGE, client=client):
                response = client.post("/graphql/", {"query": QUERY, "variables": {"first": first}},
                                       content_type="application/json")
                assert response.status_code == 200, response.content[:300]
                return response

            def by_hand(first=PAGE, client=client):
                response = client.get("/bench/cases/", {"first": first})
                assert response.status_code == 200, response.content[:300]
                return response

            # the same JSON from both, or the comparison means nothing
            api, hand = graphql().json(), by_hand().json()
            assert "errors" not in api, api["errors"]
            assert api == hand, f"{who}: the two answers differ"
            size = len(api["data"]["cases"]["edges"])
            counts = {}
            for name, fn in (("graphql", graphql), ("hand", by_hand)):
                for first in (20, PAGE):
                    with CaptureQueriesContext(connection) as queries:
                        fn(first)
                    counts[name, first] = len(queries)
            # alternate the two, so that a busy moment of the machine falls on both alike
            api_samples, hand_samples = [], []
            for _ in range(args.runs):
                api_samples.append(elapsed_ms(graphql))
                hand_samples.append(elapsed_ms(by_hand))
            rows.append((who, size, statistics.median(api_samples), statistics.median(hand_samples), counts))

        print(f"\nMinsheng GraphQL page benchmark — {connection.vendor}, {args.cases:,} cases, "
              f"{n_assignments:,} assignments, {n_events:,} events (built in {built:.0f} s), {datetime.date.today()}, "
              f"Python {sys.version.split()[0]}, median of {args.runs} runs\n")
        print("| caller | cases on the page | GraphQL ms | hand-written view ms | ratio | within 2× | "
              "SQL queries GraphQL (20 / 100 cases) | SQL queries view (20 / 100 cases) |")
        print("|---|---|---|---|---|---|---|---|")
        for who, size, api_ms, hand_ms, counts in rows:
            ratio = api_ms / hand_ms
            print(f"| {who} | {size} | {api_ms:.1f} | {hand_ms:.1f} | {ratio:.2f}× | {'yes' if ratio <= GOAL else 'NO'} | "
                  f"{counts['graphql', 20]} / {counts['graphql', PAGE]} | {counts['hand', 20]} / {counts['hand', PAGE]} |")
            report("bench_graphql", f"{who}: cases(first: {size}) page", api_ms, "ms", hand_ms,
                   "hand-written Django view, same JSON", target=GOAL, target_of="ratio", n=args.runs)
        print("\nBoth: the full request through the test client with a session; the query counts include the "
              "session and user lookups of the request.")

        if args.profile:
            import cProfile
            import pstats

            client = Client()
            client.force_login(callers["superuser"])
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(args.runs):
                client.post("/graphql/", {"query": QUERY, "variables": {"first": PAGE}}, content_type="application/json")
            prof.disable()
            stats = pstats.Stats(prof)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


urlpatterns = []  # filled in by main(): the project's URLs and /bench/cases/

if __name__ == "__main__":
    main()
