"""submitCase: a citizen's request from the web site or the mini-program,
anonymous, idempotent on (channel, externalId), with typed errors and a
throttle per client address."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from api.schema import schema
from casemodels.models import Case, CaseEvent
from snippets.models import Level, Unit
from tests.factories import ChannelFactory, DirectoryItemFactory, RegionFactory, StaffFactory, UnitFactory

SUBMIT = """
mutation($input: SubmitCaseInput!) {
  submitCase(input: $input) { case { number queryCode receivedAt state } errors { field code message } }
}
"""
TRACK = "query($n: String!, $c: String!) { trackCase(number: $n, queryCode: $c) { number state citizenName } }"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def centre(db):
    """A command centre, the public web and mini-program channels, the staff-only hotline."""
    centre = UnitFactory(name="市12345指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY)
    ChannelFactory(name="网站", code="web", is_public=True)
    ChannelFactory(name="小程序", code="miniapp", is_public=True, requires_external_id=True)
    ChannelFactory(name="12345热线", code="hotline", is_public=False)
    return centre


def run(client, query, variables=None, **extra):
    response = client.post(
        "/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json", **extra,
    )
    assert response.status_code == 200, response.content
    return response.json()


def submit(client, extra=None, **changes):
    data = {
        "channel": "web", "caseType": "complaint", "content": "建设南路天桥附近井盖破损，非常危险。",
        "citizenName": "张三丰", "citizenPhone": "13812341234", "address": "建设南路12号楼3单元", **changes,
    }
    body = run(client, SUBMIT, {"input": data}, **(extra or {}))
    assert "errors" not in body, body
    return body["data"]["submitCase"]


def test_a_submission_returns_the_number_and_query_code_that_open_tracking(client, centre):
    # given a citizen on the web site
    # when they submit a request
    result = submit(client)
    # then they get the case number and the query code, and no error
    assert result["errors"] == []
    case = Case.objects.get()
    assert result["case"] == {
        "number": case.number, "queryCode": case.query_code, "state": "received",
        "receivedAt": result["case"]["receivedAt"],
    }
    assert case.created_by is None and case.owner_unit == centre and case.channel.code == "web"
    # and the number and code open trackCase, masked
    tracked = run(client, TRACK, {"n": case.number, "c": case.query_code})["data"]["trackCase"]
    assert tracked == {"number": case.number, "state": "received", "citizenName": "张**"}


def test_the_submitter_gets_nothing_personal_back():
    # given the type of the submitted case, then it holds the number, the code, the time and the state only
    fields = schema.graphql_schema.get_type("SubmittedCase").fields
    assert set(fields) == {"number", "queryCode", "receivedAt", "state"}


def test_a_retry_with_the_same_external_id_returns_the_same_case(client, centre):
    # given a mini-program submission with its own id
    first = submit(client, channel="miniapp", externalId="WX-0001")
    # when the app retries it (the network dropped the answer), even with the id padded
    again = submit(client, channel="miniapp", externalId=" WX-0001 ")
    # then the same case comes back, and only one case and one registration exist
    assert again["errors"] == []
    assert again["case"]["number"] == first["case"]["number"]
    assert again["case"]["queryCode"] == first["case"]["queryCode"]
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action=CaseEvent.Action.REGISTER).count() == 1


def test_someone_elses_external_id_does_not_give_their_case_away(client, centre):
    # given a mini-program submission
    submit(client, channel="miniapp", externalId="WX-0001")
    # when another phone submits with the same id
    result = submit(client, channel="miniapp", externalId="WX-0001", citizenPhone="13900001111")
    # then it is refused on the id, the first case's number and code are not shown, and nothing is written
    assert result["case"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("externalId", "duplicate_external_id")]
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"channel": "hotline"}, "channel", "not_allowed"),
        ({"channel": "no-such-channel"}, "channel", "unknown"),
        ({"content": "  \n "}, "content", "required"),
        ({"citizenPhone": "12345abc"}, "citizenPhone", "invalid_phone"),
        ({"citizenPhone": ""}, "citizenPhone", "required"),
        ({"caseType": "gossip"}, "caseType", "invalid_choice"),
        ({"region": "nowhere"}, "region", "unknown"),
        ({"directoryItem": "no-such-item"}, "directoryItem", "unknown"),
        ({"address": "路" * 301}, "address", "too_long"),
        ({"channel": "miniapp"}, "externalId", "required"),
        ({"channel": "miniapp", "externalId": "x" * 101}, "externalId", "too_long"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_input_gets_a_typed_error_naming_the_field_and_writes_nothing(client, centre, changes, field, code):
    # given a submission with one bad value
    # when it is submitted
    result = submit(client, **changes)
    # then the error names the field (camelCase) with a stable code and a message, and nothing is written
    assert result["case"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert result["errors"][0]["message"]
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_the_refusal_of_a_staff_channel_says_so(client, centre):
    # when an anonymous caller submits on the hotline, then the message names the channel
    error = submit(client, channel="hotline")["errors"][0]
    assert "12345热线" in error["message"] and "public" in error["message"]


def test_an_anonymous_request_needs_no_phone(client, centre):
    # given a citizen who wants to stay anonymous
    result = submit(client, isAnonymous=True, citizenName="", citizenPhone="")
    # then the case is registered, anonymous
    assert result["errors"] == []
    assert Case.objects.get().is_anonymous is True


def test_region_directory_item_and_confidentiality_are_passed_on(client, centre):
    # given a region and a catalog item
    RegionFactory(code="gp-ms", name="米山镇")
    DirectoryItemFactory(code="0101", name="路灯")
    # when a confidential request names them
    result = submit(client, region="gp-ms", directoryItem="0101", isConfidential=True, title="路灯不亮")
    # then the case carries them
    assert result["errors"] == []
    case = Case.objects.select_related("region", "directory_item").get()
    assert (case.region.code, case.directory_item.code, case.is_confidential, case.title) == (
        "gp-ms", "0101", True, "路灯不亮",
    )


def test_signed_in_staff_submit_under_the_same_rules(client, centre):
    # given a dispatcher signed in (who could register hotline cases in the workbench)
    client.force_login(StaffFactory(unit=centre, roles=["dispatcher"]).user)
    # when they use submitCase on the hotline, then it is refused as for anyone
    refused = submit(client, channel="hotline")
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("channel", "not_allowed")]
    # and on the web it is a public submission, registered by no one
    accepted = submit(client)
    assert accepted["errors"] == []
    assert Case.objects.get().created_by is None


def test_too_many_submissions_from_one_address_are_throttled(client, centre, settings):
    # given a limit of three submissions an hour per address
    settings.MINSHENG_SUBMIT_LIMIT = 3
    for i in range(3):
        assert submit(client, content=f"第{i}个问题", extra={"REMOTE_ADDR": "10.0.0.1"})["errors"] == []
    # when a fourth comes from the same address
    result = submit(client, content="第四个问题", extra={"REMOTE_ADDR": "10.0.0.1"})
    # then it is refused as throttled, for the whole request, and nothing is written
    assert result["case"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(None, "throttled")]
    assert Case.objects.count() == 3
    # and another address is not held up
    assert submit(client, content="另一个人的问题", extra={"REMOTE_ADDR": "10.0.0.2"})["errors"] == []


def test_refused_attempts_count_towards_the_throttle(client, centre, settings):
    # given a limit of two submissions per address, both used up by refused attempts
    settings.MINSHENG_SUBMIT_LIMIT = 2
    for _i in range(2):
        assert submit(client, content="", extra={"REMOTE_ADDR": "10.0.0.1"})["errors"][0]["code"] == "required"
    # when a good submission follows, then it is throttled
    assert submit(client, extra={"REMOTE_ADDR": "10.0.0.1"})["errors"][0]["code"] == "throttled"
    assert not Case.objects.exists()


def test_many_aliased_submissions_in_one_request_hit_the_throttle(client, centre, settings):
    # given a limit of three submissions per address
    settings.MINSHENG_SUBMIT_LIMIT = 3
    inputs = [f'{{channel: "web", caseType: "help", content: "问题{i}", citizenPhone: "13812341234"}}'
              for i in range(5)]
    query = "mutation { " + " ".join(
        f"s{i}: submitCase(input: {value}) {{ case {{ number }} errors {{ code }} }}" for i, value in enumerate(inputs)
    ) + " }"
    # when five submissions come in one request
    body = run(client, query, REMOTE_ADDR="10.0.0.9")
    # then three are registered and two throttled
    codes = [[e["code"] for e in body["data"][f"s{i}"]["errors"]] for i in range(5)]
    assert codes == [[], [], [], ["throttled"], ["throttled"]]
    assert Case.objects.count() == 3


def test_tracking_with_a_wrong_code_is_null_with_no_hint(client, centre):
    # given a submitted case
    case = submit(client)["case"]
    wrong = "AAAAAAAA" if case["queryCode"] != "AAAAAAAA" else "BBBBBBBB"
    # when it is tracked with a wrong code, and an unknown number is tracked
    with_wrong_code = run(client, TRACK, {"n": case["number"], "c": wrong})
    unknown_number = run(client, TRACK, {"n": "MS2099010199999", "c": wrong})
    # then both answers are null, without an error, and the same
    assert with_wrong_code == unknown_number == {"data": {"trackCase": None}}


def test_the_example_operation_submits_a_case(client, centre):
    # given the documented example, run with its own default input
    query = (Path(settings.BASE_DIR) / "graphql" / "operations" / "submit_case.graphql").read_text(encoding="utf-8")
    assert query.startswith("#")
    result = run(client, query)["data"]["submitCase"]
    # then a case is registered; and run again (a retry), the same case comes back
    assert result["errors"] == [] and result["case"]["number"] == Case.objects.get().number
    assert run(client, query)["data"]["submitCase"]["case"]["number"] == result["case"]["number"]
    assert Case.objects.count() == 1
