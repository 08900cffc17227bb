"""Clock pauses (一次告知, return review) and the deadlines they move; the
engine's independence from the active time zone."""

from casemodels.models import Case, CaseEvent
from casemodels.services import (
    recompute_deadlines, request_info, request_return, resume_case, review_return,
)
from tests.casemodels.conftest import end_of, local


def test_pause_moves_working_day_deadlines_by_the_working_days_it_spanned(world, flow, clock):
    # given a case due 2025-10-14 (reply) and 2025-10-21 (completion)
    case = flow.received()
    # when the clock is paused Friday 10-10 10:00 to Tuesday 10-14 10:00
    clock.move_to(local(2025, 10, 10, 10))
    case = request_info(case, acting_user=world.dispatcher, missing="门牌号")
    clock.move_to(local(2025, 10, 14, 10))
    case = resume_case(case, acting_user=world.dispatcher, information="12号")
    # then it spanned three working days (make-up Saturday 10-11, Monday 10-13, Tuesday 10-14):
    # the reply moves 10-14 → 10-17 and the completion 10-21 → 10-24, at the close of the day
    case.refresh_from_db()
    assert case.reply_due == end_of(2025, 10, 17)
    assert case.completion_due == end_of(2025, 10, 24)


def test_pause_over_public_holidays_moves_a_working_day_deadline_by_nothing(world, flow, clock):
    case = flow.received()
    case = request_info(case, acting_user=world.dispatcher, missing="门牌号")
    clock.move_to(local(2025, 10, 8, 18))  # the National Day holiday, 10-01 to 10-08
    case = resume_case(case, acting_user=world.dispatcher, information="12号")
    assert case.reply_due == end_of(2025, 10, 14)


def test_open_pause_does_not_move_deadlines_and_recompute_is_stable(world, flow, clock):
    # given a case waiting for the citizen
    case = request_info(flow.received(), acting_user=world.dispatcher, missing="门牌号")
    before = Case.objects.get(pk=case.pk)
    # when time passes and the deadlines are recomputed twice
    clock.move_to(local(2025, 10, 20, 10))
    assert recompute_deadlines(case) is False
    assert recompute_deadlines(case) is False
    # then nothing moved and no recompute event was written; the case is flagged paused
    after = Case.objects.get(pk=case.pk)
    assert (after.reply_due, after.version) == (before.reply_due, before.version)
    assert after.paused_since is not None
    assert not case.events.filter(action=CaseEvent.Action.RECOMPUTE).exists()


def test_overlapping_pauses_count_once(world, flow, clock):
    # given a case in hand whose unit asks the citizen and, meanwhile, to return it
    case = flow.handling()
    clock.move_to(local(2025, 10, 9, 10))
    case = request_info(case, acting_user=world.dept_handler, missing="照片")
    case = request_return(case, acting_user=world.dept_handler, reason="不属于本单位")
    # when both end on the next working day
    clock.move_to(local(2025, 10, 10, 10))
    case = review_return(case, acting_user=world.dispatcher, approve=False, note="属于本单位")
    case = resume_case(case, acting_user=world.dept_handler, information="已提供")
    # then the deadline moved by one working day, not two
    assert case.reply_due == end_of(2025, 10, 15)


def test_deadlines_do_not_depend_on_the_active_time_zone(world, flow):
    from django.utils import timezone

    for zone in ("UTC", "America/Los_Angeles"):
        with timezone.override(zone):
            case = flow.received()
        assert case.reply_due == end_of(2025, 10, 14), zone
        assert case.number.startswith("MS20250930")


def test_pause_after_a_deadline_leaves_it_alone(world, flow, clock):
    # given a case whose reply deadline (10-14) has passed
    case = flow.handling()
    # when the citizen is asked for something on 10-15 and answers on 10-16
    clock.move_to(local(2025, 10, 15, 10))
    case = request_info(case, acting_user=world.dept_handler, missing="照片")
    clock.move_to(local(2025, 10, 16, 10))
    case = resume_case(case, acting_user=world.dept_handler, information="已提供")
    # then the passed reply deadline stays, the completion deadline (10-21) moves a day
    case.refresh_from_db()
    assert case.reply_due == end_of(2025, 10, 14)
    assert case.completion_due == end_of(2025, 10, 22)
