"""Who is signed in (``me``): the staff member, their unit, roles, what
they may see and how much waits in their workbench inboxes."""

import graphene
from django.db.models import prefetch_related_objects

from casemodels.services.inbox import Scope, boxes_for, cached_box_counts
from casemodels.services.visibility import active_profile, role_flags
from snippets.models import Role


class ViewerUnit(graphene.ObjectType):
    """The unit a staff member works for."""

    code = graphene.String(required=True)
    name = graphene.String(required=True)


class InboxCount(graphene.ObjectType):
    """How many cases wait in one workbench inbox (counts are kept for up to 30 seconds)."""

    box = graphene.String(
        required=True,
        description="The inbox: to_dispatch, to_sign, in_hand, due_soon, overdue, returned, extensions, "
        "to_visit, unsatisfied.",
    )
    label = graphene.String(required=True, description="The inbox's name, in the caller's language.")
    count = graphene.Int(required=True)


class Viewer(graphene.ObjectType):
    """The signed-in staff member (the root value is their user)."""

    username = graphene.String(required=True)
    name = graphene.String(required=True, description="The staff member's name (the username when none is set).")
    unit = graphene.Field(ViewerUnit, description="Their unit; null for a superuser without a staff profile.")
    roles = graphene.List(
        graphene.NonNull(graphene.String), required=True,
        description="Role codes: administrator, dispatcher, handler, unit_leader, supervisor, visitor "
        "(a superuser holds every role).",
    )
    sees_personal_data = graphene.Boolean(
        required=True, description="Whether citizens' names, phones, ID numbers and exact addresses are shown unmasked.",
    )
    sees_confidential = graphene.Boolean(
        required=True, description="Whether confidential cases (reporter protected) in their scope are shown.",
    )
    inbox = graphene.List(
        graphene.NonNull(InboxCount), required=True,
        description="The workbench inboxes that apply to their roles, in menu order, with their counts.",
    )

    @staticmethod
    def resolve_username(user, info):
        return user.get_username()

    @staticmethod
    def resolve_name(user, info):
        profile = active_profile(user)
        if profile is not None and profile.name:
            return profile.name
        return user.get_full_name() or user.get_username()

    @staticmethod
    def resolve_unit(user, info):
        profile = active_profile(user)
        return profile.unit if profile is not None else None

    @staticmethod
    def resolve_roles(user, info):
        held = Scope.of(user).roles
        return [code for code in Role.Code.values if code in held]

    @staticmethod
    def resolve_sees_personal_data(user, info):
        return role_flags(user)[0]

    @staticmethod
    def resolve_sees_confidential(user, info):
        return role_flags(user)[1]

    @staticmethod
    def resolve_inbox(user, info):
        counts = cached_box_counts(user)
        return [InboxCount(box=b.key, label=str(b.label), count=counts.get(b.key, 0)) for b in boxes_for(user)]


def load_viewer(user):
    """``user`` with their staff profile's unit and roles loaded once."""
    profile = active_profile(user)
    if profile is not None:
        prefetch_related_objects([profile], "unit", "roles")
    return user
