"""Excluding a case from assessment after review (核减) and restoring it
(casemodels.services.exclusions): who may, on which cases, what the dossier
says, and that an excluded case leaves every figure of every unit."""

import datetime

import pytest

from casemodels.models import AssessmentExclusion, CaseEvent
from casemodels.services import (
    Conflict, InvalidInput, InvalidState, NotAllowed, exclude_from_assessment, record_return_visit, reply_case,
    restore_to_assessment, sign_case, sub_dispatch_case,
)
from casemodels.services.assessment import assessed_assignments, unit_figures, unit_figures_direct
from casemodels.services.rollups import refresh_rollups
from tests.factories import StaffFactory

from .conftest import last_event, local

SEPTEMBER = (local(2025, 9, 1), local(2025, 10, 1))
REASON = "市民诉求超出政策规定，经审核予以核减"


def dispatched_counts():
    return {f.unit_code: f.dispatched for f in unit_figures_direct(*SEPTEMBER)}


@pytest.fixture
def two_closed(world, flow, clock):
    """Two cases of 住建局 in September, both closed after a satisfied visit."""
    clock.move_to(local(2025, 9, 10, 9))
    return flow.closed(), flow.closed()


def test_a_supervisor_excludes_a_case_and_it_leaves_the_figures(two_closed, world):
    # given two closed cases of 住建局
    case, other = two_closed
    assert dispatched_counts() == {"zjj": 2}
    version = case.version
    # when the centre's supervisor excludes one after review
    case = exclude_from_assessment(case, acting_user=world.supervisor, reason=REASON, expected_version=version)
    # then the exclusion is recorded with its reason, reviewer and time, and the case's version moves on
    exclusion = AssessmentExclusion.objects.get(case=case)
    assert (exclusion.reason, exclusion.excluded_by, exclusion.excluded_at) == (
        REASON, world.supervisor, local(2025, 9, 10, 9))
    assert case.version == version + 1 and case.state == "closed"
    # and the dossier says so
    event = last_event(case)
    assert (event.action, event.actor, event.note, event.data) == (
        CaseEvent.Action.EXCLUDE, world.supervisor, REASON, {"excluded": True})
    # and the case is counted nowhere: direct figures, and the roll-up once refreshed
    assert dispatched_counts() == {"zjj": 1}
    assert not assessed_assignments(*SEPTEMBER).filter(case=case).exists()
    refresh_rollups()
    assert {f.unit_code: f.dispatched for f in unit_figures(*SEPTEMBER)} == {"zjj": 1}


def test_an_exclusion_covers_every_unit_and_round_of_the_case(world, flow, clock):
    # given a case that 米山镇 sent down to 米西村, which replied; the visit was unsatisfied,
    # and the second round went back to 米山镇 (the top-level lead unit)
    w = world
    clock.move_to(local(2025, 9, 10, 9))
    case = flow.handling(unit=w.town_a, signer=w.town_handler)
    sub_dispatch_case(case, acting_user=w.town_handler, unit=w.village_a)
    sign_case(case, acting_user=w.village_handler)
    reply_case(case, acting_user=w.village_handler, reply="已处理。")
    case = record_return_visit(case, acting_user=w.visitor, satisfaction="unsatisfied", resolved=False)
    assert case.round == 2
    assert dispatched_counts() == {"ms": 2, "ms-mx": 1}
    # when the case is excluded, then neither unit counts it in any round
    exclude_from_assessment(case, acting_user=w.supervisor, reason=REASON)
    assert dispatched_counts() == {}


def test_restoring_a_case_counts_it_again(two_closed, world, clock):
    # given an excluded case
    case, _other = two_closed
    exclude_from_assessment(case, acting_user=world.supervisor, reason=REASON)
    refresh_rollups()
    # when an administrator restores it (the exclusion was wrong)
    clock.shift(datetime.timedelta(hours=2))
    administrator = StaffFactory(unit=world.centre, roles=["administrator"]).user
    case = restore_to_assessment(case, acting_user=administrator, reason="复核后恢复考核")
    # then the exclusion is gone, the dossier says so with a RESTORE event, and the case counts again
    assert not AssessmentExclusion.objects.filter(case=case).exists()
    event = last_event(case)
    assert (event.action, event.actor, event.note, event.data) == (
        CaseEvent.Action.RESTORE, administrator, "复核后恢复考核", {"excluded": False})
    assert list(case.events.filter(action__in=["exclude", "restore"]).order_by("created_at", "id")
                .values_list("action", flat=True)) == ["exclude", "restore"]
    assert dispatched_counts() == {"zjj": 2}
    # and the roll-up's next refresh catches up
    assert {f.unit_code: f.dispatched for f in unit_figures(*SEPTEMBER)} == {"zjj": 1}
    refresh_rollups()
    assert {f.unit_code: f.dispatched for f in unit_figures(*SEPTEMBER)} == {"zjj": 2}


def _refused_without_trace(refused, case, error, code, call, **kwargs):
    exclusions = list(AssessmentExclusion.objects.values_list("case_id", "reason"))
    refused(case, error, code, call, **kwargs)
    assert list(AssessmentExclusion.objects.values_list("case_id", "reason")) == exclusions


@pytest.mark.parametrize("who", ["dispatcher", "dept_handler", "dept_leader", "visitor"])
def test_only_a_supervisor_or_administrator_may_exclude(two_closed, world, refused, who):
    case, _other = two_closed
    _refused_without_trace(
        refused, case, NotAllowed, "not_allowed",
        lambda: exclude_from_assessment(case, acting_user=getattr(world, who), reason=REASON),
    )


def test_a_supervisor_of_another_unit_may_not_exclude_the_centres_case(two_closed, world, refused):
    # given a supervisor at 三甲镇, and a case the centre received
    case, _other = two_closed
    town_supervisor = StaffFactory(unit=world.town_b, roles=["supervisor"]).user
    _refused_without_trace(
        refused, case, NotAllowed, "out_of_scope",
        lambda: exclude_from_assessment(case, acting_user=town_supervisor, reason=REASON),
    )


def test_a_case_never_dispatched_has_nothing_to_exclude(world, flow, refused):
    case = flow.received()
    _refused_without_trace(
        refused, case, InvalidState, "not_dispatched",
        lambda: exclude_from_assessment(case, acting_user=world.supervisor, reason=REASON),
    )


def test_a_case_is_excluded_once_and_restored_once(two_closed, world, refused):
    case, other = two_closed
    exclude_from_assessment(case, acting_user=world.supervisor, reason=REASON)
    _refused_without_trace(
        refused, case, InvalidState, "already_excluded",
        lambda: exclude_from_assessment(case, acting_user=world.supervisor, reason=REASON),
    )
    _refused_without_trace(
        refused, other, InvalidState, "not_excluded",
        lambda: restore_to_assessment(other, acting_user=world.supervisor, reason="恢复"),
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_exclusion_needs_a_reason(two_closed, world, refused, reason):
    case, _other = two_closed
    _refused_without_trace(
        refused, case, InvalidInput, "required",
        lambda: exclude_from_assessment(case, acting_user=world.supervisor, reason=reason), field="reason",
    )


def test_an_exclusion_on_a_stale_version_is_a_conflict(two_closed, world, refused):
    case, _other = two_closed
    _refused_without_trace(
        refused, case, Conflict, "conflict",
        lambda: exclude_from_assessment(case, acting_user=world.supervisor, reason=REASON,
                                        expected_version=case.version - 1),
    )
