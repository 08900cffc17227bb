"""Supervision notes, progress posts and warnings in the staff API: thin
mutations into the services, notes found only by those who may read them."""

import datetime

import pytest
from django.utils import timezone

from casemodels.models import CaseEvent, SupervisionNote, Warning
from snippets.models import WarningRule

pytestmark = pytest.mark.django_db

SUPERVISE = """
mutation($numbers: [String!]!, $unit: String!, $due: DateTime!) {
  superviseCase(numbers: $numbers, unit: $unit, kind: "supervision", reason: "请加快办理并说明原因。", answerDue: $due) {
    note { number kind state unit { code } cases overdue }
    errors { field code message }
  }
}
"""
ANSWER = """
mutation($number: String!) {
  answerSupervisionNote(number: $number, answer: "已安排人员现场处理。") { note { state answer } errors { code field } }
}
"""
CASE = """
query($n: String!) {
  case(number: $n) { supervisionNotes { number state } warnings { rule kind level unit { code } } }
}
"""


def due():
    return (timezone.now() + datetime.timedelta(days=3)).isoformat()


def test_a_dispatcher_supervises_a_case_and_the_unit_answers(gql, world, flow):
    # given a case in the department's hands
    case = flow.handling()

    # when the dispatcher issues a supervision note about it
    body = gql(SUPERVISE, {"numbers": [case.number], "unit": "zjj", "due": due()}, user=world.dispatcher)
    payload = body["data"]["superviseCase"]
    assert payload["errors"] == []
    note = payload["note"]
    assert note["number"].startswith("督办〔") and note["state"] == "issued" and note["cases"] == [case.number]

    # then the department sees it on the case and answers it
    seen = gql(CASE, {"n": case.number}, user=world.dept_handler)["data"]["case"]["supervisionNotes"]
    assert seen == [{"number": note["number"], "state": "issued"}]
    body = gql(ANSWER, {"number": note["number"]}, user=world.dept_handler)
    assert body["data"]["answerSupervisionNote"] == {"note": {"state": "answered", "answer": "已安排人员现场处理。"},
                                                     "errors": []}
    assert CaseEvent.objects.filter(case=case, action=CaseEvent.Action.ANSWER_NOTE).count() == 1


def test_another_unit_neither_finds_nor_answers_the_note(gql, world, flow):
    case = flow.handling()
    number = gql(SUPERVISE, {"numbers": [case.number], "unit": "zjj", "due": due()},
                 user=world.dispatcher)["data"]["superviseCase"]["note"]["number"]

    # when a township's handler tries to answer it, then the note does not exist for them
    body = gql(ANSWER, {"number": number}, user=world.town_b_handler)
    assert body["data"]["answerSupervisionNote"]["errors"] == [{"code": "not_found", "field": "number"}]
    assert SupervisionNote.objects.get(number=number).state == "issued"
    assert gql("query($n: String!) { supervisionNote(number: $n) { number } }", {"n": number},
               user=world.town_b_handler)["data"]["supervisionNote"] is None


def test_supervising_needs_the_role_and_a_case_the_issuer_can_see(gql, world, flow):
    case = flow.handling()
    flow.handling(unit=world.town_b, signer=world.town_b_handler)  # a case the issuer may not see

    # a handler may not issue notes
    body = gql(SUPERVISE, {"numbers": [case.number], "unit": "zjj", "due": due()}, user=world.dept_handler)
    assert body["data"]["superviseCase"]["errors"][0]["code"] == "not_allowed"
    # a case the issuer cannot see is not found, naming the argument
    body = gql(SUPERVISE, {"numbers": [case.number], "unit": "zjj", "due": due()}, user=world.town_b_dispatcher)
    [error] = body["data"]["superviseCase"]["errors"]
    assert (error["field"], error["code"]) == ("numbers", "not_found")
    # anonymous callers are told to sign in
    body = gql(SUPERVISE, {"numbers": [case.number], "unit": "zjj", "due": due()})
    assert body["data"]["superviseCase"]["errors"][0]["code"] == "unauthenticated"
    assert SupervisionNote.objects.filter(unit__code="zjj").count() == 0


def test_the_handling_unit_posts_progress(gql, world, flow):
    case = flow.handling()
    body = gql("""mutation($n: String!) { postProgress(number: $n, note: "已联系施工方，下周完成。") {
                    case { events(last: 1) { action } } errors { code field } } }""",
               {"n": case.number}, user=world.dept_handler)
    assert body["data"]["postProgress"] == {"case": {"events": [{"action": "progress"}]}, "errors": []}
    body = gql("""mutation($n: String!) { postProgress(number: $n, note: "") { errors { code field } } }""",
               {"n": case.number}, user=world.dept_handler)
    assert body["data"]["postProgress"]["errors"] == [{"code": "required", "field": "note"}]


def test_a_case_lists_its_warnings(gql, world, flow):
    case = flow.handling()
    rule = WarningRule.objects.create(name="回复超期", kind=WarningRule.Kind.OVERDUE, light="red", deadline="reply")
    Warning.objects.create(case=case, rule=rule, level="red", unit=world.dept, raised_at=timezone.now(), batch="t")
    warnings = gql(CASE, {"n": case.number}, user=world.dept_handler)["data"]["case"]["warnings"]
    assert warnings == [{"rule": "回复超期", "kind": "overdue", "level": "red", "unit": {"code": "zjj"}}]
