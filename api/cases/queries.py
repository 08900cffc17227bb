"""Staff queries: the case list (a Relay connection), one case, dispatch
suggestions, similar cases, units and reply templates. Every resolver
starts from what the asker may see; for anyone else they return nothing."""

import graphene
from django.utils.translation import gettext as _
from graphql_relay import cursor_to_offset, offset_to_cursor

from casemodels.models import Case
from casemodels.services import CaseActionError
from casemodels.services.inbox import with_lights
from casemodels.services.search import filter_cases
from casemodels.services.duplicates import similar_cases
from casemodels.services.places import match_region
from casemodels.services.suggestions import suggest_dispatch
from graphql import GraphQLError
from snippets.models import DirectoryItem, Region, ReplyTemplate, Unit
from snippets.services.knowledge import find_templates

from ..core.errors import camel
from .lookup import find_case, staff, staff_cases
from .types import CaseStateEnum, CaseType, CodeName, LightEnum, StaffRef, UnitRef

MAX_PAGE = 100
DEFAULT_PAGE = 20
MAX_OFFSET = 1_000_000  # deeper than any list is read page by page; a larger cursor is not ours


class CaseOrder(graphene.Enum):
    class Meta:
        name = "CaseOrder"

    RECEIVED_AT_DESC = "-received_at"
    RECEIVED_AT_ASC = "received_at"
    REPLY_DUE_ASC = "reply_due"
    UPDATED_AT_DESC = "-updated_at"


class CaseFilterInput(graphene.InputObjectType):
    class Meta:
        name = "CaseFilterInput"

    states = graphene.List(graphene.NonNull(CaseStateEnum))
    unit = graphene.String(description="A unit code: cases it or a unit below it received first or was assigned.")
    channel = graphene.String(description="A channel code.")
    case_type = graphene.String()
    directory_item = graphene.String(description="A directory item code: the item and everything below it.")
    region = graphene.String(description="A region code: the region and everything below it.")
    light = graphene.Field(LightEnum)
    overdue = graphene.Boolean()
    received_from = graphene.DateTime(description="Received at or after.")
    received_to = graphene.DateTime(description="Received before.")
    updated_from = graphene.DateTime()
    updated_to = graphene.DateTime()
    search = graphene.String(description="In the number, title, content or address (at most 100 characters).")


class CaseConnection(graphene.relay.Connection):
    class Meta:
        node = CaseType
        name = "CaseConnection"

    total_count = graphene.Int(required=True, description="Counted only when asked for.")

    def resolve_total_count(self, info):
        return self.iterable.count()


class SuggestionType(graphene.ObjectType):
    class Meta:
        name = "DispatchSuggestion"

    directory_item = graphene.Field(CodeName, required=True)
    unit = graphene.Field(UnitRef, description="The unit the item routes to for this place; null if none.")
    region = graphene.Field(CodeName, description="The place the address (or the text) names; null if none.")
    leader = graphene.Field(StaffRef, description="The unit's leader; null if the unit lists none.")
    handler = graphene.Field(StaffRef, description="Who in the unit is proposed to handle it (grid staff by skills).")
    confidence = graphene.Float(required=True, description="0 … 1")
    reason = graphene.String(required=True)
    sources = graphene.List(
        graphene.NonNull(graphene.String), required=True,
        description="What proposed the item: rules (the directory's keywords), model (learned from closed cases).",
    )


class SimilarCaseType(graphene.ObjectType):
    class Meta:
        name = "SimilarCase"

    case = graphene.Field(CaseType, required=True)
    score = graphene.Float(required=True)
    reason = graphene.String(required=True)


class ReplyTemplateType(graphene.ObjectType):
    class Meta:
        name = "ReplyTemplate"

    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    body = graphene.String(required=True, description="With {{ placeholders }}; rendered by the reply action.")
    case_type = graphene.String()
    usage_count = graphene.Int(required=True)


def _refuse(exc):
    """A bad filter value: a GraphQL error naming the field, with the service's message."""
    return GraphQLError(exc.message, extensions={"code": exc.code, "field": camel(exc.field)})


def _page_bounds(first, after):
    if first is None:
        first = DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise GraphQLError(_("“first” must be between 0 and %(max)s.") % {"max": MAX_PAGE},
                           extensions={"code": "invalid", "field": "first"})
    offset = 0
    if after:
        position = cursor_to_offset(after)
        if position is None or position < 0 or position >= MAX_OFFSET:
            raise GraphQLError(_("“after” is not a cursor of this list."), extensions={"code": "invalid",
                                                                                     "field": "after"})
        offset = position + 1
    return first, offset


def resolve_case_page(info, filter=None, first=None, after=None, order_by=None):
    """One page of the asker's cases: ``first`` rows after the cursor,
    plus one to know whether there is a next page."""
    first, offset = _page_bounds(first, after)
    queryset = staff_cases(info)
    criteria = dict(filter or {})
    if "states" in criteria and criteria["states"]:
        criteria["states"] = [getattr(s, "value", s) for s in criteria["states"]]
    if criteria.get("light") is not None:
        criteria["light"] = getattr(criteria["light"], "value", criteria["light"])
    criteria["text"] = criteria.pop("search", None)
    criteria["user"] = staff(info)
    try:
        queryset = filter_cases(queryset, **criteria)
    except CaseActionError as exc:
        raise _refuse(exc) from None
    ordering = getattr(order_by, "value", order_by) or CaseOrder.RECEIVED_AT_DESC.value
    queryset = queryset.order_by(ordering, "-pk" if ordering.startswith("-") else "pk")
    rows = list(with_lights(queryset)[offset:offset + first + 1])
    has_next = len(rows) > first
    rows = rows[:first]
    edges = [CaseConnection.Edge(node=case, cursor=offset_to_cursor(offset + i)) for i, case in enumerate(rows)]
    page_info = graphene.relay.PageInfo(
        start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
        has_previous_page=offset > 0, has_next_page=has_next,
    )
    connection = CaseConnection(edges=edges, page_info=page_info)
    connection.iterable = queryset
    return connection


class CasesQuery(graphene.ObjectType):
    cases = graphene.Field(
        CaseConnection, required=True, filter=CaseFilterInput(), first=graphene.Int(), after=graphene.String(),
        order_by=CaseOrder(),
        description=f"The cases you may see, newest first by default; at most {MAX_PAGE} per page "
        f"(default {DEFAULT_PAGE}). Empty for anyone who is not staff.",
    )
    case = graphene.Field(
        CaseType, number=graphene.String(required=True),
        description="One case by its number; null when there is none you may see (another unit's case included).",
    )
    suggest_dispatch = graphene.List(
        graphene.NonNull(SuggestionType), required=True, content=graphene.String(required=True),
        address=graphene.String(), description="Directory items and units for a request's text, best first.",
    )
    similar_cases = graphene.List(
        graphene.NonNull(SimilarCaseType), required=True, content=graphene.String(required=True),
        phone=graphene.String(), address=graphene.String(description="Its place, when no region is given."),
        directory_item=graphene.String(description="A directory item code: cases of it at the same place count."),
        region=graphene.String(description="A region code."),
        description="Recent cases you may see that look like the same matter: the same phone, the same "
        "directory item at the same place, or near-identical text; best first, with a score and a reason.",
    )
    units = graphene.List(graphene.NonNull(UnitRef), required=True, description="Active units (staff only).")
    reply_templates = graphene.List(
        graphene.NonNull(ReplyTemplateType), required=True, search=graphene.String(),
        directory_item=graphene.String(), first=graphene.Int(default_value=10),
        description="Active reply templates matching a request's text, best first (at most 50).",
    )

    def resolve_cases(self, info, **kwargs):
        return resolve_case_page(info, **kwargs)

    def resolve_case(self, info, number):
        return find_case(info, number)

    def resolve_suggest_dispatch(self, info, content, address=None):
        if staff(info) is None:
            return []
        return [
            SuggestionType(directory_item=s["item"], unit=s["unit"], region=s["region"], leader=s["leader"],
                           handler=s["handler"], confidence=s["score"], reason=s["reason"], sources=s["sources"])
            for s in suggest_dispatch(content, address)
        ]

    def resolve_similar_cases(self, info, content, phone=None, address=None, directory_item=None, region=None):
        user = staff(info)
        if user is None:
            return []
        item = place = None
        if directory_item:
            item = DirectoryItem.objects.filter(code=directory_item).first()
            if item is None:
                raise GraphQLError(_("Unknown directory item: “%(value)s”.") % {"value": directory_item},
                                   extensions={"code": "unknown", "field": "directoryItem"})
        if region:
            place = Region.objects.filter(code=region).first()
            if place is None:
                raise GraphQLError(_("Unknown region: “%(value)s”.") % {"value": region},
                                   extensions={"code": "unknown", "field": "region"})
        elif address:
            place = match_region(address)
        found = similar_cases(user, content, phone or "", directory_item=item, region=place)
        # Read the cases whole (the service reads a few columns to compare texts), in one query.
        cases = Case.objects.in_bulk([f["case"].pk for f in found])
        return [SimilarCaseType(case=cases[f["case"].pk], score=f["score"], reason=f["reason"]) for f in found]

    def resolve_units(self, info):
        if staff(info) is None:
            return []
        return Unit.objects.filter(is_active=True).order_by("level", "code")

    def resolve_reply_templates(self, info, search=None, directory_item=None, first=10):
        if staff(info) is None:
            return []
        first = max(1, min(first or 10, 50))
        item = None
        if directory_item:
            item = DirectoryItem.objects.filter(code=directory_item).first()
            if item is None:
                raise GraphQLError(_("Unknown directory item: “%(value)s”.") % {"value": directory_item},
                                   extensions={"code": "unknown", "field": "directoryItem"})
        if search or item:
            return find_templates(search or "", directory_item=item, limit=first)
        return ReplyTemplate.objects.filter(is_active=True).order_by("-usage_count", "title")[:first]
