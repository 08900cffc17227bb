"""Configuration screens in the Wagtail admin: one SnippetViewSet per model,
grouped in menus a centre recognises."""

import datetime

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import (
    AssessmentScheme, CalendarDay, CalendarYear, Channel, DirectoryItem, DutyBoundary, Region, ReplyTemplate, Role,
    StaffProfile, TimeLimitPolicy, Unit, WarningRule,
)
from .services import directory as directory_service
from .services.calendar import missing_years
from .imports import hooks as import_hooks  # noqa: F401  (the import screens)
from .views.delete import ConfigDeleteView
from .views.directory import (
    ChildrenColumn, DirectoryActiveView, DirectoryCreateView, DirectoryMoveView, DirectoryReorderView,
    DirectoryTreeIndexView,
)
from .views.listing import ConfigIndexView


def active():
    return BooleanColumn("is_active", label=_("active"))


class ConfigViewSet(SnippetViewSet):
    """Chinese names are not split into words by the database search backends,
    so list search uses the ORM (icontains over ``search_fields``)."""

    search_backend_name = None
    inspect_view_enabled = True
    index_view_class = ConfigIndexView
    delete_view_class = ConfigDeleteView
    delete_template_name = "snippets/confirm_delete.html"


class RegionViewSet(ConfigViewSet):
    model = Region
    icon = "site"
    menu_label = _("Regions")
    search_fields = ["name", "code", "aliases"]
    list_display = ["name", "code", "level", "parent", active()]
    list_filter = ["level", "is_active"]
    list_export = ["name", "code", "level", "parent", "aliases", "is_active"]


class UnitViewSet(ConfigViewSet):
    model = Unit
    icon = "group"
    menu_label = _("Units")
    search_fields = ["name", "code"]
    list_display = ["name", "code", "kind", "level", "parent", "region", active()]
    list_filter = ["kind", "level", "is_active"]
    list_export = ["name", "code", "kind", "level", "parent", "region", "phone", "is_active"]


class StaffViewSet(ConfigViewSet):
    model = StaffProfile
    icon = "user"
    menu_label = _("Staff")
    search_fields = ["name", "phone", "skills"]
    list_display = ["name", "unit", Column("roles_display", label=_("roles")), "phone", "user", active()]
    export_headings = {"roles_display": _("roles")}
    list_filter = ["roles", "unit__kind", "is_active"]
    list_export = ["name", "unit", "roles_display", "phone", "skills", "is_active"]


class RoleViewSet(ConfigViewSet):
    model = Role
    icon = "key"
    menu_label = _("Roles")
    search_fields = ["name", "code"]
    list_display = ["name", "code"]
    add_to_admin_menu = False


class ChannelViewSet(ConfigViewSet):
    model = Channel
    icon = "mail"
    menu_label = _("Channels")
    search_fields = ["name", "code"]
    list_display = [
        "name", "code", BooleanColumn("is_public", label=_("open to public submission")),
        BooleanColumn("requires_external_id", label=_("requires the channel's own id")), "sort_order", active(),
    ]
    list_filter = ["is_public", "is_active"]
    list_export = ["name", "code", "description", "is_public", "requires_external_id", "is_active"]


class DirectoryItemViewSet(ConfigViewSet):
    """Edited as a tree: one level at a time, with moves, reordering and
    disabling through ``snippets.services.directory``."""

    model = DirectoryItem
    icon = "list-ul"
    menu_label = _("Dispatch directory")
    index_view_class = DirectoryTreeIndexView
    add_view_class = DirectoryCreateView
    search_fields = ["name", "code", "keywords"]
    list_display = [
        "name", "code", ChildrenColumn("children_count", label=_("items below")), "parent", "routing",
        "sector_unit", "territorial_level", active(),
    ]
    list_filter = ["routing", "territorial_level", "default_case_type", "is_active"]
    list_export = [
        "code", "name", "parent", "routing", "sector_unit", "territorial_level", "keywords",
        "default_case_type", "default_urgency", "is_active",
    ]

    def get_urlpatterns(self):
        view_kwargs = {"breadcrumbs_items": self.breadcrumbs_items}
        return super().get_urlpatterns() + [
            path("tree/move/<int:pk>/", DirectoryMoveView.as_view(**view_kwargs), name="tree_move"),
            path("tree/active/<int:pk>/", DirectoryActiveView.as_view(**view_kwargs), name="tree_active"),
            path("tree/reorder/<int:pk>/<str:direction>/", DirectoryReorderView.as_view(), name="tree_reorder"),
        ]


class TimeLimitPolicyViewSet(ConfigViewSet):
    model = TimeLimitPolicy
    icon = "time"
    menu_label = _("Time-limit policies")
    search_fields = ["name", "note"]
    list_display = [
        "name", "priority", "channel", "case_type", "urgency", "directory_item",
        Column("limits_summary", label=_("Limits")), active(),
    ]
    export_headings = {"limits_summary": _("Limits")}
    list_filter = ["channel", "case_type", "urgency", "is_active"]
    list_export = ["name", "priority", "channel", "case_type", "urgency", "directory_item", "limits_summary", "is_active"]


class CalendarYearViewSet(ConfigViewSet):
    model = CalendarYear
    icon = "date"
    menu_label = _("Calendar years")
    search_fields = ["note"]
    list_display = ["year", "source", BooleanColumn("is_published", label=_("published")), "note"]
    list_filter = ["source", "is_published"]
    list_export = ["year", "source", "is_published", "note"]


class CalendarDayViewSet(ConfigViewSet):
    model = CalendarDay
    icon = "calendar"
    menu_label = _("Holidays and make-up workdays")
    search_fields = ["name"]
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    list_export = ["date", "kind", "name"]


class ReplyTemplateViewSet(ConfigViewSet):
    model = ReplyTemplate
    icon = "openquote"
    menu_label = _("Reply templates")
    search_fields = ["title", "keywords", "body", "policy_basis"]
    list_display = [
        "title", "case_type", Column("categories_display", label=_("directory items or categories")),
        "usage_count", "last_used_at", active(),
    ]
    export_headings = {"categories_display": _("directory items or categories")}
    list_filter = ["case_type", "directory_items", "is_active"]
    list_export = [
        "title", "case_type", "categories_display", "keywords", "body", "policy_basis", "usage_count",
        "last_used_at", "is_active",
    ]

    def get_queryset(self, request):
        return ReplyTemplate.objects.prefetch_related("directory_items")


class DutyBoundaryViewSet(ConfigViewSet):
    model = DutyBoundary
    icon = "clipboard-list"
    menu_label = _("Duty boundaries")
    search_fields = ["matter", "keywords", "description", "legal_basis"]
    list_display = [
        "matter", "lead_unit", Column("co_units_display", label=_("co-handling units")),
        Column("categories_display", label=_("directory items or categories")), active(),
    ]
    export_headings = {
        "co_units_display": _("co-handling units"), "categories_display": _("directory items or categories"),
    }
    list_filter = ["lead_unit", "is_active"]
    list_export = [
        "matter", "description", "lead_unit", "co_units_display", "categories_display", "legal_basis", "keywords",
        "is_active",
    ]

    def get_queryset(self, request):
        return DutyBoundary.objects.select_related("lead_unit").prefetch_related("co_units", "directory_items")


class WarningRuleViewSet(ConfigViewSet):
    model = WarningRule
    icon = "warning"
    menu_label = _("Warning rules")
    search_fields = ["name"]
    list_display = [
        "name", "kind", "light", "deadline", Column("condition_summary", label=_("condition")),
        Column("channels_summary", label=_("how people are told")),
        BooleanColumn("raise_supervision", label=_("raise a supervision note")), active(),
    ]
    export_headings = {"condition_summary": _("condition"), "channels_summary": _("how people are told")}
    list_filter = ["kind", "light", "raise_supervision", "is_active"]
    list_export = [
        "name", "kind", "light", "deadline", "share_elapsed", "hours_before", "threshold", "window_days",
        "condition_summary", "channels_summary", "raise_supervision", "is_active",
    ]


class AssessmentSchemeViewSet(ConfigViewSet):
    model = AssessmentScheme
    icon = "tasks"
    menu_label = _("Assessment schemes")
    search_fields = ["name"]
    list_display = [
        "name", "unit_kind", "period", "weight_response", "weight_resolution", "weight_satisfaction",
        "weight_on_time", "min_sample", active(),
    ]
    list_filter = ["unit_kind", "period", "is_active"]
    list_export = [
        "name", "unit_kind", "period", "weight_response", "weight_resolution", "weight_satisfaction",
        "weight_on_time", "basic_satisfaction_share", "min_sample", "is_active",
    ]


class BasicConfigurationGroup(SnippetViewSetGroup):
    menu_label = _("Basic configuration")
    menu_icon = "cogs"
    menu_order = 300
    items = (RegionViewSet, UnitViewSet, StaffViewSet, RoleViewSet, ChannelViewSet)


class DirectoryGroup(SnippetViewSetGroup):
    menu_label = _("Dispatch directory")
    menu_icon = "list-ul"
    menu_order = 310
    items = (DirectoryItemViewSet,)


class TimeLimitsGroup(SnippetViewSetGroup):
    menu_label = _("Time limits and calendar")
    menu_icon = "time"
    menu_order = 320
    items = (TimeLimitPolicyViewSet, CalendarYearViewSet, CalendarDayViewSet)


class KnowledgeGroup(SnippetViewSetGroup):
    menu_label = _("Knowledge base")
    menu_icon = "help"
    menu_order = 330
    items = (ReplyTemplateViewSet, DutyBoundaryViewSet)


class WarningsAssessmentGroup(SnippetViewSetGroup):
    menu_label = _("Warnings and assessment")
    menu_icon = "warning"
    menu_order = 340
    items = (WarningRuleViewSet, AssessmentSchemeViewSet)


register_snippet(BasicConfigurationGroup)
register_snippet(DirectoryGroup)
register_snippet(TimeLimitsGroup)
register_snippet(KnowledgeGroup)
register_snippet(WarningsAssessmentGroup)


@hooks.register("register_log_actions")
def register_directory_actions(actions):
    actions.register_action(directory_service.MOVE, _("Move in the directory"), _("Moved to another category"))
    actions.register_action(directory_service.REORDER, _("Reorder in the directory"), _("Moved up or down"))
    actions.register_action(directory_service.DISABLE, _("Disable"), _("Disabled"))
    actions.register_action(directory_service.ENABLE, _("Enable"), _("Enabled"))


class CalendarWarningPanel(Component):
    """A loud warning on the admin dashboard when this year or next has no
    published work calendar (deadlines there are provisional)."""

    name = "calendar_warning"
    order = 10
    template_name = "snippets/calendar_warning_panel.html"

    def __init__(self, years):
        self.years = years

    def get_context_data(self, parent_context=None):
        return {"years": self.years}


@hooks.register("construct_homepage_panels")
def add_calendar_warning(request, panels):
    this_year = datetime.date.today().year
    years = missing_years([this_year, this_year + 1])
    if years:
        panels.insert(0, CalendarWarningPanel(years))
