"""A monthly bulletin of 20 pages and more, with charts, rendered to PDF:
time and peak memory, beside a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_bulletin.py [--cases 30000] [--runs 3]

Uses a SQLite file in var/ (``bench_bulletin.sqlite3``, rebuilt each run)
unless DATABASE_URL is set (a PostgreSQL URL gets a test database created
by Django and dropped afterwards).

The data: the year of ``benchmarks/bench_ranking.py`` at a smaller size
(``--cases`` cases over 2025, 300 units: 60 departments, 40 townships, 200
communities, with their assignments, visits, extensions and exclusions),
the roll-up built from them. The series is 月度通报 with every section:
figures, the four charts, rankings of every unit, red and black lists, hot
matters and places, typical cases, 35 overdue and 35 unsatisfied cases (20 pages in all),
notes; October 2025 is rendered.

Each measurement runs in a fresh process, ``--runs`` times: the first
rendering in the process ("cold": a django-q2 worker just started) and
the same rendering again ("warm": a worker that has rendered before):

- ``issue``: ``publishing.bulletins.render_pdf_bytes`` — the figures and
  lists read from the database, the HTML, weasyprint's layout and the PDF;
- ``baseline``: weasyprint alone on a plain HTML document of the same
  number of pages (a table of as many rows, no charts, no database).

Printed: pages, median seconds, the process's peak resident memory
(``ru_maxrss``: Python, Django with every app, weasyprint, pango and the
fonts included) and what the rendering added to the process at rest
(peak less the resident memory just before). Targets (issue 6): a
20-page bulletin under 5 seconds and under 300 MB."""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_bulletin.sqlite3'}")

from reporting import report  # noqa: E402

TARGET_S, TARGET_MB = 5.0, 300
PERIOD = "2025-10"
SERIES = "月度通报"
SECTIONS = [
    ("text", {"heading": "按语", "text": "<p>现将本月全市接诉即办工作情况通报如下。</p>"}),
    ("figures", {"heading": ""}),
    ("charts", {"heading": "", "charts": ["volume", "rates", "items", "regions"]}),
    ("rankings", {"heading": ""}),
    ("red_black", {"heading": "", "size": 5}),
    ("hot_items", {"heading": "", "limit": 20}),
    ("typical_cases", {"heading": ""}),
    ("overdue", {"heading": "", "limit": 35}),
    ("unsatisfied", {"heading": "", "limit": 35}),
    ("supervision_notes", {"heading": "", "limit": 30}),
]


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb():
    with open("/proc/self/status") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) / 1024


def child(kind, database_name, rows):
    """One measurement in this (fresh) process; prints a JSON line: the
    first rendering in the process (cold), its peak memory, then the same
    rendering again (warm: a worker that has rendered before)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if database_name:
        settings.DATABASES["default"]["NAME"] = database_name
        connection.settings_dict["NAME"] = database_name
    from django.utils import translation

    translation.activate("zh-hans")
    # Imports first (a worker has them loaded): the time is the rendering's.
    from publishing import bulletin_content, pdf  # noqa: F401

    at_rest = resident_mb()
    if kind == "issue":
        from publishing.bulletins import render_pdf_bytes
        from publishing.models import Bulletin

        bulletin = Bulletin.objects.select_related("series").get(series__name=SERIES, period=PERIOD)

        def render():
            return render_pdf_bytes(bulletin)
    else:
        from publishing.pdf import html_to_pdf

        body = "".join(f"<tr><td>MS{i:09d}</td><td>路灯不亮，夜间出行不便</td><td>市住建局</td><td>{i}</td></tr>"
                       for i in range(rows))
        html = ('<html><head><meta charset="utf-8"><style>html{font-family:"Noto Sans CJK SC";font-size:10.5pt}'
                "table{width:100%;border-collapse:collapse}td{border:.5pt solid #999;padding:1.2mm}</style></head>"
                f"<body><h1>月度通报</h1><table>{body}</table></body></html>")

        def render():
            return html_to_pdf(html)
    start = time.perf_counter()
    document, pages = render()
    cold = time.perf_counter() - start
    peak = peak_mb()
    start = time.perf_counter()
    render()
    warm = time.perf_counter() - start
    print(json.dumps({"seconds": cold, "warm": warm, "pages": pages, "bytes": len(document), "peak_mb": peak,
                      "rest_mb": at_rest}))


def measure(kind, database_name, runs, rows=0):
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--database-name", database_name or "", "--rows", str(rows)],
            check=True, capture_output=True, text=True, env=os.environ,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "warm": statistics.median(r["warm"] for r in results),
        "peak_mb": max(r["peak_mb"] for r in results),
        "added_mb": max(r["peak_mb"] - r["rest_mb"] for r in results),
        "pages": results[0]["pages"], "bytes": results[0]["bytes"],
    }


def build(cases):
    from benchmarks.bench_ranking import build_cases, build_units
    from casemodels.services.rollups import rebuild_rollups
    from publishing.bulletins import create_issue
    from publishing.models import BulletinSeries

    import random

    rng = random.Random(20251001)
    centre, units = build_units()
    build_cases(cases, rng, centre, units, lambda done: print(f"\r{done:,} cases written", end="", file=sys.stderr))
    print(file=sys.stderr)
    rebuild_rollups()
    series = BulletinSeries.objects.create(name=SERIES, issuer="高平市接诉即办指挥中心", sections=SECTIONS)
    return create_issue(series, period=PERIOD)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=["issue", "baseline"])
    parser.add_argument("--database-name", default="")
    parser.add_argument("--rows", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.database_name, args.rows)

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    sqlite = connection.vendor == "sqlite"
    if sqlite:
        path = Path(connection.settings_dict["NAME"])
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        database_name = ""
    else:
        setup_test_environment()
        database_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        bulletin = build(args.cases)
        print(f"data: {args.cases:,} cases, roll-up built in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        connection.close()
        issue = measure("issue", database_name, args.runs)
        # The baseline: as many pages of a plain table (about 32 rows a page at this type size).
        baseline = measure("baseline", database_name, args.runs, rows=issue["pages"] * 32)
    finally:
        if not sqlite:
            connection.creation.destroy_test_db(database_name, verbosity=0)

    print(f"\nBulletin {bulletin.series.name} {PERIOD} on {connection.vendor}, median of {args.runs} fresh processes")
    print(f"{'':<34}{'pages':>7}{'cold s':>8}{'warm s':>8}{'peak MB':>9}{'added MB':>10}{'PDF KB':>8}")
    for label, r in (("issue (figures + charts + PDF)", issue), ("baseline: weasyprint, plain table", baseline)):
        print(f"{label:<34}{r['pages']:>7}{r['seconds']:>8.2f}{r['warm']:>8.2f}{r['peak_mb']:>9.0f}"
              f"{r['added_mb']:>10.0f}{r['bytes'] / 1024:>8.0f}")
    print(f"ratio issue / baseline: {issue['seconds'] / baseline['seconds']:.2f}× time (cold), "
          f"{issue['warm'] / baseline['warm']:.2f}× (warm), {issue['peak_mb'] / baseline['peak_mb']:.2f}× peak memory")
    print("cold: the first rendering in a fresh process; warm: the same again in that process (a worker that has "
          "rendered before)")
    print("peak MB: the whole process (Django and every app loaded) after the first rendering; added MB: peak less "
          "the process at rest before")
    ok = (issue["pages"] >= 20 and issue["seconds"] < TARGET_S and issue["warm"] < TARGET_S
          and issue["added_mb"] < TARGET_MB)
    print(f"target: {issue['pages']} pages (≥ 20) in < {TARGET_S:.0f} s cold and warm, rendering < {TARGET_MB} MB — "
          f"{'met' if ok else 'NOT met'}")
    base_name = "weasyprint alone, plain table of the same pages"
    pages = f"{issue['pages']}-page bulletin"
    report("bench_bulletin", f"{pages} to PDF, cold", issue["seconds"], "s", baseline["seconds"], base_name,
           target=TARGET_S, n=args.runs)
    report("bench_bulletin", f"{pages} to PDF, warm", issue["warm"], "s", baseline["warm"], base_name,
           target=TARGET_S, n=args.runs)
    report("bench_bulletin", f"{pages}: memory added by the rendering", issue["added_mb"], "MB",
           baseline["added_mb"], base_name, target=TARGET_MB, n=args.runs)


if __name__ == "__main__":
    main()
