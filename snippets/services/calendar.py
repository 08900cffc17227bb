"""Work calendar: seeding from the chinesecalendar package and working-day
arithmetic.

A day is a working day when it is a make-up workday, or a Monday-to-Friday
that is not a public holiday. Only years with a published ``CalendarYear``
are trusted; any other year falls back to the weekday rule and the result is
marked provisional, so that callers can flag it instead of guessing silently.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from ..models import CalendarDay, CalendarYear
from ..signals import calendar_changed


def package_years():
    """The years the installed chinesecalendar package covers."""
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})


def _holiday_names():
    from chinese_calendar import constants

    return {h.value: getattr(h, "chinese", h.value) for h in constants.Holiday}


@transaction.atomic
def seed_from_chinesecalendar(years=None):
    """Create the calendar years and exceptional days the package knows.

    ``years=None`` means every year the package covers; a list (even an
    empty one) means only those years, and of them only the ones the package
    covers (a year it does not know is never published empty).

    Idempotent, and it never overwrites a day or year an administrator has
    edited: existing rows are left alone. Returns (years_created, days_created).
    When anything was created, ``calendar_changed`` is sent (bulk_create sends
    no post_save), so that open cases' deadlines are recomputed.
    """
    from chinese_calendar import constants

    names = _holiday_names()
    covered = set(package_years())
    wanted = covered if years is None else covered & set(years)
    existing_years = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    new_years = [
        CalendarYear(year=y, source=CalendarYear.Source.PACKAGE, is_published=True)
        for y in sorted(wanted - existing_years)
    ]
    CalendarYear.objects.bulk_create(new_years)

    existing_days = set(
        CalendarDay.objects.filter(date__year__in=wanted).values_list("date", flat=True)
    )
    new_days = []
    for day, name in constants.holidays.items():
        if day.year in wanted and day not in existing_days:
            new_days.append(CalendarDay(date=day, kind=CalendarDay.Kind.HOLIDAY, name=names.get(name, name)))
    for day, name in constants.workdays.items():
        if day.year in wanted and day not in existing_days:
            new_days.append(
                CalendarDay(date=day, kind=CalendarDay.Kind.MAKEUP_WORKDAY, name=names.get(name, name))
            )
    CalendarDay.objects.bulk_create(new_days)
    if new_years or new_days:
        # bulk_create sends no post_save: tell listeners (deadline recomputation) once.
        changed_years = sorted({y.year for y in new_years} | {d.date.year for d in new_days})
        calendar_changed.send(sender=CalendarDay, years=changed_years)
    return len(new_years), len(new_days)


def missing_years(years):
    """Of the given years, those with no published calendar."""
    known = set(
        CalendarYear.objects.filter(year__in=set(years), is_published=True).values_list("year", flat=True)
    )
    return sorted(set(years) - known)


@dataclass
class WorkCalendar:
    """An in-memory view of the calendar for a span of years (two queries)."""

    known_years: set = field(default_factory=set)
    exceptions: dict = field(default_factory=dict)
    provisional: bool = False

    @classmethod
    def load(cls, first_year, last_year):
        years = range(first_year, last_year + 1)
        known = set(
            CalendarYear.objects.filter(year__in=years, is_published=True).values_list("year", flat=True)
        )
        exceptions = dict(
            CalendarDay.objects.filter(date__year__in=known).values_list("date", "kind")
        )
        return cls(known_years=known, exceptions=exceptions)

    def is_workday(self, day):
        if day.year not in self.known_years:
            self.provisional = True
            return day.weekday() < 5
        kind = self.exceptions.get(day)
        if kind == CalendarDay.Kind.MAKEUP_WORKDAY:
            return True
        if kind == CalendarDay.Kind.HOLIDAY:
            return False
        return day.weekday() < 5

    def add_working_days(self, start, n):
        """The date of the n-th working day after ``start`` (start not counted)."""
        day = start
        counted = 0
        # Guard against a calendar marking every day off: ten years at most.
        for _ in range(3660):
            if counted >= n:
                return day
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        raise ValueError("No working days found within ten years; check the work calendar.")

    def next_workday_on_or_after(self, day):
        for _ in range(3660):
            if self.is_workday(day):
                return day
            day += datetime.timedelta(days=1)
        raise ValueError("No working days found within ten years; check the work calendar.")
