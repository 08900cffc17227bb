"""Configuration screens in the Wagtail admin: one SnippetViewSet per model,
grouped in menus a centre recognises."""

import datetime

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import (
    CalendarDay, CalendarYear, Channel, DirectoryItem, Region, Role, StaffProfile, TimeLimitPolicy, Unit,
)
from .services.calendar import missing_years


def active():
    return BooleanColumn("is_active", label=_("active"))


class ConfigViewSet(SnippetViewSet):
    """Chinese names are not split into words by the database search backends,
    so list search uses the ORM (icontains over ``search_fields``)."""

    search_backend_name = None
    inspect_view_enabled = True


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
    model = DirectoryItem
    icon = "list-ul"
    menu_label = _("Dispatch directory")
    search_fields = ["name", "code", "keywords"]
    list_display = ["name", "code", "parent", "routing", "sector_unit", "territorial_level", active()]
    list_filter = ["routing", "territorial_level", "default_case_type", "is_active"]
    list_export = [
        "code", "name", "parent", "routing", "sector_unit", "territorial_level", "keywords",
        "default_case_type", "default_urgency", "is_active",
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


register_snippet(BasicConfigurationGroup)
register_snippet(DirectoryGroup)
register_snippet(TimeLimitsGroup)


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
