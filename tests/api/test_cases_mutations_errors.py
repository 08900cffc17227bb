"""Typed errors of the staff lifecycle mutations: bad input names its field,
a wrong state, a wrong role and a stale version each have their code, and a
refused mutation changes nothing."""

import pytest

from casemodels.models import Case
from snippets.models import ReplyTemplate
from tests.casemodels.conftest import snapshot

from .case_mutations import act

pytestmark = pytest.mark.django_db


def refused(gql, user, name, case, **arguments):
    """Run the mutation; assert nothing changed; return [(field, code), …] of the errors."""
    before = snapshot(case)
    payload = act(gql, user, name, number=case.number, **arguments)
    assert payload["case"] is None
    assert all(e["message"] for e in payload["errors"])
    assert snapshot(case) == before
    return [(e["field"], e["code"]) for e in payload["errors"]]


def test_an_empty_reply_is_refused_naming_the_reply(gql, world, flow):
    # given a case in hand at the department
    case = flow.handling()
    # when the handler sends a reply of blanks, then the reply is required and nothing changed
    assert refused(gql, world.dept_handler, "replyCase", case, reply="  ") == [("reply", "required")]
    # and with no reply at all, the same
    assert refused(gql, world.dept_handler, "replyCase", case) == [("reply", "required")]


@pytest.mark.parametrize("name, ready, by", [
    ("markInvalid", "received", "dispatcher"),
    ("requestReturn", "handling", "dept_handler"),
    ("escalateCase", "handling", "dept_handler"),
])
def test_an_empty_reason_is_refused_naming_the_reason(gql, world, flow, name, ready, by):
    # given a case where the action may be taken
    case = getattr(flow, ready)()
    # when the reason is blank, then it is required and nothing changed
    assert refused(gql, getattr(world, by), name, case, reason="") == [("reason", "required")]


def test_an_unknown_unit_code_is_refused_naming_the_field(gql, world, flow):
    # given a received case
    case = flow.received()
    # when a dispatcher dispatches to a unit code that does not exist, then the unit is unknown
    assert refused(gql, world.dispatcher, "dispatchCase", case, unit="nowhere") == [("unit", "unknown")]
    # and an unknown co-handling unit is named as coUnits
    assert refused(gql, world.dispatcher, "dispatchCase", case, unit="zjj", coUnits=["swj", "nowhere"]) == [
        ("coUnits", "unknown"),
    ]


def test_unknown_unit_codes_of_other_actions_name_their_field(gql, world, flow):
    # given a case in hand at the township
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    # when the township sub-dispatches it to an unknown unit, then the unit is unknown
    assert refused(gql, world.town_handler, "subDispatchCase", case, unit="nowhere") == [("unit", "unknown")]
    # and a consultation with an unknown unit names the units
    assert refused(gql, world.dispatcher, "holdConsultation", case, level=1, units=["ms", "nowhere"],
                   topic="职责", conclusion="由镇里办理。") == [("units", "unknown")]


def test_a_unit_out_of_the_dispatchers_scope_is_refused(gql, world, flow):
    # given a case received by the township's dispatcher
    case = flow.received(acting_user=world.town_b_dispatcher)
    # when they dispatch it to a city bureau above them, then the unit is out of their scope
    assert refused(gql, world.town_b_dispatcher, "dispatchCase", case, unit="zjj") == [("unit", "out_of_scope")]


def test_an_action_the_state_does_not_allow_is_refused(gql, world, flow):
    # given a replied case
    case = flow.replied()
    # when a dispatcher archives a case that is not closed yet, then the state is wrong
    assert refused(gql, world.dispatcher, "archiveCase", case) == [(None, "invalid_state")]
    # and a reply to a case already replied is refused the same way
    assert refused(gql, world.dept_handler, "replyCase", case, reply="再次答复。") == [(None, "invalid_state")]


def test_an_action_the_role_does_not_allow_is_refused(gql, world, flow):
    # given a received case, seen by the centre's return visitor
    case = flow.received()
    # when the visitor dispatches it, then their role may not
    assert refused(gql, world.visitor, "dispatchCase", case, unit="zjj") == [(None, "not_allowed")]

    # given an extension asked for by the department
    case = flow.handling()
    act(gql, world.dept_handler, "requestExtension", number=case.number, workingDays=2, reason="需协调。")
    # when the department's own handler approves it, then their role may not
    assert refused(gql, world.dept_handler, "reviewExtension", case, approve=True) == [(None, "not_allowed")]


def test_acting_on_a_version_that_has_changed_is_a_conflict(gql, world, flow):
    # given a received case that a colleague has changed since the dispatcher opened it
    case = flow.received()
    seen = case.version
    act(gql, world.dispatcher, "requestInfo", number=case.number, missing="请补充具体门牌号。")

    # when the dispatcher dispatches the version they saw, then it is a conflict and nothing changed
    assert refused(gql, world.dispatcher, "dispatchCase", case, unit="zjj", expectedVersion=seen) == [
        (None, "conflict"),
    ]

    # and with the version as it is now, the dispatch goes through
    current = Case.objects.get(pk=case.pk).version
    payload = act(gql, world.dispatcher, "dispatchCase", number=case.number, unit="zjj", expectedVersion=current)
    assert payload["errors"] == [] and payload["case"]["version"] == current + 1


@pytest.mark.parametrize("name, arguments, field, code", [
    ("requestExtension", {"workingDays": 0, "reason": "需协调。"}, "workingDays", "out_of_range"),
    ("requestExtension", {"workingDays": 3, "reason": " "}, "reason", "required"),
])
def test_bad_extension_requests_name_their_field(gql, world, flow, name, arguments, field, code):
    # given a case in hand at the department
    case = flow.handling()
    # when its handler asks for an extension with bad input, then the field is named and nothing changed
    assert refused(gql, world.dept_handler, name, case, **arguments) == [(field, code)]


@pytest.mark.parametrize("arguments, field, code", [
    ({"satisfaction": "delighted", "resolved": True}, "satisfaction", "invalid_choice"),
    ({"satisfaction": "satisfied", "resolved": True, "method": "pigeon"}, "method", "invalid_choice"),
])
def test_bad_return_visits_name_their_field(gql, world, flow, arguments, field, code):
    # given a replied case
    case = flow.replied()
    # when the visitor records a visit with a value that is not a choice, then the field is named
    assert refused(gql, world.visitor, "recordReturnVisit", case, **arguments) == [(field, code)]


def test_rejecting_without_a_note_is_refused(gql, world, flow):
    # given a return asked for by the department
    case = flow.handling()
    act(gql, world.dept_handler, "requestReturn", number=case.number, reason="不属于本单位。")
    # when a dispatcher rejects it without saying why, then the note is required
    assert refused(gql, world.dispatcher, "reviewReturn", case, approve=False) == [("note", "required")]


def test_a_divert_needs_a_known_route_and_an_explanation(gql, world, flow):
    # given a received case
    case = flow.received()
    # when a dispatcher diverts it to an unknown route, or without an explanation, then that field is named
    assert refused(gql, world.dispatcher, "divertCase", case, route="nowhere", note="说明。") == [
        ("route", "invalid_choice"),
    ]
    assert refused(gql, world.dispatcher, "divertCase", case, route="litigation", note="") == [("note", "required")]


def test_an_unknown_or_inactive_reply_template_is_refused(gql, world, flow):
    # given a case in hand and a template that is no longer active
    case = flow.handling()
    inactive = ReplyTemplate.objects.create(title="停用", body="已处理。", is_active=False)
    # when the handler replies from a template id that does not exist, is not an id or is inactive,
    # then the template is unknown, nothing changed and nothing was counted
    for template_id in ("999999", "abc", str(inactive.pk)):
        assert refused(gql, world.dept_handler, "replyCase", case, replyTemplate=template_id) == [
            ("replyTemplate", "unknown"),
        ]
    inactive.refresh_from_db()
    assert inactive.usage_count == 0


def test_a_refused_reply_does_not_count_its_template(gql, world, flow):
    # given a template and a case that is not in hand yet
    template = ReplyTemplate.objects.create(title="路灯", body="{{ case_number }}已处理。")
    case = flow.dispatched()
    # when the department replies from the template, then the state is wrong and the template is not counted
    assert refused(gql, world.dept_handler, "replyCase", case, replyTemplate=str(template.pk)) == [
        (None, "invalid_state"),
    ]
    template.refresh_from_db()
    assert template.usage_count == 0


INTAKE = {"channel": "hotline", "caseType": "complaint", "content": "路灯坏了。", "citizenPhone": "13812341234"}


@pytest.mark.parametrize("changes, field, code", [
    ({"channel": "pigeon"}, "channel", "unknown"),
    ({"content": "   "}, "content", "required"),
    ({"caseType": "rant"}, "caseType", "invalid_choice"),
    ({"directoryItem": "99"}, "directoryItem", "unknown"),
    ({"region": "atlantis"}, "region", "unknown"),
    ({"citizenPhone": "12"}, "citizenPhone", None),
    ({"citizenPhone": None}, "citizenPhone", "required"),
])
def test_bad_intake_names_its_field_and_registers_nothing(gql, world, changes, field, code):
    # when a dispatcher registers a call with one bad value
    payload = act(gql, world.dispatcher, "registerCase", input={**INTAKE, **changes})
    # then that field is named, and nothing is registered
    assert payload["case"] is None
    assert [e["field"] for e in payload["errors"]] == [field]
    if code is not None:
        assert payload["errors"][0]["code"] == code
    assert not Case.objects.exists()


def test_only_dispatchers_register_cases(gql, world):
    # when a department's handler registers a call, then their role may not, and nothing is registered
    payload = act(gql, world.dept_handler, "registerCase", input=INTAKE)
    assert payload["case"] is None and [e["code"] for e in payload["errors"]] == ["not_allowed"]
    assert not Case.objects.exists()


def test_a_merge_without_duplicates_is_refused(gql, world, flow):
    # given a received case
    case = flow.received()
    before = snapshot(case)
    # when a dispatcher merges nothing into it, then the duplicates are named
    payload = act(gql, world.dispatcher, "mergeCases", primary=case.number, duplicates=[])
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("duplicates", "invalid")]
    # and merging a case into itself is refused the same way
    payload = act(gql, world.dispatcher, "mergeCases", primary=case.number, duplicates=[case.number])
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("duplicates", "invalid")]
    assert snapshot(case) == before
