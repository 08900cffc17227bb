"""The bulk path of the historical case import (``import_historical_cases``),
the case-number counters it reserves in bulk, and ``manage.py import_cases``."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from casemodels.models import Case, CaseEvent, CaseFingerprint, CaseNumberCounter, CaseState
from casemodels.services import NotAllowed, register_case
from casemodels.services.history import import_historical_cases
from casemodels.services.numbering import reserve_case_numbers
from snippets.models import ImportJob

from .conftest import START, local

S = ImportJob.Status
CSV_HEADERS = "原工单号,渠道编码,诉求类型,诉求内容,联系电话,承办单位编码,受理时间,答复时间,办结时间,答复内容,状态\n"


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("importer", password="x")


def values(number, **changes):
    row = {
        "channel": "hotline", "external_id": number, "content": f"第{number}号：小区路灯坏了，晚上看不见路。",
        "received_at": local(2025, 3, 1, 9, 30), "closed_at": local(2025, 3, 5, 16, 0), "unit": "zjj",
        "citizen_phone": "13800138000", "case_type": "complaint", "reply": "已修复。",
    }
    row.update(changes)
    return row


def test_a_file_of_cases_over_several_days_gets_numbers_events_and_one_counter_per_day(world, admin):
    rows = [(n + 2, values(f"H{n}", received_at=local(2025, 3, 1 + n % 3, 9, n % 60),
                           closed_at=local(2025, 3, 6, 12, 0))) for n in range(30)]

    result = import_historical_cases(acting_user=admin, rows=rows, source="export.xlsx")

    assert result.ok and len(result.created) == 30 and not result.skipped
    cases = list(Case.objects.order_by("number"))
    assert len(cases) == 30 == CaseEvent.objects.filter(action=CaseEvent.Action.IMPORT).count()
    numbers = [c.number for c in cases]
    assert numbers[:10] == [f"MS20250301{n:05d}" for n in range(1, 11)]
    assert {n[:10] for n in numbers} == {"MS20250301", "MS20250302", "MS20250303"}
    assert dict(CaseNumberCounter.objects.values_list("day", "last")) == {
        datetime.date(2025, 3, 1): 10, datetime.date(2025, 3, 2): 10, datetime.date(2025, 3, 3): 10,
    }
    case = Case.objects.get(external_id="H4")
    assert (case.state, case.owner_unit, case.citizen_phone, case.is_anonymous) == (
        CaseState.CLOSED, world.dept, "13800138000", False)
    assert case.received_at == local(2025, 3, 2, 9, 4) and case.replied_at == case.closed_at
    assert len(case.query_code) == 8 and len({c.query_code for c in cases}) == 30
    event = case.events.get()
    assert (event.actor, event.unit, event.to_state) == (admin, world.dept, CaseState.CLOSED)
    assert event.data == {"imported": True, "external_id": "H4", "channel": "hotline", "source": "export.xlsx"}
    assert [r[0] for r in result.created] == [r[0] for r in rows]  # reported against their rows, in order
    assert {r[1] for r in result.created} == {c.pk for c in cases}


def test_numbers_continue_each_days_sequence_after_cases_registered_before(world, admin):
    live = register_case(acting_user=world.dispatcher, channel=world.hotline, content="今天的来电", title="今天",
                         case_type="complaint", citizen_phone="13900139000")
    yesterday = START - datetime.timedelta(days=1)

    result = import_historical_cases(acting_user=admin, rows=[
        (2, values("T1", received_at=START - datetime.timedelta(hours=2), closed_at=START - datetime.timedelta(hours=1))),
        (3, values("Y1", received_at=yesterday, closed_at=yesterday + datetime.timedelta(hours=3))),
    ])

    assert result.ok
    assert live.number.endswith("00001")
    assert Case.objects.get(external_id="T1").number == live.number[:-5] + "00002"
    assert Case.objects.get(external_id="Y1").number.endswith("00001")


def test_only_recent_cases_get_fingerprints(world, admin):
    recent = START - datetime.timedelta(days=2)
    import_historical_cases(acting_user=admin, rows=[
        (2, values("NEW", received_at=recent, closed_at=recent + datetime.timedelta(hours=5))),
        (3, values("OLD")),
    ])
    assert CaseFingerprint.objects.filter(case__external_id="NEW").count() > 0
    assert not CaseFingerprint.objects.filter(case__external_id="OLD").exists()


def test_one_bad_row_among_many_refuses_the_whole_file_and_names_every_bad_row(world, admin):
    rows = [(n + 2, values(f"G{n}")) for n in range(50)]
    rows[10] = (12, values("G10", unit="nowhere"))
    rows[20] = (22, values("G20", citizen_phone="12345"))
    rows[30] = (32, values("G30", state="received"))
    rows[40] = (42, values("G5"))  # the same old number as row 7

    result = import_historical_cases(acting_user=admin, rows=rows)

    assert [(e.row, e.field) for e in result.errors] == [
        (12, "owner_unit"), (22, "citizen_phone"), (32, "state"), (42, "external_id"),
    ]
    assert "nowhere" in result.errors[0].message and "12345" in result.errors[1].message
    assert "7" in result.errors[3].message
    assert not result.created
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0
    assert not CaseNumberCounter.objects.exists()


def test_a_dry_run_checks_everything_and_writes_nothing(world, admin):
    result = import_historical_cases(acting_user=admin, rows=[(2, values("D1")), (3, values("D2"))], dry_run=True)
    assert result.ok and [r[0] for r in result.created] == [2, 3]
    assert Case.objects.count() == 0 and not CaseNumberCounter.objects.exists()


def test_rows_imported_before_are_skipped_and_new_ones_added(world, admin):
    import_historical_cases(acting_user=admin, rows=[(2, values("R1"))])
    result = import_historical_cases(acting_user=admin, rows=[(2, values("R1")), (3, values("R2"))])
    assert [r[0] for r in result.skipped] == [2] and [r[0] for r in result.created] == [3]
    assert Case.objects.count() == 2 and CaseEvent.objects.count() == 2


def test_only_administrators_may_import(world):
    with pytest.raises(NotAllowed):
        import_historical_cases(acting_user=world.dispatcher, rows=[(2, values("X"))])
    assert Case.objects.count() == 0


def test_reserving_numbers_for_many_days_continues_each_counter(db):
    day_a, day_b = datetime.date(2025, 1, 1), datetime.date(2025, 1, 2)
    assert reserve_case_numbers({day_a: 2}) == {day_a: ["MS2025010100001", "MS2025010100002"]}
    reserved = reserve_case_numbers({day_a: 3, day_b: 1, datetime.date(2025, 1, 3): 0})
    assert reserved == {day_a: ["MS2025010100003", "MS2025010100004", "MS2025010100005"],
                        day_b: ["MS2025010200001"]}
    assert dict(CaseNumberCounter.objects.values_list("day", "last")) == {day_a: 5, day_b: 1}


def write(tmp_path, lines, name="cases.csv"):
    path = tmp_path / name
    path.write_text(CSV_HEADERS + "".join(lines), encoding="utf-8")
    return path


def test_the_command_checks_then_imports_and_reports(world, admin, tmp_path):
    path = write(tmp_path, [
        "C1,hotline,投诉,路灯坏了,13800138000,zjj,2025-03-01 09:30,2025-03-02 10:00,2025-03-03 10:00,已修复,办结\n",
        "C2,hotline,咨询,问社保,,swj,2025-03-01 10:30,,2025-03-01 11:00,已答复,归档\n",
    ])
    out = io.StringIO()
    call_command("import_cases", str(path), "--user", "importer", "--check", stdout=out)
    assert "2" in out.getvalue() and Case.objects.count() == 0

    call_command("import_cases", str(path), "--user", "importer", stdout=out)
    assert Case.objects.count() == 2
    assert Case.objects.get(external_id="C2").state == CaseState.ARCHIVED
    job = ImportJob.objects.latest("pk")
    assert (job.status, job.kind, job.summary["new"]) == (S.DONE, "cases", 2)


def test_the_command_lists_bad_rows_by_number_and_imports_nothing(world, admin, tmp_path):
    path = write(tmp_path, [
        "B1,hotline,投诉,路灯坏了,13800138000,zjj,2025-03-01 09:30,,2025-03-03 10:00,已修复,办结\n",
        "B2,fax,投诉,路灯坏了,13800138000,zjj,2025-03-01 09:30,,2025-03-03 10:00,已修复,办结\n",
        "B3,hotline,投诉,路灯坏了,13800138000,zjj,去年,,2025-03-03 10:00,已修复,办结\n",
    ])
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported|没有导入"):
        call_command("import_cases", str(path), "--user", "importer", stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert "3" in lines[0] and "fax" in lines[0]
    assert "4" in lines[1] and "去年" in lines[1]
    assert Case.objects.count() == 0


def test_the_command_names_a_missing_file_or_user(world, admin, tmp_path):
    with pytest.raises(CommandError, match="nothing.csv"):
        call_command("import_cases", str(tmp_path / "nothing.csv"), "--user", "importer")
    path = write(tmp_path, [])
    with pytest.raises(CommandError, match="ghost"):
        call_command("import_cases", str(path), "--user", "ghost")
