"""The result board (红黑榜): the centre's figures and the units' rankings for
a period, for the public site, the API, LED screens and bulletins alike.

``result_board(period_text)`` reads the period (``2025``, ``2025-10``,
``2025-W41``; ``publishing.periods``), takes every unit's assessment figures
for it (``casemodels.services.assessment``: the lead assignments dispatched
in the period, with their sign-for, first-contact, reply and return-visit
outcomes, cases excluded after review left out) and ranks the units.

The figures come from the daily roll-up (``unit_figures``: the period's day
rows summed, ``casemodels.services.rollups``), so a month's board costs the
same over a thousand cases or a million; they are current as of the
roll-up's last refresh (a scheduled task, every few minutes) and equal what
``unit_figures_direct`` counts from the cases at that moment.

Definitions:

- **Groups**: units are ranked within their kind (departments apart from
  townships, DESIGN §7), one group per unit kind, in the order of
  ``Unit.Kind``.
- **Scheme** of a group: the active ``AssessmentScheme`` for that unit kind;
  failing one, an active scheme with no unit kind (it applies to every
  kind). Among several, one whose period (week, month, year) is the board's
  is preferred, then the first by name. A kind no active scheme applies to
  is listed with its rates, but without score or rank.
- **Rates** (each a share between 0 and 1, None when there was nothing to
  measure; ``casemodels.services.assessment``): 响应率 response = signed on
  time / dispatched; 解决率 resolution = resolved / (visited + lapsed);
  满意率 satisfaction = (satisfied + basically satisfied × the scheme's
  basic-satisfaction share) / (visited + lapsed); on-time = replied on time
  / (replied + lapsed), where *lapsed* = still held past the reply deadline.
  A lapsed case counts as late, unresolved and unsatisfied, so a unit that
  lets its cases lapse has those rates (at zero), never an unmeasured one.
- **Score** (0–100, two decimals) = Σ weight × rate over the four rates,
  weights in per cent from the scheme. A rate that is None — nothing it
  measures has come due yet (no reply, no visit and nothing past its
  deadline) — is left out and the other weights are scaled up to 100, so
  that a unit is judged on what could be measured, not punished for cases
  not yet due or for the centre's pending visits. It cannot hide a lapse:
  a unit with a lapsed case has every rate.
- **Rank**: within the group, by score, highest first; equal scores share a
  rank (1, 2, 2, 4). A unit with fewer dispatched cases than the scheme's
  minimum sample is listed but not ranked (``rank`` None, ``ranked``
  False), as is every unit of a group without a scheme. Listed order:
  ranked units by rank, then the others; ties by unit code.
- **Totals** of the period: ``received`` = cases received in it (every
  channel and state); ``closed`` = cases closed in it.

No case data leaves this module: unit names and counts only. Three SQL
queries (roll-up sums, schemes, totals), whatever the number of units or cases.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Func
from django.utils import translation

from casemodels.models import Case
from casemodels.services.assessment import UnitFigures, UnitRates, unit_figures, unit_rates
from snippets.models import AssessmentScheme, Unit

from .cache import current_public_version
from .periods import MONTH, YEAR, parse_period

RATE_PLACES = Decimal("0.0001")
SCORE_PLACES = Decimal("0.01")
# Without a scheme, rates still show; basically satisfied counts as the model's default share.
DEFAULT_BASIC_SHARE = AssessmentScheme._meta.get_field("basic_satisfaction_share").default

# The scheme's weight field for each rate.
WEIGHTS = {
    "response_rate": "weight_response",
    "resolution_rate": "weight_resolution",
    "satisfaction_rate": "weight_satisfaction",
    "on_time_rate": "weight_on_time",
}


class BadPeriod(ValueError):
    """The period text is not a period; the message names it."""


@dataclass(frozen=True)
class BoardUnit:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class BoardRow:
    """One unit on the board: its figures, rates, score and rank."""

    unit: BoardUnit
    figures: UnitFigures
    rates: UnitRates
    score: Decimal | None
    rank: int | None
    ranked: bool

    @property
    def dispatched(self):
        return self.figures.dispatched

    @property
    def contacted_on_time(self):
        """Of the dispatched, the citizen contacted by the first-contact deadline (a count, DESIGN §7)."""
        return self.figures.contacted_on_time


@dataclass(frozen=True)
class BoardGroup:
    """The units of one kind, ranked together under one scheme (or none)."""

    unit_kind: str
    unit_kind_label: str
    scheme: AssessmentScheme | None
    rows: list

    @property
    def min_sample(self):
        return self.scheme.min_sample if self.scheme is not None else None


@dataclass(frozen=True)
class BoardTotals:
    received: int
    closed: int


@dataclass(frozen=True)
class ResultBoard:
    """The board of one period: ``start`` included, ``end`` excluded."""

    period: str
    kind: str
    start: object
    end: object
    totals: BoardTotals
    groups: list


def period_label(start, kind):
    """The canonical text of a period: ``2025``, ``2025-10`` or ``2025-W41``."""
    if kind == YEAR:
        return f"{start:%Y}"
    if kind == MONTH:
        return f"{start:%Y-%m}"
    year, week, _ = start.date().isocalendar()
    return f"{year}-W{week:02d}"


def choose_scheme(schemes, unit_kind, period_kind):
    """The scheme that ranks ``unit_kind`` among the active ``schemes`` (see
    the module docstring), or None."""
    candidates = [s for s in schemes if s.unit_kind == unit_kind] or [s for s in schemes if not s.unit_kind]
    if not candidates:
        return None
    return min(candidates, key=lambda s: (s.period != period_kind, s.name, s.pk))


def composite_score(rates, scheme):
    """Σ weight × rate (0–100, two decimals), the weights of the rates that
    are None (nothing due yet to measure; see the module docstring) left out
    and the others scaled up to 100; None without a scheme or when no
    weighted rate could be measured."""
    if scheme is None:
        return None
    weighted = weights = Decimal(0)
    for rate_name, weight_name in WEIGHTS.items():
        rate, weight = getattr(rates, rate_name), Decimal(getattr(scheme, weight_name) or 0)
        if rate is not None:
            weighted += weight * rate
            weights += weight
    if not weights:
        return None
    return (weighted * 100 / weights).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def _rounded(rates):
    return UnitRates(**{
        name: None if value is None else value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        for name, value in vars(rates).items()
    })


def rank_group(unit_kind, figures, scheme):
    """The ``BoardGroup`` of one unit kind: rows scored, ranked and ordered."""
    share = scheme.basic_satisfaction_share if scheme is not None else DEFAULT_BASIC_SHARE
    rows = []
    for f in figures:
        rates = unit_rates(f, basic_satisfaction_share=share)
        score = composite_score(rates, scheme)
        eligible = scheme is not None and score is not None and f.dispatched >= scheme.min_sample
        rows.append((f, _rounded(rates), score, eligible))
    ranked = sorted((r for r in rows if r[3]), key=lambda r: (-r[2], r[0].unit_code))
    unranked = sorted((r for r in rows if not r[3]), key=lambda r: r[0].unit_code)
    board_rows, previous, rank = [], None, 0
    for position, (f, rates, score, _eligible) in enumerate(ranked, start=1):
        if score != previous:
            rank, previous = position, score
        board_rows.append(_row(f, rates, score, rank))
    board_rows += [_row(f, rates, score, None) for f, rates, score, _eligible in unranked]
    return BoardGroup(
        unit_kind=unit_kind, unit_kind_label=str(Unit.Kind(unit_kind).label), scheme=scheme, rows=board_rows,
    )


def _row(f, rates, score, rank):
    return BoardRow(
        unit=BoardUnit(code=f.unit_code, name=f.unit_name, kind=f.unit_kind), figures=f, rates=rates,
        score=score, rank=rank, ranked=rank is not None,
    )


def _count(cases):
    """``SELECT COUNT(id) FROM … WHERE …`` of a queryset, as SQL and parameters."""
    return cases.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n").query.sql_with_params()


def period_totals(start, end):
    """Cases received and cases closed in ``[start, end)``, in one query of two
    counts, each over one column's range (a plain index on ``received_at``,
    resp. ``closed_at``, answers it from the index alone)."""
    received, received_params = _count(Case.objects.filter(received_at__gte=start, received_at__lt=end))
    closed, closed_params = _count(Case.objects.filter(closed_at__gte=start, closed_at__lt=end))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({received}), ({closed})", (*received_params, *closed_params))
        received_count, closed_count = cursor.fetchone()
    return BoardTotals(received=received_count, closed=closed_count)


def _parse(period_text):
    try:
        return parse_period(period_text)
    except ValueError as exc:
        raise BadPeriod(str(exc)) from None


def result_board(period_text):
    """The ``ResultBoard`` of a period given as text (``2025``, ``2025-10``,
    ``2025-W41``). Raises ``BadPeriod`` (a ``ValueError``) naming the text
    when it is not a period."""
    start, end, kind = _parse(period_text)
    figures = unit_figures(start, end)
    schemes = list(AssessmentScheme.objects.filter(is_active=True).order_by("name", "pk"))
    by_kind = {}
    for f in figures:
        by_kind.setdefault(f.unit_kind, []).append(f)
    groups = [
        rank_group(kind_value, by_kind[kind_value], choose_scheme(schemes, kind_value, kind))
        for kind_value in Unit.Kind.values if kind_value in by_kind
    ]
    return ResultBoard(
        period=period_label(start, kind), kind=kind, start=start, end=end,
        totals=period_totals(start, end), groups=groups,
    )


BOARD_TTL = 300  # seconds: the public board is a period's figures, not a live count


def cached_result_board(period_text):
    """``result_board`` kept for ``BOARD_TTL`` seconds per period, language
    and public version (the public API and pages ask for the same few
    periods over and over; each answer is an aggregate over the period's
    assignments). A bad period is never cached."""
    start, end, kind = _parse(period_text)
    # v3: under the public version (publishing.cache: a roll-up refresh moves it on) and the language
    # (the groups' labels are translated).
    key = f"minsheng:board:v3:{current_public_version()}:{translation.get_language()}:{kind}:{start.isoformat()}"
    board = cache.get(key)
    if board is None:
        board = result_board(period_text)
        cache.set(key, board, BOARD_TTL)
    return board
