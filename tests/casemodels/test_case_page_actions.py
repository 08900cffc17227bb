"""Each action form of the case page calls its service and changes the
case; a bad POST shows the error and changes nothing; a stale version gets
the conflict message."""

import pytest
from django.urls import reverse

from casemodels.models import Assignment, CaseEvent, CaseState, Consultation, ExtensionRequest, ReturnRequest
from casemodels.models.requests import ReviewState
from casemodels.services import record_return_visit, request_info
from snippets.models import DirectoryItem, ReplyTemplate
from tests.factories import DirectoryItemFactory

from .conftest import snapshot, states
from .test_case_page import act, fresh, login, message_texts, page


def done(response, case):
    """The action succeeded: back on the case page with a success message."""
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("cases:inspect", args=[case.pk])
    assert any(case.number in m for m in message_texts(response))
    return fresh(case)


def refused(response, case, before, *, text=None):
    """The action was refused: the form is shown again with the error, nothing changed."""
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="error' in body or "error-message" in body
    if text is not None:
        assert text in body
    assert snapshot(case) == before
    return body


# --- Moving the case ---------------------------------------------------------------------

def test_dispatch_with_a_lead_and_a_co_unit(client, world, flow):
    case = flow.received()
    login(client, world.dispatcher)
    case = done(act(client, "dispatch", case, unit=world.dept.pk, co_units=[world.dept2.pk], note="请尽快处理"), case)
    assert case.state == CaseState.DISPATCHED
    assert states(case) == [("zjj", "lead", "pending"), ("swj", "co", "pending")]


def test_the_dispatch_form_preselects_the_directory_routing(client, world, flow):
    item = DirectoryItemFactory(name="路灯维修", routing=DirectoryItem.Routing.SECTOR, sector_unit=world.dept2)
    case = flow.received(directory_item=item)
    login(client, world.dispatcher)
    body = client.get(reverse("cases:dispatch", args=[case.pk])).content.decode()
    assert f'<option value="{world.dept2.pk}" selected>' in body
    # leaving the unit empty dispatches by the routing
    case = done(act(client, "dispatch", case, unit=""), case)
    assert states(case) == [("swj", "lead", "pending")]


def test_sign(client, world, flow):
    case = flow.dispatched()
    login(client, world.dept_handler)
    assert done(act(client, "sign", case), case).state == CaseState.HANDLING


def test_sub_dispatch_to_a_village(client, world, flow):
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    login(client, world.town_handler)
    case = done(act(client, "sub_dispatch", case, unit=world.village_a.pk), case)
    assert case.state == CaseState.DISPATCHED
    assert states(case)[-1] == ("ms-mx", "lead", "pending")


def test_escalate_from_a_village_to_its_township(client, world, flow):
    case = flow.dispatched(unit=world.village_a)
    login(client, world.village_handler)
    case = done(act(client, "escalate", case, reason="涉及多个村，需镇里协调。"), case)
    assert states(case)[-1] == ("ms", "lead", "pending")


def test_request_and_approve_a_return(client, world, flow):
    case = flow.dispatched()
    login(client, world.dept_handler)
    done(act(client, "request_return", case, reason="属于水务局职责。"), case)
    assert ReturnRequest.objects.get(case=case).state == ReviewState.PENDING
    login(client, world.dispatcher)
    case = done(act(client, "review_return", case, approve="yes"), case)
    assert case.state == CaseState.RECEIVED
    assert ReturnRequest.objects.get(case=case).state == ReviewState.APPROVED


def test_request_and_approve_an_extension(client, world, flow):
    case = flow.handling()
    due = case.reply_due
    login(client, world.dept_handler)
    done(act(client, "request_extension", case, working_days=3, reason="需要协调施工队。"), case)
    login(client, world.dispatcher)
    case = done(act(client, "review_extension", case, approve="yes"), case)
    assert ExtensionRequest.objects.get(case=case).state == ReviewState.APPROVED
    assert case.reply_due > due


def test_reply_from_a_template_fills_the_placeholders_and_counts_the_use(client, world, flow):
    # given a case in hand and a matching reply template with placeholders
    case = flow.handling()
    template = ReplyTemplate.objects.create(
        title="路灯维修答复", keywords="路灯", body="您反映的{{ case_number }}号诉求已由{{ unit }}处理。",
    )
    login(client, world.dept_handler)
    # when the handler opens the reply form, the template is offered; picking it fills the reply
    form = client.get(reverse("cases:reply", args=[case.pk])).content.decode()
    assert f'data-template="{template.pk}"' in form
    filled = client.get(reverse("cases:reply", args=[case.pk]), {"template": template.pk}).content.decode()
    text = f"您反映的{case.number}号诉求已由{world.dept.name}处理。"
    assert text in filled
    # and posting it replies and records the template's use
    case = done(act(client, "reply", case, reply=text, template=template.pk), case)
    assert case.state == CaseState.REPLIED and case.reply == text
    template.refresh_from_db()
    assert template.usage_count == 1


def test_return_visit_satisfied_closes_and_archive(client, world, flow):
    case = flow.replied()
    login(client, world.visitor)
    case = done(act(client, "return_visit", case, satisfaction="satisfied", resolved="yes", method="phone",
                    note="市民表示满意", redispatch="on"), case)
    assert case.state == CaseState.CLOSED
    login(client, world.dispatcher)
    assert done(act(client, "archive", case), case).state == CaseState.ARCHIVED


def test_unsatisfied_visit_then_second_dispatch(client, world, flow):
    case = flow.replied()
    record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False,
                        redispatch=False)
    login(client, world.dispatcher)
    case = done(act(client, "redispatch", case, unit=world.dept2.pk, note="改由水务局办理"), case)
    assert case.state == CaseState.DISPATCHED and case.round == 2
    assert states(case)[-1] == ("swj", "lead", "pending")


def test_close_a_replied_case(client, world, flow):
    case = flow.replied()
    login(client, world.dispatcher)
    assert done(act(client, "close", case, note=""), case).state == CaseState.CLOSED


# --- Ending a case early ---------------------------------------------------------------------

def test_answer_a_consultation(client, world, flow):
    case = flow.received(case_type="consultation")
    login(client, world.dispatcher)
    case = done(act(client, "answer", case, answer="公积金提取请携带身份证到大厅办理。", close="on"), case)
    assert case.state == CaseState.CLOSED


def test_merge_duplicates_into_this_case(client, world, flow):
    primary, duplicate = flow.received(), flow.received()
    login(client, world.dispatcher)
    body = client.get(reverse("cases:merge", args=[primary.pk])).content.decode()
    assert duplicate.number in body
    done(act(client, "merge", primary, duplicates=[duplicate.pk], note="同一事项"), primary)
    assert fresh(duplicate).state == CaseState.MERGED and fresh(duplicate).merged_into_id == primary.pk


def test_one_click_merge_from_the_page_of_a_possible_duplicate(client, world, flow):
    # given an older case in hand and a new call from the same phone
    older = flow.dispatched()
    newer = flow.received()
    login(client, world.dispatcher)
    # when the dispatcher opens the new case, the older one is offered as a duplicate
    _status, html = page(client, newer)
    merge_url = reverse("cases:merge", args=[older.pk])
    assert f'action="{merge_url}"' in html and f'data-merge-into="{older.number}"' in html
    # and one click merges the new case into it
    response = client.post(merge_url, {"duplicates": [newer.pk], "expected_version": older.version})
    done(response, older)
    assert fresh(newer).state == CaseState.MERGED and fresh(newer).merged_into_id == older.pk


def test_divert_and_mark_invalid(client, world, flow):
    login(client, world.dispatcher)
    case = flow.received()
    assert done(act(client, "divert", case, route="litigation", note="请通过诉讼途径解决。"), case).state == (
        CaseState.DIVERTED
    )
    case = flow.received()
    assert done(act(client, "invalid", case, reason="骚扰电话"), case).state == CaseState.INVALID


def test_one_time_notice_and_resume(client, world, flow):
    case = flow.dispatched()
    login(client, world.dispatcher)
    case = done(act(client, "request_info", case, missing="请补充具体门牌号。"), case)
    assert case.paused_since is not None
    case = done(act(client, "resume", case, information="门牌号为18号。"), case)
    assert case.paused_since is None and "门牌号为18号" in case.content


def test_hold_a_consultation(client, world, flow):
    case = flow.handling()
    login(client, world.dispatcher)
    done(act(client, "consult", case, level="3", units=[world.dept.pk, world.dept2.pk], topic="路灯归属",
             conclusion="由住建局牵头"), case)
    consultation = Consultation.objects.get(case=case)
    assert consultation.level == 3 and set(consultation.units.all()) == {world.dept, world.dept2}


# --- Refusals ------------------------------------------------------------------------------------

def test_a_missing_field_is_named_and_nothing_changes(client, world, flow):
    case = flow.dispatched()
    before = snapshot(case)
    login(client, world.dept_handler)
    response = act(client, "escalate", case, reason="  ")
    refused(response, case, before)
    assert any("Reason" in m or "理由" in m for m in message_texts(response))


def test_a_service_refusal_lands_on_its_field_and_nothing_changes(client, world, flow):
    # given a return waiting for review
    case = flow.dispatched()
    login(client, world.dept_handler)
    act(client, "request_return", case, reason="不属于本单位。")
    before = snapshot(case)
    # when the dispatcher rejects it without saying why
    login(client, world.dispatcher)
    response = act(client, "review_return", case, approve="no", note="")
    # then the service's message is shown and nothing changed
    refused(response, case, before)
    assert ReturnRequest.objects.get(case=case).state == ReviewState.PENDING


def test_an_extension_out_of_range_is_refused(client, world, flow):
    case = flow.handling()
    before = snapshot(case)
    login(client, world.dept_handler)
    refused(act(client, "request_extension", case, working_days=99, reason="太忙"), case, before)


@pytest.mark.parametrize("who", ["dispatcher", "dept_handler"])
def test_a_stale_version_gets_the_conflict_message(client, world, flow, who):
    # given the handler opened the case page at some version
    case = flow.dispatched()
    seen = case.version
    # when someone else changes the case meanwhile
    request_info(case, acting_user=world.dispatcher, missing="请补充地址。")
    before = snapshot(case)
    login(client, getattr(world, who))
    response = act(client, "sign" if who == "dept_handler" else "consult", case, expected_version=seen,
                   level="3", units=[world.dept.pk], topic="t", conclusion="c")
    # then the form says the case has changed, and nothing was written
    body = refused(response, case, before)
    assert f"{case.number} 在您打开后已发生变化" in body or "has changed since you opened it" in body
    assert CaseEvent.objects.filter(case=case, action__in=["sign", "consult"]).count() == 0


def test_the_wrong_unit_cannot_sign_through_a_forged_post(client, world, flow):
    # given a case dispatched to the housing bureau, seen by the centre's return visitor
    case = flow.dispatched()
    before = snapshot(case)
    login(client, world.visitor)
    # when the visitor forges a sign POST
    response = act(client, "sign", case)
    # then the service refuses and nothing changes
    refused(response, case, before)
    assert Assignment.objects.get(case=case).state == Assignment.State.PENDING
