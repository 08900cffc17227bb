"""Staff queries that search or suggest: unit scope, and no way to confirm
personal data a user only sees masked (a confidential reporter's phone or
address) through a search."""

import pytest

from casemodels.services import dispatch_case, sign_case
from snippets.models import ReplyTemplate

pytestmark = pytest.mark.django_db

SIMILAR = """
query($content: String!, $phone: String) {
  similarCases(content: $content, phone: $phone) { score reason case { number state channel { code } } }
}
"""
SEARCH = "query($s: String) { cases(filter: {search: $s}) { totalCount edges { node { number } } } }"
PHONE = "13911112222"
ADDRESS = "幸福路88号3栋201"


@pytest.fixture
def confidential(world, flow):
    """A confidential report handled by the department, whose handlers'
    role does not see confidential cases (so they read it masked)."""
    case = flow.received(citizen_phone=PHONE, address=ADDRESS, is_confidential=True,
                         content="举报某单位违规排放污水，请为我保密。")
    case = dispatch_case(case, acting_user=world.dispatcher, unit=world.dept)
    return sign_case(case, acting_user=world.dept_handler)


def test_a_masked_reporters_phone_cannot_be_confirmed_through_similar_cases(gql, world, confidential):
    # given the handler sees the reporter's phone masked
    body = gql("query($n: String!) { case(number: $n) { citizen { phone masked } } }",
               {"n": confidential.number}, user=world.dept_handler)
    assert body["data"]["case"]["citizen"]["masked"] is True

    # when they look for cases from that phone, then nothing comes back
    body = gql(SIMILAR, {"content": "你好", "phone": PHONE}, user=world.dept_handler)
    assert body["data"]["similarCases"] == []

    # while the dispatcher, who may read it, finds the case by the phone
    body = gql(SIMILAR, {"content": "你好", "phone": PHONE}, user=world.dispatcher)
    assert [s["case"]["number"] for s in body["data"]["similarCases"]] == [confidential.number]
    assert body["data"]["similarCases"][0]["case"]["channel"]["code"] == "hotline"


def test_a_masked_reporters_address_cannot_be_confirmed_through_the_case_search(gql, world, confidential):
    # when the handler searches for the reporter's address, then no case matches
    body = gql(SEARCH, {"s": ADDRESS}, user=world.dept_handler)
    assert body["data"]["cases"]["totalCount"] == 0
    # but the number still finds it, and the dispatcher finds it by the address
    body = gql(SEARCH, {"s": confidential.number}, user=world.dept_handler)
    assert body["data"]["cases"]["totalCount"] == 1
    body = gql(SEARCH, {"s": ADDRESS}, user=world.dispatcher)
    assert body["data"]["cases"]["totalCount"] == 1


def test_similar_cases_stay_within_the_askers_units(gql, world, flow):
    # given the same matter in the department's care and in a township's
    content = "幸福小区东门的路灯坏了三天了，晚上很黑，请尽快修复。"
    mine = flow.handling(unit=world.dept, content=content)
    other = flow.handling(unit=world.town_b, signer=world.town_b_handler, content=content)

    # when the department's handler asks for similar cases, then only their own comes back
    body = gql(SIMILAR, {"content": content}, user=world.dept_handler)
    numbers = [s["case"]["number"] for s in body["data"]["similarCases"]]
    assert numbers == [mine.number] and other.number not in str(body)


def test_staff_lookups_answer_nothing_to_anonymous_callers(gql, world, flow):
    flow.received(content="幸福小区东门的路灯坏了三天了，晚上很黑，请尽快修复。")
    ReplyTemplate.objects.create(title="路灯报修答复", body="您好，{{ case_number }} 已转供电所。", keywords="路灯")
    body = gql("""{
      similarCases(content: "幸福小区东门的路灯坏了三天了，晚上很黑，请尽快修复。") { score }
      suggestDispatch(content: "路灯坏了") { confidence }
      units { code }
      replyTemplates(search: "路灯") { title }
    }""")
    assert body["data"] == {"similarCases": [], "suggestDispatch": [], "units": [], "replyTemplates": []}
    body = gql('{ units { code } replyTemplates(search: "路灯坏了") { title } }', user=world.dept_handler)
    assert "zjj" in [u["code"] for u in body["data"]["units"]]
    assert [t["title"] for t in body["data"]["replyTemplates"]] == ["路灯报修答复"]


def test_a_cursor_beyond_any_list_is_refused_naming_the_argument(gql, world):
    import base64

    cursor = base64.b64encode(b"arrayconnection:99999999999999999999").decode()
    body = gql("query($a: String) { cases(after: $a) { totalCount } }", {"a": cursor}, user=world.dispatcher)
    [error] = body["errors"]
    assert error["extensions"]["field"] == "after" and error["message"] != "Internal server error."


def test_every_failing_field_reports_its_own_error(gql, db):
    # when two nullable fields of one document fail for different reasons
    body = gql("""{
      a: publishedCases(first: 999) { totalCount }
      b: publishedCases(period: "x") { totalCount }
    }""")

    # then both errors come back, each at its own field
    assert body["data"] == {"a": None, "b": None}
    assert sorted(tuple(e["path"]) for e in body["errors"]) == [("a",), ("b",)]
