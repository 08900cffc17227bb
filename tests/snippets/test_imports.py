"""Configuration imports through the job services, with real XLSX files."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from snippets.imports.services import ImportRefused, apply_import_job, check_import_job, create_import_job
from snippets.models import DirectoryItem, ImportJob, Level, Unit
from tests.factories import RegionFactory, StaffFactory, UnitFactory

from .imports_helpers import DIRECTORY_HEADERS, directory_rows, run_import, upload

pytestmark = pytest.mark.django_db
S = ImportJob.Status


@pytest.fixture
def admin():
    return get_user_model().objects.create_superuser("importer", password="x")


@pytest.fixture
def units():
    region = RegionFactory(code="city", level=Level.CITY)
    town = RegionFactory(code="town", level=Level.TOWNSHIP, parent=region)
    return {
        "zjj": UnitFactory(code="zjj", name="住建局"),
        "cgj": UnitFactory(code="cgj", name="城管局"),
        "town": UnitFactory(code="t1", name="一镇", kind=Unit.Kind.TOWNSHIP, level=Level.TOWNSHIP, region=town),
    }


def test_a_1946_item_directory_with_40_classes_imports_in_one_go(admin, units):
    rows = directory_rows()
    job = run_import("directory", DIRECTORY_HEADERS, rows, admin)

    assert job.status == S.DONE, job.errors[:5]
    assert job.summary["new"] == 1986
    assert DirectoryItem.objects.count() == 1986
    assert DirectoryItem.objects.filter(parent__isnull=True).count() == 40
    item = DirectoryItem.objects.get(code="C05007")
    assert item.parent.code == "C05"
    assert item.sector_unit == units["zjj"]
    assert list(item.co_handlers.values_list("code", flat=True)) == ["zjj"]
    assert item.keyword_list == ["路灯", "噪音"]
    assert (item.default_case_type, item.default_urgency) == ("complaint", "normal")


def test_children_may_come_before_their_parents(admin, units):
    rows = [
        ["A01", "路灯不亮", "A", "行业", "zjj", "", "", "", "", "", 1, "是"],
        ["A", "市政设施", "", "无", "", "", "", "", "", "", 0, "是"],
    ]
    job = run_import("directory", DIRECTORY_HEADERS, rows, admin)
    assert job.status == S.DONE, job.errors
    assert DirectoryItem.objects.get(code="A01").parent.code == "A"


def test_bad_rows_are_reported_with_their_row_numbers_and_nothing_is_committed(admin, units):
    rows = [
        ["A", "市政设施", "", "无", "", "", "", "", "", "", 0, "是"],                  # row 2
        ["A01", "路灯不亮", "NOPE", "行业", "zjj", "", "", "", "", "", 1, "是"],       # 3: unknown parent
        ["A02", "井盖破损", "A", "行业", "xxx", "", "", "", "", "", 2, "是"],          # 4: unknown unit
        ["A03", "占道经营", "A", "乱派", "cgj", "", "", "", "", "", 3, "是"],          # 5: bad routing
        ["A04", "", "A", "行业", "cgj", "", "", "", "", "", 4, "是"],                 # 6: missing name
        ["A01", "重复编码", "A", "行业", "cgj", "", "", "", "", "", 5, "是"],          # 7: duplicate code
        ["A05", "噪音扰民", "A", "行业", "", "", "", "", "", "", 6, "是"],             # 8: sector without unit
        ["A06", "正常一行", "A", "属地", "", "乡镇", "", "", "", "", 7, "是"],          # 9: fine
    ]
    job = run_import("directory", DIRECTORY_HEADERS, rows, admin)

    assert job.status == S.INVALID
    by_row = {}
    for error in job.errors:
        by_row.setdefault(error["row"], []).append(error)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8]
    assert by_row[3][0]["field"] == "上级编码" and "NOPE" in by_row[3][0]["message"]
    assert by_row[4][0]["field"] == "行业单位编码" and "xxx" in by_row[4][0]["message"]
    assert by_row[5][0]["field"] == "派单方式" and "乱派" in by_row[5][0]["message"]
    assert by_row[6][0]["field"] == "名称"
    assert by_row[7][0]["field"] == "编码" and "3" in by_row[7][0]["message"]
    assert by_row[8][0]["field"] == "行业单位编码"
    assert DirectoryItem.objects.count() == 0
    with pytest.raises(ImportRefused):
        apply_import_job(job)
    assert DirectoryItem.objects.count() == 0


def test_an_error_found_only_when_applying_fails_the_job_and_commits_nothing(admin, units):
    rows = [["A", "市政设施", "", "无", "", "", "", "", "", "", 0, "是"],
            ["A01", "路灯不亮", "A", "行业", "zjj", "", "", "", "", "", 1, "是"]]
    job = create_import_job("directory", upload(DIRECTORY_HEADERS, rows), admin)
    check_import_job(job)
    assert job.status == S.PREVIEWED
    assert job.summary == {"total": 2, "new": 2, "update": 0, "skip": 0, "invalid": 0}
    assert [p["row"] for p in job.preview] == [2, 3]
    units["zjj"].delete()  # the unit disappears between the preview and the confirmation

    apply_import_job(job)

    assert job.status == S.FAILED
    assert job.errors[0]["row"] == 3 and "zjj" in job.errors[0]["message"]
    assert DirectoryItem.objects.count() == 0


def test_a_second_import_updates_changed_rows_and_skips_unchanged_ones(admin, units):
    rows = [["A", "市政设施", "", "无", "", "", "", "", "", "", 0, "是"],
            ["A01", "路灯不亮", "A", "行业", "zjj", "", "", "", "", "", 1, "是"]]
    assert run_import("directory", DIRECTORY_HEADERS, rows, admin).status == S.DONE
    rows[1][4] = "cgj"
    job = run_import("directory", DIRECTORY_HEADERS, rows, admin)

    assert job.status == S.DONE
    assert (job.summary["update"], job.summary["skip"], job.summary["new"]) == (1, 1, 0)
    assert job.preview[0]["changes"] == [["行业单位编码", "zjj", "cgj"]]
    assert DirectoryItem.objects.get(code="A01").sector_unit == units["cgj"]


def test_a_missing_required_column_refuses_the_file(admin, units):
    job = run_import("directory", ["名称", "上级编码"], [["路灯", ""]], admin)
    assert job.status == S.INVALID
    assert job.errors[0]["row"] == 1 and "编码" in job.errors[0]["message"]


def test_regions_then_units_import_with_levels_and_kinds_in_chinese(admin):
    regions = run_import("regions", ["编码", "名称", "层级", "上级编码", "别名", "启用"], [
        ["gp", "高平市", "市", "", "", "是"],
        ["gp-mp", "米山镇", "乡镇", "gp", "米山,米山乡", ""],
    ], admin)
    assert regions.status == S.DONE, regions.errors
    units = run_import("units", ["编码", "名称", "类型", "层级", "上级编码", "区域编码", "值班电话", "启用"], [
        ["centre", "指挥中心", "指挥中心", "市级", "", "gp", "0356-12345", "是"],
        ["mp", "米山镇政府", "乡镇", "乡镇", "centre", "gp-mp", "", "是"],
    ], admin)
    assert units.status == S.DONE, units.errors
    mp = Unit.objects.get(code="mp")
    assert (mp.kind, mp.level, mp.parent.code, mp.region.code) == ("township", Level.TOWNSHIP, "centre", "gp-mp")


def test_a_region_below_a_lower_level_parent_gets_the_models_message(admin):
    job = run_import("regions", ["编码", "名称", "层级", "上级编码"], [
        ["gp-mp", "米山镇", "乡镇", ""],
        ["gp", "高平市", "市", "gp-mp"],
    ], admin)
    assert job.status == S.INVALID
    assert job.errors[0]["row"] == 3 and job.errors[0]["field"] == "层级"


def test_staff_import_with_roles_by_code_or_name_and_a_new_account(admin, units):
    from snippets.models import Role
    from snippets.services.roles import ensure_roles

    ensure_roles()
    Role.objects.filter(code="dispatcher").update(name="派单员")
    existing = StaffFactory(unit=units["zjj"], name="李四", roles=["handler"])
    job = run_import("staff", ["姓名", "单位编码", "角色", "电话", "技能", "启用", "用户名"], [
        ["张三", "zjj", "handler、派单员", "13800138000", "水电", "是", "zhangsan"],
        ["李四", "zjj", "unit_leader", "", "", "是", ""],
    ], admin)
    assert job.status == S.DONE, job.errors
    zhang = units["zjj"].staff.get(name="张三")
    assert zhang.user.username == "zhangsan" and not zhang.user.has_usable_password()
    assert zhang.role_codes == {"handler", "dispatcher"}
    existing.refresh_from_db()
    assert existing.role_codes == {"unit_leader"}


def test_staff_with_a_bad_phone_or_unknown_role_is_refused(admin, units):
    job = run_import("staff", ["姓名", "单位编码", "角色", "电话"], [
        ["张三", "zjj", "handler", "12345"],
        ["王五", "zjj", "神仙", ""],
    ], admin)
    assert job.status == S.INVALID
    assert [(e["row"], e["field"]) for e in job.errors] == [(2, "电话"), (3, "角色")]


def test_reply_templates_import_with_directory_codes(admin, units):
    run_import("directory", DIRECTORY_HEADERS, [["A", "市政设施", "", "行业", "zjj", "", "", "", "", "", 0, "是"]],
               admin)
    job = run_import("reply_templates", ["标题", "目录编码", "诉求类型", "关键词", "正文", "政策依据", "启用"], [
        ["路灯维修答复", "A", "投诉", "路灯", "您好，{{ case_number }} 已转{{ unit }}处理。", "城市照明管理规定", "是"],
        ["坏模板", "A", "", "", "您好 {{ secret.password }}", "", "是"],
    ], admin)
    assert job.status == S.INVALID
    assert [e["row"] for e in job.errors] == [3] and job.errors[0]["field"] == "正文"


def test_calendar_days_import_and_publish_their_year(admin):
    from snippets.models import CalendarDay, CalendarYear

    job = run_import("calendar", ["日期", "类型", "名称"], [
        ["2031-10-01", "休", "国庆节"],
        ["2031/10/11", "调休上班", "国庆节"],
    ], admin)
    assert job.status == S.DONE, job.errors
    assert CalendarDay.objects.get(date="2031-10-11").kind == CalendarDay.Kind.MAKEUP_WORKDAY
    assert CalendarYear.objects.get(year=2031).is_published


def test_only_administrators_may_upload_and_files_are_checked(admin, units):
    handler = StaffFactory(unit=units["zjj"], roles=["handler"]).user
    with pytest.raises(ImportRefused) as refused:
        create_import_job("directory", upload(DIRECTORY_HEADERS, []), handler)
    assert refused.value.code == "not_allowed"
    boss = StaffFactory(unit=units["zjj"], roles=["administrator"]).user
    assert create_import_job("directory", upload(DIRECTORY_HEADERS, [["A", "x"]]), boss).status == S.PENDING
    with pytest.raises(ImportRefused) as refused:
        create_import_job("nonsense", upload(DIRECTORY_HEADERS, []), admin)
    assert refused.value.code == "unknown_kind"
    with pytest.raises(ImportRefused) as refused:
        create_import_job("directory", upload(DIRECTORY_HEADERS, [], name="x.exe"), admin)
    assert refused.value.code == "bad_format"


def test_csv_files_in_gb18030_import_too(admin, units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "编码,名称,派单方式,行业单位编码\nA,市政设施,行业,zjj\n"
    job = create_import_job("directory", SimpleUploadedFile("d.csv", text.encode("gb18030")), admin)
    check_import_job(job)
    apply_import_job(job)
    assert job.status == S.DONE, job.errors
    assert DirectoryItem.objects.get(code="A").name == "市政设施"


def test_an_unexpected_fault_while_applying_commits_nothing_and_says_where_to_look(admin, units, monkeypatch):
    # given a directory file that was checked without errors
    job = run_import("directory", DIRECTORY_HEADERS, directory_rows(classes=2, items=6), admin, apply=False)
    assert job.status == S.PREVIEWED

    # when the apply breaks after its rows were written (a fault that is not the file's)
    from snippets.imports.resources.base import ImportResource

    def broken(self, *, dry_run):
        if not dry_run:
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(ImportResource, "after_write", broken)
    apply_import_job(job)
    job.refresh_from_db()

    # then nothing was committed, and the person is told so and where the details are,
    # without the internals of the fault
    assert job.status == S.FAILED
    assert not DirectoryItem.objects.exists()
    [error] = job.errors
    assert error["row"] is None and f"{job.pk}" in error["message"] and "RuntimeError" in error["message"]
    assert "disk on fire" not in error["message"]


def test_an_import_left_by_a_dead_worker_is_taken_again_when_the_task_comes_back(admin, units, settings):
    # given a checked directory whose import started on a worker that then died
    # (the status was committed, the rows' transaction went with the worker)
    job = run_import("directory", DIRECTORY_HEADERS, directory_rows(classes=2, items=6), admin, apply=False)
    started = timezone.now() - datetime.timedelta(seconds=settings.Q_CLUSTER["timeout"] + 1)
    ImportJob.objects.filter(pk=job.pk).update(status=S.IMPORTING, started_at=started)
    job.refresh_from_db()

    # when django-q2 delivers the task again
    apply_import_job(job)

    # then the import runs to the end, once
    job.refresh_from_db()
    assert job.status == S.DONE
    assert DirectoryItem.objects.count() == 2 + 6


def test_an_import_still_running_is_not_taken_twice(admin, units):
    # given a checked directory whose import has just started on a worker
    job = run_import("directory", DIRECTORY_HEADERS, directory_rows(classes=2, items=6), admin, apply=False)
    ImportJob.objects.filter(pk=job.pk).update(status=S.IMPORTING, started_at=timezone.now())
    job.refresh_from_db()

    # when a second delivery of the task arrives, it is refused and changes nothing
    with pytest.raises(ImportRefused) as refused:
        apply_import_job(job)
    assert refused.value.code == "invalid_state"
    assert not DirectoryItem.objects.exists()
    job.refresh_from_db()
    assert job.status == S.IMPORTING
