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
