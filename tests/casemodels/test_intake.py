"""Receiving cases: register_case, its scope and its refusals of bad input.
What happens next before handling is in test_triage.py."""

import re

import pytest

from casemodels.models import Assignment, Case, CaseEvent, CaseState
from casemodels.services import (
    InvalidInput, NotAllowed, register_case,
)
from tests.casemodels.conftest import START, assert_event, end_of
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
