"""Exclusions from assessment (核减) in the admin: the case page's "Exclude
from assessment" and "Restore to assessment" buttons for the right people
in the right state, their forms (a reason is required; nothing is written
without one), what the case page says about an excluded case, the list of
exclusions scoped to the user, and the roll-up's state with its rebuild
button for administrators."""

import datetime
import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from casemodels.models import AssessmentExclusion, CaseEvent, RollupState
from casemodels.services import exclude_from_assessment
from casemodels.services.rollups import refresh_rollups
from snippets.models import Role
from tests.factories import StaffFactory

from .conftest import last_event, local, snapshot
from .test_case_page import act, buttons, fresh, login, message_texts, page
from .test_inbox_admin import menu_text

pytestmark = pytest.mark.usefixtures("english_admin")

MINE = {"exclude", "restore"}
REASON = "市民诉求超出政策规定，经审核予以核减"

CASES = {
    "received": lambda flow: flow.received(),
    "handling": lambda flow: flow.handling(),
    "closed": lambda flow: flow.closed(),
    "excluded": lambda flow: exclude_from_assessment(flow.closed(), acting_user=flow.w.supervisor, reason=REASON),
}

PEOPLE = {
    "administrator": ("centre", ["administrator"]),
    "town_supervisor": ("town_a", ["supervisor"]),  # their unit held the case, but the centre received it
}


def person(world, who):
    if who in PEOPLE:
        unit, roles = PEOPLE[who]
        return StaffFactory(unit=getattr(world, unit), roles=roles).user
    return getattr(world, who)


EXPECTED = [
    ("received", "supervisor", set()),  # never dispatched: nothing to exclude
    ("handling", "supervisor", {"exclude"}),
    ("closed", "supervisor", {"exclude"}),
    ("closed", "administrator", {"exclude"}),
    ("closed", "dispatcher", set()),
    ("closed", "visitor", set()),
    ("closed", "dept_leader", set()),
    ("excluded", "supervisor", {"restore"}),
    ("excluded", "administrator", {"restore"}),
    ("excluded", "dispatcher", set()),
    ("excluded", "dept_handler", set()),
]


@pytest.mark.parametrize(("state", "who", "expected"), EXPECTED, ids=[f"{s}-{w}" for s, w, _e in EXPECTED])
def test_the_buttons_appear_for_the_right_people(client, world, flow, state, who, expected):
    # given a case at that point, and a member of staff who can see it
    case = CASES[state](flow)
    login(client, person(world, who))
    # when they open its page
    status, html = page(client, case)
    # then they get "Exclude" or "Restore" exactly when the guard lets them
    assert status == 200
    assert buttons(html) & MINE == expected


def test_a_supervisor_of_a_unit_that_held_the_case_gets_no_button(client, world, flow):
    # given a case the centre received and sent to 米山镇, and a supervisor at 米山镇
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    login(client, person(world, "town_supervisor"))
    # when they open it, then they see it but may not exclude it (the centre's case is outside their scope)
    status, html = page(client, case)
    assert status == 200 and not buttons(html) & MINE
    # and a POST to the action is refused with the reason, writing nothing
    before = snapshot(case)
    response = act(client, "exclude", case, reason=REASON)
    assert response.status_code == 200 and "outside your unit" in response.content.decode()
    assert snapshot(case) == before and not AssessmentExclusion.objects.exists()


def test_excluding_from_the_case_page(client, world, flow, clock):
    # given a closed case and the centre's supervisor on its page
    case = flow.closed()
    login(client, world.supervisor)
    form = client.get(reverse("cases:exclude", args=[case.pk]))
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    # when they exclude it with a reason
    clock.move_to(local(2025, 10, 2, 15, 30))
    login(client, world.supervisor)
    response = act(client, "exclude", case, reason=REASON)
    # then they are back on the case page with a message, and the exclusion is recorded
    assert response.status_code == 302 and response["Location"] == reverse("cases:inspect", args=[case.pk])
    assert any(case.number in m for m in message_texts(response))
    exclusion = AssessmentExclusion.objects.get(case=case)
    assert (exclusion.reason, exclusion.excluded_by) == (REASON, world.supervisor)
    assert last_event(case).action == CaseEvent.Action.EXCLUDE
    # and the page says clearly that the case is excluded: the reason, who and when
    _status, html = page(client, case)
    assert 'data-excluded="1"' in html
    block = re.search(r"<section[^>]*data-exclusion.*?</section>", html, re.S).group(0)
    assert REASON in block
    assert world.supervisor.staff_profile.name in block
    assert "2025-10-02 15:30" in block
    # and the buttons turn around
    assert buttons(html) & MINE == {"restore"}


@pytest.mark.parametrize("reason", ["", "   "])
def test_excluding_without_a_reason_names_the_field_and_writes_nothing(client, world, flow, reason):
    case = flow.closed()
    before = snapshot(case)
    login(client, world.supervisor)
    # when the supervisor sends the form without a reason
    response = act(client, "exclude", case, reason=reason)
    # then the form comes back with the error on the reason field, named in the message
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required." in body
    assert any("Reason for the exclusion" in m for m in message_texts(response))
    # and nothing was written
    assert snapshot(case) == before
    assert not AssessmentExclusion.objects.exists()


def test_a_dispatcher_posting_the_form_is_refused(client, world, flow):
    case = flow.closed()
    before = snapshot(case)
    login(client, world.dispatcher)
    # the button is not offered: the form sends them back to the case with the reason
    response = client.get(reverse("cases:exclude", args=[case.pk]))
    assert response.status_code == 302 and message_texts(response)
    # and a POST all the same is refused by the service, writing nothing
    response = act(client, "exclude", case, reason=REASON)
    assert response.status_code == 200 and "This action needs one of these roles" in response.content.decode()
    assert snapshot(case) == before and not AssessmentExclusion.objects.exists()


def test_restoring_from_the_case_page(client, world, flow):
    # given an excluded case
    case = CASES["excluded"](flow)
    administrator = login(client, person(world, "administrator"))
    # a restore needs a reason too
    before = snapshot(case)
    response = act(client, "restore", case, reason="")
    assert response.status_code == 200
    assert any("Reason for restoring the case" in m for m in message_texts(response))
    assert snapshot(case) == before and AssessmentExclusion.objects.filter(case=case).exists()
    # when an administrator restores it with a reason
    response = act(client, "restore", case, reason="复核后恢复考核")
    # then the exclusion is gone, the dossier has a RESTORE event, and the page no longer says excluded
    assert response.status_code == 302
    assert not AssessmentExclusion.objects.filter(case=case).exists()
    event = last_event(case)
    assert (event.action, event.actor, event.note) == (CaseEvent.Action.RESTORE, administrator, "复核后恢复考核")
    _status, html = page(client, case)
    assert 'data-excluded="1"' not in html and "data-exclusion" not in html
    assert buttons(html) & MINE == {"exclude"}
    assert re.findall(r'data-event="([a-z_]+)"', html)[-2:] == ["exclude", "restore"]


def test_a_stale_version_is_refused(client, world, flow):
    case = flow.closed()
    login(client, world.supervisor)
    response = act(client, "exclude", case, reason=REASON, expected_version=fresh(case).version - 1)
    assert response.status_code == 200
    assert not AssessmentExclusion.objects.exists()


# --- The list of exclusions ---------------------------------------------------------------

@pytest.fixture
def two_excluded(world, flow, clock):
    """Two excluded cases: one of 住建局 (2 October), one of 水务局 (5 October)."""
    clock.move_to(local(2025, 10, 2, 9))
    housing = exclude_from_assessment(flow.closed(), acting_user=world.supervisor, reason="住建局：超出政策规定")
    clock.move_to(local(2025, 10, 5, 9))
    water = flow.handling(unit=world.dept2, signer=world.dept2_handler)
    water = exclude_from_assessment(water, acting_user=world.supervisor, reason="水务局：非本单位职责")
    return housing, water


def listing(client, user, **params):
    login(client, user)
    response = client.get(reverse("assessment_exclusions:index"), params)
    return response.status_code, response.content.decode()


def test_the_list_shows_each_exclusion_with_its_case_unit_reason_and_reviewer(client, world, two_excluded):
    housing, water = two_excluded
    status, html = listing(client, world.supervisor)
    assert status == 200
    # each case number links to its case page
    for case in (housing, water):
        assert f'href="{reverse("cases:inspect", args=[case.pk])}"' in html
        assert case.number in html
    assert world.dept.name in html and world.dept2.name in html
    assert "住建局：超出政策规定" in html and "水务局：非本单位职责" in html
    assert world.supervisor.staff_profile.name in html


def test_the_list_filters_by_the_date_of_the_exclusion(client, world, two_excluded):
    housing, water = two_excluded
    _status, html = listing(client, world.supervisor, excluded_at_from="2025-10-04", excluded_at_to="2025-10-06")
    assert water.number in html and housing.number not in html
    _status, html = listing(client, world.supervisor, excluded_at_from="2025-10-01", excluded_at_to="2025-10-02")
    assert housing.number in html and water.number not in html


def test_the_list_filters_by_lead_unit(client, world, two_excluded):
    housing, water = two_excluded
    _status, html = listing(client, world.supervisor, unit=world.dept2.pk)
    assert water.number in html and housing.number not in html


def test_a_unit_sees_only_the_exclusions_of_its_own_cases(client, world, two_excluded):
    housing, water = two_excluded
    # the housing bureau's handler sees its case, not the water bureau's
    status, html = listing(client, world.dept_handler)
    assert status == 200
    assert housing.number in html and water.number not in html
    assert "水务局：非本单位职责" not in html
    # a handler of a township that held neither sees none
    _status, html = listing(client, world.town_b_handler)
    assert housing.number not in html and water.number not in html


def test_the_reason_is_masked_for_a_role_that_may_not_read_personal_data(client, world, flow):
    # given an exclusion whose reason quotes the citizen's phone, and handlers who may not read personal data
    case = exclude_from_assessment(flow.closed(), acting_user=world.supervisor, reason="市民13812341234诉求超出政策")
    Role.objects.filter(code="handler").update(sees_personal_data=False)
    # when the bureau's handler reads the list and the case page, then the phone is masked in both
    _status, html = listing(client, world.dept_handler)
    assert case.number in html and "138****1234" in html and "13812341234" not in html
    _status, html = page(client, case)
    assert "data-exclusion" in html and "13812341234" not in html
    # and the supervisor reads it in full
    _status, html = listing(client, world.supervisor)
    assert "市民13812341234诉求超出政策" in html


def test_the_list_is_read_only(client, world, two_excluded):
    housing, _water = two_excluded
    login(client, world.supervisor)
    exclusion = AssessmentExclusion.objects.get(case=housing)
    for url in (reverse("assessment_exclusions:add"),
                reverse("assessment_exclusions:edit", args=[exclusion.pk]),
                reverse("assessment_exclusions:delete", args=[exclusion.pk])):
        assert client.get(url).status_code in (302, 403), url
        client.post(url, {"reason": "x"})
    assert AssessmentExclusion.objects.get(case=housing).reason == "住建局：超出政策规定"


def test_a_user_without_a_staff_profile_sees_no_exclusions(client, db, two_excluded):
    user = get_user_model().objects.create_user("outsider", password="pw")
    status, html = listing(client, user)
    assert status in (302, 403) or two_excluded[0].number not in html


def test_the_assessment_menu_for_staff(client, world, two_excluded):
    login(client, world.supervisor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    menu = menu_text(html)
    assert "Assessment" in menu and "Exclusions from assessment" in menu and "Roll-up state" in menu


# --- The roll-up's state ------------------------------------------------------------------

@pytest.fixture
def administrator(world):
    return StaffFactory(unit=world.centre, roles=["administrator"]).user


def rollup_page(client, user):
    login(client, user)
    response = client.get(reverse("assessment_rollup:index"))
    return response.status_code, response.content.decode()


def test_the_rollup_state_says_when_the_figures_were_last_refreshed(client, world, flow, clock):
    # given nothing rolled up yet
    flow.closed()
    status, html = rollup_page(client, world.supervisor)
    assert status == 200 and "data-never-rolled-up" in html
    # when the roll-up is refreshed, and two hours pass
    refresh_rollups()
    clock.shift(datetime.timedelta(hours=2))
    status, html = rollup_page(client, world.supervisor)
    # then the page says as of when, how long ago, and what the run did
    assert "2025-09-30 10:00:00" in html
    assert "2\xa0hours ago" in html
    assert 'data-last-kind="rebuild"' in html
    # and a supervisor gets no rebuild button
    assert "data-rebuild" not in html


def test_a_non_administrator_may_not_start_a_rebuild(client, world, flow):
    login(client, world.supervisor)
    with mock.patch("django_q.tasks.async_task") as enqueue:
        response = client.post(reverse("assessment_rollup:index"))
    # the admin turns the refusal into a redirect to its home page, with a message
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    enqueue.assert_not_called()
    assert not RollupState.objects.exists()


def test_an_administrator_starts_a_rebuild_in_the_background(client, world, flow, administrator):
    flow.closed()
    status, html = rollup_page(client, administrator)
    assert status == 200 and "data-rebuild" in html
    # when they press the button, then the rebuild task is enqueued and they are told
    with mock.patch("django_q.tasks.async_task") as enqueue:
        response = client.post(reverse("assessment_rollup:index"))
    assert response.status_code == 302 and response["Location"] == reverse("assessment_rollup:index")
    enqueue.assert_called_once()
    assert enqueue.call_args.args == ("casemodels.tasks.rebuild_assessment_rollups",)
    assert message_texts(response)


def test_the_rebuild_task_rebuilds_the_rollup(client, world, flow, administrator):
    # given a closed case and no roll-up; the test cluster runs tasks at once (sync)
    flow.closed()
    login(client, administrator)
    # when the administrator starts a rebuild
    client.post(reverse("assessment_rollup:index"))
    # then the roll-up was rebuilt from the cases, and the page says how the background run ended
    state = RollupState.objects.get()
    assert state.last_kind == "rebuild" and state.last_rows == 1
    _status, html = rollup_page(client, administrator)
    assert 'data-background-rebuild="success"' in html


def test_the_rollup_page_is_for_staff_only(client, db, world):
    user = get_user_model().objects.create_user("outsider", password="pw")
    status, _html = rollup_page(client, user)
    assert status in (302, 403)
