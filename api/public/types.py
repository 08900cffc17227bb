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
    """One step of a case, in public wording."""

    class Meta:
        name = "TimelineEntry"

    action = graphene.String(required=True, description="register, dispatch, sign, reply, close, merge, …")
    label = graphene.String(required=True, description="The step in public wording, in the site's language.")
    at = graphene.DateTime(required=True)


class TrackedCaseType(graphene.ObjectType):
    """What a citizen sees of their own case: masked, in public wording; a
    merged case shows its primary case's state, reply and progress under its
    own number (publishing.tracking)."""

    class Meta:
        name = "TrackedCase"

    number = graphene.String(required=True)
    title = graphene.String(required=True, description="Phone numbers, ID numbers and e-mail addresses masked.")
    state = graphene.String(required=True)
    state_label = graphene.String(required=True)
    merged = graphene.Boolean(
        required=True, description="Merged with the same matter from another channel; progress is the primary case's.",
    )
    citizen_name = graphene.String(description="Masked: the family name only.")
    address = graphene.String(description="Masked: house, building and room numbers hidden.")
    received_at = graphene.DateTime(required=True)
    reply_due = graphene.DateTime()
    reply = graphene.String(description="The reply to the citizen, masked.")
    timeline = graphene.List(graphene.NonNull(TimelineEntryType), required=True)
