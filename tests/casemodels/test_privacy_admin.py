"""Personal data screens in the admin (casemodels.admin.privacy): the access
log for administrators and supervisors, a citizen's data export and its
erasure (with a confirmation step) for administrators only."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from casemodels.models import Case, CaseEvent, PersonalDataAccess
from casemodels.services.privacy import log_personal_data_access
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PHONE = "13911112222"


def login(client, user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    return user


@pytest.fixture
def admin(world):
    return StaffFactory(unit=world.centre, roles=["administrator"]).user


@pytest.fixture
def cases(world, flow):
    return [flow.received(citizen_name="王小明", citizen_phone=PHONE), flow.received(citizen_phone="13800001111")]


# --- The access log ------------------------------------------------------------------------------
@pytest.mark.parametrize("who, allowed", [("admin", True), ("supervisor", True), ("dispatcher", False),
                                          ("dept_handler", False)])
def test_the_access_log_is_for_administrators_and_supervisors(client, world, admin, cases, who, allowed):
    log_personal_data_access(world.dispatcher, cases, where="case_page")
    login(client, admin if who == "admin" else getattr(world, who))
    response = client.get(reverse("privacy_log:index"))
    if allowed:
        assert response.status_code == 200
        assert cases[0].number in response.content.decode()
    else:
        assert response.status_code in (302, 403)
        assert cases[0].number not in response.content.decode()


def test_a_district_supervisor_reads_only_the_rows_about_cases_they_may_see(client, world, flow):
    ours = flow.received(acting_user=world.town_b_dispatcher)  # received by township B: its own case
    theirs = flow.dispatched(unit=world.dept)  # the centre's case, held by the department
    log_personal_data_access(world.dispatcher, [ours, theirs], where="case_page")
    login(client, StaffFactory(unit=world.town_b, roles=["supervisor"]).user)
    html = client.get(reverse("privacy_log:index")).content.decode()
    assert ours.number in html and theirs.number not in html


def test_the_access_log_filters_by_user_case_and_date(client, world, admin, cases):
    log_personal_data_access(world.dispatcher, cases[0], where="case_page")
    log_personal_data_access(world.dept_handler, cases[1], where="admin_list")
    login(client, admin)
    url = reverse("privacy_log:index")
    by_user = client.get(url, {"username": world.dept_handler.username}).content.decode()
    assert cases[1].number in by_user and cases[0].number not in by_user
    by_case = client.get(url, {"case_number": cases[0].number}).content.decode()
    assert cases[0].number in by_case and cases[1].number not in by_case
    later = client.get(url, {"at_from": "2030-01-01"}).content.decode()
    assert cases[0].number in client.get(url, {"at_from": "2025-09-30", "at_to": "2025-09-30"}).content.decode()
    assert cases[0].number not in later and cases[1].number not in later


def test_nobody_adds_or_edits_log_rows_in_the_admin(client, admin, world, cases):
    [row] = log_personal_data_access(world.dispatcher, cases[0], where="case_page")
    login(client, admin)
    assert client.get("/admin/personal-data-log/new/").status_code in (302, 403, 404)
    assert client.get(f"/admin/personal-data-log/edit/{row.pk}/").status_code in (302, 403, 404)
    assert client.post(f"/admin/personal-data-log/delete/{row.pk}/").status_code in (302, 403, 404)
    assert PersonalDataAccess.objects.filter(pk=row.pk).exists()


# --- Export --------------------------------------------------------------------------------------
def test_an_administrator_downloads_a_citizens_data(client, admin, cases):
    login(client, admin)
    assert client.get(reverse("citizen_data:export")).status_code == 200
    response = client.post(reverse("citizen_data:export"), {"phone": PHONE})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert [c["number"] for c in data["cases"]] == [cases[0].number]
    assert PersonalDataAccess.objects.filter(user=admin, where="citizen_export", case=cases[0]).count() == 1


def test_an_unknown_phone_is_shown_on_the_form(client, admin, cases):
    login(client, admin)
    response = client.post(reverse("citizen_data:export"), {"phone": "13700000000"})
    assert response.status_code == 200
    assert "13700000000" in response.content.decode()
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.parametrize("who", ["supervisor", "dispatcher"])
def test_other_roles_get_no_citizen_data_screens(client, world, cases, who):
    login(client, getattr(world, who))
    for name in ("citizen_data:export", "citizen_data:erase"):
        assert client.get(reverse(name)).status_code in (302, 403)
        assert client.post(reverse(name), {"phone": PHONE, "reason": "x", "confirmed": "True"}).status_code \
            in (302, 403)
    assert Case.objects.filter(citizen_phone=PHONE).count() == 1
    assert PersonalDataAccess.objects.count() == 0


# --- Erasure -------------------------------------------------------------------------------------
def test_an_erasure_shows_how_many_cases_change_before_it_is_confirmed(client, admin, cases):
    login(client, admin)
    url = reverse("citizen_data:erase")
    first = client.post(url, {"phone": PHONE, "reason": "市民申请删除"})
    html = first.content.decode()
    assert first.status_code == 200 and 'data-erase-confirm="1"' in html
    # the second step carries the first step's phone and reason, and the confirmation
    assert f'type="hidden" name="phone" value="{PHONE}"' in html
    assert 'type="hidden" name="confirmed" value="True"' in html
    assert Case.objects.filter(citizen_phone=PHONE).count() == 1  # nothing yet
    confirmed = client.post(url, {"phone": PHONE, "reason": "市民申请删除", "confirmed": "True"})
    assert confirmed.status_code == 302
    assert Case.objects.filter(citizen_phone=PHONE).count() == 0
    assert CaseEvent.objects.filter(case=cases[0], action=CaseEvent.Action.ERASE).count() == 1
    assert Case.objects.get(pk=cases[1].pk).citizen_phone == "13800001111"


def test_an_erasure_without_a_reason_stops_at_the_form(client, admin, cases):
    login(client, admin)
    response = client.post(reverse("citizen_data:erase"), {"phone": PHONE, "reason": ""})
    assert response.status_code == 200 and "data-erase-confirm" not in response.content.decode()
    assert Case.objects.filter(citizen_phone=PHONE).count() == 1
