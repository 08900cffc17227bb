"""Progress updates: the unit holding the case posts progress; the next post
is due at the policy's interval from signing or the last post, on the work
calendar; the set-based query of the warning sweep agrees with the case."""

import datetime

import pytest

from casemodels.models import Case, CaseEvent
from casemodels.services import InvalidInput, InvalidState, NotAllowed, post_progress, request_info
from casemodels.services.progress import progress_due, progress_missed_cases
from tests.factories import PolicyFactory

from .conftest import end_of, local

A = CaseEvent.Action


@pytest.fixture
def weekly(world):
    """Cases on the hotline get a long limit with progress every 7 natural days."""
    return PolicyFactory(name="长时限", priority=10, channel=world.hotline, limits={
        "sign": (24, "hours"), "reply": (60, "working_days"), "progress": (7, "natural_days"),
    })


def fresh(case):
    return Case.objects.get(pk=case.pk)


def test_the_handling_unit_posts_progress(world, flow, weekly, clock):
    # given a case the bureau signed for on 30 September
    case = flow.handling()
    version = case.version
    # when its handler posts progress on 5 October
    clock.move_to(local(2025, 10, 5, 12, 0))
    case = post_progress(case, acting_user=world.dept_handler, note="已现场勘查，正在协调施工单位。")
    # then the dossier has the post, in the bureau's name, and the case's version moved on
    event = CaseEvent.objects.filter(case=case, action=A.PROGRESS).get()
    assert (event.actor, event.unit, event.note) == (world.dept_handler, world.dept, "已现场勘查，正在协调施工单位。")
    assert (event.from_state, event.to_state) == ("handling", "handling")
    assert event.data["next_due"] == end_of(2025, 10, 12).isoformat()
    assert case.version == version + 1


def test_progress_is_due_at_the_interval_from_signing_then_from_the_last_post(world, flow, weekly, clock):
    # given a case signed for on 30 September 10:00
    case = flow.handling()
    # then progress is due by the end of 7 October
    assert progress_due(fresh(case)) == end_of(2025, 10, 7)
    # when progress is posted on 5 October, the next is due by the end of 12 October
    clock.move_to(local(2025, 10, 5, 12, 0))
    post_progress(case, acting_user=world.dept_leader, note="正在办理。")
    assert progress_due(fresh(case)) == end_of(2025, 10, 12)


def test_a_working_day_interval_follows_the_calendar(world, flow, clock):
    # given progress every 3 working days, and a case signed for on 30 September (National Day follows)
    PolicyFactory(priority=10, limits={"reply": (60, "working_days"), "progress": (3, "working_days")})
    case = flow.handling()
    # then the holiday does not count; the make-up Saturday 11 October does
    assert progress_due(fresh(case)) == end_of(2025, 10, 11)


def test_no_progress_is_due_without_an_interval_or_outside_handling(world, flow, weekly):
    # the catch-all policy has no progress interval
    assert progress_due(flow.handling(channel=world.web)) is None
    # a dispatched case is not in hand yet; a replied one is done
    assert progress_due(flow.dispatched()) is None
    assert progress_due(flow.replied()) is None
    # a case waiting for the citizen has its clock paused
    case = flow.handling()
    request_info(case, acting_user=world.dispatcher, missing="请补充具体位置。")
    assert progress_due(fresh(case)) is None


def test_who_may_post_progress(world, flow, weekly, refused):
    case = flow.handling()
    # another unit, a dispatcher of the centre, a village below: not theirs
    refused(case, NotAllowed, "not_your_case", call=lambda: post_progress(case, acting_user=world.dept2_handler,
                                                                        note="进展。"))
    refused(case, NotAllowed, "not_allowed", call=lambda: post_progress(case, acting_user=world.dispatcher,
                                                                      note="进展。"))
    # an empty post names the field
    refused(case, InvalidInput, "required", field="note",
            call=lambda: post_progress(case, acting_user=world.dept_handler, note=""))
    # a case not yet signed for is not in hand
    waiting = flow.dispatched()
    refused(waiting, InvalidState, "invalid_state",
            call=lambda: post_progress(waiting, acting_user=world.dept_handler, note="进展。"))


def test_the_sweep_query_agrees_with_each_case(world, flow, weekly, clock):
    # given cases under three intervals (7 natural days, 3 working days, 36 hours), some with posts
    PolicyFactory(priority=5, channel=world.web, limits={"reply": (60, "working_days"),
                                                         "progress": (3, "working_days")})
    hourly = PolicyFactory(priority=4, case_type="report", limits={"reply": (60, "working_days"),
                                                                    "progress": (36, "hours")})
    cases = [flow.handling(), flow.handling(channel=world.web), flow.handling(case_type="report")]
    clock.move_to(local(2025, 10, 2, 18, 30))
    cases.append(flow.handling())
    cases.append(flow.handling(channel=world.web))
    post_progress(cases[0], acting_user=world.dept_handler, note="进展一。")
    cases.append(flow.handling(case_type="report"))
    assert fresh(cases[-1]).policy == hourly
    # when the clock walks through the following three weeks, in steps of 5 hours 17 minutes
    moment, seen_missed = local(2025, 10, 2, 18, 30), set()
    while moment < local(2025, 10, 23):
        clock.move_to(moment)
        missed = set(progress_missed_cases().values_list("pk", flat=True))
        # then a case is in the sweep's set exactly when its own next post is overdue
        for case in cases:
            due = progress_due(fresh(case))
            assert (case.pk in missed) == (due is not None and moment > due), (case.number, moment, due)
        seen_missed |= missed
        moment += datetime.timedelta(hours=5, minutes=17)
    assert seen_missed == {c.pk for c in cases}


def test_a_post_takes_the_case_out_of_the_missed_set(world, flow, weekly, clock):
    case = flow.handling()
    clock.move_to(local(2025, 10, 8, 9, 0))
    assert list(progress_missed_cases()) == [fresh(case)]
    post_progress(case, acting_user=world.dept_handler, note="补报进展。")
    assert list(progress_missed_cases()) == []
    # the query can be narrowed to a set of cases
    clock.move_to(local(2025, 10, 16, 9, 0))
    assert list(progress_missed_cases(queryset=Case.objects.filter(pk=case.pk))) == [fresh(case)]
    assert list(progress_missed_cases(queryset=Case.objects.exclude(pk=case.pk))) == []
