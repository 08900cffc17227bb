"""Assessment figures (考评, DESIGN §7): per unit, for a time window, counted
set-based in the database (one aggregate query, whatever the number of units
or cases), and the rates derived from them.

Which cases count: the cohort of **lead assignments dispatched in the window**
(``start <= dispatched_at < end``), sub-dispatches included (a township that
sends a case down to a village and the village both hold a lead assignment).
Everything that later happened to those assignments counts, even after the
window: a case dispatched on 30 October and replied on 3 November counts in
October's figures. Left out:

- co-handling assignments (the lead unit answers for the case);
- assignments that ended as an approved return (退单: the dispatch was wrong,
  not the unit) or that were withdrawn.

There is no 核减 (excluding a case from assessment after review) yet: no
model field records it, so no case is left out on that ground. When the
review workflow adds one, it belongs in ``assessed_assignments``.

The counts of a unit (``UnitFigures``):

| count | definition |
|---|---|
| ``dispatched`` | lead assignments dispatched in the window |
| ``signed_on_time`` | of those, signed for (签收) by the sign-for deadline (none set: signed at all) |
| ``replied`` | of those, replied (反馈): the assignment ended in the reply |
| ``replied_on_time`` | of the replied, by the assignment's reply deadline (none set: on time) |
| ``visited`` | of the replied, with a return visit (回访) for the case's round |
| ``satisfied`` / ``basically_satisfied`` / ``unsatisfied`` | the latest visit of that round said so |
| ``resolved`` | the latest visit of that round found the matter resolved |

A case visited twice in one round (a second visit after an unsatisfied first
one, without a second dispatch) counts once, by its latest visit. A second
dispatch (round + 1) is a new lead assignment with its own visit.

The rates (``UnitRates``), each a share between 0 and 1, or None when its
denominator is zero:

- 响应率 ``response_rate`` = signed on time / dispatched
- 解决率 ``resolution_rate`` = resolved / visited
- 满意率 ``satisfaction_rate`` = (satisfied + basically satisfied × share) / visited,
  where share = the scheme's ``basic_satisfaction_share`` / 100
- on-time rate ``on_time_rate`` = replied on time / replied
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q

from ..models import Assignment, ReturnVisit, Satisfaction

S = Assignment.State

NOT_ASSESSED = (S.RETURNED, S.WITHDRAWN)


@dataclass(frozen=True)
class UnitFigures:
    """The counts of one unit for one window (see the module docstring)."""

    unit_id: int
    unit_code: str
    unit_name: str
    unit_kind: str
    dispatched: int = 0
    signed_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0
    visited: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    resolved: int = 0


@dataclass(frozen=True)
class UnitRates:
    """Shares between 0 and 1; None when nothing was there to measure."""

    response_rate: Decimal | None
    resolution_rate: Decimal | None
    satisfaction_rate: Decimal | None
    on_time_rate: Decimal | None


def assessed_assignments(start, end):
    """The lead assignments that count for the window ``[start, end)``."""
    return Assignment.objects.filter(
        role=Assignment.Role.LEAD, dispatched_at__gte=start, dispatched_at__lt=end,
    ).exclude(state__in=NOT_ASSESSED)


def _with_latest_visit(assignments):
    """Each assignment joined to the latest return visit of its case and
    round (``visit``), or to nothing when there is none: a LEFT JOIN to the
    round's visits and a NOT EXISTS for a later one, so one row per assignment."""
    later = ReturnVisit.objects.filter(case_id=OuterRef("case_id"), round=OuterRef("round")).filter(
        Q(visited_at__gt=OuterRef("visit__visited_at"))
        | Q(visited_at=OuterRef("visit__visited_at"), id__gt=OuterRef("visit__id"))
    )
    return assignments.annotate(
        visit=FilteredRelation("case__return_visits", condition=Q(case__return_visits__round=F("round"))),
    ).filter(~Exists(later))


def unit_figures(start, end, *, unit_kinds=None):
    """``UnitFigures`` of every unit with lead assignments dispatched in
    ``[start, end)``, ordered by unit code; in one SQL query."""
    assignments = assessed_assignments(start, end)
    if unit_kinds:
        assignments = assignments.filter(unit__kind__in=list(unit_kinds))
    replied = Q(state=S.REPLIED)
    visited = replied & Q(visit__id__isnull=False)
    rows = (
        _with_latest_visit(assignments)
        .values("unit_id", "unit__code", "unit__name", "unit__kind")
        .annotate(
            dispatched=Count("id"),
            signed_on_time=Count("id", filter=Q(signed_at__isnull=False) & (
                Q(sign_due__isnull=True) | Q(signed_at__lte=F("sign_due")))),
            replied=Count("id", filter=replied),
            replied_on_time=Count("id", filter=replied & (
                Q(reply_due__isnull=True) | Q(finished_at__lte=F("reply_due")))),
            visited=Count("id", filter=visited),
            satisfied=Count("id", filter=visited & Q(visit__satisfaction=Satisfaction.SATISFIED)),
            basically_satisfied=Count("id", filter=visited & Q(visit__satisfaction=Satisfaction.BASICALLY_SATISFIED)),
            unsatisfied=Count("id", filter=visited & Q(visit__satisfaction=Satisfaction.UNSATISFIED)),
            resolved=Count("id", filter=visited & Q(visit__resolved=True)),
        )
        .order_by("unit__code")
    )
    return [
        UnitFigures(
            unit_id=row.pop("unit_id"), unit_code=row.pop("unit__code"), unit_name=row.pop("unit__name"),
            unit_kind=row.pop("unit__kind"), **row,
        )
        for row in rows
    ]


def _share(part, whole):
    return None if not whole else Decimal(part) / Decimal(whole)


def unit_rates(figures, *, basic_satisfaction_share):
    """The four rates of ``figures``; ``basic_satisfaction_share`` in per cent
    (a basically satisfied visit counts as that share of a satisfied one)."""
    basic = Decimal(basic_satisfaction_share) / 100
    return UnitRates(
        response_rate=_share(figures.signed_on_time, figures.dispatched),
        resolution_rate=_share(figures.resolved, figures.visited),
        satisfaction_rate=_share(figures.satisfied + figures.basically_satisfied * basic, figures.visited),
        on_time_rate=_share(figures.replied_on_time, figures.replied),
    )
