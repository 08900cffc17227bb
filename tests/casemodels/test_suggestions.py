"""suggest_dispatch (the first keyword and place scorer) and similar_cases
(possible duplicates by phone and by content)."""

import datetime

from casemodels.services.duplicates import similar_cases
from casemodels.services.places import match_region
from casemodels.services.suggestions import suggest_dispatch
from casemodels.services.text import bigrams, overlap
from snippets.models import DirectoryItem, Level
from tests.factories import DirectoryItemFactory


def test_items_are_ranked_by_the_keywords_found_and_routed_to_a_unit(world):
    # given a sector item for street lights and a territorial item for sanitation
    lights = DirectoryItemFactory(name="路灯维修", keywords="路灯,不亮", routing=DirectoryItem.Routing.SECTOR,
                                  sector_unit=world.dept)
    rubbish = DirectoryItemFactory(name="环境卫生", keywords="垃圾,清运", routing=DirectoryItem.Routing.TERRITORIAL,
                                   territorial_level=Level.TOWNSHIP)
    DirectoryItemFactory(name="道路", keywords="路灯")  # a category: routes nowhere, never suggested
    # when the content is about a broken street light in 米山镇
    result = suggest_dispatch("米山镇路边路灯不亮，也有垃圾", address="米西村")
    # then the light item comes first, to its sector unit, and the rubbish item to the township's unit
    assert [r["item"] for r in result] == [lights, rubbish]
    assert result[0]["unit"] == world.dept
    assert result[1]["unit"] == world.town_a
    assert 1 > result[0]["score"] > result[1]["score"] > 0
    assert "路灯" in result[0]["reason"] and "不亮" in result[0]["reason"]
    assert "米西村" in result[1]["reason"]


def test_a_territorial_item_without_a_place_has_no_unit_and_says_why(world):
    DirectoryItemFactory(name="环境卫生", keywords="垃圾", routing=DirectoryItem.Routing.TERRITORIAL,
                         territorial_level=Level.TOWNSHIP)
    [result] = suggest_dispatch("垃圾没人清运")
    assert result["unit"] is None and result["reason"]


def test_nothing_is_suggested_for_empty_or_unmatched_content(world):
    DirectoryItemFactory(name="路灯维修", keywords="路灯", routing=DirectoryItem.Routing.SECTOR, sector_unit=world.dept)
    assert suggest_dispatch("") == []
    assert suggest_dispatch("咨询公积金") == []


def test_inactive_items_are_not_suggested_and_limit_applies(world):
    for n in range(5):
        DirectoryItemFactory(name=f"项{n}", keywords="路灯", routing=DirectoryItem.Routing.SECTOR,
                             sector_unit=world.dept, is_active=n != 0)
    result = suggest_dispatch("路灯坏了", limit=3)
    assert len(result) == 3 and all(r["item"].is_active for r in result)


def test_the_deepest_region_named_wins_and_short_names_count(world):
    world.village_a_r.aliases = "米西"
    world.village_a_r.save()
    assert match_region("米山镇米西村口") == world.village_a_r
    assert match_region("在米山这边") == world.town_a_r  # "米山镇" without its suffix
    assert match_region("在米西") == world.village_a_r  # an alias
    assert match_region("没有地名") is None


def test_bigram_overlap():
    assert overlap(bigrams("小区门口路灯坏了"), bigrams("小区门口路灯坏了！")) == 1.0
    assert overlap(bigrams("小区门口路灯坏了"), bigrams("公积金怎么提取")) == 0.0


def test_similar_cases_by_phone_within_30_days(world, flow, clock):
    old = flow.received(citizen_phone="13900001111", content="甲事项")
    clock.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=31))
    recent = flow.received(citizen_phone="13900001111", content="乙事项")
    found = similar_cases(world.dispatcher, "丙事项完全不同的内容", "139 0000 1111")
    assert [f["case"] for f in found] == [recent]
    assert old not in [f["case"] for f in found]


def test_similar_cases_by_content_within_7_days_exclude_the_case_itself(world, flow):
    a = flow.received(citizen_phone="13900001111", content="米西村口路灯坏了三天了，晚上很黑。")
    b = flow.received(citizen_phone="13900002222", content="米西村口的路灯坏了三天了，晚上很黑！")
    flow.received(citizen_phone="13900003333", content="公积金提取需要什么材料")
    found = similar_cases(world.dispatcher, a.content, a.citizen_phone, exclude=a)
    assert [f["case"] for f in found] == [b]
    assert found[0]["score"] >= 0.6


def test_similar_cases_only_among_visible_cases(world, flow):
    flow.received(citizen_phone="13900001111")
    assert similar_cases(world.town_b_dispatcher, "", "13900001111") == []
    assert len(similar_cases(world.dispatcher, "", "13900001111")) == 1
