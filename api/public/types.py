"""GraphQL types of the public part: channels, the public directory, case
tracking, submitted and published cases. Imported by ``api.schema`` under an
English translation override: descriptions come from translatable help texts,
and the contract in graphql/schema.graphql is kept in English."""

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
    awaiting_rating = graphene.Boolean(
        required=True, description="Replied and waiting for its return visit: the citizen may rate it (rateCase).",
    )


class SubmittedCaseType(graphene.ObjectType):
    """What the submitter gets back: the number and the query code to track
    the case with (trackCase), nothing personal."""

    class Meta:
        name = "SubmittedCase"

    number = graphene.String(required=True)
    query_code = graphene.String(required=True, description="Keep it: with the number, it opens trackCase.")
    received_at = graphene.DateTime(required=True)
    state = graphene.String(required=True)


class PublicRefType(graphene.ObjectType):
    """A directory item or a region, by its code and name."""

    class Meta:
        name = "PublicRef"

    code = graphene.String(required=True)
    name = graphene.String(required=True)


class PublishedCaseType(graphene.ObjectType):
    """A closed case published for everyone (publishing.published): masked;
    never a confidential case; no content and no contact details."""

    class Meta:
        name = "PublishedCase"

    number = graphene.String(required=True)
    title = graphene.String(required=True, description="Names, phone numbers, ID numbers and addresses masked.")
    case_type = graphene.String(required=True)
    case_type_label = graphene.String(required=True)
    state = graphene.String(required=True, description="closed or archived")
    state_label = graphene.String(required=True)
    directory_item = graphene.Field(PublicRefType)
    region = graphene.Field(PublicRefType)
    citizen_name = graphene.String(description="Masked: the family name only; null for an anonymous request.")
    address = graphene.String(description="Masked: house, building and room numbers hidden.")
    received_at = graphene.DateTime(required=True)
    closed_at = graphene.DateTime()
    published_at = graphene.DateTime(
        required=True, description="When it was closed (the order of the list, and what a period filters on).",
    )
    reply = graphene.String(description="The reply to the citizen, masked.")


class PublishedCaseConnection(graphene.relay.Connection):
    class Meta:
        node = PublishedCaseType
        name = "PublishedCaseConnection"

    total_count = graphene.Int(required=True, description="How many published cases match the filters.")

    def resolve_total_count(self, info):
        return self.matching.count()
