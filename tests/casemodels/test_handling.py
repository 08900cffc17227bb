"""Handling and finishing a case: extension, reply, return visit (and the
second dispatch), redispatch, close, archive, consultation."""

import pytest

from casemodels.models import Assignment, CaseEvent, CaseState, Consultation, ExtensionRequest, ReturnVisit
from casemodels.models.requests import ReviewState
from casemodels.services import (
    InvalidInput, InvalidState, answer_on_the_spot, archive_case, close_case, hold_consultation,
    record_return_visit, redispatch_case, reply_case, request_extension, review_extension, sign_case,
    sub_dispatch_case,
)
from tests.casemodels.conftest import START, assert_event, assignments, end_of, local, states

A = CaseEvent.Action
S = Assignment.State


# --- extension ----------------------------------------------------------------------------


def test_request_extension(world, flow):
    # given a case in the housing bureau's hands
    case = flow.handling()
    # when its handler asks for 3 more working days
    case = request_extension(case, acting_user=world.dept_handler, working_days="3", reason="需要协调施工队")
    # then a request waits for review; the deadlines have not moved yet
    case.refresh_from_db()
    request = ExtensionRequest.objects.get(case=case)
    assert (request.state, request.working_days, request.unit) == (ReviewState.PENDING, 3, world.dept)
    assert case.state == CaseState.HANDLING
    assert case.reply_due == end_of(2025, 10, 14)
    assert case.version == 4
    event = assert_event(case, A.REQUEST_EXTENSION, from_state=CaseState.HANDLING, to_state=CaseState.HANDLING,
                         actor=world.dept_handler, unit=world.dept)
    assert event.data == {"working_days": 3}


@pytest.mark.parametrize("days", [0, 31, "three", None])
def test_extension_days_out_of_range(world, flow, refused, days):
    case = flow.handling()
    refused(case, InvalidInput, "out_of_range",
            lambda: request_extension(case, acting_user=world.dept_handler, working_days=days, reason="x"),
            field="working_days")


def test_one_extension_request_at_a_time(world, flow, refused):
    case = request_extension(flow.handling(), acting_user=world.dept_handler, working_days=2, reason="x")
    refused(case, InvalidState, "invalid_state",
            lambda: request_extension(case, acting_user=world.dept_handler, working_days=2, reason="y"))


def test_approved_extension_moves_reply_and_completion_by_working_days(world, flow, clock):
    # given a case replying by 2025-10-14 and completing by 2025-10-21, with a pending 3-day extension
    case = request_extension(flow.handling(), acting_user=world.dept_handler, working_days=3, reason="x")
    clock.move_to(local(2025, 10, 9, 9, 0))
    # when the dispatcher approves it
    case = review_extension(case, acting_user=world.dispatcher, approve=True, note="同意")
    # then both deadlines move by 3 working days, and the lead unit's assignment follows
    case.refresh_from_db()
    assert case.reply_due == end_of(2025, 10, 17)
    assert case.completion_due == end_of(2025, 10, 24)
    assert assignments(case)[0].reply_due == end_of(2025, 10, 17)
    assert ExtensionRequest.objects.get(case=case).state == ReviewState.APPROVED
    event = assert_event(case, A.REVIEW_EXTENSION, from_state=CaseState.HANDLING, to_state=CaseState.HANDLING,
                         actor=world.dispatcher)
    assert event.data == {"approved": True, "working_days": 3}


def test_rejected_extension_keeps_the_deadlines(world, flow):
    # given a pending extension
    case = request_extension(flow.handling(), acting_user=world.dept_handler, working_days=3, reason="x")
    # when rejected with a reason
    case = review_extension(case, acting_user=world.dispatcher, approve=False, note="可按期完成")
    # then the deadlines stay
    case.refresh_from_db()
    assert case.reply_due == end_of(2025, 10, 14)
    assert ExtensionRequest.objects.get(case=case).state == ReviewState.REJECTED
    assert_event(case, A.REVIEW_EXTENSION, from_state=CaseState.HANDLING, to_state=CaseState.HANDLING,
                 actor=world.dispatcher)


def test_rejecting_an_extension_needs_a_reason(world, flow, refused):
    case = request_extension(flow.handling(), acting_user=world.dept_handler, working_days=3, reason="x")
    refused(case, InvalidInput, "required",
            lambda: review_extension(case, acting_user=world.dispatcher, approve=False), field="note")


# --- reply --------------------------------------------------------------------------------


def test_reply(world, flow, clock):
    # given a case in hand with a co-handler that signed
    case = flow.dispatched(co_units=[world.dept2])
    sign_case(case, acting_user=world.dept2_handler)
    case = sign_case(case, acting_user=world.dept_handler)
    clock.move_to(local(2025, 10, 9, 16, 0))
    # when the lead unit replies
    case = reply_case(case, acting_user=world.dept_leader, reply="路灯已更换。")
    # then the case awaits its return visit and every assignment of the round is finished
    case.refresh_from_db()
    assert case.state == CaseState.REPLIED
    assert (case.reply, case.replied_at) == ("路灯已更换。", local(2025, 10, 9, 16, 0))
    assert states(case) == [("zjj", "lead", S.REPLIED), ("swj", "co", S.REPLIED)]
    assert all(a.finished_at == local(2025, 10, 9, 16, 0) for a in assignments(case))
    assert_event(case, A.REPLY, from_state=CaseState.HANDLING, to_state=CaseState.REPLIED, actor=world.dept_leader,
                 unit=world.dept)


def test_reply_after_a_sub_dispatch_finishes_the_parent_too(world, flow):
    # given the township sub-dispatched to the village, which signed
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    case = sign_case(case, acting_user=world.village_handler)
    # when the village replies
    case = reply_case(case, acting_user=world.village_handler, reply="已处理")
    # then both assignments are replied
    assert case.state == CaseState.REPLIED
    assert states(case) == [("ms", "lead", S.REPLIED), ("ms-mx", "lead", S.REPLIED)]


def test_reply_needs_text(world, flow, refused):
    case = flow.handling()
    refused(case, InvalidInput, "required", lambda: reply_case(case, acting_user=world.dept_handler, reply=" "),
            field="reply")


# --- return visit ---------------------------------------------------------------------------


@pytest.mark.parametrize("satisfaction", ["satisfied", "basically_satisfied"])
def test_satisfied_return_visit_closes_the_case(world, flow, clock, satisfaction):
    # given a replied case
    case = flow.replied()
    clock.move_to(local(2025, 10, 10, 9, 0))
    # when the citizen is satisfied and the matter resolved
    case = record_return_visit(case, acting_user=world.visitor, satisfaction=satisfaction, resolved=True,
                               method="phone", note="市民认可")
    # then the case is closed
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case.closed_at == local(2025, 10, 10, 9, 0)
    assert case.is_unsatisfied is False
    visit = ReturnVisit.objects.get(case=case)
    assert (visit.round, visit.satisfaction, visit.resolved, visit.visited_by) == (1, satisfaction, True,
                                                                                   world.visitor)
    event = assert_event(case, A.RETURN_VISIT, from_state=CaseState.REPLIED, to_state=CaseState.CLOSED,
                         actor=world.visitor)
    assert event.data == {"satisfaction": satisfaction, "resolved": True, "method": "phone", "round": 1}


@pytest.mark.parametrize("satisfaction, resolved", [("unsatisfied", True), ("satisfied", False)])
def test_unsatisfied_return_visit_goes_to_a_second_dispatch(world, flow, clock, satisfaction, resolved):
    # given a case replied by the housing bureau
    case = flow.replied()
    clock.move_to(local(2025, 10, 10, 10, 0))
    # when the citizen is unsatisfied (or the matter unresolved)
    case = record_return_visit(case, acting_user=world.visitor, satisfaction=satisfaction, resolved=resolved)
    # then the case is in the unsatisfied ledger and dispatched again, round 2, to the same unit
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    assert case.round == 2
    assert case.is_unsatisfied is True
    assert (case.reply, case.replied_at) == ("", None)
    assert states(case) == [("zjj", "lead", S.REPLIED), ("zjj", "lead", S.PENDING)]
    assert assignments(case)[-1].round == 2
    # and the new round's clock starts at the visit: 5 working days from 2025-10-10 (10-11 is a make-up workday)
    assert case.reply_due == end_of(2025, 10, 16)
    assert assignments(case)[-1].reply_due == end_of(2025, 10, 16)
    # and the dossier has the visit, then the second dispatch
    visit_event, redispatch_event = list(
        CaseEvent.objects.filter(case=case).order_by("-id")[:2]
    )[::-1]
    assert (visit_event.action, visit_event.from_state, visit_event.to_state) == (
        A.RETURN_VISIT, CaseState.REPLIED, CaseState.REPLIED)
    assert (redispatch_event.action, redispatch_event.from_state, redispatch_event.to_state) == (
        A.REDISPATCH, CaseState.REPLIED, CaseState.DISPATCHED)
    assert redispatch_event.actor == world.visitor
    assert redispatch_event.data == {"unit": "zjj", "round": 2}


def test_unsatisfied_visit_without_redispatch_keeps_it_replied(world, flow):
    # given a replied case
    case = flow.replied()
    # when the visit is unsatisfied but the dispatcher decides not to dispatch again yet
    case = record_return_visit(case, acting_user=world.dispatcher, satisfaction="unsatisfied", resolved=False,
                               redispatch=False)
    # then it stays replied, in the unsatisfied ledger, with no new assignment
    case.refresh_from_db()
    assert (case.state, case.round, case.is_unsatisfied) == (CaseState.REPLIED, 1, True)
    assert states(case) == [("zjj", "lead", S.REPLIED)]
    assert_event(case, A.RETURN_VISIT, from_state=CaseState.REPLIED, to_state=CaseState.REPLIED,
                 actor=world.dispatcher)


@pytest.mark.parametrize(
    "changes, field", [({"satisfaction": "meh"}, "satisfaction"), ({"method": "pigeon"}, "method"),
                       ({"resolved": "yes"}, "resolved")],
)
def test_return_visit_bad_input(world, flow, refused, changes, field):
    case = flow.replied()
    kwargs = {"acting_user": world.visitor, "satisfaction": "satisfied", "resolved": True, **changes}
    refused(case, InvalidInput, "invalid_choice" if field != "resolved" else "required",
            lambda: record_return_visit(case, **kwargs), field=field)


# --- redispatch, close, archive --------------------------------------------------------------


def test_redispatch_an_unsatisfied_case(world, flow, clock):
    # given a replied case whose visit was unsatisfied, left replied
    case = record_return_visit(flow.replied(), acting_user=world.visitor, satisfaction="unsatisfied",
                               resolved=False, redispatch=False)
    clock.move_to(local(2025, 10, 13, 9, 0))
    # when the dispatcher sends it to another unit for round 2
    case = redispatch_case(case, acting_user=world.dispatcher, unit=world.dept2, note="改由水务局办理")
    # then it is dispatched again
    case.refresh_from_db()
    assert (case.state, case.round) == (CaseState.DISPATCHED, 2)
    assert states(case) == [("zjj", "lead", S.REPLIED), ("swj", "lead", S.PENDING)]
    assert case.reply_due == end_of(2025, 10, 20)
    event = assert_event(case, A.REDISPATCH, from_state=CaseState.REPLIED, to_state=CaseState.DISPATCHED,
                         actor=world.dispatcher)
    assert event.note == "改由水务局办理"


def test_only_unsatisfied_cases_are_redispatched(world, flow, refused):
    case = flow.replied()
    refused(case, InvalidState, "invalid_state", lambda: redispatch_case(case, acting_user=world.dispatcher))


def test_close_a_replied_case(world, flow):
    # given a replied case
    case = flow.replied()
    # when the dispatcher closes it without a visit
    case = close_case(case, acting_user=world.dispatcher, note="市民不接听回访电话")
    # then it is closed
    case.refresh_from_db()
    assert (case.state, case.closed_at) == (CaseState.CLOSED, START)
    assert_event(case, A.CLOSE, from_state=CaseState.REPLIED, to_state=CaseState.CLOSED, actor=world.dispatcher)


def test_closing_an_unsatisfied_case_needs_an_explanation(world, flow, refused):
    # given an unsatisfied case left replied
    case = record_return_visit(flow.replied(), acting_user=world.visitor, satisfaction="unsatisfied",
                               resolved=False, redispatch=False)
    # when closed without a note, then it is refused naming the note
    refused(case, InvalidInput, "required", lambda: close_case(case, acting_user=world.dispatcher), field="note")
    # and with the explanation it closes
    case = close_case(case, acting_user=world.dispatcher, note="诉求超出政策范围，已解释")
    assert case.state == CaseState.CLOSED


def test_archive_a_closed_case(world, flow):
    # given a closed case
    case = flow.closed()
    # when archived
    case = archive_case(case, acting_user=world.dispatcher)
    # then its dossier is complete
    case.refresh_from_db()
    assert case.state == CaseState.ARCHIVED
    assert_event(case, A.ARCHIVE, from_state=CaseState.CLOSED, to_state=CaseState.ARCHIVED, actor=world.dispatcher)
    assert [e.action for e in CaseEvent.objects.filter(case=case)] == [
        A.REGISTER, A.DISPATCH, A.SIGN, A.REPLY, A.RETURN_VISIT, A.ARCHIVE,
    ]


# --- consultation -------------------------------------------------------------------------------


def test_hold_a_consultation(world, flow):
    # given a case in hand whose duties are unclear
    case = flow.handling()
    # when the supervisor holds a level-3 consultation with two departments
    consultation = hold_consultation(case, acting_user=world.supervisor, level="3", units=[world.dept, world.dept2.pk],
                                     topic="职责不清", conclusion="住建局牵头，水务局配合")
    # then it is recorded with its units, and the case is unchanged but for its version
    assert consultation.level == Consultation.Level.THREE
    assert set(consultation.units.all()) == {world.dept, world.dept2}
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING
    assert case.version == 4
    event = assert_event(case, A.CONSULT, from_state=CaseState.HANDLING, to_state=CaseState.HANDLING,
                         actor=world.supervisor)
    assert event.data == {"level": 3, "units": ["zjj", "swj"], "topic": "职责不清"}


@pytest.mark.parametrize(
    "changes, field, code",
    [({"level": 4}, "level", "invalid_choice"), ({"level": "x"}, "level", "invalid_choice"),
     ({"units": []}, "units", "required"), ({"units": [999999]}, "units", "unknown"),
     ({"topic": ""}, "topic", "required"), ({"conclusion": ""}, "conclusion", "required")],
)
def test_consultation_bad_input(world, flow, refused, changes, field, code):
    case = flow.handling()
    kwargs = {"acting_user": world.supervisor, "level": 2, "units": [world.dept], "topic": "t", "conclusion": "c",
              **changes}
    refused(case, InvalidInput, code, lambda: hold_consultation(case, **kwargs), field=field)


def test_unsatisfied_visit_on_an_on_the_spot_answer_waits_in_the_ledger(world, flow):
    # given a consultation answered on the spot and left for a visit: no unit ever held it
    case = answer_on_the_spot(flow.received(case_type="consultation"), acting_user=world.dispatcher,
                              answer="请到社保窗口办理。", close=False)
    # when the visit is unsatisfied (default: second dispatch), then it stays replied in the ledger,
    # since there is no unit to send it back to
    case = record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False)
    assert (case.state, case.round, case.is_unsatisfied) == (CaseState.REPLIED, 1, True)
    assert not case.assignments.exists()
    # when the dispatcher chooses a unit, then round 2 starts there
    case = redispatch_case(case, acting_user=world.dispatcher, unit=world.dept)
    assert (case.state, case.round) == (CaseState.DISPATCHED, 2)
    assert states(case) == [("zjj", "lead", S.PENDING)]
