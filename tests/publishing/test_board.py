"""The result board (publishing.board): scores from the scheme's weights,
rankings per unit kind, the minimum sample, the period's totals."""

import datetime
from decimal import Decimal

import pytest

from casemodels.services import record_return_visit, reply_case, sign_case
from casemodels.services.assessment import UnitFigures, UnitRates
from casemodels.services.rollups import refresh_rollups
from publishing.board import BadPeriod, choose_scheme, composite_score, rank_group, result_board
from snippets.models import AssessmentScheme
from tests.casemodels.conftest import local

HOUR = datetime.timedelta(hours=1)


def scheme(**kwargs):
    values = {"name": "方案", "unit_kind": "", "weight_response": 25, "weight_resolution": 25,
              "weight_satisfaction": 25, "weight_on_time": 25, "basic_satisfaction_share": 80, "min_sample": 1}
    values.update(kwargs)
    return AssessmentScheme(**{k: Decimal(v) if k.startswith(("weight", "basic")) else v for k, v in values.items()})


def figures(code, dispatched, signed_on_time, replied=0, replied_on_time=0, visited=0, satisfied=0, basically=0,
            resolved=0, kind="department"):
    return UnitFigures(
        unit_id=0, unit_code=code, unit_name=f"{code}局", unit_kind=kind, dispatched=dispatched,
        signed_on_time=signed_on_time, replied=replied, replied_on_time=replied_on_time, visited=visited,
        satisfied=satisfied, basically_satisfied=basically, unsatisfied=visited - satisfied - basically,
        resolved=resolved,
    )


# Two units: "fast" signs for everything on time but few citizens are satisfied;
# "kind" signs for half on time and every citizen is satisfied.
FAST = figures("fast", 10, 10, replied=10, replied_on_time=10, visited=10, satisfied=2, resolved=5)
KIND = figures("kind", 10, 5, replied=10, replied_on_time=10, visited=10, satisfied=10, resolved=5)


def test_the_score_is_the_weighted_sum_of_the_rates():
    # given rates 1, 0.5, 0.75 and 0.9 and weights 10 / 40 / 40 / 10
    rates = UnitRates(Decimal(1), Decimal("0.5"), Decimal("0.75"), Decimal("0.9"))
    s = scheme(weight_response=10, weight_resolution=40, weight_satisfaction=40, weight_on_time=10)
    # then the score is 10×1 + 40×0.5 + 40×0.75 + 10×0.9 = 69
    assert composite_score(rates, s) == Decimal("69.00")


def test_a_rate_that_could_not_be_measured_leaves_its_weight_out():
    # given nothing visited yet (resolution and satisfaction unknown), response 0.5 and on time 1
    rates = UnitRates(Decimal("0.5"), None, None, Decimal(1))
    s = scheme(weight_response=20, weight_resolution=30, weight_satisfaction=40, weight_on_time=10)
    # then the score rests on response and on time, scaled up to 100: (20×0.5 + 10×1) / 30 × 100
    assert composite_score(rates, s) == Decimal("66.67")
    assert composite_score(rates, None) is None


def test_the_schemes_weights_decide_the_order():
    # given a scheme weighing response heavily and one weighing satisfaction heavily
    by_response = scheme(weight_response=70, weight_resolution=10, weight_satisfaction=10, weight_on_time=10)
    by_satisfaction = scheme(weight_response=10, weight_resolution=10, weight_satisfaction=70, weight_on_time=10)
    # when the same two units are ranked under each
    first_by_response = rank_group("department", [FAST, KIND], by_response).rows
    first_by_satisfaction = rank_group("department", [FAST, KIND], by_satisfaction).rows
    # then the order follows the weights
    assert [(r.unit.code, r.rank) for r in first_by_response] == [("fast", 1), ("kind", 2)]
    assert [(r.unit.code, r.rank) for r in first_by_satisfaction] == [("kind", 1), ("fast", 2)]
    # and the scores are the weighted sums (fast: 70×1 + 10×0.5 + 10×0.2 + 10×1)
    assert first_by_response[0].score == Decimal("87.00")


def test_a_unit_below_the_minimum_sample_is_listed_but_not_ranked():
    # given a perfect unit with 3 dispatched cases and a scheme needing 5
    perfect = figures("tiny", 3, 3, replied=3, replied_on_time=3, visited=3, satisfied=3, resolved=3)
    group = rank_group("department", [FAST, perfect, KIND], scheme(min_sample=5))
    # then it is listed after the ranked units, with its score, without rank
    assert [(r.unit.code, r.rank, r.ranked) for r in group.rows] == [
        ("kind", 1, True), ("fast", 2, True), ("tiny", None, False)]
    assert group.rows[-1].score == Decimal("100.00")
    assert group.min_sample == 5


def test_equal_scores_share_a_rank():
    twin = figures("twin", 10, 5, replied=10, replied_on_time=10, visited=10, satisfied=10, resolved=5)
    group = rank_group("department", [FAST, KIND, twin], scheme(
        weight_response=10, weight_resolution=10, weight_satisfaction=70, weight_on_time=10))
    assert [(r.unit.code, r.rank) for r in group.rows] == [("kind", 1), ("twin", 1), ("fast", 3)]


def test_basically_satisfied_counts_as_the_schemes_share():
    half = figures("half", 4, 4, replied=4, replied_on_time=4, visited=4, satisfied=2, basically=2, resolved=4)
    row = rank_group("department", [half], scheme(basic_satisfaction_share=50)).rows[0]
    assert row.rates.satisfaction_rate == Decimal("0.75")


def test_a_kind_without_a_scheme_is_listed_without_score_or_rank():
    group = rank_group("community", [figures("v", 10, 10, kind="community")], None)
    row = group.rows[0]
    assert (row.score, row.rank, row.ranked, row.rates.response_rate) == (None, None, False, Decimal(1))
    assert group.min_sample is None


def test_the_scheme_for_a_kind_is_its_own_before_one_for_every_kind():
    # given a scheme for every kind, one for departments, and a weekly one for departments
    every = scheme(name="通用", pk=1)
    departments = scheme(name="部门", unit_kind="department", period="month", pk=2)
    weekly = scheme(name="部门周", unit_kind="department", period="week", pk=3)
    schemes = [every, departments, weekly]
    # then departments get their own (the weekly one on a weekly board), townships the general one
    assert choose_scheme(schemes, "department", "month") is departments
    assert choose_scheme(schemes, "department", "week") is weekly
    assert choose_scheme(schemes, "township", "month") is every
    assert choose_scheme([departments], "township", "month") is None


@pytest.fixture
def september(world, flow, clock):
    """September 2025 through the services: 住建局 closes three cases
    perfectly, 水务局 signs one of three late, 米山镇 closes two and 三甲镇
    one (below the township minimum sample of 2). Two cases come in on 30
    September and stay received; one received in August closes in September."""
    w = world
    AssessmentScheme.objects.create(name="部门考评", unit_kind="department", weight_response=40,
                                    weight_resolution=20, weight_satisfaction=20, weight_on_time=20, min_sample=3)
    AssessmentScheme.objects.create(name="乡镇考评", unit_kind="township", weight_response=25,
                                    weight_resolution=25, weight_satisfaction=25, weight_on_time=25, min_sample=2)
    AssessmentScheme.objects.create(name="停用方案", unit_kind="department", is_active=False, min_sample=100)
    clock.move_to(local(2025, 8, 29, 9))
    august = flow.dispatched(unit=w.dept)
    clock.move_to(local(2025, 9, 8, 9))
    sign_case(august, acting_user=w.dept_handler)
    reply_case(august, acting_user=w.dept_handler, reply="已处理。")
    record_return_visit(august, acting_user=w.visitor, satisfaction="satisfied", resolved=True)

    plan = [(w.dept, w.dept_handler)] * 3 + [(w.dept2, w.dept2_handler)] * 3 + [(w.town_a, w.town_handler)] * 2 \
        + [(w.town_b, w.town_b_handler)]
    cases = [flow.dispatched(unit=unit) for unit, _ in plan]
    clock.shift(HOUR)
    for case, (unit, handler) in list(zip(cases, plan))[:-1]:
        if case is not cases[3]:
            sign_case(case, acting_user=handler)
    clock.shift(25 * HOUR)
    sign_case(cases[3], acting_user=w.dept2_handler)
    sign_case(cases[-1], acting_user=w.town_b_handler)  # late as well
    for case, (unit, handler) in zip(cases, plan):
        reply_case(case, acting_user=handler, reply="已处理。")
        record_return_visit(case, acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    clock.move_to(local(2025, 9, 30, 9))
    flow.received()
    flow.received()
    refresh_rollups()  # the board reads the roll-up (a schedule refreshes it every five minutes)
    return cases


def test_the_board_ranks_departments_apart_from_townships(september):
    # when September's board is asked for
    board = result_board("2025-9")
    # then the period is named canonically and runs over September in the centre's time zone
    assert (board.period, board.kind) == ("2025-09", "month")
    assert (board.start, board.end) == (local(2025, 9, 1), local(2025, 10, 1))
    # and departments and townships are ranked apart, each under its own scheme
    groups = {g.unit_kind: g for g in board.groups}
    assert list(groups) == ["department", "township"]
    assert groups["department"].scheme.name == "部门考评" and groups["township"].scheme.name == "乡镇考评"
    departments = [(r.unit.code, r.dispatched, r.score, r.rank) for r in groups["department"].rows]
    # 水务局: response 2/3 under a 40 % weight: 40×2/3 + 60 = 86.67
    assert departments == [("zjj", 3, Decimal("100.00"), 1), ("swj", 3, Decimal("86.67"), 2)]
    townships = [(r.unit.code, r.rank, r.ranked) for r in groups["township"].rows]
    assert townships == [("ms", 1, True), ("sj", None, False)]


def test_the_board_counts_cases_received_and_closed_in_the_period(september):
    # given 9 cases dispatched and closed in September, 2 more received, and one from August closed in September
    totals = result_board("2025-09").totals
    assert (totals.received, totals.closed) == (11, 10)
    assert result_board("2025-08").totals.received == 1


def test_the_board_of_a_week_and_of_a_year(september):
    # given the cases of 8 September (ISO week 37), when the week's and the year's boards are asked for
    week, year = result_board("2025-W37"), result_board("2025")
    assert (week.period, week.start, week.end) == ("2025-W37", local(2025, 9, 8), local(2025, 9, 15))
    assert year.period == "2025" and year.totals.received == 12
    assert [r.unit.code for r in week.groups[0].rows] == ["zjj", "swj"]


@pytest.mark.parametrize("text", ["2025-13", "last month", "", "2025-W60"])
def test_a_bad_period_is_refused_naming_it(db, text):
    with pytest.raises(BadPeriod) as info:
        result_board(text)
    assert f"“{text}”" in str(info.value)


def test_a_period_without_cases_gives_an_empty_board(db):
    board = result_board("2024-01")
    assert board.groups == [] and (board.totals.received, board.totals.closed) == (0, 0)
