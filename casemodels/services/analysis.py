"""Analysis of what citizens ask about, where and when (issue 5: hot spots,
matters on the rise, seasons and week-days), each an aggregate query in the
database, never a loop over cases.

Which cases count: every case received (``received_at``) in the window,
whatever its channel or state, except those marked invalid (nuisance, test
or empty calls). Merged duplicates count: each is a citizen calling about
the matter, which is what these figures measure. Exclusion after review
(核减) is a matter of assessing units and does not apply here. Windows are
half-open, ``[start, end)``; days and months are those of the centre's time
zone.

- ``hot_items(start, end, limit)``: the directory items most asked about,
  with the count of the window just before of the same length (to see what
  grows) and the share of all the window's cases.
- ``hot_regions(start, end, limit, level=None)``: the same per region; with
  ``level`` (e.g. townships) each case counts for its region's ancestor at
  that level.
- ``rising_matters(now, window_days, threshold)``: one place (region) and one
  directory item with at least ``threshold`` cases in the last
  ``window_days`` days — an early sign of an emerging or collective problem
  (苗头性 / 群体性) — with the number of different callers and the count of
  the window before.
- ``seasonal(month)``: a month against the same month a year before, in
  total and per directory item.
- ``weekday_profile(start, end)``: cases per week-day (Monday to Sunday),
  and per such day in the window.

Who may read them (``check_analyst``): the figures are the whole centre's,
so supervisors and administrators of a command centre (and superusers).
They are counts only, with no personal data.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case as Conditional
from django.db.models import Count, F, Max, Min, Q, When
from django.db.models.functions import ExtractIsoWeekDay
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from snippets.models import DirectoryItem, Level, Region, Unit

from ..models import Case, CaseState
from .assessment import centre_zone
from .base import R, Actor, InvalidInput, NotAllowed

SHARE_PLACES = Decimal("0.0001")
PER_DAY_PLACES = Decimal("0.01")
# Regions are at most five levels deep (city → grid): four steps up reach any ancestor.
REGION_STEPS = 4


@dataclass(frozen=True)
class Hotspot:
    """A directory item or region and its cases in the window."""

    id: int
    code: str
    name: str
    cases: int
    previous: int  # in the window of the same length just before
    share: Decimal | None  # of all the window's cases, 0 to 1

    @property
    def change(self):
        return self.cases - self.previous


@dataclass(frozen=True)
class RisingMatter:
    """Many cases about one place and one directory item in a short window."""

    region_id: int
    region_code: str
    region_name: str
    item_id: int
    item_code: str
    item_name: str
    cases: int
    citizens: int  # different phone numbers among them (anonymous callers not counted)
    previous: int  # in the window of the same length just before
    first_received: datetime.datetime
    last_received: datetime.datetime


@dataclass(frozen=True)
class SeasonalItem:
    id: int
    code: str
    name: str
    cases: int
    last_year: int


@dataclass(frozen=True)
class Seasonal:
    """A month (its first day) against the same month a year before."""

    month: datetime.date
    cases: int
    last_year: int
    change_rate: Decimal | None  # (cases − last year) / last year; None without cases last year
    items: list


@dataclass(frozen=True)
class WeekdayRow:
    weekday: int  # ISO: 1 = Monday … 7 = Sunday
    label: str
    cases: int
    days: int  # such week-days in the window
    per_day: Decimal | None


def check_analyst(user_or_actor):
    """Refuse (``NotAllowed``) anyone but a supervisor or administrator of a
    command centre, or a superuser; returns the ``Actor``."""
    actor = user_or_actor if isinstance(user_or_actor, Actor) else Actor.of(user_or_actor)
    actor.require(R.SUPERVISOR, R.ADMINISTRATOR)
    if not actor.is_superuser and (actor.unit is None or actor.unit.kind != Unit.Kind.CENTRE):
        raise NotAllowed(_("The analysis covers the whole centre: it is open to the command centre's staff only."),
                         code="not_allowed")
    return actor


def local_midnight(day):
    """The start of ``day`` in the centre's time zone."""
    return _midnight(day)


def counted_cases():
    """The cases the analysis counts (see the module docstring)."""
    return Case.objects.exclude(state=CaseState.INVALID)


def _window(start, end):
    if start is None or end is None or not start < end:
        raise InvalidInput(_("The period must start before it ends."), code="invalid_period", field="start")
    return start, end


def _limit(limit):
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
        raise InvalidInput(_("The number of rows must be between 1 and 1000."), code="out_of_range", field="limit")
    return limit


def _share(part, whole):
    return None if not whole else (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def _hot(key, start, end, limit, names):
    """Counts per ``key`` (an expression naming an id) in the window and the
    one before, the ``limit`` largest; ``names(ids)`` gives {id: (code, name)}."""
    start, end = _window(start, end)
    limit = _limit(limit)
    before = start - (end - start)
    in_window = Q(received_at__gte=start)
    rows = list(
        counted_cases().filter(received_at__gte=before, received_at__lt=end)
        .annotate(key=key).filter(key__isnull=False)
        .values("key")
        .annotate(cases=Count("id", filter=in_window), previous=Count("id", filter=~in_window))
        .filter(cases__gt=0)
        .order_by("-cases", "key")[:limit]
    )
    total = counted_cases().filter(received_at__gte=start, received_at__lt=end).count()
    labels = names([row["key"] for row in rows])
    return [
        Hotspot(id=row["key"], code=labels[row["key"]][0], name=labels[row["key"]][1], cases=row["cases"],
                previous=row["previous"], share=_share(row["cases"], total))
        for row in rows
    ]


def _names(model):
    def names(ids):
        rows = model.objects.filter(pk__in=ids).values_list("pk", "code", "name")
        return {pk: (code, name) for pk, code, name in rows}
    return names


def hot_items(start, end, limit=10):
    """The directory items with the most cases received in ``[start, end)``,
    most first (ties by id); three queries."""
    return _hot(F("directory_item"), start, end, limit, _names(DirectoryItem))


def region_at_level(level):
    """An expression: the case's region, or its ancestor, at ``level``; NULL
    when the region lies above that level (or the case has none)."""
    whens, path = [], "region"
    for _step in range(REGION_STEPS + 1):
        whens.append(When(**{f"{path}__level": level}, then=F(path)))
        path += "__parent"
    return Conditional(*whens, default=None)


def hot_regions(start, end, limit=10, *, level=None):
    """The regions with the most cases received in ``[start, end)``; with
    ``level`` (a ``Level``), counted at that level; three queries."""
    if level is not None and level not in Level.values:
        raise InvalidInput(_("“%(level)s” is not a region level.") % {"level": level}, code="invalid_choice",
                           field="level")
    key = F("region") if level is None else region_at_level(level)
    return _hot(key, start, end, limit, _names(Region))


def rising_matters(now=None, window_days=3, threshold=3, *, limit=50):
    """Place-and-item pairs with at least ``threshold`` cases received in the
    ``window_days`` days up to ``now`` (cases without a region or directory
    item cannot be placed and are left out), most first; one query."""
    now = now or timezone.now()
    if not isinstance(window_days, int) or not 1 <= window_days <= 90:
        raise InvalidInput(_("The window must be between 1 and 90 days."), code="out_of_range", field="window_days")
    if not isinstance(threshold, int) or threshold < 2:
        raise InvalidInput(_("The threshold must be at least 2 cases."), code="out_of_range", field="threshold")
    limit = _limit(limit)
    window = datetime.timedelta(days=window_days)
    in_window = Q(received_at__gt=now - window)
    rows = (
        counted_cases()
        .filter(received_at__gt=now - 2 * window, received_at__lte=now, region__isnull=False,
                directory_item__isnull=False)
        .values("region_id", "region__code", "region__name", "directory_item_id", "directory_item__code",
                "directory_item__name")
        .annotate(
            cases=Count("id", filter=in_window),
            previous=Count("id", filter=~in_window),
            citizens=Count("citizen_phone", distinct=True, filter=in_window & ~Q(citizen_phone="")),
            first_received=Min("received_at", filter=in_window),
            last_received=Max("received_at", filter=in_window),
        )
        .filter(cases__gte=threshold)
        .order_by("-cases", "-last_received", "region__code", "directory_item__code")[:limit]
    )
    return [
        RisingMatter(
            region_id=r["region_id"], region_code=r["region__code"], region_name=r["region__name"],
            item_id=r["directory_item_id"], item_code=r["directory_item__code"], item_name=r["directory_item__name"],
            cases=r["cases"], citizens=r["citizens"], previous=r["previous"],
            first_received=r["first_received"], last_received=r["last_received"],
        )
        for r in rows
    ]


def _month_start(month):
    if isinstance(month, str):
        try:
            year, number = (int(part) for part in month.split("-"))
            if 1900 <= year <= 2999:  # a year before it must exist too
                return datetime.date(year, number, 1)
        except ValueError:
            pass
    elif isinstance(month, datetime.datetime):
        return month.astimezone(centre_zone()).date().replace(day=1)
    elif isinstance(month, datetime.date):
        return month.replace(day=1)
    raise InvalidInput(_("“%(month)s” is not a month: write 2025-10.") % {"month": month}, code="invalid",
                       field="month")


def _midnight(day):
    return datetime.datetime(day.year, day.month, day.day, tzinfo=centre_zone())


def _next_month(day):
    return (day + datetime.timedelta(days=32)).replace(day=1)


def seasonal(month, *, limit=20):
    """``month`` (``"2025-10"``, or a date or datetime in it) against the same
    month a year before: totals, and the ``limit`` directory items with the
    most cases this month (then last year's); one query."""
    this = _month_start(month)
    limit = _limit(limit)
    last = this.replace(year=this.year - 1)
    in_this = Q(received_at__gte=_midnight(this), received_at__lt=_midnight(_next_month(this)))
    in_last = Q(received_at__gte=_midnight(last), received_at__lt=_midnight(_next_month(last)))
    rows = list(
        counted_cases().filter(in_this | in_last)
        .values("directory_item_id", "directory_item__code", "directory_item__name")
        .annotate(cases=Count("id", filter=in_this), last_year=Count("id", filter=in_last))
        .order_by("-cases", "-last_year", "directory_item__code")
    )
    cases, last_year = sum(r["cases"] for r in rows), sum(r["last_year"] for r in rows)
    items = [
        SeasonalItem(id=r["directory_item_id"], code=r["directory_item__code"], name=r["directory_item__name"],
                     cases=r["cases"], last_year=r["last_year"])
        for r in rows if r["directory_item_id"] is not None
    ][:limit]
    change = None if not last_year else (Decimal(cases - last_year) / last_year).quantize(
        SHARE_PLACES, rounding=ROUND_HALF_UP)
    return Seasonal(month=this, cases=cases, last_year=last_year, change_rate=change, items=items)


def weekday_profile(start, end):
    """Cases received in ``[start, end)`` per week-day of the centre's time
    zone, Monday first, with the number of such days in the window and the
    cases per such day; one query."""
    start, end = _window(start, end)
    zone = centre_zone()
    counts = dict(
        counted_cases().filter(received_at__gte=start, received_at__lt=end)
        .annotate(weekday=ExtractIsoWeekDay("received_at", tzinfo=zone))
        .values("weekday").annotate(cases=Count("id")).values_list("weekday", "cases").order_by()
    )
    first, last = start.astimezone(zone).date(), (end - datetime.timedelta(microseconds=1)).astimezone(zone).date()
    days = dict.fromkeys(range(1, 8), 0)
    total_days = (last - first).days + 1
    for offset in range(min(total_days, 7)):
        weekday = (first + datetime.timedelta(days=offset)).isoweekday()
        days[weekday] = (total_days - offset + 6) // 7
    rows = []
    for weekday in range(1, 8):
        cases, count = counts.get(weekday, 0), days[weekday]
        per_day = None if not count else (Decimal(cases) / count).quantize(PER_DAY_PLACES, rounding=ROUND_HALF_UP)
        rows.append(WeekdayRow(weekday=weekday, label=str(WEEKDAYS[weekday - 1]), cases=cases, days=count,
                               per_day=per_day))
    return rows
