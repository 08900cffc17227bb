"""The workbench in the Wagtail admin: a list per box with filters, lights and
masked personal data, the menu with counts, bulk dispatch and sign, and the
home panels."""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from casemodels.models import Case, CaseState
from casemodels.services import sign_case
from casemodels.services.inbox import get_box
from snippets.models import DirectoryItem, Role
from tests.factories import DirectoryItemFactory

from .conftest import snapshot


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def box_url(key, **params):
    url = reverse(f"workbench:{key}")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def bulk_url(action, *cases, next_url="/admin/"):
    ids = "&".join(f"id={c.pk}" for c in cases)
    return f"{reverse('wagtail_bulk_action', args=['casemodels', 'case', action])}?{ids}&next={next_url}"


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_box_lists_its_cases_with_links_to_the_case_page(world, flow, login):
    case = flow.received()
    other = flow.dispatched(unit=world.dept)
    response = login(world.dispatcher).get(box_url("to_dispatch"))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and other.number not in html
    assert reverse("cases:inspect", args=[case.pk]) in html
    # the results-only view (the admin's filter refresh) answers too
    assert login(world.dispatcher).get(reverse("workbench:to_dispatch_results")).status_code == 200


def refused(response):
    """Wagtail answers a PermissionDenied in the admin with a redirect home."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_a_box_that_does_not_apply_is_refused(world, flow, login):
    case = flow.received()
    response = login(world.dept_handler).get(box_url("to_dispatch"))
    assert refused(response)
    assert case.number not in response.content.decode()
    assert refused(login(world.visitor).get(box_url("to_sign")))


def test_filters_by_channel_case_type_directory_item_region_and_dates(world, flow, login, clock):
    group = DirectoryItemFactory(name="市政设施")
    item = DirectoryItemFactory(name="路灯不亮", code="SZ-01", parent=group, routing=DirectoryItem.Routing.SECTOR,
                                sector_unit=world.dept)
    hotline = flow.received(case_type="complaint", directory_item=item, region=world.village_a_r)
    clock.move_to(datetime.datetime(2025, 10, 9, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    web = flow.received(channel=world.web, case_type="help")
    client = login(world.dispatcher)

    def listed(**params):
        html = client.get(box_url("to_dispatch", **params)).content.decode()
        return {c.number for c in (hotline, web) if c.number in html}

    assert listed() == {hotline.number, web.number}
    assert listed(channel=world.web.pk) == {web.number}
    assert listed(case_type="complaint") == {hotline.number}
    # a directory class matches the items below it; an item by code or name
    assert listed(directory_class=group.pk) == {hotline.number}
    assert listed(directory_item="SZ-0") == {hotline.number}
    assert listed(directory_item="路灯") == {hotline.number}
    assert listed(directory_item="燃气") == set()
    # a township matches the villages below it
    assert listed(region=world.town_a_r.pk) == {hotline.number}
    assert listed(region=world.town_b_r.pk) == set()
    assert listed(received_at_from="2025-10-01") == {web.number}
    assert listed(received_at_to="2025-09-30") == {hotline.number}
    assert listed(q=web.number) == {web.number}


def test_the_light_column_shows_red_for_an_overdue_case(world, flow, login, clock):
    case = flow.dispatched(unit=world.dept)
    clock.move_to(Case.objects.get(pk=case.pk).sign_due + datetime.timedelta(hours=1))
    html = login(world.dept_handler).get(box_url("overdue")).content.decode()
    assert case.number in html
    assert "inbox-light--red" in html


def test_personal_data_is_masked_for_roles_that_may_not_see_it(world, flow, login):
    Role.objects.filter(code="visitor").update(sees_personal_data=False)
    case = flow.replied(citizen_name="王小明", citizen_phone="13912345678", title="王小明反映路灯问题，电话13912345678")
    masked = login(world.visitor).get(box_url("to_visit")).content.decode()
    assert case.number in masked
    assert "13912345678" not in masked and "王小明" not in masked
    assert "139****5678" in masked and "王**" in masked
    clear = login(world.dispatcher).get(box_url("to_visit")).content.decode()
    assert "13912345678" in clear and "王小明" in clear


def menu_text(html):
    """The admin menu's labels as plain text (the sidebar's JSON, decoded)."""
    found = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    return json.dumps(json.loads(found.group(1)), ensure_ascii=False)


def label(key, count):
    with translation.override("zh-hans"):
        return translation.gettext("%(box)s (%(count)s)") % {"box": get_box(key).label, "count": count}


def test_the_menu_shows_the_boxes_with_their_counts(world, flow, login):
    flow.received()
    flow.received()
    menu = menu_text(login(world.dispatcher).get(reverse("wagtailadmin_home")).content.decode())
    assert label("to_dispatch", 2) in menu
    assert label("extensions", 0) in menu
    handler_menu = menu_text(login(world.dept_handler).get(reverse("wagtailadmin_home")).content.decode())
    assert label("to_sign", 0) in handler_menu and label("to_dispatch", 0)[:-3] not in handler_menu


def test_bulk_dispatch_to_a_chosen_unit(world, flow, login):
    first, second = flow.received(), flow.received()
    client = login(world.dispatcher)
    confirm = client.get(bulk_url("dispatch", first, second))
    assert confirm.status_code == 200 and first.number in confirm.content.decode()
    response = client.post(bulk_url("dispatch", first, second), {"unit": world.town_a.pk}, follow=True)
    assert response.status_code == 200
    for case in (first, second):
        case = Case.objects.get(pk=case.pk)
        assert case.state == CaseState.DISPATCHED
        assert case.assignments.get().unit == world.town_a
    assert any("2" in m and first.number in m for m in messages_of(response))


def test_bulk_dispatch_by_the_directory_reports_each_failure_and_keeps_the_successes(world, flow, login):
    item = DirectoryItemFactory(routing=DirectoryItem.Routing.SECTOR, sector_unit=world.dept)
    routed = flow.received(directory_item=item)
    unrouted = flow.received()
    before = snapshot(unrouted)
    response = login(world.dispatcher).post(bulk_url("dispatch", routed, unrouted), {"unit": ""}, follow=True)
    assert Case.objects.get(pk=routed.pk).state == CaseState.DISPATCHED
    assert snapshot(unrouted) == before
    texts = messages_of(response)
    assert any(routed.number in m for m in texts)
    # one message for the success, one naming the refused case with the service's reason
    assert len(texts) == 2
    refusal = next(m for m in texts if unrouted.number in m)
    assert routed.number not in refusal and len(refusal) > len(unrouted.number) + 5


def test_bulk_sign_signs_what_is_in_the_box_and_leaves_the_rest(world, flow, login):
    first = flow.dispatched(unit=world.dept)
    second = flow.dispatched(unit=world.dept)
    sign_case(second, acting_user=world.dept_handler)  # signed meanwhile: no longer in the box
    client = login(world.dept_handler)
    confirm = client.get(bulk_url("sign", first, second)).content.decode()
    with translation.override("zh-hans"):
        assert gettext("These cases are not in this box (any more) and will be left alone:") in confirm
    client.post(bulk_url("sign", first, second))
    assert Case.objects.get(pk=first.pk).state == CaseState.HANDLING


def test_bulk_actions_on_another_units_cases_are_not_found(world, flow, login):
    theirs = flow.dispatched(unit=world.dept)
    before = snapshot(theirs)
    client = login(world.town_b_handler)
    assert client.get(bulk_url("sign", theirs)).status_code == 404
    assert client.post(bulk_url("sign", theirs)).status_code == 404
    received = flow.received()
    assert login(world.town_b_dispatcher).post(bulk_url("dispatch", received), {"unit": ""}).status_code == 404
    assert snapshot(theirs) == before
    assert Case.objects.get(pk=received.pk).state == CaseState.RECEIVED


def test_the_home_page_has_the_workbench_panels(world, flow, login, clock):
    case = flow.dispatched(unit=world.dept)
    clock.move_to(Case.objects.get(pk=case.pk).sign_due + datetime.timedelta(hours=1))
    flow.received()
    flow.received(channel=world.web)
    html = login(world.dispatcher).get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="workbench-deadlines' in html and 'id="workbench-today-intake' in html
    assert reverse("workbench:overdue") in html
    assert "网站" in html and "12345热线" in html
    visitor = login(world.visitor).get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="workbench-visit-queue' in visitor and 'id="workbench-today-intake' not in visitor
