"""Staff see the cases of their own unit and the units below it, nothing else."""

import pytest
from django.urls import reverse

from casemodels.services.visibility import visible_cases
from snippets.models import StaffProfile


@pytest.fixture
def cases(world, flow):
    """A case the housing bureau holds, and one a township holds."""
    return {"dept": flow.dispatched(unit=world.dept), "town": flow.dispatched(unit=world.town_a)}


def test_units_see_their_cases_and_the_centre_sees_all(world, cases):
    assert set(visible_cases(world.dept_handler)) == {cases["dept"]}
    assert set(visible_cases(world.town_handler)) == {cases["town"]}
    assert set(visible_cases(world.dispatcher)) == set(cases.values())


def test_an_inactive_profile_sees_nothing(world, cases):
    StaffProfile.objects.filter(user=world.dept_handler).update(is_active=False)
    user = type(world.dept_handler).objects.get(pk=world.dept_handler.pk)
    assert not visible_cases(user).exists()


def test_admin_list_search_export_and_dossier_are_scoped(client, world, cases):
    # given a township handler signed in to the admin
    from django.contrib.auth.models import Permission

    world.town_handler.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(world.town_handler)
    other = cases["dept"]
    listing_response = client.get(reverse("cases:index"))
    assert listing_response.status_code == 200
    listing = listing_response.content.decode()
    by_phone = client.get(reverse("cases:index"), {"q": other.citizen_phone}).content.decode()
    response = client.get(reverse("cases:index"), {"export": "csv"})
    assert response.status_code == 200
    exported = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    dossier = client.get(reverse("cases:inspect", args=[other.pk]))
    # then the housing bureau's case appears nowhere and its dossier is not found
    for page in (listing, by_phone, exported):
        assert other.number not in page
    assert cases["town"].number in listing and cases["town"].number in exported
    assert dossier.status_code == 404
