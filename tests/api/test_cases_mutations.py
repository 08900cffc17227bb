"""The staff lifecycle mutations along a case's life, over HTTP: each
returns the changed case as the asker may see it, and an empty error list.
(Every mutation on a case also succeeds once in the scope tests.)"""

from pathlib import Path

import pytest
from django.conf import settings

from casemodels.models import Case, CaseState
from snippets.models import ReplyTemplate

from .case_mutations import act, actions

pytestmark = pytest.mark.django_db

INTAKE = {
    "channel": "hotline", "caseType": "complaint", "title": "路灯不亮",
    "content": "建设南路12号门口路灯坏了一周，晚上很黑。", "citizenName": "张三丰", "citizenPhone": "13812341234",
    "address": "建设南路12号", "externalId": "call-0001",
}


def test_a_case_walks_its_whole_life_through_the_api(gql, world):
    # given a call to the hotline, registered by a dispatcher of the centre
    registered = act(gql, world.dispatcher, "registerCase", input=INTAKE)
    assert registered["errors"] == []
    case = registered["case"]
    assert (case["state"], case["ownerUnit"]["code"]) == ("RECEIVED", "centre")
    number = case["number"]

    # when it is dispatched to the housing bureau with the water bureau co-handling
    payload = act(gql, world.dispatcher, "dispatchCase", number=number, unit="zjj", coUnits=["swj"],
                  note="请尽快处理。", expectedVersion=case["version"])
    # then both units hold an assignment waiting to be signed for
    assert payload["errors"] == [] and payload["case"]["state"] == "DISPATCHED"
    assert [(a["unit"]["code"], a["role"], a["state"]) for a in payload["case"]["assignments"]] == [
        ("zjj", "lead", "pending"), ("swj", "co", "pending"),
    ]

    # when both units sign for it, the lead unit asks for three more days and a dispatcher approves
    payload = act(gql, world.dept_handler, "signCase", number=number)
    assert payload["case"]["state"] == "HANDLING"
    assert act(gql, world.dept2_handler, "signCase", number=number)["errors"] == []
    payload = act(gql, world.dept_handler, "requestExtension", number=number, workingDays=3, reason="需协调施工队。")
    assert payload["errors"] == []
    payload = act(gql, world.dispatcher, "reviewExtension", number=number, approve=True)
    assert payload["errors"] == [] and payload["case"]["state"] == "HANDLING"

    # and the lead unit replies, the citizen is satisfied and the case is archived
    payload = act(gql, world.dept_handler, "replyCase", number=number, reply="已更换灯具，路灯恢复正常。")
    assert (payload["case"]["state"], payload["case"]["reply"]) == ("REPLIED", "已更换灯具，路灯恢复正常。")
    payload = act(gql, world.visitor, "recordReturnVisit", number=number, satisfaction="satisfied", resolved=True,
                  method="sms", note="市民表示满意。")
    assert payload["case"]["state"] == "CLOSED"
    payload = act(gql, world.dispatcher, "archiveCase", number=number)

    # then the dossier holds every step, in order
    assert payload["errors"] == [] and payload["case"]["state"] == "ARCHIVED"
    assert actions(payload) == [
        "register", "dispatch", "sign", "sign", "request_extension", "review_extension", "reply", "return_visit",
        "archive",
    ]
    assert Case.objects.get(number=number).state == CaseState.ARCHIVED


def test_a_case_goes_down_to_a_village_up_again_and_back_to_the_centre(gql, world, flow):
    # given a case dispatched to the township and signed for there
    case = flow.dispatched(unit=world.town_a)
    act(gql, world.town_handler, "signCase", number=case.number)

    # when the township sends it down to its village, which signs and then whistles back up
    payload = act(gql, world.town_handler, "subDispatchCase", number=case.number, unit="ms-mx", note="请村委处理。")
    assert payload["case"]["state"] == "DISPATCHED"
    act(gql, world.village_handler, "signCase", number=case.number)
    payload = act(gql, world.village_handler, "escalateCase", number=case.number, reason="需镇里协调。")

    # then the township has it in hand again
    assert payload["errors"] == [] and payload["case"]["state"] == "HANDLING"

    # when the township returns it as a wrong dispatch and the centre approves
    assert act(gql, world.town_handler, "requestReturn", number=case.number, reason="属供电公司职责。")["errors"] == []
    payload = act(gql, world.dispatcher, "reviewReturn", number=case.number, approve=True, note="同意改派。")

    # then the case waits at the centre for a new dispatch
    assert payload["errors"] == [] and payload["case"]["state"] == "RECEIVED"
    assert actions(payload)[-5:] == ["sub_dispatch", "sign", "escalate", "request_return", "review_return"]


def test_an_unsatisfied_citizen_gets_a_second_dispatch(gql, world, flow):
    # given a replied case whose citizen was not satisfied, kept aside for a dispatcher to choose
    case = flow.replied()
    payload = act(gql, world.visitor, "recordReturnVisit", number=case.number, satisfaction="unsatisfied",
                  resolved=False, redispatch=False)
    assert (payload["case"]["state"], payload["case"]["isUnsatisfied"]) == ("REPLIED", True)

    # when a dispatcher dispatches it a second time to the water bureau
    payload = act(gql, world.dispatcher, "redispatchCase", number=case.number, unit="swj", note="换单位处理。")

    # then round 2 starts at the water bureau
    assert payload["errors"] == []
    assert (payload["case"]["state"], payload["case"]["round"]) == ("DISPATCHED", 2)
    assert payload["case"]["assignments"][-1]["unit"]["code"] == "swj"


def test_registering_the_same_call_again_returns_the_same_case(gql, world):
    # given a call registered once
    first = act(gql, world.dispatcher, "registerCase", input=INTAKE)

    # when it is registered again with the same id in the channel
    again = act(gql, world.dispatcher, "registerCase", input=INTAKE)

    # then it is the same case
    assert again["errors"] == [] and again["case"]["number"] == first["case"]["number"]
    assert Case.objects.count() == 1


@pytest.fixture
def template(db):
    return ReplyTemplate.objects.create(
        title="路灯维修", body="{{ citizen_name }}您好，您反映的{{ case_number }}号诉求已处理。", keywords="路灯",
    )


def test_a_reply_from_a_template_is_filled_in_for_the_case_and_counted(gql, world, flow, template):
    # given a case in hand at the department
    case = flow.handling()

    # when its handler replies with a reply template and no text of their own
    payload = act(gql, world.dept_handler, "replyCase", number=case.number, replyTemplate=str(template.pk))

    # then the reply is the template filled in for this case (the citizen's name masked), and its use counted
    assert payload["errors"] == []
    assert Case.objects.get(pk=case.pk).reply == f"张*您好，您反映的{case.number}号诉求已处理。"
    template.refresh_from_db()
    assert template.usage_count == 1


def test_a_reply_written_from_a_template_keeps_the_written_text(gql, world, flow, template):
    # given a case in hand at the department
    case = flow.handling()

    # when its handler sends the text they wrote from a template
    payload = act(gql, world.dept_handler, "replyCase", number=case.number, reply="已处理，谢谢。",
                  replyTemplate=str(template.pk))

    # then the written text is the reply, and the template's use is counted
    assert payload["case"]["reply"] == "已处理，谢谢。"
    template.refresh_from_db()
    assert template.usage_count == 1


def test_a_consultation_answered_on_the_spot_may_wait_for_a_return_visit(gql, world, flow):
    # given a received consultation
    case = flow.received(case_type="consultation")

    # when a dispatcher answers it on the spot without closing it
    payload = act(gql, world.dispatcher, "answerOnTheSpot", number=case.number, answer="可在政务服务网办理。",
                  close=False)

    # then it is replied with that answer, waiting for its return visit
    assert payload["errors"] == []
    assert (payload["case"]["state"], payload["case"]["reply"]) == ("REPLIED", "可在政务服务网办理。")


def test_merged_duplicates_point_to_the_primary_case(gql, world, flow):
    # given the same matter received twice
    primary, duplicate = flow.received(), flow.received()

    # when a dispatcher merges the second into the first
    payload = act(gql, world.dispatcher, "mergeCases", primary=primary.number, duplicates=[duplicate.number],
                  note="同一路灯。")

    # then the primary comes back, and the duplicate is merged into it
    assert payload["errors"] == [] and payload["case"]["number"] == primary.number
    merged = Case.objects.get(pk=duplicate.pk)
    assert (merged.state, merged.merged_into_id) == (CaseState.MERGED, primary.pk)


def test_a_citizen_asked_for_more_information_answers_and_the_case_resumes(gql, world, flow):
    # given a dispatched case
    case = flow.dispatched()

    # when the centre asks the citizen once for what is missing, and the citizen answers
    act(gql, world.dispatcher, "requestInfo", number=case.number, missing="请补充具体门牌号。")
    payload = act(gql, world.dispatcher, "resumeCase", number=case.number, information="门牌号为12号。")

    # then both steps are in the dossier and the case is still dispatched
    assert payload["errors"] == [] and payload["case"]["state"] == "DISPATCHED"
    assert actions(payload)[-2:] == ["request_info", "resume"]


def operation(name):
    return (Path(settings.BASE_DIR) / "graphql" / "operations" / f"{name}.graphql").read_text(encoding="utf-8")


def test_the_documented_operations_take_a_case_through_its_life(gql, world):
    # given the example operations of graphql/operations with their default variables
    def run(name, user, **variables):
        body = gql(operation(name), variables, user=user)
        assert "errors" not in body, body
        payload = next(iter(body["data"].values()))
        assert payload["errors"] == [], payload
        return payload["case"]

    # when a dispatcher registers a call and dispatches it, the department signs and replies,
    # and the centre's visitor records a satisfied return visit
    number = run("register_case", world.dispatcher)["number"]
    dispatched = run("dispatch_case", world.dispatcher, number=number)
    signed = run("sign_case", world.dept_handler, number=number, expectedVersion=dispatched["version"])
    replied = run("reply_case", world.dept_handler, number=number)
    closed = run("record_return_visit", world.visitor, number=number)

    # then each step did what its comment says
    assert [a["unit"]["code"] for a in dispatched["assignments"]] == ["zjj"]
    assert (signed["state"], replied["state"], closed["state"]) == ("HANDLING", "REPLIED", "CLOSED")
    assert closed["returnVisits"][0]["satisfaction"] == "satisfied"


def test_two_mutations_in_one_document_each_return_the_case_as_it_is_after_them(gql, world, flow):
    # given a dispatched case
    case = flow.dispatched()

    # when the handler signs it and replies in one document
    body = gql(
        """mutation($n: String!) {
          a: signCase(number: $n) { case { state assignments { state } } errors { code } }
          b: replyCase(number: $n, reply: "已修复。") { case { state assignments { state } } errors { code } }
        }""",
        {"n": case.number}, user=world.dept_handler,
    )

    # then each answer shows the case after its own action, not a cached earlier read
    assert body["data"]["a"]["case"]["assignments"][0]["state"] == "signed"
    assert body["data"]["b"]["errors"] == []
    assert body["data"]["b"]["case"]["state"] == "REPLIED"
    assert body["data"]["b"]["case"]["assignments"][0]["state"] == "replied"
