"""Receiving cases and the ways a case ends before it is handled: register,
answer on the spot, merge, divert, invalid; 一次告知 (request_info / resume)."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model

from casemodels.models import Assignment, Case, CaseEvent, CaseState, ClockPause
from casemodels.services import (
    InvalidInput, InvalidState, NotAllowed, answer_on_the_spot, dispatch_case, divert_case, mark_invalid,
    merge_cases, register_case, request_info, resume_case, sign_case,
)
from tests.casemodels.conftest import START, assert_event, end_of, local, states
from tests.factories import ChannelFactory

A = CaseEvent.Action
S = Assignment.State


def nothing_written():
    return (Case.objects.count(), Assignment.objects.count(), CaseEvent.objects.count()) == (0, 0, 0)


# --- register_case ---------------------------------------------------------------


def test_staff_register_a_case_for_their_unit(world):
    # given a dispatcher of the command centre taking a hotline call
    # when they register it
    case = register_case(
        acting_user=world.dispatcher, channel="hotline", case_type="complaint", title="路灯不亮",
        content="米西村村口路灯坏了一个月。", citizen_name=" 李四 ", citizen_phone="138 1234 1234",
        address="米西村村口", region=world.village_a_r,
    )
    # then it is received, owned by the centre (first-receiver responsibility) and on the clock
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED
    assert case.owner_unit == world.centre
    assert case.created_by == world.dispatcher
    assert re.fullmatch(r"MS2025093000001", case.number)
    assert re.fullmatch(r"[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}", case.query_code)
    assert (case.citizen_name, case.citizen_phone) == ("李四", "13812341234")
    assert case.version == 1 and case.round == 1
    assert case.received_at == START
    assert case.policy == world.policy
    assert case.reply_due == end_of(2025, 10, 14)
    assert case.sign_due is None  # not dispatched yet
    assert not Assignment.objects.filter(case=case).exists()
    # and the dossier starts with a REGISTER event
    event = assert_event(case, A.REGISTER, from_state="", to_state=CaseState.RECEIVED, actor=world.dispatcher,
                         unit=world.centre)
    assert event.data == {"channel": "hotline"}


def test_case_numbers_count_up_per_day(world, flow):
    # given two cases registered on the same day
    first, second = flow.received(), flow.received()
    # then their numbers are consecutive
    assert (first.number, second.number) == ("MS2025093000001", "MS2025093000002")


def test_a_township_that_receives_a_case_owns_it(world):
    # given a township dispatcher registering a request made at the township
    case = register_case(
        acting_user=world.town_b_dispatcher, channel=world.hotline, case_type="help",
        content="三甲村有老人需要帮助。", citizen_phone="0356-1234567",
    )
    # then the township owns the case, not the centre
    assert case.owner_unit == world.town_b
    assert case.citizen_phone == "0356-1234567"


def test_public_submission_on_a_public_channel(world):
    # given an anonymous citizen on the web portal
    # when they submit
    case = register_case(acting_user=None, channel="web", case_type="suggestion", content="建议增加公交线路。",
                         citizen_phone="13912345678")
    # then the case is received, owned by the command centre, with no staff actor
    assert case.state == CaseState.RECEIVED
    assert case.owner_unit == world.centre
    assert case.created_by is None
    assert_event(case, A.REGISTER, from_state="", to_state=CaseState.RECEIVED, actor=None, unit=world.centre)


def test_public_submission_on_a_staff_channel_is_refused(world):
    # given the hotline, which is not open to the public
    # when an anonymous submission comes in on it
    with pytest.raises(NotAllowed) as info:
        register_case(acting_user=None, channel="hotline", case_type="complaint", content="x",
                      citizen_phone="13912345678")
    # then it is refused and nothing is written
    assert info.value.code == "not_allowed"
    assert nothing_written()


def test_registering_needs_the_dispatcher_role(world):
    # given a unit handler
    # when they try to register a case
    with pytest.raises(NotAllowed) as info:
        register_case(acting_user=world.dept_handler, channel="hotline", case_type="complaint", content="x",
                      citizen_phone="13912345678")
    # then it is refused and nothing is written
    assert info.value.code == "not_allowed"
    assert nothing_written()


def test_register_is_idempotent_on_channel_and_external_id(world):
    # given a mini-program case already imported with its own id
    channel = ChannelFactory(code="miniapp", is_public=True, requires_external_id=True)
    first = register_case(acting_user=None, channel=channel, case_type="complaint", content="噪音扰民",
                          citizen_phone="13912345678", external_id="WX-0001")
    # when the same submission arrives again (a retry), even with padding
    again = register_case(acting_user=None, channel=channel, case_type="complaint", content="噪音扰民（重发）",
                          citizen_phone="13912345678", external_id=" WX-0001 ")
    # then the first case comes back and nothing new is written
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action=A.REGISTER).count() == 1
    # and the same id on another channel is another case
    other = register_case(acting_user=None, channel="web", case_type="complaint", content="噪音扰民",
                          citizen_phone="13912345678", external_id="WX-0001")
    assert other.pk != first.pk


@pytest.mark.parametrize(
    "changes, field, code",
    [
        ({"channel": "no-such-channel"}, "channel", "unknown"),
        ({"channel": None}, "channel", "required"),
        ({"content": "   \n "}, "content", "required"),
        ({"citizen_phone": "12345abc"}, "citizen_phone", "invalid_phone"),
        ({"citizen_phone": "1381234123"}, "citizen_phone", "invalid_phone"),
        ({"citizen_phone": ""}, "citizen_phone", "required"),
        ({"citizen_id_number": "14052119900101"}, "citizen_id_number", "invalid_id_number"),
        ({"case_type": "gossip"}, "case_type", "invalid_choice"),
        ({"urgency": "whenever"}, "urgency", "invalid_choice"),
        ({"directory_item": "no-such-item"}, "directory_item", "unknown"),
        ({"region": "no-such-region"}, "region", "unknown"),
        ({"title": "长" * 201}, "title", "too_long"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_input_names_the_field_and_writes_nothing(world, changes, field, code):
    # given a registration with one bad value
    kwargs = {"acting_user": world.dispatcher, "channel": "hotline", "case_type": "complaint",
              "content": "路灯坏了", "citizen_phone": "13812341234", **changes}
    # when it is registered
    with pytest.raises(InvalidInput) as info:
        register_case(**kwargs)
    # then the error names the field, and no case, assignment or event was written
    assert (info.value.field, info.value.code) == (field, code)
    assert info.value.message
    assert nothing_written()


def test_inactive_channel_is_unknown(world):
    # given a channel switched off
    ChannelFactory(code="old", is_active=False)
    # when a case is registered on it
    with pytest.raises(InvalidInput) as info:
        register_case(acting_user=world.dispatcher, channel="old", case_type="complaint", content="x",
                      citizen_phone="13812341234")
    # then it is refused as unknown
    assert (info.value.field, info.value.code) == ("channel", "unknown")
    assert nothing_written()


def test_channel_requiring_its_own_id(world):
    # given a channel whose cases carry their id in the source system
    ChannelFactory(code="leader-board", requires_external_id=True)
    # when a case comes without it
    with pytest.raises(InvalidInput) as info:
        register_case(acting_user=world.dispatcher, channel="leader-board", case_type="complaint", content="x",
                      citizen_phone="13812341234")
    # then the error names external_id
    assert (info.value.field, info.value.code) == ("external_id", "required")
    assert nothing_written()


def test_anonymous_case_needs_no_phone(world):
    # given an anonymous report
    case = register_case(acting_user=world.dispatcher, channel="hotline", case_type="report",
                         content="有人在河道倾倒垃圾。", is_anonymous=True, is_confidential=True)
    # then it is received without a phone
    assert case.state == CaseState.RECEIVED
    assert (case.citizen_phone, case.is_anonymous, case.is_confidential) == ("", True, True)
    assert case.title == "有人在河道倾倒垃圾。"


# --- answer on the spot ------------------------------------------------------------


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
