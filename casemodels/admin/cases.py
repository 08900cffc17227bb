"""Cases in the admin: a list with filters, search and export, and the
inspect view (the dossier). Cases change only through the lifecycle services,
so the generic add, edit and delete views are switched off; the workbench
with its actions is its own piece of work.

Staff see only the cases of their unit's subtree (``visible_cases``): the
list, its search and its export are built on that queryset, and another
unit's dossier is "not found" rather than shown."""

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from ..models import Case
from ..services.visibility import active_profile, sees_every_case, visible_cases

READ_ACTIONS = {"view", "inspect"}


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Nobody adds, edits or deletes cases here; superusers and users with an
    active staff profile may look, each at the cases they may see."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        if action in READ_ACTIONS:
            return sees_every_case(user) or active_profile(user) is not None
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return action not in READ_ACTIONS or visible_cases(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if any(a in READ_ACTIONS and self.user_has_permission(user, a) for a in actions):
            return visible_cases(user)
        return super().instances_user_has_any_permission_for(user, actions)

    def users_with_any_permission(self, actions):
        if not READ_ACTIONS.intersection(actions):
            return super().users_with_any_permission(actions)
        return get_user_model().objects.filter(is_active=True).filter(
            Q(is_superuser=True) | Q(staff_profile__is_active=True)
        )


register_permission_policy(Case, ReadOnlyPolicy(Case))


class CaseIndexView(IndexView):
    """The list (and its export) holds only the cases the user may see."""

    def get_base_queryset(self):
        return visible_cases(self.request.user).select_related("channel", "owner_unit")


class CaseInspectView(InspectView):
    """Another unit's case is not found, rather than shown."""

    def get_object(self, queryset=None):
        return get_object_or_404(visible_cases(self.request.user), pk=unquote(str(self.pk)))


class CaseViewSet(ModelViewSet):
    model = Case
    icon = "doc-full"
    menu_label = _("Cases")
    menu_order = 100
    add_to_admin_menu = True
    inspect_view_enabled = True
    index_view_class = CaseIndexView
    inspect_view_class = CaseInspectView
    search_backend_name = None
    search_fields = ["number", "title", "address", "citizen_phone"]
    list_display = ["number", "title", "channel", "case_type", "state", "owner_unit", "received_at", "reply_due"]
    list_filter = ["state", "case_type", "channel", "urgency", "deadlines_provisional"]
    list_export = [
        "number", "title", "channel", "case_type", "urgency", "state", "round", "directory_item", "region",
        "owner_unit", "received_at", "reply_due", "closed_at",
    ]
    inspect_view_fields = [
        "number", "channel", "external_id", "case_type", "urgency", "title", "content", "address", "region",
        "directory_item", "state", "round", "owner_unit", "received_at", "dispatched_at", "sign_due",
        "contact_due", "reply_due", "completion_due", "deadlines_provisional", "reply", "replied_at", "closed_at",
    ]


@hooks.register("register_admin_viewset")
def register_case_viewset():
    return CaseViewSet("cases")
