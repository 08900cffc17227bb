"""Periods of public figures and listings, as front-ends write them:

- ``2025`` — a calendar year;
- ``2025-10`` — a month;
- ``2025-W41`` — an ISO week (Monday to Sunday; ``w`` is accepted too).

``parse_period(text)`` turns one into a half-open interval ``[start, end)``
of timezone-aware datetimes at midnight in the centre's time zone
(``settings.TIME_ZONE``), so that "received in October" means October as the
centre's calendar has it, whatever the server's zone. Used by the published
cases and the result board alike."""

import datetime
import re
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

YEAR, MONTH, WEEK = "year", "month", "week"

_PATTERN = re.compile(r"(?P<year>\d{4})(?:-(?:(?P<month>\d{1,2})|W(?P<week>\d{1,2})))?")
MIN_YEAR, MAX_YEAR = 2000, 2999


class Period(NamedTuple):
    """A period: ``start`` (included), ``end`` (excluded), ``kind`` (year, month or week)."""

    start: datetime.datetime
    end: datetime.datetime
    kind: str

    def contains(self, moment):
        return self.start <= moment < self.end


def _bad(text):
    return ValueError(
        _("“%(period)s” is not a period: write 2025 for a year, 2025-10 for a month or 2025-W41 for an ISO week.")
        % {"period": text}
    )


def parse_period(text):
    """``(start, end, kind)`` of ``text`` (see the module docstring); raises
    ``ValueError`` with a message naming the text when it is not a period
    (an unknown shape, month 13, week 54, a week 53 the year does not have,
    a year outside 2000–2999)."""
    raw = "" if text is None else str(text)
    match = _PATTERN.fullmatch(raw.strip().upper())
    if match is None:
        raise _bad(raw)
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _bad(raw)
    if match["week"] is not None:
        try:
            first = datetime.date.fromisocalendar(year, int(match["week"]), 1)
        except ValueError:
            raise _bad(raw) from None
        kind, start, end = WEEK, first, first + datetime.timedelta(days=7)
    elif match["month"] is not None:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise _bad(raw)
        start = datetime.date(year, month, 1)
        end = datetime.date(year + month // 12, month % 12 + 1, 1)
        kind = MONTH
    else:
        kind, start, end = YEAR, datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    zone = ZoneInfo(settings.TIME_ZONE)
    return Period(_midnight(start, zone), _midnight(end, zone), kind)


def _midnight(day, zone):
    return datetime.datetime(day.year, day.month, day.day, tzinfo=zone)


def period_title(start, kind):
    """A period as people read it: 2025年10月, 2025年第41周（10月6日—10月12日）, 2025年."""
    day = start.date() if isinstance(start, datetime.datetime) else start
    if kind == MONTH:
        return formats.date_format(day, "YEAR_MONTH_FORMAT")
    if kind == WEEK:
        year, week, _weekday = day.isocalendar()
        return _("Week %(week)s of %(year)s (%(first)s – %(last)s)") % {
            "week": week, "year": year, "first": formats.date_format(day, "MONTH_DAY_FORMAT"),
            "last": formats.date_format(day + datetime.timedelta(days=6), "MONTH_DAY_FORMAT"),
        }
    return _("Year %(year)s") % {"year": day.year}
