"""The daily roll-up of the assessment figures (``UnitDayFigures``): per unit
and local day of dispatch, the counts of ``casemodels.services.assessment``,
so that a period's ranking sums a few thousand day rows instead of counting
a million assignments.

- ``refresh_rollups(since=None)`` recomputes the days touched since the
  last refresh: the local days of dispatch of every lead assignment of a
  case with an event since then that can change a figure (every change to
  a case writes a ``CaseEvent``, DESIGN §4; ``FIGURE_ACTIONS``: signing,
  first contacts, replies, visits, extensions, returns, pauses, recomputed
  deadlines, exclusions … — not warnings, supervision notes, progress posts and the
  like, ``NEUTRAL_ACTIONS``, which the sweep writes by the thousand), and
  of every assignment still held whose reply deadline passed meanwhile (it
  has become ``overdue`` without any event). The two sets of days are read
  in one ``UNION`` of two queries, each on its own index (events by time,
  assignments by case; assignments by state and reply deadline). The
  look-back starts ``OVERLAP`` before the last refresh, so
  that a change committed a little after the refresh read the events is
  still seen. Each touched day is recomputed whole: its rows deleted, then
  one ``INSERT … SELECT`` of the aggregate over its assignments — set-based,
  no Python loop over cases. The first refresh (nothing rolled up yet) is a
  rebuild.
- ``rebuild_rollups()`` empties the table and recomputes every day from the
  cases, a month per ``INSERT … SELECT``, in one transaction (readers see
  the old figures until it commits).

Both run in one transaction and write the ``RollupState`` row first, which
makes a second refresh wait for the first (the row lock on PostgreSQL, the
write lock on SQLite). Both are idempotent: running one twice gives the
same table. The figures of a refreshed roll-up equal
``unit_figures_direct(…, now=<the refresh's moment>)``.
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Assignment, CaseEvent, RollupState, UnitDayFigures
from ..models.rollups import COUNT_FIELDS
from ..signals import rollups_refreshed
from .assessment import centre_zone, day_counts

A = CaseEvent.Action
# Every kind of case event, by whether it can change a figure of ``assessment.counts``: whether
# it writes anything the counts read — a lead assignment (its state, signing, first contact,
# deadlines, end), a return visit, an extension request, an exclusion, or the case's clock
# (paused or not). A new kind of event must be put in one of the two
# (tests/casemodels/test_rollups_touched.py fails until it is); when in doubt, it changes figures.
FIGURE_ACTIONS = frozenset({
    A.DISPATCH, A.SIGN, A.SUB_DISPATCH, A.ESCALATE, A.REQUEST_RETURN, A.REVIEW_RETURN, A.REQUEST_EXTENSION,
    A.REVIEW_EXTENSION, A.REQUEST_INFO, A.RESUME, A.REPLY, A.RETURN_VISIT, A.RATE, A.REDISPATCH, A.MERGE, A.DIVERT,
    A.INVALID, A.RECOMPUTE, A.IMPORT, A.EXCLUDE, A.RESTORE, A.CONTACT,
})
# Write none of that: a case without assignments (registered, answered on the spot), the case's
# own state (closed, archived), or records beside the figures (consultations, warnings,
# supervision notes and their answers, progress posts, visit attempts — the attempt that
# closes the case writes a CLOSE event as well — and erasures of personal data, which
# change texts only).
NEUTRAL_ACTIONS = frozenset({
    A.REGISTER, A.ANSWER, A.CLOSE, A.ARCHIVE, A.CONSULT, A.WARNING, A.SUPERVISE, A.ANSWER_NOTE, A.PROGRESS,
    A.VISIT_ATTEMPT, A.ERASE,
})

# How far before the last refresh the next one looks for changes.
OVERLAP = datetime.timedelta(minutes=10)
# Day ranges per DELETE / INSERT statement (each range is two query parameters).
RANGES_PER_STATEMENT = 200

REFRESH, REBUILD = "refresh", "rebuild"


@dataclass(frozen=True)
class RollupRun:
    """What one refresh or rebuild did: ``days`` recomputed, ``rows`` written,
    changes looked for ``since`` (None for a rebuild), figures ``as_of``."""

    kind: str
    since: datetime.datetime | None
    as_of: datetime.datetime
    days: int
    rows: int


def rollups_as_of():
    """The moment the roll-up's figures are current as of (the last refresh
    or rebuild), or None when nothing has been rolled up yet."""
    return RollupState.objects.filter(pk=RollupState.SINGLETON).values_list("current_as_of", flat=True).first()


def _claim(now):
    """Write the state row first: a second refresh now waits until this
    transaction ends. Returns the row as it was left by the last run."""
    if not RollupState.objects.filter(pk=RollupState.SINGLETON).update(last_started_at=now):
        RollupState.objects.create(pk=RollupState.SINGLETON, last_started_at=now)
    return RollupState.objects.get(pk=RollupState.SINGLETON)


def _finish(state, *, kind, since, now, days, rows):
    state.current_as_of, state.last_kind, state.last_since = now, kind, since
    state.last_started_at, state.last_finished_at = now, timezone.now()
    state.last_days, state.last_rows = days, rows
    state.save()
    rollups_refreshed.send(sender=RollupState, kind=kind, days=days, rows=rows, as_of=now)
    return RollupRun(kind=kind, since=since, as_of=now, days=days, rows=rows)


def _midnight(day):
    return datetime.datetime(day.year, day.month, day.day, tzinfo=centre_zone())


def day_ranges(days):
    """Consecutive local days merged into ``(first day, day after the last)``."""
    ranges = []
    for day in sorted(set(days)):
        if ranges and ranges[-1][1] == day:
            ranges[-1][1] = day + datetime.timedelta(days=1)
        else:
            ranges.append([day, day + datetime.timedelta(days=1)])
    return [tuple(r) for r in ranges]


def touched_days(since, now):
    """The local days of dispatch whose figures may have changed since
    ``since`` (see the module docstring), in one query: the days of the
    cases with an event of ``FIGURE_ACTIONS``, ``UNION`` the days of the
    assignments that fell due (two selects, so that each uses its index
    rather than one scan for an ``OR``)."""
    day = TruncDate("dispatched_at", tzinfo=centre_zone())
    leads = Assignment.objects.filter(role=Assignment.Role.LEAD)
    changed = CaseEvent.objects.filter(created_at__gte=since, action__in=sorted(FIGURE_ACTIONS)).values("case_id")
    by_event = leads.filter(case_id__in=changed)
    fell_due = leads.filter(state__in=Assignment.ACTIVE_STATES, reply_due__gte=since, reply_due__lt=now)
    days = by_event.annotate(day=day).values_list("day", flat=True).order_by()
    return set(days.union(fell_due.annotate(day=day).values_list("day", flat=True).order_by()))


def _insert(rows_query):
    """``INSERT INTO <roll-up> SELECT …`` from the aggregate query; returns the rows written."""
    sql, params = rows_query.query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in ("unit_id", "day", *COUNT_FIELDS))
    statement = (
        f"INSERT INTO {qn(UnitDayFigures._meta.db_table)} ({columns}) "
        f"SELECT {columns} FROM ({sql}) {qn('day_counts')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def _recompute(ranges, now, *, delete=True):
    """Delete (unless the table was just emptied) and recompute the roll-up
    rows of the local day ranges."""
    written = 0
    for i in range(0, len(ranges), RANGES_PER_STATEMENT):
        chunk = ranges[i:i + RANGES_PER_STATEMENT]
        days, moments = Q(), Q()
        for first, after in chunk:
            days |= Q(day__gte=first, day__lt=after)
            moments |= Q(dispatched_at__gte=_midnight(first), dispatched_at__lt=_midnight(after))
        if delete:
            UnitDayFigures.objects.filter(days).delete()
        written += _insert(day_counts(moments, now))
    return written


def refresh_rollups(since=None, *, now=None):
    """Recompute the roll-up's days touched by changes since the last refresh
    (less ``OVERLAP``); ``since`` can only look further back (after restoring
    data, say). The first refresh rebuilds everything. Returns a ``RollupRun``."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _claim(now)
        if state.current_as_of is None:
            return _rebuild(state, now, progress=None)
        look_back = state.current_as_of - OVERLAP
        since = look_back if since is None else min(since, look_back)
        days = touched_days(since, now)
        rows = _recompute(day_ranges(days), now)
        return _finish(state, kind=REFRESH, since=since, now=now, days=len(days), rows=rows)


def rebuild_rollups(*, now=None, progress=None):
    """Empty the roll-up and recompute every day from the cases, a month at
    a time; ``progress(month, rows)`` is called after each month (the first
    day of the month, the rows written for it). Returns a ``RollupRun``."""
    now = now or timezone.now()
    with transaction.atomic():
        return _rebuild(_claim(now), now, progress=progress)


def _months(first, last):
    month = first.replace(day=1)
    while month <= last:
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        yield month, following
        month = following


def _rebuild(state, now, *, progress):
    UnitDayFigures.objects.all().delete()
    bounds = Assignment.objects.filter(role=Assignment.Role.LEAD).aggregate(
        first=Min("dispatched_at"), last=Max("dispatched_at"),
    )
    rows = 0
    if bounds["first"] is not None:
        zone = centre_zone()
        first, last = (bounds[key].astimezone(zone).date() for key in ("first", "last"))
        for month, following in _months(first, last):
            written = _recompute([(month, following)], now, delete=False)
            rows += written
            if progress is not None:
                progress(month, written)
    days = UnitDayFigures.objects.values("day").distinct().count()
    return _finish(state, kind=REBUILD, since=None, now=now, days=days, rows=rows)
