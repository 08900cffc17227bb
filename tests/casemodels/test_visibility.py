"""Staff see the cases of their own unit and the units below it, nothing else
(casemodels.services.visibility), in the service and in the admin: list,
search, export and dossier."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.permissions import policy_registry

from casemodels.models import Case
from casemodels.services import request_return, review_return
from casemodels.services.visibility import can_see_case, visible_cases
from snippets.models import StaffProfile
from tests.factories import StaffFactory, UnitFactory

User = get_user_model()


@pytest.fixture
def cases(world, flow):
    """A case the housing bureau holds, one a township holds, one a village
    holds, and one the water bureau co-handles with the housing bureau."""
    return {
        "dept": flow.dispatched(unit=world.dept, citizen_phone="13811112222"),
        "town": flow.dispatched(unit=world.town_a, citizen_phone="13833334444"),
        "village": flow.dispatched(unit=world.village_a),
        "co": flow.dispatched(unit=world.dept, co_units=[world.dept2]),
    }


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_a_unit_sees_its_own_cases_and_those_below_it(world, cases):
    assert set(visible_cases(world.town_handler)) == {cases["town"], cases["village"]}
    assert set(visible_cases(world.village_handler)) == {cases["village"]}
    assert set(visible_cases(world.town_b_handler)) == set()


def test_a_co_handling_unit_sees_the_case(world, cases):
    assert set(visible_cases(world.dept2_handler)) == {cases["co"]}
    assert set(visible_cases(world.dept_handler)) == {cases["dept"], cases["co"]}


def test_the_centre_sees_every_case(world, cases):
    # the centre owns every case (first receiver) and is the root of the unit tree
    assert set(visible_cases(world.dispatcher)) == set(cases.values())


def test_the_first_receiving_unit_sees_its_case_before_any_dispatch(world, flow):
    case = flow.received(acting_user=world.town_b_dispatcher)
    assert case.owner_unit == world.town_b
    assert set(visible_cases(world.town_b_handler)) == {case}
    assert not visible_cases(world.town_handler).filter(pk=case.pk).exists()


def test_a_unit_that_returned_a_case_still_sees_it(world, flow):
    # given a case the township returned as a wrong dispatch, approved by the centre
    case = flow.dispatched(unit=world.town_a)
    request_return(case, acting_user=world.town_handler, reason="不属于本镇辖区")
    review_return(Case.objects.get(pk=case.pk), acting_user=world.dispatcher, approve=True)
    # then the township still sees it (it held it once), and another township does not
    assert can_see_case(world.town_handler, case)
    assert not can_see_case(world.town_b_handler, case)


def test_an_inactive_profile_sees_nothing(world, cases):
    StaffProfile.objects.filter(user=world.dept_handler).update(is_active=False)
    assert not visible_cases(fresh(world.dept_handler)).exists()


def test_users_without_a_profile_and_inactive_users_see_nothing(world, cases):
    assert not visible_cases(User.objects.create_user("no_profile")).exists()
    assert not visible_cases(None).exists()
    User.objects.filter(pk=world.dispatcher.pk).update(is_active=False)
    assert not visible_cases(fresh(world.dispatcher)).exists()
    boss = User.objects.create_superuser("boss", password="pw")
    assert visible_cases(boss).count() == len(cases)
    User.objects.filter(pk=boss.pk).update(is_active=False)
    assert not visible_cases(fresh(boss)).exists()


def test_a_deep_unit_tree_costs_one_query(world, flow, django_assert_num_queries):
    # given a chain of units ten levels below the township, and a case at the bottom
    unit = world.town_a
    for i in range(10):
        unit = UnitFactory(name=f"网格{i}", code=f"grid-{i}", level=unit.level, parent=unit)
    case = flow.dispatched(unit=unit)
    user = User.objects.select_related("staff_profile").get(pk=world.town_handler.pk)
    # when the township lists its cases, then one query finds it
    with django_assert_num_queries(1):
        assert list(visible_cases(user)) == [case]


def test_the_admin_permission_policy_checks_the_profile_and_the_case(world, cases):
    policy = policy_registry.get_by_type(Case)
    assert policy.user_has_permission(world.town_handler, "view")
    assert policy.user_has_permission_for_instance(world.town_handler, "view", cases["town"])
    assert not policy.user_has_permission_for_instance(world.town_handler, "view", cases["dept"])
    assert set(policy.instances_user_has_permission_for(world.town_handler, "view")) == {
        cases["town"], cases["village"],
    }
    StaffProfile.objects.filter(user=world.town_handler).update(is_active=False)
    assert not policy.user_has_permission(fresh(world.town_handler), "view")
    assert not policy.user_has_permission(User.objects.create_user("no_profile"), "view")


# --- The admin ----------------------------------------------------------------------

def admin_user(user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return fresh(user)


def page(client, name, *args, **params):
    response = client.get(reverse(f"cases:{name}", args=args), params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode("utf-8-sig")


def test_a_township_handler_cannot_list_search_export_or_inspect_another_units_case(client, world, cases):
    # given a township handler signed in to the admin
    client.force_login(admin_user(world.town_handler))
    other = cases["dept"]
    # when they list, search by the citizen's phone, export, and open the dossier of the bureau's case
    listed = page(client, "index")
    searched = page(client, "index", q=other.citizen_phone)
    results = page(client, "index_results", q=other.citizen_phone)
    exported = page(client, "index", export="csv")
    dossier = page(client, "inspect", other.pk)
    # then it appears nowhere and its dossier is not found
    assert listed[0] == searched[0] == results[0] == exported[0] == 200
    for _status, body in (listed, searched, results, exported):
        assert other.number not in body
    assert other.citizen_phone not in listed[1] and other.citizen_phone not in exported[1]
    assert dossier[0] == 404


def test_a_township_handler_sees_their_own_cases_in_the_admin(client, world, cases):
    client.force_login(admin_user(world.town_handler))
    own = cases["town"]
    assert own.number in page(client, "index")[1]
    assert own.number in page(client, "index", q=own.citizen_phone)[1]
    assert own.number in page(client, "index", export="csv")[1]
    assert page(client, "inspect", cases["village"].pk)[0] == 200


def test_a_centre_dispatcher_sees_every_case_in_the_admin(client, world, cases):
    client.force_login(admin_user(world.dispatcher))
    listed, exported = page(client, "index")[1], page(client, "index", export="csv")[1]
    for case in cases.values():
        assert case.number in listed and case.number in exported
        assert page(client, "inspect", case.pk)[0] == 200


def test_an_inactive_profile_gets_no_case_screens(client, world, cases):
    user = admin_user(world.dispatcher)
    StaffProfile.objects.filter(user=user).update(is_active=False)
    client.force_login(user)
    for name, args in (("index", ()), ("inspect", (cases["town"].pk,))):
        status, body = page(client, name, *args)
        assert status in (302, 403, 404)
        assert cases["town"].number not in body


def test_staff_of_a_unit_outside_the_tree_see_nothing(client, world, cases):
    stranger = StaffFactory(unit=UnitFactory(name="外市单位", code="elsewhere"), roles=["handler"]).user
    client.force_login(admin_user(stranger))
    status, body = page(client, "index")
    assert status == 200
    assert not any(case.number in body for case in cases.values())


def test_the_other_generic_screens_stay_closed(client, world, cases):
    client.force_login(admin_user(world.dispatcher))
    for name in ("edit", "delete", "history", "usage", "copy"):
        status, body = page(client, name, cases["dept"].pk)
        assert status in (302, 403), name
        assert cases["dept"].title not in body
