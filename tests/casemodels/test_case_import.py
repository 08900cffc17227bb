"""Historical cases from another system's export, through the import job
services and ``import_historical_case``."""

import pytest
from django.contrib.auth import get_user_model

from casemodels.models import Case, CaseEvent, CaseState
from casemodels.services import InvalidInput, NotAllowed
from casemodels.services.history import import_historical_case
from snippets.models import ImportJob
from tests.snippets.imports_helpers import run_import

from .conftest import local

S = ImportJob.Status
HEADERS = ["原工单号", "渠道编码", "诉求类型", "标题", "诉求内容", "联系电话", "目录编码", "承办单位编码",
           "受理时间", "答复时间", "办结时间", "答复内容", "状态"]


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("importer", password="x")


def good_row(number="GP-2024-0001", **changes):
    row = {
        "原工单号": number, "渠道编码": "hotline", "诉求类型": "投诉", "标题": "路灯不亮", "诉求内容": "小区路灯坏了。",
        "联系电话": "13800138000", "目录编码": "", "承办单位编码": "zjj", "受理时间": "2024-03-01 09:30",
        "答复时间": "2024-03-03 10:00", "办结时间": "2024-03-05 16:00", "答复内容": "已修复。", "状态": "办结",
    }
    row.update(changes)
    return [row[h] for h in HEADERS]


def test_historical_cases_become_closed_cases_with_their_times_and_one_event(world, admin):
    job = run_import("cases", HEADERS, [good_row(), good_row("GP-2024-0002", 状态="归档")], admin)

    assert job.status == S.DONE, job.errors
    assert job.summary["new"] == 2
    case = Case.objects.get(channel=world.hotline, external_id="GP-2024-0001")
    assert case.state == CaseState.CLOSED
    assert case.received_at == local(2024, 3, 1, 9, 30)
    assert case.closed_at == local(2024, 3, 5, 16, 0)
    assert (case.reply, case.owner_unit, case.case_type) == ("已修复。", world.dept, "complaint")
    assert case.number.startswith("MS20240301")
    assert case.reply_due is None
    events = list(case.events.all())
    assert len(events) == 1 and events[0].data["imported"] is True
    assert Case.objects.get(external_id="GP-2024-0002").state == CaseState.ARCHIVED


def test_importing_the_same_file_twice_adds_nothing(world, admin):
    run_import("cases", HEADERS, [good_row()], admin)
    job = run_import("cases", HEADERS, [good_row()], admin)
    assert job.status == S.DONE
    assert job.summary["skip"] == 1 and job.summary["new"] == 0
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1


def test_bad_rows_get_clear_errors_and_nothing_is_imported(world, admin):
    job = run_import("cases", HEADERS, [
        good_row("A1"),
        good_row("A2", 渠道编码="fax"),
        good_row("A3", 承办单位编码="nowhere"),
        good_row("A4", 目录编码="NOPE"),
        good_row("A5", 受理时间="去年春天"),
        good_row("A6", 受理时间="2024-03-06 09:00"),
        good_row("A7", 状态="办理中"),
    ], admin)

    assert job.status == S.INVALID
    assert [(e["row"], e["field"]) for e in job.errors] == [
        (3, "渠道编码"), (4, "承办单位编码"), (5, "目录编码"), (6, "受理时间"), (7, "办结时间"), (8, "状态"),
    ]
    assert "fax" in job.errors[0]["message"]
    assert Case.objects.count() == 0


def test_the_service_refuses_non_administrators_and_closing_before_receipt(world):
    with pytest.raises(NotAllowed):
        import_historical_case(
            acting_user=world.dispatcher, channel="hotline", external_id="X", content="x",
            received_at=local(2024, 1, 2), closed_at=local(2024, 1, 3),
        )
    admin = get_user_model().objects.create_superuser("root2", password="x")
    with pytest.raises(InvalidInput) as refused:
        import_historical_case(
            acting_user=admin, channel="hotline", external_id="X", content="x",
            received_at=local(2024, 1, 3), closed_at=local(2024, 1, 2),
        )
    assert refused.value.field == "closed_at"
    assert Case.objects.count() == 0
