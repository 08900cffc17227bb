"""Helpers for the import tests: real XLSX files made with openpyxl."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from snippets.imports.services import apply_import_job, check_import_job, create_import_job

DIRECTORY_HEADERS = [
    "编码", "名称", "上级编码", "派单方式", "行业单位编码", "属地层级", "协办单位编码", "关键词",
    "默认诉求类型", "默认紧急程度", "排序", "启用",
]


def xlsx_bytes(headers, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(headers, rows, name="import.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(headers, rows))


def directory_rows(classes=40, items=1946, unit="zjj"):
    rows = []
    per, extra = divmod(items, classes)
    for c in range(classes):
        rows.append([f"C{c:02d}", f"第{c}类", "", "无", "", "", "", "", "", "", c, "是"])
        for i in range(per + (1 if c < extra else 0)):
            rows.append([
                f"C{c:02d}{i:03d}", f"第{c}类第{i}项", f"C{c:02d}", "行业", unit, "",
                unit if i % 7 == 0 else "", "路灯,噪音", "投诉", "一般", i, "是",
            ])
    return rows


def run_import(kind, headers, rows, user, *, apply=True):
    job = create_import_job(kind, upload(headers, rows), user)
    check_import_job(job)
    if apply and job.status == "previewed":
        apply_import_job(job)
    job.refresh_from_db()
    return job
