"""The daily roll-up of the assessment figures (casemodels.services.rollups):
rebuilt or refreshed, it gives the direct computation's figures; a refresh
recomputes only the days touched since the last one, including days whose
assignments fell overdue without any event; days are the centre's days."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemodels.models import Assignment, RollupState, UnitDayFigures
from casemodels.services import (
    dispatch_case, exclude_from_assessment, record_return_visit, reply_case, request_extension, request_return,
    review_extension, review_return, sign_case, sub_dispatch_case,
)
from casemodels.services.assessment import unit_figures, unit_figures_direct
from casemodels.services.rollups import OVERLAP, rebuild_rollups, refresh_rollups, rollups_as_of
from casemodels.tasks import refresh_assessment_rollups

from .conftest import local

SEPTEMBER = (local(2025, 9, 1), local(2025, 10, 1))
HOUR = datetime.timedelta(hours=1)


def table():
    """The roll-up's rows, comparable."""
    return sorted(UnitDayFigures.objects.values_list(
        "unit__code", "day", "dispatched", "signed_on_time", "replied", "replied_on_time", "visited", "satisfied",
        "basically_satisfied", "unsatisfied", "resolved", "returned", "extended", "overdue",
    ))


def windows():
    """Month, weeks, days and a year: every window the board asks for, and single days."""
    days = [(local(2025, 9, d), local(2025, 9, d + 1)) for d in range(8, 13)]
    weeks = [(local(2025, 9, 8), local(2025, 9, 15)), (local(2025, 9, 15), local(2025, 9, 22))]
    return [SEPTEMBER, (local(2025, 1, 1), local(2026, 1, 1)), *weeks, *days]


def assert_rollup_is_direct():
    as_of = rollups_as_of()
    for start, end in windows():
        assert unit_figures(start, end) == unit_figures_direct(start, end, now=as_of), (start, end)


@pytest.fixture
def history(world, flow, clock):
    """A week of September through the services, across units and days:

    - 10 Sep, 住建局: a (signed, replied, satisfied), b (signed late, extension
      approved), c (pending: it will fall overdue), d (returned, approved, then
      to 水务局 on 11 Sep), e (signed, co-handled by 水务局);
    - 10 Sep, 米山镇: f, signed and sent down to 米西村, which replies;
    - 11 Sep at 00:30 (the centre's day, still 10 Sep in UTC), 住建局: g.

    The clock stops at 11 Sep, 11:00."""
    w = world
    clock.move_to(local(2025, 9, 10, 9, 0))

    def dispatched(unit=w.dept, **kwargs):
        return dispatch_case(flow.received(), acting_user=w.dispatcher, unit=unit, **kwargs)

    cases = {key: dispatched() for key in "abcd"}
    cases["e"] = dispatched(co_units=[w.dept2])
    cases["f"] = dispatched(unit=w.town_a)
    clock.shift(HOUR)
    for key in "ade":
        sign_case(cases[key], acting_user=w.dept_handler)
    sign_case(cases["f"], acting_user=w.town_handler)
    sub_dispatch_case(cases["f"], acting_user=w.town_handler, unit=w.village_a)
    sign_case(cases["f"], acting_user=w.village_handler)
    clock.move_to(local(2025, 9, 11, 0, 30))
    cases["g"] = dispatched()
    clock.move_to(local(2025, 9, 11, 10, 0))
    sign_case(cases["b"], acting_user=w.dept_handler)  # 25 hours: late
    request_return(cases["d"], acting_user=w.dept_handler, reason="不属于本单位职责")
    review_return(cases["d"], acting_user=w.dispatcher, approve=True)
    dispatch_case(cases["d"], acting_user=w.dispatcher, unit=w.dept2)
    request_extension(cases["b"], acting_user=w.dept_handler, working_days=3, reason="需协调")
    review_extension(cases["b"], acting_user=w.dispatcher, approve=True)
    reply_case(cases["a"], acting_user=w.dept_handler, reply="已处理。")
    reply_case(cases["f"], acting_user=w.village_handler, reply="已处理。")
    clock.shift(HOUR)
    record_return_visit(cases["a"], acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    record_return_visit(cases["f"], acting_user=w.visitor, satisfaction="basically_satisfied", resolved=False,
                        redispatch=False)
    return cases


def test_a_rebuilt_rollup_gives_the_direct_figures(history, clock):
    # given a week of cases, when the roll-up is rebuilt from them
    run = rebuild_rollups()
    # then it holds a row per unit and local day of dispatch
    assert run.kind == "rebuild" and run.rows == UnitDayFigures.objects.count() > 0
    assert {(code, str(day)) for code, day, *_ in table()} == {
        ("zjj", "2025-09-10"), ("zjj", "2025-09-11"), ("swj", "2025-09-11"), ("ms", "2025-09-10"),
        ("ms-mx", "2025-09-10"),
    }
    # and every window gives exactly the direct computation's figures at the rebuild's moment
    assert_rollup_is_direct()
    zjj = {f.unit_code: f for f in unit_figures(*SEPTEMBER)}["zjj"]
    assert (zjj.dispatched, zjj.returned, zjj.extended, zjj.replied, zjj.satisfied) == (5, 1, 1, 1, 1)


def test_a_case_dispatched_after_local_midnight_counts_on_the_centres_day(history):
    # given case g dispatched on 11 September at 00:30 in Shanghai (10 September, 16:30 UTC)
    rebuild_rollups()
    # when the days are read, then g is in 11 September's row of 住建局
    row = UnitDayFigures.objects.get(unit__code="zjj", day=datetime.date(2025, 9, 11))
    assert row.dispatched == 1
    assert [f.dispatched for f in unit_figures(local(2025, 9, 11), local(2025, 9, 12)) if f.unit_code == "zjj"] == [1]


def test_a_refresh_recomputes_the_days_touched_since_the_last_one(history, world, clock):
    # given a roll-up current as of 11 September, 11:00
    w = world
    rebuild_rollups()
    before = table()
    # when later actions touch cases dispatched on 10 September only (a late reply, a visit, an exclusion)
    clock.move_to(local(2025, 9, 29, 9, 0))
    reply_case(history["b"], acting_user=w.dept_handler, reply="已处理。")
    record_return_visit(history["b"], acting_user=w.visitor, satisfaction="unsatisfied", resolved=False,
                        redispatch=False)
    exclude_from_assessment(history["e"], acting_user=w.supervisor, reason="诉求超出政策规定")
    # then until the refresh the roll-up still says what it said
    assert table() == before
    assert unit_figures(*SEPTEMBER) != unit_figures_direct(*SEPTEMBER)
    # and the refresh recomputes the touched day and the days whose deadlines passed meanwhile
    run = refresh_rollups()
    assert run.kind == "refresh" and run.since == local(2025, 9, 11, 11, 0) - OVERLAP
    assert run.days == 2  # 10 September (touched) and 11 September (g and d's second dispatch fell overdue)
    assert_rollup_is_direct()
    assert table() != before


def test_an_assignment_falling_overdue_is_counted_at_the_next_refresh_without_any_event(history, clock):
    # given the roll-up current before case c's reply deadline, with c still pending
    refresh_rollups()
    assert {f.unit_code: f.overdue for f in unit_figures(*SEPTEMBER)}["zjj"] == 0
    due = Assignment.objects.get(case=history["c"]).reply_due
    # when the deadline passes with nothing done, and the roll-up is refreshed
    clock.move_to(due + HOUR)
    run = refresh_rollups()
    # then c (and b, also past due, still in hand) are overdue in 10 September's row
    assert run.days >= 1
    assert {f.unit_code: f.overdue for f in unit_figures(*SEPTEMBER)}["zjj"] >= 1
    assert_rollup_is_direct()


def test_the_first_refresh_rebuilds_and_a_second_changes_nothing(history, clock):
    # given nothing rolled up yet, when the roll-up is refreshed, then it is rebuilt
    assert rollups_as_of() is None
    first = refresh_rollups()
    assert first.kind == "rebuild" and rollups_as_of() == first.as_of
    rows = table()
    # when it is refreshed again with nothing changed, then the table is the same
    # (the day of the visits just before the rebuild is recomputed once more: they lie within OVERLAP)
    clock.shift(HOUR)
    again = refresh_rollups()
    assert (again.kind, again.days) == ("refresh", 1)
    assert table() == rows
    # and a third refresh finds nothing to recompute
    clock.shift(HOUR)
    assert (refresh_rollups().days, table()) == (0, rows)
    # and a rebuild gives the same table as the refreshes did
    rebuild_rollups()
    assert table() == rows


def test_since_can_widen_the_look_back_but_never_narrow_it(history, clock):
    # given a roll-up refreshed at 11:00 on 11 September
    refresh_rollups()
    clock.shift(HOUR)
    # when asked to look back from 9 September, then every day touched since then is recomputed
    wide = refresh_rollups(since=local(2025, 9, 9))
    assert wide.since == local(2025, 9, 9) and wide.days == 2
    # and a later "since" than the last refresh is not taken (nothing in between may be skipped)
    narrow = refresh_rollups(since=local(2025, 12, 1))
    assert narrow.since == wide.as_of - OVERLAP


def test_figures_from_the_rollup_are_one_query(history):
    rebuild_rollups()
    with CaptureQueriesContext(connection) as queries:
        figures = unit_figures(*SEPTEMBER)
    assert len(figures) == 4
    assert len(queries) == 1
    assert "casemodels_assignment" not in queries[0]["sql"]


def test_a_window_not_on_the_centres_midnights_is_counted_directly(history):
    # given an empty roll-up (never refreshed)
    # when figures are asked for a window starting at 9:00, then they come from the cases all the same
    start = local(2025, 9, 10, 9, 0)
    assert unit_figures(start, local(2025, 9, 12)) == unit_figures_direct(start, local(2025, 9, 12))
    assert unit_figures(start, local(2025, 9, 12)) != []
    # and a day-aligned window reads the (empty) roll-up
    assert unit_figures(*SEPTEMBER) == []


def test_the_command_rebuilds_with_a_progress_line_per_month(history):
    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2025-09: 5 rows")
    assert lines[-1].startswith("Rebuilt: 5 rows over 2 days")
    assert RollupState.objects.get().last_kind == "rebuild"


def test_the_scheduled_task_refreshes(history):
    result = refresh_assessment_rollups()
    assert result["kind"] == "rebuild" and result["rows"] == 5
    assert refresh_assessment_rollups()["kind"] == "refresh"
