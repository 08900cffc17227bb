"""What the result board page, the LED screens and the bulletins show for a
period: ``board_summary(period_text)`` gathers it, ``board_charts(summary)``
draws it (``publishing.charts``, the same SVG for the web and the PDF).

- ``board``: ``publishing.board.result_board`` of the period (units' rates,
  scores and ranks per unit kind, the period's received and closed totals).
- ``centre``: the centre-wide rates (``CentreRates``): every unit's counts
  on the board summed, then ``unit_rates`` with the default
  basic-satisfaction share (``publishing.board.DEFAULT_BASIC_SHARE``). A
  case sub-dispatched down a level counts for both lead units, as in their
  own figures; the centre's rates are those of the units' work taken together.
- ``red_lists`` / ``black_lists`` (红榜 / 黑榜): per group ranked under a
  scheme, the best and the worst ranked units, ``list_size`` at most, and
  at most half of the group's ranked units each (rounded down) so that no
  unit is on both; a unit tied with one on the red list is never on the
  black list. The red list runs from rank 1 down, the black list from the
  last rank up. Units listed but not ranked (below the scheme's minimum
  sample: ``row.ranked`` False) are on neither; ``small_samples`` names them.
- ``hot_items`` / ``hot_regions``: ``casemodels.services.analysis`` over the
  period, regions counted at the township level (``region_level``).
- ``trend``: ``TrendPoint``s of the ``trend_length`` periods of the same
  kind up to and including this one, oldest first (``previous_periods``).
- ``recent_cases``: the latest published cases closed in the period
  (``publishing.published``: masked, never a confidential one).
- ``typical_cases``: the typical cases staff chose among those closed in
  the period (``publishing.typical``), masked likewise.

Queries: three for the board, two per earlier trend period (its totals and
its roll-up figures), three each for the hot items and regions, two for
the recent cases, three for the typical cases (one when none is chosen):
14 + 2 × (``trend_length`` − 1) at most (24 with the defaults), whatever
the number of units or cases.

``cached_board_summary`` keeps a summary for ``BOARD_TTL`` seconds per
period, options and language, under the public version
(``publishing.cache``) that moves on when the figures or the pages change.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from casemodels.models.rollups import COUNT_FIELDS
from casemodels.services.analysis import hot_items as analysis_hot_items
from casemodels.services.analysis import hot_regions as analysis_hot_regions
from casemodels.services.assessment import UnitFigures, unit_figures, unit_rates
from snippets.models import Level

from .board import (
    BOARD_TTL, DEFAULT_BASIC_SHARE, RATE_PLACES, BadPeriod, ResultBoard, period_totals, result_board,
)
from .case_lists import CaseLine, NoteLine, overdue_cases, supervision_notes, unsatisfied_cases  # noqa: F401
from .cache import bump_public_version, current_public_version
from .charts import bar_chart, line_chart
from .periods import MIN_YEAR, MONTH, YEAR, parse_period
from .published import published_cases, published_view
from .typical import typical_cases


@dataclass(frozen=True)
class CentreRates:
    """The centre-wide rates: the units' counts summed (see the module docstring)."""

    dispatched: int
    response_rate: Decimal | None
    resolution_rate: Decimal | None
    satisfaction_rate: Decimal | None
    on_time_rate: Decimal | None
    figures: UnitFigures | None = None  # the summed counts (unit fields empty)


@dataclass(frozen=True)
class TrendPoint:
    """One period of the trend."""

    period: str
    received: int
    closed: int
    rates: CentreRates


@dataclass(frozen=True)
class BoardSummary:
    """Everything the board and the bulletins show for one period (see the module docstring)."""

    board: ResultBoard
    centre: CentreRates
    red_lists: list  # [(BoardGroup, [BoardRow, …])]
    black_lists: list  # [(BoardGroup, [BoardRow, …])], worst first
    hot_items: list  # [Hotspot]
    hot_regions: list  # [Hotspot]
    trend: list  # [TrendPoint], oldest first
    recent_cases: list  # [PublishedCase]
    small_samples: list  # [(BoardGroup, [BoardRow, …])]: listed, not ranked (a group with a scheme)
    typical_cases: list  # [publishing.typical.TypicalView]: chosen by staff, closed in the period


def _parse(period_text):
    try:
        return parse_period(period_text)
    except ValueError as exc:
        raise BadPeriod(str(exc)) from None


# --- periods ----------------------------------------------------------------

def previous_periods(period_text, n):
    """The canonical texts of the ``n`` periods of the same kind up to and
    including ``period_text``, oldest first (``2025-10``, 3 → ``2025-08``,
    ``2025-09``, ``2025-10``); none before the year 2000. Raises
    ``BadPeriod`` for a bad period."""
    start, _end, kind = _parse(period_text)
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a whole number ≥ 1, not {n!r}")
    periods = []
    for back in range(n - 1, -1, -1):
        if kind == YEAR:
            year, text = start.year - back, f"{start.year - back}"
        elif kind == MONTH:
            index = start.year * 12 + start.month - 1 - back
            year, text = index // 12, f"{index // 12}-{index % 12 + 1:02d}"
        else:
            day = start.date() - datetime.timedelta(weeks=back)
            iso_year, week, _weekday = day.isocalendar()
            year, text = iso_year, f"{iso_year}-W{week:02d}"
        if year >= MIN_YEAR:
            periods.append(text)
    return periods


# --- figures ----------------------------------------------------------------

def centre_rates(figures):
    """The ``CentreRates`` of a list of ``UnitFigures`` (the counts summed;
    rates rounded to four places, like the board's)."""
    figures = list(figures)
    total = UnitFigures(unit_id=0, unit_code="", unit_name="", unit_kind="", **{
        name: sum(getattr(f, name) for f in figures) for name in COUNT_FIELDS
    })
    rates = unit_rates(total, basic_satisfaction_share=DEFAULT_BASIC_SHARE)
    rounded = {
        name: None if value is None else value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        for name, value in vars(rates).items()
    }
    return CentreRates(dispatched=total.dispatched, figures=total, **rounded)


def board_figures(board):
    """Every unit's ``UnitFigures`` on the board."""
    return [row.figures for group in board.groups for row in group.rows]


def red_black(group, list_size):
    """(red list, black list) of a ranked group (see the module docstring)."""
    ranked = [row for row in group.rows if row.ranked]
    size = max(min(list_size, len(ranked) // 2), 0)
    red = ranked[:size]
    if not red:
        return [], []
    black = [row for row in reversed(ranked[len(ranked) - size:]) if row.rank > red[-1].rank]
    return red, black


def trend_points(board, trend_length):
    """The ``TrendPoint``s of the ``trend_length`` periods up to the board's,
    oldest first; the board's own period from the board (no query), each
    earlier one two queries."""
    points = []
    for text in previous_periods(board.period, trend_length):
        if text == board.period:
            totals, figures = board.totals, board_figures(board)
        else:
            start, end, _kind = parse_period(text)
            totals, figures = period_totals(start, end), unit_figures(start, end)
        points.append(TrendPoint(period=text, received=totals.received, closed=totals.closed,
                                 rates=centre_rates(figures)))
    return points


def board_summary(period_text, *, list_size=3, top=10, trend_length=6, recent=10, region_level=Level.TOWNSHIP):
    """The ``BoardSummary`` of a period given as text (``2025``, ``2025-10``,
    ``2025-W41``); raises ``BadPeriod`` for a bad period. See the module
    docstring for what it holds and the queries it costs."""
    board = result_board(period_text)
    red_lists, black_lists, small_samples = [], [], []
    for group in board.groups:
        if group.scheme is None:
            continue
        red, black = red_black(group, list_size)
        red_lists.append((group, red))
        black_lists.append((group, black))
        unranked = [row for row in group.rows if not row.ranked]
        if unranked:
            small_samples.append((group, unranked))
    recent_cases = []
    if recent > 0:
        recent_cases = [published_view(case) for case in published_cases(period=board.period)[:recent]]
    return BoardSummary(
        board=board,
        centre=centre_rates(board_figures(board)),
        red_lists=red_lists,
        black_lists=black_lists,
        hot_items=analysis_hot_items(board.start, board.end, top),
        hot_regions=analysis_hot_regions(board.start, board.end, top, level=region_level),
        trend=trend_points(board, trend_length),
        recent_cases=recent_cases,
        small_samples=small_samples,
        typical_cases=typical_cases(board.start, board.end),
    )


# --- cache ------------------------------------------------------------------

SUMMARY_DEFAULTS = {"list_size": 3, "top": 10, "trend_length": 6, "recent": 10, "region_level": Level.TOWNSHIP}


def figures_cache_version():
    """The version cached summaries are kept under: the public version
    (``publishing.cache``), so that the bump that makes the pages stale
    (page changes, bulletins, a roll-up refresh) renews the figures they show."""
    return current_public_version()


def bump_figures_cache_version():
    """Move the version on: every cached summary (and page) is asked afresh. Returns the new version."""
    return bump_public_version()


def cached_board_summary(period_text, **options):
    """``board_summary`` kept for ``BOARD_TTL`` seconds per period, options
    and ``figures_cache_version``. A bad period (``BadPeriod``) or an unknown
    option (``TypeError``) is never cached."""
    unknown = set(options) - set(SUMMARY_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown options: {', '.join(sorted(unknown))}")
    start, _end, kind = _parse(period_text)
    options = {**SUMMARY_DEFAULTS, **options}
    described = ",".join(f"{name}={options[name]}" for name in sorted(options))
    # The language too: the summary carries labels (the unit kinds') in the language it was made in.
    key = (f"minsheng:figures:v2:{figures_cache_version()}:{translation.get_language()}:{kind}:"
           f"{start.isoformat()}:{described}")
    summary = cache.get(key)
    if summary is None:
        summary = board_summary(period_text, **options)
        cache.set(key, summary, BOARD_TTL)
    return summary


# --- charts -----------------------------------------------------------------

def board_charts(summary, *, width=640):
    """The charts of a summary, as SVG (``publishing.charts``):
    ``volume`` (cases received and closed per trend period), ``rates`` (响应率,
    解决率, 满意率 per trend period, in per cent), ``items`` (the hot
    directory items' cases) and ``regions`` (the hot regions' cases)."""
    labels = [point.period for point in summary.trend]
    return {
        "volume": line_chart(labels, [
            (_("Received"), [point.received for point in summary.trend]),
            (_("Closed"), [point.closed for point in summary.trend]),
        ], title=_("Cases received and closed"), width=width),
        "rates": line_chart(labels, [
            (_("Response rate"), [point.rates.response_rate for point in summary.trend]),
            (_("Resolution rate"), [point.rates.resolution_rate for point in summary.trend]),
            (_("Satisfaction rate"), [point.rates.satisfaction_rate for point in summary.trend]),
        ], title=_("Response, resolution and satisfaction rates"), percent=True, width=width),
        "items": bar_chart([(h.name, h.cases) for h in summary.hot_items], title=_("Most frequent matters"),
                           width=width),
        "regions": bar_chart([(h.name, h.cases) for h in summary.hot_regions], title=_("Cases by place"),
                             width=width),
    }


__all__ = [
    "BoardSummary", "CaseLine", "CentreRates", "NoteLine", "TrendPoint", "board_charts", "board_summary",
    "bump_figures_cache_version", "cached_board_summary", "centre_rates", "figures_cache_version",
    "overdue_cases", "previous_periods", "red_black", "supervision_notes", "unsatisfied_cases",
]
