"""Assessment figures (考评, DESIGN §7): per unit, for a time window, counted
set-based in the database, and the rates derived from them.

Which cases count: the cohort of **lead assignments dispatched in the window**
(``start <= dispatched_at < end``), sub-dispatches included (a township that
sends a case down to a village and the village both hold a lead assignment).
Everything that later happened to those assignments counts, even after the
window: a case dispatched on 30 October and replied on 3 November counts in
October's figures. Left out:

- co-handling assignments (the lead unit answers for the case);
- withdrawn assignments (the case was merged, diverted or taken back);
- every assignment of a case excluded from assessment after review (核减,
  ``AssessmentExclusion``; ``casemodels.services.exclusions``);
- from ``dispatched`` and everything counted within it: assignments that
  ended as an approved return (退单: the dispatch was wrong, not the unit);
  they are counted apart, as ``returned``.

The counts of a unit (``UnitFigures``):

| count | definition |
|---|---|
| ``dispatched`` | lead assignments dispatched in the window, returns left out |
| ``signed_on_time`` | of those, signed for (签收) by the sign-for deadline (none set: signed at all) |
| ``contacted_on_time`` | of those, with the citizen contacted (首次联系) by the first-contact deadline (**) |
| ``replied`` | of those, replied (反馈): the assignment ended in the reply |
| ``replied_on_time`` | of the replied, by the assignment's reply deadline (none set: on time) |
| ``visited`` | of the replied, with a return visit (回访) for the case's round |
| ``satisfied`` / ``basically_satisfied`` / ``unsatisfied`` | the latest visit of that round said so |
| ``resolved`` | the latest visit of that round found the matter resolved |
| ``returned`` | lead assignments dispatched in the window that ended as an approved return |
| ``extended`` | of the dispatched, those granted an extension (an approved ``ExtensionRequest``) |
| ``overdue`` | of the dispatched, replied late, or still held with the reply deadline passed at ``now`` (*) |

(*) Still held: pending, signed for, or with a return requested, while the
case's clock runs (not paused waiting for the citizen).

(**) The assignment recorded a first contact (``contacted_at``, written
once by ``casemodels.services.contact.record_contact``) no later than the
first-contact deadline kept with it (``contact_due``: the case's deadline
in force at the contact, for its round; none set: contacted at all). Like
``signed_on_time`` it is a count of the unit's own acts: a contact the
township made before sub-dispatching counts for the township, not for the
village. DESIGN §7 lists it as a count; no rate or weight is derived from it.

A case visited twice in one round (a second visit after an unsatisfied first
one, without a second dispatch) counts once, by its latest visit. A second
dispatch (round + 1) is a new lead assignment with its own visit. A unit is
listed when it has at least one dispatched assignment in the window.

Two ways to the same figures:

- ``unit_figures_direct(start, end, now=…)`` counts from the assignments,
  visits, extensions and exclusions in one aggregate query;
- ``unit_figures(start, end)`` sums the daily roll-up (``UnitDayFigures``:
  per unit and local day of dispatch, the same counts by the same
  expressions, kept by ``casemodels.services.rollups``), one small query
  whatever the number of cases. It gives exactly what the direct count gives
  at the roll-up's last refresh (``overdue`` depends on the moment: it is
  as of that refresh). A window that does not start and end at midnight in
  the centre's time zone cannot be read from days; it is counted directly.

The rates (``UnitRates``), each a share between 0 and 1, or None when its
denominator is zero. A case still held past its reply deadline (``lapsed``
= overdue − replied late = overdue − (replied − replied on time)) has
failed every measure that looks past the reply: it was not replied on time,
and the citizen's matter was neither resolved nor answered to their
satisfaction by the time it was due. It counts as such, so that letting a
case lapse never scores better than replying to it, late or not:

- 响应率 ``response_rate`` = signed on time / dispatched
- 解决率 ``resolution_rate`` = resolved / (visited + lapsed)
- 满意率 ``satisfaction_rate`` = (satisfied + basically satisfied × share) / (visited + lapsed),
  where share = the scheme's ``basic_satisfaction_share`` / 100
- on-time rate ``on_time_rate`` = replied on time / (replied + lapsed)
  (= replied on time / (replied on time + overdue))

So a rate is None only while nothing it measures has come due: no case
replied, visited or past its deadline (cases not yet due, or paused waiting
for the citizen, are not counted against the unit). A unit with a lapsed
case has every rate. ``lapsed`` comes from the counts above, so the
roll-up needs no column of its own for it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import AssessmentExclusion, Assignment, ExtensionRequest, ReturnVisit, Satisfaction, UnitDayFigures
from ..models.requests import ReviewState
from ..models.rollups import COUNT_FIELDS

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
    contacted_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0
    visited: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    resolved: int = 0
    returned: int = 0
    extended: int = 0
    overdue: int = 0

    @property
    def lapsed(self):
        """Still held past the reply deadline: the overdue cases that were not
        replied (late). Never negative (hand-made figures may leave ``overdue`` out)."""
        return max(self.overdue - (self.replied - self.replied_on_time), 0)


@dataclass(frozen=True)
class UnitRates:
    """Shares between 0 and 1; None when nothing was there to measure."""

    response_rate: Decimal | None
    resolution_rate: Decimal | None
    satisfaction_rate: Decimal | None
    on_time_rate: Decimal | None


def centre_zone():
    return ZoneInfo(settings.TIME_ZONE)


def not_excluded():
    """A filter on assignments: their case is not excluded from assessment."""
    return ~Exists(AssessmentExclusion.objects.filter(case_id=OuterRef("case_id")))


def assessed_assignments(start, end):
    """The lead assignments counted as ``dispatched`` for the window ``[start, end)``."""
    return Assignment.objects.filter(
        not_excluded(), role=Assignment.Role.LEAD, dispatched_at__gte=start, dispatched_at__lt=end,
    ).exclude(state__in=NOT_ASSESSED)


def cohort(dispatched):
    """Every lead assignment the counts look at (returns included, counted
    apart), dispatched where the ``dispatched`` filter on ``dispatched_at``
    says, each joined to its round's latest return visit."""
    assignments = Assignment.objects.filter(dispatched, not_excluded(), role=Assignment.Role.LEAD).exclude(
        state=S.WITHDRAWN,
    )
    return _with_latest_visit(assignments)


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


def counts(now):
    """The aggregate of each count (``COUNT_FIELDS``) over ``cohort`` rows,
    by the definitions of the module docstring; ``overdue`` as of ``now``.
    The direct figures and the roll-up both use these expressions."""
    assessed = ~Q(state=S.RETURNED)
    replied = Q(state=S.REPLIED)
    on_time = Q(reply_due__isnull=True) | Q(finished_at__lte=F("reply_due"))
    late = Q(reply_due__isnull=False) & (Q(finished_at__isnull=True) | Q(finished_at__gt=F("reply_due")))
    visited = replied & Q(visit__id__isnull=False)
    extended = Exists(ExtensionRequest.objects.filter(assignment_id=OuterRef("id"), state=ReviewState.APPROVED))
    still_held = Q(state__in=Assignment.ACTIVE_STATES, reply_due__lt=now, case__paused_since__isnull=True)
    signed_on_time = Q(signed_at__isnull=False) & (Q(sign_due__isnull=True) | Q(signed_at__lte=F("sign_due")))
    contacted_on_time = Q(contacted_at__isnull=False) & (
        Q(contact_due__isnull=True) | Q(contacted_at__lte=F("contact_due"))
    )
    return {
        "dispatched": Count("id", filter=assessed),
        "signed_on_time": Count("id", filter=assessed & signed_on_time),
        "contacted_on_time": Count("id", filter=assessed & contacted_on_time),
        "replied": Count("id", filter=replied),
        "replied_on_time": Count("id", filter=replied & on_time),
        "visited": Count("id", filter=visited),
        "satisfied": Count("id", filter=visited & Q(visit__satisfaction=Satisfaction.SATISFIED)),
        "basically_satisfied": Count("id", filter=visited & Q(visit__satisfaction=Satisfaction.BASICALLY_SATISFIED)),
        "unsatisfied": Count("id", filter=visited & Q(visit__satisfaction=Satisfaction.UNSATISFIED)),
        "resolved": Count("id", filter=visited & Q(visit__resolved=True)),
        "returned": Count("id", filter=Q(state=S.RETURNED)),
        "extended": Count("id", filter=assessed & Q(extended)),
        "overdue": Count("id", filter=(replied & late) | still_held),
    }


def day_counts(dispatched, now):
    """The roll-up rows as a query: per unit and local day of dispatch
    (``unit_id``, ``day``, then the counts), for the assignments the
    ``dispatched`` filter selects."""
    day = TruncDate("dispatched_at", tzinfo=centre_zone())
    return cohort(dispatched).values("unit_id", day=day).annotate(**counts(now)).order_by()


def unit_figures_direct(start, end, *, unit_kinds=None, now=None):
    """``UnitFigures`` of every unit with lead assignments dispatched in
    ``[start, end)``, ordered by unit code, counted from the assignments in
    one SQL query; ``overdue`` as of ``now`` (default: this moment)."""
    assignments = cohort(Q(dispatched_at__gte=start, dispatched_at__lt=end))
    if unit_kinds:
        assignments = assignments.filter(unit__kind__in=list(unit_kinds))
    rows = (
        assignments.values("unit_id", "unit__code", "unit__name", "unit__kind")
        .annotate(**counts(now or timezone.now()))
        .filter(dispatched__gt=0)
        .order_by("unit__code")
    )
    return [_figures(row) for row in rows]


def local_days(start, end):
    """``(first day, day after the last)`` when ``[start, end)`` runs from
    midnight to midnight in the centre's time zone; else None."""
    zone = centre_zone()
    bounds = []
    for moment in (start, end):
        if not isinstance(moment, datetime.datetime) or timezone.is_naive(moment):
            return None
        local = moment.astimezone(zone)
        if local.time() != datetime.time(0):
            return None
        bounds.append(local.date())
    return tuple(bounds)


def unit_figures(start, end, *, unit_kinds=None):
    """``UnitFigures`` of every unit with lead assignments dispatched in
    ``[start, end)``, ordered by unit code: the roll-up's days summed, in one
    SQL query (see the module docstring; a window not on local midnights is
    counted directly)."""
    days = local_days(start, end)
    if days is None:
        return unit_figures_direct(start, end, unit_kinds=unit_kinds)
    rows = UnitDayFigures.objects.filter(day__gte=days[0], day__lt=days[1])
    if unit_kinds:
        rows = rows.filter(unit__kind__in=list(unit_kinds))
    # Summed under other names (an annotation may not shadow a field), then named back.
    sums = {f"total_{name}": Sum(name) for name in COUNT_FIELDS}
    rows = (
        rows.values("unit_id", "unit__code", "unit__name", "unit__kind")
        .annotate(**sums)
        .filter(total_dispatched__gt=0)
        .order_by("unit__code")
    )
    return [_figures({key.removeprefix("total_"): value for key, value in row.items()}) for row in rows]


def _figures(row):
    return UnitFigures(
        unit_id=row.pop("unit_id"), unit_code=row.pop("unit__code"), unit_name=row.pop("unit__name"),
        unit_kind=row.pop("unit__kind"), **row,
    )


def _share(part, whole):
    return None if not whole else Decimal(part) / Decimal(whole)


def unit_rates(figures, *, basic_satisfaction_share):
    """The four rates of ``figures`` (see the module docstring: a lapsed case
    counts as neither on time, resolved nor satisfied);
    ``basic_satisfaction_share`` in per cent (a basically satisfied visit
    counts as that share of a satisfied one)."""
    basic = Decimal(basic_satisfaction_share) / 100
    lapsed = figures.lapsed
    judged = figures.visited + lapsed  # the cases whose outcome for the citizen is known
    return UnitRates(
        response_rate=_share(figures.signed_on_time, figures.dispatched),
        resolution_rate=_share(figures.resolved, judged),
        satisfaction_rate=_share(figures.satisfied + figures.basically_satisfied * basic, judged),
        on_time_rate=_share(figures.replied_on_time, figures.replied + lapsed),
    )
