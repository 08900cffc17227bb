"""The work calendar: seeding from chinesecalendar (idempotent, never
overwriting an administrator's edit), working-day arithmetic, and the loud
admin warning for a year without a published calendar."""

import ast
import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from snippets.models import CalendarDay, CalendarYear
from snippets.services.calendar import WorkCalendar, missing_years, package_years, seed_from_chinesecalendar
from snippets.signals import calendar_changed

D = datetime.date
HOLIDAY, MAKEUP = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP_WORKDAY


@pytest.fixture
def seeded(db):
    return seed_from_chinesecalendar(years=[2025, 2026])


# --- seeding ---------------------------------------------------------------------------------


def test_seed_creates_years_holidays_and_makeup_days(seeded):
    # given an empty calendar seeded for 2025 and 2026
    years_created, days_created = seeded
    # then both years are published, from the package
    assert years_created == 2
    assert list(CalendarYear.objects.order_by("year").values_list("year", "source", "is_published")) == [
        (2025, "chinesecalendar", True), (2026, "chinesecalendar", True),
    ]
    assert days_created == CalendarDay.objects.count() > 40
    # and National Day is off, the make-up Saturday 2025-10-11 is on, with names
    national_day = CalendarDay.objects.get(date=D(2025, 10, 1))
    assert (national_day.kind, national_day.is_workday) == (HOLIDAY, False)
    assert national_day.name
    assert CalendarDay.objects.get(date=D(2025, 10, 11)).kind == MAKEUP
    assert CalendarDay.objects.get(date=D(2026, 2, 14)).kind == MAKEUP
    assert CalendarDay.objects.get(date=D(2026, 2, 23)).kind == HOLIDAY


def test_seed_is_idempotent(seeded):
    # given a seeded calendar
    days = list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name"))
    # when seeded again
    result = seed_from_chinesecalendar(years=[2025, 2026])
    # then nothing is created and nothing changed
    assert result == (0, 0)
    assert list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name")) == days
    assert CalendarYear.objects.count() == 2


def test_seed_does_not_overwrite_edits(seeded):
    # given an administrator who made 2025-10-08 a local make-up workday, unpublished 2026 to review it,
    # and deleted the 2025-10-11 make-up day
    CalendarDay.objects.filter(date=D(2025, 10, 8)).update(kind=MAKEUP, name="本地调整")
    CalendarYear.objects.filter(year=2026).update(is_published=False, source="manual", note="待核")
    CalendarDay.objects.filter(date=D(2025, 10, 11)).delete()
    # when the calendar is seeded again
    years_created, days_created = seed_from_chinesecalendar(years=[2025, 2026])
    # then the edited day and year are left as edited; only the missing day comes back
    assert (years_created, days_created) == (0, 1)
    assert CalendarDay.objects.filter(date=D(2025, 10, 8)).values_list("kind", "name").get() == (MAKEUP, "本地调整")
    assert CalendarYear.objects.filter(year=2026).values_list("is_published", "source", "note").get() == (
        False, "manual", "待核")
    assert CalendarDay.objects.get(date=D(2025, 10, 11)).kind == MAKEUP


def test_seed_without_years_takes_every_year_of_the_package(db):
    # when seeded with no years given
    years_created, _ = seed_from_chinesecalendar()
    # then every year the package knows is there, 2025 and 2026 among them
    assert years_created == len(package_years())
    assert {2025, 2026} <= set(CalendarYear.objects.values_list("year", flat=True))


def test_seed_with_an_empty_list_seeds_nothing(db):
    # an empty list means no year, not every year (years=None means every year)
    assert seed_from_chinesecalendar([]) == (0, 0)
    assert seed_from_chinesecalendar(years=[]) == (0, 0)
    assert not CalendarYear.objects.exists()


def test_seed_never_publishes_a_year_the_package_does_not_cover(db):
    # given a year the package has no data for, next to one it has
    beyond = max(package_years()) + 1
    # when both are asked for, then only the covered one is created
    years_created, _ = seed_from_chinesecalendar([2025, beyond])
    assert years_created == 1
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2025]


def test_seed_calendar_command_without_years_seeds_every_year(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_calendar", stdout=out, stderr=err)
    assert CalendarYear.objects.count() == len(package_years())
    assert err.getvalue() == ""


def test_seed_calendar_command_with_a_year_the_package_lacks_seeds_nothing_and_says_so(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_calendar", "2099", stdout=out, stderr=err)
    assert not CalendarYear.objects.exists()
    assert not CalendarDay.objects.exists()
    assert "2099" in err.getvalue()
    assert "0 years and 0 days" in out.getvalue()


def test_seed_calendar_command_with_some_years(db):
    call_command("seed_calendar", "2025", "2099", stdout=io.StringIO(), stderr=io.StringIO())
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2025]
    assert not CalendarDay.objects.exclude(date__year=2025).exists()


def test_seeding_sends_calendar_changed_only_when_it_created_something(db):
    received = []

    def listener(sender, years, **kwargs):
        received.append(years)

    calendar_changed.connect(listener, dispatch_uid="test-listener")
    try:
        seed_from_chinesecalendar([2025, 2026])
        seed_from_chinesecalendar([2025, 2026])
        CalendarDay.objects.filter(date=D(2025, 10, 11)).delete()
        seed_from_chinesecalendar([2025, 2026])
    finally:
        calendar_changed.disconnect(dispatch_uid="test-listener")
    # then once for the first seeding, not for the idempotent one, once for the restored day
    assert received == [[2025, 2026], [2025]]


def test_the_configuration_app_does_not_import_the_case_app():
    # imports flow snippets ← casemodels: the calendar signals, it does not call
    import snippets.services.calendar as calendar_module
    import snippets.signals as signals_module

    for module in (calendar_module, signals_module):
        tree = ast.parse(open(module.__file__, encoding="utf-8").read())
        imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [name for name in imported if name.startswith("casemodels")], module.__name__


# --- working-day arithmetic ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (D(2025, 9, 30), 5, D(2025, 10, 14)),   # National Day week off, Saturday 10-11 on
        (D(2026, 2, 13), 3, D(2026, 2, 25)),    # Saturday 02-14 on, Spring Festival off
        (D(2025, 10, 10), 1, D(2025, 10, 11)),  # the make-up Saturday itself
        (D(2025, 10, 11), 1, D(2025, 10, 13)),  # Sunday 10-12 is a plain weekend day
        (D(2025, 9, 30), 0, D(2025, 9, 30)),
    ],
)
def test_add_working_days(seeded, start, n, expected):
    # given the seeded calendar, when counting n working days after start
    cal = WorkCalendar.load(2025, 2026)
    # then the n-th working day is found, and the result is firm
    assert cal.add_working_days(start, n) == expected
    assert cal.provisional is False


def test_is_workday(seeded):
    cal = WorkCalendar.load(2025, 2026)
    assert cal.is_workday(D(2025, 10, 11)) is True    # make-up Saturday
    assert cal.is_workday(D(2025, 10, 12)) is False   # Sunday
    assert cal.is_workday(D(2025, 10, 1)) is False    # National Day (a Wednesday)
    assert cal.is_workday(D(2025, 10, 9)) is True     # plain Thursday
    assert cal.next_workday_on_or_after(D(2025, 10, 1)) == D(2025, 10, 9)


def test_a_year_without_calendar_falls_back_to_weekdays_and_says_so(seeded):
    # given a calendar loaded for a span reaching 2031, which has no rows
    cal = WorkCalendar.load(2030, 2031)
    # when counting from Tuesday 2031-09-30, then weekdays are counted and the result flagged provisional
    assert cal.add_working_days(D(2031, 9, 30), 5) == D(2031, 10, 7)
    assert cal.provisional is True


def test_unpublished_year_is_ignored(seeded):
    # given 2025 unpublished, when loaded
    CalendarYear.objects.filter(year=2025).update(is_published=False)
    cal = WorkCalendar.load(2025, 2025)
    # then its holidays are not trusted
    assert cal.is_workday(D(2025, 10, 1)) is True
    assert cal.provisional is True
    assert missing_years([2025, 2026, 2031]) == [2025, 2031]


def test_a_calendar_with_no_working_days_is_an_error():
    # given a calendar in which no day is a working day (a broken edit)
    cal = WorkCalendar(known_years={2025})
    cal.is_workday = lambda day: False
    # when counting, then a clear error rather than an endless loop
    with pytest.raises(ValueError, match="work calendar"):
        cal.add_working_days(D(2025, 1, 1), 1)


# --- the admin warning --------------------------------------------------------------------------


def warning(response):
    match = re.search(r"<section[^>]*data-calendar-warning[^>]*>(.*?)</section>", response.content.decode(), re.S)
    return match.group(1) if match else None


@pytest.fixture
def in_2025():
    with time_machine.travel(datetime.datetime(2025, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def test_dashboard_warns_when_this_year_has_no_calendar(admin_client, in_2025):
    # given no calendar at all, in 2025
    # when a superuser opens the admin dashboard
    response = admin_client.get("/admin/")
    # then the loud warning names this year and next
    assert response.status_code == 200
    text = warning(response)
    assert text is not None
    assert "2025" in text and "2026" in text


def test_dashboard_warns_about_next_year_only(admin_client, in_2025):
    # given 2025 published but 2026 not
    CalendarYear.objects.create(year=2025)
    CalendarYear.objects.create(year=2026, is_published=False)
    # when the dashboard is opened, then only 2026 is named
    text = warning(admin_client.get("/admin/"))
    assert "2026" in text and "2025" not in text


def test_dashboard_is_quiet_when_both_years_are_published(admin_client, in_2025):
    # given the seeded calendar for 2025 and 2026
    seed_from_chinesecalendar(years=[2025, 2026])
    # when the dashboard is opened, then no warning
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert warning(response) is None
    assert "data-calendar-warning" not in response.content.decode()
