"""Queries of the first small schema."""

import graphene

from casemodels.models import Case
from snippets.models import Channel, DirectoryItem

from .types import CatalogItemType, ChannelType, TrackedCaseType, tracked


class Query(graphene.ObjectType):
    channels = graphene.List(graphene.NonNull(ChannelType), required=True)
    catalog = graphene.List(graphene.NonNull(CatalogItemType), required=True)
    track_case = graphene.Field(
        TrackedCaseType, number=graphene.String(required=True), query_code=graphene.String(required=True),
        description="A citizen's own case, by its number and query code; null when they do not match.",
    )

    def resolve_channels(self, info):
        return Channel.objects.filter(is_active=True)

    def resolve_catalog(self, info):
        return DirectoryItem.objects.filter(is_active=True).select_related("parent")

    def resolve_track_case(self, info, number, query_code):
        case = (
            Case.objects.filter(number=number.strip(), query_code=query_code.strip())
            .prefetch_related("events")
            .first()
        )
        return tracked(case) if case is not None else None

