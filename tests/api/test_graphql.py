"""The first GraphQL schema: contract file, trackCase."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from casemodels.services import register_case
from snippets.models import Channel, DirectoryItem, Level, Unit

# Every documented operation in graphql/operations/ is run by a real GraphQL client over HTTP in
# tests/api/test_operations.py (scenarios in tests/api/scenarios.py).


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


TRACK = "query($n: String!, $c: String!) { trackCase(number: $n, queryCode: $c) { number state title reply merged } }"


def track(client, case, code=None, **extra):
    response = client.post(
        "/graphql/", data=json.dumps({"query": TRACK, "variables": {"n": case.number, "c": code or case.query_code}}),
        content_type="application/json", **extra,
    )
    assert response.status_code == 200, response.content
    return response.json()["data"]["trackCase"]


def wrong(case):
    return "AAAAAAAA" if case.query_code != "AAAAAAAA" else "BBBBBBBB"


def test_track_case_masks_personal_data_inside_free_text_and_accepts_lower_case(client, public_case):
    Case = type(public_case)
    Case.objects.filter(pk=public_case.pk).update(title="我是李四，电话13912345678")
    code = " ".join(public_case.query_code.lower())
    assert track(client, public_case, code)["title"] == "我是李四，电话139****5678"


def test_a_merged_case_is_tracked_through_its_primary(client, public_case, db):
    from casemodels.models import CaseState

    Case = type(public_case)
    primary = register_case(acting_user=None, channel="web", case_type="complaint", content="同一井盖问题",
                            citizen_phone="13900009999")
    Case.objects.filter(pk=primary.pk).update(state=CaseState.REPLIED, reply="已更换井盖，联系电话0356-5221234。")
    Case.objects.filter(pk=public_case.pk).update(state=CaseState.MERGED, merged_into=primary)
    tracked = track(client, public_case)
    assert tracked["number"] == public_case.number and tracked["merged"] is True
    assert tracked["state"] == "replied"
    assert tracked["reply"] == "已更换井盖，联系电话035****1234。"


def test_wrong_codes_are_throttled_per_case_number(client, public_case):
    for i in range(10):
        assert track(client, public_case, wrong(public_case), REMOTE_ADDR=f"10.0.0.{i}") is None
    # after ten wrong codes even the right one, from another address, answers null for a while
    assert track(client, public_case, REMOTE_ADDR="10.0.1.1") is None


def test_wrong_codes_are_throttled_per_client(client, public_case):
    other = register_case(acting_user=None, channel="web", case_type="help", content="路灯不亮",
                          citizen_phone="13900009999")
    for _i in range(10):
        assert track(client, other, wrong(other), REMOTE_ADDR="10.0.0.1") is None
    assert track(client, public_case, REMOTE_ADDR="10.0.0.1") is None
    assert track(client, public_case, REMOTE_ADDR="10.0.0.2")["number"] == public_case.number


def test_a_forged_forwarded_for_header_does_not_escape_the_throttle(client, public_case, settings):
    other = register_case(acting_user=None, channel="web", case_type="help", content="路灯不亮",
                          citizen_phone="13900009999")
    settings.MINSHENG_TRUSTED_PROXY_COUNT = 1
    # behind one proxy, the address the proxy appended counts; what the client put before it does not
    for i in range(10):
        track(client, other, wrong(other), REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 10.0.0.1")
    assert track(client, public_case, REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR="10.0.0.1") is None
    # and another citizen behind the same proxy is not locked out
    assert track(client, public_case, REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR="10.0.0.2") is not None


def test_without_trusted_proxies_the_forwarded_for_header_is_ignored(client, public_case):
    other = register_case(acting_user=None, channel="web", case_type="help", content="路灯不亮",
                          citizen_phone="13900009999")
    for i in range(10):
        track(client, other, wrong(other), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}")
    assert track(client, public_case, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9") is None


def test_thirty_aliased_guesses_in_one_request_still_hit_the_throttle(client, public_case):
    guesses = [f'a{i}: trackCase(number: "{public_case.number}", queryCode: "{wrong(public_case)[:7]}{i % 8 + 2}")'
               " { number }" for i in range(29)]
    right = f'right: trackCase(number: "{public_case.number}", queryCode: "{public_case.query_code}") {{ number }}'
    status, body = run(client, "{ " + " ".join([*guesses, right]) + " }")
    assert status == 200 and "errors" not in body
    # the ten wrong guesses close the case before the right code is reached
    assert set(body["data"].values()) == {None}
