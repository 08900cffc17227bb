"""Every configuration screen and the case list open in the Wagtail admin,
list, search, filter and export; cases cannot be edited around the services."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.snippets.models import get_snippet_models

from casemodels.services import register_case
from snippets.models import Channel, Level, Unit


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests")
    client.force_login(user)
    return client


@pytest.fixture
def a_case(db):
    Unit.objects.create(name="指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY)
    Channel.objects.create(name="网站", code="web", is_public=True)
    return register_case(
        acting_user=None, channel="web", case_type="help", content="路灯不亮，晚上出行不便。", citizen_phone="13800001111",
    )


SNIPPETS = sorted((m for m in get_snippet_models() if m._meta.app_label == "snippets"), key=lambda m: m.__name__)


@pytest.mark.parametrize("model", SNIPPETS, ids=[m.__name__ for m in SNIPPETS])
def test_configuration_screens_list_search_and_export(admin_client, a_case, model):
    viewset = model.snippet_viewset
    url = reverse(viewset.get_url_name("list"))
    # when the list, a search and a CSV export are asked for
    listing = admin_client.get(url)
    searched = admin_client.get(url, {"q": "中心"})
    exported = admin_client.get(url, {"export": "csv"}) if viewset.list_export else None
    # then each answers, and the export is a CSV file
    assert listing.status_code == 200
    assert searched.status_code == 200
    if exported is not None:
        assert exported.status_code == 200
        assert "text/csv" in exported["Content-Type"]


def test_configuration_models_have_an_add_form(admin_client, db):
    for model in SNIPPETS:
        response = admin_client.get(reverse(model.snippet_viewset.get_url_name("add")))
        assert response.status_code == 200, model.__name__


def test_case_list_and_dossier_open(admin_client, a_case):
    listing = admin_client.get(reverse("cases:index"))
    inspect = admin_client.get(reverse("cases:inspect", args=[a_case.pk]))
    assert listing.status_code == 200 and a_case.number in listing.content.decode()
    assert inspect.status_code == 200 and a_case.number in inspect.content.decode()


def test_cases_cannot_be_added_or_edited_outside_the_services(admin_client, a_case):
    assert admin_client.get(reverse("cases:add")).status_code in (302, 403)
    assert admin_client.get(reverse("cases:edit", args=[a_case.pk])).status_code in (302, 403)


def test_unit_search_finds_by_name_and_code(admin_client, a_case):
    centre = Unit.objects.get(code="centre")
    unit = Unit.objects.create(name="住房和城乡建设局", code="zjj", kind=Unit.Kind.DEPARTMENT, level=Level.CITY,
                               parent=centre)
    url = reverse(Unit.snippet_viewset.get_url_name("list"))
    edit_url = Unit.snippet_viewset.get_url_name("edit")
    by_name = admin_client.get(url, {"q": "住房"}).content.decode()
    by_code = admin_client.get(url, {"q": "zjj"}).content.decode()
    assert reverse(edit_url, args=[unit.pk]) in by_name
    assert reverse(edit_url, args=[centre.pk]) not in by_name
    assert reverse(edit_url, args=[unit.pk]) in by_code
