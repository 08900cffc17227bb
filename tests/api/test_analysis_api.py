"""The analysis queries over /graphql/ (hotItems, hotRegions, risingMatters,
seasonal, weekdayProfile): the figures of a small data set counted by hand
and equal to the service's; only the command centre's supervisors and
administrators may read them; bad input is an error naming the argument.
And the result board's returned, extended and overdue counts per unit."""

import pytest
from django.core.cache import cache

from api.schema import schema  # noqa: F401 (the schema first: its descriptions are built in English)
from api.analysis.queries import MAX_ROWS, MAX_WINDOW_DAYS
from casemodels.services import (
    mark_invalid, reply_case, request_extension, request_return, review_extension, review_return, sign_case,
)
from casemodels.services.analysis import hot_items, hot_regions, rising_matters, seasonal, weekday_profile
from casemodels.services.rollups import refresh_rollups
from publishing.board import result_board
from snippets.models import AssessmentScheme, Level
from tests.casemodels.conftest import START, local
from tests.factories import DirectoryItemFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

SEPTEMBER = {"start": "2025-09-01T00:00:00+08:00", "end": "2025-10-01T00:00:00+08:00"}
A, B, C, D = "13800000001", "13800000002", "13800000003", "13800000004"

HOTSPOT = "code name cases previous change share"
HOT_ITEMS = "query($start: DateTime!, $end: DateTime!, $limit: Int) { hotItems(start: $start, end: $end, " \
            "limit: $limit) { %s } }" % HOTSPOT
HOT_REGIONS = "query($start: DateTime!, $end: DateTime!, $level: Int, $limit: Int) { hotRegions(start: $start, " \
              "end: $end, level: $level, limit: $limit) { %s } }" % HOTSPOT
RISING = """query($windowDays: Int, $threshold: Int, $limit: Int) {
  risingMatters(windowDays: $windowDays, threshold: $threshold, limit: $limit) {
    region { code name } directoryItem { code name } cases citizens previous firstReceived lastReceived } }"""
SEASONAL = """query($month: String!, $limit: Int) { seasonal(month: $month, limit: $limit) {
  month cases lastYear changeRate items { code name cases lastYear } } }"""
WEEKDAYS = """query($start: DateTime!, $end: DateTime!) { weekdayProfile(start: $start, end: $end) {
  weekday label cases days perDay } }"""


@pytest.fixture
def demand(world, flow):
    """Cases by directory item, place, caller and time of receipt (now: Tue 30 Sep 2025 10:00, Shanghai):

    | # | received (Shanghai) | item | region | caller |
    |---|---|---|---|---|
    | 1 | Mon 29 Sep 2025 09:00 | 路灯 lamp | 米西村 (in 米山镇) | A |
    | 2 | Mon 29 Sep 15:00 | lamp | 米西村 | B |
    | 3 | Tue 30 Sep 08:00 | lamp | 米西村 | A |
    | 4 | Mon 15 Sep 10:00 | 噪音 noise | 米山镇 | D |
    | 5 | Sat 20 Sep 10:00 | lamp | 三甲村 (in 三甲镇) | C |
    | 6 | Wed 20 Aug 10:00 | lamp | 三甲村 | C |
    | 7 | Wed 10 Sep 2024 10:00 | noise | 米山镇 | D |
    | 8 | Mon 29 Sep 11:00 | lamp | 米西村 | marked invalid: never counted |"""
    w = world
    items = {
        "lamp": DirectoryItemFactory(name="路灯", code="SZ-LD"),
        "noise": DirectoryItemFactory(name="噪音", code="HJ-ZY"),
    }

    def case(at, item, region, phone):
        return flow.received(received_at=at, directory_item=items[item], region=region, citizen_phone=phone)

    case(local(2025, 9, 29, 9), "lamp", w.village_a_r, A)
    case(local(2025, 9, 29, 15), "lamp", w.village_a_r, B)
    case(local(2025, 9, 30, 8), "lamp", w.village_a_r, A)
    case(local(2025, 9, 15, 10), "noise", w.town_a_r, D)
    case(local(2025, 9, 20, 10), "lamp", w.village_b_r, C)
    case(local(2025, 8, 20, 10), "lamp", w.village_b_r, C)
    case(local(2024, 9, 10, 10), "noise", w.town_a_r, D)
    invalid = case(local(2025, 9, 29, 11), "lamp", w.village_a_r, A)
    mark_invalid(invalid, acting_user=w.dispatcher, reason="测试电话")
    return items


def ask(gql, user, query, **variables):
    body = gql(query, variables, user=user)
    assert "errors" not in body, body
    (value,) = body["data"].values()
    return value


def refused(gql, user, query, **variables):
    """The single error of a refused analysis field: (code, field); the field's value is null."""
    body = gql(query, variables, user=user)
    assert list(body["data"].values()) == [None], body
    [error] = body["errors"]
    assert error["message"]
    return error["extensions"]["code"], error["extensions"].get("field")


def _float(value):
    return None if value is None else float(value)


def hotspots(rows):
    return [{"code": h.code, "name": h.name, "cases": h.cases, "previous": h.previous, "change": h.change,
             "share": _float(h.share)} for h in rows]


# --- The figures ----------------------------------------------------------------------------------
def test_hot_items_of_a_month(gql, world, demand):
    # when the supervisor asks for September's hot items
    rows = ask(gql, world.supervisor, HOT_ITEMS, **SEPTEMBER)
    # then lamps lead with 4 of the 5 valid cases (against 1 in the 31 days before), noise follows
    assert rows == [
        {"code": "SZ-LD", "name": "路灯", "cases": 4, "previous": 1, "change": 3, "share": 0.8},
        {"code": "HJ-ZY", "name": "噪音", "cases": 1, "previous": 0, "change": 1, "share": 0.2},
    ]
    # and they are the service's, row for row; the limit is passed on
    assert rows == hotspots(hot_items(local(2025, 9, 1), local(2025, 10, 1), 10))
    assert ask(gql, world.supervisor, HOT_ITEMS, **SEPTEMBER, limit=1) == rows[:1]


def test_hot_regions_at_their_own_level_and_at_the_townships(gql, world, demand):
    # when asked per region, then 米西村 leads with its three lamps
    rows = ask(gql, world.supervisor, HOT_REGIONS, **SEPTEMBER)
    assert [(r["code"], r["cases"], r["previous"]) for r in rows] == [("gp-ms-mx", 3, 0), ("gp-ms", 1, 0),
                                                                       ("gp-sj-sj", 1, 1)]
    assert rows == hotspots(hot_regions(local(2025, 9, 1), local(2025, 10, 1), 10))
    # and counted at the townships, 米山镇 has its village's cases and its own
    rows = ask(gql, world.supervisor, HOT_REGIONS, **SEPTEMBER, level=Level.TOWNSHIP)
    assert [(r["code"], r["name"], r["cases"], r["previous"]) for r in rows] == [
        ("gp-ms", "米山镇", 4, 0), ("gp-sj", "三甲镇", 1, 1)]
    assert rows == hotspots(hot_regions(local(2025, 9, 1), local(2025, 10, 1), 10, level=Level.TOWNSHIP))


def test_a_matter_rising_in_one_place(gql, world, demand):
    # when the last three days are searched for a place and an item with three cases or more
    rows = ask(gql, world.supervisor, RISING, windowDays=3, threshold=3)
    # then the lamps of 米西村 come up: three cases from two callers, none in the three days before
    [row] = rows
    assert (row["region"], row["directoryItem"]) == ({"code": "gp-ms-mx", "name": "米西村"},
                                                    {"code": "SZ-LD", "name": "路灯"})
    assert (row["cases"], row["citizens"], row["previous"]) == (3, 2, 0)
    assert row["firstReceived"].startswith("2025-09-29T01:00:00")  # 09:00 in Shanghai
    assert row["lastReceived"].startswith("2025-09-30T00:00:00")
    [service] = rising_matters(START, 3, 3)
    assert (service.cases, service.citizens, service.previous) == (row["cases"], row["citizens"], row["previous"])
    # and a higher threshold finds nothing
    assert ask(gql, world.supervisor, RISING, windowDays=3, threshold=4) == []


def test_a_month_against_the_same_month_last_year(gql, world, demand):
    answer = ask(gql, world.supervisor, SEASONAL, month="2025-09")
    assert answer == {
        "month": "2025-09", "cases": 5, "lastYear": 1, "changeRate": 4.0,
        "items": [{"code": "SZ-LD", "name": "路灯", "cases": 4, "lastYear": 0},
                  {"code": "HJ-ZY", "name": "噪音", "cases": 1, "lastYear": 1}],
    }
    service = seasonal("2025-09")
    assert (service.cases, service.last_year, float(service.change_rate)) == (5, 1, 4.0)
    assert len(ask(gql, world.supervisor, SEASONAL, month="2025-09", limit=1)["items"]) == 1


def test_the_week_day_profile(gql, world, demand):
    rows = ask(gql, world.supervisor, WEEKDAYS, **SEPTEMBER)
    # Mondays: the 15th and the 29th (twice); Tuesday the 30th; Saturday the 20th. September has
    # five Mondays, five Tuesdays and four Saturdays.
    assert [(r["weekday"], r["cases"], r["days"], r["perDay"]) for r in rows] == [
        (1, 3, 5, 0.6), (2, 1, 5, 0.2), (3, 0, 4, 0.0), (4, 0, 4, 0.0), (5, 0, 4, 0.0), (6, 1, 4, 0.25),
        (7, 0, 4, 0.0),
    ]
    assert all(r["label"] for r in rows)
    service = weekday_profile(local(2025, 9, 1), local(2025, 10, 1))
    assert [(r.weekday, r.cases, r.days, _float(r.per_day)) for r in service] == [
        (r["weekday"], r["cases"], r["days"], r["perDay"]) for r in rows]


def test_a_window_without_an_offset_is_read_in_the_centres_time_zone(gql, world, demand):
    # when the window is written without an offset, then it is the centre's local September
    rows = ask(gql, world.supervisor, HOT_ITEMS, start="2025-09-01T00:00:00", end="2025-10-01T00:00:00")
    assert rows == ask(gql, world.supervisor, HOT_ITEMS, **SEPTEMBER)


# --- Who may ask ----------------------------------------------------------------------------------
def test_the_centres_administrators_and_superusers_may_ask_too(gql, world, demand):
    administrator = StaffFactory(unit=world.centre, roles=["administrator"]).user
    superuser = UserFactory(is_superuser=True, is_staff=True)
    for user in (administrator, superuser):
        assert [r["code"] for r in ask(gql, user, HOT_ITEMS, **SEPTEMBER)] == ["SZ-LD", "HJ-ZY"]


@pytest.mark.parametrize("who", ["dispatcher", "visitor", "dept_handler", "dept_leader", "town_b_supervisor",
                                 "non_staff"])
def test_everyone_else_signed_in_is_not_allowed(gql, world, demand, who):
    # given a centre dispatcher or visitor, a unit's handler or leader, a township's supervisor,
    # and a signed-in user who is not staff
    if who == "town_b_supervisor":
        user = StaffFactory(unit=world.town_b, roles=["supervisor"]).user
    elif who == "non_staff":
        user = UserFactory()
    else:
        user = getattr(world, who)
    # when they ask for any of the figures, then each is refused as not allowed, with no figure
    for query, variables in ((HOT_ITEMS, SEPTEMBER), (HOT_REGIONS, SEPTEMBER), (RISING, {}),
                             (SEASONAL, {"month": "2025-09"}), (WEEKDAYS, SEPTEMBER)):
        assert refused(gql, user, query, **variables) == ("not_allowed", None)


def test_anonymous_callers_get_nothing(gql, world, demand):
    for query, variables in ((HOT_ITEMS, SEPTEMBER), (RISING, {}), (SEASONAL, {"month": "2025-09"})):
        assert refused(gql, None, query, **variables) == ("unauthenticated", None)


def test_a_refused_field_leaves_the_rest_of_the_answer(gql, world, demand):
    # a dispatcher asking for their name and the hot items gets their name, and an error for the figures
    body = gql("query($start: DateTime!, $end: DateTime!) { me { username } hotItems(start: $start, end: $end) "
               "{ code } }", SEPTEMBER, user=world.dispatcher)
    assert body["data"] == {"me": {"username": world.dispatcher.get_username()}, "hotItems": None}
    assert [e["path"] for e in body["errors"]] == [["hotItems"]]


# --- Bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("query, variables, field, code", [
    (HOT_ITEMS, {"start": "2025-10-01T00:00:00+08:00", "end": "2025-09-01T00:00:00+08:00"}, "start",
     "invalid_period"),
    (HOT_ITEMS, {"start": "2025-09-01T00:00:00+08:00", "end": "2025-09-01T00:00:00+08:00"}, "start",
     "invalid_period"),
    (HOT_ITEMS, {"start": "2024-01-01T00:00:00+08:00", "end": "2025-09-01T00:00:00+08:00"}, "end", "out_of_range"),
    (HOT_ITEMS, {"start": "1999-12-01T00:00:00+08:00", "end": "2000-01-01T00:00:00+08:00"}, "start",
     "out_of_range"),
    (HOT_ITEMS, {**SEPTEMBER, "limit": 0}, "limit", "out_of_range"),
    (HOT_ITEMS, {**SEPTEMBER, "limit": MAX_ROWS + 1}, "limit", "out_of_range"),
    (HOT_ITEMS, {**SEPTEMBER, "limit": None}, "limit", "out_of_range"),
    (HOT_REGIONS, {**SEPTEMBER, "level": 9}, "level", "invalid_choice"),
    (WEEKDAYS, {"start": "2025-10-01T00:00:00+08:00", "end": "2025-09-01T00:00:00+08:00"}, "start",
     "invalid_period"),
    (RISING, {"windowDays": 0}, "windowDays", "out_of_range"),
    (RISING, {"windowDays": 91}, "windowDays", "out_of_range"),
    (RISING, {"threshold": 1}, "threshold", "out_of_range"),
    (RISING, {"limit": 1000}, "limit", "out_of_range"),
    (SEASONAL, {"month": "2025-13"}, "month", "invalid"),
    (SEASONAL, {"month": "September"}, "month", "invalid"),
    (SEASONAL, {"month": "2025"}, "month", "invalid"),
    (SEASONAL, {"month": "2025-W39"}, "month", "invalid"),
    (SEASONAL, {"month": "0001-05"}, "month", "invalid"),
    (SEASONAL, {"month": "2025-09", "limit": 0}, "limit", "out_of_range"),
], ids=lambda value: value if isinstance(value, str) and "{" not in value else None)
def test_bad_input_is_an_error_naming_the_argument(gql, world, query, variables, field, code):
    assert refused(gql, world.supervisor, query, **variables) == (code, field)


def test_a_window_of_a_whole_year_is_allowed(gql, world, demand):
    rows = ask(gql, world.supervisor, HOT_ITEMS, start="2024-10-01T00:00:00+08:00",
               end="2025-10-01T00:00:00+08:00")
    assert MAX_WINDOW_DAYS >= 366 and [r["code"] for r in rows] == ["SZ-LD", "HJ-ZY"]


def test_many_analysis_fields_in_one_document_are_refused_before_running(client, world):
    # given a document asking for September's hot items four times over (aliases)
    aliases = " ".join(f"h{i}: hotItems(start: $start, end: $end) {{ code }}" for i in range(4))
    client.force_login(world.supervisor)
    # when it is sent, then it is refused before anything runs, naming the field
    response = client.post("/graphql/", {"query": f"query($start: DateTime!, $end: DateTime!) {{ {aliases} }}",
                                         "variables": SEPTEMBER}, content_type="application/json")
    assert response.status_code == 400
    assert "hotItems" in response.json()["errors"][0]["message"]


def test_every_analysis_field_with_its_counts_fits_in_one_document(gql, world, demand):
    # the figures' own `cases` fields are not the costly `cases` list of the query root
    document = """query($start: DateTime!, $end: DateTime!) {
      hotItems(start: $start, end: $end) { cases } hotRegions(start: $start, end: $end) { cases }
      risingMatters { cases } seasonal(month: "2025-09") { cases items { cases } }
      weekdayProfile(start: $start, end: $end) { cases }
      a: hotItems(start: $start, end: $end) { cases } b: hotRegions(start: $start, end: $end) { cases } }"""
    body = gql(document, SEPTEMBER, user=world.supervisor)
    assert "errors" not in body, body
    assert body["data"]["seasonal"]["cases"] == 5 and body["data"]["risingMatters"] == [{"cases": 3}]


# --- The result board's returned, extended and overdue counts -----------------------------------------
BOARD = """query($p: String!) { resultBoard(period: $p) {
  groups { unitKind rows { unit { code } dispatched returned extended overdue } } } }"""


def test_board_rows_count_returned_extended_and_overdue_cases(gql, world, flow, clock):
    # given, dispatched to 住建局 on 30 September: a case it returned (approved), a case it replied
    # after an approved extension, and a case nobody signed for, whose reply deadline passes
    AssessmentScheme.objects.create(name="部门考评", unit_kind="department", min_sample=1)
    returned = flow.handling()
    request_return(returned, acting_user=world.dept_handler, reason="不属于本单位职责。")
    review_return(returned, acting_user=world.dispatcher, approve=True)
    extended = flow.handling()
    request_extension(extended, acting_user=world.dept_handler, working_days=3, reason="需协调施工队。")
    review_extension(extended, acting_user=world.dispatcher, approve=True)
    reply_case(extended, acting_user=world.dept_handler, reply="已修复。")
    late = flow.dispatched()
    sign_case(late, acting_user=world.dept_handler)
    clock.move_to(local(2025, 10, 31, 10))
    refresh_rollups()
    cache.clear()  # the board of a period is kept for five minutes

    # when anyone reads September's board
    body = gql(BOARD, {"p": "2025-09"})
    assert "errors" not in body, body
    [group] = body["data"]["resultBoard"]["groups"]
    [row] = group["rows"]

    # then 住建局's row counts the return apart, the extension and the late case
    assert row == {"unit": {"code": "zjj"}, "dispatched": 2, "returned": 1, "extended": 1, "overdue": 1}
    # and these are the board's own figures
    [board_row] = result_board("2025-09").groups[0].rows
    figures = board_row.figures
    assert (figures.dispatched, figures.returned, figures.extended, figures.overdue) == (2, 1, 1, 1)
