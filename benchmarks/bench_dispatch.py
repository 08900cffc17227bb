"""Dispatch suggestions on real messages: accuracy by cross-validation and
time per suggestion, beside a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_dispatch.py [--folds 5] [--seed 0] [--cases N] [--csv PATH]

Reads ``../shared/data/messages_labelled_dev.csv`` (821 citizen messages
labelled with 7 subject classes; see that folder's README). When the file
is not there, says so and exits 0. Nothing of it is written anywhere but
the throw-away database.

Uses a throw-away SQLite database in var/ unless DATABASE_URL is set (a
PostgreSQL URL gets a test database created and dropped by Django).

Through the product's own paths:

- the 7 classes become directory items (routed to one unit each) through
  the directory import (an XLSX file, ``create_import_job`` → check →
  apply), with no keywords;
- the messages become closed historical cases through the case import
  (subject → title, details → content, class → directory item code);
- ``--cases N`` adds N synthetic closed cases without a directory item
  (bulk rows: they are not learned from and only make the database big, for
  timing suggestions at scale);
- stratified k-fold cross-validation: for each fold, the held-out cases'
  directory item is cleared inside a transaction (so they are not learned
  from), ``train_dispatch_model`` trains and stores a version (which holds
  back a fifth of the rest for its own judgement, then fits on all of it),
  every held-out message (subject, a line break, details) goes through
  ``suggest_dispatch(…, limit=3)`` — first with no active model (the rules
  alone), then with the new one — and the transaction is rolled back.

Figures: top-1, top-3 and macro-F1 over the messages of
(a) the keyword rules alone: no keywords are configured, so they only
    suggest an item whose own name occurs in the text (rarely); a
    message with no suggestion counts as wrong;
(b) the baseline: TF-IDF over character 1–3-grams + a linear SVM
    (scikit-learn defaults), fitted on the same training folds;
(c) the product: rules and learned model, through ``suggest_dispatch``;
plus p50/p95 time per suggestion (the baseline's single-message prediction
beside it), training time per fold and the stored model's size.
"""

import argparse
import csv
import datetime
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_dispatch.sqlite3'}")

from reporting import report  # noqa: E402

DEFAULT_CSV = ROOT.parent / "shared" / "data" / "messages_labelled_dev.csv"
DIRECTORY_HEADERS = ["编码", "名称", "上级编码", "派单方式", "行业单位编码", "属地层级", "协办单位编码", "关键词",
                     "默认诉求类型", "默认紧急程度", "排序", "启用"]
CASE_HEADERS = ["原工单号", "渠道编码", "诉求类型", "标题", "诉求内容", "目录编码", "承办单位编码",
                "受理时间", "办结时间", "状态"]
# Characters an XLSX cell cannot hold (control characters but tab and line breaks).
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def read_messages(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return [{
        "id": r["留言编号"].strip(), "title": ILLEGAL.sub("", r["留言主题"]).strip(),
        "content": ILLEGAL.sub("", r["留言详情"]).strip(), "time": r["留言时间"].strip(),
        "label": r["一级标签"].strip(),
    } for r in rows]


def xlsx(headers, rows):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_import(kind, name, data, admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from snippets.imports.services import apply_import_job, check_import_job, create_import_job

    job = create_import_job(kind, SimpleUploadedFile(name, data), admin)
    check_import_job(job)
    if job.status != "previewed":
        raise SystemExit(f"{kind} import refused: {job.errors[:3]}")
    apply_import_job(job)
    job.refresh_from_db()
    if job.status != "done":
        raise SystemExit(f"{kind} import failed: {job.errors[:3]}")
    return job


def background_cases(n, channel, unit):
    """``n`` closed cases without a directory item, written in bulk."""
    from django.utils import timezone

    from casemodels.models import Case, CaseState

    start = timezone.now() - datetime.timedelta(days=400)
    batch = []
    for i in range(n):
        at = start + datetime.timedelta(seconds=30 * i)
        batch.append(Case(
            number=f"BG{i:010d}", channel=channel, case_type="consultation", title=f"背景工单{i}",
            content=f"背景工单{i}：咨询事项，已答复。", query_code="BGBGBGBG", owner_unit=unit,
            state=CaseState.CLOSED, received_at=at, replied_at=at, closed_at=at,
        ))
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)


def quantile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cases", type=int, default=0, help="synthetic background cases to add")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    args = parser.parse_args()
    if not args.csv.is_file():
        print(f"bench_dispatch: {args.csv} is not there; nothing to measure (skipped).")
        return

    import django

    django.setup()
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    messages = read_messages(args.csv)
    labels = sorted({m["label"] for m in messages})
    code_of = {label: f"L{n}" for n, label in enumerate(labels, 1)}
    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from casemodels.models import Case
        from casemodels.services.learning import forget_loaded_model, train_dispatch_model
        from casemodels.services.learning.store import dumps
        from casemodels.services.suggestions import suggest_dispatch
        from snippets.models import Channel, Level, Unit

        admin = get_user_model().objects.create_superuser("bench", password="x")
        centre = Unit.objects.create(name="指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY)
        for label in labels:
            Unit.objects.create(name=f"{label}主管部门", code=f"u{code_of[label]}", kind=Unit.Kind.DEPARTMENT,
                                level=Level.CITY, parent=centre)
        channel = Channel.objects.create(name="网上留言", code="web", is_public=True)

        started = time.perf_counter()
        directory = [["L", "留言分类", "", "无", "", "", "", "", "", "", 0, "是"]] + [
            [code_of[label], label, "L", "行业", f"u{code_of[label]}", "", "", "", "", "", n, "是"]
            for n, label in enumerate(labels, 1)
        ]
        run_import("directory", "directory.xlsx", xlsx(DIRECTORY_HEADERS, directory), admin)
        cases = []
        for m in messages:
            received = datetime.datetime.strptime(m["time"], "%Y-%m-%d %H:%M:%S")
            closed = received + datetime.timedelta(days=3)
            cases.append([m["id"], "web", "咨询", m["title"], m["content"], code_of[m["label"]],
                          f"u{code_of[m['label']]}", f"{received:%Y-%m-%d %H:%M:%S}", f"{closed:%Y-%m-%d %H:%M:%S}",
                          "办结"])
        run_import("cases", "cases.xlsx", xlsx(CASE_HEADERS, cases), admin)
        imported = time.perf_counter() - started
        if args.cases:
            background_cases(args.cases, channel, centre)
        by_external = dict(Case.objects.filter(channel=channel).values_list("external_id", "pk"))
        case_ids = np.array([by_external[m["id"]] for m in messages])
        texts = np.array([f"{m['title']}\n{m['content']}" for m in messages], dtype=object)
        y = np.array([code_of[m["label"]] for m in messages])

        ranked = {"rules": [None] * len(y), "baseline": [None] * len(y), "product": [None] * len(y)}
        times = {"rules": [], "baseline": [], "product": []}
        sizes, fits, versions = [], [], []
        folds = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
        for fold, (train, test) in enumerate(folds.split(texts, y), 1):
            baseline = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LinearSVC())
            baseline.fit(texts[train], y[train])
            for i in test:
                t = time.perf_counter()
                scores = baseline.decision_function([texts[i]])[0]
                times["baseline"].append(time.perf_counter() - t)
                ranked["baseline"][i] = [str(baseline.classes_[j]) for j in np.argsort(-scores)[:3]]
            with transaction.atomic():
                Case.objects.filter(pk__in=case_ids[test].tolist()).update(directory_item=None)
                forget_loaded_model()
                for source in ("rules", "product"):
                    if source == "product":
                        t = time.perf_counter()
                        result = train_dispatch_model()
                        fits.append(time.perf_counter() - t)
                        assert result.model is not None, result.message
                        sizes.append(result.model.size_bytes)
                        versions.append(result)
                    for i in test:
                        t = time.perf_counter()
                        found = suggest_dispatch(texts[i], limit=3)
                        times[source].append(time.perf_counter() - t)
                        ranked[source][i] = [s["item"].code for s in found]
                transaction.set_rollback(True)
            forget_loaded_model()
            print(f"fold {fold}/{args.folds}: trained in {fits[-1]:.1f} s, {versions[-1].message}", flush=True)

        def scores(name):
            r = ranked[name]
            top1 = np.mean([bool(p) and p[0] == t for p, t in zip(r, y)])
            top3 = np.mean([t in p[:3] for p, t in zip(r, y)])
            f1 = f1_score(y, [p[0] if p else "-" for p in r], labels=sorted(set(y)), average="macro", zero_division=0)
            ms = [s * 1000 for s in times[name]]
            return float(top1), float(top3), float(f1), quantile(ms, 0.5), quantile(ms, 0.95)

        def figures(name):
            top1, top3, f1, p50, p95 = scores(name)
            return f"{top1:.3f} | {top3:.3f} | {f1:.3f} | {p50:.1f} | {p95:.1f}"

        base_size = len(dumps(baseline))
        print(f"\nMinsheng dispatch suggestion benchmark — {connection.vendor}, {len(messages)} messages, "
              f"{len(labels)} classes, {args.folds}-fold stratified CV (seed {args.seed}), "
              f"{Case.objects.count():,} cases in the database, Python {sys.version.split()[0]}\n")
        print("| suggestions from | top-1 | top-3 | macro-F1 | p50 ms | p95 ms |")
        print("|---|---|---|---|---|---|")
        print(f"| (a) keyword rules alone (no keywords configured), suggest_dispatch | {figures('rules')} |")
        print(f"| (b) baseline: TF-IDF char 1-3 + LinearSVC (prediction only) | {figures('baseline')} |")
        print(f"| (c) product: rules + learned model, suggest_dispatch | {figures('product')} |")
        held = [r.model.metrics for r in versions]
        print(f"\nimport of {len(messages)} cases through the case import: {imported:.1f} s; training per fold "
              f"(judging fit + final fit): median {statistics.median(fits):.1f} s")
        print(f"stored model: median {statistics.median(sizes) / 1024:.0f} KiB compressed "
              f"(baseline pipeline, same compression: {base_size / 1024:.0f} KiB)")
        print("the service's own held-back judgement per fold (model top-1 vs rules top-1): "
              + ", ".join(f"{m['model']['top1']:.3f} vs {m['rules']['top1']:.3f}" for m in held))
        product, base_scores = scores("product"), scores("baseline")
        base_name = "TF-IDF char 1-3 + LinearSVC"
        for k, name in enumerate(("top-1", "top-3", "macro-F1")):
            report("bench_dispatch", f"suggest_dispatch {name} ({args.folds}-fold CV)", product[k], "share",
                   base_scores[k], base_name, better="higher", n=len(messages))
        report("bench_dispatch", "suggest_dispatch p50", product[3], "ms", base_scores[3],
               base_name + " (prediction only)", n=len(messages))
    finally:
        from django.db import connections

        connections.close_all()
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
