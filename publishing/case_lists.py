"""Case lists of the PDF bulletins: overdue cases, unsatisfied cases and the
supervision notes of a window ``[start, end)``.

Leaders and units read the bulletins, and they are published on the public
archive too, so the lists carry no personal data: the case number, the
title masked (``publishing.masking.mask_text`` with the case's own citizen
name and address, phone numbers, ID numbers and e-mail addresses), the
directory item and unit names, dates. Never the content, a phone number or
the citizen's name; never a confidential case (举报人保密).

- ``overdue_cases``: the lead assignments dispatched in the window that
  count as ``overdue`` in the assessment figures (replied after the reply
  deadline, or still held past it at ``now`` while the case's clock runs;
  the very expression of ``casemodels.services.assessment.counts``), cases
  excluded from assessment left out; the most overdue first. A case handled
  late by two units (a second round) is listed once per unit.
- ``unsatisfied_cases``: the cases whose latest return visit within the
  window said unsatisfied, with the lead unit that replied in that round;
  newest visit first. Cases excluded from assessment are left out, as in
  the figures.
- ``supervision_notes``: the reminder and supervision notes issued in the
  window, newest first; the reason masked with the names and addresses of
  the citizens of the note's cases.

Each list is one SQL query (the notes: two), whatever its length.
"""

import datetime
import math
from dataclasses import dataclass

from django.db.models import Case as Conditional
from django.db.models import Count, DateTimeField, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone

from casemodels.models import Assignment, Case, ReturnVisit, Satisfaction, SupervisionNote
from casemodels.services.assessment import cohort, counts, not_excluded

from .masking import mask_text

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class CaseLine:
    """One case of a bulletin's list, as anyone may read it (masked)."""

    number: str
    title: str  # masked
    item: str  # the directory item's name, or ""
    unit: str  # the lead unit's name, or ""
    received_at: datetime.datetime
    due_at: datetime.datetime | None  # the lead assignment's reply deadline
    days_overdue: int | None  # whole days (rounded up) past the reply deadline; None when not late
    rating_label: str | None  # the latest return visit's verdict (of the round), if any


@dataclass(frozen=True)
class NoteLine:
    """One reminder or supervision note of a bulletin's list."""

    number: str
    kind_label: str
    unit: str
    issued_at: datetime.datetime
    answer_due: datetime.datetime
    state_label: str
    case_count: int
    reason: str  # masked
    kind: str = ""
    state: str = ""


def _limit(limit):
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise ValueError(f"limit must be a whole number ≥ 0, not {limit!r}")
    return limit


def _days_late(due, until):
    """Whole days, rounded up, from ``due`` to ``until``; None when not late."""
    if due is None or until is None or until <= due:
        return None
    return math.ceil((until - due) / DAY)


def _rating(value):
    return str(Satisfaction(value).label) if value else None


def _title(row):
    return mask_text(row["case__title"], names=[row["case__citizen_name"]], addresses=[row["case__address"]])


CASE_FIELDS = (
    "case__number", "case__title", "case__citizen_name", "case__address", "case__received_at",
    "case__directory_item__name",
)


def overdue_cases(start, end, *, now=None, limit=50):
    """The overdue lead assignments dispatched in ``[start, end)`` as
    ``CaseLine``s, the most overdue first (see the module docstring);
    ``overdue`` as of ``now`` (default: this moment). One query."""
    now = now or timezone.now()
    overdue = counts(now)["overdue"].filter  # the assessment's own definition of overdue
    still_held = Q(state__in=Assignment.ACTIVE_STATES)
    late_until = Conditional(When(still_held, then=Value(now)), default=F("finished_at"),
                             output_field=DateTimeField())
    rows = (
        cohort(Q(dispatched_at__gte=start, dispatched_at__lt=end))
        .filter(overdue, case__is_confidential=False)
        .annotate(late_until=late_until, rating=F("visit__satisfaction"))
        .order_by(F("reply_due") - F("late_until"), "reply_due", "id")
        .values(*CASE_FIELDS, "unit__name", "reply_due", "late_until", "rating")[:_limit(limit)]
    )
    return [
        CaseLine(
            number=row["case__number"], title=_title(row), item=row["case__directory_item__name"] or "",
            unit=row["unit__name"] or "", received_at=row["case__received_at"], due_at=row["reply_due"],
            days_overdue=_days_late(row["reply_due"], row["late_until"]), rating_label=_rating(row["rating"]),
        )
        for row in rows
    ]


def unsatisfied_cases(start, end, *, limit=50):
    """The cases whose latest return visit in ``[start, end)`` said
    unsatisfied, as ``CaseLine``s, newest visit first (see the module
    docstring). One query."""
    later = ReturnVisit.objects.filter(
        case_id=OuterRef("case_id"), visited_at__gte=start, visited_at__lt=end,
    ).filter(Q(visited_at__gt=OuterRef("visited_at")) | Q(visited_at=OuterRef("visited_at"), id__gt=OuterRef("id")))
    replied = Assignment.objects.filter(
        case_id=OuterRef("case_id"), round=OuterRef("round"), role=Assignment.Role.LEAD,
        state=Assignment.State.REPLIED,
    ).order_by("-dispatched_at", "-id")
    rows = (
        ReturnVisit.objects.filter(
            not_excluded(), visited_at__gte=start, visited_at__lt=end, satisfaction=Satisfaction.UNSATISFIED,
            case__is_confidential=False,
        )
        .filter(~Exists(later))
        .annotate(
            unit_name=Subquery(replied.values("unit__name")[:1]),
            reply_due=Subquery(replied.values("reply_due")[:1]),
            replied_at=Subquery(replied.values("finished_at")[:1]),
        )
        .order_by("-visited_at", "-id")
        .values(*CASE_FIELDS, "unit_name", "reply_due", "replied_at", "satisfaction")[:_limit(limit)]
    )
    return [
        CaseLine(
            number=row["case__number"], title=_title(row), item=row["case__directory_item__name"] or "",
            unit=row["unit_name"] or "", received_at=row["case__received_at"], due_at=row["reply_due"],
            days_overdue=_days_late(row["reply_due"], row["replied_at"]), rating_label=_rating(row["satisfaction"]),
        )
        for row in rows
    ]


def supervision_notes(start, end, *, limit=50):
    """The notes issued in ``[start, end)`` as ``NoteLine``s, newest first
    (see the module docstring). Two queries."""
    notes = (
        SupervisionNote.objects.filter(issued_at__gte=start, issued_at__lt=end)
        .select_related("unit")
        .annotate(case_count=Count("note_cases"))
        .prefetch_related(Prefetch("cases", queryset=Case.objects.only("id", "citizen_name", "address")))
        .order_by("-issued_at", "-id")[:_limit(limit)]
    )
    lines = []
    for note in notes:
        cases = list(note.cases.all())
        reason = mask_text(note.reason, names=[c.citizen_name for c in cases], addresses=[c.address for c in cases])
        lines.append(NoteLine(
            number=note.number, kind_label=str(note.get_kind_display()), unit=note.unit.name,
            issued_at=note.issued_at, answer_due=note.answer_due, state_label=str(note.get_state_display()),
            case_count=note.case_count, reason=reason, kind=note.kind, state=note.state,
        ))
    return lines
