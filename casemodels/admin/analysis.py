"""The analysis reports in the admin's Reports menu (``analysis:<name>``):
hot directory items, hot regions, matters on the rise (苗头性 / 群体性), a month
against the same month last year, and the week-day profile.

Each is a Wagtail ``ReportView`` (filters in the side panel, CSV and XLSX
export) over the rows that ``casemodels.services.analysis`` computes in the
database; the views only read the filters and hand them to the service. Open
to the command centre's supervisors and administrators
(``analysis.check_analyst``); anyone else is turned away (Wagtail sends them to the admin home) and sees no menu item. A
filter the service refuses (a period that ends before it starts, a window
too long) is shown as an error on the page, with no rows."""

import datetime

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets import AdminDateInput

from snippets.models import Level

from ..models import Case
from ..services import CaseActionError, InvalidInput
from ..services import analysis

DEFAULT_DAYS = 30
MAX_DAYS = 366
FIRST_YEAR, LAST_YEAR = 2000, 2999
ROWS = 50


def may_analyse(user):
    try:
        analysis.check_analyst(user)
    except CaseActionError:
        return False
    return True


def today():
    return timezone.localdate()


# --- Filters (only their form is used: the rows are not a queryset) -----------------------------
class PeriodFilterSet(WagtailFilterSet):
    start = django_filters.DateFilter(label=_("From"), widget=AdminDateInput)
    end = django_filters.DateFilter(label=_("To (inclusive)"), widget=AdminDateInput)


class RegionFilterSet(PeriodFilterSet):
    level = django_filters.ChoiceFilter(label=_("Count at the level of"), choices=Level.choices,
                                        empty_label=_("The case's own region"))


class RisingFilterSet(WagtailFilterSet):
    window_days = django_filters.NumberFilter(label=_("Window (days)"))
    threshold = django_filters.NumberFilter(label=_("At least this many cases"))


class MonthFilterSet(WagtailFilterSet):
    month = django_filters.DateFilter(label=_("A day of the month"), widget=AdminDateInput)


class AnalysisReport(ReportView):
    """A report whose rows come from one call to the analysis service."""

    name = ""  # URL name and menu item name
    header_icon = "table"
    paginate_by = ROWS

    def dispatch(self, request, *args, **kwargs):
        if not may_analyse(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def index_url_name(self):
        return f"analysis:{self.name}"

    @cached_property
    def index_results_url_name(self):
        return f"analysis:{self.name}_results"

    def get_filterset_kwargs(self):
        return {**super().get_filterset_kwargs(), "queryset": Case.objects.none()}

    def filter_queryset(self, rows):
        return rows  # the filters were handed to the service already

    @cached_property
    def values(self):
        """The cleaned filters ({} when invalid: the form shows why)."""
        if self.filters is None or not self.filters.is_valid():
            return {}
        return {k: v for k, v in self.filters.form.cleaned_data.items() if v not in (None, "")}

    def rows(self):
        raise NotImplementedError

    def get_base_queryset(self):
        try:
            return list(self.rows())
        except CaseActionError as exc:
            messages.error(self.request, exc.message)
        except (OverflowError, ValueError):  # a date at the edge of the calendar (year 1, year 9999)
            messages.error(self.request, _("Choose dates between the years %(first)s and %(last)s.")
                           % {"first": FIRST_YEAR, "last": LAST_YEAR})
        return []

    def get_filename(self):
        return f"{self.name}-{today():%Y%m%d}"


class PeriodReport(AnalysisReport):
    filterset_class = PeriodFilterSet

    def period(self):
        """``[start, end)`` in the centre's time zone; the last 30 days by default. At most
        ``MAX_DAYS`` long (as in the GraphQL API), in the years ``FIRST_YEAR`` … ``LAST_YEAR``."""
        end_day = self.values.get("end") or today()
        start_day = self.values.get("start") or end_day - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if not (FIRST_YEAR <= start_day.year <= LAST_YEAR and FIRST_YEAR <= end_day.year <= LAST_YEAR):
            raise ValueError("out of the calendar's range")
        if (end_day - start_day).days >= MAX_DAYS:
            raise InvalidInput(_("The period may be at most %(days)s days long.") % {"days": MAX_DAYS},
                               code="out_of_range", field="end")
        return analysis.local_midnight(start_day), analysis.local_midnight(end_day + datetime.timedelta(days=1))

    def get_page_subtitle(self):
        try:
            start, end = self.period()
        except (CaseActionError, OverflowError, ValueError):
            return ""
        return f"{start:%Y-%m-%d} — {(end - datetime.timedelta(days=1)):%Y-%m-%d}"


def percent(share):
    return "" if share is None else f"{share * 100:.1f}%"


HOTSPOT_COLUMNS = [
    Column("code", label=_("Code")),
    Column("name", label=_("Name")),
    Column("cases", label=_("Cases")),
    Column("previous", label=_("Period before")),
    Column("change", label=_("Change")),
    Column("share_text", label=_("Share"), accessor=lambda row: percent(row.share)),
]
HOTSPOT_EXPORT = ["code", "name", "cases", "previous", "change", "share"]
HOTSPOT_HEADINGS = {"code": _("Code"), "name": _("Name"), "cases": _("Cases"), "previous": _("Period before"),
                    "change": _("Change"), "share": _("Share")}


class HotItemsReport(PeriodReport):
    name = "hot_items"
    page_title = _("Hot directory items")
    columns = HOTSPOT_COLUMNS
    list_export = HOTSPOT_EXPORT
    export_headings = HOTSPOT_HEADINGS

    def rows(self):
        return analysis.hot_items(*self.period(), limit=ROWS)


class HotRegionsReport(PeriodReport):
    name = "hot_regions"
    page_title = _("Hot regions")
    filterset_class = RegionFilterSet
    columns = HOTSPOT_COLUMNS
    list_export = HOTSPOT_EXPORT
    export_headings = HOTSPOT_HEADINGS

    def rows(self):
        level = self.values.get("level")
        return analysis.hot_regions(*self.period(), limit=ROWS, level=int(level) if level else None)


class RisingMattersReport(AnalysisReport):
    name = "rising_matters"
    page_title = _("Matters on the rise")
    filterset_class = RisingFilterSet
    columns = [
        Column("region_name", label=_("Region")),
        Column("item_name", label=_("Directory item")),
        Column("cases", label=_("Cases")),
        Column("citizens", label=_("Callers")),
        Column("previous", label=_("Window before")),
        DateColumn("first_received", label=_("First")),
        DateColumn("last_received", label=_("Last")),
    ]
    list_export = ["region_code", "region_name", "item_code", "item_name", "cases", "citizens", "previous",
                   "first_received", "last_received"]
    export_headings = {
        "region_code": _("Region code"), "region_name": _("Region"), "item_code": _("Item code"),
        "item_name": _("Directory item"), "cases": _("Cases"), "citizens": _("Callers"),
        "previous": _("Window before"), "first_received": _("First"), "last_received": _("Last"),
    }

    def settings(self):
        return int(self.values.get("window_days", 3)), int(self.values.get("threshold", 3))

    def get_page_subtitle(self):
        days, threshold = self.settings()
        return _("at least %(threshold)s cases about one place and item in %(days)s days") % {
            "threshold": threshold, "days": days}

    def rows(self):
        days, threshold = self.settings()
        return analysis.rising_matters(window_days=days, threshold=threshold, limit=ROWS)


class SeasonalReport(AnalysisReport):
    name = "seasonal"
    page_title = _("Against the same month last year")
    filterset_class = MonthFilterSet
    columns = [
        Column("code", label=_("Code")),
        Column("name", label=_("Directory item")),
        Column("cases", label=_("This month")),
        Column("last_year", label=_("Same month last year")),
    ]
    list_export = ["code", "name", "cases", "last_year"]
    export_headings = {"code": _("Code"), "name": _("Directory item"), "cases": _("This month"),
                       "last_year": _("Same month last year")}

    def month(self):
        day = self.values.get("month")
        if day is None:
            day = today().replace(day=1) - datetime.timedelta(days=1)  # last month by default
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError("out of the calendar's range")
        return day

    @cached_property
    def figures(self):
        return analysis.seasonal(self.month(), limit=ROWS)

    def rows(self):
        return self.figures.items

    def get_page_subtitle(self):
        try:
            f = self.figures
        except (CaseActionError, OverflowError, ValueError):
            return ""
        change = "—" if f.change_rate is None else f"{f.change_rate * 100:+.1f}%"
        return _("%(month)s: %(cases)s cases, %(last_year)s a year before (%(change)s)") % {
            "month": f"{f.month:%Y-%m}", "cases": f.cases, "last_year": f.last_year, "change": change}


class WeekdayReport(PeriodReport):
    name = "weekdays"
    page_title = _("Week-day profile")
    columns = [
        Column("label", label=_("Week-day")),
        Column("cases", label=_("Cases")),
        Column("days", label=_("Days in the period")),
        Column("per_day", label=_("Cases per day")),
    ]
    list_export = ["label", "cases", "days", "per_day"]
    export_headings = {"label": _("Week-day"), "cases": _("Cases"), "days": _("Days in the period"),
                       "per_day": _("Cases per day")}

    def rows(self):
        return analysis.weekday_profile(*self.period())


REPORTS = [HotItemsReport, HotRegionsReport, RisingMattersReport, SeasonalReport, WeekdayReport]


@hooks.register("register_admin_urls")
def register_analysis_urls():
    patterns = []
    for report in REPORTS:
        patterns += [
            path(f"{report.name}/", report.as_view(), name=report.name),
            path(f"{report.name}/results/", report.as_view(results_only=True), name=f"{report.name}_results"),
        ]
    return [path("analysis/", (patterns, "analysis", "analysis"))]


class AnalysisMenuItem(MenuItem):
    def is_shown(self, request):
        return may_analyse(request.user)


def _menu_item(report, order):
    @hooks.register("register_reports_menu_item")
    def register():
        return AnalysisMenuItem(report.page_title, reverse(f"analysis:{report.name}"), name=f"analysis-{report.name}",
                                icon_name="table", order=order)

    return register


for _order, _report in enumerate(REPORTS):
    _menu_item(_report, 100 + _order)
