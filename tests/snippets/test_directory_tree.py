"""The dispatch directory edited as a tree: drill-down list with
breadcrumbs, move under another category (no cycles), move up and down,
disable and enable instead of delete, each through the services and the
admin screens, each leaving a revision and a history entry."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry, Revision

from snippets.models import DirectoryItem
from snippets.services.directory import (
    deletion_blockers, move_item, reorder_item, set_item_active,
)
from tests.factories import DirectoryItemFactory, PolicyFactory, UnitFactory

# Messages are read by their English words; the zh_Hans catalog is checked in tests/test_config.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_admin")]


@pytest.fixture
def admin(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def tree():
    """供热 (C11) with three items; 供水 (C08) with one; a deeper level under 暖气不热."""
    unit = UnitFactory(name="热力公司")

    def item(name, code, parent, order):
        return DirectoryItemFactory(name=name, code=code, parent=parent, routing="sector", sector_unit=unit,
                                    sort_order=order)

    heating = DirectoryItemFactory(name="供热", code="C11", sort_order=1)
    water = DirectoryItemFactory(name="供水", code="C08", sort_order=2)
    cold = item("暖气不热", "C1101", heating, 1)
    fee = item("供暖收费", "C1102", heating, 2)
    leak = item("供热管网漏水", "C1103", heating, 3)
    stop = item("停水", "C0801", water, 1)
    night = item("夜间不热", "C110101", cold, 1)
    return dict(unit=unit, heating=heating, water=water, cold=cold, fee=fee, leak=leak, stop=stop, night=night)


def names_in_order(parent):
    return list(DirectoryItem.objects.filter(parent=parent).order_by("sort_order", "code").values_list("name", flat=True))


def url(name, *args):
    return reverse(DirectoryItem.snippet_viewset.get_url_name(name), args=args)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the tree screen --------------------------------------------------------------------------------

def test_the_list_shows_one_level_with_counts_and_links_down(admin, tree):
    top = admin.get(url("list")).content.decode()
    assert "供热" in top and "供水" in top and "暖气不热" not in top
    assert f"?parent={tree['heating'].pk}" in top  # a link one level down
    level = admin.get(url("list"), {"parent": tree["heating"].pk}).content.decode()
    assert "暖气不热" in level and "供暖收费" in level and "停水" not in level
    assert "1 item below" in level  # 暖气不热 has 夜间不热 below it (English source; zh-hans once translated)


def test_breadcrumbs_name_every_category_above(admin, tree):
    page = admin.get(url("list"), {"parent": tree["cold"].pk}).content.decode()
    assert "夜间不热" in page
    assert f'href="{url("list")}?parent={tree["heating"].pk}"' in page
    assert "供热 / 暖气不热" in page


def test_search_and_export_cover_the_whole_tree(admin, tree):
    found = admin.get(url("list"), {"q": "不热"}).content.decode()
    assert "暖气不热" in found and "夜间不热" in found
    exported = admin.get(url("list"), {"export": "csv"})
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert all(name in text for name in ("供热", "暖气不热", "夜间不热", "停水"))


def test_adding_from_a_level_starts_under_its_category(admin, tree):
    page = admin.get(url("add"), {"parent": tree["heating"].pk}).content.decode()
    assert f'name="parent" value="{tree["heating"].pk}"' in page


# --- move --------------------------------------------------------------------------------------------

def test_move_an_item_under_another_category_through_the_admin(admin, tree):
    response = admin.post(url("tree_move", tree["fee"].pk), {"parent": tree["water"].pk})
    assert response.status_code == 302
    tree["fee"].refresh_from_db()
    assert tree["fee"].parent == tree["water"]
    assert names_in_order(tree["water"]) == ["停水", "供暖收费"]
    assert list(DirectoryItem.objects.filter(parent=tree["heating"]).order_by("sort_order")
                .values_list("sort_order", flat=True)) == [1, 2]  # the old siblings renumbered
    assert ModelLogEntry.objects.for_instance(tree["fee"]).filter(action="minsheng.directory.move").exists()
    assert Revision.objects.for_instance(tree["fee"]).get().content["parent"] == tree["water"].pk
    assert admin.get(url("history", tree["fee"].pk)).status_code == 200


def test_moving_under_itself_or_below_is_refused_with_a_message(admin, tree):
    response = admin.post(url("tree_move", tree["heating"].pk), {"parent": tree["night"].pk})
    assert response.status_code == 200
    assert "cannot be moved under" in response.content.decode() and "夜间不热" in response.content.decode()
    tree["heating"].refresh_from_db()
    assert tree["heating"].parent is None
    with pytest.raises(ValidationError) as refused:
        move_item(tree["cold"], tree["cold"], acting_user=None)
    assert refused.value.error_dict["parent"][0].code == "cycle"


def test_moving_the_last_item_out_of_a_category_is_refused(tree):
    with pytest.raises(ValidationError) as refused:
        move_item(tree["stop"], tree["heating"], acting_user=None)
    assert "供水" in str(refused.value)
    tree["stop"].refresh_from_db()
    assert tree["stop"].parent == tree["water"]


def test_moving_under_a_disabled_category_is_refused(tree):
    closed = DirectoryItemFactory(name="旧分类", code="C99", is_active=False)
    with pytest.raises(ValidationError) as refused:
        move_item(tree["fee"], closed, acting_user=None)
    assert "旧分类" in str(refused.value)


def test_move_to_the_top_level(tree):
    move_item(tree["leak"], None, acting_user=None)
    tree["leak"].refresh_from_db()
    assert tree["leak"].parent is None and names_in_order(None)[-1] == "供热管网漏水"


# --- reorder -----------------------------------------------------------------------------------------

def test_move_up_and_down_renumber_the_siblings(admin, tree):
    nxt = f"{url('list')}?parent={tree['heating'].pk}"
    response = admin.post(url("tree_reorder", tree["leak"].pk, "up"), {"next": nxt})
    assert response.status_code == 302 and response["Location"] == nxt
    assert names_in_order(tree["heating"]) == ["暖气不热", "供热管网漏水", "供暖收费"]
    reorder_item(tree["cold"], "down", acting_user=admin.user)
    assert names_in_order(tree["heating"]) == ["供热管网漏水", "暖气不热", "供暖收费"]
    assert list(DirectoryItem.objects.filter(parent=tree["heating"]).order_by("sort_order")
                .values_list("sort_order", flat=True)) == [1, 2, 3]
    assert ModelLogEntry.objects.filter(action="minsheng.directory.reorder").count() == 2


def test_moving_past_either_end_is_refused_with_a_message(admin, tree):
    response = admin.post(url("tree_reorder", tree["cold"].pk, "up"))
    assert response.status_code == 302
    assert any("already first" in m and "暖气不热" in m for m in messages_of(response))
    with pytest.raises(ValidationError):
        reorder_item(tree["leak"], "down", acting_user=None)


def test_reorder_needs_post_and_the_change_permission(client, tree):
    user = get_user_model().objects.create_user("clerk", password="pw")
    client.force_login(user)
    assert client.post(url("tree_reorder", tree["leak"].pk, "up")).status_code in (302, 403)
    assert names_in_order(tree["heating"]) == ["暖气不热", "供暖收费", "供热管网漏水"]


# --- disable / enable instead of delete --------------------------------------------------------------

def test_disabling_a_category_disables_what_is_below_and_keeps_history(admin, tree):
    page = admin.get(url("tree_active", tree["cold"].pk))
    assert page.status_code == 200 and "暖气不热" in page.content.decode()
    response = admin.post(url("tree_active", tree["cold"].pk))
    assert response.status_code == 302
    assert not DirectoryItem.objects.filter(pk__in=[tree["cold"].pk, tree["night"].pk], is_active=True).exists()
    assert DirectoryItem.objects.filter(pk=tree["cold"].pk).exists()
    assert ModelLogEntry.objects.filter(action="minsheng.directory.disable").count() == 2
    # enabling brings the item back (the one below stays disabled until enabled itself)
    with pytest.raises(ValidationError) as refused:
        set_item_active(tree["night"], True, acting_user=None)
    assert "暖气不热" in str(refused.value)  # under a disabled category
    changed = set_item_active(DirectoryItem.objects.get(pk=tree["cold"].pk), True, acting_user=admin.user)
    assert [i.pk for i in changed] == [tree["cold"].pk]


def test_disabling_the_last_active_item_of_a_category_is_refused(admin, tree):
    response = admin.post(url("tree_active", tree["stop"].pk))
    assert response.status_code == 302
    assert any("供水" in m for m in messages_of(response))
    tree["stop"].refresh_from_db()
    assert tree["stop"].is_active


def test_disabling_an_item_a_policy_applies_to_is_refused_naming_the_policy(tree):
    PolicyFactory(name="供热季时限", directory_item=tree["fee"], limits={"reply": (1, "hours")})
    with pytest.raises(ValidationError) as refused:
        set_item_active(tree["fee"], False, acting_user=None)
    assert "供热季时限" in str(refused.value)
    with pytest.raises(ValidationError):
        set_item_active(tree["heating"], False, acting_user=None)  # the policy's item is below it


def test_enabling_an_item_that_would_route_nowhere_is_refused(tree):
    tree["unit"].is_active = False
    tree["unit"].save()
    DirectoryItem.objects.filter(pk=tree["fee"].pk).update(is_active=False)
    with pytest.raises(ValidationError) as refused:
        set_item_active(DirectoryItem.objects.get(pk=tree["fee"].pk), True, acting_user=None)
    assert "热力公司" in str(refused.value)


def test_an_item_with_items_below_cannot_be_deleted_and_the_screen_says_why(admin, tree):
    assert deletion_blockers(tree["heating"]) == [(str(DirectoryItem._meta.verbose_name_plural), 3)]
    page = admin.get(url("delete", tree["heating"].pk))
    assert page.status_code == 200
    assert "cannot be deleted" in page.content.decode() and "Disable it instead" in page.content.decode()
    response = admin.post(url("delete", tree["heating"].pk))
    assert response.status_code == 302
    assert DirectoryItem.objects.filter(pk=tree["heating"].pk).exists()
    # the listing does not offer delete for it, but does for a leaf
    listing = admin.get(url("list")).content.decode()
    assert url("delete", tree["heating"].pk) not in listing


def test_a_leaf_without_references_can_still_be_deleted(admin, tree):
    response = admin.post(url("delete", tree["night"].pk))
    assert response.status_code == 302
    assert not DirectoryItem.objects.filter(pk=tree["night"].pk).exists()
