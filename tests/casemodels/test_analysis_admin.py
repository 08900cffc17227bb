"""The analysis reports in the admin (casemodels/admin/analysis.py) over the
hand-counted data set of test_analysis: the figures shown and exported are
the service's, the filters reach it, bad filters are named, and only the
command centre's supervisors and administrators get in."""

import csv
import io

import pytest
from django.urls import reverse

from casemodels.services import NotAllowed
from casemodels.services.analysis import check_analyst
from tests.factories import StaffFactory

from .conftest import local
from .test_analysis import demand  # noqa: F401  (the data set)

REPORTS = ["hot_items", "hot_regions", "rising_matters", "seasonal", "weekdays"]
OCTOBER = {"start": "2025-10-01", "end": "2025-10-31"}


@pytest.fixture
def analyst(client, world):
    client.force_login(world.supervisor)
    return client


def refused(response):
    """Wagtail's answer to PermissionDenied in the admin: back to the admin home, no figures."""
    assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))


def export(client, name, **params):
    response = client.get(reverse(f"analysis:{name}"), {**params, "export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_hot_items_of_october_as_the_service_counts_them(analyst, demand):  # noqa: F811
    response = analyst.get(reverse("analysis:hot_items"), OCTOBER)
    assert response.status_code == 200
    html = response.content.decode()
    assert "SZ-LD" in html and "62.5%" in html and "2025-10-01 — 2025-10-31" in html
    rows = export(analyst, "hot_items", **OCTOBER)
    assert [row[:5] for row in rows[1:]] == [
        ["SZ-LD", "路灯", "5", "1", "4"], ["HJ-ZY", "噪音", "2", "3", "-1"], ["SZ-GS", "供水", "1", "0", "1"],
    ]


def test_hot_regions_rolled_up_to_townships(analyst, demand, world):  # noqa: F811
    rows = export(analyst, "hot_regions", level=3, **OCTOBER)
    assert [(row[1], row[2]) for row in rows[1:]] == [("米山镇", "6"), ("三甲镇", "1")]


def test_the_month_against_last_year_and_the_week_days(analyst, demand):  # noqa: F811
    response = analyst.get(reverse("analysis:seasonal"), {"month": "2025-10-15"})
    assert response.status_code == 200
    assert "2025-10" in response.content.decode()
    seasonal_rows = export(analyst, "seasonal", month="2025-10-15")
    assert ["SZ-LD", "路灯", "5", "1"] in seasonal_rows
    weekdays = export(analyst, "weekdays", **OCTOBER)
    assert len(weekdays) == 8  # the heading and Monday to Sunday
    assert sum(int(row[1]) for row in weekdays[1:]) == 8


def test_matters_on_the_rise_follow_the_window_and_threshold(client, world, demand, clock):  # noqa: F811
    clock.move_to(local(2025, 10, 20, 12))
    client.force_login(world.supervisor)  # signed in at the new time (a session three weeks old has expired)
    analyst = client
    rows = export(analyst, "rising_matters", window_days=3, threshold=3)
    assert [(row[1], row[3], row[4]) for row in rows[1:]] == [("米西村", "路灯", "3")]
    assert export(analyst, "rising_matters", window_days=3, threshold=4)[1:] == []


def test_a_period_that_ends_before_it_starts_is_named_and_shows_no_rows(analyst, demand):  # noqa: F811
    response = analyst.get(reverse("analysis:hot_items"), {"start": "2025-10-31", "end": "2025-10-01"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "SZ-LD" not in html
    assert any("period" in str(m) or "时段" in str(m) or "开始" in str(m) for m in response.context["messages"])


def test_a_window_out_of_range_is_named(analyst, demand):  # noqa: F811
    response = analyst.get(reverse("analysis:rising_matters"), {"window_days": 400})
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and ("90" in messages[0])


@pytest.mark.parametrize("who", ["dispatcher", "dept_handler", "dept_leader", "visitor"])
def test_other_staff_are_turned_away_from_every_report(client, world, who):
    client.force_login(getattr(world, who))
    for name in REPORTS:
        refused(client.get(reverse(f"analysis:{name}")))
        refused(client.get(reverse(f"analysis:{name}"), {"export": "csv"}))
    assert reverse("analysis:hot_items") not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_supervisor_outside_the_centre_is_refused(client, world):
    supervisor = StaffFactory(unit=world.dept, roles=["supervisor"]).user
    with pytest.raises(NotAllowed):
        check_analyst(supervisor)
    client.force_login(supervisor)
    refused(client.get(reverse("analysis:hot_items")))


def test_the_centre_supervisor_finds_every_report_in_the_menu(analyst):
    html = analyst.get(reverse("wagtailadmin_home")).content.decode()
    for name in REPORTS:
        assert reverse(f"analysis:{name}") in html
        assert analyst.get(reverse(f"analysis:{name}")).status_code == 200


@pytest.mark.parametrize("name, params", [
    ("hot_items", {"start": "0001-01-02", "end": "2025-10-31"}),
    ("hot_items", {"start": "2025-10-01", "end": "9999-12-31"}),
    ("weekdays", {"start": "1900-01-01", "end": "2025-10-31"}),
    ("hot_regions", {"start": "2024-01-01", "end": "2025-10-31"}),
    ("seasonal", {"month": "0001-03-01"}),
    ("rising_matters", {"window_days": "1e9"}),
])
def test_dates_at_the_edge_of_the_calendar_or_too_long_a_period_are_named_not_a_crash(analyst, name, params):
    response = analyst.get(reverse(f"analysis:{name}"), params)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and any(word in messages[0] for word in ("2000", "366", "90"))
