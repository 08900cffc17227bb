"""Load test: 50 concurrent clients for 60 seconds against gunicorn on
PostgreSQL, on loopback (``make soak`` runs it; see the README).

    .venv/bin/python benchmarks/load/run_load.py [--users 50] [--seconds 60] [--workers 4]

1. A fresh database (``minsheng_load`` on the server of
   ``LOAD_ADMIN_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/postgres),
   migrated, with the demo profile (``load_demo``).
2. gunicorn with ``--workers`` sync workers on a free 127.0.0.1 port, with
   benchmarks/load/settings_load.py (the submission throttle raised, printed
   below) and ``MINSHENG_TRUSTED_PROXY_COUNT=1`` (each client its own
   ``X-Forwarded-For`` address, as behind one nginx).
3. The baseline: locust with ONE user for ``--baseline-seconds``; then the
   load: ``--users`` users (spawned at ``--spawn-rate``) for ``--seconds``,
   ``--stop-timeout`` for the requests under way (locustfile.py says what
   they do).
4. The figures per endpoint (requests, failures, requests/s, p50/p95/p99
   ms), then the checks: no HTTP 5xx, no failed request, and the database
   holds exactly the cases whose submission succeeded (the same set of
   numbers, none twice, none half-written).

Exit status 1 when a check fails. Timings on a shared machine are noisy;
compare them with the baseline printed beside them."""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, Gunicorn, environment, incomplete_cases, prepare, recreate_database, setup_django  # noqa: E402

LOCUST = str(ROOT / ".venv" / "bin" / "locust")
LOCUSTFILE = str(Path(__file__).resolve().parent / "locustfile.py")
THROTTLE_NOTE = ("settings_load.py raises MINSHENG_SUBMIT_LIMIT from 20 to 1000000 per address and hour; "
                 "MINSHENG_TRUSTED_PROXY_COUNT=1 (each client sends its own X-Forwarded-For)")


def run_locust(url, users, spawn_rate, seconds, stop_timeout, out_dir, label):
    prefix = str(Path(out_dir) / label)
    submitted = Path(out_dir) / f"{label}-submitted.json"
    command = [LOCUST, "-f", LOCUSTFILE, "--headless", "--host", url, "-u", str(users), "-r", str(spawn_rate),
               "-t", f"{seconds}s", "--stop-timeout", str(stop_timeout), "--csv", prefix, "--only-summary",
               "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    env = {**os.environ, "LOAD_SUBMITTED": str(submitted)}
    started = time.monotonic()
    with open(Path(out_dir) / f"{label}-locust.log", "w") as log:
        subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=seconds + stop_timeout + 120,
                       stdout=log, stderr=subprocess.STDOUT)
    elapsed = time.monotonic() - started
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        stats = list(csv.DictReader(f))
    with open(f"{prefix}_failures.csv", encoding="utf-8") as f:
        failures = list(csv.DictReader(f))
    return stats, failures, json.loads(submitted.read_text(encoding="utf-8")), elapsed


def print_stats(title, stats):
    print(f"\n{title}")
    print(f"  {'endpoint':<34} {'requests':>8} {'failed':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in stats:
        name = "ALL" if row["Name"] == "Aggregated" else row["Name"]
        print(f"  {name:<34} {row['Request Count']:>8} {row['Failure Count']:>6} {float(row['Requests/s']):>7.1f} "
              f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}")


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop gunicorn on the way out (finally:)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--stop-timeout", type=int, default=15)
    parser.add_argument("--baseline-seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default="minsheng_load")
    parser.add_argument("--demo-cases", type=int, default=50)
    parser.add_argument("--reuse-db", action="store_true", help="Skip creating and loading the database.")
    args = parser.parse_args()

    from harness import database_url

    if args.reuse_db:
        url = database_url(args.database)
    else:
        url = recreate_database(args.database)
    env = environment(url, MINSHENG_TRUSTED_PROXY_COUNT=1)
    started = time.monotonic()
    if not args.reuse_db:
        prepare(env, args.demo_cases)
        print(f"Database {args.database}: migrated and demo loaded in {time.monotonic() - started:.0f}s")
    setup_django(env)
    from django.db import connection

    from casemodels.models import Case

    before = set(Case.objects.values_list("number", flat=True))
    connection.close()

    print(f"Throttles: {THROTTLE_NOTE}")
    server = Gunicorn(env, workers=args.workers, settings="settings_load")
    print(f"gunicorn: {args.workers} sync workers on {server.url}, PostgreSQL {args.database}")
    try:
        with tempfile.TemporaryDirectory(prefix="minsheng-load-") as out:
            base_stats, base_failures, base_sub, _ = run_locust(
                server.url, 1, 1, args.baseline_seconds, args.stop_timeout, out, "baseline")
            stats, failures, submitted, elapsed = run_locust(
                server.url, args.users, args.spawn_rate, args.seconds, args.stop_timeout, out, "load")
    finally:
        server.stop()

    print_stats(f"Baseline: 1 user, {args.baseline_seconds}s", base_stats)
    print_stats(f"Load: {args.users} users (spawn {args.spawn_rate}/s), {args.seconds}s "
                f"(locust ran {elapsed:.0f}s with start-up and stop)", stats)

    problems = []
    statuses = {}
    for part in (base_sub, submitted):
        for status, n in part["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    print(f"\nHTTP statuses: {dict(sorted(statuses.items()))}")
    server_errors = sum(n for status, n in statuses.items() if status.isdigit() and int(status) >= 500)
    if server_errors:
        problems.append(f"{server_errors} server errors (5xx)")
    all_failures = base_failures + failures
    if all_failures:
        problems.append(f"{sum(int(f['Occurrences']) for f in all_failures)} failed requests")
        for f in all_failures[:10]:
            print(f"  failure: {f['Method']} {f['Name']} ×{f['Occurrences']}: {f['Error'][:300]}")

    confirmed = [number for number, _how in base_sub["submitted"] + submitted["submitted"]]
    unknown = base_sub["unknown"] + submitted["unknown"]
    new = set(Case.objects.values_list("number", flat=True)) - before
    by_way = {}
    for _number, how in base_sub["submitted"] + submitted["submitted"]:
        by_way[how] = by_way.get(how, 0) + 1
    print(f"Submissions confirmed: {len(confirmed)} ({by_way}); outcome unknown: {len(unknown)}; "
          f"new cases in the database: {len(new)}")
    if len(set(confirmed)) != len(confirmed):
        problems.append("a case number was handed out twice")
    if new != set(confirmed):
        missing, extra = set(confirmed) - new, new - set(confirmed)
        if missing or len(extra) > len(unknown):
            problems.append(f"database and submissions differ: {len(missing)} confirmed but missing "
                            f"{sorted(missing)[:5]}, {len(extra)} in the database unconfirmed {sorted(extra)[:5]}")
    half = incomplete_cases(new)
    if half:
        problems.append(f"{len(half)} half-written cases: {half[:5]}")
    states = {}
    for state in Case.objects.filter(number__in=new).values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    print(f"New cases by state (the staff users' dispatch/sign/reply): {states}")

    if problems:
        print("\nLOAD TEST FAILED: " + "; ".join(problems))
        return 1
    print("\nLoad test passed: no server error, no failed request, the database holds exactly the "
          f"{len(confirmed)} confirmed submissions, none half-written.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
