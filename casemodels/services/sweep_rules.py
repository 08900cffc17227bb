"""What each kind of warning rule watches, as one queryset of cases per rule
(set-based: the database decides, never a loop over cases in Python).

``candidates(rule, now)`` returns the cases the rule warns about at ``now``,
annotated with ``w_unit`` (the unit told: the active lead assignment's unit,
else the first-receiving unit) and ``w_occurrence`` (see
``casemodels.models.alerts.Warning``), or None when the rule cannot apply
(e.g. a near-due rule without a share or hours). The sweep turns it into
one ``INSERT … SELECT``.

The deadline rules read the deadlines exactly as the workbench's lights do
(``casemodels.services.inbox.deadline_lights``): only a running clock
(received, dispatched or in hand, and not paused) has a deadline to watch;

- *overdue*: the watched deadline has passed — for the reply, first-contact
  and completion deadlines the case's own deadline; for the sign-for
  deadline the active lead assignment that still waits to be signed after
  its ``sign_due``. An overdue-reply and an overdue-sign rule together warn
  about exactly the workbench's red cases. The first-contact deadline is
  watched only until the first contact of the round is made
  (``casemodels.services.contact.contacted_q``), near due and overdue alike;
- *near due*: the deadline has not passed yet, and either ``share_elapsed``
  per cent of the running time from the clock start (the start of the
  round: receipt, or the second dispatch; the assignment's dispatch for the
  sign-for deadline) to the deadline has gone, or the deadline falls within
  the next ``hours_before`` hours. Time the clock stood still (clock pauses
  of the round that have ended; the deadline was moved by them) is not
  elapsed time. A case already past its deadline gets the overdue warning,
  not a late near-due one.

Each deadline is warned about once each time the unit is given its time:
the occurrence of a deadline warning is ``time_given`` in epoch minutes
(the start of the round, the latest approved extension, the end of the
latest clock pause); for the sign-for deadline the pending assignment's id.
A deadline moved by an extension or a pause, a second round, or a new unit
asked to sign (a return and a new dispatch, a whistle) is watched afresh; a
recompute of the deadlines after a policy or calendar change is not, and
never warns twice about the same thing.

The others:

- *repeat caller* / *repeat matter*: an open case received within the last
  ``window_days`` days whose citizen phone (or directory item and region)
  is shared by at least ``threshold`` cases received in that window (every
  state but invalid: merged duplicates count, they are the repeats);
- *unsatisfied*: an open case in the unsatisfied ledger, once each time it
  enters it (the occurrence: the latest return visit or attempt sent to
  review, in epoch minutes);
- *extended* / *returned*: an open case with at least ``threshold`` approved
  extension requests (its deadline was moved) / approved returns (退单: it
  went back to the centre);
- *progress missed*: ``casemodels.services.progress.progress_missed_cases``
  (the one definition, shared with the case page), once per interval (the
  occurrence is the interval's start, ``progress_from``, in epoch minutes).

Within a rule, the candidates are ordered (``w_order``) so that a run cut
short by the sweep's batch limit takes the most urgent first: the earliest
deadline for the deadline rules, else the oldest case.

A rule limited to some channels watches the cases of those channels only."""

import datetime

from django.db.models import (
    BigIntegerField, Count, ExpressionWrapper, F, FloatField, Func, IntegerField, OuterRef, Q, Subquery, Sum, Value,
    When,
)
from django.db.models import Case as Choose
from django.db.models import DateTimeField
from django.db.models.functions import Coalesce, Greatest

from snippets.models import UnreachableAction, WarningRule

from ..models import (
    OPEN_STATES, Assignment, Case, CaseEvent, CaseState, ClockPause, ExtensionRequest, ReturnRequest, ReturnVisit,
    VisitAttempt,
)
from ..models.requests import ReviewState
from .contact import contacted_q
from .inbox import CLOCK_STATES

K = WarningRule.Kind
D = WarningRule.Deadline
LEAD = Assignment.Role.LEAD
# Repeats count every order but those marked invalid (merged duplicates are repeats).
COUNTED_STATES = [state for state in CaseState.values if state != CaseState.INVALID]
DUE_FIELDS = {D.CONTACT: "contact_due", D.REPLY: "reply_due", D.COMPLETION: "completion_due"}


class Epoch(Func):
    """Seconds since 1970 of a date-time column, as a float, so that shares
    of a span can be compared in SQL on SQLite and PostgreSQL alike."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
                           **extra)

    def as_mysql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="UNIX_TIMESTAMP(%(expressions)s)", **extra)


class Minutes(Func):
    """Whole minutes since 1970 of a date-time expression (an occurrence
    key), in integer arithmetic on SQLite (``julianday`` floats come out a
    hair early for many exact minutes)."""

    output_field = IntegerField()
    template = "CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s) / 60) AS integer)"

    def as_sqlite(self, compiler, connection, **extra):
        # '%%%%s' is strftime's '%s' after the template's and the SQLite backend's %-formatting.
        return self.as_sql(compiler, connection, template="(CAST(strftime('%%%%s', %(expressions)s) AS integer) / 60)",
                           **extra)


def minutes(expression):
    return Minutes(expression)


NEVER = Value(datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc), output_field=DateTimeField())


def latest(queryset, field):
    """The latest ``field`` of ``queryset`` (rows of the outer case), or 1970."""
    return Coalesce(Subquery(queryset.order_by(f"-{field}", "-id").values(field)[:1]), NEVER)


def time_given():
    """When the unit was last given its time on the case's deadlines: the
    start of the round (``w_start``), the latest approved extension, or the
    end of the latest clock pause — what moves a deadline by the case's own
    history. A deadline warning's occurrence: a recompute of the deadlines
    (a changed policy or calendar) moves the deadlines but not this, so it
    never warns twice about the same thing."""
    extended = ExtensionRequest.objects.filter(case=OuterRef("pk"), state=ReviewState.APPROVED)
    resumed = ClockPause.objects.filter(case=OuterRef("pk"), ended_at__isnull=False)
    return Greatest(F("w_start"), latest(extended, "reviewed_at"), latest(resumed, "ended_at"))


def running():
    """A running clock, as ``deadline_lights`` reads it."""
    return Q(state__in=CLOCK_STATES, paused_since__isnull=True)


def lead_unit():
    """The unit of the case's active lead assignment, else its first-receiving unit."""
    active = Assignment.objects.filter(
        case=OuterRef("pk"), role=LEAD, state__in=Assignment.ACTIVE_STATES,
    ).order_by("-dispatched_at", "-id").values("unit_id")[:1]
    return Coalesce(Subquery(active), F("owner_unit_id"), output_field=BigIntegerField())


def round_start():
    """The start of the case's current round (``deadlines.round_start``):
    receipt, or the latest second dispatch."""
    redispatched = CaseEvent.objects.filter(
        case=OuterRef("pk"), action=CaseEvent.Action.REDISPATCH,
    ).order_by("-created_at", "-id").values("created_at")[:1]
    return Choose(When(round__gt=1, then=Coalesce(Subquery(redispatched), F("received_at"))),
                  default=F("received_at"))


def paused_seconds():
    """Seconds the case's clock stood still in pauses that started in the
    current round (``w_start``) and have ended."""
    pauses = ClockPause.objects.filter(
        case=OuterRef("pk"), ended_at__isnull=False, started_at__gte=OuterRef("w_start"),
    ).order_by().values("case_id").annotate(s=Sum(Epoch("ended_at") - Epoch("started_at"))).values("s")
    return Coalesce(Subquery(pauses, output_field=FloatField()), Value(0.0))


def entered_ledger():
    """When the case last entered the unsatisfied ledger: its latest return
    visit, or its latest attempt sent to review (citizen not reached)."""
    visits = ReturnVisit.objects.filter(case=OuterRef("pk"))
    reviews = VisitAttempt.objects.filter(case=OuterRef("pk"), outcome=UnreachableAction.REVIEW)
    return Greatest(latest(visits, "visited_at"), latest(reviews, "attempted_at"))


def near(queryset, due, start, rule, now, paused=None):
    """Narrow ``queryset`` (deadline not passed yet) to the near-due rows;
    ``paused``: seconds of the span the clock stood still (not elapsed)."""
    if rule.share_elapsed is not None:
        share = rule.share_elapsed
        # (start + paused) + share% × (due − start − paused) ≤ now, in seconds, without a division.
        def reached(begin):
            return ExpressionWrapper(
                Value(float(share)) * Epoch(due) + Value(float(100 - share)) * begin, output_field=FloatField(),
            )

        cutoff = 100.0 * now.timestamp()
        # Without the pauses first (cheap): a pause only moves the moment later, so the rows it
        # keeps are the only ones whose pauses need reading.
        queryset = queryset.alias(w_reached=reached(Epoch(start))).filter(w_reached__lte=cutoff)
        if paused is None:
            return queryset
        return queryset.alias(w_reached_running=reached(Epoch(start) + paused)).filter(w_reached_running__lte=cutoff)
    if rule.hours_before is not None:
        return queryset.filter(**{f"{due}__lt": now + datetime.timedelta(hours=rule.hours_before)})
    return None


def deadline_cases(rule, now):
    if rule.deadline == D.SIGN:
        # Driven from the pending lead assignments (few), as the workbench reads them.
        pending = Assignment.objects.filter(role=LEAD, state=Assignment.State.PENDING)
        if rule.kind == K.OVERDUE:
            late = pending.filter(sign_due__lt=now)
        else:
            late = near(pending.filter(sign_due__gte=now), "sign_due", F("dispatched_at"), rule, now)
        if late is None:
            return None
        # The (latest) pending lead assignment watched: its id is the occurrence, its deadline the order.
        watched = late.filter(case=OuterRef("pk")).order_by("-id")
        return Case.objects.filter(running(), pk__in=late.values("case_id")).annotate(
            w_occurrence=Subquery(watched.values("id")[:1]), w_order=Epoch(Subquery(watched.values("sign_due")[:1])),
        )
    due = DUE_FIELDS.get(rule.deadline)
    if due is None:
        return None
    cases = Case.objects.filter(running()).alias(w_start=round_start())
    if rule.deadline == D.CONTACT:
        # A first contact made in the round answers its deadline (``contact.contacted_q``).
        cases = cases.filter(~contacted_q())
    if rule.kind == K.OVERDUE:
        cases = cases.filter(**{f"{due}__lt": now})
    else:
        cases = near(cases.filter(**{f"{due}__gte": now}), due, F("w_start"), rule, now, paused_seconds())
    # Ordered by an expression of the deadline, not the column: ordering by the column would lead
    # the planner to walk its index over every case ever past it, closed ones included.
    return None if cases is None else cases.annotate(w_occurrence=minutes(time_given()), w_order=Epoch(due))


def repeat_cases(rule, now):
    """Group first: the callers (or item and region pairs) with ``threshold``
    orders in the window, found in one pass over the window's cases; then
    their open orders in the window. A pair is one number, item id × 2³² +
    region id, so that it can be matched with ``IN``."""
    if not rule.threshold or not rule.window_days:
        return None
    since = now - datetime.timedelta(days=rule.window_days)
    if rule.kind == K.REPEAT_CALLER:
        key, present = F("citizen_phone"), ~Q(citizen_phone="")
    else:
        key = ExpressionWrapper(F("directory_item_id") * Value(2 ** 32) + F("region_id"), output_field=BigIntegerField())
        present = Q(directory_item__isnull=False, region__isnull=False)
    in_window = Q(received_at__gte=since, received_at__lte=now)
    repeated = (
        Case.objects.filter(in_window, present, state__in=COUNTED_STATES).order_by()
        .annotate(w_key=key).values("w_key").annotate(n=Count("pk")).filter(n__gte=rule.threshold).values("w_key")
    )
    return Case.objects.filter(in_window, present, state__in=OPEN_STATES).alias(w_key=key).filter(
        w_key__in=repeated,
    )


def approved_requests_cases(model, rule):
    if not rule.threshold:
        return None
    hits = (
        model.objects.filter(state=ReviewState.APPROVED).order_by()
        .values("case_id").annotate(n=Count("pk")).filter(n__gte=rule.threshold).values("case_id")
    )
    return Case.objects.filter(state__in=OPEN_STATES, pk__in=hits)


def progress_cases(rule, now):
    from .progress import progress_missed_cases

    return progress_missed_cases(now=now)


def candidates(rule, now):
    """The cases ``rule`` warns about at ``now`` (see the module docstring),
    annotated with ``w_unit`` and ``w_occurrence``; None when it cannot apply."""
    kind = rule.kind
    occurrence = Value(0)
    if kind in (K.NEAR_DUE, K.OVERDUE):
        cases, occurrence = deadline_cases(rule, now), None  # annotated by deadline_cases
    elif kind in (K.REPEAT_CALLER, K.REPEAT_MATTER):
        cases = repeat_cases(rule, now)
    elif kind == K.UNSATISFIED:
        cases, occurrence = Case.objects.filter(state__in=OPEN_STATES, is_unsatisfied=True), minutes(entered_ledger())
    elif kind == K.EXTENDED:
        cases = approved_requests_cases(ExtensionRequest, rule)
    elif kind == K.RETURNED:
        cases = approved_requests_cases(ReturnRequest, rule)
    elif kind == K.PROGRESS_MISSED:
        cases = progress_cases(rule, now)
        occurrence = None if cases is None else minutes("progress_from")
    else:
        return None
    if cases is None:
        return None
    channel_ids = [channel.pk for channel in rule.channels.all()]
    if channel_ids:
        cases = cases.filter(channel_id__in=channel_ids)
    if occurrence is not None:
        cases = cases.annotate(w_occurrence=occurrence, w_order=F("pk"))
    return cases.annotate(w_unit=lead_unit())
