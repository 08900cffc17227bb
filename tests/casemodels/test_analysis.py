"""Analysis of the demand (casemodels.services.analysis): hot directory items
and regions, a matter rising in one place, a month against the same month a
year before, the week-day profile — on a small data set counted by hand."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemodels.services import InvalidInput, mark_invalid
from casemodels.services.analysis import hot_items, hot_regions, rising_matters, seasonal, weekday_profile
from snippets.models import Level
from tests.factories import DirectoryItemFactory

from .conftest import local

OCTOBER = (local(2025, 10, 1), local(2025, 11, 1))
A, B, C, D = "13800000001", "13800000002", "13800000003", "13800000004"


@pytest.fixture
def demand(world, flow):
    """Cases by directory item, place, caller and time of receipt:

    | # | received (Shanghai) | item | region | caller |
    |---|---|---|---|---|
    | 1 | Wed 15 Oct 2025 10:00 | 路灯 lamp | 米西村 | A |
    | 2 | Sat 18 Oct 09:00 | lamp | 米西村 | A |
    | 3 | Sun 19 Oct 20:00 | lamp | 米西村 | A |
    | 4 | Mon 20 Oct 00:30 (Sunday in UTC) | lamp | 米西村 | B |
    | 5 | Sun 19 Oct 10:00 | lamp | 三甲村 | C |
    | 6 | Sun 5 Oct 10:00 | 噪音 noise | 米山镇 | D |
    | 7 | Sun 19 Oct 11:00 | noise | 米山镇 | D |
    | 8 | Mon 6 Oct 10:00 | 供水 water | — | anonymous |
    | 9 | Mon 13 Oct 10:00 | lamp | 米西村 | marked invalid: never counted |

    September 2025: noise in 米山镇 on the 10th, 11th and 12th; lamp in 三甲村 on the 20th.
    October 2024: lamp once, noise three times."""
    w = world
    municipal = DirectoryItemFactory(name="市政设施", code="SZ")
    items = {
        "lamp": DirectoryItemFactory(name="路灯", code="SZ-LD", parent=municipal),
        "water": DirectoryItemFactory(name="供水", code="SZ-GS", parent=municipal),
        "noise": DirectoryItemFactory(name="噪音", code="HJ-ZY"),
    }

    def case(at, item, region=None, phone=None):
        extra = {"citizen_phone": phone} if phone else {"citizen_phone": "", "is_anonymous": True}
        return flow.received(received_at=at, directory_item=items[item], region=region, **extra)

    case(local(2025, 10, 15, 10), "lamp", w.village_a_r, A)
    case(local(2025, 10, 18, 9), "lamp", w.village_a_r, A)
    case(local(2025, 10, 19, 20), "lamp", w.village_a_r, A)
    case(local(2025, 10, 20, 0, 30), "lamp", w.village_a_r, B)
    case(local(2025, 10, 19, 10), "lamp", w.village_b_r, C)
    case(local(2025, 10, 5, 10), "noise", w.town_a_r, D)
    case(local(2025, 10, 19, 11), "noise", w.town_a_r, D)
    case(local(2025, 10, 6, 10), "water")
    invalid = case(local(2025, 10, 13, 10), "lamp", w.village_a_r, A)
    mark_invalid(invalid, acting_user=w.dispatcher, reason="测试电话")
    for day in (10, 11, 12):
        case(local(2025, 9, day, 10), "noise", w.town_a_r, D)
    case(local(2025, 9, 20, 10), "lamp", w.village_b_r, C)
    case(local(2024, 10, 8, 10), "lamp", w.village_a_r, A)
    for day in (9, 10, 11):
        case(local(2024, 10, day, 10), "noise", w.town_a_r, D)
    return items


def test_hot_items_of_a_month_with_the_month_before(demand):
    # when October's hot items are asked for
    hot = hot_items(*OCTOBER, limit=10)
    # then lamps lead with 5 of the 8 valid cases (one more was invalid), against 1 in the 31 days before
    assert [(h.code, h.cases, h.previous, h.share) for h in hot] == [
        ("SZ-LD", 5, 1, Decimal("0.6250")),
        ("HJ-ZY", 2, 3, Decimal("0.2500")),
        ("SZ-GS", 1, 0, Decimal("0.1250")),
    ]
    assert hot[0].name == "路灯" and hot[0].change == 4 and hot[1].change == -1
    # and the limit keeps the largest
    assert [h.code for h in hot_items(*OCTOBER, limit=1)] == ["SZ-LD"]


def test_hot_regions_as_recorded_and_rolled_up_to_townships(demand):
    # when October's hot regions are asked for, then each case counts for its own region (water has none)
    assert [(h.name, h.cases, h.previous) for h in hot_regions(*OCTOBER)] == [
        ("米西村", 4, 0), ("米山镇", 2, 3), ("三甲村", 1, 1)]
    # and at township level the villages count for their township
    assert [(h.name, h.cases, h.previous) for h in hot_regions(*OCTOBER, level=Level.TOWNSHIP)] == [
        ("米山镇", 6, 3), ("三甲镇", 1, 1)]
    # and at city level every placed case counts for the city
    assert [(h.name, h.cases) for h in hot_regions(*OCTOBER, level=Level.CITY)] == [("高平市", 7)]


def test_hot_lists_cost_a_fixed_number_of_queries(demand):
    with CaptureQueriesContext(connection) as queries:
        hot_regions(*OCTOBER, level=Level.TOWNSHIP)
    assert len(queries) == 3


def test_a_matter_rising_in_one_place_is_flagged(demand):
    # when, at noon on 20 October, the last 3 days are searched for 3 or more cases of one item in one place
    rising = rising_matters(local(2025, 10, 20, 12), window_days=3, threshold=3)
    # then lamps in 米西村 are found: cases 2, 3 and 4, from two callers, against 1 (case 1) the 3 days before
    assert len(rising) == 1
    matter = rising[0]
    assert (matter.region_name, matter.item_name, matter.cases, matter.citizens, matter.previous) == (
        "米西村", "路灯", 3, 2, 1)
    assert (matter.first_received, matter.last_received) == (local(2025, 10, 18, 9), local(2025, 10, 20, 0, 30))
    # and a higher threshold or an earlier moment finds nothing
    assert rising_matters(local(2025, 10, 20, 12), window_days=3, threshold=4) == []
    assert rising_matters(local(2025, 10, 19, 12), window_days=3, threshold=3) == []


def test_a_month_against_the_same_month_last_year(demand):
    # when October 2025 is set against October 2024
    season = seasonal("2025-10")
    # then 8 cases against 4: twice as many (+100 %), lamps up from 1 to 5 and noise down from 3 to 2
    assert (season.month, season.cases, season.last_year, season.change_rate) == (
        datetime.date(2025, 10, 1), 8, 4, Decimal("1.0000"))
    assert [(i.code, i.cases, i.last_year) for i in season.items] == [
        ("SZ-LD", 5, 1), ("HJ-ZY", 2, 3), ("SZ-GS", 1, 0)]
    # and a date in the month means the same month
    assert seasonal(datetime.date(2025, 10, 17)) == season
    # and a month with no cases a year before has no change rate
    assert seasonal("2025-09").change_rate is None


def test_the_weekday_profile_counts_the_centres_days(demand):
    # when October 2025 (Wednesday 1 to Friday 31) is profiled by week-day
    profile = weekday_profile(*OCTOBER)
    # then Monday has cases 4 (00:30 on Monday in Shanghai) and 8 over 4 Mondays; Sunday 4 cases over 4 Sundays;
    # Wednesday, Thursday and Friday come 5 times in the month
    assert [(r.weekday, r.cases, r.days, r.per_day) for r in profile] == [
        (1, 2, 4, Decimal("0.50")), (2, 0, 4, Decimal("0.00")), (3, 1, 5, Decimal("0.20")),
        (4, 0, 5, Decimal("0.00")), (5, 0, 5, Decimal("0.00")), (6, 1, 4, Decimal("0.25")),
        (7, 4, 4, Decimal("1.00")),
    ]
    assert sum(r.cases for r in profile) == 8
    assert profile[0].label and profile[6].label != profile[0].label


@pytest.mark.parametrize("call, field", [
    (lambda: hot_items(OCTOBER[1], OCTOBER[0]), "start"),
    (lambda: hot_items(*OCTOBER, limit=0), "limit"),
    (lambda: hot_regions(*OCTOBER, level=9), "level"),
    (lambda: rising_matters(local(2025, 10, 20), window_days=0), "window_days"),
    (lambda: rising_matters(local(2025, 10, 20), threshold=1), "threshold"),
    (lambda: seasonal("October"), "month"),
    (lambda: seasonal("2025-13"), "month"),
    (lambda: seasonal("0001-05"), "month"),
    (lambda: weekday_profile(OCTOBER[0], OCTOBER[0]), "start"),
])
def test_bad_input_is_refused_naming_the_argument(db, call, field):
    with pytest.raises(InvalidInput) as info:
        call()
    assert info.value.field == field
