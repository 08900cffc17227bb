"""Assessment (考评) in the admin, under one "Assessment" menu:

- ``assessment_exclusions``: a read-only list of the cases excluded from
  assessment after review (核减) that the user may see (``visible_cases``),
  with the case number linked to the case page, its lead units, the reason,
  who excluded it and when; filters by the time of the exclusion and by
  unit. Cases are excluded and restored from the case page ("Exclude from
  assessment", ``permissions.ACTIONS``), never here.
- ``assessment_rollup``: the roll-up's state — up to when the figures that
  the rankings and the result board read are current, and what the last
  refresh or rebuild did — and, for administrators
  (``permissions.may_rebuild_rollups``), a button that starts a rebuild from
  the cases in the background (django-q2, ``tasks.rebuild_assessment_rollups``).

The reason of an exclusion is free text written by staff; it is masked like
the dossier's notes for roles that may not read the citizen's data."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from ..models import AssessmentExclusion, Assignment, RollupState
from ..services.disclosure import Disclosure
from ..services.exclusions import visible_exclusions
from ..services.permissions import may_rebuild_rollups
from ..services.rollups import rollups_as_of
from ..services.visibility import active_profile, role_flags, sees_every_case
from .case_page import person
from .forms import units_in_scope
from .policies import StaffReadOnlyPolicy

REBUILD_TASK = "casemodels.tasks.rebuild_assessment_rollups"
REBUILD_GROUP = "assessment-rollups"
REASON_LENGTH = 80  # characters of the reason shown in the list


def is_staff(user):
    return sees_every_case(user) or active_profile(user) is not None


def case_url(exclusion):
    return reverse("cases:inspect", args=[exclusion.case_id])


# --- Exclusions -------------------------------------------------------------------------
class ExclusionPolicy(StaffReadOnlyPolicy):
    """Staff look at the exclusions of the cases they may see."""

    visible = staticmethod(visible_exclusions)


register_permission_policy(AssessmentExclusion, ExclusionPolicy(AssessmentExclusion))


class ExclusionFilterSet(WagtailFilterSet):
    excluded_at = django_filters.DateFromToRangeFilter(label=_("Excluded at"), widget=DateRangePickerWidget)
    unit = django_filters.ModelChoiceFilter(
        label=_("Lead unit"), method="filter_unit",
        queryset=lambda request: units_in_scope(request.user) if request else None,
    )

    class Meta:
        model = AssessmentExclusion
        fields = ["excluded_at", "unit"]

    def filter_unit(self, queryset, name, value):
        if value is None:
            return queryset
        led = Assignment.objects.filter(case_id=OuterRef("case_id"), role=Assignment.Role.LEAD, unit=value)
        return queryset.filter(Exists(led))


class ExclusionIndexView(IndexView):
    """The exclusions the user may see; each row of the page carries its
    case's lead units and the reason as the user may read it."""

    def get_base_queryset(self):
        return visible_exclusions(self.request.user).select_related("case", "excluded_by__staff_profile")

    @cached_property
    def flags(self):
        return role_flags(self.request.user)

    def shown_reason(self, exclusion):
        sees_personal, sees_confidential = self.flags
        sees = sees_personal and (not exclusion.case.is_confidential or sees_confidential)
        return Disclosure(self.request.user, exclusion.case, sees=sees).text(exclusion.reason)

    def get_table(self, object_list):
        rows = list(object_list)
        units = {}
        leads = (Assignment.objects.filter(case_id__in=[e.case_id for e in rows], role=Assignment.Role.LEAD)
                 .order_by("dispatched_at", "id").values_list("case_id", "unit__name"))
        for case_id, name in leads:
            names = units.setdefault(case_id, [])
            if name not in names:
                names.append(name)
        for exclusion in rows:
            exclusion.lead_units = "、".join(units.get(exclusion.case_id, ()))
            exclusion.shown_reason = Truncator(self.shown_reason(exclusion)).chars(REASON_LENGTH)
            exclusion.excluded_by_name = person(exclusion.excluded_by)
        return super().get_table(rows)


class ExclusionViewSet(ModelViewSet):
    model = AssessmentExclusion
    icon = "minus"
    menu_label = _("Exclusions from assessment")
    index_view_class = ExclusionIndexView
    filterset_class = ExclusionFilterSet
    search_backend_name = None
    search_fields = ["case__number"]  # not the reason: masked for some, a search would confirm it
    form_fields = []  # no add or edit: the policy refuses them
    list_display = [
        TitleColumn("case", label=_("Case"), accessor="case.number", get_url=case_url, sort_key="case__number"),
        Column("lead_units", label=_("Lead units")),
        Column("shown_reason", label=_("Reason")),
        Column("excluded_by_name", label=_("Excluded by")),
        DateColumn("excluded_at", label=_("Excluded at"), sort_key="excluded_at"),
    ]


# --- The roll-up's state ----------------------------------------------------------------
class RollupStateView(WagtailAdminTemplateMixin, TemplateView):
    """GET: the roll-up's state. POST (administrators): start a rebuild in the background."""

    template_name = "casemodels/rollup_state.html"
    page_title = _("Assessment roll-up")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not is_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not may_rebuild_rollups(request.user):
            raise PermissionDenied
        from django_q import tasks

        tasks.async_task(REBUILD_TASK, task_name="rebuild-assessment-rollups", group=REBUILD_GROUP)
        messages.success(request, gettext(
            "A rebuild of the roll-up has started in the background; the figures stay as they are until it ends."
        ))
        return redirect("assessment_rollup:index")

    def last_background_rebuild(self):
        """The last rebuild started from here that has ended (django-q2 keeps the results)."""
        from django_q.models import Task

        return Task.objects.filter(func=REBUILD_TASK).order_by("-stopped").first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = RollupState.objects.filter(pk=RollupState.SINGLETON).first()
        as_of = rollups_as_of()
        context.update(
            state=state, as_of=as_of, now=timezone.now(),
            last_kind_label={"refresh": _("Refresh"), "rebuild": _("Rebuild")}.get(state.last_kind, "")
            if state else "",
            may_rebuild=may_rebuild_rollups(self.request.user),
            action_url=reverse("assessment_rollup:index"),
            background=self.last_background_rebuild(),
        )
        return context


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_staff(request.user)


class RollupStateViewSet(ViewSet):
    icon = "rotate"
    menu_label = _("Roll-up state")

    @cached_property
    def menu_item_class(self):
        return StaffMenuItem

    def get_urlpatterns(self):
        return [path("", RollupStateView.as_view(), name="index")]


class AssessmentGroup(ViewSetGroup):
    menu_label = _("Assessment")
    menu_icon = "table"
    menu_order = 160
    items = (ExclusionViewSet("assessment_exclusions", url_prefix="assessment/exclusions"),
             RollupStateViewSet("assessment_rollup", url_prefix="assessment/rollup"))


@hooks.register("register_admin_viewset")
def register_assessment():
    return AssessmentGroup()
