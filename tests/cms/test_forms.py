"""The citizen's forms on the site: submitting a request (the web channel)
and tracking a case by number and query code."""

import json
import re

import pytest
from django.forms.models import apply_limit_choices_to_to_formfield
from django.test import Client
from django.utils import translation

from casemodels.models import Case, CaseEvent
from casemodels.services import dispatch_case, reply_case, sign_case
from cms.models import SubmitRequestPage
from snippets.models import Channel

GOOD = {
    "case_type": "complaint", "title": "", "content": "建设南路天桥附近井盖破损，非常危险。",
    "citizen_name": "张三丰", "citizen_phone": "13812341234", "address": "建设南路12号楼3单元",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def text_of(response):
    html = re.sub(r"<(script|style|svg).*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def field_errors(response, name):
    """The error messages shown next to one field."""
    form = response.context["form"]
    return [str(message) for message in form.errors.get(name, [])]


# --- submitting ----------------------------------------------------------------------------------

def test_a_request_is_registered_on_the_pages_channel_and_its_number_and_code_shown_once(client, world_site, world):
    # when a citizen submits the form
    response = client.post(world_site.submit.url, GOOD)
    # then the case is registered as a public submission on the page's channel, and the browser is sent back (PRG)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == world_site.submit.url
    assert (case.channel, case.created_by, case.owner_unit) == (world.web, None, world.centre)
    assert (case.citizen_phone, case.address, case.is_anonymous) == ("13812341234", GOOD["address"], False)
    # the next page shows the number and the query code, with a link to track it, and is not to be cached
    shown = client.get(world_site.submit.url)
    html = shown.content.decode()
    assert f"<dd data-case-number>{case.number}</dd>" in html
    assert f"<dd data-query-code>{case.query_code}</dd>" in html
    assert f'href="{world_site.track.url}?number={case.number}"' in html
    assert "no-store" in shown["Cache-Control"]
    # and only once: reloading shows the empty form
    again = client.get(world_site.submit.url).content.decode()
    assert case.query_code not in again and case.number not in again
    assert 'name="content"' in again


def test_the_form_needs_content_and_a_phone_unless_anonymous_and_writes_nothing(client, world_site):
    # when the content is blank and there is no phone number
    response = client.post(world_site.submit.url, {**GOOD, "content": "   ", "citizen_phone": ""})
    # then both fields say what is missing, the other answers are kept, and nothing is written
    assert response.status_code == 400
    assert field_errors(response, "content") == ["Describe your request."]
    assert field_errors(response, "citizen_phone") == [
        "Give a phone number to be reached at, or choose to stay anonymous."]
    assert 'value="张三丰"' in response.content.decode()
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_refusal_of_the_service_shows_next_to_its_field(client, world_site):
    # when the phone number is not one (the service checks it)
    response = client.post(world_site.submit.url, {**GOOD, "citizen_phone": "12345abc"})
    # then the service's message shows on the phone field, and nothing is written
    assert response.status_code == 400
    assert field_errors(response, "citizen_phone") and "phone" in field_errors(response, "citizen_phone")[0].lower()
    assert not Case.objects.exists()


def test_an_unknown_case_type_is_refused_by_the_form(client, world_site):
    response = client.post(world_site.submit.url, {**GOOD, "case_type": "gossip"})
    assert response.status_code == 400 and field_errors(response, "case_type")
    assert not Case.objects.exists()


def test_an_anonymous_request_keeps_no_name_or_phone(client, world_site):
    # when a citizen stays anonymous but typed a name and a number before ticking the box
    client.post(world_site.submit.url, {**GOOD, "is_anonymous": "on", "is_confidential": "on"})
    # then the case is anonymous and confidential, with neither name nor phone
    case = Case.objects.get()
    assert (case.is_anonymous, case.is_confidential, case.citizen_name, case.citizen_phone) == (True, True, "", "")


def test_too_many_submissions_from_one_address_are_throttled_with_the_api(client, world_site, settings):
    # given a limit of two submissions an hour per address, one of them used through the API
    settings.MINSHENG_SUBMIT_LIMIT = 2
    api = client.post("/graphql/", data=json.dumps({
        "query": 'mutation { submitCase(input: {channel: "web", caseType: "help", content: "问题一", '
                 'citizenPhone: "13812341234"}) { errors { code } } }'}), content_type="application/json",
        REMOTE_ADDR="10.0.0.7")
    assert api.json()["data"]["submitCase"]["errors"] == []
    assert client.post(world_site.submit.url, GOOD, REMOTE_ADDR="10.0.0.7").status_code == 302
    # when a third comes from the same address
    response = client.post(world_site.submit.url, {**GOOD, "content": "第三个问题"}, REMOTE_ADDR="10.0.0.7")
    # then it is refused with a clear message and nothing is written; another address is not held up
    assert response.status_code == 429
    assert "Too many requests were submitted from your address" in text_of(response)
    assert Case.objects.count() == 2
    assert client.post(world_site.submit.url, GOOD, REMOTE_ADDR="10.0.0.8").status_code == 302


def test_a_page_on_a_channel_closed_to_the_public_takes_no_request(client, world_site, world):
    # given the page's channel no longer open to the public
    Channel.objects.filter(pk=world.web.pk).update(is_public=False)
    # when a request is posted, then it is refused and nothing is written
    response = client.post(world_site.submit.url, GOOD)
    assert response.status_code == 503
    assert "does not take requests at the moment" in text_of(response)
    assert not Case.objects.exists()


def test_the_channel_choice_offers_active_public_channels_only(world_site, world):
    # given a public channel no longer active
    closed = Channel.objects.create(name="旧网站", code="old-web", is_public=True, is_active=False)
    # then the page's channel field offers the public web channel only
    formfield = SubmitRequestPage._meta.get_field("channel").formfield()
    apply_limit_choices_to_to_formfield(formfield)
    assert list(formfield.queryset) == [world.web]
    assert world.hotline not in formfield.queryset and closed not in formfield.queryset


def test_posting_without_the_csrf_token_is_refused(world_site):
    client = Client(enforce_csrf_checks=True)
    assert client.post(world_site.submit.url, GOOD).status_code == 403
    assert client.post(world_site.track.url, {"number": "MS1", "query_code": "ABCDEFGH"}).status_code == 403
    assert not Case.objects.exists()


# --- tracking ------------------------------------------------------------------------------------

@pytest.fixture
def replied(world, flow):
    """A web case, dispatched, signed for and replied, the reply naming the citizen and her phone."""
    case = flow.received(acting_user=None, channel=world.web, citizen_name="李梅", citizen_phone="13912345678",
                         address="米山镇米西村3组15号", title="米西村路灯不亮")
    case = dispatch_case(case, acting_user=world.dispatcher, unit=world.dept)
    case = sign_case(case, acting_user=world.dept_handler)
    return reply_case(case, acting_user=world.dept_handler, reply="已联系李梅（13912345678），路灯已修复。")


def test_the_right_number_and_code_show_the_case_masked_in_public_wording(client, world_site, replied):
    # when the citizen posts the number and the code (in lower case, with spaces)
    code = " ".join(replied.query_code.lower())
    response = client.post(world_site.track.url, {"number": replied.number, "query_code": code})
    html, text = response.content.decode(), text_of(response)
    # then the state, the steps and the reply show, personal data masked, and the code is not echoed back
    assert response.status_code == 200
    assert "米西村路灯不亮" in text and "<strong data-case-state>Replied</strong>" in html
    assert [step in text for step in ("Received", "Dispatched", "Handling")] == [True, True, True]
    assert "139****5678" in text and "13912345678" not in html
    assert "李梅" not in html and "李*" in text
    assert "3组15号" not in html
    assert replied.query_code not in html
    assert "no-store" in response["Cache-Control"]


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(client, world_site, replied):
    wrong = "AAAAAAAA" if replied.query_code != "AAAAAAAA" else "BBBBBBBB"
    with_wrong_code = client.post(world_site.track.url, {"number": replied.number, "query_code": wrong})
    unknown_number = client.post(world_site.track.url, {"number": "MS2099010199999", "query_code": wrong})
    message = "No case matches this number and query code."
    assert with_wrong_code.status_code == unknown_number.status_code == 200
    assert message in text_of(with_wrong_code) and message in text_of(unknown_number)
    assert "米西村路灯不亮" not in text_of(with_wrong_code)


def test_too_many_wrong_codes_are_throttled_with_a_clear_message(client, world_site, replied):
    # given ten wrong attempts on the case
    for _i in range(10):
        client.post(world_site.track.url, {"number": replied.number, "query_code": "WRONG234"})
    # when the right code comes next, then it is refused for now, saying so
    response = client.post(world_site.track.url, {"number": replied.number, "query_code": replied.query_code})
    assert response.status_code == 429
    assert "Too many attempts" in text_of(response)
    assert "米西村路灯不亮" not in text_of(response)


def test_the_track_page_takes_the_number_from_the_address_but_never_the_code(client, world_site, replied):
    response = client.get(world_site.track.url, {"number": replied.number, "query_code": replied.query_code})
    html = response.content.decode()
    assert f'value="{replied.number}"' in html
    assert replied.query_code not in html and 'method="post"' in html
