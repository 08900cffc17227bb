"""What happens to a received case before it is handled: answered on the
spot, merged, diverted, marked invalid; 一次告知 (request_info / resume)."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from casemodels.models import Assignment, CaseEvent, CaseState, ClockPause
from casemodels.services import (
    InvalidInput, InvalidState, NotAllowed, answer_on_the_spot, dispatch_case, divert_case, mark_invalid,
    merge_cases, register_case, request_info, resume_case, sign_case,
)
from tests.casemodels.conftest import START, assert_event, end_of, local, states

A = CaseEvent.Action
S = Assignment.State


def test_answer_a_consultation_on_the_spot_closes_it(world, flow):
    # given a consultation just received
    case = flow.received(case_type="consultation", content="社保卡在哪里补办？")
    # when the dispatcher answers it from the knowledge base
    case = answer_on_the_spot(case, acting_user=world.dispatcher, answer="到市民服务中心社保窗口补办。")
    # then it is closed with the answer as reply
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case.reply == "到市民服务中心社保窗口补办。"
    assert case.replied_at == START and case.closed_at == START
    assert case.version == 2
    assert_event(case, A.ANSWER, from_state=CaseState.RECEIVED, to_state=CaseState.CLOSED, actor=world.dispatcher)


def test_answer_on_the_spot_may_leave_it_replied_for_a_visit(world, flow):
    # given a consultation
    case = flow.received(case_type="consultation")
    # when answered with close=False
    case = answer_on_the_spot(case, acting_user=world.dispatcher, answer="请携带身份证。", close=False)
    # then it waits for its return visit
    case.refresh_from_db()
    assert case.state == CaseState.REPLIED
    assert case.closed_at is None
    assert_event(case, A.ANSWER, from_state=CaseState.RECEIVED, to_state=CaseState.REPLIED, actor=world.dispatcher)


def test_only_consultations_are_answered_on_the_spot(world, flow, refused):
    # given a complaint
    case = flow.received(case_type="complaint")
    # when answered on the spot, then it is refused naming the case type, and nothing changed
    refused(case, InvalidState, "invalid_state",
            lambda: answer_on_the_spot(case, acting_user=world.dispatcher, answer="x"), field="case_type")


# --- merge, divert, invalid --------------------------------------------------------------


def test_merge_duplicates_into_a_primary_case(world, flow):
    # given one matter arriving three times, one of them already dispatched
    primary = flow.received(content="建设路井盖破损。")
    dup_received = flow.received(content="建设路有个井盖坏了。")
    dup_dispatched = flow.dispatched(content="建设路井盖丢失，很危险。")
    # when the dispatcher merges them
    primary, merged = merge_cases(primary, [dup_received, dup_dispatched], acting_user=world.dispatcher,
                                  note="同一井盖")
    # then the duplicates are merged into the primary, their assignments withdrawn
    assert {c.pk for c in merged} == {dup_received.pk, dup_dispatched.pk}
    for dup, before in ((dup_received, CaseState.RECEIVED), (dup_dispatched, CaseState.DISPATCHED)):
        dup.refresh_from_db()
        assert dup.state == CaseState.MERGED
        assert dup.merged_into == primary
        event = assert_event(dup, A.MERGE, from_state=before, to_state=CaseState.MERGED, actor=world.dispatcher)
        assert event.data == {"primary": primary.number}
    assert states(dup_dispatched) == [("zjj", "lead", S.WITHDRAWN)]
    # and the primary's dossier lists them, its state unchanged
    primary.refresh_from_db()
    assert primary.state == CaseState.RECEIVED
    event = assert_event(primary, A.MERGE, from_state=CaseState.RECEIVED, to_state=CaseState.RECEIVED,
                         actor=world.dispatcher)
    assert sorted(event.data["merged"]) == sorted([dup_received.number, dup_dispatched.number])


def test_merge_is_all_or_nothing(world, flow, refused):
    # given a primary, one mergeable duplicate and one already in hand
    primary = flow.received()
    ok = flow.received()
    in_hand = flow.handling()
    # when the three are merged, then the case in hand refuses it and none of them changed
    refused(primary, InvalidState, "invalid_state",
            lambda: merge_cases(primary, [ok, in_hand], acting_user=world.dispatcher), also=(ok, in_hand))


def test_merge_needs_another_case(world, flow, refused):
    # given a case
    case = flow.received()
    # when merged with itself, then it is refused naming the duplicates
    refused(case, InvalidInput, "invalid", lambda: merge_cases(case, [case], acting_user=world.dispatcher),
            field="duplicates")


def test_divert_to_a_legal_route(world, flow):
    # given a labour dispute received
    case = flow.received(content="公司拖欠工资三个月。")
    # when the dispatcher diverts it to arbitration
    case = divert_case(case, acting_user=world.dispatcher, route="arbitration", note="请向劳动仲裁委员会申请仲裁。")
    # then it is diverted and closed, with the route recorded
    case.refresh_from_db()
    assert (case.state, case.divert_route, case.closed_at) == (CaseState.DIVERTED, "arbitration", START)
    event = assert_event(case, A.DIVERT, from_state=CaseState.RECEIVED, to_state=CaseState.DIVERTED,
                         actor=world.dispatcher)
    assert event.data == {"route": "arbitration"}


def test_divert_needs_a_known_route(world, flow, refused):
    case = flow.received()
    # when diverted to an unknown route, then the error names the route
    refused(case, InvalidInput, "invalid_choice",
            lambda: divert_case(case, acting_user=world.dispatcher, route="mediation-by-uncle", note="x"),
            field="route")


def test_mark_a_case_invalid(world, flow):
    # given a prank call registered
    case = flow.received(content="（无实际内容）")
    # when marked invalid with a reason
    case = mark_invalid(case, acting_user=world.dispatcher, reason="骚扰电话")
    # then it is invalid and the reason is in the dossier
    case.refresh_from_db()
    assert case.state == CaseState.INVALID
    event = assert_event(case, A.INVALID, from_state=CaseState.RECEIVED, to_state=CaseState.INVALID,
                         actor=world.dispatcher)
    assert event.note == "骚扰电话"


def test_mark_invalid_needs_a_reason(world, flow, refused):
    case = flow.received()
    refused(case, InvalidInput, "required", lambda: mark_invalid(case, acting_user=world.dispatcher, reason=" "),
            field="reason")


# --- 一次告知: request_info / resume_case --------------------------------------------------


def test_request_info_pauses_and_resume_moves_the_deadlines(world, flow, clock):
    # given a case received 2025-09-30 10:00, reply due 2025-10-14 (5 working days)
    case = flow.received()
    assert case.reply_due == end_of(2025, 10, 14)
    # when the dispatcher asks the citizen for the exact address on 10-09 10:00
    clock.move_to(local(2025, 10, 9, 10, 0))
    case = request_info(case, acting_user=world.dispatcher, missing="请提供具体门牌号。")
    # then the clock is paused
    case.refresh_from_db()
    assert case.paused_since == local(2025, 10, 9, 10, 0)
    assert case.version == 2
    assert ClockPause.objects.get(case=case).reason == ClockPause.Reason.AWAITING_CITIZEN
    assert_event(case, A.REQUEST_INFO, from_state=CaseState.RECEIVED, to_state=CaseState.RECEIVED,
                 actor=world.dispatcher)
    # when the citizen answers a day later
    clock.move_to(local(2025, 10, 10, 10, 0))
    case = resume_case(case, acting_user=world.dispatcher, information="建设路12号。")
    # then the clock runs again and the deadlines moved by the pause (one day)
    case.refresh_from_db()
    assert case.paused_since is None
    assert ClockPause.objects.get(case=case).ended_at == local(2025, 10, 10, 10, 0)
    assert "建设路12号。" in case.content
    assert case.reply_due == end_of(2025, 10, 15)
    assert case.completion_due == end_of(2025, 10, 22)
    assert case.version == 3
    assert_event(case, A.RESUME, from_state=CaseState.RECEIVED, to_state=CaseState.RECEIVED, actor=world.dispatcher)


def test_the_handling_unit_may_ask_the_citizen(world, flow):
    # given a case in the hands of the department
    case = flow.handling()
    # when its handler asks the citizen
    case = request_info(case, acting_user=world.dept_handler, missing="请提供照片。")
    # then the case is paused, still handling
    assert case.paused_since == START
    assert_event(case, A.REQUEST_INFO, from_state=CaseState.HANDLING, to_state=CaseState.HANDLING,
                 actor=world.dept_handler, unit=world.dept)


def test_the_citizen_is_asked_once(world, flow, refused):
    # given a case already waiting for the citizen
    case = request_info(flow.received(), acting_user=world.dispatcher, missing="门牌号")
    # when asked again, then it is refused and nothing changed
    refused(case, InvalidState, "invalid_state",
            lambda: request_info(case, acting_user=world.dispatcher, missing="照片"))


def test_resume_needs_a_pause(world, flow, refused):
    case = flow.received()
    refused(case, InvalidState, "invalid_state",
            lambda: resume_case(case, acting_user=world.dispatcher, information="x"))


def test_another_unit_may_not_ask_the_citizen(world, flow, refused):
    # given a case held by the department
    case = flow.handling()
    # when another department's handler asks the citizen, then it is refused
    refused(case, NotAllowed, "not_your_case",
            lambda: request_info(case, acting_user=world.dept2_handler, missing="x"))


def test_a_user_without_staff_profile_may_not_act(world, flow, refused):
    # given a signed-in user with no staff profile, and an anonymous visitor
    from django.contrib.auth.models import AnonymousUser

    case = flow.received()
    stranger = get_user_model().objects.create_user("stranger", password="x")
    # when they try to dispatch, then both are refused
    refused(case, NotAllowed, "not_allowed", lambda: dispatch_case(case, acting_user=stranger, unit=world.dept))
    refused(case, NotAllowed, "unauthenticated",
            lambda: dispatch_case(case, acting_user=AnonymousUser(), unit=world.dept))


def test_a_superuser_acts_with_every_role(world, flow):
    # given the demo administrator (superuser, no staff profile)
    admin = get_user_model().objects.create_superuser("admin", password="x")
    case = flow.received()
    # when they dispatch and sign
    case = dispatch_case(case, acting_user=admin, unit=world.dept)
    # then it works like a dispatcher
    assert case.state == CaseState.DISPATCHED
    assert_event(case, A.DISPATCH, from_state=CaseState.RECEIVED, to_state=CaseState.DISPATCHED, actor=admin)
    # but signing needs a unit that holds the case
    with pytest.raises(NotAllowed):
        sign_case(case, acting_user=admin)


def test_received_at_may_be_given_for_imports(world):
    # given a letter received yesterday and entered today
    yesterday = START - datetime.timedelta(days=1)
    case = register_case(acting_user=world.dispatcher, channel="hotline", case_type="complaint",
                         content="来信反映", citizen_phone="13812341234", received_at=yesterday)
    # then the clock starts at receipt, and the number carries that day
    assert case.received_at == yesterday
    assert case.number.startswith("MS20250929")
    assert case.reply_due == end_of(2025, 10, 13)
