"""Directory import speed through the real path, beside a baseline
measured in the same run.

    .venv/bin/python benchmarks/bench_imports.py [--repeat 3] [--profile]

Uses a throw-away SQLite database in var/ unless DATABASE_URL is set (a
PostgreSQL URL gets a test database created and dropped by Django).

A 40-class / 1,946-item dispatch directory (1,986 rows with the classes) is
generated in memory as an XLSX file with Chinese headers, then:

- check: ``check_import_job`` (read the file, every row through the
  django-import-export resource with the model's ``full_clean()``, a dry
  run rolled back);
- apply: ``apply_import_job`` (the same, committed in one transaction);
- baseline: ``DirectoryItem.objects.bulk_create`` of the same rows, built
  from the already-parsed values (no file, no validation), classes first.

Each measurement starts from an empty directory; the figure is the median.
"""

import argparse
import io
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

HEADERS = ["编码", "名称", "上级编码", "派单方式", "行业单位编码", "属地层级", "协办单位编码", "关键词",
           "默认诉求类型", "默认紧急程度", "排序", "启用"]


def directory_rows(classes=40, items=1946, units=("u0", "u1", "u2", "u3")):
    """40 classes; the 1,946 items spread over them (48 or 49 each)."""
    rows = []
    per, extra = divmod(items, classes)
    for c in range(classes):
        rows.append([f"C{c:02d}", f"第{c}类", "", "无", "", "", "", "", "", "", c, "是"])
        for i in range(per + (1 if c < extra else 0)):
            territorial = i % 3 == 0
            rows.append([
                f"C{c:02d}{i:03d}", f"第{c}类第{i}项", f"C{c:02d}",
                "属地" if territorial else "行业", "" if territorial else units[i % len(units)],
                "乡镇" if territorial else "", units[(i + 1) % len(units)] if i % 5 == 0 else "",
                "路灯,噪音,占道", "投诉", "一般", i, "是",
            ])
    return rows


def xlsx(rows):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one apply")
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
        from snippets.imports.services import apply_import_job, check_import_job, create_import_job
        from snippets.models import DirectoryItem, Level, Region, Unit

        city = Region.objects.create(name="市", code="r", level=Level.CITY)
        town = Region.objects.create(name="镇", code="rt", level=Level.TOWNSHIP, parent=city)
        for n in range(4):
            Unit.objects.create(name=f"单位{n}", code=f"u{n}", kind=Unit.Kind.DEPARTMENT, level=Level.CITY)
        Unit.objects.create(name="镇政府", code="t", kind=Unit.Kind.TOWNSHIP, level=Level.TOWNSHIP, region=town)
        admin = get_user_model().objects.create_superuser("bench", password="x")
        rows = directory_rows()
        data = xlsx(rows)
        units = {u.code: u for u in Unit.objects.all()}

        def empty():
            DirectoryItem.co_handlers.through.objects.all().delete()
            DirectoryItem.objects.filter(parent__isnull=False).delete()
            DirectoryItem.objects.all().delete()

        def run(fn):
            empty()
            job = create_import_job("directory", SimpleUploadedFile("d.xlsx", data), admin)
            if fn is apply_import_job:
                check_import_job(job)
                assert job.status == "previewed", job.errors[:3]
            start = time.perf_counter()
            fn(job)
            took = time.perf_counter() - start
            assert job.status in ("previewed", "done"), job.errors[:3]
            return took

        def baseline():
            empty()
            start = time.perf_counter()
            with transaction.atomic():
                classes = {}
                objs = []
                for r in rows:
                    item = DirectoryItem(
                        code=r[0], name=r[1], routing={"无": "none", "行业": "sector", "属地": "territorial"}[r[3]],
                        sector_unit=units.get(r[4]), territorial_level=Level.TOWNSHIP if r[5] else None,
                        keywords=r[7], default_case_type="complaint" if r[8] else "", sort_order=r[10],
                    )
                    if r[2]:
                        item.parent = classes[r[2]]
                        objs.append(item)
                    else:
                        classes[r[0]] = item
                DirectoryItem.objects.bulk_create(list(classes.values()))
                DirectoryItem.objects.bulk_create(objs)
            return time.perf_counter() - start

        checks = [run(check_import_job) for _ in range(args.repeat)]
        applies = [run(apply_import_job) for _ in range(args.repeat)]
        bases = [baseline() for _ in range(args.repeat)]
        assert DirectoryItem.objects.count() == len(rows)

        if args.profile:
            import cProfile
            import pstats

            empty()
            job = create_import_job("directory", SimpleUploadedFile("d.xlsx", data), admin)
            check_import_job(job)
            prof = cProfile.Profile()
            prof.enable()
            apply_import_job(job)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(40)

        n = len(rows)

        def line(name, samples):
            med = statistics.median(samples)
            base = statistics.median(bases)
            report("bench_imports", f"directory import {name.split(' ')[0]} ({n} rows)", n / med, "rows/s",
                   n / base, "bare bulk_create of the same rows", better="higher", target=5000,
                   n=args.repeat)
            return f"| {name} | {n} | {med * 1000:.0f} | {n / med:,.0f} | {n / base:,.0f} | {med / base:.1f}× |"

        print(f"\nMinsheng directory import benchmark — {connection.vendor}, {n} rows "
              f"(40 classes, 1,946 items), median of {args.repeat}, Python {sys.version.split()[0]}\n")
        print("| measurement | rows | median ms | rows/s | baseline rows/s (bulk_create) | ratio |")
        print("|---|---|---|---|---|---|")
        print(line("check (XLSX → resource → full_clean, dry run rolled back)", checks))
        print(line("apply (XLSX → resource → full_clean → bulk writes, one transaction)", applies))
    finally:
        from django.db import connections

        connections.close_all()  # the progress connection too (PostgreSQL)
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
