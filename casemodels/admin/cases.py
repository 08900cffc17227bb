"""Cases in the admin: a list with filters, search and export, and the
case page (the inspect view: everything about the case, its deadlines with
their lights, the dossier, and a button for each action the user may take
now). Cases change only through the lifecycle services, so the generic add,
edit and delete views are switched off; each action has its own small form
(``admin/actions.py``) and the intake desk is ``admin/intake.py``.

Staff see only the cases of their unit's subtree (``visible_cases``): the
list, its search and its export are built on that queryset, and another
unit's dossier is "not found" rather than shown."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from snippets.imports.exports import EscapeFormulaeMixin

from ..models import Case
from ..services.permissions import ACTIONS
from ..services.visibility import visible_cases
from .actions import CaseActionView
from .case_page import CasePageView
from .intake import IntakeView, intake_suggestions
from .policies import StaffReadOnlyPolicy

class ReadOnlyPolicy(StaffReadOnlyPolicy):
    """Staff look at the cases they may see (``visible_cases``)."""

    visible = staticmethod(visible_cases)


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
