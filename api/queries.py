"""Queries of the first small schema."""

import graphene

from publishing.tracking import find_tracked_case
from snippets.models import Channel, DirectoryItem

from .types import CatalogItemType, ChannelType, TimelineEntryType, TrackedCaseType


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
        request = info.context
        client = request.META.get("REMOTE_ADDR", "unknown") if request is not None else "unknown"
        view = find_tracked_case(number, query_code, client=client)
        if view is None:
            return None
        timeline = [TimelineEntryType(action=e.action, label=e.label, at=e.at) for e in view.timeline]
        return TrackedCaseType(**{**view.__dict__, "timeline": timeline})
