"""Automatic dispatch above a channel's confidence, and the keyword rules'
weights and excluded words."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from casemodels.models import Assignment, CaseEvent, CaseState
from casemodels.services import register_case
from casemodels.services.suggestions import keyword_matches, suggest_dispatch
from snippets.models import DirectoryItem, Level
from tests.factories import DirectoryItemFactory, StaffFactory

A = CaseEvent.Action


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def lights(world):
    return DirectoryItemFactory(name="路灯维修", keywords="路灯:3,不亮,灯杆", routing=DirectoryItem.Routing.SECTOR,
                                sector_unit=world.dept)


def submit(world, content, **kwargs):
    kwargs.setdefault("channel", world.web)
    return register_case(acting_user=None, case_type="complaint", content=content, citizen_phone="13800001111",
                         **kwargs)


def test_a_confident_suggestion_is_dispatched_at_once_by_the_centre(world, lights):
    world.web.auto_dispatch_confidence = Decimal("0.65")
    world.web.save()
    handler = StaffFactory(unit=world.dept, name="吴科员", roles=["handler"], skills="路灯")
    [best] = suggest_dispatch("小区路灯不亮")
    assert best["score"] == round(8 / 12, 3)  # 路灯 (2 characters × weight 3) + 不亮 (2)
    case = submit(world, "小区路灯不亮")
    assert case.state == CaseState.DISPATCHED
    assert case.directory_item == lights
    lead = case.assignments.get(role=Assignment.Role.LEAD)
    assert (lead.unit, lead.handler, lead.dispatched_by) == (world.dept, handler, None)
    event = case.events.get(action=A.DISPATCH)
    assert event.actor is None and event.unit == world.centre
    assert event.data["auto"] is True and event.data["confidence"] == best["score"]
    assert "路灯" in event.note
    assert case.reply_due is not None and lead.reply_due == case.reply_due


def test_below_the_confidence_the_case_waits_for_a_dispatcher(world, lights):
    world.web.auto_dispatch_confidence = Decimal("0.99")
    world.web.save()
    case = submit(world, "灯杆歪了")  # one short keyword: a weak suggestion
    assert case.state == CaseState.RECEIVED
    assert case.directory_item is None and not case.assignments.exists()


def test_a_channel_without_a_confidence_never_dispatches_by_itself(world, lights):
    case = submit(world, "小区路灯不亮")
    assert case.state == CaseState.RECEIVED


def test_a_suggestion_that_routes_nowhere_is_left_to_a_dispatcher(world):
    DirectoryItemFactory(name="环境卫生", keywords="垃圾:5", routing=DirectoryItem.Routing.TERRITORIAL,
                         territorial_level=Level.TOWNSHIP)
    world.web.auto_dispatch_confidence = Decimal("0.50")
    world.web.save()
    case = submit(world, "垃圾没人清运")  # no place named: no unit
    assert case.state == CaseState.RECEIVED and case.directory_item is None
    placed = submit(world, "米山镇垃圾没人清运")
    assert placed.state == CaseState.DISPATCHED and placed.region == world.town_a_r
    assert placed.assignments.get().unit == world.town_a


def test_a_dispatcher_who_chose_an_item_or_answers_on_the_spot_is_not_overruled(world, lights):
    world.hotline.auto_dispatch_confidence = Decimal("0.50")
    world.hotline.save()
    other = DirectoryItemFactory(name="供水", routing=DirectoryItem.Routing.SECTOR, sector_unit=world.dept2)
    chosen = register_case(acting_user=world.dispatcher, channel=world.hotline, case_type="complaint",
                           content="小区路灯不亮", citizen_phone="13800001111", directory_item=other)
    assert chosen.state == CaseState.RECEIVED and chosen.directory_item == other
    spot = register_case(acting_user=world.dispatcher, channel=world.hotline, case_type="consultation",
                         content="小区路灯不亮找谁", citizen_phone="13800001111", auto_dispatch=False)
    assert spot.state == CaseState.RECEIVED


def test_a_retried_submission_is_not_dispatched_twice(world, lights):
    world.web.auto_dispatch_confidence = Decimal("0.65")
    world.web.save()
    first = submit(world, "小区路灯不亮", external_id="w-1")
    again = submit(world, "小区路灯不亮", external_id="w-1")
    assert again.pk == first.pk
    assert Assignment.objects.filter(case=first).count() == 1


def test_the_confidence_must_lie_between_half_and_one(world):
    world.web.auto_dispatch_confidence = Decimal("0.30")
    with pytest.raises(ValidationError) as error:
        world.web.full_clean()
    assert "auto_dispatch_confidence" in error.value.message_dict


# --- Keyword rules: weights and excluded words ------------------------------------------

def test_a_weight_counts_a_word_more_and_an_excluded_word_removes_the_item(world):
    heavy = DirectoryItemFactory(name="供水", keywords="停水:5,水压", routing=DirectoryItem.Routing.SECTOR,
                                 sector_unit=world.dept2)
    light = DirectoryItemFactory(name="物业", keywords="停水,物业费,-发票", routing=DirectoryItem.Routing.SECTOR,
                                 sector_unit=world.dept)
    [(raw_heavy, rule_heavy, _w), (raw_light, rule_light, _w2)] = keyword_matches("小区停水了，物业费")
    assert (rule_heavy.pk, rule_light.pk) == (heavy.pk, light.pk)
    assert raw_heavy == 5 * 2 and raw_light == 2 * 2 + 2 + 3  # its name 物业 counts twice its length
    # the excluded word takes the item out, whatever else matched
    assert [rule.pk for _r, rule, _w in keyword_matches("停水了，物业费发票开不出来")] == [heavy.pk]
    assert [s["item"] for s in suggest_dispatch("物业费发票开不出来")] == []


def test_malformed_keywords_are_refused_with_what_is_wrong(world):
    item = DirectoryItemFactory(name="供水", routing=DirectoryItem.Routing.SECTOR, sector_unit=world.dept2)
    item.keywords = "停水:0,水压:高,-,：3"
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    messages = error.value.message_dict["keywords"]
    assert len(messages) == 4
    assert any("停水:0" in m and "1 to 10" in m for m in messages)
    assert any("minus sign" in m for m in messages)
    item.keywords = "停水:²"  # a superscript is a digit to Python, not a weight
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "1 to 10" in error.value.message_dict["keywords"][0]
    item.keywords = "停水:10，水压、-发票"
    item.full_clean()
    assert item.keyword_rules == ([("停水", 10), ("水压", 1)], ["发票"])


def test_a_township_dispatches_automatically_only_within_its_own_scope(world, lights):
    # given a township's dispatcher registering grid reports on a channel that dispatches by itself
    world.hotline.auto_dispatch_confidence = Decimal("0.50")
    world.hotline.save()
    township = StaffFactory(unit=world.town_a, roles=["dispatcher"]).user
    # when the suggestion routes to a city department, outside the township's scope
    case = register_case(acting_user=township, channel=world.hotline, case_type="complaint",
                         content="小区路灯不亮", citizen_phone="13800001111")
    # then the case waits for a dispatcher, with nothing half-written
    assert case.state == CaseState.RECEIVED and case.directory_item is None
    assert not case.assignments.exists() and not case.events.filter(action=A.DISPATCH).exists()


def test_the_registrars_region_and_the_items_default_urgency_are_kept(world):
    gas = DirectoryItemFactory(name="燃气泄漏", keywords="燃气:5,泄漏:5", routing=DirectoryItem.Routing.TERRITORIAL,
                               territorial_level=Level.TOWNSHIP, default_urgency="urgent")
    world.web.auto_dispatch_confidence = Decimal("0.60")
    world.web.save()
    # the citizen names 米山镇 in the text, but the case was registered for 三甲村
    case = submit(world, "米山镇那边燃气泄漏了", region=world.village_b_r)
    assert case.state == CaseState.DISPATCHED and case.directory_item == gas
    assert case.region == world.village_b_r
    assert case.assignments.get().unit == world.town_b  # routed by the case's own region
    assert world.town_b_r.name in case.events.get(action=A.DISPATCH).note
    assert case.urgency == "urgent"  # as if the item had been chosen at registration


def test_a_failing_suggestion_leaves_the_case_registered(world, lights, monkeypatch):
    world.web.auto_dispatch_confidence = Decimal("0.60")
    world.web.save()

    def broken(*args, **kwargs):
        raise RuntimeError("model blob unreadable")

    monkeypatch.setattr("casemodels.services.auto_dispatch.suggest_dispatch", broken)
    case = submit(world, "小区路灯不亮")
    assert case.pk and case.state == CaseState.RECEIVED and case.directory_item is None


def test_an_edited_keyword_is_used_at_once(world, lights):
    assert suggest_dispatch("电线杆倒了") == []
    lights.keywords = "电线杆"
    lights.save()
    assert [s["item"] for s in suggest_dispatch("电线杆倒了")] == [lights]
