"""Return visits (回访): the paths after a reply. Satisfied closes; unsatisfied
or unresolved joins the ledger and goes to a second dispatch; an unsatisfied
case may be closed as explained; policies close some cases without a visit;
a citizen not reached after N attempts is closed or sent for review."""

import datetime

import pytest

from casemodels.models import Assignment, CaseEvent, CaseState, ReturnVisit, VisitAttempt
from casemodels.services import (
    Conflict, InvalidInput, InvalidState, NotAllowed, answer_on_the_spot, close_case, record_return_visit,
    record_visit_attempt, redispatch_case, reply_case, sign_case,
)
from casemodels.services.assessment import unit_figures
from casemodels.services.visits import awaiting_visit, closed_as_explained, explained_cases
from snippets.models import TimeLimitPolicy
from tests.factories import PolicyFactory

from .conftest import START, assert_event, last_event, local, states

A = CaseEvent.Action
S = Assignment.State
LIMITS = {"sign": (24, "hours"), "reply": (5, "working_days"), "completion": (10, "working_days")}


def visit(case, user, satisfaction="satisfied", resolved=True, **kwargs):
    return record_return_visit(case, acting_user=user, satisfaction=satisfaction, resolved=resolved, **kwargs)


def events(case):
    return list(CaseEvent.objects.filter(case_id=case.pk).order_by("created_at", "id"))


def rules(world, **changes):
    """Change the catch-all policy's return-visit rules."""
    TimeLimitPolicy.objects.filter(pk=world.policy.pk).update(**changes)


# --- Satisfied, unsatisfied, unresolved ---------------------------------------------------------

def test_a_satisfied_and_resolved_visit_closes_the_case_outside_the_ledger(world, flow):
    # given a replied case
    case = flow.replied()
    # when the visitor finds the citizen basically satisfied and the matter resolved
    case = visit(case, world.visitor, "basically_satisfied", True, note="基本满意")
    # then it is closed, not in the ledger, with one visit of round 1
    case.refresh_from_db()
    assert (case.state, case.is_unsatisfied, case.closed_at) == (CaseState.CLOSED, False, START)
    assert list(ReturnVisit.objects.filter(case=case).values_list("round", "method", "satisfaction")) == [
        (1, "phone", "basically_satisfied")]
    assert_event(case, A.RETURN_VISIT, from_state=CaseState.REPLIED, to_state=CaseState.CLOSED, actor=world.visitor)


@pytest.mark.parametrize("satisfaction, resolved", [("unsatisfied", True), ("basically_satisfied", False)])
def test_unsatisfied_or_unresolved_goes_to_the_ledger_and_round_two_then_closes(world, flow, clock, satisfaction,
                                                                               resolved):
    # given a replied case
    case = flow.replied()
    # when the citizen is unsatisfied (or the matter unresolved)
    case = visit(case, world.visitor, satisfaction, resolved)
    # then it is in the ledger and dispatched again, round 2, to the same unit
    case.refresh_from_db()
    assert (case.state, case.round, case.is_unsatisfied) == (CaseState.DISPATCHED, 2, True)
    assert states(case) == [("zjj", "lead", S.REPLIED), ("zjj", "lead", S.PENDING)]
    # when round 2 is signed for, replied and visited satisfied
    clock.move_to(local(2025, 10, 9, 9, 0))
    case = sign_case(case, acting_user=world.dept_handler)
    case = reply_case(case, acting_user=world.dept_handler, reply="再次上门，已彻底修复。")
    assert awaiting_visit(case)
    case = visit(case, world.visitor)
    # then it closes, and the ledger's history keeps both rounds' visits
    case.refresh_from_db()
    assert (case.state, case.round) == (CaseState.CLOSED, 2)
    assert list(ReturnVisit.objects.filter(case=case).values_list("round", "satisfaction", "resolved")) == [
        (1, satisfaction, resolved), (2, "satisfied", True)]
    assert [e.action for e in events(case)] == [
        A.REGISTER, A.DISPATCH, A.SIGN, A.REPLY, A.RETURN_VISIT, A.REDISPATCH, A.SIGN, A.REPLY, A.RETURN_VISIT,
    ]


# --- Explained closure ---------------------------------------------------------------------------

def test_an_unsatisfied_case_is_closed_as_explained_and_keeps_its_ledger_history(world, flow):
    # given a case the citizen was unsatisfied with, left replied in the ledger
    case = visit(flow.replied(), world.visitor, "unsatisfied", False, note="要求赔偿", redispatch=False)
    # when the dispatcher closes it with the explanation that the request goes beyond policy
    case = close_case(case, acting_user=world.dispatcher, note="诉求超出政策范围，已向市民解释。")
    # then it is closed as explained
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    event = assert_event(case, A.CLOSE, from_state=CaseState.REPLIED, to_state=CaseState.CLOSED,
                         actor=world.dispatcher)
    assert (event.note, event.data) == ("诉求超出政策范围，已向市民解释。", {"explained": True})
    assert closed_as_explained(case)
    assert list(explained_cases()) == [case]
    # and the ledger keeps its history: still marked unsatisfied, the visit kept
    assert case.is_unsatisfied is True
    assert ReturnVisit.objects.get(case=case).note == "要求赔偿"


def test_an_ordinary_close_is_not_an_explained_one(world, flow):
    # given a replied case never visited unsatisfied, when the dispatcher closes it
    case = close_case(flow.replied(), acting_user=world.dispatcher, note="市民来电表示已解决")
    # then it is not counted as explained
    assert last_event(case).data == {}
    assert not closed_as_explained(case)
    assert not explained_cases().exists()


def test_an_explained_closure_needs_the_explanation(world, flow, refused):
    case = visit(flow.replied(), world.visitor, "unsatisfied", False, redispatch=False)
    refused(case, InvalidInput, "required", lambda: close_case(case, acting_user=world.dispatcher, note="  "),
            field="note")


# --- Close without a visit, by policy --------------------------------------------------------

@pytest.fixture
def consultations(world):
    """Consultations close without a return visit."""
    return PolicyFactory(name="咨询类", priority=10, case_type="consultation", close_without_visit=True,
                         limits=LIMITS)


def test_a_reply_closes_at_once_when_the_policy_says_so(world, flow, consultations):
    # given a consultation in hand, under a policy that closes replied consultations without a visit
    case = flow.handling(case_type="consultation")
    assert case.policy == consultations
    # when the unit replies
    case = reply_case(case, acting_user=world.dept_handler, reply="已电话答复市民办理流程。")
    # then it is closed at once: the reply, then the closing that names the policy
    case.refresh_from_db()
    assert (case.state, case.closed_at, case.is_unsatisfied) == (CaseState.CLOSED, START, False)
    reply_event, close_event = events(case)[-2:]
    assert (reply_event.action, reply_event.to_state) == (A.REPLY, CaseState.REPLIED)
    assert (close_event.action, close_event.from_state, close_event.to_state) == (
        A.CLOSE, CaseState.REPLIED, CaseState.CLOSED)
    assert "咨询类" in close_event.note
    assert close_event.data == {"without_visit": True, "policy": "咨询类"}
    assert close_event.actor == world.dept_handler
    assert not ReturnVisit.objects.filter(case=case).exists()


def test_a_reply_under_another_policy_awaits_its_visit(world, flow, consultations):
    # given a complaint (the catch-all policy, which visits)
    case = flow.handling()
    # when replied, then it waits for its return visit
    case = reply_case(case, acting_user=world.dept_handler, reply="已修复。")
    assert case.state == CaseState.REPLIED
    assert awaiting_visit(case)


def test_an_answer_on_the_spot_left_for_a_visit_closes_when_the_policy_says_so(world, flow, consultations):
    # given a consultation just received
    case = flow.received(case_type="consultation")
    # when answered on the spot and left for a visit
    case = answer_on_the_spot(case, acting_user=world.dispatcher, answer="请携带身份证。", close=False)
    # then the policy closes it anyway, saying so
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert [(e.action, e.to_state) for e in events(case)] == [
        (A.REGISTER, CaseState.RECEIVED), (A.ANSWER, CaseState.REPLIED), (A.CLOSE, CaseState.CLOSED)]
    assert last_event(case).data["without_visit"] is True


# --- Attempts to reach the citizen --------------------------------------------------------------

def test_attempts_up_to_the_policy_number_then_the_case_closes_as_not_visited(world, flow, clock):
    # given a replied case under a policy allowing 2 attempts, then closing
    rules(world, visit_attempts=2, unreachable_action="close")
    case = flow.replied()
    # when the first attempt fails
    clock.move_to(local(2025, 10, 9, 9, 0))
    case = record_visit_attempt(case, acting_user=world.visitor, method="phone", note="无人接听")
    # then it is recorded and the case still awaits its visit
    case.refresh_from_db()
    assert case.state == CaseState.REPLIED and awaiting_visit(case)
    event = assert_event(case, A.VISIT_ATTEMPT, from_state=CaseState.REPLIED, to_state=CaseState.REPLIED,
                         actor=world.visitor)
    assert (event.note, event.data) == (
        "无人接听", {"attempt": 1, "of": 2, "method": "phone", "round": 1, "outcome": ""})
    # when the second attempt fails too
    clock.move_to(local(2025, 10, 10, 15, 0))
    case = record_visit_attempt(case, acting_user=world.dispatcher, method="sms", note="短信未回复")
    # then the case is closed, counted as not visited
    case.refresh_from_db()
    assert (case.state, case.closed_at, case.is_unsatisfied) == (CaseState.CLOSED, local(2025, 10, 10, 15, 0), False)
    attempt_event, close_event = events(case)[-2:]
    assert attempt_event.data["outcome"] == "close"
    assert (close_event.action, close_event.from_state, close_event.to_state) == (
        A.CLOSE, CaseState.REPLIED, CaseState.CLOSED)
    assert "2" in close_event.note and close_event.data == {"unreachable": True, "attempts": 2, "visited": False}
    assert list(VisitAttempt.objects.filter(case=case).values_list("round", "method", "outcome", "attempted_by")) == [
        (1, "phone", "", world.visitor.pk), (1, "sms", "close", world.dispatcher.pk)]
    assert not ReturnVisit.objects.filter(case=case).exists()
    # and the assessment counts the reply but no visit
    figures = unit_figures(START - datetime.timedelta(days=1), START + datetime.timedelta(days=30))
    dept = next(f for f in figures if f.unit_code == "zjj")
    assert (dept.replied, dept.visited, dept.satisfied) == (1, 0, 0)


def test_without_a_policy_three_attempts_close_the_case(world, flow):
    # given a replied case whose policy is gone
    case = flow.replied()
    case.__class__.objects.filter(pk=case.pk).update(policy=None)
    # when three attempts fail, then only the third closes it
    for expected in (CaseState.REPLIED, CaseState.REPLIED, CaseState.CLOSED):
        case = record_visit_attempt(case, acting_user=world.visitor)
        assert case.state == expected


def test_unreachable_by_review_goes_to_the_ledger_without_a_second_dispatch(world, flow, clock, refused):
    # given a replied case under a policy allowing 1 attempt, then review
    rules(world, visit_attempts=1, unreachable_action="review")
    case = flow.replied()
    # when the attempt fails
    case = record_visit_attempt(case, acting_user=world.visitor, note="空号")
    # then the case is in the unsatisfied ledger for review, still replied, not dispatched again
    case.refresh_from_db()
    assert (case.state, case.round, case.is_unsatisfied) == (CaseState.REPLIED, 1, True)
    assert states(case) == [("zjj", "lead", S.REPLIED)]
    event = last_event(case)
    assert event.action == A.VISIT_ATTEMPT and event.data["outcome"] == "review"
    assert event.note.startswith("空号\n")
    assert not awaiting_visit(case)
    # and no more attempts are taken
    refused(case, InvalidState, "invalid_state", lambda: record_visit_attempt(case, acting_user=world.visitor))
    # when the dispatcher reviews it and dispatches it again
    clock.move_to(local(2025, 10, 9, 9, 0))
    case = redispatch_case(case, acting_user=world.dispatcher, note="请单位再次联系市民")
    case = sign_case(case, acting_user=world.dept_handler)
    case = reply_case(case, acting_user=world.dept_handler, reply="已上门联系。")
    # then round 2 awaits its own visit, its attempts counted afresh
    assert (case.round, awaiting_visit(case)) == (2, True)
    case = record_visit_attempt(case, acting_user=world.visitor)
    assert VisitAttempt.objects.filter(case=case, round=2).get().outcome == "review"


def test_a_case_sent_for_review_may_be_closed_with_an_explanation(world, flow, refused):
    # given a case sent to review because the citizen could not be reached
    rules(world, visit_attempts=1, unreachable_action="review")
    case = record_visit_attempt(flow.replied(), acting_user=world.visitor)
    # then closing it needs the explanation
    refused(case, InvalidInput, "required", lambda: close_case(case, acting_user=world.dispatcher), field="note")
    # and when it is given, the case closes as unreachable, not visited (not "as explained": no verdict)
    case = close_case(case, acting_user=world.dispatcher, note="多次联系不上，已留言说明。")
    assert case.state == CaseState.CLOSED and not closed_as_explained(case)
    assert last_event(case).data == {"unreachable": True, "visited": False}


# --- Refusals change nothing -------------------------------------------------------------------

def _attempts(case):
    return VisitAttempt.objects.filter(case_id=case.pk).count()


@pytest.mark.parametrize(
    "who, point, code",
    [("dept_handler", "replied", "not_allowed"), ("town_b_dispatcher", "replied", "out_of_scope"),
     ("visitor", "handling", "invalid_state"), ("visitor", "closed", "invalid_state"),
     ("visitor", "visited", "invalid_state")],
)
def test_who_may_record_an_attempt_and_when(world, flow, refused, who, point, code):
    # given a case at that point
    case = {
        "replied": flow.replied, "handling": flow.handling, "closed": flow.closed,
        "visited": lambda: visit(flow.replied(), world.visitor, "unsatisfied", False, redispatch=False),
    }[point]()
    # when that user records an attempt, then it is refused and nothing changed
    if point == "visited":
        assert case.state == CaseState.REPLIED
    refused(case, NotAllowed if code in ("not_allowed", "out_of_scope") else InvalidState, code,
            lambda: record_visit_attempt(case, acting_user=getattr(world, who)))
    assert _attempts(case) == 0


@pytest.mark.parametrize("method", ["online", "pigeon"])
def test_an_attempt_needs_a_method_that_reaches_out(world, flow, refused, method):
    case = flow.replied()
    refused(case, InvalidInput, "invalid_choice",
            lambda: record_visit_attempt(case, acting_user=world.visitor, method=method), field="method")
    assert _attempts(case) == 0


def test_a_stale_version_is_a_conflict(world, flow, refused):
    case = flow.replied()
    refused(case, Conflict, "conflict",
            lambda: record_visit_attempt(case, acting_user=world.visitor, expected_version=case.version - 1))
    assert _attempts(case) == 0


def test_signed_out_nobody_records_a_visit(world, flow, refused):
    # given a replied case, when a visit is recorded without a user and not as the citizen's rating
    case = flow.replied()
    refused(case, NotAllowed, "unauthenticated",
            lambda: record_return_visit(case, acting_user=None, satisfaction="satisfied", resolved=True))
    # and the citizen path takes no staff user
    with pytest.raises(ValueError):
        record_return_visit(case, acting_user=world.visitor, citizen=True, satisfaction="satisfied", resolved=True)
    case.refresh_from_db()
    assert case.state == CaseState.REPLIED
