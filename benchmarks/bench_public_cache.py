"""The public pages' cache (``cms.cache``): the result board page served
from the cache, beside a bare Django view through the same middleware,
measured in the same run.

    .venv/bin/python benchmarks/bench_public_cache.py [--cases 5000] [--requests 2000] [--rounds 5]
                                                      [--http] [--http-seconds 5] [--threads 8] [--reuse]

Uses a SQLite file in var/ (``bench_public_cache.sqlite3``) unless
DATABASE_URL is set (a PostgreSQL URL gets a test database created and
dropped by Django); the cache is the settings' one: local memory, or Redis
when REDIS_URL is set (``redis://127.0.0.1:6379/5``: the benchmark clears
that database). ``--reuse`` keeps the SQLite file and reuses it.

The data: ``--cases`` cases of 2025 over 300 units with their lead
assignments, return visits, extensions and exclusions (the rows of
``bench_ranking.py``, written with ``bulk_create``), one in ten closed case
made public, the roll-up rebuilt; a home page with a result board page
under it. The page asked for is ``/board/?period=2025-10``.

In process, every request goes through Django's ``WSGIHandler`` (the
production entry point: every middleware of the settings, URL resolution,
the view, the response iterated and closed, ``request_finished``), with a
WSGI environ made by ``RequestFactory``; no test client. Measured, in
``--rounds`` rounds that alternate the three so that a busy machine weighs
on each alike:

- **bare**: a view returning ``HttpResponse("ok")``, routed beside the
  site through a ROOT_URLCONF override (this module's ``urlpatterns``) —
  the baseline;
- **cached**: the board page, a hit (every answer is checked to carry
  ``X-Minsheng-Cache: hit``), bare and cached in alternating batches of
  ``--batch`` requests;
- for information, the same hit **from the shared cache alone** (no page
  kept in the process, the version read on each request: two reads of
  the shared cache, as a ``cache_page``-like design would make);
- **uncached**, for information: the same page rendered by Wagtail each
  time (routed through Wagtail's own ``serve`` at ``/bench/uncached/…``),
  the board's figures from their own cache, as on a page-cache miss;
  and **nothing cached**: the cache cleared before each request (fewer).

Printed: requests per second — the median of the batches' rates (the
machine is shared: a batch that a neighbour's burst slowed down does not
weigh on the figure) and overall —, p50 and p95 latency, and the ratio
cached / bare of the batches' rates — **target ≥ 0.80** (issue 6); the
overall and p50 ratios beside it.

``--http`` repeats bare and cached against gunicorn (2 sync workers, on
loopback) with ``--threads`` client threads, each sending requests over
``http.client``, in ``--http-rounds`` alternating intervals of
``--http-seconds`` (sync workers close the connection after each answer: a
new connection each request). The client shares the machine's cores with
the server and reads each 60-odd KiB page off the socket: these figures
measure the whole loop, client included, and are noisier than the
in-process ones.
"""

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
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
DB_FILE = ROOT / "var" / "bench_public_cache.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{DB_FILE}")

from reporting import report  # noqa: E402

from loopback_http import over_http  # noqa: E402 (benchmarks/ is on the path above)

TARGET = 0.80
HOST = "localhost"
PERIOD = "2025-10"
BOARD = "/board/"


# --- The benchmark's URLconf ----------------------------------------------------------------------
def bare(request):
    """The baseline: a small response, no template, no SQL."""
    from django.http import HttpResponse

    return HttpResponse("ok")


def _urlpatterns():
    from django.urls import path, re_path
    from wagtail.views import serve

    from config.urls import urlpatterns as project

    # Beside the project's own URLs, before the public site's catch-all (which must come last):
    # a request for either walks the same list of patterns.
    return [
        *project[:-1],
        path("bench/bare/", bare),
        re_path(r"^bench/uncached/((?:[\w\-]+/)*)$", serve),
        project[-1],
    ]


def use_bench_urls():
    from django.conf import settings

    global urlpatterns
    urlpatterns = _urlpatterns()
    settings.ROOT_URLCONF = "bench_public_cache" if __name__ != "__main__" else __name__
    settings.ALLOWED_HOSTS = [HOST, "127.0.0.1"]


def wsgi():
    """The WSGI application gunicorn runs (``bench_public_cache:wsgi()``)."""
    import django

    django.setup()
    use_bench_urls()
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()


# --- Data -------------------------------------------------------------------------------------------
def build(n, rng):
    """Units, ``n`` cases with their rows, the roll-up, and the site."""
    from bench_ranking import build_cases, build_units

    from casemodels.models import Case
    from casemodels.services.rollups import rebuild_rollups

    centre, units = build_units()
    build_cases(n, rng, centre, units, lambda done: None)
    closed = list(Case.objects.filter(state="closed").values_list("pk", flat=True))
    Case.objects.filter(pk__in=rng.sample(closed, len(closed) // 10)).update(
        is_public=True, reply="已处理，路灯已修复。", citizen_name="张三",
    )
    rebuild_rollups()
    build_site()


def build_site():
    from wagtail.models import Page, Site

    from cms.models import HomePage, ResultBoardPage

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="高平市接诉即办", slug="bench-home", hotline="12345"))
    home.add_child(instance=ResultBoardPage(title="红黑榜", slug="board"))
    Site.objects.all().delete()
    Site.objects.create(hostname=HOST, port=80, root_page=home, is_default_site=True, site_name="高平市接诉即办")


# --- In process: WSGIHandler ------------------------------------------------------------------------
class InProcess:
    """Requests through Django's WSGIHandler, as a WSGI server calls it."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        self.handler = WSGIHandler()
        self.factory = RequestFactory(SERVER_NAME=HOST, HTTP_HOST=HOST)

    def environ(self, path, query=""):
        from django.test.client import FakePayload

        environ = self.factory._base_environ(PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD="GET")
        environ["wsgi.input"] = FakePayload(b"")
        return environ

    def get(self, path, query=""):
        """``(status, headers, body)``."""
        seen = {}

        def start_response(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, dict(headers)

        response = self.handler(self.environ(path, query), start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()
        return int(seen["status"].split()[0]), seen["headers"], body


def timed(fn, count):
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def summary(batches):
    """``(requests/s: median of the batches' rates, requests/s overall, p50 ms, p95 ms, requests)``
    of a list of batches of per-request times."""
    ordered = sorted(t for batch in batches for t in batch)
    batch_rate = statistics.median(len(batch) / sum(batch) for batch in batches)
    return (batch_rate, len(ordered) / sum(ordered), statistics.median(ordered) * 1000,
            ordered[int(0.95 * (len(ordered) - 1))] * 1000, len(ordered))


def in_process(args):
    from django.core.cache import cache

    from cms.cache import local_pages
    from publishing.cache import forget_public_version

    client = InProcess()
    query = f"period={PERIOD}"

    def bare_request():
        status, _headers, body = client.get("/bench/bare/")
        assert status == 200 and body == b"ok"

    def cached_request():
        status, headers, _body = client.get(BOARD, query)
        assert status == 200 and headers.get("X-Minsheng-Cache") == "hit", (status, headers)

    def uncached_request():
        status, headers, _body = client.get("/bench/uncached" + BOARD, query)
        assert status == 200 and "X-Minsheng-Cache" not in headers

    def shared_only_request():
        """A hit read from the shared cache alone: no page kept in the process, the version read
        every time (what the page cache costs without its process level: two reads, two round trips
        on Redis)."""
        from django.conf import settings

        from publishing import cache as public_cache

        saved = public_cache.memo_seconds
        settings.MINSHENG_PAGE_CACHE_LOCAL_ENTRIES = 0
        public_cache.memo_seconds = lambda: 0
        local_pages.clear()
        try:
            cached_request()
        finally:
            del settings.MINSHENG_PAGE_CACHE_LOCAL_ENTRIES
            public_cache.memo_seconds = saved

    def cold_request():
        cache.clear()
        uncached_request()

    # warm-up: the board rendered once (a miss that stores it), each kind a few times
    status, headers, body = client.get(BOARD, query)
    assert status == 200 and headers.get("X-Minsheng-Cache") == "miss", (status, headers, body[:300])
    page_bytes = len(body)
    for fn in (bare_request, cached_request, uncached_request):
        timed(fn, 20)
    batches = {"bare": [], "cached": [], "shared": [], "uncached": [], "cold": []}
    for _round in range(args.rounds):
        # bare and cached in alternating batches: a neighbour's load on the machine falls on both alike
        for _batch in range(max(1, args.requests // args.batch)):
            batches["bare"].append(timed(bare_request, args.batch))
            batches["cached"].append(timed(cached_request, args.batch))
        batches["shared"].append(timed(shared_only_request, args.batch))
        batches["uncached"].append(timed(uncached_request, max(5, args.requests // 50)))
        batches["cold"].append(timed(cold_request, max(2, args.requests // 250)))
        forget_public_version()  # (the cache cleared above: the version starts afresh, the page stored again)
        client.get(BOARD, query)
    return {name: summary(values) for name, values in batches.items()}, page_bytes


# --- Main ---------------------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=2000, help="bare and cached requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100, help="requests per timed batch (in process)")
    parser.add_argument("--http", action="store_true", help="also measure against gunicorn (2 workers)")
    parser.add_argument("--http-seconds", type=float, default=1, help="length of one interval")
    parser.add_argument("--http-rounds", type=int, default=15, help="intervals of each, alternating")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection

    use_bench_urls()
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
        database_url = os.environ["DATABASE_URL"]
    else:
        db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        fresh = True
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        database_url = f"{base}/{db_name}"
    try:
        from casemodels.models import Case

        if fresh:
            started = time.perf_counter()
            build(args.cases, random.Random(20251001))
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"built {Case.objects.count():,} cases and the site in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr, flush=True)
        from publishing.cache import forget_public_version

        cache.clear()
        forget_public_version()
        connection.close()
        results, page_bytes = in_process(args)
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        print(f"\nMinsheng public pages' cache — {connection.vendor}, cache {backend}, "
              f"{Case.objects.count():,} cases, board page {page_bytes / 1024:.0f} KiB, {args.rounds} rounds, "
              f"{datetime.date.today()}, Python {sys.version.split()[0]}, Django {django.get_version()}\n")
        print("In process (WSGIHandler, every middleware):\n")
        print("| request | requests | requests/s (median of batches) | requests/s (overall) | p50 ms | p95 ms |")
        print("|---|---|---|---|---|---|")
        names = {
            "bare": "bare Django view (`HttpResponse('ok')`) — baseline",
            "cached": f"result board page `{BOARD}?period={PERIOD}`, cached (a hit)",
            "shared": "the same hit from the shared cache alone (no page kept in the process, version read each time)",
            "uncached": "the same page rendered by Wagtail (figures from their cache)",
            "cold": "the same page, nothing cached (cache cleared before each request)",
        }
        for name, (batch_rate, rate, p50, p95, count) in results.items():
            print(f"| {names[name]} | {count:,} | {batch_rate:,.0f} | {rate:,.0f} | {p50:.3f} | {p95:.3f} |")
        ratio = results["cached"][0] / results["bare"][0]
        print(f"\ncached / bare: {ratio:.2f} (target ≥ {TARGET:.2f}: {'met' if ratio >= TARGET else 'NOT met'}); "
              f"overall {results['cached'][1] / results['bare'][1]:.2f}, at p50 {results['bare'][2] / results['cached'][2]:.2f}; "
              f"cached / uncached: {results['cached'][0] / results['uncached'][0]:.0f}×")
        report("bench_public_cache", "cached board page, in process", results["cached"][0], "requests/s",
               results["bare"][0], "bare Django view HttpResponse('ok')", better="higher", target=TARGET,
               target_of="ratio", note=f"cache {backend}")
        if args.http:
            served = over_http(
                "bench_public_cache:wsgi()", database_url, cached_path=f"{BOARD}?period={PERIOD}",
                bare_path="/bench/bare/", host=HOST, threads=args.threads, rounds=args.http_rounds,
                seconds=args.http_seconds,
            )
            print(f"\nOver HTTP (gunicorn, 2 sync workers, {args.threads} client threads, "
                  f"{args.http_rounds} alternating intervals of {args.http_seconds:g} s each; medians of the intervals):\n")
            print("| request | requests | requests/s | p50 ms | p95 ms |")
            print("|---|---|---|---|---|")
            for name in ("bare", "cached"):
                rate, p50, p95, count = served[name]
                print(f"| {names[name]} | {count:,} | {rate:,.0f} | {p50:.2f} | {p95:.2f} |")
            ratio = served["cached"][0] / served["bare"][0]
            print(f"\ncached / bare over HTTP: {ratio:.2f} (target ≥ {TARGET:.2f}: "
                  f"{'met' if ratio >= TARGET else 'NOT met'})")
            report("bench_public_cache", "cached board page, over HTTP (gunicorn)", served["cached"][0],
                   "requests/s", served["bare"][0], "bare Django view HttpResponse('ok')", better="higher",
                   target=TARGET, target_of="ratio", note=f"cache {backend}")
    finally:
        from django.db import connections

        connections.close_all()
        cache.clear()
        if not sqlite:
            connection.creation.destroy_test_db(db_name, verbosity=0)
        elif not args.reuse:
            for path in (DB_FILE, DB_FILE.with_name(DB_FILE.name + "-wal"), DB_FILE.with_name(DB_FILE.name + "-shm")):
                path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
