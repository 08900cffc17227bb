"""The workbench boxes (casemodels.services.inbox): which case waits in which
box for whom, the deadline lights, and the counts in one query."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from casemodels.models import Case
from casemodels.services import (
    record_return_visit, reply_case, request_extension, request_info, request_return, review_return, sign_case,
    sub_dispatch_case,
)
from casemodels.services.inbox import (
    BOXES, Light, box_counts, box_queryset, boxes_for, cached_box_counts, with_lights,
)

from .conftest import local

User = get_user_model()


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def box(user, key):
    return set(box_queryset(user, key))


def keys(user):
    return [b.key for b in boxes_for(user)]


def fresh(case):
    return Case.objects.get(pk=case.pk)


def test_each_role_gets_its_boxes(world):
    assert keys(world.dispatcher) == [
        "to_dispatch", "to_sign", "in_hand", "due_soon", "overdue", "returned", "extensions", "to_visit",
        "unsatisfied",
    ]
    assert keys(world.dept_handler) == ["to_sign", "in_hand", "due_soon", "overdue", "unsatisfied"]
    assert keys(world.dept_leader) == ["to_sign", "in_hand", "due_soon", "overdue", "returned", "unsatisfied"]
    assert keys(world.visitor) == ["due_soon", "overdue", "to_visit", "unsatisfied"]
    assert keys(User.objects.create_user("nobody")) == []
    assert keys(User.objects.create_superuser("boss", password="pw")) == [b.key for b in BOXES]


def test_a_received_case_waits_for_the_dispatchers_of_its_owner(world, flow):
    centre_case = flow.received()
    town_b_case = flow.received(acting_user=world.town_b_dispatcher)
    assert box(world.dispatcher, "to_dispatch") == {centre_case, town_b_case}
    assert box(world.town_b_dispatcher, "to_dispatch") == {town_b_case}
    # a handler has no dispatch box at all
    assert box(world.town_b_handler, "to_dispatch") == set()


def test_a_dispatched_case_waits_to_be_signed_by_its_units_then_is_in_hand(world, flow):
    case = flow.dispatched(unit=world.dept, co_units=[world.dept2])
    assert box(world.dept_handler, "to_sign") == {case}
    assert box(world.dept2_handler, "to_sign") == {case}
    assert box(world.town_handler, "to_sign") == set()
    sign_case(case, acting_user=world.dept_handler)
    assert box(world.dept_handler, "to_sign") == set()
    assert box(world.dept_handler, "in_hand") == {case}
    # the co-handler has not signed yet
    assert box(world.dept2_handler, "to_sign") == {case}
    assert box(world.dept2_handler, "in_hand") == set()


def test_to_sign_is_the_own_unit_not_the_units_below(world, flow):
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    assert box(world.village_handler, "to_sign") == {case}
    assert box(world.town_handler, "to_sign") == set()
    assert box(world.town_handler, "in_hand") == set()


def test_lights_yellow_before_the_sign_deadline_red_after_it(world, flow, clock):
    # given a case dispatched at 2025-09-30 10:00 with 24 hours to sign
    case = flow.dispatched(unit=world.dept)
    assert box(world.dept_handler, "due_soon") == set()
    assert with_lights(Case.objects.filter(pk=case.pk)).get().light == Light.GREEN
    # when less than two hours are left, then it is yellow for the unit and the centre
    clock.move_to(local(2025, 10, 1, 8, 30))
    assert box(world.dept_handler, "due_soon") == {case}
    assert box(world.dispatcher, "due_soon") == {case}
    assert box(world.dept_handler, "overdue") == set()
    assert with_lights(Case.objects.filter(pk=case.pk)).get().light == Light.YELLOW
    # when the deadline has passed unsigned, then it is red and no longer yellow
    clock.move_to(local(2025, 10, 1, 11, 0))
    assert box(world.dept_handler, "overdue") == {case}
    assert box(world.dept_handler, "due_soon") == set()
    assert with_lights(Case.objects.filter(pk=case.pk)).get().light == Light.RED
    # a unit that does not hold it does not see it
    assert box(world.dept2_handler, "overdue") == set()
    # when it is signed (late), then the sign-for light is off
    sign_case(case, acting_user=world.dept_handler)
    assert box(world.dept_handler, "overdue") == set()


def test_lights_follow_the_reply_deadline(world, flow, clock):
    case = flow.handling(unit=world.dept)
    due = fresh(case).reply_due
    clock.move_to(due - datetime.timedelta(hours=12))
    assert box(world.dept_handler, "due_soon") == {case}
    clock.move_to(due + datetime.timedelta(minutes=1))
    assert box(world.dept_handler, "overdue") == {case}
    assert box(world.dispatcher, "overdue") == {case}


def test_a_paused_clock_has_no_light(world, flow, clock):
    case = flow.handling(unit=world.dept)
    request_info(case, acting_user=world.dept_handler, missing="请提供具体门牌号")
    clock.move_to(fresh(case).reply_due + datetime.timedelta(days=1))
    assert box(world.dept_handler, "overdue") == set()
    assert with_lights(Case.objects.filter(pk=case.pk)).get().light == Light.NONE


def test_a_township_sees_the_late_cases_of_its_villages(world, flow, clock):
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    clock.move_to(local(2025, 10, 20, 12, 0))
    assert box(world.village_handler, "overdue") == {case}
    assert box(world.town_handler, "overdue") == {case}
    assert box(world.town_b_handler, "overdue") == set()


def test_returns_wait_for_their_reviewer_then_go_back_to_dispatch(world, flow):
    case = flow.dispatched(unit=world.dept)
    request_return(case, acting_user=world.dept_handler, reason="不属于本单位职责")
    assert box(world.dispatcher, "returned") == {case}
    assert box(world.town_b_dispatcher, "returned") == set()
    assert box(world.dept_leader, "returned") == set()
    review_return(fresh(case), acting_user=world.dispatcher, approve=True)
    # handed back to the centre: to be dispatched again, and marked as returned
    assert box(world.dispatcher, "returned") == {case}
    assert box(world.dispatcher, "to_dispatch") == {case}


def test_a_sub_dispatch_return_waits_for_the_unit_that_sub_dispatched(world, flow):
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    request_return(fresh(case), acting_user=world.village_handler, reason="不属于本村")
    assert box(world.town_leader, "returned") == {case}
    assert box(world.dispatcher, "returned") == set()


def test_extension_requests_wait_for_the_dispatchers(world, flow):
    case = flow.handling(unit=world.dept)
    request_extension(case, acting_user=world.dept_handler, working_days=3, reason="需要协调施工单位")
    assert box(world.dispatcher, "extensions") == {case}
    assert box(world.town_b_dispatcher, "extensions") == set()


def test_replied_cases_wait_for_a_visit_and_unsatisfied_ones_enter_the_ledger(world, flow):
    replied = flow.replied()
    assert box(world.visitor, "to_visit") == {replied}
    record_return_visit(replied, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False)
    assert box(world.visitor, "to_visit") == set()
    assert box(world.visitor, "unsatisfied") == {replied}
    # the second round's reply waits for a visit again, though the case is in the ledger
    case = sign_case(fresh(replied), acting_user=world.dept_handler)
    reply_case(case, acting_user=world.dept_handler, reply="已再次处理。")
    assert box(world.visitor, "to_visit") == {replied}
    assert box(world.dept_handler, "unsatisfied") == {replied}


def test_confidential_cases_stay_out_of_the_boxes_of_owner_staff_without_the_role(world, flow, clock):
    # given a confidential and an ordinary case received by a township, near their reply deadline
    secret = flow.received(acting_user=world.town_b_dispatcher, is_confidential=True)
    plain = flow.received(acting_user=world.town_b_dispatcher)
    clock.move_to(fresh(secret).reply_due - datetime.timedelta(hours=6))
    # then the township's dispatcher (a role that sees confidential cases) has both
    assert box(world.town_b_dispatcher, "due_soon") == {secret, plain}
    assert box(world.town_b_dispatcher, "to_dispatch") == {secret, plain}
    # and its handler only the ordinary one, in the lists and in the counts
    assert box(world.town_b_handler, "due_soon") == {plain}
    assert cached_box_counts(world.town_b_handler)["due_soon"] == 1


def test_confidential_cases_stay_out_of_the_boxes_of_centre_staff_once_dispatched(world, flow):
    secret = flow.replied(is_confidential=True)
    plain = flow.replied()
    assert box(world.dispatcher, "to_visit") == {secret, plain}
    assert box(world.visitor, "to_visit") == {plain}


def test_counts_match_the_boxes_in_one_query(world, flow, django_assert_num_queries):
    flow.received()
    flow.dispatched(unit=world.dept)
    flow.handling(unit=world.dept)
    flow.replied()
    user = User.objects.get(pk=world.dispatcher.pk)
    # the profile, its roles, one aggregate
    with django_assert_num_queries(3):
        counts = box_counts(user)
    assert counts == {b.key: box_queryset(user, b.key).count() for b in boxes_for(user)}
    assert counts["to_dispatch"] == 1 and counts["to_visit"] == 1


def test_counts_are_cached_per_user(world, flow, django_assert_num_queries):
    flow.received()
    first = cached_box_counts(world.dispatcher)
    flow.received()
    with django_assert_num_queries(0):
        assert cached_box_counts(world.dispatcher) == first
    cache.clear()
    assert cached_box_counts(world.dispatcher)["to_dispatch"] == 2
