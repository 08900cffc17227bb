"""excludeFromAssessment and restoreToAssessment (核减) over /graphql/, and a
case's ``assessmentExclusion``: who may, on which cases, the typed errors of
a refusal (which changes nothing), the figures the exclusion leaves, and a
page of cases that reads exclusions at a fixed cost. The unit scope of both
mutations is also in test_cases_mutations_scope.py, with every other one."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casemodels.models import AssessmentExclusion
from casemodels.services import dispatch_case, exclude_from_assessment, sign_case
from casemodels.services.rollups import refresh_rollups
from snippets.models import AssessmentScheme
from tests.casemodels.conftest import last_event, snapshot
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

REASON = "市民诉求超出政策规定，经审核予以核减。"
EXCLUSION = "assessmentExclusion { reason excludedAt excludedBy }"
CASE = "query($n: String!) { case(number: $n) { number version state %s } }" % EXCLUSION
BOARD = """query($p: String!) { resultBoard(period: $p) {
  groups { unitKind rows { unit { code } dispatched returned extended overdue } } } }"""


def run(gql, user, name, **arguments):
    """The mutation's payload, with the case's exclusion as well."""
    fields = ", ".join(f"${k}: {'Int' if k == 'expectedVersion' else 'String!'}" for k in arguments)
    call = ", ".join(f"{k}: ${k}" for k in arguments)
    body = gql(
        f"mutation({fields}) {{ {name}({call}) {{ case {{ number version state {EXCLUSION} }} "
        "errors { field code message } } }", arguments, user=user,
    )
    assert "errors" not in body, body
    return body["data"][name]


def errors(payload):
    return [(e["field"], e["code"]) for e in payload["errors"]]


def unchanged(case):
    """The case's snapshot and whether it is excluded, to compare after a refusal."""
    return snapshot(case), AssessmentExclusion.objects.filter(case_id=case.pk).exists()


def test_a_supervisor_excludes_a_case_and_reads_the_exclusion_on_it(gql, world, flow):
    # given a closed case of 住建局, which counts in assessment
    case = flow.closed()
    assert gql(CASE, {"n": case.number}, user=world.supervisor)["data"]["case"]["assessmentExclusion"] is None

    # when the centre's supervisor excludes it, naming the version they saw
    payload = run(gql, world.supervisor, "excludeFromAssessment", number=case.number, reason=REASON,
                  expectedVersion=case.version)

    # then the case comes back excluded, with the reason, the time and the reviewer; its state is unchanged
    assert payload["errors"] == []
    answered = payload["case"]
    assert (answered["state"], answered["version"]) == ("CLOSED", case.version + 1)
    exclusion = answered["assessmentExclusion"]
    assert (exclusion["reason"], exclusion["excludedBy"]) == (REASON, world.supervisor.get_username())
    assert exclusion["excludedAt"].startswith("2025-09-30T")
    # and it is recorded, in the dossier as well
    assert AssessmentExclusion.objects.get(case_id=case.pk).reason == REASON
    assert (last_event(case).note, last_event(case).actor) == (REASON, world.supervisor)


def test_a_restored_case_counts_again(gql, world, flow):
    # given an excluded case
    case = exclude_from_assessment(flow.closed(), acting_user=world.supervisor, reason=REASON)

    # when the supervisor restores it
    payload = run(gql, world.supervisor, "restoreToAssessment", number=case.number, reason="核减有误，恢复考评。",
                  expectedVersion=case.version)

    # then it is no longer excluded, and its version moved on
    assert payload["errors"] == []
    assert payload["case"]["assessmentExclusion"] is None
    assert payload["case"]["version"] == case.version + 1
    assert not AssessmentExclusion.objects.filter(case_id=case.pk).exists()
    assert last_event(case).note == "核减有误，恢复考评。"
    # and it can be excluded again
    again = run(gql, world.supervisor, "excludeFromAssessment", number=case.number, reason=REASON)
    assert again["errors"] == [] and again["case"]["assessmentExclusion"]["reason"] == REASON


@pytest.mark.parametrize("who", ["dispatcher", "visitor", "dept_handler", "dept_leader"])
def test_staff_without_a_reviewers_role_are_not_allowed(gql, world, flow, who):
    # given a closed case they may see (the centre's staff, or the unit that handled it)
    case = flow.closed()
    before = unchanged(case)
    # when they try to exclude it
    payload = run(gql, getattr(world, who), "excludeFromAssessment", number=case.number, reason=REASON)
    # then they are not allowed, and nothing changed
    assert payload["case"] is None
    assert errors(payload) == [(None, "not_allowed")]
    assert unchanged(case) == before


def test_another_units_supervisor_finds_no_such_case_and_nothing_changes(gql, world, flow):
    # given an excluded case of the centre and a supervisor of 三甲镇
    case = exclude_from_assessment(flow.closed(), acting_user=world.supervisor, reason=REASON)
    outsider = StaffFactory(unit=world.town_b, roles=["supervisor"]).user
    before = unchanged(case)
    # when they try to restore it, or to read it
    payload = run(gql, outsider, "restoreToAssessment", number=case.number, reason="恢复")
    # then it is not found, and it stays excluded
    assert payload["case"] is None
    assert errors(payload) == [("number", "not_found")]
    assert unchanged(case) == before
    assert gql(CASE, {"n": case.number}, user=outsider)["data"]["case"] is None


def test_anonymous_callers_are_told_to_sign_in(gql, world, flow):
    case = flow.closed()
    before = unchanged(case)
    payload = run(gql, None, "excludeFromAssessment", number=case.number, reason=REASON)
    assert errors(payload) == [(None, "unauthenticated")]
    assert unchanged(case) == before


def test_a_case_in_the_wrong_state_for_the_action_is_refused(gql, world, flow):
    # given a case never dispatched, and a case already excluded
    received = flow.received()
    excluded = exclude_from_assessment(flow.closed(), acting_user=world.supervisor, reason=REASON)
    counted = flow.closed()
    before = [unchanged(c) for c in (received, excluded, counted)]
    # when each is excluded, or restored while it counts
    never = run(gql, world.supervisor, "excludeFromAssessment", number=received.number, reason=REASON)
    twice = run(gql, world.supervisor, "excludeFromAssessment", number=excluded.number, reason=REASON)
    not_excluded = run(gql, world.supervisor, "restoreToAssessment", number=counted.number, reason="恢复")
    # then each is refused with the reason in its code, and nothing changed
    assert errors(never) == [(None, "not_dispatched")]
    assert errors(twice) == [(None, "already_excluded")]
    assert errors(not_excluded) == [(None, "not_excluded")]
    assert received.number in never["errors"][0]["message"]
    assert [unchanged(c) for c in (received, excluded, counted)] == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_empty_reason_is_refused_naming_it(gql, world, flow, reason):
    case = flow.closed()
    before = unchanged(case)
    payload = run(gql, world.supervisor, "excludeFromAssessment", number=case.number, reason=reason)
    assert errors(payload) == [("reason", "required")]
    assert unchanged(case) == before


def test_a_stale_version_is_a_conflict(gql, world, flow):
    # given a case whose version moved on since the supervisor read it
    case = flow.closed()
    seen = case.version - 1
    before = unchanged(case)
    # when they exclude it naming the version they saw
    payload = run(gql, world.supervisor, "excludeFromAssessment", number=case.number, reason=REASON,
                  expectedVersion=seen)
    # then it is a conflict, and nothing changed
    assert errors(payload) == [(None, "conflict")]
    assert unchanged(case) == before


def test_an_excluded_case_leaves_the_result_board(gql, world, flow):
    # given two cases of 住建局 dispatched in September, one excluded from assessment
    AssessmentScheme.objects.create(name="部门考评", unit_kind="department", min_sample=1)
    first, _second = flow.closed(), flow.closed()
    refresh_rollups()
    cache.clear()  # the board of a period is kept for five minutes
    board = gql(BOARD, {"p": "2025-09"})["data"]["resultBoard"]
    assert board["groups"][0]["rows"][0]["dispatched"] == 2
    run(gql, world.supervisor, "excludeFromAssessment", number=first.number, reason=REASON)
    # when the roll-up is refreshed, then the board counts the other one only
    refresh_rollups()
    cache.clear()
    board = gql(BOARD, {"p": "2025-09"})["data"]["resultBoard"]
    assert board["groups"][0]["rows"][0]["dispatched"] == 1


def test_a_masked_reader_reads_the_reason_masked(gql, world, flow):
    # given a confidential report handled by 住建局, whose handler reads it masked, excluded for a reason
    # that names the reporter
    case = flow.received(citizen_name="王五", is_confidential=True, content="举报违规排放污水。")
    case = sign_case(dispatch_case(case, acting_user=world.dispatcher, unit=world.dept),
                     acting_user=world.dept_handler)
    exclude_from_assessment(case, acting_user=world.supervisor, reason="王五反映的问题不属于本市职责。")
    # when each reads the case, then the handler sees the reporter's name masked in the reason
    masked = gql(CASE, {"n": case.number}, user=world.dept_handler)["data"]["case"]["assessmentExclusion"]
    full = gql(CASE, {"n": case.number}, user=world.supervisor)["data"]["case"]["assessmentExclusion"]
    assert "王五" not in masked["reason"] and "不属于本市职责" in masked["reason"]
    assert full["reason"] == "王五反映的问题不属于本市职责。"


PAGE = "query($first: Int) { cases(first: $first) { edges { node { number %s } } } }" % EXCLUSION


def _queries_for_page(user, size):
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/graphql/", {"query": PAGE, "variables": {"first": size}},
                               content_type="application/json")
    body = response.json()
    assert "errors" not in body, body
    nodes = [edge["node"] for edge in body["data"]["cases"]["edges"]]
    assert len(nodes) == size
    return len(queries), nodes


def test_a_page_reads_its_exclusions_at_the_same_cost_whatever_its_size(world, flow):
    # given 30 cases in hand, every third excluded from assessment
    for i in range(30):
        case = flow.handling()
        if i % 3 == 0:
            exclude_from_assessment(case, acting_user=world.supervisor, reason=f"核减{i}")

    # when a page of 3 and a page of 30 are read with their exclusions
    small, small_nodes = _queries_for_page(world.supervisor, 3)
    large, large_nodes = _queries_for_page(world.supervisor, 30)

    # then both cost the same, and the exclusions are where they belong
    assert large == small
    assert sum(node["assessmentExclusion"] is not None for node in large_nodes) == 10
    assert sum(node["assessmentExclusion"] is not None for node in small_nodes) == 1
