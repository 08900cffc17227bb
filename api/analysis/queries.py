"""Analysis queries (issue 5): hot directory items and regions, matters on
the rise, a month against the same month a year before, the week-day
profile; thin calls into ``casemodels.services.analysis``.

Who may ask: the figures count every case of the centre, whatever unit
holds it, so they are for the command centre's supervisors and
administrators and superusers (the service's ``check_analyst``, as in the
admin's reports). Anonymous callers get ``unauthenticated``, other
signed-in users and staff of other units or roles ``not_allowed``: a
GraphQL error on the field, whose value is null.

Bad input is a GraphQL error naming the argument in ``extensions.field``
with a ``code``: a window that does not start before it ends, or is longer
than ``MAX_WINDOW_DAYS`` (a year: the figures of a longer one are read year
by year), dates outside the years the periods know (2000–2999), a limit
outside 1 to ``MAX_ROWS``, a month that is not one, a region level, window
or threshold the service refuses."""

import datetime

import graphene
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from graphql import GraphQLError

from casemodels.services import CaseActionError, InvalidInput
from casemodels.services.analysis import (
    check_analyst, hot_items, hot_regions, rising_matters, seasonal, weekday_profile,
)
from casemodels.services.assessment import centre_zone
from publishing.periods import MAX_YEAR, MIN_YEAR, MONTH, parse_period
from snippets.models import Level

from ..core.errors import camel
from ..core.viewer import user_of
from .types import HotspotType, RisingMatterType, SeasonalType, WeekdayType

MAX_ROWS = 100
MAX_WINDOW_DAYS = 366
with translation.override("en"):  # the level names in the committed contract, whoever imports this first
    LEVELS = ", ".join(f"{value} {label}" for value, label in Level.choices)


def refusal(exc):
    """A refused call as a GraphQL error naming the argument (camelCase) it is about."""
    return GraphQLError(exc.message, extensions={"code": exc.code, "field": camel(exc.field)})


def analyst_checked(info):
    """Refuse anyone the service's ``check_analyst`` refuses (anonymous callers as
    ``unauthenticated``); checked once per request."""
    request = info.context
    if not getattr(request, "_minsheng_analyst", False):
        check_analyst(user_of(info))
        request._minsheng_analyst = True


def moment(value, field):
    """An aware datetime within the periods' years; a value without an offset is the centre's local time."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=centre_zone())
    if not MIN_YEAR <= value.astimezone(centre_zone()).year <= MAX_YEAR:
        raise InvalidInput(
            _("Dates must lie in the years %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            code="out_of_range", field=field,
        )
    return value


def window(start, end):
    start, end = moment(start, "start"), moment(end, "end")
    if not start < end:
        raise InvalidInput(_("The period must start before it ends."), code="invalid_period", field="start")
    if end - start > datetime.timedelta(days=MAX_WINDOW_DAYS):
        raise InvalidInput(
            _("The period may be at most %(days)s days long.") % {"days": MAX_WINDOW_DAYS}, code="out_of_range",
            field="end",
        )
    return start, end


def rows(limit):
    if limit is None or not 1 <= limit <= MAX_ROWS:
        raise InvalidInput(
            _("The number of rows must be between 1 and %(max)s.") % {"max": MAX_ROWS}, code="out_of_range",
            field="limit",
        )
    return limit


def month_start(month):
    """The first moment of ``month`` (``2025-10``), read as the periods read it."""
    try:
        period = parse_period(month)
    except ValueError:
        period = None
    if period is None or period.kind != MONTH:
        raise InvalidInput(_("“%(month)s” is not a month: write 2025-10.") % {"month": (month or "")[:20]},
                           code="invalid", field="month")
    return period.start


def analysis(compute):
    """A resolver: the caller checked, then ``compute(**arguments)``; refusals as GraphQL errors."""

    def resolve(root, info, **arguments):
        try:
            analyst_checked(info)
            return compute(**arguments)
        except CaseActionError as exc:
            raise refusal(exc) from None

    return resolve


def _hot_items(start, end, limit=10):
    return hot_items(*window(start, end), rows(limit))


def _hot_regions(start, end, limit=10, level=None):
    return hot_regions(*window(start, end), rows(limit), level=level)


def _rising_matters(window_days=3, threshold=3, limit=50):
    return rising_matters(timezone.now(), window_days, threshold, limit=rows(limit))


def _seasonal(month, limit=20):
    return seasonal(month_start(month), limit=rows(limit))


def _weekday_profile(start, end):
    return weekday_profile(*window(start, end))


def _limit(default):
    return graphene.Int(default_value=default, description=f"How many rows, 1 to {MAX_ROWS}.")


def _span(limit=None, level=False):
    """The window's arguments, then ``limit`` (its default) and ``level`` when asked for (in this order)."""
    arguments = dict(
        start=graphene.DateTime(required=True, description="The window's first moment (included)."),
        end=graphene.DateTime(
            required=True, description=f"The moment after the window (excluded); at most {MAX_WINDOW_DAYS} days on.",
        ),
    )
    if limit is not None:
        arguments["limit"] = _limit(limit)
    if level:
        arguments["level"] = graphene.Int(
            description=f"Count each case for its region's ancestor at this level ({LEVELS}). "
            "Left out: each case counts for its own region.",
        )
    return arguments


WHO = " The command centre's supervisors and administrators only."


class AnalysisQuery(graphene.ObjectType):
    hot_items = graphene.List(
        graphene.NonNull(HotspotType), resolver=analysis(_hot_items), **_span(limit=10),
        description="The directory items with the most cases received in the window, most first, with the "
        "window of the same length before. Invalid cases are not counted." + WHO,
    )
    hot_regions = graphene.List(
        graphene.NonNull(HotspotType), resolver=analysis(_hot_regions),
        **_span(limit=10, level=True),
        description="The regions with the most cases received in the window, most first." + WHO,
    )
    rising_matters = graphene.List(
        graphene.NonNull(RisingMatterType), resolver=analysis(_rising_matters),
        window_days=graphene.Int(default_value=3, description="The last so many days, 1 to 90."),
        threshold=graphene.Int(default_value=3, description="At least so many cases, 2 or more."),
        limit=_limit(50),
        description="One place and one directory item with many cases in the last days (苗头性 / 群体性), "
        "most first." + WHO,
    )
    seasonal = graphene.Field(
        SeasonalType, resolver=analysis(_seasonal),
        month=graphene.String(required=True, description="A month: 2025-10."), limit=_limit(20),
        description="A month against the same month a year before, in total and per directory item." + WHO,
    )
    weekday_profile = graphene.List(
        graphene.NonNull(WeekdayType), resolver=analysis(_weekday_profile), **_span(),
        description="Cases received in the window per week-day (the centre's time zone), Monday first." + WHO,
    )
