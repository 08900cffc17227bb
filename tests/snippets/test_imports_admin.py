"""The import screens in the Wagtail admin, and formula escaping in exports."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

import snippets.imports.hooks  # noqa: F401  (until snippets/wagtail_hooks.py imports it)
from snippets.imports.exports import EscapeFormulaeMixin, escape_formula
from snippets.models import DirectoryItem, ImportJob, Unit
from tests.factories import StaffFactory, UnitFactory

from .imports_helpers import DIRECTORY_HEADERS, upload

pytestmark = pytest.mark.django_db
S = ImportJob.Status


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    return client


@pytest.fixture
def unit():
    return UnitFactory(code="zjj", name="住建局")


def good_rows():
    return [["A", "市政设施", "", "无", "", "", "", "", "", "", 0, "是"],
            ["A01", "路灯不亮", "A", "行业", "zjj", "", "", "", "", "", 1, "是"]]


def test_upload_preview_confirm_and_status_for_a_superuser(admin_client, unit, django_capture_on_commit_callbacks):
    index = admin_client.get(reverse("minsheng_imports:index"))
    assert index.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("minsheng_imports:index"), {
            "kind": "directory", "file": upload(DIRECTORY_HEADERS, good_rows()),
        })
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("minsheng_imports:job", args=[job.pk])
    assert job.status == S.PREVIEWED  # checked by the (synchronous) task

    page = admin_client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "路灯不亮" in html and reverse("minsheng_imports:confirm", args=[job.pk]) in html
    assert DirectoryItem.objects.count() == 0

    status = admin_client.get(reverse("minsheng_imports:status", args=[job.pk])).json()
    assert (status["status"], status["total_rows"], status["processed_rows"]) == ("previewed", 2, 2)

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin_client.post(reverse("minsheng_imports:confirm", args=[job.pk]))
    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.status == S.DONE
    assert DirectoryItem.objects.count() == 2
    done = admin_client.get(reverse("minsheng_imports:status", args=[job.pk])).json()
    assert done["finished"] and done["summary"]["new"] == 2


def test_the_job_page_lists_every_bad_row_and_offers_no_confirmation(admin_client, unit,
                                                                        django_capture_on_commit_callbacks):
    rows = good_rows() + [["A02", "井盖", "NOPE", "行业", "zjj", "", "", "", "", "", 2, "是"]]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("minsheng_imports:index"), {"kind": "directory", "file": upload(DIRECTORY_HEADERS, rows)})
    job = ImportJob.objects.get()
    html = admin_client.get(reverse("minsheng_imports:job", args=[job.pk])).content.decode()
    assert job.status == S.INVALID
    assert "NOPE" in html and "<td>4</td>" in html
    assert reverse("minsheng_imports:confirm", args=[job.pk]) not in html
    refused = admin_client.post(reverse("minsheng_imports:confirm", args=[job.pk]))
    assert refused.status_code == 302
    job.refresh_from_db()
    assert job.status == S.INVALID and DirectoryItem.objects.count() == 0


def test_a_wrong_file_type_is_refused_on_the_form(admin_client):
    response = admin_client.post(reverse("minsheng_imports:index"), {
        "kind": "directory", "file": upload(DIRECTORY_HEADERS, [], name="x.pdf"),
    })
    assert response.status_code == 200
    assert ImportJob.objects.count() == 0
    assert response.context["form"].errors["file"]


def test_the_template_has_the_chinese_headers(admin_client):
    response = admin_client.get(reverse("minsheng_imports:template", args=["directory"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == DIRECTORY_HEADERS


def test_handlers_cannot_reach_any_import_screen(client, unit):
    handler = StaffFactory(unit=unit, roles=["handler"]).user
    job = ImportJob.objects.create(kind="directory", file_name="x.xlsx", file_format="xlsx", data=b"x")
    client.force_login(handler)
    urls = [
        reverse("minsheng_imports:index"), reverse("minsheng_imports:job", args=[job.pk]),
        reverse("minsheng_imports:status", args=[job.pk]), reverse("minsheng_imports:template", args=["units"]),
    ]
    for url in urls:
        assert client.get(url).status_code in (302, 403), url
    assert client.post(reverse("minsheng_imports:confirm", args=[job.pk])).status_code in (302, 403)
    job.refresh_from_db()
    assert job.status == S.PENDING


def test_an_administrator_without_superuser_rights_may_import(client, unit):
    from django.contrib.auth.models import Permission

    boss = StaffFactory(unit=unit, roles=["administrator"]).user
    boss.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(boss)
    assert client.get(reverse("minsheng_imports:index")).status_code == 200


def test_exports_escape_formulae_in_csv_and_xlsx(unit):
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    UnitFactory(code="=1+1", name="@SUM(A1)")

    class UnitExport(EscapeFormulaeMixin, SpreadsheetExportMixin):
        list_export = ["code", "name"]

    view = UnitExport()
    queryset = Unit.objects.order_by("code")
    chunks = [c.decode() if isinstance(c, bytes) else c for c in view.stream_csv(queryset)]
    lines = list(csv.reader(io.StringIO("".join(chunks))))
    assert lines[1] == ["'=1+1", "'@SUM(A1)"]
    assert lines[2] == ["zjj", "住建局"]
    out = io.BytesIO()
    view.write_xlsx(queryset, out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert [c.value for c in sheet[2]] == ["'=1+1", "'@SUM(A1)"]
    assert escape_formula("-5") == "'-5" and escape_formula(-5) == -5 and escape_formula("\tx") == "'\tx"


def test_import_export_resources_escape_formulae_on_export(unit):
    from import_export.formats.base_formats import CSV

    from snippets.imports.resources.config import UnitResource

    UnitFactory(code="=1+1", name="坏单位")
    dataset = UnitResource().export(Unit.objects.order_by("code"))
    text = CSV().export_data(dataset)
    assert "=1+1" not in text and "1+1" in text
