"""Every configuration screen and the case list open in the Wagtail admin,
list, search, filter and export; cases cannot be edited around the services."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.text import capfirst
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


@pytest.fixture
def config_rows(db):
    """One row of each knowledge, warning and assessment model."""
    from snippets.models import AssessmentScheme, DirectoryItem, DutyBoundary, ReplyTemplate, WarningRule

    unit = Unit.objects.create(name="住房和城乡建设局", code="zjj", kind=Unit.Kind.DEPARTMENT, level=Level.CITY)
    item = DirectoryItem.objects.create(
        name="物业服务质量", code="C0601", routing=DirectoryItem.Routing.SECTOR, sector_unit=unit,
    )
    template = ReplyTemplate.objects.create(title="物业服务答复口径", keywords="物业", body="您好，{{ case_number }}已受理。")
    template.directory_items.set([item])
    boundary = DutyBoundary.objects.create(matter="物业服务监管", lead_unit=unit, legal_basis="《物业管理条例》")
    boundary.directory_items.set([item])
    rule = WarningRule.objects.create(
        name="答复临期黄灯", kind=WarningRule.Kind.NEAR_DUE, deadline="reply", share_elapsed=80,
    )
    scheme = AssessmentScheme.objects.create(name="部门月度考评", unit_kind=Unit.Kind.DEPARTMENT)
    return {m.__class__: m for m in (item, template, boundary, rule, scheme)}


NEW_SCREENS = ["ReplyTemplate", "DutyBoundary", "WarningRule", "AssessmentScheme", "DirectoryItem"]


@pytest.mark.parametrize("name", NEW_SCREENS)
def test_knowledge_warning_and_assessment_screens_open(admin_client, config_rows, name):
    # given one saved row of the model
    obj = next(o for cls, o in config_rows.items() if cls.__name__ == name)
    viewset = type(obj).snippet_viewset
    pages = {
        "list": reverse(viewset.get_url_name("list")),
        "add": reverse(viewset.get_url_name("add")),
        "edit": reverse(viewset.get_url_name("edit"), args=[obj.pk]),
        "inspect": reverse(viewset.get_url_name("inspect"), args=[obj.pk]),
        "history": reverse(viewset.get_url_name("history"), args=[obj.pk]),
    }
    # when each screen is asked for, then each answers
    for page, url in pages.items():
        assert admin_client.get(url).status_code == 200, page
    # and the list is titled with the model's (translatable) plural name and shows the row
    listing = admin_client.get(pages["list"]).content.decode()
    assert str(capfirst(type(obj)._meta.verbose_name_plural)) in listing
    assert str(obj) in listing
    exported = admin_client.get(pages["list"], {"export": "csv"})
    csv_text = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert exported.status_code == 200 and str(obj) in csv_text


def test_configuration_menus_a_centre_recognises(rf, db):
    from django.utils import translation
    from wagtail.admin.menu import admin_menu

    request = rf.get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    with translation.override("en"):
        menus = {str(item.label): item for item in admin_menu.menu_items_for_request(request)}
        submenus = {
            name: {str(i.label) for i in menus[name].menu.menu_items_for_request(request)}
            for name in ("Basic configuration", "Dispatch directory", "Time limits and calendar",
                         "Knowledge base", "Warnings and assessment")
        }
    assert {"Reply templates", "Duty boundaries"} <= submenus["Knowledge base"]
    assert {"Warning rules", "Assessment schemes"} <= submenus["Warnings and assessment"]
    assert "Dispatch directory" in submenus["Dispatch directory"]


def test_reply_template_search_finds_chinese_keywords(admin_client, config_rows):
    from snippets.models import ReplyTemplate

    url = reverse(ReplyTemplate.snippet_viewset.get_url_name("list"))
    found = admin_client.get(url, {"q": "物业"}).content.decode()
    missed = admin_client.get(url, {"q": "供暖"}).content.decode()
    assert "物业服务答复口径" in found
    assert "物业服务答复口径" not in missed


def directory_item_form(item, **changes):
    data = {
        "name": item.name, "code": item.code, "parent": item.parent_id or "", "routing": item.routing,
        "sector_unit": item.sector_unit_id or "", "territorial_level": item.territorial_level or "",
        "keywords": item.keywords, "default_case_type": item.default_case_type,
        "default_urgency": item.default_urgency, "sort_order": item.sort_order, "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_editing_a_directory_item_keeps_a_revision_and_a_history_entry(admin_client, config_rows):
    from wagtail.models import ModelLogEntry, Revision

    from snippets.models import DirectoryItem

    item = config_rows[DirectoryItem]
    viewset = DirectoryItem.snippet_viewset
    # when an administrator renames the item through the admin edit screen
    response = admin_client.post(
        reverse(viewset.get_url_name("edit"), args=[item.pk]), directory_item_form(item, name="物业服务"),
    )
    # then it is saved, with a revision and a log entry, and the history lists the change
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.name == "物业服务"
    revisions = Revision.objects.for_instance(item)
    assert revisions.count() == 1
    assert revisions.get().content["name"] == "物业服务"
    assert item.latest_revision_id == revisions.get().pk
    assert ModelLogEntry.objects.for_instance(item).filter(action="wagtail.edit").exists()
    history = admin_client.get(reverse(viewset.get_url_name("history"), args=[item.pk]))
    assert history.status_code == 200
    assert "root" in history.content.decode()
