"""A citizen's data on request and its erasure (casemodels.services.privacy,
privacy_erasure): administrators only, bad input refused with nothing
written, the export logged, and an erasure that anonymises the cases but
leaves every figure as it was."""

import datetime

import pytest
from django.utils.translation import gettext as _
from django.core.management import call_command
from django.core.management.base import CommandError

from casemodels.models import (
    Case, CaseEvent, CaseFingerprint, PersonalDataAccess, ReturnVisit, VisitAttempt,
)
from casemodels.services import CaseActionError, post_progress, record_contact
from casemodels.services.assessment import unit_figures, unit_figures_direct
from casemodels.services.fingerprints import fingerprint_case
from casemodels.services.privacy import export_citizen_data
from casemodels.services.privacy_erasure import ERASED, erase_citizen_data
from casemodels.services.rollups import rebuild_rollups
from publishing.board import result_board
from tests.factories import StaffFactory

from .conftest import local

pytestmark = pytest.mark.django_db

PHONE = "13911112222"
OTHER = "13800001111"
NAME = "王小明"
ADDRESS = "米山镇幸福小区3号楼2单元501室"
ID_NUMBER = "14058119900101123X"
SEPTEMBER = (local(2025, 9, 1), local(2025, 10, 1))


@pytest.fixture
def admin(world):
    return StaffFactory(unit=world.centre, roles=["administrator"]).user


@pytest.fixture
def citizen(world, flow, clock):
    """Two cases of one citizen — one closed after a return visit, one
    still being handled with a contact record and a progress post quoting
    the phone — and a case of someone else."""
    closed = flow.closed(citizen_name=NAME, citizen_phone=PHONE, address=ADDRESS, citizen_id_number=ID_NUMBER,
                         title=f"{NAME}反映路灯坏了", content=f"我是{NAME}，住{ADDRESS}，电话{PHONE}，路灯坏了。")
    clock.shift(datetime.timedelta(hours=2))
    open_case = flow.handling(citizen_name=NAME, citizen_phone=PHONE, address=ADDRESS,
                              content=f"楼道漏水，请回电 139 1111 2222，身份证{ID_NUMBER}。")
    record_contact(open_case, acting_user=world.dept_handler, note=f"已电话联系{NAME}（{PHONE}），约好上门。")
    post_progress(Case.objects.get(pk=open_case.pk), acting_user=world.dept_handler,
                  note=f"已到{ADDRESS}查看漏水点。")
    other = flow.closed(citizen_name="李四", citizen_phone=OTHER, content="噪音扰民，晚上施工。")
    for case in Case.objects.all():
        fingerprint_case(case)
    return [Case.objects.get(pk=closed.pk), Case.objects.get(pk=open_case.pk)], Case.objects.get(pk=other.pk)


def everything_about(case):
    """Every text kept on the case and its rows."""
    case = Case.objects.get(pk=case.pk)
    texts = [case.title, case.content, case.reply, case.citizen_name, case.citizen_phone, case.citizen_id_number,
             case.address]
    texts += [e.note + str(e.data) for e in CaseEvent.objects.filter(case=case)]
    texts += list(ReturnVisit.objects.filter(case=case).values_list("note", flat=True))
    texts += list(VisitAttempt.objects.filter(case=case).values_list("note", flat=True))
    return "\n".join(texts)


def figures_rows():
    return [(f.unit_code, f.dispatched, f.signed_on_time, f.contacted_on_time, f.replied, f.replied_on_time,
             f.visited, f.satisfied, f.resolved, f.overdue) for f in unit_figures(*SEPTEMBER)]


def case_facts():
    return list(Case.objects.order_by("pk").values_list(
        "pk", "number", "state", "round", "received_at", "replied_at", "closed_at", "owner_unit", "directory_item",
        "region", "channel", "case_type", "is_confidential"))


# --- Who may -------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["dispatcher", "supervisor", "dept_handler"])
def test_only_administrators_export_or_erase(world, citizen, who):
    user = getattr(world, who)
    for call in (lambda: export_citizen_data(user, phone=PHONE),
                 lambda: erase_citizen_data(user, phone=PHONE, reason="市民申请删除")):
        with pytest.raises(CaseActionError) as refused:
            call()
        assert refused.value.code == "not_administrator"
        assert refused.value.message == _("Only administrators may export or erase a citizen's personal data.")
    assert PersonalDataAccess.objects.count() == 0
    assert Case.objects.filter(citizen_phone=PHONE).count() == 2


@pytest.mark.parametrize("phone, code", [("", "required"), ("  ", "required"), ("12ab", "invalid_phone"),
                                         ("13700000000", "not_found")])
def test_bad_or_unknown_phones_are_refused_naming_the_phone_and_nothing_is_written(admin, citizen, phone, code):
    events = CaseEvent.objects.count()
    with pytest.raises(CaseActionError) as refused:
        erase_citizen_data(admin, phone=phone, reason="市民申请删除")
    assert (refused.value.code, refused.value.field) == (code, "phone")
    with pytest.raises(CaseActionError):
        export_citizen_data(admin, phone=phone)
    if code == "not_found":
        assert "13700000000" in refused.value.message
    assert CaseEvent.objects.count() == events
    assert PersonalDataAccess.objects.count() == 0
    assert Case.objects.filter(citizen_phone=PHONE).count() == 2


def test_an_erasure_needs_a_reason(admin, citizen):
    with pytest.raises(CaseActionError) as refused:
        erase_citizen_data(admin, phone=PHONE, reason="  ")
    assert refused.value.field == "reason"
    assert Case.objects.filter(citizen_phone=PHONE).count() == 2


# --- Export --------------------------------------------------------------------------------------
def test_the_export_holds_every_case_of_the_phone_with_its_texts_and_is_logged(admin, citizen):
    mine, other = citizen
    data = export_citizen_data(admin, phone=PHONE)
    assert data["phone"] == PHONE
    assert [c["number"] for c in data["cases"]] == [c.number for c in mine]
    first, second = data["cases"]
    assert first["citizen"] == {"name": NAME, "phone": PHONE, "id_number": ID_NUMBER, "address": ADDRESS,
                                "is_anonymous": False, "is_confidential": False}
    assert first["reply"] and first["return_visits"][0]["satisfaction"] == "satisfied"
    assert "contact" in [e["action"] for e in second["events"]]
    assert any(PHONE in e["note"] for e in second["events"])
    assert other.number not in str(data)
    rows = PersonalDataAccess.objects.filter(user=admin)
    assert sorted(rows.values_list("case_id", flat=True)) == sorted(c.pk for c in mine)
    assert set(rows.values_list("where", flat=True)) == {PersonalDataAccess.Where.CITIZEN_EXPORT}


# --- Erasure -------------------------------------------------------------------------------------
def test_an_erasure_anonymises_the_cases_and_keeps_every_figure(admin, citizen, clock):
    mine, other = citizen
    rebuild_rollups()
    figures, direct = figures_rows(), unit_figures_direct(*SEPTEMBER)
    board = result_board("2025-09")
    facts = case_facts()
    other_before = everything_about(other)
    assert PHONE in everything_about(mine[1]) and NAME in everything_about(mine[0])
    assert "139 1111 2222" in everything_about(mine[1]) and ID_NUMBER in everything_about(mine[1])
    # figures worth comparing: dispatched, contacted, replied and visited cases of the department
    zjj = [row for row in figures if row[0] == "zjj"][0]
    assert zjj[1] == 3 and zjj[3] >= 1 and zjj[4] == 2 and zjj[6] == 2 and zjj[7] == 2, zjj

    erased = erase_citizen_data(admin, phone=PHONE, reason="市民申请删除个人信息")

    assert sorted(c.pk for c in erased) == sorted(c.pk for c in mine)
    for case in mine:
        text = everything_about(case)
        for secret in (PHONE, "139 1111 2222", NAME, ID_NUMBER, ADDRESS, "3号楼2单元501室"):
            assert secret not in text, (secret, text)
        assert ERASED in text
        fresh = Case.objects.get(pk=case.pk)
        assert fresh.is_anonymous and (fresh.citizen_name, fresh.citizen_phone, fresh.citizen_id_number) == ("", "", "")
        assert fresh.address.startswith("米山镇幸福小区")
        assert fresh.version == case.version + 1
        event = fresh.events.order_by("-id").first()
        assert (event.action, event.actor, event.note) == (CaseEvent.Action.ERASE, admin, "市民申请删除个人信息")
        assert list(CaseFingerprint.objects.filter(case=case).values_list("band", flat=True))  # recomputed
    contact = CaseEvent.objects.get(case=mine[1], action=CaseEvent.Action.CONTACT)
    assert contact.note == ERASED and contact.data["method"] == "phone"
    assert everything_about(other) == other_before
    # the figures: the cases' facts, the roll-up once refreshed, the direct count, the board
    assert case_facts() == facts
    rebuild_rollups()
    assert figures_rows() == figures
    assert unit_figures_direct(*SEPTEMBER) == direct
    assert result_board("2025-09").groups == board.groups
    assert result_board("2025-09").totals == board.totals
    # and the phone is gone: a second erasure finds nothing
    with pytest.raises(CaseActionError) as again:
        erase_citizen_data(admin, phone=PHONE, reason="再次")
    assert again.value.code == "not_found"


def test_the_command_erases_only_with_yes(admin, citizen, capsys):
    call_command("erase_citizen_data", phone=PHONE, reason="市民申请", user=admin.username)
    assert "2 cases would be changed" in capsys.readouterr().out
    assert Case.objects.filter(citizen_phone=PHONE).count() == 2
    call_command("erase_citizen_data", phone=PHONE, reason="市民申请", user=admin.username, yes=True)
    assert Case.objects.filter(citizen_phone=PHONE).count() == 0
    with pytest.raises(CommandError, match="13911112222"):
        call_command("erase_citizen_data", phone=PHONE, reason="市民申请", user=admin.username, yes=True)


def test_the_command_refuses_a_non_administrator(world, citizen):
    with pytest.raises(CommandError, match=_("Only administrators may export or erase a citizen's personal data.")):
        call_command("erase_citizen_data", phone=PHONE, reason="x", user=world.dispatcher.username, yes=True)
    assert Case.objects.filter(citizen_phone=PHONE).count() == 2
