"""The deadline engine (DESIGN §5) with real dates and the calendar seeded
from chinesecalendar: working days over National Day and Spring Festival,
make-up workdays, hours, natural days, months, fixed dates; first-match
policies; missing calendar years; pauses; extensions; recomputation after a
policy or calendar change."""

import datetime

import pytest

from casemodels.models import Assignment, Case, CaseEvent, CaseState
from casemodels.services import (
    dispatch_case, recompute_deadlines, recompute_open_cases, register_case, request_extension, request_info,
    request_return, resume_case, review_extension, review_return,
)
from casemodels.tasks import recompute_open_case_deadlines
from snippets.models import CalendarDay, CalendarYear, PolicyLimit
from tests.casemodels.conftest import assignments, end_of, local
from tests.factories import ChannelFactory, DirectoryItemFactory, PolicyFactory

A = CaseEvent.Action


def register(world, **kwargs):
    values = {"acting_user": world.dispatcher, "channel": world.hotline, "case_type": "complaint",
              "content": "小区路灯不亮", "citizen_phone": "13812341234", **kwargs}
    return register_case(**values)


LIMITS = [
    ("5 working days over National Day", (5, "working_days"), local(2025, 9, 30, 10), end_of(2025, 10, 14)),
    ("3 working days over Spring Festival", (3, "working_days"), local(2026, 2, 13, 10), end_of(2026, 2, 25)),
    ("a make-up Saturday counts", (1, "working_days"), local(2025, 10, 10, 9), end_of(2025, 10, 11)),
    ("received on a holiday", (1, "working_days"), local(2025, 10, 3, 9), end_of(2025, 10, 9)),
    ("received late in the evening", (1, "working_days"), local(2025, 9, 29, 23, 30), end_of(2025, 9, 30)),
    ("hours are exact, holiday or not", (24, "hours"), local(2025, 9, 30, 10, 15), local(2025, 10, 1, 10, 15)),
    ("natural days", (7, "natural_days"), local(2025, 9, 30, 10), end_of(2025, 10, 7)),
    ("a month from the 31st", (1, "months"), local(2025, 1, 31, 10), end_of(2025, 2, 28)),
    ("three months over a year end", (3, "months"), local(2025, 11, 30, 10), end_of(2026, 2, 28)),
    ("fixed date ahead (city NPC motions by 05-31)", ("fixed_date", 5, 31), local(2025, 3, 1, 10),
     end_of(2025, 5, 31)),
    ("fixed date on the day itself", ("fixed_date", 5, 31), local(2025, 5, 31, 8), end_of(2025, 5, 31)),
    ("fixed date passed rolls to next year", ("fixed_date", 5, 31), local(2025, 6, 1, 10), end_of(2026, 5, 31)),
    ("fixed 02-29 in a common year", ("fixed_date", 2, 29), local(2025, 3, 1, 10), end_of(2026, 2, 28)),
]


@pytest.mark.parametrize("spec, received, due", [r[1:] for r in LIMITS], ids=[r[0] for r in LIMITS])
def test_reply_limit_units(world, clock, spec, received, due):
    # given a policy with this reply limit, tried before the catch-all
    policy = PolicyFactory(name="测试", priority=1, limits={"reply": spec})
    clock.move_to(received)
    # when a case is received at that moment
    case = register(world)
    # then the reply deadline is as the calendar says, and not provisional (2025-2026 are published)
    assert case.policy == policy
    assert case.reply_due == due
    assert case.deadlines_provisional is False


def test_working_day_deadline_is_end_of_day_in_shanghai(world):
    # given the catch-all policy (reply 5 working days), when a case is received 2025-09-30 10:00
    case = register(world)
    case.refresh_from_db()
    # then it is due at 23:59:59 Shanghai time on 2025-10-14, i.e. 15:59:59 UTC
    assert case.reply_due == datetime.datetime(2025, 10, 14, 15, 59, 59, tzinfo=datetime.timezone.utc)


def test_sign_for_deadline_counts_from_dispatch(world, clock):
    # given a policy: sign within 1 working day, reply within 5
    PolicyFactory(priority=1, limits={"sign": (1, "working_days"), "reply": (5, "working_days")})
    case = register(world)
    clock.move_to(local(2025, 9, 30, 17, 0))
    # when dispatched on the eve of National Day
    case = dispatch_case(case, acting_user=world.dispatcher, unit=world.dept)
    # then the sign-for deadline is the first working day after the holiday, on the case and the assignment
    assert case.sign_due == end_of(2025, 10, 9)
    assert assignments(case)[0].sign_due == end_of(2025, 10, 9)


def test_no_matching_policy_means_no_deadlines(world):
    # given no active policy
    world.policy.is_active = False
    world.policy.save()
    # when a case is received, then it has no deadlines (and says so plainly)
    case = register(world)
    assert case.policy is None
    assert (case.sign_due, case.contact_due, case.reply_due, case.completion_due) == (None, None, None, None)
    assert case.deadlines_provisional is False


# --- first match --------------------------------------------------------------------------------


@pytest.fixture
def policy_table(world):
    """An SLA table, tried by priority; the world's catch-all (1000) comes last."""
    category = DirectoryItemFactory(code="01", name="城乡建设")
    item = DirectoryItemFactory(code="0101", name="路灯", parent=category)
    urgent_item = DirectoryItemFactory(code="0102", name="燃气泄漏", parent=category, default_urgency="urgent")
    other = DirectoryItemFactory(code="02", name="教育")
    PolicyFactory(name="停用", priority=1, is_active=False, limits={"reply": (1, "hours")})
    PolicyFactory(name="网站咨询", priority=5, channel=world.web, case_type="consultation",
                  limits={"reply": (1, "working_days")})
    PolicyFactory(name="网站", priority=10, channel=world.web, limits={"reply": (5, "working_days")})
    PolicyFactory(name="咨询", priority=20, case_type="consultation", limits={"reply": (3, "working_days")})
    PolicyFactory(name="紧急", priority=30, urgency="urgent", limits={"reply": (24, "hours")})
    PolicyFactory(name="城乡建设", priority=40, directory_item=category, limits={"reply": (7, "working_days")})
    return {"category": category, "item": item, "urgent_item": urgent_item, "other": other}


MATCHES = [
    ("web consultation: both web rules match, 5 wins", {"channel": "web", "case_type": "consultation"}, "网站咨询"),
    ("web complaint", {"channel": "web"}, "网站"),
    ("hotline consultation", {"case_type": "consultation"}, "咨询"),
    ("urgent consultation: 20 before 30", {"case_type": "consultation", "urgency": "urgent"}, "咨询"),
    ("urgent complaint", {"urgency": "urgent"}, "紧急"),
    ("item under the category", {"directory_item": "item"}, "城乡建设"),
    ("the category itself", {"directory_item": "category"}, "城乡建设"),
    ("urgent by the item's default", {"directory_item": "urgent_item"}, "紧急"),
    ("item elsewhere falls through", {"directory_item": "other"}, "通用时限"),
    ("nothing special falls through", {}, "通用时限"),
]


@pytest.mark.parametrize("changes, expected", [r[1:] for r in MATCHES], ids=[r[0] for r in MATCHES])
def test_first_matching_policy_wins(world, policy_table, changes, expected):
    # given the SLA table, when a case with these attributes is received
    if "directory_item" in changes:
        changes = {**changes, "directory_item": policy_table[changes["directory_item"]]}
    case = register(world, **changes)
    # then the first active policy whose conditions all hold gives its limits
    assert case.policy.name == expected


def test_first_match_follows_a_changed_priority(world, policy_table):
    # given a web consultation under the 网站咨询 policy
    case = register(world, channel="web", case_type="consultation")
    assert case.policy.name == "网站咨询"
    # when the administrator moves 网站咨询 below 网站 and the policies are re-applied
    case.policy.priority = 50
    case.policy.save()
    assert recompute_deadlines(case, rematch=True) is True
    # then 网站 matches first, with its 5 working days
    case.refresh_from_db()
    assert case.policy.name == "网站"
    assert case.reply_due == end_of(2025, 10, 14)


# --- missing calendar years ----------------------------------------------------------------------


def test_year_without_calendar_counts_weekdays_and_is_provisional(world, clock):
    # given no calendar for 2031
    clock.move_to(local(2031, 9, 30, 10))
    # when a case is received on Tuesday 2031-09-30
    case = register(world)
    # then 5 weekdays are counted (no National Day known) and the deadlines are flagged provisional
    assert case.reply_due == end_of(2031, 10, 7)
    assert case.deadlines_provisional is True


@pytest.mark.parametrize("how", ["deleted", "unpublished"])
def test_removed_or_unpublished_year_is_not_trusted(world, how):
    # given 2025's calendar year deleted, or unpublished (its holidays are still in the table)
    if how == "deleted":
        CalendarYear.objects.filter(year=2025).delete()
    else:
        CalendarYear.objects.filter(year=2025).update(is_published=False)
    assert CalendarDay.objects.filter(date=datetime.date(2025, 10, 1)).exists()
    # when a case is received 2025-09-30
    case = register(world)
    # then plain weekdays are counted, flagged provisional
    assert case.reply_due == end_of(2025, 10, 7)
    assert case.deadlines_provisional is True


def test_deadline_running_into_an_unpublished_year_is_provisional(world, clock):
    # given a case received Monday 2026-12-28; 2027 has no calendar
    clock.move_to(local(2026, 12, 28, 10))
    case = register(world)
    # then the deadline counts 2027-01-01 as a weekday and says it is provisional
    assert case.reply_due == end_of(2027, 1, 4)
    assert case.deadlines_provisional is True
    # when 2027 is published later with New Year's Day, and the case recomputed
    CalendarYear.objects.create(year=2027)
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    assert recompute_deadlines(case) is True
    # then the deadline is firm
    case.refresh_from_db()
    assert case.reply_due == end_of(2027, 1, 5)
    assert case.deadlines_provisional is False


# --- pauses and extensions ------------------------------------------------------------------------


def test_extensions_accumulate_and_survive_a_recompute(world, flow, clock):
    # given a case in hand, due 2025-10-14
    case = flow.handling()
    # when two extensions are approved, 3 then 2 working days
    for days in (3, 2):
        case = request_extension(case, acting_user=world.dept_handler, working_days=days, reason="x")
        clock.shift(datetime.timedelta(hours=1))
        case = review_extension(case, acting_user=world.dispatcher, approve=True)
    # then the reply is due 10-17 + 2 working days = 10-21
    case.refresh_from_db()
    assert case.reply_due == end_of(2025, 10, 21)
    # and recomputing from the history gives the same (nothing changes, no event)
    events = CaseEvent.objects.filter(case=case).count()
    assert recompute_deadlines(case) is False
    assert CaseEvent.objects.filter(case=case).count() == events


# --- recomputation ------------------------------------------------------------------------------


def test_recompute_after_a_policy_limit_change(world, flow, clock):
    # given a case under the catch-all policy, due 2025-10-14
    case = flow.received()
    # when the reply limit is cut to 3 working days and the case (as loaded later) recomputed
    PolicyLimit.objects.filter(policy=world.policy, kind="reply").update(amount=3)
    clock.move_to(local(2025, 10, 1, 8))
    case = Case.objects.get(pk=case.pk)
    assert recompute_deadlines(case) is True
    # then it is due at the close of Saturday 10-11, a make-up workday, with a RECOMPUTE event
    case.refresh_from_db()
    assert case.reply_due == end_of(2025, 10, 11)
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        A.RECOMPUTE, CaseState.RECEIVED, CaseState.RECEIVED, None)
    assert event.created_at == local(2025, 10, 1, 8)
    assert event.data == {"policy": world.policy.pk, "reply_due": end_of(2025, 10, 11).isoformat(),
                          "provisional": False}
    # and a second recompute changes nothing and writes nothing
    assert recompute_deadlines(case) is False
    assert CaseEvent.objects.filter(case=case, action=A.RECOMPUTE).count() == 1


def test_recompute_keeps_the_policy_unless_asked_to_rematch(world, flow):
    # given a case under the catch-all, and a new hotline policy tried first
    case = flow.received()
    hotline_policy = PolicyFactory(priority=1, channel=world.hotline, limits={"reply": (2, "working_days")})
    # when recomputed without rematching, then nothing changes
    assert recompute_deadlines(case) is False
    assert case.policy == world.policy
    # when recomputed with rematch, then the new policy applies
    assert recompute_deadlines(case, rematch=True) is True
    case.refresh_from_db()
    assert case.policy == hotline_policy
    assert case.reply_due == end_of(2025, 10, 10)


def test_recompute_open_cases_after_a_policy_change(world, flow):
    # given an open case in hand, an open received case and a closed case
    in_hand, received, closed = flow.handling(), flow.received(), flow.closed()
    closed_due = closed.reply_due
    # when a stricter hotline policy is added and open cases are re-matched
    PolicyFactory(priority=1, channel=world.hotline, limits={"reply": (2, "working_days")})
    examined, changed = recompute_open_cases(rematch=True)
    # then the two open cases move, the closed one is left as it was
    assert (examined, changed) == (2, 2)
    for case in (in_hand, received):
        case.refresh_from_db()
        assert case.reply_due == end_of(2025, 10, 10)
    closed.refresh_from_db()
    assert (closed.reply_due, closed.policy) == (closed_due, world.policy)
    # and running it again changes nothing
    assert recompute_open_cases(rematch=True) == (2, 0)


def test_recompute_task_calls_the_service(world, flow):
    # given an open case and a changed limit
    case = flow.received()
    PolicyLimit.objects.filter(policy=world.policy, kind="reply").update(amount=3)
    # when the django-q2 task runs, then it reports what it did
    assert recompute_open_case_deadlines(False) == {"examined": 1, "changed": 1}
    case.refresh_from_db()
    assert case.reply_due == end_of(2025, 10, 11)
    with pytest.raises(TypeError):
        recompute_open_case_deadlines("yes")


def test_adding_a_holiday_moves_a_working_day_deadline(world, flow):
    # given a case due at the close of 2025-10-14
    case = flow.received()
    # when the administrator adds a (local) holiday on Monday 10-13 and the case is recomputed
    CalendarDay.objects.create(date=datetime.date(2025, 10, 13), kind=CalendarDay.Kind.HOLIDAY, name="地方假日")
    assert recompute_deadlines(case) is True
    # then the deadline moves one working day
    case.refresh_from_db()
    assert case.reply_due == end_of(2025, 10, 15)


def test_a_calendar_change_recomputes_open_cases_after_commit(world, flow, django_capture_on_commit_callbacks):
    # given an open case due at the close of 2025-10-14, and a closed one
    case, closed = flow.received(), flow.closed()
    # when the make-up workday 10-11 is removed in the admin (commit runs the background task, sync in tests)
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.get(date=datetime.date(2025, 10, 11)).delete()
    # then the open case's deadline moved a working day, the closed one did not
    case.refresh_from_db()
    closed.refresh_from_db()
    assert case.reply_due == end_of(2025, 10, 15)
    assert closed.reply_due == end_of(2025, 10, 14)
    assert CaseEvent.objects.filter(case=case, action=A.RECOMPUTE).count() == 1


def test_a_policy_change_rematches_open_cases_after_commit(world, flow, django_capture_on_commit_callbacks):
    # given an open hotline case under the catch-all
    case = flow.received()
    # when a hotline policy is saved in the admin
    with django_capture_on_commit_callbacks(execute=True):
        policy = PolicyFactory(priority=1, channel=world.hotline, limits={"reply": (2, "working_days")})
    # then the open case is re-matched to it
    case.refresh_from_db()
    assert case.policy == policy
    assert case.reply_due == end_of(2025, 10, 10)


def test_new_assignments_follow_recomputed_deadlines(world, flow):
    # given a case recomputed to a stricter policy before dispatch
    case = flow.received()
    PolicyFactory(priority=1, channel=world.hotline, limits={"reply": (2, "working_days")})
    recompute_deadlines(case, rematch=True)
    # when dispatched, then the unit's assignment carries the new reply deadline
    case = dispatch_case(case, acting_user=world.dispatcher, unit=world.dept)
    assert Assignment.objects.get(case=case).reply_due == end_of(2025, 10, 10)


def test_npc_motion_fixed_date_policy(world, clock):
    # given NPC motions by 05-31 (city) and a district channel by 09-30
    npc = ChannelFactory(code="npc")
    district = ChannelFactory(code="npc-district")
    PolicyFactory(name="市人大建议", priority=1, channel=npc, limits={"completion": ("fixed_date", 5, 31)})
    PolicyFactory(name="区人大建议", priority=2, channel=district, limits={"completion": ("fixed_date", 9, 30)})
    clock.move_to(local(2025, 3, 10, 9))
    # when motions arrive after the sessions
    city_case = register(world, channel=npc, case_type="suggestion")
    district_case = register(world, channel=district, case_type="suggestion")
    # then each is due on its fixed date this year, with no reply limit
    assert city_case.completion_due == end_of(2025, 5, 31)
    assert district_case.completion_due == end_of(2025, 9, 30)
    assert city_case.reply_due is None


# --- the unit's own deadline follows the case's ---------------------------------------------------------


def test_unit_deadline_follows_a_pause(world, flow, clock):
    # given a case in the housing bureau's hands, due 2025-10-14
    case = flow.handling()
    # when the unit asks the citizen and gets the answer a day later
    case = request_info(case, acting_user=world.dept_handler, missing="照片")
    clock.move_to(local(2025, 10, 9, 10))  # over the holiday, then one working day (10-09)
    case = resume_case(case, acting_user=world.dept_handler, information="已提供")
    # then the unit's assignment is due when the case is
    assert case.reply_due == end_of(2025, 10, 15)
    assert assignments(case)[0].reply_due == end_of(2025, 10, 15)


def test_unit_deadline_follows_a_rejected_return(world, flow, clock):
    # given a return requested and rejected after the holiday, on the first working day
    case = request_return(flow.handling(), acting_user=world.dept_handler, reason="不属于本单位")
    clock.move_to(local(2025, 10, 9, 10))
    case = review_return(case, acting_user=world.dispatcher, approve=False, note="属于本单位")
    # then the unit keeps it with the deadline moved by the review
    assert assignments(case)[0].reply_due == case.reply_due == end_of(2025, 10, 15)


def test_unit_deadline_follows_a_recompute(world, flow):
    # given a dispatched case, and a stricter policy
    case = flow.dispatched()
    PolicyFactory(priority=1, channel=world.hotline, limits={"reply": (2, "working_days")})
    # when the case is re-matched
    recompute_deadlines(case, rematch=True)
    # then the pending assignment follows
    assert assignments(case)[0].reply_due == end_of(2025, 10, 10)
