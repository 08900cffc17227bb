"""Malformed import files: each gets a clear refusal or row-numbered errors,
and nothing is committed."""

import io
import zipfile

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from casemodels.models import Case
from snippets.imports import xlsx
from snippets.imports.services import ImportRefused, apply_import_job, check_import_job, create_import_job
from snippets.models import DirectoryItem, ImportJob, Level, Unit
from tests.factories import ChannelFactory, UnitFactory

from .imports_helpers import xlsx_bytes

S = ImportJob.Status
HEADERS = ["原工单号", "渠道编码", "诉求类型", "诉求内容", "承办单位编码", "受理时间", "办结时间", "状态"]
GOOD = ["A1", "hotline", "投诉", "路灯坏了", "zjj", "2025-03-01 09:30", "2025-03-03 10:00", "办结"]


@pytest.fixture
def admin(db):
    UnitFactory(name="指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY)
    UnitFactory(name="住建局", code="zjj", kind=Unit.Kind.DEPARTMENT, level=Level.CITY)
    ChannelFactory(name="12345热线", code="hotline")
    return get_user_model().objects.create_superuser("importer", password="x")


def checked(kind, name, data, user):
    job = create_import_job(kind, SimpleUploadedFile(name, data), user)
    check_import_job(job)
    job.refresh_from_db()
    return job


def assert_nothing_imported():
    assert Case.objects.count() == 0 and DirectoryItem.objects.count() == 0


def test_wrong_headers_name_the_missing_columns(admin):
    job = checked("cases", "c.xlsx", xlsx_bytes(["编号", "正文", "时间"], [["A1", "x", "2025-03-01"]]), admin)
    assert job.status == S.INVALID
    assert len(job.errors) == 1 and job.errors[0]["row"] == 1
    for column in ("原工单号", "渠道编码", "诉求内容", "受理时间", "办结时间"):
        assert column in job.errors[0]["message"]
    assert_nothing_imported()


def test_headers_not_on_the_first_row_are_refused(admin):
    data = "\n".join([",,,", ",".join(HEADERS), ",".join(GOOD)]).encode()
    job = checked("cases", "c.csv", data, admin)
    assert job.status == S.INVALID and job.errors[0]["row"] == 1
    assert_nothing_imported()


@pytest.mark.parametrize("data", [
    b"this is not a workbook at all" * 100,
    xlsx_bytes(HEADERS, [GOOD] * 50)[:2000],  # cut off half-way
    zipfile.ZipFile.__name__.encode() + b"\x50\x4b\x03\x04" + b"\x00" * 500,
], ids=["text", "truncated", "broken-zip"])
def test_a_broken_workbook_is_refused_as_unreadable(admin, data):
    job = checked("cases", "c.xlsx", data, admin)
    assert job.status == S.INVALID
    assert job.errors == [{"row": 1, "field": "", "message": job.errors[0]["message"]}]
    assert "XLSX" in job.errors[0]["message"]
    assert_nothing_imported()


def test_formulas_are_refused_naming_their_cells(admin):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(GOOD)
    sheet.append(["A2", "hotline", "投诉", "=HYPERLINK(\"http://evil.example\",\"点我\")", "zjj",
                  "2025-03-01 09:30", "2025-03-03 10:00", "办结"])
    sheet.append(["A3", "hotline", "投诉", "正常内容", "zjj", "2025-03-01 09:30", "=NOW()", "办结"])
    out = io.BytesIO()
    book.save(out)

    job = checked("cases", "c.xlsx", out.getvalue(), admin)

    assert job.status == S.INVALID
    message = job.errors[0]["message"]
    assert "D3" in message and "G4" in message and "2" in message
    assert_nothing_imported()


def test_the_openpyxl_fallback_refuses_formulas_too(admin, monkeypatch):
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.active.append(["A1", "hotline", "投诉", "=1+1", "zjj", "2025-03-01 09:30", "2025-03-03 10:00", "办结"])
    out = io.BytesIO()
    book.save(out)

    def unsupported(data):
        raise xlsx.UnsupportedWorkbook("pretend")

    monkeypatch.setattr(xlsx, "read_first_sheet", unsupported)
    job = checked("cases", "c.xlsx", out.getvalue(), admin)
    assert job.status == S.INVALID and "D2" in job.errors[0]["message"]
    assert_nothing_imported()


def test_a_workbook_that_unpacks_too_far_is_refused_before_it_is_read(admin, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_EXPANDED_BYTES", 20_000)
    data = xlsx_bytes(HEADERS, [[f"A{n}", *GOOD[1:]] for n in range(400)])
    assert len(data) < 20_000  # small on disk, large unpacked: what a zip bomb looks like
    job = checked("cases", "c.xlsx", data, admin)
    assert job.status == S.INVALID and "MB" in job.errors[0]["message"]
    assert_nothing_imported()


def test_a_50_mb_file_is_refused_at_upload_with_the_limit(admin, settings):
    big = b"x" * (50 * 1024 * 1024)
    with pytest.raises(ImportRefused) as refused:
        create_import_job("directory", SimpleUploadedFile("d.csv", big), admin)
    assert refused.value.code == "too_large" and "20" in refused.value.message
    settings.MINSHENG_CASE_IMPORT_MAX_BYTES = 40 * 1024 * 1024
    with pytest.raises(ImportRefused) as refused:
        create_import_job("cases", SimpleUploadedFile("c.csv", big), admin)
    assert refused.value.code == "too_large" and "40" in refused.value.message
    assert not ImportJob.objects.exists()


def test_a_csv_that_is_neither_utf8_nor_gb18030_is_refused(admin):
    job = checked("cases", "c.csv", b"\x81\x30\xff\xfe" + ",".join(HEADERS).encode("utf-16"), admin)
    assert job.status == S.INVALID and "UTF-8" in job.errors[0]["message"]
    assert_nothing_imported()


def test_a_file_with_only_headers_is_refused(admin):
    job = checked("cases", "c.csv", (",".join(HEADERS) + "\n").encode(), admin)
    assert job.status == S.INVALID and job.errors[0]["row"] == 1
    assert_nothing_imported()


def test_garbage_rows_get_row_numbered_errors_and_nothing_is_committed(admin):
    rows = [
        ",".join(GOOD),
        "A2,hotline,投诉,,zjj,2025-03-01 09:30,2025-03-03 10:00,办结",  # no content
        "A3,hotline,投诉,路灯,zjj,\x00\x01\x02,2025-03-03 10:00,办结",  # control characters for a date
        "A4,hotline,投诉,路灯,zjj,2025-03-01 09:30,2025-03-03 10:00,办结,extra,cells,beyond,the,headers",
        "A5,hotline,大概是投诉,路灯,zjj,2025-03-01 09:30,2025-03-03 10:00,办结",
        "\"A6,hotline,投诉,路灯,zjj,2025-03-01 09:30,2025-03-03 10:00,办结",  # an unclosed quote eats the rest
    ]
    job = checked("cases", "c.csv", "\n".join([",".join(HEADERS), *rows]).encode(), admin)
    assert job.status == S.INVALID
    assert {e["row"] for e in job.errors} >= {3, 4, 6, 7}
    assert all(e["row"] and e["message"] for e in job.errors)
    assert_nothing_imported()
    with pytest.raises(ImportRefused):  # an invalid job cannot be applied
        apply_import_job(job)
    assert_nothing_imported()


def test_control_characters_are_dropped_from_cells_so_any_database_can_store_them(admin):
    row = ["N1", "hotline", "投诉", "路灯\x00坏了\x07\t两天", "zjj", "2025-03-01 09:30", "2025-03-03 10:00", "办结"]
    data = "\n".join([",".join(HEADERS), ",".join(row)]).encode()
    job = checked("cases", "c.csv", data, admin)
    assert job.status == S.PREVIEWED, job.errors
    apply_import_job(job)
    assert Case.objects.get(external_id="N1").content == "路灯坏了\t两天"
