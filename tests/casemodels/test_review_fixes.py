"""Behaviour settled after the first review of the lifecycle: the sign-for
clock follows the latest dispatch, anonymous retries reveal nothing, merges
version the primary, a reply ends waits, same-day limits."""

import pytest

from casemodels.models import Assignment, CaseState, ClockPause
from casemodels.models.requests import ReviewState
from casemodels.services import (
    InvalidInput, InvalidState, dispatch_case, divert_case, escalate_case, merge_cases, record_return_visit,
    register_case, reply_case, request_extension, request_info, request_return, review_extension, review_return,
    sign_case, sub_dispatch_case,
)
from snippets.models import PolicyLimit
from tests.factories import ChannelFactory, PolicyFactory

from .conftest import end_of, local

CONTENT = "小区门口路灯坏了一个星期，晚上出行很不方便。"


def test_sign_for_deadline_follows_a_re_dispatch(world, flow, clock):
    # given a case dispatched, returned and approved a day later
    case = flow.dispatched()
    case = request_return(case, acting_user=world.dept_handler, reason="不属于本单位职责。")
    clock.move_to(local(2025, 10, 9, 9, 0))
    case = review_return(case, acting_user=world.dispatcher, approve=True)
    # when it is dispatched again
    case = dispatch_case(case, acting_user=world.dispatcher, unit=world.dept2)
    # then the case's sign-for clock (24 hours) runs from the new dispatch, like the new unit's own
    lead = case.assignments.get(state="pending")
    assert case.sign_due == local(2025, 10, 10, 9, 0) == lead.sign_due


def test_anonymous_retry_returns_the_same_case(world):
    first = register_case(acting_user=None, channel=world.web, case_type="help", content=CONTENT,
                          citizen_phone="13800001111", external_id="mp-1")
    again = register_case(acting_user=None, channel=world.web, case_type="help", content=CONTENT,
                          citizen_phone="138 0000 1111", external_id="mp-1")
    assert again.pk == first.pk


def test_a_known_id_does_not_reveal_someone_elses_case(world):
    # given a citizen's submission with a channel id
    register_case(acting_user=None, channel=world.web, case_type="help", content=CONTENT,
                  citizen_phone="13800001111", external_id="mp-2")
    # when someone else submits anonymously with the same id, then it is refused naming the field
    with pytest.raises(InvalidInput) as info:
        register_case(acting_user=None, channel=world.web, case_type="help", content="别的诉求内容",
                      citizen_phone="13900002222", external_id="mp-2")
    assert (info.value.field, info.value.code) == ("external_id", "duplicate_external_id")


def test_merging_versions_the_primary(world, flow):
    primary, duplicate = flow.received(), flow.received()
    before = primary.version
    primary, merged = merge_cases(primary, [duplicate], acting_user=world.dispatcher)
    primary.refresh_from_db()
    assert primary.version == before + 1
    assert merged[0].state == CaseState.MERGED


def test_a_reply_ends_the_wait_for_the_citizen_and_withdraws_a_pending_extension(world, flow):
    # given a case in hand, waiting for the citizen, with an extension requested
    case = flow.handling()
    case = request_extension(case, acting_user=world.dept_handler, working_days=3, reason="需协调施工队。")
    case = request_info(case, acting_user=world.dept_handler, missing="请提供具体楼号。")
    assert case.paused_since is not None
    # when the unit replies
    case = reply_case(case, acting_user=world.dept_handler, reply="已现场核实并修复。")
    # then the clock is running again, the pause is closed and the extension withdrawn
    assert case.paused_since is None
    assert not ClockPause.objects.filter(case=case, ended_at__isnull=True).exists()
    assert case.extension_requests.get().state == ReviewState.WITHDRAWN
    # and reviewing it afterwards is refused: the case is no longer in hand
    with pytest.raises(InvalidState):
        review_extension(case, acting_user=world.dispatcher, approve=True)


def test_zero_natural_days_means_the_same_day(world, flow):
    # given a policy for urgent cases: reply the same day
    PolicyFactory(name="紧急当日", priority=1, urgency="urgent", limits={"reply": (0, "natural_days")})
    # when an urgent case arrives at 10:00, then its reply is due at the end of that day
    case = flow.received(urgency="urgent")
    assert case.reply_due == end_of(2025, 9, 30)


def test_zero_is_refused_for_other_units():
    limit = PolicyLimit(kind="reply", amount=0, unit="working_days")
    with pytest.raises(Exception) as info:
        limit.clean()
    assert "amount" in info.value.message_dict


# --- Loose ends when a case stops being handled or moves (second review) ---


def test_merging_a_case_under_return_review_closes_its_loose_ends(world, flow):
    # given a dispatched case whose unit has asked to return it (clock paused)
    duplicate = request_return(flow.dispatched(), acting_user=world.dept_handler, reason="非本单位职责。")
    primary = flow.received()
    # when it is merged into another case
    merge_cases(primary, [duplicate], acting_user=world.dispatcher)
    duplicate.refresh_from_db()
    # then its return is withdrawn, its clock no longer paused, its assignment withdrawn
    assert duplicate.return_requests.get().state == ReviewState.WITHDRAWN
    assert duplicate.paused_since is None
    assert set(duplicate.assignments.values_list("state", flat=True)) == {Assignment.State.WITHDRAWN}
    # and the return can no longer be reviewed into bringing it back
    with pytest.raises(InvalidState):
        review_return(duplicate, acting_user=world.dispatcher, approve=True)
    assert duplicate.state == CaseState.MERGED


def test_diverting_a_case_waiting_for_the_citizen_ends_the_wait(world, flow):
    case = request_info(flow.received(), acting_user=world.dispatcher, missing="请补充事发地址。")
    case = divert_case(case, acting_user=world.dispatcher, route="litigation", note="属于民事纠纷，建议诉讼。")
    assert case.paused_since is None
    assert not ClockPause.objects.filter(case=case, ended_at__isnull=True).exists()


def test_an_extension_does_not_follow_the_case_up_a_whistle(world, flow):
    # given a village that asked for an extension, then whistled the case up to its township
    case = sign_case(flow.dispatched(unit=world.town_a), acting_user=world.town_handler)
    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    case = sign_case(case, acting_user=world.village_handler)
    case = request_extension(case, acting_user=world.village_handler, working_days=10, reason="需协调。")
    reply_due = case.reply_due
    case = escalate_case(case, acting_user=world.village_handler, reason="村级无法处置。")
    # then the request is withdrawn and cannot be approved for the township
    assert case.extension_requests.get().state == ReviewState.WITHDRAWN
    with pytest.raises(InvalidState):
        review_extension(case, acting_user=world.dispatcher, approve=True)
    case.refresh_from_db()
    assert case.reply_due == reply_due


def test_a_whistle_past_a_level_hands_on_the_units_passed_over(world, flow):
    # given centre → township → village
    case = sign_case(flow.dispatched(unit=world.town_a), acting_user=world.town_handler)
    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    case = sign_case(case, acting_user=world.village_handler)
    # when the village whistles straight to the command centre
    case = escalate_case(case, acting_user=world.village_handler, reason="涉及多个部门。", unit=world.centre)
    # then the township's assignment is handed on too, and only the centre's is active
    states = list(case.assignments.order_by("id").values_list("unit__code", "state"))
    assert states == [("ms", "escalated"), ("ms-mx", "escalated"), ("centre", "pending")]
    assert case.state == CaseState.DISPATCHED


def test_a_known_id_does_not_reveal_a_case_outside_the_staff_members_scope(world):
    register_case(acting_user=world.dispatcher, channel=world.hotline, case_type="help", content=CONTENT,
                  citizen_phone="13800001111", external_id="12345-0001")
    with pytest.raises(InvalidInput) as info:
        register_case(acting_user=world.town_b_dispatcher, channel=world.hotline, case_type="help",
                      content=CONTENT, citizen_phone="13800001111", external_id="12345-0001")
    assert info.value.code == "duplicate_external_id"


def test_all_digit_codes_are_codes(world):
    ChannelFactory(name="12345政务服务热线", code="12345")
    case = register_case(acting_user=world.dispatcher, channel="12345", case_type="help", content=CONTENT,
                         citizen_phone="13800001111")
    assert case.channel.code == "12345"


def test_no_automatic_second_dispatch_to_a_unit_that_is_gone(world, flow):
    case = flow.replied()
    world.dept.is_active = False
    world.dept.save()
    case = record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False)
    assert (case.state, case.round, case.is_unsatisfied) == (CaseState.REPLIED, 1, True)
