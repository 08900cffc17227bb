"""What the board and the bulletins show for a period (publishing.figures,
publishing.case_lists): red and black lists, centre rates, trend, hot
spots, the cached summary, the charts, and the masked case and note lists."""

import datetime
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest

from publishing.typical import choose_typical_case
from django.utils import translation

from casemodels.models import Case
from casemodels.services import record_return_visit, reply_case, sign_case
from casemodels.services.assessment import UnitFigures
from casemodels.services.rollups import refresh_rollups
from casemodels.services.supervision import issue_note
from publishing.board import BadPeriod, rank_group
from publishing.figures import (
    board_charts, board_summary, bump_figures_cache_version, cached_board_summary, centre_rates,
    figures_cache_version, overdue_cases, previous_periods, red_black, supervision_notes, unsatisfied_cases,
)
from snippets.models import AssessmentScheme
from tests.casemodels.conftest import local
from tests.factories import DirectoryItemFactory

HOUR = datetime.timedelta(hours=1)
FOUR_PLACES = Decimal("0.0001")
SEPTEMBER = (local(2025, 9, 1), local(2025, 10, 1))
NOW = local(2025, 9, 30, 9)

# --- red and black lists --------------------------------------------------------------------------


def scheme(min_sample=1):
    return AssessmentScheme(name="方案", unit_kind="", weight_response=Decimal(100), weight_resolution=0,
                            weight_satisfaction=0, weight_on_time=0, basic_satisfaction_share=Decimal(80),
                            min_sample=min_sample)


def unit(code, dispatched, signed_on_time):
    return UnitFigures(unit_id=0, unit_code=code, unit_name=f"{code}局", unit_kind="department",
                       dispatched=dispatched, signed_on_time=signed_on_time)


def codes(rows):
    return [row.unit.code for row in rows]


def test_four_ranked_units_and_lists_of_three_give_two_red_and_two_black():
    # given four units ranked by response rate: a 100 %, b 90 %, c 80 %, d 70 %
    group = rank_group("department", [unit("a", 10, 10), unit("b", 10, 9), unit("c", 10, 8), unit("d", 10, 7)],
                       scheme())
    red, black = red_black(group, 3)
    # then at most half each: the best two red, the worst two black (worst first), never the same unit
    assert (codes(red), codes(black)) == (["a", "b"], ["d", "c"])
    assert not set(codes(red)) & set(codes(black))


def test_units_below_the_minimum_sample_are_on_neither_list():
    # given five ranked units and two perfect ones below the minimum sample of 5
    figures = [unit(code, 10, signed) for code, signed in zip("abcde", (10, 9, 8, 7, 6))]
    figures += [unit("tiny", 4, 4), unit("tiny2", 1, 1)]
    group = rank_group("department", figures, scheme(min_sample=5))
    red, black = red_black(group, 3)
    assert (codes(red), codes(black)) == (["a", "b"], ["e", "d"])
    assert all(row.ranked for row in red + black)


def test_a_unit_tied_with_one_on_the_red_list_is_not_black():
    # given ranks 1, 2, 2, 4 (b and c equal)
    group = rank_group("department", [unit("a", 10, 10), unit("b", 10, 9), unit("c", 10, 9), unit("d", 10, 5)],
                       scheme())
    assert [row.rank for row in group.rows] == [1, 2, 2, 4]
    red, black = red_black(group, 2)
    assert (codes(red), codes(black)) == (["a", "b"], ["d"])


@pytest.mark.parametrize("ranked, size, expected", [(1, 3, (0, 0)), (3, 3, (1, 1)), (7, 3, (3, 3)), (6, 0, (0, 0))])
def test_each_list_holds_at_most_half_the_ranked_units(ranked, size, expected):
    group = rank_group("department", [unit(f"u{i}", 10, 10 - i) for i in range(ranked)], scheme())
    red, black = red_black(group, size)
    assert (len(red), len(black)) == expected


def test_centre_rates_are_the_rates_of_the_summed_counts():
    a = UnitFigures(0, "a", "a", "department", dispatched=4, signed_on_time=3, replied=4, replied_on_time=3,
                    visited=4, satisfied=2, basically_satisfied=1, unsatisfied=1, resolved=3, overdue=1)
    b = UnitFigures(0, "b", "b", "township", dispatched=2, signed_on_time=2, replied=1, replied_on_time=1,
                    visited=1, satisfied=1, resolved=1, overdue=1)  # one case lapsed
    centre = centre_rates([a, b])
    assert centre.dispatched == 6
    assert centre.response_rate == Decimal("0.8333")  # 5 / 6
    assert centre.resolution_rate == Decimal("0.6667")  # 4 / (5 visited + 1 lapsed)
    assert centre.satisfaction_rate == Decimal("0.6333")  # (3 + 1 × 0.8) / 6
    assert centre.on_time_rate == Decimal("0.6667")  # 4 / (5 replied + 1 lapsed)
    assert centre_rates([]).response_rate is None and centre_rates([]).dispatched == 0


# --- periods --------------------------------------------------------------------------------------

def test_previous_periods_step_back_by_the_periods_kind_oldest_first():
    assert previous_periods("2025-10", 6) == ["2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]
    assert previous_periods("2026-2", 3) == ["2025-12", "2026-01", "2026-02"]
    assert previous_periods("2026-W02", 3) == ["2025-W52", "2026-W01", "2026-W02"]
    assert previous_periods("2021-W01", 2) == ["2020-W53", "2021-W01"]  # 2020 had 53 ISO weeks
    assert previous_periods("2025", 3) == ["2023", "2024", "2025"]
    assert previous_periods("2000-02", 4) == ["2000-01", "2000-02"]  # nothing before 2000
    with pytest.raises(BadPeriod):
        previous_periods("2025-13", 3)


# --- a month through the services -----------------------------------------------------------------

PRIVATE = {
    "citizen_name": "李四", "citizen_phone": "13900001111", "address": "米山镇幸福小区3号楼2单元501室",
    "title": "李四反映米山镇幸福小区3号楼2单元501室门口路灯不亮，电话13900001111",
}


@pytest.fixture
def september(world, flow, clock):
    """September 2025 through the services (now: 30 September, 09:00).

    - closed on time: 住建局 3, 水务局 3, 米山镇 2, 三甲镇 1 (below the township minimum sample of 2),
      two of them published; one August case of 住建局 closed in September;
    - ``held``: 住建局 signed for it and never replied (overdue since 15 September);
    - ``late``: 水务局 replied on 22 September, a week late;
    - ``unhappy``: 米山镇 replied, the citizen unsatisfied (left in the ledger);
    - ``redeemed``: 水务局 replied, unsatisfied on 8 September, replied again (late) and satisfied on 20 September;
    - ``secret_held`` and ``secret_unhappy``: as held and unhappy, but confidential;
    - two notes: a reminder to 水务局 (21 September) and a supervision note to 住建局 (25 September)."""
    w = world
    AssessmentScheme.objects.create(name="部门考评", unit_kind="department", min_sample=2)
    AssessmentScheme.objects.create(name="乡镇考评", unit_kind="township", min_sample=2)
    item = DirectoryItemFactory(name="路灯维修", code="LD")
    clock.move_to(local(2025, 8, 29, 9))
    august = flow.dispatched(unit=w.dept, directory_item=item)
    clock.move_to(local(2025, 9, 8, 9))
    sign_case(august, acting_user=w.dept_handler)
    reply_case(august, acting_user=w.dept_handler, reply="已处理。")
    record_return_visit(august, acting_user=w.visitor, satisfaction="satisfied", resolved=True)

    plan = [(w.dept, w.dept_handler)] * 3 + [(w.dept2, w.dept2_handler)] * 3 + [(w.town_a, w.town_handler)] * 2 \
        + [(w.town_b, w.town_b_handler)]
    closed = [flow.dispatched(unit=u, directory_item=item, region=w.village_a_r) for u, _h in plan]
    held = flow.dispatched(unit=w.dept, **PRIVATE)
    secret_held = flow.dispatched(unit=w.dept, is_confidential=True, **PRIVATE)
    late = flow.dispatched(unit=w.dept2, **PRIVATE)
    redeemed = flow.dispatched(unit=w.dept2, **PRIVATE)
    unhappy = flow.dispatched(unit=w.town_a, **PRIVATE)
    secret_unhappy = flow.dispatched(unit=w.town_a, is_confidential=True, **PRIVATE)
    handlers = [h for _u, h in plan] + [w.dept_handler, w.dept_handler, w.dept2_handler, w.dept2_handler,
                                        w.town_handler, w.town_handler]
    everything = [*closed, held, secret_held, late, redeemed, unhappy, secret_unhappy]
    clock.shift(HOUR)
    for case, handler in zip(everything, handlers):
        sign_case(case, acting_user=handler)
    clock.shift(HOUR)
    for case, (_u, handler) in zip(closed, plan):
        reply_case(case, acting_user=handler, reply="已处理。")
        record_return_visit(case, acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    for case, handler in ((unhappy, w.town_handler), (secret_unhappy, w.town_handler)):
        reply_case(case, acting_user=handler, reply="已处理。")
        record_return_visit(case, acting_user=w.visitor, satisfaction="unsatisfied", resolved=False,
                            redispatch=False)
    reply_case(redeemed, acting_user=w.dept2_handler, reply="已处理。")
    redeemed = record_return_visit(redeemed, acting_user=w.visitor, satisfaction="unsatisfied", resolved=False)
    clock.move_to(local(2025, 9, 20, 10))
    sign_case(redeemed, acting_user=w.dept2_handler)
    reply_case(redeemed, acting_user=w.dept2_handler, reply="再次处理。")
    record_return_visit(redeemed, acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    clock.move_to(local(2025, 9, 21, 10))
    issue_note("reminder", w.dept2, [late], acting_user=w.supervisor, reason="请按时反馈。",
               answer_due=datetime.date(2025, 9, 24))
    clock.move_to(local(2025, 9, 22, 10))
    reply_case(late, acting_user=w.dept2_handler, reply="已处理。")
    record_return_visit(late, acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    clock.move_to(local(2025, 9, 25, 10))
    issue_note("supervision", w.dept, [held, secret_held], acting_user=w.supervisor,
               reason="李四反映的路灯问题请于三日内办结，联系电话13900001111。", answer_due=datetime.date(2025, 9, 29))
    Case.objects.filter(pk__in=[closed[0].pk, closed[3].pk]).update(is_public=True)
    clock.move_to(NOW)
    refresh_rollups()
    return SimpleNamespace(closed=closed, held=held, secret_held=secret_held, late=late, redeemed=redeemed,
                           unhappy=unhappy, secret_unhappy=secret_unhappy, august=august, item=item)


def test_the_summary_lists_red_and_black_per_ranked_group(september):
    summary = board_summary("2025-09", trend_length=3)
    red = {group.unit_kind: codes(rows) for group, rows in summary.red_lists}
    black = {group.unit_kind: codes(rows) for group, rows in summary.black_lists}
    # departments: two ranked units, one on each list; townships: one ranked unit, on neither
    assert red["department"] and black["department"] and not set(red["department"]) & set(black["department"])
    assert set(red["department"] + black["department"]) == {"zjj", "swj"}
    assert red["township"] == [] and black["township"] == []
    # 三甲镇 (one case, minimum sample 2) is listed but not ranked, and named as a small sample
    assert [(g.unit_kind, codes(rows)) for g, rows in summary.small_samples] == [("township", ["sj"])]
    listed = {code for lists in (red, black) for rows in lists.values() for code in rows}
    assert "sj" not in listed


def test_the_centre_rates_equal_the_sums_of_the_units(september):
    summary = board_summary("2025-09", trend_length=3)
    rows = [row for group in summary.board.groups for row in group.rows]
    total = {name: sum(getattr(row.figures, name) for row in rows)
             for name in ("dispatched", "signed_on_time", "resolved", "visited", "satisfied", "replied",
                          "replied_on_time", "overdue", "basically_satisfied")}
    lapsed = max(total["overdue"] - (total["replied"] - total["replied_on_time"]), 0)
    judged = total["visited"] + lapsed
    assert summary.centre.dispatched == total["dispatched"] > 10
    assert summary.centre.response_rate == (Decimal(total["signed_on_time"]) / total["dispatched"]).quantize(
        FOUR_PLACES, rounding=ROUND_HALF_UP)
    assert summary.centre.resolution_rate == (Decimal(total["resolved"]) / judged).quantize(
        FOUR_PLACES, rounding=ROUND_HALF_UP)
    assert summary.centre.on_time_rate == (Decimal(total["replied_on_time"]) / (total["replied"] + lapsed)).quantize(
        FOUR_PLACES, rounding=ROUND_HALF_UP)
    assert lapsed >= 1  # held is still held past its deadline


def test_the_trend_runs_over_the_periods_up_to_this_one(september):
    summary = board_summary("2025-09", trend_length=3)
    assert [p.period for p in summary.trend] == ["2025-07", "2025-08", "2025-09"]
    july, august, this = summary.trend
    assert (july.received, july.closed, july.rates.dispatched, july.rates.response_rate) == (0, 0, 0, None)
    assert (august.received, august.closed, august.rates.dispatched) == (1, 0, 1)
    assert august.rates.response_rate == Decimal(0)  # dispatched on 29 August, signed for on 8 September: late
    assert (this.received, this.closed) == (summary.board.totals.received, summary.board.totals.closed)
    assert this.rates == summary.centre


def test_hot_spots_and_recent_published_cases(september):
    summary = board_summary("2025-09", trend_length=2, top=5)
    assert [(h.name, h.cases) for h in summary.hot_items] == [("路灯维修", 9)]
    assert [(h.name, h.cases) for h in summary.hot_regions] == [("米山镇", 9)]  # villages counted at the township
    numbers = [c.number for c in summary.recent_cases]
    assert sorted(numbers) == sorted([september.closed[0].number, september.closed[3].number])
    assert all("张三" not in (c.citizen_name or "") for c in summary.recent_cases)
    assert len(board_summary("2025-09", trend_length=2, recent=1).recent_cases) == 1


def test_the_summary_costs_a_fixed_number_of_queries(september, django_assert_max_num_queries):
    choose_typical_case(september.closed[0].number, headline="路灯当天修好")
    with django_assert_max_num_queries(14 + 2 * 2):
        summary = board_summary("2025-09", trend_length=3)
    assert [t.headline for t in summary.typical_cases] == ["路灯当天修好"]
    assert summary.typical_cases[0].case.number == september.closed[0].number


def test_a_bad_period_is_refused(db):
    with pytest.raises(BadPeriod):
        board_summary("2025-13")
    with pytest.raises(BadPeriod):
        cached_board_summary("last month")


def test_a_week_summary_trends_over_weeks(september):
    summary = board_summary("2025-W37", trend_length=4)
    assert [p.period for p in summary.trend] == ["2025-W34", "2025-W35", "2025-W36", "2025-W37"]
    assert summary.trend[1].rates.dispatched == 1  # the August case, dispatched on Friday 29 August (W35)


# --- cache ----------------------------------------------------------------------------------------

def test_the_cached_summary_is_equal_and_asks_nothing_the_second_time(september, django_assert_num_queries):
    first = cached_board_summary("2025-09", trend_length=3)
    with django_assert_num_queries(0):
        again = cached_board_summary("2025-9", trend_length=3)
    assert again == first
    assert again.centre == board_summary("2025-09", trend_length=3).centre


def test_options_and_a_bumped_version_miss_the_cache(september, flow, django_assert_max_num_queries):
    first = cached_board_summary("2025-09", trend_length=3)
    version = figures_cache_version()
    # a new case in September: the cached summary stays until the version moves on
    Case.objects.filter(pk=september.closed[1].pk).update(is_public=True)
    assert cached_board_summary("2025-09", trend_length=3) == first
    assert len(cached_board_summary("2025-09", trend_length=2).trend) == 2  # other options, another entry
    assert bump_figures_cache_version() == version + 1 == figures_cache_version()
    fresh = cached_board_summary("2025-09", trend_length=3)
    assert len(fresh.recent_cases) == len(first.recent_cases) + 1
    with pytest.raises(TypeError):
        cached_board_summary("2025-09", colour="red")


def test_bumping_a_version_never_read_starts_a_counter(db):
    version = bump_figures_cache_version()
    assert figures_cache_version() == version and bump_figures_cache_version() == version + 1


# --- charts ---------------------------------------------------------------------------------------

def test_the_board_charts_are_svg_drawn_from_the_summary(september):
    summary = board_summary("2025-09", trend_length=3)
    with translation.override("en"):
        charts = board_charts(summary)
    assert set(charts) == {"volume", "rates", "items", "regions"}
    svg = "{http://www.w3.org/2000/svg}"
    volume, rates, items = (ET.fromstring(str(charts[name])) for name in ("volume", "rates", "items"))
    assert len([c for c in volume.iter(f"{svg}circle") if c.get("class") == "point"]) == 6
    # July has no rates (nothing dispatched): two of three periods have a dot, per rate
    assert len([c for c in rates.iter(f"{svg}circle") if c.get("class") == "point"]) == 3 * 2
    assert "100%" in [t.text for t in rates.iter(f"{svg}text") if t.get("class") == "tick"]
    assert [t.text for t in items.iter(f"{svg}text") if t.get("class") == "label"] == ["路灯维修"]
    assert [t.text for t in volume.iter(f"{svg}text") if t.get("class") == "legend"] == ["Received", "Closed"]


# --- case and note lists --------------------------------------------------------------------------

def no_personal_data(line):
    text = " ".join(str(value) for value in vars(line).values())
    assert "李四" not in text and "13900001111" not in text and "501" not in text


def test_overdue_cases_most_overdue_first_masked_and_never_confidential(september, django_assert_num_queries):
    with django_assert_num_queries(1):
        lines = overdue_cases(*SEPTEMBER, now=NOW)
    # held (15 days at now), late (replied 7 days late), redeemed's second round (replied 5 days late)
    assert [line.number for line in lines] == [september.held.number, september.late.number,
                                               september.redeemed.number]
    held, late, redeemed = lines
    assert [held.unit, late.unit, redeemed.unit] == ["住建局", "水务局", "水务局"]
    assert held.days_overdue > late.days_overdue > redeemed.days_overdue > 0
    assert held.days_overdue == -((held.due_at - NOW) // datetime.timedelta(days=1))
    assert held.title.startswith("李*反映") and "139****1111" in held.title
    assert held.rating_label is None
    with translation.override("en"):
        assert overdue_cases(*SEPTEMBER, now=NOW)[1].rating_label == "Satisfied"
    secret = {september.secret_held.number, september.secret_unhappy.number}
    for line in lines:
        no_personal_data(line)
        assert line.number not in secret
    assert len(overdue_cases(*SEPTEMBER, now=NOW, limit=1)) == 1
    # before the deadline passed, held was not overdue yet
    assert september.held.number not in [line.number for line in overdue_cases(*SEPTEMBER, now=local(2025, 9, 12))]


def test_unsatisfied_cases_by_their_latest_visit_in_the_window(september, django_assert_num_queries):
    with django_assert_num_queries(1), translation.override("en"):
        lines = unsatisfied_cases(*SEPTEMBER)
    # redeemed was unsatisfied, then satisfied later in September: only unhappy (secret_unhappy is confidential)
    assert [(line.number, line.unit, line.rating_label) for line in lines] == [
        (september.unhappy.number, "米山镇政府", "Unsatisfied")]
    assert lines[0].days_overdue is None and lines[0].due_at is not None and lines[0].item == ""
    no_personal_data(lines[0])
    # in the first half of September, redeemed's latest visit was the unsatisfied one
    early = unsatisfied_cases(local(2025, 9, 1), local(2025, 9, 15))
    assert {line.number for line in early} == {september.unhappy.number, september.redeemed.number}


def test_supervision_notes_newest_first_with_the_reason_masked(september, django_assert_num_queries):
    with django_assert_num_queries(2), translation.override("en"):
        lines = supervision_notes(*SEPTEMBER)
    assert [(line.kind, line.unit, line.case_count, line.state) for line in lines] == [
        ("supervision", "住建局", 2, "issued"), ("reminder", "水务局", 1, "issued")]
    assert lines[0].kind_label == "Supervision note" and lines[0].issued_at == local(2025, 9, 25, 10)
    assert lines[0].reason.startswith("李*反映") and "139****1111" in lines[0].reason
    for line in lines:
        no_personal_data(line)
    assert supervision_notes(local(2025, 10, 1), local(2025, 11, 1)) == []
