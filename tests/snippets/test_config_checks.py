"""Configuration that can never work is refused, through the admin add and
edit screens, with a message saying why."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from snippets.models import DirectoryItem, Level, TimeLimitPolicy, Urgency
from snippets.services.config_checks import check_policy, shadowing_policy
from tests.factories import ChannelFactory, DirectoryItemFactory, PolicyFactory, RegionFactory, UnitFactory

# Messages are read by their English words; the zh_Hans catalog is checked in tests/test_config.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_admin")]


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    return client


def add_url(model):
    return reverse(model.snippet_viewset.get_url_name("add"))


def edit_url(obj):
    return reverse(type(obj).snippet_viewset.get_url_name("edit"), args=[obj.pk])


def item_form(**fields):
    data = {"name": "路灯不亮", "code": "X01", "routing": "none", "default_urgency": "normal", "sort_order": "0",
            "is_active": "on"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def page(response):
    return response.content.decode()


# --- directory items that route nowhere ---------------------------------------------------------

def test_an_active_item_without_routing_or_items_below_is_refused(admin_client):
    response = admin_client.post(add_url(DirectoryItem), item_form())
    assert response.status_code == 200
    assert "routes nowhere" in page(response) and "路灯不亮" in page(response)
    assert not DirectoryItem.objects.exists()
    # saved inactive, the new category is accepted (items come later)
    accepted = admin_client.post(add_url(DirectoryItem), item_form(is_active=None))
    assert accepted.status_code == 302
    assert DirectoryItem.objects.get().is_active is False


def test_a_category_with_an_active_item_below_needs_no_routing(admin_client):
    unit = UnitFactory()
    category = DirectoryItemFactory(name="市政设施", code="C02", is_active=False)
    DirectoryItemFactory(parent=category, routing="sector", sector_unit=unit)
    response = admin_client.post(edit_url(category), item_form(name="市政设施", code="C02"))
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.is_active


def test_sector_routing_to_an_inactive_unit_is_refused(admin_client):
    closed = UnitFactory(name="已撤销的旧城管局", is_active=False)
    response = admin_client.post(add_url(DirectoryItem), item_form(routing="sector", sector_unit=closed.pk))
    assert response.status_code == 200
    assert "已撤销的旧城管局" in page(response) and "inactive" in page(response)
    assert not DirectoryItem.objects.exists()


def test_territorial_routing_to_a_level_without_active_units_is_refused(admin_client):
    # given townships answer for regions, but no active unit exists at the village level
    town = RegionFactory(level=Level.TOWNSHIP)
    UnitFactory(level=Level.TOWNSHIP, kind="township", region=town)
    UnitFactory(level=Level.VILLAGE, kind="community", region=RegionFactory(level=Level.VILLAGE), is_active=False)
    refused = admin_client.post(
        add_url(DirectoryItem), item_form(routing="territorial", territorial_level=Level.VILLAGE),
    )
    assert refused.status_code == 200
    assert "no active unit" in page(refused)
    accepted = admin_client.post(
        add_url(DirectoryItem), item_form(routing="territorial", territorial_level=Level.TOWNSHIP),
    )
    assert accepted.status_code == 302
    assert DirectoryItem.objects.get().territorial_level == Level.TOWNSHIP


def test_editing_an_item_to_route_nowhere_is_refused_and_changes_nothing(admin_client):
    unit = UnitFactory()
    item = DirectoryItemFactory(name="井盖破损", code="C0101", routing="sector", sector_unit=unit)
    response = admin_client.post(edit_url(item), item_form(name="井盖破损", code="C0101", routing="none"))
    assert response.status_code == 200 and "routes nowhere" in page(response)
    item.refresh_from_db()
    assert item.routing == "sector"


# --- time-limit policies that can never match ----------------------------------------------------

def policy_form(limits=(("reply", "5", "working_days"),), **fields):
    data = {"name": "新规则", "priority": "50", "note": "", "is_active": "on",
            "visit_attempts": "3", "unreachable_action": "close",
            "limits-TOTAL_FORMS": str(len(limits)), "limits-INITIAL_FORMS": "0",
            "limits-MIN_NUM_FORMS": "0", "limits-MAX_NUM_FORMS": "1000"}
    for n, (kind, amount, unit) in enumerate(limits):
        data.update({f"limits-{n}-kind": kind, f"limits-{n}-amount": amount, f"limits-{n}-unit": unit,
                     f"limits-{n}-ORDER": str(n + 1), f"limits-{n}-id": ""})
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_a_policy_saved_with_its_limits_through_the_admin(admin_client):
    response = admin_client.post(add_url(TimeLimitPolicy), policy_form())
    assert response.status_code == 302, page(response)[:3000]
    assert TimeLimitPolicy.objects.get().limits_summary != ""


def test_a_policy_without_limits_is_refused(admin_client):
    response = admin_client.post(add_url(TimeLimitPolicy), policy_form(limits=()))
    assert response.status_code == 200
    assert "without limits" in page(response)
    assert not TimeLimitPolicy.objects.exists()


def test_removing_every_limit_of_a_policy_is_refused(admin_client):
    policy = PolicyFactory(name="旧规则", priority=50, limits={"reply": (5, "working_days")})
    limit = policy.limits.get()
    data = policy_form(name="旧规则", limits=(("reply", "5", "working_days"),))
    data.update({"limits-INITIAL_FORMS": "1", "limits-0-id": str(limit.pk), "limits-0-DELETE": "1"})
    response = admin_client.post(edit_url(policy), data)
    assert response.status_code == 200 and "without limits" in page(response)
    assert policy.limits.count() == 1


def test_a_policy_on_an_inactive_channel_or_disabled_item_is_refused(admin_client):
    channel = ChannelFactory(name="已停用渠道", is_active=False)
    category = DirectoryItemFactory(name="停用的分类", code="C99", is_active=False)
    item = DirectoryItemFactory(code="C9901", parent=category, routing="sector", sector_unit=UnitFactory())
    by_channel = admin_client.post(add_url(TimeLimitPolicy), policy_form(channel=channel.pk))
    by_item = admin_client.post(add_url(TimeLimitPolicy), policy_form(directory_item=item.pk))
    assert by_channel.status_code == 200 and "已停用渠道" in page(by_channel)
    assert by_item.status_code == 200 and "停用的分类" in page(by_item) and "never match" in page(by_item)
    assert not TimeLimitPolicy.objects.exists()
    # an inactive policy is not checked: it never matches anyway, on purpose
    parked = admin_client.post(add_url(TimeLimitPolicy), policy_form(channel=channel.pk, is_active=None))
    assert parked.status_code == 302


def test_a_policy_shadowed_by_a_broader_earlier_one_is_refused_naming_it(admin_client):
    # given 民生急事 at priority 30 covers every urgent case
    PolicyFactory(name="民生急事当日处置", priority=30, urgency=Urgency.URGENT, limits={"reply": (1, "natural_days")})
    channel = ChannelFactory()
    # when a later policy for urgent cases of one channel is added
    response = admin_client.post(
        add_url(TimeLimitPolicy), policy_form(priority="40", urgency="urgent", channel=channel.pk),
    )
    # then it is refused and the message names the shadowing policy
    assert response.status_code == 200
    assert "民生急事当日处置" in page(response) and "never match" in page(response)
    # tried first (priority 20), it is accepted
    accepted = admin_client.post(
        add_url(TimeLimitPolicy), policy_form(priority="20", urgency="urgent", channel=channel.pk),
    )
    assert accepted.status_code == 302


def test_a_category_policy_shadows_policies_on_items_below_it():
    category = DirectoryItemFactory(code="C33")
    item = DirectoryItemFactory(code="C3301", parent=category, routing="sector", sector_unit=UnitFactory())
    other = DirectoryItemFactory(code="C34")
    broad = PolicyFactory(name="涉企问题", priority=40, directory_item=category, limits={"reply": (5, "working_days")})
    below = TimeLimitPolicy(name="涉企细项", priority=50, directory_item=item)
    beside = TimeLimitPolicy(name="政务服务", priority=50, directory_item=other)
    above = TimeLimitPolicy(name="企业大类", priority=50)
    assert shadowing_policy(below) == broad
    assert shadowing_policy(beside) is None
    assert shadowing_policy(above) is None  # broader than the earlier one: matches what it does not


def test_narrower_earlier_and_inactive_earlier_policies_do_not_shadow():
    channel = ChannelFactory()
    PolicyFactory(name="窄", priority=10, channel=channel, urgency=Urgency.URGENT, limits={"reply": (1, "hours")})
    PolicyFactory(name="停用", priority=10, is_active=False, limits={"reply": (1, "hours")})
    later = TimeLimitPolicy(name="渠道", priority=20, channel=channel)
    check_policy(later)  # no error


def test_equal_priority_the_older_policy_wins():
    first = PolicyFactory(name="甲", priority=50, limits={"reply": (1, "hours")})
    second = PolicyFactory(name="乙", priority=50, limits={"reply": (1, "hours")})
    assert shadowing_policy(second) == first
    assert shadowing_policy(first) is None
    with pytest.raises(ValidationError) as refused:
        check_policy(second)
    assert "甲" in str(refused.value.message_dict["priority"])


def test_the_model_clean_lets_an_import_create_a_category_before_its_items():
    # given a new category row, as an import builds it before the items below it
    category = DirectoryItem(name="供热", code="C11", routing="none")
    # then the row on its own passes (the tree is checked once, after the import) ...
    category.full_clean()
    category.save()
    # ... where the empty category is reported, by name
    from snippets.services.config_checks import directory_problems

    problems = directory_problems()
    assert [(item.code, field) for item, field, _message in problems] == [("C11", "routing")]
    DirectoryItemFactory(code="C1101", parent=category, routing="sector", sector_unit=UnitFactory())
    assert directory_problems() == []


def test_directory_problems_reports_units_that_closed_after_the_item_was_saved():
    unit = UnitFactory(name="旧单位")
    item = DirectoryItemFactory(code="C0101", routing="sector", sector_unit=unit)
    unit.is_active = False
    unit.save()
    [(found, field, message)] = directory_problems_now()
    assert found == item and field == "sector_unit" and "旧单位" in message


def directory_problems_now():
    from snippets.services.config_checks import directory_problems

    return directory_problems()

