"""Cases in the admin: a list with filters, search and export, and the
case page (the inspect view: everything about the case, its deadlines with
their lights, the dossier, and a button for each action the user may take
now). Cases change only through the lifecycle services, so the generic add,
edit and delete views are switched off; each action has its own small form
(``admin/actions.py``) and the intake desk is ``admin/intake.py``.

Staff see only the cases of their unit's subtree (``visible_cases``): the
list, its search and its export are built on that queryset, and another
unit's dossier is "not found" rather than shown."""

from django.db.models import Q
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import ButtonWithDropdown
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from snippets.imports.exports import EscapeFormulaeMixin
from snippets.services.masking import mask_text

from ..models import Case
from ..services.permissions import ACTIONS
from ..services.visibility import personal_data_q, sees_personal_data, visible_cases
from .actions import CaseActionView
from .case_page import CasePageView
from .inbox import CaseTitleColumn
from .intake import IntakeView, intake_suggestions
from .policies import StaffReadOnlyPolicy

class ReadOnlyPolicy(StaffReadOnlyPolicy):
    """Staff look at the cases they may see (``visible_cases``)."""

    visible = staticmethod(visible_cases)


register_permission_policy(Case, ReadOnlyPolicy(Case))


class CaseIndexView(EscapeFormulaeMixin, IndexView):
    """The list (and its export) holds only the cases the user may see.
    A user who reads a case's personal data masked sees its title masked
    (in the list, its menus and its export), and a search by text matches
    the title, address and phone only on the cases whose personal data
    they may read: a search cannot confirm what they are shown masked."""

    PERSONAL_SEARCH_FIELDS = ("title", "address", "citizen_phone")

    def get_base_queryset(self):
        return visible_cases(self.request.user).select_related("channel", "owner_unit")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        text = self.search_query
        personal = Q()
        for field in self.PERSONAL_SEARCH_FIELDS:
            personal |= Q(**{f"{field}__icontains": text})
        return queryset.filter(Q(number__icontains=text) | (personal & personal_data_q(self.request.user)))

    def shown_title(self, case):
        if sees_personal_data(self.request.user, case):
            return case.title
        return mask_text(case.title, names=[case.citizen_name], addresses=[case.address])

    @cached_property
    def columns(self):
        return [CaseTitleColumn("title", self.request.user, label=column.label) if column.name == "title" else column
                for column in super().columns]

    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        for button in buttons:  # their label would quote the title (``str(case)``)
            if isinstance(button, ButtonWithDropdown):
                button.attrs["aria-label"] = gettext("More options for '%(title)s'") % {"title": instance.number}
        return buttons

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        if "title" in row:
            row["title"] = self.shown_title(item)
        return row


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
