"""Staff queries: the cases connection, one case, unit scope, masking,
filters, page limits and a fixed number of SQL queries per page."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casemodels.services import request_extension
from snippets.models import Role

pytestmark = pytest.mark.django_db

PAGE = """
query($filter: CaseFilterInput, $first: Int, $after: String, $order: CaseOrder) {
  cases(filter: $filter, first: $first, after: $after, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      number state title light
      channel { code name } directoryItem { code } region { code } ownerUnit { code name }
      citizen { name phone masked }
      assignments { unit { code } role state parentUnit { code } }
      events(last: 3) { action label at unit { code } note }
      returnVisits { satisfaction }
      extensionRequests { state workingDays }
    } }
  }
}
"""

CASE = """
query($number: String!) {
  case(number: $number) {
    number state citizen { name phone idNumber address masked } availableActions
    deadlines { replyDue signDue } assignments { unit { code } state }
  }
}
"""


def numbers(body):
    return [e["node"]["number"] for e in body["data"]["cases"]["edges"]]


def test_a_handler_lists_only_the_cases_of_their_unit(gql, world, flow):
    # given a case handled by the department and another by the township
    mine = flow.handling(unit=world.dept)
    other = flow.handling(unit=world.town_b, signer=world.town_b_handler)

    # when the department's handler lists cases
    body = gql(PAGE, user=world.dept_handler)

    # then only the department's case is there
    assert numbers(body) == [mine.number]
    assert other.number not in str(body)
    assert body["data"]["cases"]["totalCount"] == 1


def test_another_units_case_by_number_is_not_found(gql, world, flow):
    # given the township's case
    other = flow.handling(unit=world.town_b, signer=world.town_b_handler)

    # when the department's handler asks for it by number, then it does not exist for them
    body = gql(CASE, {"number": other.number}, user=world.dept_handler)
    assert body["data"]["case"] is None and "errors" not in body

    # and the township's own handler sees it
    body = gql(CASE, {"number": other.number}, user=world.town_b_handler)
    assert body["data"]["case"]["number"] == other.number


def test_anonymous_callers_see_no_cases(gql, world, flow):
    case = flow.dispatched()
    assert gql(PAGE)["data"]["cases"]["edges"] == []
    assert gql(CASE, {"number": case.number})["data"]["case"] is None


def test_personal_data_is_masked_for_roles_that_may_not_read_it(gql, world, flow):
    # given a case with the citizen's data, handled by the department, whose handlers' role
    # may not read personal data
    case = flow.handling(citizen_name="张三丰", citizen_phone="13812345678", address="建设南路12号楼3单元")
    Role.objects.filter(code="handler").update(sees_personal_data=False)

    # when the handler (no personal-data role) and the dispatcher read it
    handler = gql(CASE, {"number": case.number}, user=world.dept_handler)["data"]["case"]
    dispatcher = gql(CASE, {"number": case.number}, user=world.dispatcher)["data"]["case"]

    # then the handler gets it masked, the dispatcher in full
    assert handler["citizen"]["masked"] is True
    assert handler["citizen"]["name"] == "张**" and "12345678" not in handler["citizen"]["phone"]
    assert "12号楼" not in handler["citizen"]["address"]
    assert dispatcher["citizen"] == {**dispatcher["citizen"], "name": "张三丰", "phone": "13812345678",
                                     "masked": False}


def test_a_case_shows_what_the_asker_may_do_next(gql, world, flow):
    case = flow.dispatched()
    body = gql(CASE, {"number": case.number}, user=world.dept_handler)
    assert "sign" in body["data"]["case"]["availableActions"]
    body = gql(CASE, {"number": case.number}, user=world.visitor)
    assert "sign" not in (body["data"]["case"] or {}).get("availableActions", [])


def test_filters_narrow_the_list_and_unknown_codes_are_named(gql, world, flow):
    # given a dispatched case and a case in hand
    dispatched = flow.dispatched()
    handling = flow.handling()

    # when filtered by state, then only that state comes back
    body = gql(PAGE, {"filter": {"states": ["HANDLING"]}}, user=world.dispatcher)
    assert numbers(body) == [handling.number]
    # and by the department's unit code, both
    body = gql(PAGE, {"filter": {"unit": "zjj"}}, user=world.dispatcher)
    assert set(numbers(body)) == {dispatched.number, handling.number}
    # and by text search on the number
    body = gql(PAGE, {"filter": {"search": dispatched.number}}, user=world.dispatcher)
    assert numbers(body) == [dispatched.number]

    # when a code names nothing, then the error names the field
    body = gql(PAGE, {"filter": {"channel": "nope"}}, user=world.dispatcher)
    [error] = body["errors"]
    assert error["extensions"]["field"] == "channel" and "nope" in error["message"]


def test_overdue_filter_uses_the_workbench_lights(gql, world, flow, clock):
    import datetime

    late = flow.handling()
    clock.shift(datetime.timedelta(days=30))
    fresh = flow.handling()
    body = gql(PAGE, {"filter": {"overdue": True}}, user=world.dispatcher)
    assert numbers(body) == [late.number]
    body = gql(PAGE, {"filter": {"overdue": False}}, user=world.dispatcher)
    assert fresh.number in numbers(body) and late.number not in numbers(body)
    assert {e["node"]["light"] for e in gql(PAGE, {"filter": {"overdue": True}},
                                            user=world.dispatcher)["data"]["cases"]["edges"]} == {"RED"}


def test_pages_follow_their_cursors_and_are_capped(gql, world, flow):
    # given five cases
    made = [flow.received().number for _ in range(5)]

    # when read two at a time, then every case comes once, newest first
    seen, after = [], None
    while True:
        body = gql(PAGE, {"first": 2, "after": after}, user=world.dispatcher)
        seen += numbers(body)
        info = body["data"]["cases"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert sorted(seen) == sorted(made) and len(seen) == 5

    # and a page larger than the maximum is refused, naming the argument
    body = gql(PAGE, {"first": 1000}, user=world.dispatcher)
    assert body["errors"][0]["extensions"]["field"] == "first"
    body = gql(PAGE, {"after": "not-a-cursor"}, user=world.dispatcher)
    assert body["errors"][0]["extensions"]["field"] == "after"


def _queries_for_page(user, size):
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/graphql/", {"query": PAGE, "variables": {"first": size}},
                               content_type="application/json")
    body = response.json()
    assert "errors" not in body, body
    assert len(numbers(body)) == size
    return len(queries)


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(gql, world, flow):
    # given 30 cases with assignments, events and extension requests
    for i in range(30):
        case = flow.handling(citizen_name=f"李{i}")
        if i % 3 == 0:
            request_extension(case, acting_user=world.dept_handler, working_days=3, reason="需协调")

    # when a page of 3 and a page of 30 are read with their relations
    small = _queries_for_page(world.dispatcher, 3)
    large = _queries_for_page(world.dispatcher, 30)

    # then both cost the same, small number of SQL queries: the session, the user and their
    # roles, the page and its count, then one per relation (channels, units, assignments,
    # events, visits, extension requests)
    assert large == small
    assert large <= 14


def test_a_date_range_that_ends_before_it_starts_is_refused_naming_its_start(gql, world):
    dates = {"receivedFrom": "2025-10-02T00:00:00+08:00", "receivedTo": "2025-10-01T00:00:00+08:00"}
    body = gql(PAGE, {"filter": dates}, user=world.dispatcher)
    [error] = body["errors"]
    assert error["extensions"]["field"] == "receivedFrom"
