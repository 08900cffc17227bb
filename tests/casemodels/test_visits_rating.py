"""The citizen's online rating (``publishing.rating.rate_case``): with the
right query code on a case awaiting its visit it is a return visit with
method online; a wrong code is "not found" like an unknown number, counted
by trackCase's throttle; a case not awaiting a rating refuses it; refusals
change nothing."""

import pytest

from casemodels.models import Assignment, CaseEvent, CaseState, ReturnVisit
from casemodels.services import (
    CaseActionError, InvalidInput, InvalidState, answer_on_the_spot, merge_cases, record_return_visit,
    record_visit_attempt,
)
from publishing.rating import MAX_NOTE_LENGTH, rate_case
from publishing.tracking import MAX_FAILURES, find_tracked_case
from snippets.models import TimeLimitPolicy

from .conftest import START, last_event, states

A = CaseEvent.Action
S = Assignment.State
CLIENT = "203.0.113.7"


def rate(case, code=None, *, satisfaction="satisfied", resolved=True, note="", client=CLIENT):
    return rate_case(case.number, case.query_code if code is None else code, satisfaction=satisfaction,
                     resolved=resolved, note=note, client=client)


def test_a_satisfied_rating_with_the_right_code_closes_the_case(world, flow):
    # given a replied case awaiting its visit; its citizen tracks it and may rate it
    case = flow.replied()
    assert find_tracked_case(case.number, case.query_code).awaiting_rating is True
    # when the citizen rates it online, typing the code in lower case
    rate(case, case.query_code.lower(), satisfaction="satisfied", resolved=True, note=" 路灯修好了 ")
    # then it is a return visit with method online, by nobody on the staff, and the case is closed
    case.refresh_from_db()
    assert (case.state, case.closed_at, case.is_unsatisfied) == (CaseState.CLOSED, START, False)
    visit = ReturnVisit.objects.get(case=case)
    assert (visit.round, visit.method, visit.satisfaction, visit.resolved, visit.note, visit.visited_by) == (
        1, "online", "satisfied", True, "路灯修好了", None)
    event = last_event(case)
    assert (event.action, event.from_state, event.to_state, event.actor, event.unit) == (
        A.RATE, CaseState.REPLIED, CaseState.CLOSED, None, None)
    assert event.data == {"satisfaction": "satisfied", "resolved": True, "method": "online", "round": 1}
    # and the citizen sees their rating in the timeline, and may not rate again
    tracked = find_tracked_case(case.number, case.query_code)
    assert tracked.awaiting_rating is False
    assert [entry.action for entry in tracked.timeline] == [A.REGISTER, A.DISPATCH, A.SIGN, A.REPLY, A.RATE]
    assert tracked.state == CaseState.CLOSED


@pytest.mark.parametrize("satisfaction, resolved", [("unsatisfied", True), ("satisfied", False)])
def test_an_unsatisfied_rating_goes_to_the_ledger_and_a_second_dispatch(world, flow, satisfaction, resolved):
    # given a replied case
    case = flow.replied()
    # when the citizen rates it unsatisfied (or unresolved)
    rate(case, satisfaction=satisfaction, resolved=resolved)
    # then it is in the ledger and dispatched again, round 2, to the same unit, as after a phone visit
    case.refresh_from_db()
    assert (case.state, case.round, case.is_unsatisfied) == (CaseState.DISPATCHED, 2, True)
    assert states(case) == [("zjj", "lead", S.REPLIED), ("zjj", "lead", S.PENDING)]
    rating, redispatch = list(CaseEvent.objects.filter(case=case).order_by("-id")[:2])[::-1]
    assert (rating.action, rating.to_state, rating.actor) == (A.RATE, CaseState.REPLIED, None)
    # the second dispatch is the centre's rule: no user, the owner unit
    assert (redispatch.action, redispatch.actor, redispatch.unit) == (A.REDISPATCH, None, world.centre)
    assert redispatch.data == {"unit": "zjj", "round": 2}
    assert case.assignments.order_by("-id").first().dispatched_by is None


def test_a_wrong_code_answers_like_an_unknown_number(world, flow, refused):
    case = flow.replied()
    wrong = refused(case, CaseActionError, "not_found", lambda: rate(case, "ZZZZZZZZ"), field="number")
    unknown = refused(case, CaseActionError, "not_found",
                      lambda: rate_case("MS2099010100001", case.query_code, satisfaction="satisfied", resolved=True,
                                        client=CLIENT), field="number")
    assert wrong.message == unknown.message


def test_wrong_codes_are_throttled_with_trackcase(world, flow, refused):
    # given a replied case, and a client that tried wrong codes (half by tracking, half by rating)
    case = flow.replied()
    for attempt in range(MAX_FAILURES):
        if attempt % 2:
            assert find_tracked_case(case.number, "ZZZZZZZZ", client=CLIENT) is None
        else:
            with pytest.raises(CaseActionError):
                rate(case, "ZZZZZZZZ")
    # when that client rates with the right code, then it is throttled and nothing changed
    refused(case, CaseActionError, "throttled", lambda: rate(case))
    # and the case's own bucket is full too: another client is throttled on it
    refused(case, CaseActionError, "throttled", lambda: rate(case, client="198.51.100.1"))
    # while a right code on another case, from another client, still works
    other = flow.replied()
    rate(other, client="198.51.100.1")
    other.refresh_from_db()
    assert other.state == CaseState.CLOSED


def test_a_case_not_awaiting_a_rating_refuses_it(world, flow, refused):
    # a case still in hand
    case = flow.handling()
    refused(case, InvalidState, "invalid_state", lambda: rate(case))
    # a case already visited by phone this round (left in the ledger)
    visited = record_return_visit(flow.replied(), acting_user=world.visitor, satisfaction="unsatisfied",
                                  resolved=False, redispatch=False)
    refused(visited, InvalidState, "invalid_state", lambda: rate(visited))
    # a case whose citizen could not be reached and which waits for review
    TimeLimitPolicy.objects.filter(pk=world.policy.pk).update(visit_attempts=1, unreachable_action="review")
    reviewed = record_visit_attempt(flow.replied(), acting_user=world.visitor)
    refused(reviewed, InvalidState, "invalid_state", lambda: rate(reviewed))
    # a case merged into another (its citizen follows the primary's citizen)
    primary, duplicate = flow.replied(), flow.received()
    merge_cases(primary, [duplicate], acting_user=world.dispatcher)
    duplicate.refresh_from_db()
    refused(duplicate, InvalidState, "invalid_state", lambda: rate(duplicate))
    assert find_tracked_case(duplicate.number, duplicate.query_code).awaiting_rating is False


def test_rating_twice_is_refused(world, flow, refused):
    # given a case answered on the spot and left for a visit (no unit to send it back to)
    case = answer_on_the_spot(flow.received(case_type="consultation"), acting_user=world.dispatcher,
                              answer="请到社保窗口办理。", close=False)
    # when the citizen rates it unsatisfied, it stays replied in the ledger
    rate(case, satisfaction="unsatisfied", resolved=False)
    case.refresh_from_db()
    assert (case.state, case.is_unsatisfied) == (CaseState.REPLIED, True)
    # then a second rating is refused and changes nothing
    refused(case, InvalidState, "invalid_state", lambda: rate(case, satisfaction="satisfied"))
    assert ReturnVisit.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    "changes, code, field",
    [({"satisfaction": "meh"}, "invalid_choice", "satisfaction"), ({"resolved": None}, "required", "resolved"),
     ({"note": "很" * (MAX_NOTE_LENGTH + 1)}, "too_long", "note")],
)
def test_bad_input_is_named(world, flow, refused, changes, code, field):
    case = flow.replied()
    refused(case, InvalidInput, code, lambda: rate(case, **changes), field=field)
