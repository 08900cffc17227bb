"""办件公开: marking a closed case as publishable (``set_case_public``)."""

import pytest

from casemodels.services.base import InvalidState, NotAllowed
from casemodels.services.publicity import set_case_public
from publishing.published import published_cases


def test_a_centre_supervisor_publishes_a_closed_case_and_can_take_it_back(world, flow):
    case = flow.closed()
    set_case_public(case, True, acting_user=world.supervisor)
    assert list(published_cases().values_list("pk", flat=True)) == [case.pk]
    set_case_public(case, False, acting_user=world.supervisor)
    assert not published_cases().exists()


def test_an_open_or_confidential_case_is_refused_naming_it(world, flow):
    open_case = flow.dispatched()
    with pytest.raises(InvalidState, match=open_case.number):
        set_case_public(open_case, True, acting_user=world.supervisor)
    secret = flow.closed(is_confidential=True)
    with pytest.raises(InvalidState, match=secret.number):
        set_case_public(secret, True, acting_user=world.supervisor)
    secret.refresh_from_db()
    assert not secret.is_public and not published_cases().exists()


def test_a_handling_unit_may_not_publish(world, flow):
    case = flow.closed()
    with pytest.raises(NotAllowed):
        set_case_public(case, True, acting_user=world.dept_handler)
    case.refresh_from_db()
    assert not case.is_public


def test_the_case_page_offers_publish_to_a_supervisor_and_it_works(world, flow, client):
    from django.urls import reverse

    case = flow.closed()
    client.force_login(world.supervisor)
    page = client.get(reverse("cases:inspect", args=[case.pk])).content.decode()
    url = reverse("cases:publish", args=[case.pk])
    assert url in page and reverse("cases:unpublish", args=[case.pk]) not in page
    response = client.post(url, {"expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_public
    # and a handler of the unit is never offered it
    client.force_login(world.dept_handler)
    assert url not in client.get(reverse("cases:inspect", args=[case.pk])).content.decode()
