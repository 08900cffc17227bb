"""Assessment figures per unit and window (casemodels.services.assessment),
on a small hand-computed data set walked through the lifecycle services."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemodels.models import Assignment
from casemodels.services import (
    dispatch_case, record_return_visit, reply_case, request_return, review_return, sign_case, sub_dispatch_case,
)
from casemodels.services.assessment import UnitFigures, unit_figures_direct, unit_rates

from .conftest import local

SEPTEMBER = (local(2025, 9, 1), local(2025, 10, 1))
HOUR = datetime.timedelta(hours=1)


def by_code(figures):
    return {f.unit_code: f for f in figures}


@pytest.fixture
def september(world, flow, clock):
    """住建局 (dept) in September 2025, one case per line:

    | case | signed | replied | visits (latest last) |
    |---|---|---|---|
    | a | in 1 h | on time | satisfied, resolved |
    | b | after 25 h (late) | on time | basically satisfied, resolved |
    | c | in 1 h | after the reply deadline | unsatisfied (kept in round 1), then satisfied, resolved |
    | d | in 1 h | on time | unsatisfied, unresolved → second dispatch in October |
    | e | never | — | — |
    | f | returned (approved 退单): left out | | |

    水务局 (dept2) co-handles case a (left out: co-handling). 米山镇 (town_a)
    signs case g and sends it down to 米西村 (village_a), which replies; the
    visit is basically satisfied, unresolved. A case dispatched to 水务局 in
    October lies outside the window."""
    w = world
    clock.move_to(local(2025, 9, 10, 9, 0))

    def dispatched(unit=w.dept, **kwargs):
        return dispatch_case(flow.received(), acting_user=w.dispatcher, unit=unit, **kwargs)

    def later(hours=1):
        clock.shift(datetime.timedelta(hours=hours))

    a = dispatched(co_units=[w.dept2])
    b, c, d, e, f = (dispatched() for _ in range(5))
    g = dispatched(unit=w.town_a)
    later()
    for case in (a, c, d):
        sign_case(case, acting_user=w.dept_handler)
    sign_case(g, acting_user=w.town_handler)
    sub_dispatch_case(g, acting_user=w.town_handler, unit=w.village_a)
    sign_case(g, acting_user=w.village_handler)
    request_return(f, acting_user=w.dept_handler, reason="不属于本单位职责")
    review_return(f, acting_user=w.dispatcher, approve=True)
    later(25)
    sign_case(b, acting_user=w.dept_handler)
    for case in (a, b, d):
        reply_case(case, acting_user=w.dept_handler, reply="已处理。")
    reply_case(g, acting_user=w.village_handler, reply="已处理。")
    later()
    record_return_visit(a, acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    record_return_visit(b, acting_user=w.visitor, satisfaction="basically_satisfied", resolved=True)
    record_return_visit(g, acting_user=w.visitor, satisfaction="basically_satisfied", resolved=False,
                        redispatch=False)
    clock.move_to(local(2025, 9, 29, 9, 0))  # past c's reply deadline
    reply_case(c, acting_user=w.dept_handler, reply="已处理。")
    record_return_visit(c, acting_user=w.visitor, satisfaction="unsatisfied", resolved=False, redispatch=False)
    later()
    record_return_visit(c, acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    clock.move_to(local(2025, 10, 9, 9, 0))
    record_return_visit(d, acting_user=w.visitor, satisfaction="unsatisfied", resolved=False)  # round 2 in October
    dispatched(unit=w.dept2)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def test_unit_figures_count_the_window_cohort_of_lead_assignments(september):
    # given September's cases (see the fixture's table)
    # when the figures for September are computed
    figures = by_code(unit_figures_direct(*SEPTEMBER))
    # then each unit holding a lead assignment dispatched in September is counted, co-handling and returns left out
    assert sorted(figures) == ["ms", "ms-mx", "zjj"]
    assert figures["zjj"] == UnitFigures(
        unit_id=figures["zjj"].unit_id, unit_code="zjj", unit_name="住建局", unit_kind="department",
        dispatched=5, signed_on_time=3, replied=4, replied_on_time=3, visited=4,
        satisfied=2, basically_satisfied=1, unsatisfied=1, resolved=3,
        returned=1, extended=0, overdue=2,  # f handed back; c replied late, e never replied
    )
    # and a sub-dispatch counts for both the township and the village that replied
    for code in ("ms", "ms-mx"):
        f = figures[code]
        assert (f.dispatched, f.signed_on_time, f.replied, f.visited, f.basically_satisfied, f.resolved) == (
            1, 1, 1, 1, 1, 0)


def test_the_second_round_counts_in_the_window_it_was_dispatched_in(september):
    # given case d went to a second dispatch on 9 October, and a case went to 水务局 in October
    figures = by_code(unit_figures_direct(local(2025, 10, 1), local(2025, 11, 1)))
    # then October holds the second round (pending, not yet signed) and the October case
    assert figures["zjj"].dispatched == 1 and figures["zjj"].signed_on_time == 0
    assert figures["swj"].dispatched == 1
    assert Assignment.objects.filter(case_id=september["d"].pk, round=2).exists()


def test_figures_can_be_limited_to_unit_kinds(september):
    figures = unit_figures_direct(*SEPTEMBER, unit_kinds=["township"])
    assert [f.unit_code for f in figures] == ["ms"]


def test_figures_are_one_query_whatever_the_number_of_units(september):
    # given three units with cases in the window, when the figures are computed, then one SQL query runs
    with CaptureQueriesContext(connection) as queries:
        figures = unit_figures_direct(*SEPTEMBER)
    assert len(figures) == 3
    assert len(queries) == 1


def test_rates_follow_design_section_7(september):
    # given 住建局's September figures and a scheme counting basically satisfied as 80 %
    figures = by_code(unit_figures_direct(*SEPTEMBER))["zjj"]
    # when the rates are derived
    rates = unit_rates(figures, basic_satisfaction_share=Decimal("80"))
    # then case e, never replied and past its reply deadline (lapsed), counts as late, unresolved and
    # unsatisfied beside the 4 visited: response = 3/5, resolution = 3/5, satisfaction = (2 + 0.8) / 5,
    # on time = 3/5 (3 replied on time of 4 replied + 1 lapsed)
    assert figures.lapsed == 1
    assert rates.response_rate == Decimal("0.6")
    assert rates.resolution_rate == Decimal("0.6")
    assert rates.satisfaction_rate == Decimal("0.56")
    assert rates.on_time_rate == Decimal("0.6")


def test_a_rate_without_anything_to_measure_is_none():
    # given a unit with dispatched cases but none replied, visited or past its reply deadline yet
    figures = UnitFigures(unit_id=1, unit_code="u", unit_name="u", unit_kind="department", dispatched=2,
                          signed_on_time=1)
    # when the rates are derived, then those without a denominator are None, not zero
    rates = unit_rates(figures, basic_satisfaction_share=50)
    assert rates.response_rate == Decimal("0.5")
    assert rates.resolution_rate is None and rates.satisfaction_rate is None and rates.on_time_rate is None
