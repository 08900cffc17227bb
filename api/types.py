"""GraphQL types of the first small schema (public channels, the public
directory, case tracking). Imported by ``api.schema`` under an English
translation override: descriptions come from translatable help texts, and the
contract in graphql/schema.graphql is kept in English."""

import graphene
from graphene_django import DjangoObjectType

from snippets.models import Channel, DirectoryItem


class ChannelType(DjangoObjectType):
    class Meta:
        model = Channel
        name = "Channel"
        fields = ("code", "name", "description", "is_public")


class CatalogItemType(DjangoObjectType):
    parent_code = graphene.String()

    class Meta:
        model = DirectoryItem
        name = "CatalogItem"
        fields = ("code", "name", "default_case_type")
        convert_choices_to_enum = False

    def resolve_parent_code(self, info):
        return self.parent.code if self.parent_id else None


class TimelineEntryType(graphene.ObjectType):
    class Meta:
        name = "TimelineEntry"

    action = graphene.String(required=True)
    label = graphene.String(required=True)
    at = graphene.DateTime(required=True)


class TrackedCaseType(graphene.ObjectType):
    """What a citizen sees of their own case: masked, in public wording; a
    merged case shows its primary case's progress (publishing.tracking)."""

    class Meta:
        name = "TrackedCase"

    number = graphene.String(required=True)
    title = graphene.String(required=True)
    state = graphene.String(required=True)
    state_label = graphene.String(required=True)
    citizen_name = graphene.String()
    address = graphene.String()
    received_at = graphene.DateTime(required=True)
    reply_due = graphene.DateTime()
    reply = graphene.String()
    timeline = graphene.List(graphene.NonNull(TimelineEntryType), required=True)
