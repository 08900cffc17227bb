"""Moving a case between units: dispatch (to a unit, by directory routing),
sign, sub-dispatch down, whistle up, return a wrong dispatch (reviewed)."""


import pytest

from casemodels.models import Assignment, CaseEvent, CaseState, ClockPause, ReturnRequest
from casemodels.models.requests import ReviewState
from casemodels.services import (
    InvalidInput, NotAllowed, dispatch_case, escalate_case, request_return, review_return, sign_case,
    sub_dispatch_case,
)
from snippets.models import DirectoryItem, Level
from tests.casemodels.conftest import START, assert_event, assignments, end_of, local, states
from tests.factories import DirectoryItemFactory

A = CaseEvent.Action
S = Assignment.State
SECTOR, TERRITORIAL = DirectoryItem.Routing.SECTOR, DirectoryItem.Routing.TERRITORIAL


# --- dispatch -----------------------------------------------------------------------


def test_dispatch_to_a_unit_with_a_co_handler(world, flow, clock):
    # given a received case
    case = flow.received()
    clock.move_to(local(2025, 9, 30, 11, 0))
    # when the dispatcher sends it to the housing bureau with the water bureau co-handling
    case = dispatch_case(case, acting_user=world.dispatcher, unit=world.dept, co_units=[world.dept2], note="请核实")
    # then the case is dispatched and both units have a pending assignment for round 1
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    assert case.dispatched_at == local(2025, 9, 30, 11, 0)
    assert case.version == 2
    assert states(case) == [("zjj", "lead", S.PENDING), ("swj", "co", S.PENDING)]
    lead, co = assignments(case)
    assert lead.round == 1 and lead.parent is None and lead.dispatched_by == world.dispatcher
    # and the sign-for clock (24 hours, exact) starts at dispatch; the reply deadline is the case's
    assert case.sign_due == lead.sign_due == local(2025, 10, 1, 11, 0)
    assert lead.reply_due == case.reply_due == end_of(2025, 10, 14)
    event = assert_event(case, A.DISPATCH, from_state=CaseState.RECEIVED, to_state=CaseState.DISPATCHED,
                         actor=world.dispatcher, unit=world.centre)
    assert event.data == {"unit": "zjj", "co_units": ["swj"], "by_directory": False}
    assert event.note == "请核实"


def test_dispatch_by_unit_code(world, flow):
    # given a received case, when dispatched naming the unit by its code
    case = dispatch_case(flow.received(), acting_user=world.dispatcher, unit="ms")
    # then the township holds it
    assert states(case) == [("ms", "lead", S.PENDING)]


def test_dispatch_by_sector_routing(world, flow):
    # given a directory item routed to the housing bureau, with the water bureau co-handling
    item = DirectoryItemFactory(code="0101", routing=SECTOR, sector_unit=world.dept, co_handlers=[world.dept2])
    case = flow.received(directory_item=item)
    # when dispatched without naming a unit
    case = dispatch_case(case, acting_user=world.dispatcher)
    # then the directory decides
    assert case.state == CaseState.DISPATCHED
    assert states(case) == [("zjj", "lead", S.PENDING), ("swj", "co", S.PENDING)]
    event = assert_event(case, A.DISPATCH, from_state=CaseState.RECEIVED, to_state=CaseState.DISPATCHED,
                         actor=world.dispatcher)
    assert event.data["by_directory"] is True


@pytest.mark.parametrize("level, unit_code", [(Level.TOWNSHIP, "ms"), (Level.VILLAGE, "ms-mx")])
def test_dispatch_by_territorial_routing(world, flow, level, unit_code):
    # given an item routed to the unit answering for the case's region at a level
    item = DirectoryItemFactory(code="0201", routing=TERRITORIAL, territorial_level=level)
    # and a case in 米西村 (under 米山镇)
    case = flow.received(directory_item=item, region=world.village_a_r)
    # when dispatched by the directory
    case = dispatch_case(case, acting_user=world.dispatcher)
    # then the unit of that region at that level gets it
    assert states(case) == [(unit_code, "lead", S.PENDING)]


@pytest.mark.parametrize(
    "routing, region, field",
    [
        ("category", "village_a_r", "directory_item"),
        ("territorial_no_unit", "village_b_r", "directory_item"),  # 三甲村 has no village unit
        ("territorial_no_region", None, "region"),
        ("sector_inactive", None, "directory_item"),
    ],
)
def test_directory_item_that_routes_nowhere(world, flow, refused, routing, region, field):
    # given a case whose directory item cannot name a unit
    if routing == "category":
        item = DirectoryItemFactory(code="01", routing=DirectoryItem.Routing.NONE)
    elif routing.startswith("territorial"):
        item = DirectoryItemFactory(code="0201", routing=TERRITORIAL, territorial_level=Level.VILLAGE)
    else:
        world.dept2.is_active = False
        world.dept2.save()
        item = DirectoryItemFactory(code="0301", routing=SECTOR, sector_unit=world.dept2)
    case = flow.received(directory_item=item, region=getattr(world, region) if region else None)
    # when dispatched by the directory, then the error names the field and no assignment or event is written
    exc = refused(case, InvalidInput, "routes_nowhere" if field == "directory_item" else "required",
                  lambda: dispatch_case(case, acting_user=world.dispatcher), field=field)
    assert item.name in exc.message
    assert not Assignment.objects.exists()


def test_dispatch_without_unit_or_item(world, flow, refused):
    case = flow.received()
    refused(case, InvalidInput, "required", lambda: dispatch_case(case, acting_user=world.dispatcher),
            field="directory_item")


def test_dispatch_to_an_unknown_or_inactive_unit(world, flow, refused):
    case = flow.received()
    refused(case, InvalidInput, "unknown", lambda: dispatch_case(case, acting_user=world.dispatcher, unit="nope"),
            field="unit")
    world.dept.is_active = False
    world.dept.save()
    refused(case, InvalidInput, "inactive",
            lambda: dispatch_case(case, acting_user=world.dispatcher, unit=world.dept), field="unit")


# --- sign -----------------------------------------------------------------------------


def test_lead_unit_signs_and_the_case_is_in_hand(world, flow, clock):
    # given a case dispatched to the housing bureau
    case = flow.dispatched()
    clock.move_to(local(2025, 9, 30, 15, 0))
    # when its handler signs for it
    case = sign_case(case, acting_user=world.dept_handler)
    # then the case is being handled and the assignment is signed
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING
    assert case.version == 3
    (lead,) = assignments(case)
    assert (lead.state, lead.signed_at) == (S.SIGNED, local(2025, 9, 30, 15, 0))
    event = assert_event(case, A.SIGN, from_state=CaseState.DISPATCHED, to_state=CaseState.HANDLING,
                         actor=world.dept_handler, unit=world.dept)
    assert event.data == {"role": "lead"}


def test_co_handler_signs_without_moving_the_case(world, flow):
    # given a case dispatched with a co-handler
    case = flow.dispatched(co_units=[world.dept2])
    # when the co-handler signs
    case = sign_case(case, acting_user=world.dept2_handler)
    # then only its assignment is signed; the case waits for the lead unit
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    assert case.version == 3
    assert states(case) == [("zjj", "lead", S.PENDING), ("swj", "co", S.SIGNED)]
    event = assert_event(case, A.SIGN, from_state=CaseState.DISPATCHED, to_state=CaseState.DISPATCHED,
                         actor=world.dept2_handler, unit=world.dept2)
    assert event.data == {"role": "co"}


# --- sub-dispatch and whistle -------------------------------------------------------------


def test_township_sub_dispatches_to_a_village(world, flow):
    # given a case the township has signed for
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    # when the township sends it down to the village
    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a, note="请村委处理")
    # then the township's assignment is sub-dispatched and the village has a pending child assignment
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    assert states(case) == [("ms", "lead", S.SUB_DISPATCHED), ("ms-mx", "lead", S.PENDING)]
    parent, child = assignments(case)
    assert child.parent == parent
    event = assert_event(case, A.SUB_DISPATCH, from_state=CaseState.HANDLING, to_state=CaseState.DISPATCHED,
                         actor=world.town_handler, unit=world.town_a)
    assert event.data == {"from": "ms", "to": "ms-mx"}
    # when the village signs, the case is in hand again
    case = sign_case(case, acting_user=world.village_handler)
    assert case.state == CaseState.HANDLING
    assert states(case)[-1] == ("ms-mx", "lead", S.SIGNED)


def test_sub_dispatch_only_goes_down(world, flow, refused):
    # given a case the township holds
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    # when it tries to send it sideways to another township or to itself, then it is refused naming the unit
    for unit in (world.town_b, world.town_a, world.dept):
        refused(case, InvalidInput, "not_below",
                lambda unit=unit: sub_dispatch_case(case, acting_user=world.town_handler, unit=unit), field="unit")


def test_whistle_up_to_the_parent_unit(world, flow):
    # given a case the centre dispatched straight to the village, which signed
    case = flow.handling(unit=world.village_a, signer=world.village_handler)
    # when the village blows the whistle (it needs the township's powers)
    case = escalate_case(case, acting_user=world.village_handler, reason="涉及违建执法，村委无权处理")
    # then the village's assignment is escalated and the township gets a new pending one
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    assert states(case) == [("ms-mx", "lead", S.ESCALATED), ("ms", "lead", S.PENDING)]
    assert assignments(case)[1].parent is None
    event = assert_event(case, A.ESCALATE, from_state=CaseState.HANDLING, to_state=CaseState.DISPATCHED,
                         actor=world.village_handler, unit=world.village_a)
    assert event.data == {"from": "ms-mx", "to": "ms"}
    # and the township signs for it
    case = sign_case(case, acting_user=world.town_handler)
    assert case.state == CaseState.HANDLING


def test_whistle_to_a_named_higher_unit(world, flow):
    # given the village holds a case, not yet signed
    case = flow.dispatched(unit=world.village_a)
    # when it whistles straight to the command centre
    case = escalate_case(case, acting_user=world.village_handler, reason="跨镇事项", unit=world.centre)
    # then the centre holds it
    assert states(case) == [("ms-mx", "lead", S.ESCALATED), ("centre", "lead", S.PENDING)]
    assert_event(case, A.ESCALATE, from_state=CaseState.DISPATCHED, to_state=CaseState.DISPATCHED,
                 actor=world.village_handler)


def test_whistle_back_up_to_the_unit_that_sub_dispatched(world, flow):
    # given the township sub-dispatched to the village, which signed
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    case = sign_case(case, acting_user=world.village_handler)
    # when the village whistles back up
    case = escalate_case(case, acting_user=world.village_handler, reason="需要镇执法队")
    # then the township takes it back in hand; no new assignment
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING
    assert states(case) == [("ms", "lead", S.SIGNED), ("ms-mx", "lead", S.ESCALATED)]
    assert_event(case, A.ESCALATE, from_state=CaseState.HANDLING, to_state=CaseState.HANDLING,
                 actor=world.village_handler)


def test_whistle_only_goes_up(world, flow, refused):
    case = flow.handling(unit=world.village_a, signer=world.village_handler)
    for unit in (world.dept, world.village_a, world.town_b):
        refused(case, InvalidInput, "not_above",
                lambda unit=unit: escalate_case(case, acting_user=world.village_handler, reason="x", unit=unit),
                field="unit")
    refused(case, InvalidInput, "required",
            lambda: escalate_case(case, acting_user=world.village_handler, reason=""), field="reason")


# --- return a wrong dispatch (退单) ---------------------------------------------------------


def test_request_return_pauses_the_clock(world, flow):
    # given a case dispatched to the housing bureau (not signed)
    case = flow.dispatched(co_units=[world.dept2])
    # when the bureau says it is not theirs
    case = request_return(case, acting_user=world.dept_handler, reason="属于水务局职责")
    # then a return request waits for review, the assignment is marked and the clock paused
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    assert case.paused_since == START
    assert states(case) == [("zjj", "lead", S.RETURN_REQUESTED), ("swj", "co", S.PENDING)]
    request = ReturnRequest.objects.get(case=case)
    assert (request.state, request.unit, request.reason) == (ReviewState.PENDING, world.dept, "属于水务局职责")
    assert ClockPause.objects.get(case=case).reason == ClockPause.Reason.RETURN_REVIEW
    assert_event(case, A.REQUEST_RETURN, from_state=CaseState.DISPATCHED, to_state=CaseState.DISPATCHED,
                 actor=world.dept_handler, unit=world.dept)


def test_approved_return_goes_back_to_received_and_can_be_dispatched_again(world, flow, clock):
    # given a return requested on a dispatched case with a co-handler
    case = flow.dispatched(co_units=[world.dept2])
    case = request_return(case, acting_user=world.dept_handler, reason="不属于本单位")
    clock.move_to(local(2025, 9, 30, 16, 0))
    # when the dispatcher approves it
    case = review_return(case, acting_user=world.dispatcher, approve=True, note="同意")
    # then the case is received again, every assignment ended and the clock runs
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED
    assert case.paused_since is None
    assert states(case) == [("zjj", "lead", S.RETURNED), ("swj", "co", S.WITHDRAWN)]
    assert ReturnRequest.objects.get(case=case).state == ReviewState.APPROVED
    event = assert_event(case, A.REVIEW_RETURN, from_state=CaseState.DISPATCHED, to_state=CaseState.RECEIVED,
                         actor=world.dispatcher)
    assert event.data == {"approved": True, "unit": "zjj"}
    # and it can be dispatched to the right unit (改派)
    case = dispatch_case(case, acting_user=world.dispatcher, unit=world.dept2)
    assert case.state == CaseState.DISPATCHED
    assert states(case)[-1] == ("swj", "lead", S.PENDING)


def test_rejected_return_leaves_the_case_with_the_unit(world, flow, clock):
    # given a signed case whose unit asks to return it
    case = flow.handling()
    case = request_return(case, acting_user=world.dept_handler, reason="不属于本单位")
    clock.move_to(local(2025, 10, 9, 10))
    # when the dispatcher rejects it with a reason on the first working day after the holiday
    case = review_return(case, acting_user=world.dispatcher, approve=False, note="属于住建局职责清单第12项")
    # then the unit keeps it, signed, and the clock runs again (moved by the one working day of review)
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING
    assert states(case) == [("zjj", "lead", S.SIGNED)]
    assert ReturnRequest.objects.get(case=case).state == ReviewState.REJECTED
    assert case.paused_since is None
    assert case.reply_due == end_of(2025, 10, 15)
    event = assert_event(case, A.REVIEW_RETURN, from_state=CaseState.HANDLING, to_state=CaseState.HANDLING,
                         actor=world.dispatcher)
    assert event.data == {"approved": False, "unit": "zjj"}


def test_rejecting_a_return_needs_a_reason(world, flow, refused):
    case = request_return(flow.dispatched(), acting_user=world.dept_handler, reason="不属于本单位")
    refused(case, InvalidInput, "required",
            lambda: review_return(case, acting_user=world.dispatcher, approve=False, note=""), field="note")


def test_return_of_a_sub_dispatch_goes_back_to_the_parent_unit(world, flow):
    # given the township sub-dispatched to the village
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    # when the village returns it and the township leader approves
    case = request_return(case, acting_user=world.village_handler, reason="不在本村范围")
    case = review_return(case, acting_user=world.town_leader, approve=True)
    # then the township holds it again, in hand
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING
    assert states(case) == [("ms", "lead", S.SIGNED), ("ms-mx", "lead", S.RETURNED)]
    assert_event(case, A.REVIEW_RETURN, from_state=CaseState.DISPATCHED, to_state=CaseState.HANDLING,
                 actor=world.town_leader, unit=world.town_a)


def test_only_the_parent_unit_reviews_a_sub_dispatch_return(world, flow, refused):
    # given a return requested by the village on the township's sub-dispatch
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    case = request_return(case, acting_user=world.village_handler, reason="不在本村范围")
    # when the centre's dispatcher or the township's plain handler reviews it, then both are refused
    refused(case, NotAllowed, "not_allowed", lambda: review_return(case, acting_user=world.dispatcher, approve=True))
    refused(case, NotAllowed, "not_allowed",
            lambda: review_return(case, acting_user=world.town_handler, approve=True))
