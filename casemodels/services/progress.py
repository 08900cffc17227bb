"""Progress updates (进展反馈): for cases with a long limit, the unit holding
the case posts progress at the interval of its time-limit policy.

The one definition, shared by the case (``progress_due``) and the warning
sweep's ``progress_missed`` rule (``progress_missed_cases``, set-based):

- progress is due only while the case is in hand (state ``handling``, the
  lead unit has signed) and its clock runs (not paused), and only when the
  case's matched policy (``Case.policy``) has a ``PolicyLimit`` of kind
  ``progress`` (in hours, natural days, working days or months; a fixed
  date makes no sense as an interval and is ignored);
- the interval is counted from the latest of: the lead unit's signing (the
  active lead assignment's ``signed_at``), the last progress post
  (``CaseEvent`` ``progress``) of the case, and the end of the last clock
  pause (the unit could not move while the clock stood still, so the
  interval starts again when it runs), exactly as a deadline is counted
  from its start (``deadlines.due_after``: "N working days" ends at the
  close of the N-th working day after the day of the start, on the work
  calendar);
- it is missed once that moment has passed (``now > due``)."""

import datetime

from django.db import transaction
from django.db.models import DateTimeField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import PolicyLimit
from snippets.services.calendar import WorkCalendar

from ..models import Assignment, Case, CaseEvent, CaseState, ClockPause
from .base import R, Actor, actor_lead_assignment, active_lead, lock_case, record_event, require_state, require_text
from .base import save_case
from .deadlines import due_after, load_calendar, policy_limits, to_local

A = CaseEvent.Action
U = PolicyLimit.Unit
INTERVAL_UNITS = (U.HOURS, U.NATURAL_DAYS, U.WORKING_DAYS, U.MONTHS)
MAX_LOOKBACK_DAYS = 4000
NEVER = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def check_post_progress(case, actor):
    """Staff of the unit holding the case in hand (its signed lead assignment)."""
    actor.require(R.HANDLER, R.UNIT_LEADER)
    require_state(case, CaseState.HANDLING)
    return actor_lead_assignment(case, actor, Assignment.State.SIGNED)


def progress_limit(policy):
    """The policy's progress interval (a ``PolicyLimit``), or None."""
    if policy is None:
        return None
    limit = policy_limits(policy).get(PolicyLimit.Kind.PROGRESS)
    return limit if limit is not None and limit.unit in INTERVAL_UNITS else None


def last_progress_at(case):
    event = case.events.filter(action=A.PROGRESS).order_by("-created_at", "-id").first()
    return event.created_at if event is not None else None


def progress_due(case, *, now=None):
    """When the next progress post of ``case`` is due (see the module
    docstring), or None when none is due."""
    if case.state != CaseState.HANDLING or case.paused_since is not None:
        return None
    limit = progress_limit(case.policy)
    if limit is None:
        return None
    lead = active_lead(case)
    if lead is None or lead.state != Assignment.State.SIGNED or lead.signed_at is None:
        return None
    start = max(filter(None, (lead.signed_at, last_progress_at(case), last_resumed_at(case))))
    return due_after(limit, start, load_calendar(start))


def last_resumed_at(case):
    pause = case.pauses.filter(ended_at__isnull=False).order_by("-ended_at", "-id").first()
    return pause.ended_at if pause is not None else None


def missed_before(limit, now, cal):
    """The moment ``c`` such that the interval ``limit`` counted from a start
    ``s`` has run out by ``now`` exactly when ``s < c`` (None: never)."""
    if limit.unit == U.HOURS:
        return now - datetime.timedelta(hours=limit.amount)
    # A day-based limit ends at the close of a day that depends only on the
    # start's local day, and later for a later day: find the last start day
    # whose deadline has passed; every start before the next midnight counts.
    day = to_local(now).date()
    for _step in range(MAX_LOOKBACK_DAYS):
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), to_local(now).tzinfo)
        if due_after(limit, start, cal) < now:
            return start + datetime.timedelta(days=1)
        day -= datetime.timedelta(days=1)
    return None


def with_progress_start(queryset):
    """Annotate ``progress_from``: the latest of the signed lead assignment's
    ``signed_at``, the last progress post and the end of the last clock
    pause (NULL when not signed)."""
    signed = Subquery(
        Assignment.objects.filter(
            case=OuterRef("pk"), role=Assignment.Role.LEAD, state=Assignment.State.SIGNED,
        ).order_by("-id").values("signed_at")[:1]
    )
    posted = Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk"), action=A.PROGRESS).order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    resumed = Subquery(
        ClockPause.objects.filter(case=OuterRef("pk"), ended_at__isnull=False).order_by("-ended_at", "-id")
        .values("ended_at")[:1]
    )
    # SQLite's MAX() of a NULL is NULL: a missing post or pause counts as long ago (the signing
    # wins). A constant rather than the signing again, which SQL would read once more per use.
    never = Value(NEVER, output_field=DateTimeField())
    return queryset.annotate(progress_signed=signed).annotate(
        progress_from=Greatest("progress_signed", Coalesce(posted, never), Coalesce(resumed, never)),
    )


def progress_missed_cases(*, now=None, queryset=None):
    """The cases whose progress post is overdue at ``now``, as one queryset
    (set-based: one condition per policy with a progress interval); the
    warning sweep's ``progress_missed`` rule reads it. ``queryset`` narrows
    the cases looked at (default: all)."""
    now = now or timezone.now()
    limits = list(
        PolicyLimit.objects.filter(kind=PolicyLimit.Kind.PROGRESS, unit__in=INTERVAL_UNITS, policy__is_active=True)
        .select_related("policy")
    )
    base = (queryset if queryset is not None else Case.objects.all()).filter(
        state=CaseState.HANDLING, paused_since__isnull=True,
    )
    if not limits:
        return base.none()
    year = to_local(now).year
    cal = WorkCalendar.load(year - 10, year + 1)
    condition = Q(pk__in=[])
    for limit in limits:
        cutoff = missed_before(limit, now, cal)
        if cutoff is not None:
            condition |= Q(policy_id=limit.policy_id, progress_from__lt=cutoff)
    return with_progress_start(base.filter(policy_id__in=[limit.policy_id for limit in limits])).filter(condition)


@transaction.atomic
def post_progress(case, *, acting_user, note, expected_version=None):
    """The unit holding the case in hand posts its progress; the progress
    interval starts again from now."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    lead = check_post_progress(case, actor)
    note = require_text(note, "note", _("The progress"))
    now = timezone.now()
    limit = progress_limit(case.policy)
    next_due = due_after(limit, now, load_calendar(now)) if limit is not None else None
    case.version += 1
    save_case(case)
    record_event(case, A.PROGRESS, actor=actor, unit=lead.unit, from_state=case.state, note=note, at=now,
                 data={"round": case.round, "next_due": next_due.isoformat() if next_due else None})
    return case
