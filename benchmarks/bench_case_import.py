"""Historical case import at speed: a 100,000-row file through the product's
bulk path, beside baselines measured in the same run.

    .venv/bin/python benchmarks/bench_case_import.py [--rows 100000] [--formats csv,xlsx] [--default-rows 3000]

Uses a throw-away SQLite database in var/ unless DATABASE_URL is set (a
PostgreSQL URL gets a test database created and dropped by Django).

The file: closed and archived cases received over the past year (more on
weekdays and in office hours), replied and closed 0–20 days later, four
channels, 200 directory items, 30 units, 20 townships, seven in ten with a
phone, texts from the real messages of ``../shared/data`` when present
(else generated), Chinese headers; written as CSV and as XLSX.

Measured, each from an empty case table:

- check: ``check_import_job`` — read the file, every cell through the
  resource's widgets, every row through ``import_historical_cases``'
  rules, nothing written;
- apply: ``apply_import_job`` — the same, then the cases, their events and
  fingerprints written, one transaction (the admin's background import and
  ``manage.py import_cases`` both run these two);
- baseline, raw ``executemany``: the same rows, already parsed and valid,
  inserted into the case and event tables with two ``executemany`` calls
  (no file, no checks, no numbering);
- baseline, django-import-export's default path: a plain ``ModelResource``
  of ``Case`` (one instance, one ``save()`` and one lookup per row, no
  checks of ours) on the first ``--default-rows`` rows of the same data.

Target: ≥ 10,000 rows/s on SQLite and ≥ 5,000 on PostgreSQL for apply.
"""

import argparse
import csv
import datetime
import io
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_case_import.sqlite3'}")

from reporting import report  # noqa: E402

HEADERS = ["原工单号", "渠道编码", "诉求类型", "紧急程度", "标题", "诉求内容", "地址", "区域编码", "市民姓名", "联系电话",
           "目录编码", "承办单位编码", "受理时间", "答复时间", "办结时间", "答复内容", "状态"]
DATA = ROOT.parent / "shared" / "data" / "messages_labelled_dev.csv"
CHANNELS = [("hotline", 0.62), ("web", 0.16), ("app", 0.14), ("wechat", 0.08)]
TYPES = [("投诉", 0.35), ("求助", 0.3), ("咨询", 0.2), ("建议", 0.1), ("举报", 0.05)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def texts():
    """(title, content) pairs: the real messages when present."""
    if DATA.exists():
        with DATA.open(encoding="utf-8-sig") as f:
            found = [(r["留言主题"].strip()[:40], " ".join(r["留言详情"].split())[:160]) for r in csv.DictReader(f)]
        found = [(t, c) for t, c in found if t and len(c) >= 10]
        if found:
            return found
    things = ["路灯不亮", "噪音扰民", "道路破损", "垃圾未清运", "供暖不热", "占道经营", "油烟污染", "违章停车", "积水严重"]
    return [(f"{t}（{i}）", f"小区附近{t}已经有{i % 9 + 2}天了，影响居民生活，请尽快处理。") for i, t in enumerate(things * 20)]


def pick(rng, weighted):
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def case_rows(n, seed=12345):
    rng = random.Random(seed)
    pool = texts()
    now = datetime.datetime.now().replace(microsecond=0)
    start = now - datetime.timedelta(days=365)
    rows = []
    for i in range(n):
        day = start + datetime.timedelta(days=rng.randrange(355))
        if day.weekday() >= 5 and rng.random() < 0.5:
            day -= datetime.timedelta(days=2)
        received = day.replace(hour=rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 20]),
                               minute=rng.randrange(60), second=0)
        closed = received + datetime.timedelta(days=rng.choice([0, 1, 2, 3, 3, 5, 5, 7, 10, 15, 20]),
                                               hours=rng.randrange(8))
        closed = min(closed, now - datetime.timedelta(hours=1))
        replied = received + (closed - received) * rng.choice([0.5, 0.8, 1])
        title, content = pool[rng.randrange(len(pool))]
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if rng.random() < 0.7 else ""
        rows.append([
            f"OLD-{i:07d}", pick(rng, CHANNELS), pick(rng, TYPES), "一般" if rng.random() < 0.95 else "紧急",
            title, content, f"某街道{rng.randrange(1, 200)}号" if rng.random() < 0.8 else "",
            f"t{rng.randrange(20):02d}", (rng.choice(SURNAMES) + "先生") if phone else "", phone,
            f"i{rng.randrange(200):03d}", f"u{rng.randrange(30):02d}",
            received.strftime("%Y-%m-%d %H:%M"), replied.strftime("%Y-%m-%d %H:%M:%S"),
            closed.strftime("%Y-%m-%d %H:%M:%S"), "已联系市民并处理完毕。", "办结" if rng.random() < 0.9 else "归档",
        ])
    return rows


def csv_bytes(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first apply")
    parser.add_argument("--default-rows", type=int, default=3000,
                        help="rows for django-import-export's default path (it is slow)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment

    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from casemodels.models import Case, CaseEvent, CaseFingerprint, CaseNumberCounter, CaseState
        from snippets.imports.services import apply_import_job, check_import_job, create_import_job
        from snippets.models import Channel, DirectoryItem, Level, Region, Unit

        city = Region.objects.create(name="市", code="city", level=Level.CITY)
        for t in range(20):
            Region.objects.create(name=f"镇{t}", code=f"t{t:02d}", level=Level.TOWNSHIP, parent=city)
        Unit.objects.create(name="市民服务热线", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY)
        for u in range(30):
            Unit.objects.create(name=f"单位{u}", code=f"u{u:02d}", kind=Unit.Kind.DEPARTMENT, level=Level.CITY)
        for code, _w in CHANNELS:
            Channel.objects.get_or_create(code=code, defaults={"name": code})
        parent = DirectoryItem.objects.create(code="C0", name="城乡建设")
        DirectoryItem.objects.bulk_create([DirectoryItem(code=f"i{i:03d}", name=f"事项{i}", parent=parent)
                                           for i in range(200)])
        admin = get_user_model().objects.create_superuser("bench", password="x")

        started = time.perf_counter()
        rows = case_rows(args.rows)
        files = {}
        for fmt in args.formats.split(","):
            files[fmt] = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
        print(f"Generated {len(rows):,} rows in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{fmt} {len(data) / 2**20:.1f} MB" for fmt, data in files.items()), flush=True)

        def empty():
            CaseFingerprint.objects.all().delete()
            CaseEvent.objects.all().delete()
            Case.objects.all().delete()
            CaseNumberCounter.objects.all().delete()

        results = {}
        for fmt, data in files.items():
            empty()
            job = create_import_job("cases", SimpleUploadedFile(f"cases.{fmt}", data), admin)
            t0 = time.perf_counter()
            check_import_job(job)
            check = time.perf_counter() - t0
            assert job.status == "previewed", job.errors[:3]
            if args.profile and not results:
                import cProfile
                import pstats

                profile = cProfile.Profile()
                profile.enable()
            t0 = time.perf_counter()
            apply_import_job(job)
            apply = time.perf_counter() - t0
            if args.profile and not results:
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
            assert job.status == "done", job.errors[:3]
            assert Case.objects.count() == len(rows) == CaseEvent.objects.count()
            assert Case.objects.filter(state=CaseState.ARCHIVED).count() > 0
            results[fmt] = (check, apply)
            print(f"{fmt}: check {check:.2f} s, apply {apply:.2f} s, peak memory {peak_mb():.0f} MB", flush=True)

        # Baseline 1: raw executemany of the same rows, parsed and valid.
        empty()
        ids = {m: dict(m.objects.values_list("code", "pk")) for m in (Channel, Unit, DirectoryItem, Region)}
        parse = datetime.datetime.fromisoformat
        tz = datetime.timezone(datetime.timedelta(hours=8))
        now = datetime.datetime.now(datetime.timezone.utc)
        adapt = connection.ops.adapt_datetimefield_value
        types = {"投诉": "complaint", "求助": "help", "咨询": "consultation", "建议": "suggestion", "举报": "report"}
        parsed = [(
            f"B{i:09d}", ids[Channel][r[1]], r[0], types[r[2]], "normal", r[4], r[5], r[6], ids[Region][r[7]],
            r[8], r[9], not r[9], f"Q{i:07d}", ids[DirectoryItem][r[10]], "closed", ids[Unit][r[11]], r[15],
            adapt(parse(r[12]).replace(tzinfo=tz)), adapt(parse(r[13]).replace(tzinfo=tz)),
            adapt(parse(r[14]).replace(tzinfo=tz)), adapt(now),
        ) for i, r in enumerate(rows)]
        case_sql = (
            "INSERT INTO casemodels_case (number, channel_id, external_id, case_type, urgency, title, content, address, "
            "region_id, citizen_name, citizen_phone, is_anonymous, query_code, directory_item_id, state, owner_unit_id, "
            "reply, received_at, replied_at, closed_at, updated_at, citizen_id_number, is_confidential, round, "
            "divert_route, is_unsatisfied, is_public, deadlines_provisional, version) VALUES "
            f"({', '.join(['%s'] * 21)}, '', false, 1, '', false, false, false, 1)"
        )
        from casemodels.services.bulk_sql import bulk_write_cache

        t0 = time.perf_counter()
        with transaction.atomic(), bulk_write_cache():  # the same page cache as the product's writes
            with connection.cursor() as cursor:
                cursor.executemany(case_sql, parsed)
                cursor.execute("SELECT id, state FROM casemodels_case ORDER BY id")
                events = [(pk, "import", adapt(now), "", state, "", '{"imported": true}') for pk, state in cursor.fetchall()]
                cursor.executemany(
                    "INSERT INTO casemodels_caseevent (case_id, action, created_at, from_state, to_state, note, data) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s)", events)
        raw = time.perf_counter() - t0
        assert Case.objects.count() == len(rows)
        print(f"raw executemany: {raw:.2f} s", flush=True)

        # Baseline 2: django-import-export's default path, a plain ModelResource.
        empty()
        import tablib
        from import_export import resources

        class DefaultCaseResource(resources.ModelResource):
            class Meta:
                model = Case
                fields = ("number", "channel", "external_id", "case_type", "title", "content", "address", "region",
                          "citizen_name", "citizen_phone", "query_code", "directory_item", "state", "owner_unit",
                          "reply", "received_at", "replied_at", "closed_at")
                import_id_fields = ("number",)

        subset = parsed[:args.default_rows]
        dataset = tablib.Dataset(headers=list(DefaultCaseResource.Meta.fields))
        for p in subset:
            dataset.append([p[0], p[1], p[2], p[3], p[5], p[6], p[7], p[8], p[9], p[10], p[12], p[13], p[14], p[15],
                            p[16], parse(rows[0][12]), parse(rows[0][13]), parse(rows[0][14])])
        t0 = time.perf_counter()
        result = DefaultCaseResource().import_data(dataset, dry_run=False, use_transactions=True)
        default = time.perf_counter() - t0
        assert not result.has_errors() and not result.has_validation_errors(), result.base_errors[:1]
        assert Case.objects.count() == len(subset)
        print(f"django-import-export default path: {default:.2f} s for {len(subset):,} rows", flush=True)
        empty()

        n = len(rows)
        vendor = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
        target = 10_000 if vendor == "SQLite" else 5_000
        raw_rate, default_rate = n / raw, len(subset) / default
        print(f"\nMinsheng historical case import — {vendor}, {n:,} rows, Python {sys.version.split()[0]}, "
              f"peak memory {peak_mb():.0f} MB\n")
        print("| measurement | s | rows/s | raw executemany rows/s | ratio | import-export default rows/s | × faster |")
        print("|---|---|---|---|---|---|---|")
        for fmt, (check, apply) in results.items():
            for name, took in ((f"check ({fmt})", check), (f"apply ({fmt})", apply)):
                rate = n / took
                versus = f"{raw_rate / rate:.1f}× slower" if rate < raw_rate else f"{rate / raw_rate:.1f}× faster"
                print(f"| {name} | {took:.2f} | {rate:,.0f} | {raw_rate:,.0f} | {versus} | "
                      f"{default_rate:,.0f} | {rate / default_rate:.1f}× |")
                report("bench_case_import", f"{name}, {n:,} rows", rate, "rows/s", raw_rate, "raw executemany",
                       better="higher", target=target if name.startswith("apply") else None, n=n)
                report("bench_case_import", f"{name} vs import-export default path", rate, "rows/s", default_rate,
                       "django-import-export default ModelResource", better="higher", n=n)
        print(f"\nTarget: apply ≥ {target:,} rows/s on {vendor}.")
    finally:
        from django.db import connections

        connections.close_all()
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
