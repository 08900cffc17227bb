"""Cases in the admin: a list with filters, search and export, and the
case page (the inspect view: everything about the case, its deadlines with
their lights, the dossier, and a button for each action the user may take
now). Cases change only through the lifecycle services, so the generic add,
edit and delete views are switched off; each action has its own small form
(``admin/actions.py``) and the intake desk is ``admin/intake.py``.

Staff see only the cases of their unit's subtree (``visible_cases``): the
list, its search and its export are built on that queryset, and another
unit's dossier is "not found" rather than shown."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from snippets.imports.exports import EscapeFormulaeMixin

from ..models import Case
from ..services.permissions import ACTIONS
from ..services.visibility import active_profile, sees_every_case, visible_cases
from .actions import CaseActionView
from .case_page import CasePageView
from .intake import IntakeView, intake_suggestions

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


class CaseIndexView(EscapeFormulaeMixin, IndexView):
    """The list (and its export) holds only the cases the user may see."""

    def get_base_queryset(self):
        return visible_cases(self.request.user).select_related("channel", "owner_unit")


class CaseViewSet(ModelViewSet):
    model = Case
    icon = "doc-full"
    menu_label = _("Cases")
    menu_order = 100
    add_to_admin_menu = True
    inspect_view_enabled = True
    index_view_class = CaseIndexView
    inspect_view_class = CasePageView
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


    def get_urlpatterns(self):
        """The generic screens, the intake desk and one URL per action:
        ``cases:intake``, ``cases:intake_suggest``, ``cases:<action>`` (pk)."""
        # The generic ones first: the menu links to the first pattern (the list).
        return [
            *super().get_urlpatterns(),
            path("intake/", IntakeView.as_view(), name="intake"),
            path("intake/suggest/", intake_suggestions, name="intake_suggest"),
            *(path(f"{code}/<str:pk>/", CaseActionView.as_view(action=code), name=code) for code in ACTIONS),
        ]


@hooks.register("register_admin_viewset")
def register_case_viewset():
    return CaseViewSet("cases")
