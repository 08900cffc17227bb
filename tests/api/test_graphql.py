"""The first GraphQL schema: contract file, example operations, trackCase."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from casemodels.services import register_case
from snippets.models import Channel, DirectoryItem, Level, Unit

OPERATIONS = sorted((Path(settings.BASE_DIR) / "graphql" / "operations").glob("*.graphql"))


@pytest.fixture
def public_case(db):
    Unit.objects.create(name="指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY)
    Channel.objects.create(name="网站", code="web", is_public=True)
    DirectoryItem.objects.create(name="城乡建设", code="01")
    return register_case(
        acting_user=None, channel="web", case_type="complaint", title="井盖破损",
        content="建设南路天桥附近井盖破损，孩子经常在旁边玩耍，非常危险。", citizen_name="张三丰",
        citizen_phone="13812341234", address="建设南路12号楼3单元",
    )


def run(client, query, variables=None):
    response = client.post(
        "/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
    )
    return response.status_code, response.json()


def test_committed_schema_matches_the_code():
    # given the committed graphql/schema.graphql, when checked against the live schema, then it matches
    call_command("export_schema", "--check")


def test_graphql_folder_is_not_a_python_package():
    assert not (Path(settings.BASE_DIR) / "graphql" / "__init__.py").exists()


@pytest.mark.parametrize("path", OPERATIONS, ids=[p.stem for p in OPERATIONS])
def test_every_documented_operation_runs(client, public_case, path):
    # given an example operation, when run with variables for the demo-like case, then no errors come back
    variables = {"number": public_case.number, "queryCode": public_case.query_code}
    status, body = run(client, path.read_text(encoding="utf-8"), variables)
    assert status == 200
    assert "errors" not in body, body
    assert body["data"]


def test_track_case_shows_the_citizen_their_case_masked(client, public_case):
    query = (Path(settings.BASE_DIR) / "graphql" / "operations" / "track_case.graphql").read_text()
    _, body = run(client, query, {"number": public_case.number, "queryCode": public_case.query_code})
    tracked = body["data"]["trackCase"]
    assert tracked["number"] == public_case.number
    assert tracked["state"] == "received"
    assert tracked["citizenName"] == "张**"
    assert "12号楼" not in tracked["address"] and "建设南路" in tracked["address"]
    assert [e["action"] for e in tracked["timeline"]] == ["register"]
    assert "13812341234" not in json.dumps(body)


def test_track_case_with_a_wrong_code_reveals_nothing(client, public_case):
    query = "query($n: String!, $c: String!) { trackCase(number: $n, queryCode: $c) { number } }"
    wrong = "000000" if public_case.query_code != "000000" else "111111"
    _, body = run(client, query, {"n": public_case.number, "c": wrong})
    assert body["data"]["trackCase"] is None


def test_graphiql_is_not_offered_to_anonymous_users_in_production(client, db):
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert b"graphiql" not in response.content.lower()


TRACK = "query($n: String!, $c: String!) { trackCase(number: $n, queryCode: $c) { number state title reply } }"


def test_track_case_masks_personal_data_inside_free_text_and_accepts_lower_case(client, public_case):
    Case = type(public_case)
    Case.objects.filter(pk=public_case.pk).update(title="我是李四，电话13912345678")
    _, body = run(client, TRACK, {"n": public_case.number, "c": public_case.query_code.lower()})
    assert body["data"]["trackCase"]["title"] == "我是李四，电话139****5678"


def test_a_merged_case_is_tracked_through_its_primary(client, public_case, db):
    from casemodels.models import CaseState

    Case = type(public_case)
    primary = register_case(acting_user=None, channel="web", case_type="complaint", content="同一井盖问题",
                            citizen_phone="13900009999")
    Case.objects.filter(pk=primary.pk).update(state=CaseState.REPLIED, reply="已更换井盖，联系电话0356-5221234。")
    Case.objects.filter(pk=public_case.pk).update(state=CaseState.MERGED, merged_into=primary)
    _, body = run(client, TRACK, {"n": public_case.number, "c": public_case.query_code})
    tracked = body["data"]["trackCase"]
    assert tracked["number"] == public_case.number
    assert tracked["state"] == "replied"
    assert tracked["reply"] == "已更换井盖，联系电话035****1234。"


def test_wrong_codes_are_throttled(client, public_case):
    wrong = "AAAAAAAA" if public_case.query_code != "AAAAAAAA" else "BBBBBBBB"
    for _ in range(10):
        run(client, TRACK, {"n": public_case.number, "c": wrong})
    # after ten wrong codes even the right one answers null for a while
    _, body = run(client, TRACK, {"n": public_case.number, "c": public_case.query_code})
    assert body["data"]["trackCase"] is None


def test_many_aliased_track_cases_are_refused_before_running(client, public_case):
    aliases = " ".join(f'a{i}: trackCase(number: "{public_case.number}", queryCode: "X{i}") {{ number }}'
                       for i in range(50))
    _, body = run(client, "{ " + aliases + " }")
    assert body.get("data") is None
    assert "At most 5 trackCase" in body["errors"][0]["message"]


def test_deep_queries_are_refused(client, db):
    deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }"
    _, body = run(client, deep)
    assert "errors" in body and body.get("data") is None


def test_introspection_is_closed_to_anonymous_users_in_production(client, db, settings):
    settings.DEBUG = False
    _, anonymous = run(client, "{ __schema { queryType { name } } }")
    assert anonymous.get("data") is None and "introspection" in anonymous["errors"][0]["message"].lower()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("staffer", password="pw-for-tests"))
    _, signed_in = run(client, "{ __schema { queryType { name } } }")
    assert signed_in["data"]["__schema"]["queryType"]["name"] == "Query"
