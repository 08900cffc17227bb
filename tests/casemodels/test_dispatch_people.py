"""Who a suggestion names: the unit (sector or territorial routing), its
leader and a handler (grid staff by their skills), and the handler named at
dispatch."""

import pytest
from django.utils import translation

from casemodels.models import Assignment
from casemodels.services import CaseActionError, dispatch_case
from casemodels.services.people import choose_handler, unit_leader
from casemodels.services.suggestions import suggest_dispatch
from snippets.models import DirectoryItem, Level, Unit
from tests.factories import DirectoryItemFactory, RegionFactory, StaffFactory, UnitFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def grid(world):
    """A grid below 米西村 with three grid staff (no login) and a handler with a login."""
    region = RegionFactory(name="米西一网格", code="gp-ms-mx-1", level=Level.GRID, parent=world.village_a_r,
                           aliases="幸福小区")
    unit = UnitFactory(name="米西一网格", code="ms-mx-1", kind=Unit.Kind.GRID, level=Level.GRID,
                       parent=world.village_a, region=region)
    people = {
        "plumber": StaffFactory(unit=unit, user=None, name="王水暖", skills="网格员,水电维修,燃气安全"),
        "mediator": StaffFactory(unit=unit, user=None, name="李调解", skills="网格员,矛盾调解,法律咨询"),
        "volunteer": StaffFactory(unit=unit, user=None, name="赵志愿", skills="志愿者"),
        "leader": StaffFactory(unit=unit, name="孙网格长", roles=["unit_leader"]),
        "inactive": StaffFactory(unit=unit, user=None, name="钱离职", skills="水电维修", is_active=False),
    }
    return unit, region, people


def test_a_territorial_item_goes_to_the_grid_of_the_place_with_its_leader_and_a_skilled_handler(world, grid):
    unit, region, people = grid
    DirectoryItemFactory(name="水管维修", keywords="水管,漏水", routing=DirectoryItem.Routing.TERRITORIAL,
                         territorial_level=Level.GRID)
    # the place is named by the grid's alias (an estate's name)
    [best] = suggest_dispatch("家里水管漏水，需要维修", address="幸福小区3栋")
    assert best["region"] == region
    assert best["unit"] == unit
    assert best["leader"] == people["leader"]
    assert best["handler"] == people["plumber"]
    assert "王水暖" in best["reason"] and "水电维修" in best["reason"]


def test_the_skill_that_matches_decides_and_an_inactive_person_is_never_proposed(world, grid):
    unit, _region, people = grid
    assert choose_handler(unit, None, "邻里之间因为停车发生矛盾，请调解").person == people["mediator"]
    assert choose_handler(unit, None, "燃气管道有异味").person == people["plumber"]


def test_without_a_matching_skill_the_handler_with_the_fewest_open_cases_is_proposed(world, grid, flow):
    unit, _region, people = grid
    # no skill matches: the first by name (李调解) would be proposed, until they hold an open case as handler
    assert choose_handler(unit, None, "办理公积金提取").person == people["mediator"]
    dispatch_case(flow.received(), acting_user=world.dispatcher, unit=unit, handler=people["mediator"])
    choice = choose_handler(unit, None, "办理公积金提取")
    assert choice.person == people["plumber"]  # 王水暖: the next by name, with no open case
    assert "no skill matched" in choice.reason and "(0)" in choice.reason


def test_a_sector_item_names_the_departments_leader_and_handler(world):
    leader = StaffFactory(unit=world.dept, name="周局长", roles=["unit_leader"])
    handler = StaffFactory(unit=world.dept, name="吴科员", roles=["handler"], skills="路灯,市政设施")
    StaffFactory(unit=world.dept, name="郑调度", roles=["dispatcher"], skills="路灯")  # not a handler
    DirectoryItemFactory(name="路灯维修", keywords="路灯,不亮", routing=DirectoryItem.Routing.SECTOR,
                         sector_unit=world.dept)
    [best] = suggest_dispatch("路灯不亮")
    assert best["unit"] == world.dept
    assert (best["leader"], best["handler"]) == (leader, handler)


def test_a_unit_without_staff_names_no_one_and_says_so(world):
    assert unit_leader(world.dept2) is None
    choice = choose_handler(world.dept2, None, "停水")
    assert choice.person is None and "lists no handler" in choice.reason


def test_the_handler_named_at_dispatch_is_kept_on_the_assignment(world, grid, flow):
    unit, _region, people = grid
    case = dispatch_case(flow.received(), acting_user=world.dispatcher, unit=unit, handler=str(people["plumber"].pk))
    lead = case.assignments.get(role=Assignment.Role.LEAD)
    assert lead.handler == people["plumber"]
    assert case.events.order_by("-id").first().data["handler"] == "王水暖"


def test_a_handler_of_another_unit_is_refused_and_nothing_is_written(world, grid, flow):
    _unit, _region, people = grid
    case = flow.received()
    with pytest.raises(CaseActionError) as refused:
        dispatch_case(case, acting_user=world.dispatcher, unit=world.dept, handler=people["plumber"])
    assert refused.value.field == "handler" and "住建局" in refused.value.message
    for bad in ("999999", "²", "99999999999999999999", "abc"):
        with pytest.raises(CaseActionError) as unknown:
            dispatch_case(case, acting_user=world.dispatcher, unit=world.dept, handler=bad)
        assert unknown.value.code == "unknown" and unknown.value.field == "handler"
    case.refresh_from_db()
    assert case.state == "received" and not case.assignments.exists()


def test_the_case_page_shows_the_handler(client, world, grid, flow):
    from django.urls import reverse

    unit, _region, people = grid
    case = dispatch_case(flow.received(), acting_user=world.dispatcher, unit=unit, handler=people["plumber"])
    client.force_login(world.dispatcher)
    page = client.get(reverse("cases:inspect", args=[case.pk]))
    assert page.status_code == 200
    assert "王水暖" in page.content.decode()
