"""suggestDispatch with its place, people and sources; similarCases by the
same item at the same place; dispatchCase naming a handler."""

import pytest
from django.utils import translation

from casemodels.models import Assignment
from snippets.models import DirectoryItem, Level
from tests.factories import DirectoryItemFactory, StaffFactory

pytestmark = pytest.mark.django_db

SUGGEST = """
query($c: String!, $a: String) {
  suggestDispatch(content: $c, address: $a) {
    directoryItem { code } unit { code } region { code name } leader { id name } handler { id name }
    confidence reason sources
  }
}
"""
SIMILAR = """
query($c: String!, $item: String, $region: String, $address: String) {
  similarCases(content: $c, directoryItem: $item, region: $region, address: $address) {
    score reason case { number }
  }
}
"""
DISPATCH = """
mutation($n: String!, $h: ID) {
  dispatchCase(number: $n, handler: $h) { errors { field code message } case { state assignments { handler { name } } } }
}
"""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def sanitation(world):
    return DirectoryItemFactory(name="环境卫生", code="hjws", keywords="垃圾:3,清运", routing=DirectoryItem.Routing.TERRITORIAL,
                                territorial_level=Level.TOWNSHIP)


def test_a_suggestion_names_the_place_the_unit_its_leader_and_handler_and_its_sources(gql, world, sanitation):
    leader = StaffFactory(unit=world.town_a, name="米山镇长", roles=["unit_leader"])
    handler = StaffFactory(unit=world.town_a, name="环卫专干", roles=["handler"], skills="环境卫生,垃圾分类")
    body = gql(SUGGEST, {"c": "垃圾好几天没人清运", "a": "米山镇米西村"}, user=world.dispatcher)
    [s] = body["data"]["suggestDispatch"]
    assert s["directoryItem"]["code"] == "hjws" and s["unit"]["code"] == "ms"
    assert s["region"] == {"code": "gp-ms-mx", "name": "米西村"}
    assert s["leader"] == {"id": str(leader.pk), "name": "米山镇长"}
    assert s["handler"] == {"id": str(handler.pk), "name": "环卫专干"}
    assert s["sources"] == ["rules"] and 0 < s["confidence"] < 1
    assert "垃圾" in s["reason"] and "环卫专干" in s["reason"]


def test_similar_cases_by_the_same_item_at_the_same_place(gql, world, flow, sanitation):
    earlier = flow.received(content="米西村口的垃圾桶满了", directory_item=sanitation, region=world.village_a_r,
                            citizen_phone="13900000001")
    flow.received(content="三甲村的垃圾桶满了", directory_item=sanitation, region=world.village_b_r,
                  citizen_phone="13900000002")
    body = gql(SIMILAR, {"c": "垃圾没有清运", "item": "hjws", "region": "gp-ms-mx"}, user=world.dispatcher)
    [found] = body["data"]["similarCases"]
    assert found["case"]["number"] == earlier.number
    assert 0.5 <= found["score"] < 1 and "环境卫生" in found["reason"] and "米西村" in found["reason"]
    # the place may be given by an address instead of a region code
    body = gql(SIMILAR, {"c": "垃圾没有清运", "item": "hjws", "address": "米西村12号"}, user=world.dispatcher)
    assert [f["case"]["number"] for f in body["data"]["similarCases"]] == [earlier.number]


def test_an_unknown_item_or_region_is_named_in_the_error(gql, world):
    body = gql(SIMILAR, {"c": "垃圾", "item": "nope"}, user=world.dispatcher)
    [error] = body["errors"]
    assert "nope" in error["message"] and error["extensions"]["field"] == "directoryItem"
    body = gql(SIMILAR, {"c": "垃圾", "region": "nowhere"}, user=world.dispatcher)
    assert body["errors"][0]["extensions"]["field"] == "region"


def test_dispatch_names_the_handler_and_refuses_one_from_another_unit(gql, world, flow, sanitation):
    case = flow.received(content="米山镇垃圾没人清运", directory_item=sanitation, region=world.town_a_r)
    stranger = StaffFactory(unit=world.dept, name="外单位", roles=["handler"])
    body = gql(DISPATCH, {"n": case.number, "h": str(stranger.pk)}, user=world.dispatcher)
    result = body["data"]["dispatchCase"]
    assert result["case"] is None and result["errors"][0]["field"] == "handler"
    assert not Assignment.objects.filter(case=case).exists()
    mine = StaffFactory(unit=world.town_a, name="环卫专干", roles=["handler"])
    body = gql(DISPATCH, {"n": case.number, "h": str(mine.pk)}, user=world.dispatcher)
    result = body["data"]["dispatchCase"]
    assert result["errors"] == [] and result["case"]["state"] == "DISPATCHED"
    assert result["case"]["assignments"][0]["handler"] == {"name": "环卫专干"}


REGISTER = """
mutation($input: RegisterCaseInput!) { registerCase(input: $input) { errors { field message } case { state } } }
"""


def test_register_dispatches_by_itself_on_an_auto_channel_unless_asked_not_to(gql, world, sanitation):
    world.hotline.auto_dispatch_confidence = "0.60"
    world.hotline.save()
    base = {"channel": "hotline", "caseType": "complaint", "content": "米山镇垃圾没人清运", "citizenPhone": "13800001111"}
    body = gql(REGISTER, {"input": base}, user=world.dispatcher)
    assert body["data"]["registerCase"]["case"]["state"] == "DISPATCHED"
    body = gql(REGISTER, {"input": {**base, "autoDispatch": False}}, user=world.dispatcher)
    assert body["data"]["registerCase"]["case"]["state"] == "RECEIVED"
