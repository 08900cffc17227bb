"""The intake desk (受理登记): the live-suggestion endpoint, registering a
case, refusals that register nothing, and answering a consultation on the spot."""

import re

import pytest
from django.urls import reverse

from casemodels.models import Case, CaseState
from snippets.models import DirectoryItem, DutyBoundary, ReplyTemplate
from tests.factories import DirectoryItemFactory

from .test_case_page import login, message_texts


@pytest.fixture
def knowledge(world):
    item = DirectoryItemFactory(name="路灯维修", keywords="路灯,不亮", routing=DirectoryItem.Routing.SECTOR,
                                sector_unit=world.dept)
    template = ReplyTemplate.objects.create(
        title="路灯报修", keywords="路灯", case_type="", body="您好，{{ case_number }}已受理，{{ centre }}将转住建局。",
    )
    boundary = DutyBoundary.objects.create(matter="城市道路照明", lead_unit=world.dept, legal_basis="《城市照明管理规定》")
    boundary.directory_items.set([item])
    boundary.co_units.set([world.dept2])
    return item, template, boundary


def suggest(client, **params):
    return client.get(reverse("cases:intake_suggest"), params)


def form_data(world, **overrides):
    data = {
        "channel": world.hotline.pk, "case_type": "complaint", "urgency": "", "title": "",
        "content": "米山镇米西村路灯不亮，晚上很黑。", "address": "米西村村口", "region": world.village_a_r.pk,
        "citizen_name": "李四", "citizen_phone": "13900001111", "citizen_id_number": "", "directory_item": "",
        "external_id": "", "answer": "", "template": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not False}


# --- Suggestions ----------------------------------------------------------------------------

def test_the_endpoint_suggests_items_units_similar_cases_templates_and_boundaries(client, world, flow, knowledge):
    # given a directory item, a reply template, a duty boundary and an earlier call from the same phone
    item, template, _boundary = knowledge
    earlier = flow.received(citizen_phone="13900001111", content="上周反映过的路灯问题")
    login(client, world.dispatcher)
    # when the call-taker types about a street light, with the phone and the picked item
    response = suggest(client, content="米西村路灯不亮了", phone="13900001111", directory_item=item.pk,
                       case_type="complaint")
    data = response.json()
    # then the item and its unit, the earlier case, the template and the boundary come back
    assert response.status_code == 200
    assert data["suggestions"][0]["item"]["id"] == item.pk
    assert data["suggestions"][0]["unit"] == {"id": world.dept.pk, "name": world.dept.name}
    assert "路灯" in data["suggestions"][0]["reason"]
    assert [s["number"] for s in data["similar"]] == [earlier.number]
    assert data["similar"][0]["url"] == reverse("cases:inspect", args=[earlier.pk])
    assert [t["id"] for t in data["templates"]] == [template.pk]
    assert data["boundaries"][0]["matter"] == "城市道路照明"
    assert data["boundaries"][0]["co_units"] == [{"id": world.dept2.pk, "name": world.dept2.name}]


def test_similar_cases_are_only_those_the_user_may_see(client, world, flow, knowledge):
    flow.received(citizen_phone="13900001111")
    login(client, world.town_b_dispatcher)
    assert suggest(client, content="路灯不亮", phone="13900001111").json()["similar"] == []


def test_the_endpoint_refuses_anonymous_users_and_staff_without_intake_roles(client, world, flow, knowledge):
    flow.received(citizen_phone="13900001111")
    anonymous = suggest(client, content="路灯不亮", phone="13900001111")
    assert anonymous.status_code in (302, 403)
    assert b"13900001111" not in anonymous.content and b"suggestions" not in anonymous.content
    login(client, world.dept_handler)
    refused = suggest(client, content="路灯不亮", phone="13900001111")
    assert refused.status_code == 403 and "suggestions" not in refused.json()


def test_the_intake_page_is_for_dispatchers_and_in_their_menu(client, world):
    login(client, world.dispatcher)
    response = client.get(reverse("cases:intake"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("cases:intake_suggest") in body and "casemodels/intake.js" in body
    assert f'"url": "{reverse("cases:intake")}"' in client.get(reverse("wagtailadmin_home")).content.decode()
    login(client, world.dept_handler)
    refused = client.get(reverse("cases:intake"))
    # Wagtail turns PermissionDenied into a redirect to the admin home with a message
    assert refused.status_code in (302, 403) and reverse("cases:intake_suggest").encode() not in refused.content
    assert client.post(reverse("cases:intake"), form_data(world)).status_code in (302, 403)
    assert Case.objects.count() == 0
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("cases:intake") not in home
    assert f'"url": "{reverse("cases:index")}"' in home  # the Cases menu still opens the list


# --- Registering -------------------------------------------------------------------------------

def test_registering_goes_to_the_new_case_page_with_its_number_and_query_code(client, world, knowledge):
    item = knowledge[0]
    login(client, world.dispatcher)
    response = client.post(reverse("cases:intake"), form_data(world, directory_item=item.pk, urgency="urgent"))
    case = Case.objects.get(citizen_phone="13900001111")
    assert response.status_code == 302 and response["Location"] == reverse("cases:inspect", args=[case.pk])
    assert any(case.number in m and case.query_code in m for m in message_texts(response))
    assert (case.state, case.channel, case.directory_item, case.region) == (
        CaseState.RECEIVED, world.hotline, item, world.village_a_r,
    )
    assert case.owner_unit == world.centre and case.urgency == "urgent"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"content": ""}, "content"),
    ({"citizen_phone": "12345"}, "citizen_phone"),
    ({"citizen_phone": ""}, "citizen_phone"),
    ({"citizen_id_number": "1234567"}, "citizen_id_number"),
])
def test_bad_input_is_refused_naming_the_field_and_registers_nothing(client, world, overrides, field):
    login(client, world.dispatcher)
    response = client.post(reverse("cases:intake"), form_data(world, **overrides))
    assert response.status_code == 200
    assert Case.objects.count() == 0
    form = response.context["form"]
    assert field in form.errors, form.errors
    label = str(form.fields[field].label)
    assert any(label in m for m in message_texts(response))


# --- Answer on the spot -------------------------------------------------------------------------

def test_a_consultation_is_answered_on_the_spot_from_a_template_and_closed(client, world, knowledge):
    _item, template, _boundary = knowledge
    login(client, world.dispatcher)
    response = client.post(reverse("cases:intake"), form_data(
        world, case_type="consultation", answer_on_the_spot="on", answer=template.body, template=template.pk,
    ))
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.state == CaseState.CLOSED
    assert case.reply == f"您好，{case.number}已受理，{world.centre.name}将转住建局。"
    assert case.events.filter(action="answer").count() == 1
    template.refresh_from_db()
    assert template.usage_count == 1


def test_answering_a_complaint_on_the_spot_is_refused_and_registers_nothing(client, world, knowledge):
    login(client, world.dispatcher)
    response = client.post(reverse("cases:intake"), form_data(
        world, case_type="complaint", answer_on_the_spot="on", answer="已答复",
    ))
    assert response.status_code == 200
    assert Case.objects.count() == 0
    assert "case_type" in response.context["form"].errors


def test_answer_on_the_spot_needs_an_answer(client, world):
    login(client, world.dispatcher)
    response = client.post(reverse("cases:intake"), form_data(world, case_type="consultation",
                                                              answer_on_the_spot="on"))
    assert response.status_code == 200 and Case.objects.count() == 0
    assert "answer" in response.context["form"].errors


def test_a_repeated_external_id_returns_the_case_already_registered(client, world):
    login(client, world.dispatcher)
    data = form_data(world, external_id="HL-001")
    first = client.post(reverse("cases:intake"), data)
    second = client.post(reverse("cases:intake"), data)
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == reverse("cases:inspect", args=[case.pk])
    assert re.search(case.number, " ".join(message_texts(second)))
