"""Confidential cases only for named roles, and masked data that no list,
search or export gives away: the admin's case list (its search by phone
or address, its titles and their export) and the staff API's ``cases``."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from casemodels.services import dispatch_case, sign_case
from casemodels.services.visibility import sees_personal_data, visible_cases

pytestmark = pytest.mark.django_db

PHONE = "13911112222"
ADDRESS = "幸福路88号3栋201"


def login(client, user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    return user


@pytest.fixture
def secret(world, flow):
    """A confidential report received by the centre, dispatched to the
    department and signed for there; the reporter's phone is in its title."""
    case = flow.received(citizen_name="李四", citizen_phone=PHONE, address=ADDRESS, is_confidential=True,
                         title=f"举报排污，联系电话{PHONE}", content="举报某单位违规排放污水，请为我保密。")
    case = dispatch_case(case, acting_user=world.dispatcher, unit=world.dept)
    return sign_case(case, acting_user=world.dept_handler)


def test_only_roles_that_see_confidential_cases_see_them_above_the_unit_holding_them(world, secret):
    # the centre's dispatcher and supervisor (roles that see confidential cases) see it in full
    for user in (world.dispatcher, world.supervisor):
        assert visible_cases(user).filter(pk=secret.pk).exists()
        assert sees_personal_data(user, secret)
    # the department holding it sees it, masked; its sister department does not see it
    assert visible_cases(world.dept_handler).filter(pk=secret.pk).exists()
    assert not sees_personal_data(world.dept_handler, secret)
    assert not visible_cases(world.dept2_handler).filter(pk=secret.pk).exists()
    # the centre's return visitor (a role without confidential cases) does not see it
    assert not visible_cases(world.visitor).filter(pk=secret.pk).exists()


def test_the_case_list_search_cannot_confirm_a_masked_phone_or_address(client, world, secret):
    login(client, world.dept_handler)
    url = reverse("cases:index")
    assert secret.number in client.get(url).content.decode()  # the department sees the case
    for text in (PHONE, "幸福路88号", PHONE[-4:]):
        html = client.get(url, {"q": text}).content.decode()
        assert secret.number not in html, text
    # by its number it is found
    assert secret.number in client.get(url, {"q": secret.number}).content.decode()


def test_the_case_list_search_by_phone_works_for_who_may_read_it(client, world, secret):
    login(client, world.dispatcher)
    html = client.get(reverse("cases:index"), {"q": PHONE}).content.decode()
    assert secret.number in html


def test_the_case_list_and_its_export_mask_titles_for_who_reads_them_masked(client, world, secret):
    login(client, world.dept_handler)
    html = client.get(reverse("cases:index")).content.decode()
    assert secret.number in html and PHONE not in html
    export = client.get(reverse("cases:index"), {"export": "csv"})
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert secret.number in body and PHONE not in body
    login(client, world.dispatcher)
    assert PHONE in client.get(reverse("cases:index")).content.decode()


def test_the_api_case_list_masks_and_hides_confidential_cases(world, secret):
    client = Client()
    query = "{ cases(first: 50) { edges { node { number title citizen { phone masked } } } } }"
    for user, visible, masked in ((world.dept_handler, True, True), (world.dept2_handler, False, None),
                                  (world.visitor, False, None), (world.dispatcher, True, False)):
        client.force_login(user)
        response = client.post("/graphql/", data=json.dumps({"query": query}), content_type="application/json")
        nodes = [e["node"] for e in response.json()["data"]["cases"]["edges"]]
        mine = [n for n in nodes if n["number"] == secret.number]
        assert bool(mine) == visible, user
        if mine:
            assert mine[0]["citizen"]["masked"] is masked
            assert (PHONE in json.dumps(mine[0], ensure_ascii=False)) is not masked
