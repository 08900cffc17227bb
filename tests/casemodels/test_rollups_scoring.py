"""The three rates, the on-time rate and the composite score on a small data
set computed by hand, through the services, the roll-up and the result
board: an exclusion after review (核减) changes a unit's score, and a unit
under the minimum sample is listed but not ranked."""

import datetime
from decimal import Decimal

import pytest

from casemodels.services import (
    dispatch_case, exclude_from_assessment, record_return_visit, reply_case, sign_case,
)
from casemodels.services.assessment import unit_figures, unit_figures_direct, unit_rates
from casemodels.services.rollups import refresh_rollups, rollups_as_of
from publishing.board import result_board
from snippets.models import AssessmentScheme

from .conftest import local

HOUR = datetime.timedelta(hours=1)
SEPTEMBER = (local(2025, 9, 1), local(2025, 10, 1))


@pytest.fixture
def scheme(db):
    """One scheme for every unit kind: response 10, resolution 40,
    satisfaction 40, on time 10; basically satisfied counts 80 %; at least
    3 dispatched cases to be ranked."""
    return AssessmentScheme.objects.create(
        name="月度考评", unit_kind="", weight_response=10, weight_resolution=40, weight_satisfaction=40,
        weight_on_time=10, basic_satisfaction_share=80, min_sample=3,
    )


@pytest.fixture
def cases(world, flow, clock, scheme):
    """September 2025, all dispatched on Wednesday 10 September at 9:00
    (sign-for limit 24 hours, reply limit 5 working days: 17 September):

    | unit | case | signed | replied | visit |
    |---|---|---|---|---|
    | 住建局 | a | 1 h | 11 Sep | satisfied, resolved |
    | 住建局 | b | 25 h (late) | 11 Sep | basically satisfied, resolved |
    | 住建局 | c | 1 h | 29 Sep (late) | unsatisfied, unresolved (no second dispatch) |
    | 住建局 | d | 1 h | 11 Sep | unsatisfied, unresolved (no second dispatch) — later excluded |
    | 水务局 | x, y, z | 1 h | 11 Sep | satisfied, resolved |
    | 米山镇 | m | 1 h | 11 Sep | basically satisfied, resolved |
    """
    w = world
    clock.move_to(local(2025, 9, 10, 9))

    def dispatched(unit):
        return dispatch_case(flow.received(), acting_user=w.dispatcher, unit=unit)

    zjj = {key: dispatched(w.dept) for key in "abcd"}
    swj = [dispatched(w.dept2) for _ in range(3)]
    m = dispatched(w.town_a)
    clock.shift(HOUR)
    for case in (zjj["a"], zjj["c"], zjj["d"]):
        sign_case(case, acting_user=w.dept_handler)
    for case in swj:
        sign_case(case, acting_user=w.dept2_handler)
    sign_case(m, acting_user=w.town_handler)
    clock.shift(24 * HOUR)
    sign_case(zjj["b"], acting_user=w.dept_handler)
    for case in (zjj["a"], zjj["b"], zjj["d"]):
        reply_case(case, acting_user=w.dept_handler, reply="已处理。")
    for case in swj:
        reply_case(case, acting_user=w.dept2_handler, reply="已处理。")
    reply_case(m, acting_user=w.town_handler, reply="已处理。")
    clock.shift(HOUR)

    def visit(case, satisfaction, resolved):
        record_return_visit(case, acting_user=w.visitor, satisfaction=satisfaction, resolved=resolved,
                            redispatch=False)

    visit(zjj["a"], "satisfied", True)
    visit(zjj["b"], "basically_satisfied", True)
    visit(zjj["d"], "unsatisfied", False)
    for case in swj:
        visit(case, "satisfied", True)
    visit(m, "basically_satisfied", True)
    clock.move_to(local(2025, 9, 29, 9))
    reply_case(zjj["c"], acting_user=w.dept_handler, reply="已处理。")
    clock.shift(HOUR)
    visit(zjj["c"], "unsatisfied", False)
    return zjj


def rows(board):
    return {r.unit.code: r for group in board.groups for r in group.rows}


def test_the_board_before_the_exclusion(cases):
    # given the month rolled up
    refresh_rollups()
    board = rows(result_board("2025-09"))
    # then 住建局 has 4 dispatched: 3 signed on time, 2 of 4 visits resolved, 1 satisfied and 1 basically
    # satisfied of 4, 3 of 4 replies on time:
    #   response 3/4 = 0.75, resolution 2/4 = 0.5, satisfaction (1 + 0.8) / 4 = 0.45, on time 3/4 = 0.75
    #   score = 10 × 0.75 + 40 × 0.5 + 40 × 0.45 + 10 × 0.75 = 7.5 + 20 + 18 + 7.5 = 53.00
    zjj = board["zjj"]
    assert zjj.rates.response_rate == Decimal("0.7500")
    assert zjj.rates.resolution_rate == Decimal("0.5000")
    assert zjj.rates.satisfaction_rate == Decimal("0.4500")
    assert zjj.rates.on_time_rate == Decimal("0.7500")
    assert (zjj.score, zjj.rank) == (Decimal("53.00"), 2)
    # and 水务局: every rate 1, score 100, first
    assert (board["swj"].score, board["swj"].rank) == (Decimal("100.00"), 1)


def test_an_exclusion_and_the_minimum_sample_on_the_board(cases, world, clock):
    # given case d (unsatisfied, unresolved) excluded after review, and the roll-up refreshed
    exclude_from_assessment(cases["d"], acting_user=world.supervisor, reason="诉求超出政策规定")
    refresh_rollups()
    board = result_board("2025-09")
    by_code = rows(board)
    # then 住建局 counts 3 cases: a, b, c
    #   response 2/3 (b signed late), resolution 2/3 (c unresolved), satisfaction (1 + 0.8) / 3 = 0.6,
    #   on time 2/3 (c replied after 17 September)
    #   score = 10 × 2/3 + 40 × 2/3 + 40 × 0.6 + 10 × 2/3 = 60 × 2/3 + 24 = 64.00
    zjj = by_code["zjj"]
    assert zjj.dispatched == 3
    assert zjj.rates.response_rate == Decimal("0.6667")
    assert zjj.rates.resolution_rate == Decimal("0.6667")
    assert zjj.rates.satisfaction_rate == Decimal("0.6000")
    assert zjj.rates.on_time_rate == Decimal("0.6667")
    assert (zjj.score, zjj.rank, zjj.ranked) == (Decimal("64.00"), 2, True)
    # and departments are ranked apart from townships: 水务局 first with 100
    groups = {g.unit_kind: [(r.unit.code, r.score, r.rank) for r in g.rows] for g in board.groups}
    assert groups["department"] == [("swj", Decimal("100.00"), 1), ("zjj", Decimal("64.00"), 2)]
    # and 米山镇, with 1 case under the minimum sample of 3, is listed with its score but not ranked:
    #   response 1, resolution 1, satisfaction 0.8, on time 1: 10 + 40 + 32 + 10 = 92.00
    assert groups["township"] == [("ms", Decimal("92.00"), None)]
    assert by_code["ms"].ranked is False and board.groups[1].min_sample == 3


def test_the_rates_from_the_rollup_are_those_from_the_cases(cases, world):
    # given the exclusion and the roll-up refreshed
    exclude_from_assessment(cases["d"], acting_user=world.supervisor, reason="诉求超出政策规定")
    refresh_rollups()
    # when the rates are derived from both ways of counting
    rolled = {f.unit_code: f for f in unit_figures(*SEPTEMBER)}
    direct = {f.unit_code: f for f in unit_figures_direct(*SEPTEMBER, now=rollups_as_of())}
    # then they are the same, exactly (2/3, not a rounded 0.6667)
    assert rolled == direct
    rates = unit_rates(rolled["zjj"], basic_satisfaction_share=80)
    assert rates.response_rate == Decimal(2) / Decimal(3)
    assert rates.satisfaction_rate == Decimal("0.6")
    # and the counts beside the rates: c replied late is overdue; nothing returned or extended
    zjj = rolled["zjj"]
    assert (zjj.returned, zjj.extended, zjj.overdue) == (0, 0, 1)
