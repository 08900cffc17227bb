"""recordContact over /graphql/: the unit holding a case records its first
contact with the citizen (casemodels.services.contact); the case's
assignments show it (contactedAt, contactDue), refusals are typed errors
that change nothing, and the result board counts contacts made on time."""

import pytest

from casemodels.models import Assignment, CaseEvent
from casemodels.services.rollups import refresh_rollups
from tests.casemodels.conftest import START, local
from tests.factories import PolicyFactory

from .case_mutations import act, actions

pytestmark = pytest.mark.django_db

NOTE = "已电话联系市民，明日上门维修。"
ASSIGNMENTS = """
query($number: String!) { case(number: $number) { assignments { unit { code } role contactedAt contactDue } } }
"""
BOARD = """
query($period: String!) { resultBoard(period: $period) { groups { rows {
  unit { code } dispatched contactedOnTime
} } } }
"""


@pytest.fixture
def contact_policy(world):
    """Hotline cases: the citizen is to be contacted within 2 hours of receipt."""
    return PolicyFactory(name="先行联系", priority=10, channel=world.hotline, limits={
        "sign": (24, "hours"), "contact": (2, "hours"), "reply": (5, "working_days"),
    })


def contacted_at(case):
    return Assignment.objects.get(case=case, role="lead").contacted_at


def test_the_handling_unit_records_a_contact(gql, world, flow, contact_policy):
    # given a case in the bureau's hands, as its handler saw it
    case = flow.handling()
    # when the handler records the contact, with the version they saw
    payload = act(gql, world.dept_handler, "recordContact", number=case.number, note=NOTE, method="sms",
                  expectedVersion=case.version)
    # then the case comes back one version on, the contact in its dossier
    assert payload["errors"] == []
    assert payload["case"]["version"] == case.version + 1 and payload["case"]["state"] == "HANDLING"
    assert actions(payload)[-1] == "contact" and payload["case"]["events"][-1]["note"] == NOTE
    # and its lead assignment shows when, and the deadline it is measured against
    body = gql(ASSIGNMENTS, {"number": case.number}, user=world.dept_handler)
    assert "errors" not in body, body
    [lead] = body["data"]["case"]["assignments"]
    assert lead["unit"]["code"] == "zjj"
    assert lead["contactedAt"].startswith("2025-09-30T") and lead["contactDue"].startswith("2025-09-30T")
    assert contacted_at(case) == START
    assert CaseEvent.objects.get(case=case, action="contact").data["method"] == "sms"


@pytest.mark.parametrize(("arguments", "code", "field"), [
    ({"note": "  "}, "required", "note"),
    ({"note": NOTE, "method": "pigeon"}, "invalid_choice", "method"),
    ({"note": NOTE, "expectedVersion": 1}, "conflict", None),
], ids=["no-note", "unknown-method", "stale-version"])
def test_bad_input_is_a_typed_error_and_nothing_changes(gql, world, flow, contact_policy, arguments, code, field):
    case = flow.handling()
    payload = act(gql, world.dept_handler, "recordContact", number=case.number, **arguments)
    assert payload["case"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert contacted_at(case) is None
    assert not CaseEvent.objects.filter(case=case, action="contact").exists()


def test_a_second_contact_and_the_wrong_state_are_refused(gql, world, flow, contact_policy):
    # a second record on the same assignment
    case = flow.handling()
    assert act(gql, world.dept_handler, "recordContact", number=case.number, note=NOTE)["errors"] == []
    payload = act(gql, world.dept_leader, "recordContact", number=case.number, note="又联系了一次。")
    assert [e["code"] for e in payload["errors"]] == ["already_contacted"]
    assert CaseEvent.objects.filter(case=case, action="contact").count() == 1
    # a case not signed for yet
    dispatched = flow.dispatched()
    payload = act(gql, world.dept_handler, "recordContact", number=dispatched.number, note=NOTE)
    assert [e["code"] for e in payload["errors"]] == ["invalid_state"]
    # a dispatcher of the centre, who sees the case but does not hold it
    payload = act(gql, world.dispatcher, "recordContact", number=dispatched.number, note=NOTE)
    assert [e["code"] for e in payload["errors"]] == ["not_allowed"]
    assert contacted_at(dispatched) is None


def test_the_result_board_counts_contacts_on_time(gql, world, flow, contact_policy, clock):
    # given three cases of the bureau dispatched on 13 October at 9:00 (contact due 11:00):
    # contacted at 10:00, at 12:00 (late) and never
    clock.move_to(local(2025, 10, 13, 9))
    on_time, late, _never = (flow.handling() for _ in range(3))
    clock.move_to(local(2025, 10, 13, 10))
    act(gql, world.dept_handler, "recordContact", number=on_time.number, note=NOTE)
    clock.move_to(local(2025, 10, 13, 12))
    act(gql, world.dept_handler, "recordContact", number=late.number, note=NOTE)
    refresh_rollups()
    # when anyone reads October's board
    body = gql(BOARD, {"period": "2025-10"})
    # then the bureau's row counts one contact on time among three dispatched
    assert "errors" not in body, body
    [row] = [r for g in body["data"]["resultBoard"]["groups"] for r in g["rows"]]
    assert row == {"unit": {"code": "zjj"}, "dispatched": 3, "contactedOnTime": 1}
