"""publishedCases: closed cases marked public, masked, never confidential,
filtered by directory item, region and period, paged by cursor with a fixed
number of SQL queries."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from casemodels.models import Case, CaseState
from tests.casemodels import conftest as lifecycle
from tests.factories import DirectoryItemFactory

# The small deployment of the lifecycle tests (regions 高平市 > 米山镇 > 米西村, 三甲镇; staff; a frozen clock).
calendar, clock, flow, world = lifecycle.calendar, lifecycle.clock, lifecycle.flow, lifecycle.world
local = lifecycle.local

PUBLISHED = """
query($first: Int, $after: String, $item: String, $region: String, $period: String) {
  publishedCases(first: $first, after: $after, directoryItem: $item, region: $region, period: $period) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      number title caseType state citizenName address reply publishedAt closedAt
      directoryItem { code name } region { code name }
    } }
  }
}
"""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def catalog(world):
    parent = DirectoryItemFactory(code="01", name="城乡建设")
    return SimpleNamespace(
        parent=parent, child=DirectoryItemFactory(code="0101", name="路灯", parent=parent),
        other=DirectoryItemFactory(code="02", name="教育"),
    )


def closed(flow, *, public=True, closed_at=None, **kwargs):
    """A case walked to closed through the services, then marked publishable (or not) by staff."""
    case = flow.closed(**kwargs)
    Case.objects.filter(pk=case.pk).update(is_public=public, **({"closed_at": closed_at} if closed_at else {}))
    return Case.objects.get(pk=case.pk)


def quick(flow, *, state=CaseState.CLOSED, **fields):
    """A received case put straight into a state, for listings that need many cases."""
    case = flow.received()
    Case.objects.filter(pk=case.pk).update(state=state, is_public=True, closed_at=case.received_at, **fields)
    return case


def run(client, query=PUBLISHED, **variables):
    response = client.post(
        "/graphql/", data=json.dumps({"query": query, "variables": variables}), content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def listed(client, **variables):
    body = run(client, **variables)
    assert "errors" not in body, body
    return [edge["node"]["number"] for edge in body["data"]["publishedCases"]["edges"]]


def test_a_published_case_is_shown_masked(client, flow):
    # given a closed public case whose title and reply name the citizen, their phone and their address
    case = closed(flow, title="张三丰反映井盖破损，电话13912345678", citizen_name="张三丰",
                  citizen_phone="13912345678", address="建设南路12号楼3单元", content="井盖破损，孩子在旁边玩耍。")
    Case.objects.filter(pk=case.pk).update(reply="已联系张三丰（13912345678），建设南路12号楼3单元旁井盖已更换。")
    # when the published cases are listed
    body = run(client)
    node = body["data"]["publishedCases"]["edges"][0]["node"]
    # then everything personal is masked
    assert node["number"] == case.number and node["state"] == "closed"
    assert node["title"] == "张**反映井盖破损，电话139****5678"
    assert node["citizenName"] == "张**"
    assert node["address"] == "建设南路**号楼**单元"
    assert node["reply"] == "已联系张**（139****5678），建设南路**号楼**单元旁井盖已更换。"
    # and nothing of it leaks anywhere in the answer, nor the content of the request
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("三丰", "13912345678", "12号楼", "孩子在旁边玩耍"):
        assert secret not in text


def test_an_anonymous_citizen_has_no_name_at_all(client, flow):
    # given an anonymous request that still carries a name
    closed(flow, is_anonymous=True, citizen_name="李四")
    # then no name is shown, not even the family name
    node = run(client)["data"]["publishedCases"]["edges"][0]["node"]
    assert node["citizenName"] is None


def test_names_of_citizens_merged_into_a_case_are_masked_in_its_reply(client, flow):
    # given a published case into which another citizen's case was merged, named in the reply
    primary = closed(flow, citizen_name="张三丰")
    duplicate = flow.received(citizen_name="王五六", citizen_phone="13900001111")
    Case.objects.filter(pk=duplicate.pk).update(state=CaseState.MERGED, merged_into=primary)
    Case.objects.filter(pk=primary.pk).update(reply="已电话告知张三丰、王五六两位市民。")
    # then both names are masked
    node = run(client)["data"]["publishedCases"]["edges"][0]["node"]
    assert node["reply"] == "已电话告知张**、王**两位市民。"


def test_only_closed_public_and_not_confidential_cases_are_listed(client, flow):
    # given a closed public case and an archived public case
    shown = closed(flow)
    archived = closed(flow)
    Case.objects.filter(pk=archived.pk).update(state=CaseState.ARCHIVED)
    # and cases that must never be listed: confidential, not marked public, still open, merged, diverted, invalid
    closed(flow, is_confidential=True)
    closed(flow, public=False)
    open_case = flow.replied()
    Case.objects.filter(pk=open_case.pk).update(is_public=True)
    for state in (CaseState.MERGED, CaseState.DIVERTED, CaseState.INVALID):
        quick(flow, state=state)
    # when the published cases are listed
    numbers = listed(client)
    # then only the closed and the archived public cases are there
    assert sorted(numbers) == sorted([shown.number, archived.number])
    assert run(client)["data"]["publishedCases"]["totalCount"] == 2


@pytest.fixture
def spread(world, flow, catalog):
    """Four published cases across the catalog, the regions and the calendar."""
    return SimpleNamespace(
        a=closed(flow, directory_item="0101", region="gp-ms-mx", closed_at=local(2025, 10, 8, 9, 0)),  # W41
        b=closed(flow, directory_item="01", region="gp-ms", closed_at=local(2025, 10, 20, 16, 0)),  # W43
        c=closed(flow, directory_item="02", region="gp-sj", closed_at=local(2025, 11, 3, 8, 0)),
        # late on New Year's Eve in Shanghai, still 2024 there (though 2024-12-31 15:30 UTC)
        d=closed(flow, closed_at=local(2024, 12, 31, 23, 30)),
    )


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "cbad"),
        ({"item": "01"}, "ba"),
        ({"item": "0101"}, "a"),
        ({"item": "02"}, "c"),
        ({"region": "gp"}, "cba"),
        ({"region": "gp-ms"}, "ba"),
        ({"region": "gp-ms-mx"}, "a"),
        ({"period": "2025-10"}, "ba"),
        ({"period": "2025-W41"}, "a"),
        ({"period": "2025"}, "cba"),
        ({"period": "2024"}, "d"),
        ({"period": "2024-12"}, "d"),
        ({"item": "01", "region": "gp-ms", "period": "2025-W43"}, "b"),
        ({"item": "02", "period": "2025-10"}, ""),
    ],
    ids=lambda v: json.dumps(v) if isinstance(v, dict) else v,
)
def test_filters_by_directory_item_region_and_period_include_what_is_below(client, spread, variables, expected):
    # when the published cases are filtered, then the matching ones come, most recently closed first
    assert listed(client, **variables) == [getattr(spread, key).number for key in expected]


def test_a_case_shows_its_directory_item_and_region(client, spread):
    node = run(client, item="0101")["data"]["publishedCases"]["edges"][0]["node"]
    assert node["directoryItem"] == {"code": "0101", "name": "路灯"}
    assert node["region"] == {"code": "gp-ms-mx", "name": "米西村"}


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"period": "2025-13"}, "2025-13"),
        ({"period": "last week"}, "last week"),
        ({"item": "99"}, "99"),
        ({"region": "atlantis"}, "atlantis"),
        ({"first": 51}, "50"),
        ({"first": 0}, "50"),
        ({"after": "not-a-cursor"}, "not-a-cursor"),
    ],
    ids=lambda v: json.dumps(v) if isinstance(v, dict) else v,
)
def test_a_bad_argument_is_a_graphql_error_naming_it(client, spread, variables, named):
    # when an argument is bad
    body = run(client, **variables)
    # then the field is null and the error names what is wrong
    assert body["data"]["publishedCases"] is None
    [error] = body["errors"]
    assert named in error["message"] and error["path"] == ["publishedCases"]
    assert "Internal" not in error["message"]


def test_a_bad_period_says_which_periods_are_understood(client, spread):
    message = run(client, period="2025/10")["errors"][0]["message"]
    assert "“2025/10”" in message and "2025-10" in message and "2025-W41" in message


def test_pages_follow_by_cursor_and_stay_put_when_a_case_is_published_meanwhile(client, flow, spread):
    # given the first page of two
    page = run(client, first=2)["data"]["publishedCases"]
    assert [e["node"]["number"] for e in page["edges"]] == [spread.c.number, spread.b.number]
    assert page["pageInfo"]["hasNextPage"] is True and page["totalCount"] == 4
    # when a case is published meanwhile, and the next page is asked for
    closed(flow, closed_at=local(2025, 12, 1, 9, 0))
    following = run(client, first=2, after=page["pageInfo"]["endCursor"])["data"]["publishedCases"]
    # then it continues where the first page ended
    assert [e["node"]["number"] for e in following["edges"]] == [spread.a.number, spread.d.number]
    assert following["pageInfo"]["hasNextPage"] is False
    assert following["totalCount"] == 5


def test_a_page_costs_the_same_queries_whatever_its_size(client, world, flow, catalog):
    # given two published cases
    def one(index):
        case = quick(flow, directory_item=catalog.child, region=world.village_a_r)
        duplicate = flow.received(citizen_name=f"王{index}号", citizen_phone="13900001111")
        Case.objects.filter(pk=duplicate.pk).update(state=CaseState.MERGED, merged_into=case)

    for i in range(2):
        one(i)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert len(listed(client, first=50, item="01", region="gp")) == Case.objects.filter(is_public=True,
                                                                                              state="closed").count()
        return len(queries)

    small = cost()
    # when eight more are published
    for i in range(8):
        one(i + 2)
    # then a page of ten costs what a page of two did
    assert cost() == small


def test_the_example_operation_runs(client, spread):
    # given the documented example, run with a period
    query = (Path(settings.BASE_DIR) / "graphql" / "operations" / "published_cases.graphql").read_text(
        encoding="utf-8")
    assert query.startswith("#")
    body = run(client, query, period="2025-10", first=1)
    # then it answers the first page of the month
    assert "errors" not in body, body
    cases = body["data"]["publishedCases"]
    assert [e["node"]["number"] for e in cases["edges"]] == [spread.b.number]
    assert cases["totalCount"] == 2 and cases["pageInfo"]["hasNextPage"] is True
