"""What counts as "the same warning" (the occurrence of the key (case, rule,
level, occurrence)): each watched deadline once, each new unit asked to sign
once, each progress interval once, each unsatisfied verdict once; and time
the clock stood still is not elapsed time. From the issue-5 review."""

from casemodels.models import Warning
from casemodels.services import (
    dispatch_case, record_return_visit, redispatch_case, reply_case, request_extension, request_info,
    request_return, resume_case, review_extension, review_return, sign_case,
)
from casemodels.services.sweep import sweep
from snippets.models import WarningRule
from tests.factories import PolicyFactory

from .conftest import end_of, local
from .test_sweep import make_rule, warned

K = WarningRule.Kind


def long_policy(world):
    return PolicyFactory(name="长时限", priority=10, channel=world.hotline, limits={
        "sign": (24, "hours"), "reply": (60, "working_days"), "progress": (7, "natural_days")})


def test_time_the_clock_stood_still_is_not_elapsed_for_the_near_due_share(world, flow, clock):
    # given a case in hand since 09-30 10:00, reply due 10-14, and a yellow rule at 80% of the time
    case = flow.handling()
    yellow = make_rule("临期", kind=K.NEAR_DUE, share_elapsed=80)
    # when the unit asks the citizen on 10-09 and the citizen answers a month later
    clock.move_to(local(2025, 10, 9, 9))
    case = request_info(case, acting_user=world.dept_handler, missing="照片")
    clock.move_to(local(2025, 11, 10, 9))
    case = resume_case(case, acting_user=world.dept_handler, information="已补充")
    # then one minute after the resume there is no yellow: most of the running time is still ahead
    sweep(now=local(2025, 11, 10, 9, 1))
    assert warned(yellow) == set()
    # and yellow comes once 80% of the running time has gone (the deadline moved by the pause)
    sweep(now=case.reply_due - (case.reply_due - local(2025, 9, 30, 10) - (local(2025, 11, 10, 9)
                                                                          - local(2025, 10, 9, 9))) * 0.1)
    assert warned(yellow) == {case.pk}


def test_a_new_unit_asked_to_sign_is_warned_about_its_own_deadline(world, flow, clock):
    # given a case the department did not sign in time, warned red
    case = flow.dispatched()  # sign-for due 10-01 10:00
    red = make_rule("签收超期", kind=K.OVERDUE, deadline="sign")
    sweep(now=local(2025, 10, 1, 10, 1))
    assert warned(red) == {case.pk}
    # when the department returns it, the centre sends it to the water bureau, which does not sign either
    clock.move_to(local(2025, 10, 1, 11))
    case = request_return(case, acting_user=world.dept_handler, reason="不属于本单位职责")
    case = review_return(case, acting_user=world.dispatcher, approve=True)
    clock.move_to(local(2025, 10, 2, 9))
    dispatch_case(case, acting_user=world.dispatcher, unit=world.dept2)
    sweep(now=local(2025, 10, 3, 10))
    sweep(now=local(2025, 10, 3, 11))
    # then each unit got its own red, once
    assert sorted(Warning.objects.filter(rule=red).values_list("unit__code", flat=True)) == ["swj", "zjj"]


def test_a_deadline_moved_by_an_extension_is_watched_again(world, flow, clock):
    # given a case in hand, red after its reply deadline 10-14
    case = flow.handling()
    red = make_rule("答复超期", kind=K.OVERDUE)
    sweep(now=local(2025, 10, 15, 9))
    assert Warning.objects.filter(rule=red).count() == 1
    # when an extension of 5 working days is approved, and the new deadline passes too
    clock.move_to(local(2025, 10, 15, 10))
    case = request_extension(case, acting_user=world.dept_handler, working_days=5, reason="需协调多部门")
    case = review_extension(case, acting_user=world.dispatcher, approve=True)
    assert case.reply_due > end_of(2025, 10, 15)
    sweep(now=local(2025, 10, 16, 9))
    assert Warning.objects.filter(rule=red).count() == 1  # the new deadline has not passed
    sweep(now=case.reply_due + (local(2025, 1, 1, 1) - local(2025, 1, 1, 0)))
    sweep(now=case.reply_due + (local(2025, 1, 1, 2) - local(2025, 1, 1, 0)))
    # then a second red, once, for the new deadline
    assert Warning.objects.filter(rule=red).count() == 2


def test_progress_missed_again_in_the_second_round(world, flow, clock):
    long_policy(world)
    rule = make_rule("进展", kind=K.PROGRESS_MISSED)
    case = flow.handling()  # signed 09-30 10:00, progress due by 10-07
    sweep(now=local(2025, 10, 8, 9))
    assert Warning.objects.filter(rule=rule).count() == 1
    # when the reply is unsatisfying, the case goes out again and is signed on 10-08 10:00
    clock.move_to(local(2025, 10, 8, 10))
    case = reply_case(case, acting_user=world.dept_handler, reply="处理中")
    case = record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False)
    assert case.round == 2
    sign_case(case, acting_user=world.dept_handler)
    # then missing the next interval (due 10-15) is warned again, once
    sweep(now=local(2025, 10, 16, 9))
    sweep(now=local(2025, 10, 16, 10))
    assert Warning.objects.filter(rule=rule).count() == 2


def test_progress_is_not_missed_right_after_a_pause(world, flow, clock):
    long_policy(world)
    rule = make_rule("进展", kind=K.PROGRESS_MISSED)
    case = flow.handling()  # signed 09-30 10:00
    clock.move_to(local(2025, 10, 1, 10))
    case = request_info(case, acting_user=world.dept_handler, missing="照片")
    clock.move_to(local(2025, 10, 20, 10))
    resume_case(case, acting_user=world.dept_handler, information="已补充")
    # the interval starts again when the clock runs again: nothing is missed the minute after
    sweep(now=local(2025, 10, 20, 10, 1))
    assert Warning.objects.filter(rule=rule).count() == 0
    # and seven days later it is
    sweep(now=local(2025, 10, 28, 10))
    assert Warning.objects.filter(rule=rule).count() == 1


def test_one_unsatisfied_verdict_gives_one_warning_whatever_follows(world, flow, clock):
    rule = make_rule("不满意", kind=K.UNSATISFIED)
    case = flow.replied()
    case = record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False,
                               redispatch=False)
    sweep(now=local(2025, 9, 30, 11))
    redispatch_case(case, acting_user=world.dispatcher)
    sweep(now=local(2025, 9, 30, 12))
    assert Warning.objects.filter(rule=rule).count() == 1


def test_a_cut_short_run_takes_the_earliest_deadlines_first(world, flow, clock, settings):
    # given three cases near their deadline, received a day apart, and a batch of one
    settings.MINSHENG_SWEEP_BATCH = 1
    late, early = flow.handling(), None
    clock.move_to(local(2025, 9, 29, 10))
    early = flow.handling()
    yellow = make_rule("临期", kind=K.NEAR_DUE, hours_before=24 * 30)
    assert early.reply_due < late.reply_due and early.pk > late.pk
    # when the sweep runs once
    sweep(now=local(2025, 10, 1, 9))
    # then the case whose deadline comes first was warned first, though it was registered last
    assert warned(yellow) == {early.pk}


def test_a_recompute_of_the_deadlines_does_not_warn_twice(world, flow, clock):
    # given a case overdue since October, warned red
    from casemodels.services.deadlines import recompute_open_cases
    from snippets.models import PolicyLimit

    red = make_rule("超期", kind=K.OVERDUE)
    case = flow.handling()
    clock.move_to(local(2025, 11, 20, 9))
    sweep(now=local(2025, 11, 20, 9))
    assert Warning.objects.filter(rule=red, case=case).count() == 1
    # when the policy's reply limit changes and the open cases' deadlines are recomputed
    PolicyLimit.objects.filter(policy=world.policy, kind="reply").update(amount=4)
    recompute_open_cases()
    moved = case.reply_due
    case.refresh_from_db()
    assert case.reply_due != moved
    sweep(now=local(2025, 11, 20, 9, 1))
    # then the case is not warned again: nothing gave the unit new time
    assert Warning.objects.filter(rule=red, case=case).count() == 1


def test_a_second_round_sent_to_review_unreached_is_warned_again(world, flow, clock):
    from casemodels.services import record_visit_attempt
    from snippets.models import TimeLimitPolicy

    # given a case unsatisfied in round 1 (warned), whose round 2 citizen cannot be reached
    TimeLimitPolicy.objects.filter(pk=world.policy.pk).update(visit_attempts=1, unreachable_action="review")
    rule = make_rule("不满意", kind=K.UNSATISFIED, light="red")
    case = flow.replied()
    case = record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False)
    sweep(now=local(2025, 9, 30, 12))
    assert Warning.objects.filter(rule=rule).count() == 1
    clock.move_to(local(2025, 10, 9, 9))
    case = sign_case(case, acting_user=world.dept_handler)
    case = reply_case(case, acting_user=world.dept_handler, reply="已处理")
    record_visit_attempt(case, acting_user=world.visitor)
    # when the sweep runs after the attempt sent it to review
    sweep(now=local(2025, 10, 9, 10))
    sweep(now=local(2025, 10, 9, 11))
    # then the ledger entry for review is warned about, once
    assert Warning.objects.filter(rule=rule).count() == 2
