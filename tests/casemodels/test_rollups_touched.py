"""Which days a roll-up refresh recomputes (casemodels.services.rollups.
touched_days): every kind of case event is classed as changing figures or
not, the events that change none (warnings, supervision notes and their
answers, progress posts, consultations, visit attempts …) touch no day, and
the days are read in one UNION of two index-friendly selects."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemodels.models import CaseEvent
from casemodels.services import (
    answer_note, hold_consultation, issue_note, post_progress, record_return_visit, reply_case, sign_case,
)
from casemodels.services.assessment import unit_figures, unit_figures_direct
from casemodels.services.rollups import FIGURE_ACTIONS, NEUTRAL_ACTIONS, refresh_rollups, rollups_as_of, touched_days
from casemodels.services.sweep import sweep

from .conftest import local
from .test_sweep import K, make_rule

A = CaseEvent.Action
SEPTEMBER = (local(2025, 9, 1), local(2025, 10, 1))
HOUR = datetime.timedelta(hours=1)


def test_every_kind_of_case_event_is_classed_once():
    # a new CaseEvent.Action must be put among the events that change figures, or those that do not
    assert FIGURE_ACTIONS | NEUTRAL_ACTIONS == set(A.values), sorted(set(A.values) - FIGURE_ACTIONS - NEUTRAL_ACTIONS)
    assert not FIGURE_ACTIONS & NEUTRAL_ACTIONS
    # the noisy ones of the issue's review are among those that do not
    assert {A.WARNING, A.SUPERVISE, A.ANSWER_NOTE, A.PROGRESS, A.CONSULT} <= NEUTRAL_ACTIONS
    # and everything the counts read changes figures
    assert {A.SIGN, A.REPLY, A.RETURN_VISIT, A.RATE, A.REVIEW_EXTENSION, A.REVIEW_RETURN, A.REQUEST_INFO,
            A.RESUME, A.RECOMPUTE, A.EXCLUDE, A.RESTORE, A.IMPORT} <= FIGURE_ACTIONS


def assert_rollup_is_direct():
    assert unit_figures(*SEPTEMBER) == unit_figures_direct(*SEPTEMBER, now=rollups_as_of())


def test_events_that_change_no_figure_touch_no_day(world, flow, clock):
    # given two cases in hand dispatched on two days, rolled up
    w = world
    clock.move_to(local(2025, 9, 10, 9))
    first = flow.handling()
    clock.move_to(local(2025, 9, 11, 9))
    second = flow.handling()
    clock.shift(HOUR)
    refresh_rollups()
    # when, an hour later, only things beside the figures happen to them: a warning raised by the sweep,
    # a supervision note issued and answered, a progress post and a consultation
    clock.shift(HOUR)
    make_rule("即将到期", kind=K.NEAR_DUE, share_elapsed=1, roles=["handler"])
    assert sweep()["raised"] == 2
    note = issue_note("supervision", w.dept, [first, second], acting_user=w.supervisor, reason="请加快办理",
                      answer_due=local(2025, 9, 20))
    answer_note(note, acting_user=w.dept_handler, answer="正在办理")
    post_progress(first, acting_user=w.dept_handler, note="已到现场勘查")
    hold_consultation(second, acting_user=w.supervisor, level=1, units=[w.dept, w.dept2], topic="职责",
                      conclusion="住建局牵头")
    written = set(CaseEvent.objects.filter(created_at__gt=rollups_as_of()).values_list("action", flat=True))
    assert written == {A.WARNING, A.SUPERVISE, A.ANSWER_NOTE, A.PROGRESS, A.CONSULT}
    # then the next refresh recomputes no day, and the roll-up still gives the direct figures
    clock.shift(HOUR)
    assert refresh_rollups().days == 0
    assert_rollup_is_direct()
    # and when a reply and a visit follow on the first case, its day (only) is recomputed
    clock.shift(HOUR)
    reply_case(first, acting_user=w.dept_handler, reply="已处理。")
    record_return_visit(first, acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    clock.shift(HOUR)
    run = refresh_rollups()
    assert run.days == 1
    assert_rollup_is_direct()
    assert {f.unit_code: f.satisfied for f in unit_figures(*SEPTEMBER)} == {"zjj": 1}


def test_the_touched_days_are_one_query_of_two_selects(world, flow, clock):
    # given a case signed for on 10 September and one whose reply deadline passes without an event
    clock.move_to(local(2025, 9, 10, 9))
    signed = flow.dispatched()
    clock.move_to(local(2025, 9, 11, 9))
    lapsing = flow.handling()
    clock.move_to(local(2025, 9, 12, 9))
    since = local(2025, 9, 12, 8)
    sign_case(signed, acting_user=world.dept_handler)
    lapsing.assignments.update(reply_due=local(2025, 9, 12, 10))
    # when the days touched between 8:00 and 11:00 are read
    with CaptureQueriesContext(connection) as queries:
        days = touched_days(since, local(2025, 9, 12, 11))
    # then both days are found, in one query: a UNION, with no OR between the event and deadline conditions
    assert days == {datetime.date(2025, 9, 10), datetime.date(2025, 9, 11)}
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert " UNION " in sql and " OR " not in sql
    # and a later event that changes no figure (a warning on the signed case) touches nothing
    CaseEvent.objects.create(case=signed, action=A.WARNING, created_at=local(2025, 9, 12, 9, 35))
    assert touched_days(local(2025, 9, 12, 9, 30), local(2025, 9, 12, 9, 45)) == set()
    CaseEvent.objects.create(case=signed, action=A.RECOMPUTE, created_at=local(2025, 9, 12, 9, 40))
    assert touched_days(local(2025, 9, 12, 9, 30), local(2025, 9, 12, 9, 45)) == {datetime.date(2025, 9, 10)}
