"""Public queries: channels, the public catalog, case tracking and (from
``published``) the published cases."""

import graphene

from publishing.tracking import find_tracked_case
from snippets.models import Channel, DirectoryItem

from ..clients import client_address
from .published import PublishedQuery
from .types import CatalogItemType, ChannelType, TrackedCaseType


class Query(PublishedQuery, graphene.ObjectType):
    channels = graphene.List(graphene.NonNull(ChannelType), required=True)
    catalog = graphene.List(graphene.NonNull(CatalogItemType), required=True)
    track_case = graphene.Field(
        TrackedCaseType, number=graphene.String(required=True), query_code=graphene.String(required=True),
        description=(
            "A citizen's own case, by its number and query code (case-insensitive; spaces ignored); null when "
            "they do not match, and for a while after too many wrong codes from one client or for one case."
        ),
    )

    def resolve_channels(self, info):
        return Channel.objects.filter(is_active=True)

    def resolve_catalog(self, info):
        return DirectoryItem.objects.filter(is_active=True).select_related("parent")

    def resolve_track_case(self, info, number, query_code):
        # What a citizen sees is decided in publishing.tracking, not here.
        return find_tracked_case(number, query_code, client=client_address(info.context))
