"""Where a request is about (casemodels.services.places.match_region):
aliases, same-named communities told apart by their township, names
without their suffix, inactive regions, and the names kept in the process
(forgotten on a save or delete here, re-read after ``CACHE_SECONDS``)."""

from casemodels.services import places
from casemodels.services.places import gazetteer, match_region, region_names
from snippets.models import Level, Region
from tests.factories import RegionFactory


def test_an_alias_of_a_community_resolves_to_it_within_its_township(world):
    # given a street name people use for 米西村
    world.village_a_r.aliases = "人民路"
    world.village_a_r.save()
    # when a text names only the street, then it is 米西村, whose township is 米山镇
    region = match_region("人民路12号门口的路灯坏了")
    assert region == world.village_a_r
    assert region.ancestor_at_level(Level.TOWNSHIP) == world.town_a_r
    # and with the township named too, it is still the community, the deeper one
    assert match_region("米山镇人民路12号") == world.village_a_r


def test_same_named_communities_are_told_apart_by_the_township_named(world):
    # given a 新华社区 in each township (in either order of creation)
    in_b = RegionFactory(name="新华社区", level=Level.VILLAGE, parent=world.town_b_r)
    in_a = RegionFactory(name="新华社区", level=Level.VILLAGE, parent=world.town_a_r)
    # then the township named picks the community, with or without its suffix
    assert match_region("三甲镇新华社区5栋楼下") == in_b
    assert match_region("米山镇新华社区5栋楼下") == in_a
    assert match_region("住在米山新华社区") == in_a
    assert match_region("米山新华5栋") == in_a


def test_the_longest_name_breaks_a_tie_of_level(world):
    # given two villages of one township, both named by "米西新村" (米西村 by its short name 米西)
    new_village = RegionFactory(name="米西新村", level=Level.VILLAGE, parent=world.town_a_r)
    # then the longer name found wins, whichever was created first
    assert match_region("米西新村东头") == new_village
    assert match_region("米西村东头") == world.village_a_r


def test_names_without_their_suffix_need_two_characters(world):
    assert region_names("东乡") == {"东乡"}
    assert region_names("新华街道") == {"新华街道", "新华"}
    assert {"七一社区", "七一", "七一小区"} <= region_names("七一社区", "七一小区")
    assert not {n for n in region_names("七一社区", "七乡") if len(n) < 2}
    east = RegionFactory(name="东乡", level=Level.TOWNSHIP, parent=world.city)
    street = RegionFactory(name="新华街道", level=Level.TOWNSHIP, parent=world.city)
    assert match_region("东边的路灯坏了") is None  # "东" alone is not a name
    assert match_region("东乡路口") == east
    assert match_region("新华这边") == street


def test_aliases_may_be_separated_by_either_comma_or_an_enumeration_comma(world):
    world.village_b_r.aliases = "幸福小区，阳光花园、人民路,东关街"
    world.village_b_r.save()
    for text in ("幸福小区3号楼", "阳光花园门口", "人民路口", "东关街上"):
        assert match_region(text) == world.village_b_r, text
    assert {"三甲村", "三甲", "幸福小区", "阳光花园", "人民路"} <= region_names("三甲村", "幸福小区，阳光花园、人民路")


def test_an_inactive_region_is_never_returned(world):
    world.village_a_r.aliases = "人民路"
    world.village_a_r.is_active = False
    world.village_a_r.save()
    RegionFactory(name="老城区", level=Level.DISTRICT, parent=world.city, is_active=False)
    # then neither its name, its alias nor its short name finds it; its active township still does
    assert match_region("米山镇米西村口") == world.town_a_r
    assert match_region("人民路12号") is None
    assert match_region("老城区东街") is None and match_region("老城东街") is None


def test_an_edited_alias_is_used_at_once_and_a_deleted_region_is_forgotten(world):
    # given the names have been read (the street is not known yet)
    assert match_region("人民路12号") is None
    # when an alias is added and saved, then it is used at once
    world.village_b_r.aliases = "人民路"
    world.village_b_r.save()
    assert match_region("人民路12号") == world.village_b_r
    # and when the region is deleted, it is no longer found
    world.village_b_r.delete()
    assert match_region("人民路12号") is None


def test_a_change_made_without_a_save_is_used_once_the_names_are_read_again(world):
    # given the names have been read
    assert match_region("人民路12号") is None
    # when another process changes an alias (no signal here), then this one keeps its names for a while
    Region.objects.filter(pk=world.village_a_r.pk).update(aliases="人民路")
    assert match_region("人民路12号") is None
    # and reads them again once they are older than CACHE_SECONDS
    gazetteer._read_at -= places.CACHE_SECONDS + 1
    assert match_region("人民路12号") == world.village_a_r


def test_a_name_inside_a_longer_name_of_another_region_does_not_count(world):
    # 三甲 (三甲村 without its suffix) is read inside 三甲镇, the township's own name
    in_b = RegionFactory(name="新华社区", level=Level.VILLAGE, parent=world.town_b_r)
    RegionFactory(name="新华社区", level=Level.VILLAGE, parent=world.town_a_r)
    assert match_region("三甲镇新华5栋") == in_b
    assert match_region("三甲村口") == world.village_b_r


def test_only_the_suffix_of_the_regions_level_is_left_out_and_aliases_are_kept_whole(world):
    assert region_names("新华社区", level=Level.VILLAGE) == {"新华社区", "新华"}
    assert region_names("城关镇", level=Level.VILLAGE) == {"城关镇"}  # 镇 is a township's suffix
    assert region_names("米西村", "幸福小区", level=Level.VILLAGE) == {"米西村", "米西", "幸福小区"}
    world.village_a_r.aliases = "幸福小区"
    world.village_a_r.save()
    assert match_region("幸福小学门口") is None
    assert match_region("幸福小区3栋") == world.village_a_r


def test_a_region_named_in_another_branch_outranks_a_deeper_short_name(world):
    # 人民社区 of 米山镇 is known as 人民; a text about 三甲镇's 人民路 is in 三甲镇
    RegionFactory(name="人民社区", level=Level.VILLAGE, parent=world.town_a_r)
    assert match_region("三甲镇人民路12号") == world.town_b_r
    world.village_a_r.aliases = "人民路"
    world.village_a_r.save()
    assert match_region("三甲镇人民路12号") == world.town_b_r
    assert match_region("米山镇人民路12号") == world.village_a_r
