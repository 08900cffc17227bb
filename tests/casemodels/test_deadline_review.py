"""The deadline engine after review: the centre's own zone whatever zone is
active; pauses merged and counted in the limit's own units, and only once
ended; recomputation locked, versioned and batched; calendar seeding reaches
open cases; one background task per transaction."""

import datetime
import threading
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from casemodels.models import OPEN_STATES, Case, CaseEvent, ClockPause
from casemodels.services import Conflict, recompute_deadlines, recompute_open_cases, sign_case
from casemodels.services import deadlines
from casemodels.signals import schedule_recompute
from snippets.models import CalendarDay, CalendarYear, PolicyLimit
from snippets.services.calendar import seed_from_chinesecalendar
from tests.factories import PolicyFactory

from .conftest import end_of, local

A = CaseEvent.Action
R = ClockPause.Reason


def pause(case, begin, end=None, reason=R.AWAITING_CITIZEN):
    return ClockPause.objects.create(case=case, reason=reason, started_at=begin, ended_at=end)


def fresh(case):
    return Case.objects.get(pk=case.pk)


# --- 1. the centre's zone, whatever zone a request runs in -------------------------------------------


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles"])
def test_deadlines_are_reckoned_in_the_centres_zone_whatever_zone_is_active(world, flow, clock, zone):
    # given a case received 2025-09-30 10:00 Shanghai (02:00 UTC; still 09-29 in Los Angeles)
    case = flow.received()
    # when its deadlines are computed and recomputed while another zone is active (as in the admin)
    with timezone.override(zone):
        computed = deadlines.compute_deadlines(fresh(case))
        changed = recompute_deadlines(case)
        limit = world.policy.limits.get(kind="reply")
        direct = deadlines.due_after(limit, local(2025, 9, 30, 10), deadlines.load_calendar(local(2025, 9, 30, 10)))
    # then they are the same instants as in Shanghai: 5 working days → the close of 10-14, Shanghai time
    assert computed["reply_due"] == direct == end_of(2025, 10, 14)
    assert computed["completion_due"] == end_of(2025, 10, 21)
    assert changed is False
    assert deadlines.end_of_day(datetime.date(2025, 10, 14)) == end_of(2025, 10, 14)


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles"])
def test_a_case_registered_in_another_zone_gets_the_same_deadlines(world, flow, zone):
    with timezone.override(zone):
        case = flow.received()
    assert fresh(case).reply_due == end_of(2025, 10, 14)


def test_assignment_sign_due_is_reckoned_in_the_centres_zone(world, flow, clock):
    # given a sign-for limit of one working day, and a dispatch at 08:00 Shanghai (17:00 the day before in LA)
    PolicyFactory(priority=1, limits={"sign": (1, "working_days"), "reply": (5, "working_days")})
    case = flow.received()
    at = local(2025, 9, 30, 8)
    # when the new assignment's deadline is computed under another zone
    with timezone.override("America/Los_Angeles"):
        due = deadlines.assignment_sign_due(case, at)
    # then it is the first working day after 09-30 in Shanghai (National Day is off)
    assert due == end_of(2025, 10, 9)


def test_assignment_sign_due_reads_the_matched_policys_own_sign_limit(world, flow, clock):
    # given a case just matched (policies prefetched) to a policy signing in 1 working day,
    # while the catch-all signs in 24 hours
    PolicyFactory(priority=1, limits={"sign": (1, "working_days")})
    case = flow.received()
    # then a dispatch on the eve of National Day is to be signed for by the close of 10-09, not in 24 hours
    assert deadlines.assignment_sign_due(case, local(2025, 9, 30, 17)) == end_of(2025, 10, 9)


# --- 2. pauses ---------------------------------------------------------------------------------------


@pytest.fixture
def mid_october(clock):
    """A case received Wednesday 2025-10-15 10:00: reply due Wednesday 10-22 (5 working days)."""
    clock.move_to(local(2025, 10, 15, 10))
    return clock


def test_a_weekend_pause_friday_evening_to_monday_morning_moves_one_working_day(world, flow, mid_october):
    case = flow.received()
    assert case.reply_due == end_of(2025, 10, 22)
    # when the clock stood still from Friday 10-17 17:00 to Monday 10-20 09:00
    pause(case, local(2025, 10, 17, 17), local(2025, 10, 20, 9))
    assert recompute_deadlines(case) is True
    # then only Monday counts (10-18, 10-19 are off): one working day on, at the close of the day
    assert fresh(case).reply_due == end_of(2025, 10, 23)
    assert fresh(case).completion_due == end_of(2025, 10, 30)


def test_a_pause_within_one_day_moves_a_working_day_deadline_by_nothing(world, flow, mid_october):
    case = flow.received()
    pause(case, local(2025, 10, 16, 9), local(2025, 10, 16, 17))
    assert recompute_deadlines(case) is False
    assert fresh(case).reply_due == end_of(2025, 10, 22)


def test_overlapping_pauses_are_merged_before_counting(world, flow, mid_october):
    case = flow.received()
    # given a wait for the citizen 10-16 10:00 → 10-20 10:00 and a return review 10-17 09:00 → 10-21 10:00
    pause(case, local(2025, 10, 16, 10), local(2025, 10, 20, 10))
    pause(case, local(2025, 10, 17, 9), local(2025, 10, 21, 10), reason=R.RETURN_REVIEW)
    recompute_deadlines(case)
    # then they count as one pause 10-16 → 10-21: working days 10-17, 10-20, 10-21 (three, not 2 + 2)
    assert fresh(case).reply_due == end_of(2025, 10, 27)


def test_a_pause_moves_a_natural_day_limit_by_natural_days(world, flow, mid_october):
    # given 7 natural days: due the close of 10-22
    PolicyFactory(priority=1, limits={"reply": (7, "natural_days"), "completion": (1, "months")})
    case = flow.received()
    assert (case.reply_due, case.completion_due) == (end_of(2025, 10, 22), end_of(2025, 11, 15))
    # when the clock stood still from Thursday 22:00 to Saturday 08:00 (the dates are two days apart)
    pause(case, local(2025, 10, 16, 22), local(2025, 10, 18, 8))
    recompute_deadlines(case)
    # then both move two days, weekend or not, and stay at the close of the day
    assert fresh(case).reply_due == end_of(2025, 10, 24)
    assert fresh(case).completion_due == end_of(2025, 11, 17)


def test_a_pause_moves_a_fixed_date_by_natural_days(world, flow, mid_october):
    PolicyFactory(priority=1, limits={"completion": ("fixed_date", 12, 31)})
    case = flow.received()
    pause(case, local(2025, 11, 1, 10), local(2025, 11, 4, 10))
    recompute_deadlines(case)
    assert fresh(case).completion_due == end_of(2026, 1, 3)


def test_a_pause_moves_an_hours_limit_by_exactly_the_time_paused(world, flow, mid_october):
    # given a 24-hour reply limit: due 10-16 10:00
    PolicyFactory(priority=1, limits={"reply": (24, "hours")})
    case = flow.received()
    assert case.reply_due == local(2025, 10, 16, 10)
    # when paused 12:00-15:00 and, overlapping, 14:00-16:30 (12:00-16:30 once merged: 4 h 30 min, not 5 h 30)
    pause(case, local(2025, 10, 15, 12), local(2025, 10, 15, 15))
    pause(case, local(2025, 10, 15, 14), local(2025, 10, 15, 16, 30), reason=R.RETURN_REVIEW)
    recompute_deadlines(case)
    # then the deadline moves by exactly that
    assert fresh(case).reply_due == local(2025, 10, 16, 14, 30)


def test_a_pause_before_the_clock_started_counts_only_from_the_start(world, flow, mid_october):
    PolicyFactory(priority=1, limits={"reply": (24, "hours")})
    case = flow.received()
    pause(case, local(2025, 10, 15, 8), local(2025, 10, 15, 11))
    recompute_deadlines(case)
    assert fresh(case).reply_due == local(2025, 10, 16, 11)


def test_an_open_pause_moves_nothing_until_it_ends(world, flow, mid_october):
    # given a case whose clock was paused 10-16 10:00 and is still paused
    case = flow.received()
    started = local(2025, 10, 16, 10)
    deadlines.start_pause(case, R.AWAITING_CITIZEN, started)
    case.save(update_fields=["paused_since"])
    version = fresh(case).version
    # when it is recomputed again and again while time passes
    for day in (17, 20, 27):
        mid_october.move_to(local(2025, 10, day, 12))
        assert recompute_deadlines(case) is False
    # then it is flagged paused, its deadline, version and history untouched
    case = fresh(case)
    assert (case.paused_since, case.reply_due, case.version) == (started, end_of(2025, 10, 22), version)
    assert not CaseEvent.objects.filter(case=case, action=A.RECOMPUTE).exists()
    # when the pause ends Monday 10-20 09:00 (working days 10-17 and 10-20 paused)
    deadlines.end_pause(case, R.AWAITING_CITIZEN, local(2025, 10, 20, 9))
    case.save(update_fields=["paused_since"])
    # then the deadline moves once, and a further recompute is stable
    assert recompute_deadlines(case) is True
    assert fresh(case).paused_since is None
    assert fresh(case).reply_due == end_of(2025, 10, 24)
    assert recompute_deadlines(case) is False
    assert CaseEvent.objects.filter(case=case, action=A.RECOMPUTE).count() == 1


# --- 3. recomputation: locked, versioned, batched ----------------------------------------------------------


def test_a_recompute_bumps_the_version_so_a_stale_action_conflicts(world, flow):
    # given a dispatched case seen by the unit at its version
    case = flow.dispatched()
    seen = case.version
    # when a limit changes and the case is recomputed
    PolicyLimit.objects.filter(policy=world.policy, kind="reply").update(amount=3)
    assert recompute_deadlines(case) is True
    assert fresh(case).version == seen + 1
    # then signing on the old version is refused
    with pytest.raises(Conflict):
        sign_case(case, acting_user=world.dept_handler, expected_version=seen)
    # and a recompute with nothing to change leaves the version and the history alone
    events = CaseEvent.objects.filter(case=case).count()
    assert recompute_deadlines(case) is False
    assert fresh(case).version == seen + 1
    assert CaseEvent.objects.filter(case=case).count() == events


def test_recompute_open_cases_works_in_batches_each_its_own_transaction(world, flow):
    cases = [flow.received() for _ in range(5)]
    PolicyLimit.objects.filter(policy=world.policy, kind="reply").update(amount=3)
    # (the test runs in a transaction, so each batch's transaction is a savepoint of its own)
    transactions = []
    real = deadlines._recompute_locked

    def spy(pk, **kwargs):
        transactions.append(connection.savepoint_ids[-1])
        return real(pk, **kwargs)

    with mock.patch.object(deadlines, "_recompute_locked", side_effect=spy):
        assert recompute_open_cases(batch_size=2) == (5, 5)
    sizes = [transactions.count(sid) for sid in dict.fromkeys(transactions)]
    assert sizes == [2, 2, 1]
    assert {fresh(c).reply_due for c in cases} == {end_of(2025, 10, 11)}


def test_a_case_closed_meanwhile_is_left_alone_by_the_open_case_sweep(world, flow):
    closed = flow.closed()
    PolicyLimit.objects.filter(policy=world.policy, kind="reply").update(amount=3)
    with transaction.atomic():
        assert deadlines._recompute_locked(closed.pk, rematch=False, now=None, states=OPEN_STATES) is False
    assert fresh(closed).reply_due == end_of(2025, 10, 14)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_recompute_waits_for_a_users_action_and_reads_what_it_wrote(world, flow):
    # given a case, a changed limit, and a user's action holding the case row
    case = flow.dispatched()
    seen = case.version
    PolicyLimit.objects.filter(policy=world.policy, kind="reply").update(amount=3)
    holding, release, result = threading.Event(), threading.Event(), {}

    def user_action():
        try:
            with transaction.atomic():
                locked = Case.objects.select_for_update().get(pk=case.pk)
                locked.version += 1
                locked.save(update_fields=["version"])
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def recompute():
        try:
            result["changed"] = recompute_deadlines(case)
        finally:
            connection.close()

    user = threading.Thread(target=user_action)
    user.start()
    assert holding.wait(10)
    # when the recompute runs meanwhile
    background = threading.Thread(target=recompute)
    background.start()
    background.join(0.5)
    # then it waits for the lock, and afterwards builds on the user's version (no lost update)
    assert background.is_alive()
    release.set()
    user.join(10)
    background.join(10)
    assert result == {"changed": True}
    case = fresh(case)
    assert (case.version, case.reply_due) == (seen + 2, end_of(2025, 10, 11))


# --- 4. seeding a calendar year reaches open cases -----------------------------------------------------


def test_publishing_a_missing_year_recomputes_provisional_cases(world, flow, django_capture_on_commit_callbacks):
    # given a case received while 2025 had no published calendar (weekdays only: 10-07 is a "workday")
    CalendarDay.objects.filter(date__year=2025).delete()
    CalendarYear.objects.filter(year=2025).delete()
    case = flow.received()
    assert case.deadlines_provisional is True
    assert case.reply_due != end_of(2025, 10, 14)
    # when the year is seeded (bulk, no post_save) and the transaction commits
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seed_from_chinesecalendar([2025])
    assert len(callbacks) == 1
    # then the background recompute (sync in tests) moved the case onto the real calendar
    case = fresh(case)
    assert case.deadlines_provisional is False
    assert case.reply_due == end_of(2025, 10, 14)
    assert CaseEvent.objects.filter(case=case, action=A.RECOMPUTE).count() == 1


def test_seeding_nothing_new_schedules_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert seed_from_chinesecalendar([2025, 2026]) == (0, 0)
    assert callbacks == []


# --- 5. one background task per transaction ------------------------------------------------------------


@pytest.fixture
def async_task():
    with mock.patch("django_q.tasks.async_task") as task:
        yield task


def test_saving_a_policy_with_its_limits_enqueues_one_task(world, async_task, django_capture_on_commit_callbacks):
    # when a policy with three limits is saved in one transaction (as the admin does)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            PolicyFactory(priority=1, limits={
                "sign": (1, "working_days"), "reply": (3, "working_days"), "completion": (7, "working_days"),
            })
    # then one task is enqueued, re-matching the policies
    assert async_task.call_count == 1
    assert async_task.call_args.args == ("casemodels.tasks.recompute_open_case_deadlines", True)


def test_calendar_edits_in_one_transaction_enqueue_one_task_without_rematching(
    calendar, async_task, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for day in (13, 14, 15):
                CalendarDay.objects.create(date=datetime.date(2025, 11, day), kind=CalendarDay.Kind.HOLIDAY)
            CalendarDay.objects.filter(date=datetime.date(2025, 10, 11)).delete()
    assert async_task.call_count == 1
    assert async_task.call_args.args == ("casemodels.tasks.recompute_open_case_deadlines", False)


def test_a_rolled_back_change_enqueues_nothing_and_the_next_one_enqueues_again(
    world, async_task, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            PolicyFactory(priority=1, limits={"reply": (3, "working_days")})
            raise RuntimeError("cancelled")
    assert async_task.call_count == 0
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            PolicyFactory(priority=1, limits={"reply": (3, "working_days")})
    assert async_task.call_count == 1


def test_a_change_outside_a_transaction_enqueues_at_once(async_task):
    # (pytest-django wraps each test in a transaction: pretend to be in autocommit)
    with mock.patch.object(transaction.get_connection(), "in_atomic_block", False):
        schedule_recompute(rematch=False)
        schedule_recompute(rematch=True)
    assert [c.args[1] for c in async_task.call_args_list] == [False, True]


# --- 7. seeding only the years asked for ----------------------------------------------------------------


def test_seed_calendar_seeds_only_the_years_asked_for(db):
    call_command("seed_calendar", "2099", stdout=mock.MagicMock(), stderr=mock.MagicMock())
    assert not CalendarYear.objects.exists()
    assert seed_from_chinesecalendar([]) == (0, 0)
    assert seed_from_chinesecalendar([2099]) == (0, 0)
    assert not CalendarYear.objects.exists()
