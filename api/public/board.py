"""The result board (resultBoard) and bulletins: figures for the public.

Thin: the figures, scores and ranks come from ``publishing.board``, the
bulletins the public may see from ``Bulletin.objects.published()``. Unit
names and counts only; no case data."""

import graphene
from django.utils.translation import gettext as _
from graphql import GraphQLError

from publishing.board import BadPeriod, cached_result_board
from publishing.models import Bulletin

MAX_PAGE = 100


def page_size(first):
    """``first`` of a public list, checked: 1 to ``MAX_PAGE``."""
    if first is None or not 1 <= first <= MAX_PAGE:
        raise GraphQLError(
            _("first must be between 1 and %(max)s; %(first)s was given.") % {"max": MAX_PAGE, "first": first}
        )
    return first


def _rate(value):
    return None if value is None else float(value)


class BoardUnitType(graphene.ObjectType):
    class Meta:
        name = "BoardUnit"

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    kind = graphene.String(required=True, description="department, township, community, grid, utility or centre.")


class BoardRowType(graphene.ObjectType):
    """One unit's figures for the period. Rates are shares between 0 and 1
    (null when there was nothing to measure); the score is 0–100."""

    class Meta:
        name = "BoardRow"

    unit = graphene.Field(BoardUnitType, required=True)
    dispatched = graphene.Int(required=True, description="Lead assignments dispatched to the unit in the period.")
    contacted_on_time = graphene.Int(
        required=True, description="Of the dispatched, those whose unit recorded its first contact with the citizen "
        "(首次联系) by the first-contact deadline.",
    )
    returned = graphene.Int(
        required=True, description="Lead assignments dispatched in the period that ended as an approved return "
        "(退单); not counted in dispatched.",
    )
    extended = graphene.Int(required=True, description="Of the dispatched, those granted an extension (延期).")
    overdue = graphene.Int(
        required=True, description="Of the dispatched, replied late or still held past the reply deadline "
        "(as of the roll-up's last refresh).",
    )
    response_rate = graphene.Float(description="响应率: signed for on time / dispatched.")
    resolution_rate = graphene.Float(description="解决率: resolved / return-visited.")
    satisfaction_rate = graphene.Float(
        description="满意率: (satisfied + basically satisfied × the scheme's share) / return-visited.",
    )
    on_time_rate = graphene.Float(description="Replied on time / replied.")
    score = graphene.Float(description="Σ weight × rate (0–100) under the group's scheme; null without a scheme.")
    rank = graphene.Int(description="1 is best; equal scores share a rank; null when not ranked.")
    ranked = graphene.Boolean(
        required=True, description="False below the scheme's minimum sample, or when no scheme applies.",
    )

    def resolve_returned(row, info):
        return row.figures.returned

    def resolve_extended(row, info):
        return row.figures.extended

    def resolve_overdue(row, info):
        return row.figures.overdue

    def resolve_response_rate(row, info):
        return _rate(row.rates.response_rate)

    def resolve_resolution_rate(row, info):
        return _rate(row.rates.resolution_rate)

    def resolve_satisfaction_rate(row, info):
        return _rate(row.rates.satisfaction_rate)

    def resolve_on_time_rate(row, info):
        return _rate(row.rates.on_time_rate)

    def resolve_score(row, info):
        return _rate(row.score)


class BoardGroupType(graphene.ObjectType):
    """The units of one kind, ranked together (departments apart from townships)."""

    class Meta:
        name = "BoardGroup"

    unit_kind = graphene.String(required=True)
    unit_kind_label = graphene.String(required=True, description="The unit kind in the site's language.")
    scheme = graphene.String(description="The name of the assessment scheme applied; null when none applies.")
    min_sample = graphene.Int(description="Units with fewer dispatched cases are listed but not ranked.")
    rows = graphene.List(graphene.NonNull(BoardRowType), required=True)

    def resolve_unit_kind_label(group, info):
        return str(group.unit_kind_label)

    def resolve_scheme(group, info):
        return group.scheme.name if group.scheme is not None else None


class BoardTotalsType(graphene.ObjectType):
    class Meta:
        name = "BoardTotals"

    received = graphene.Int(required=True, description="Cases received in the period.")
    closed = graphene.Int(required=True, description="Cases closed in the period.")


class ResultBoardType(graphene.ObjectType):
    """The centre's figures and the units' rankings for one period."""

    class Meta:
        name = "ResultBoard"

    period = graphene.String(required=True, description="The period in its canonical form: 2025, 2025-10, 2025-W41.")
    kind = graphene.String(required=True, description="year, month or week.")
    start = graphene.DateTime(required=True, description="The first moment of the period.")
    end = graphene.DateTime(required=True, description="The first moment after the period.")
    totals = graphene.Field(BoardTotalsType, required=True)
    groups = graphene.List(graphene.NonNull(BoardGroupType), required=True)


class BulletinType(graphene.ObjectType):
    """A published bulletin issue (e.g. 《宁呼我应》2025年第168期)."""

    class Meta:
        name = "Bulletin"

    series = graphene.String(required=True)
    year = graphene.Int(required=True)
    number = graphene.Int(required=True)
    label = graphene.String(required=True, description="Series, year and number, in the site's language.")
    title = graphene.String(required=True)
    period = graphene.String(
        required=True, description="The period the figures cover (2025-10, 2025-W41, 2025); empty for older issues.",
    )
    period_label = graphene.String(required=True, description="The period the bulletin covers, as written.")
    page_count = graphene.Int(description="Pages of the PDF; null when not rendered here.")
    published_at = graphene.DateTime(required=True)
    document_url = graphene.String(description="The PDF's absolute address; null when there is none yet.")

    def resolve_series(bulletin, info):
        return bulletin.series.name

    def resolve_label(bulletin, info):
        return str(bulletin.label)

    def resolve_document_url(bulletin, info):
        if bulletin.document is None:
            return None
        return info.context.build_absolute_uri(bulletin.document.url)


class BoardQuery(graphene.ObjectType):
    result_board = graphene.Field(
        ResultBoardType, required=True, period=graphene.String(required=True),
        description="Figures and rankings for a period: 2025 (a year), 2025-10 (a month) or 2025-W41 (an ISO week).",
    )
    bulletins = graphene.List(
        graphene.NonNull(BulletinType), required=True, first=graphene.Int(default_value=20),
        description=f"Published bulletins, newest first; first is 1 to {MAX_PAGE}.",
    )

    def resolve_result_board(self, info, period):
        try:
            return cached_result_board(period)
        except BadPeriod as exc:
            raise GraphQLError(str(exc)) from None

    def resolve_bulletins(self, info, first=20):
        return Bulletin.objects.published().select_related("series", "document")[:page_size(first)]
