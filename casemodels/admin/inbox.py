"""The workbench inboxes (工作台) in the Wagtail admin.

One Wagtail generic ``IndexView`` per box of ``casemodels.services.inbox``
(columns, ordering, pagination, search by number or title, and a
django-filter ``FilterSet`` by channel, case type, directory item, region
and received dates), registered by the ``workbench`` viewset:

    workbench:<box>           the list, e.g. ``workbench:to_dispatch``
    workbench:<box>_results   its results only (the admin's filter refresh)

A "Workbench" menu lists the boxes that apply to the user, each with its
count (``cached_box_counts``: one query per user every 30 seconds).

Bulk actions use Wagtail's bulk action framework on the ``Case`` model
(``wagtail_bulk_action`` with ``casemodels``, ``case`` and the action type):
``dispatch`` (to dispatch) and ``sign`` (to sign for). Each case is its own
service call, so one refused case does not undo the others; the user is told
which cases succeeded and why each other one failed."""

import django_filters
import django_filters.constants
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSet

from snippets.models import CaseType, Channel, DirectoryItem, Level, Region, Unit
from snippets.services.masking import mask_name, mask_phone, mask_text

from ..models import Case
from ..services import CaseActionError, dispatch_case, sign_case
from ..services.privacy import Where, log_personal_data_access
from ..services.inbox import BOXES, Light, Scope, box_queryset, cached_box_counts, forget_counts, get_box, with_lights
from ..services.visibility import sees_personal_data, unit_subtree, visible_cases

PAGE_SIZE = 25


def case_url(case):
    """The case page (H3a's case viewset)."""
    return reverse("cases:inspect", args=[case.pk])


# --- Filters ---------------------------------------------------------------------------------
class SubtreeChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice among the upper levels of a tree (a short list, not the
    1,946 items of a directory); matches the chosen node and all below it."""

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value.descendant_ids()})


class InboxFilterSet(WagtailFilterSet):
    channel = django_filters.ModelChoiceFilter(label=_("Channel"), queryset=Channel.objects.all())
    case_type = django_filters.ChoiceFilter(label=_("Case type"), choices=CaseType.choices)
    directory_class = SubtreeChoiceFilter(
        field_name="directory_item", label=_("Directory class"),
        queryset=DirectoryItem.objects.filter(parent__isnull=True, is_active=True),
    )
    directory_item = django_filters.CharFilter(label=_("Directory item (code or name)"), method="filter_item")
    region = SubtreeChoiceFilter(
        label=_("Region"), queryset=Region.objects.filter(is_active=True, level__lte=Level.TOWNSHIP),
    )
    received_at = django_filters.DateFromToRangeFilter(
        label=pgettext_lazy("date", "Received"), widget=DateRangePickerWidget,
    )

    class Meta:
        model = Case
        fields = ["channel", "case_type", "directory_class", "directory_item", "region", "received_at"]

    def filter_item(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(directory_item__code__istartswith=value) | Q(directory_item__name__icontains=value))


# --- Columns ---------------------------------------------------------------------------------
class PersonalColumn(Column):
    """The citizen's name or phone, masked for a user who may not read them
    on that case (``visibility.sees_personal_data``; the roles are read once)."""

    def __init__(self, name, mask, user, **kwargs):
        super().__init__(name, **kwargs)
        self.mask, self.user = mask, user

    def get_value(self, instance):
        value = getattr(instance, self.accessor)
        return value if sees_personal_data(self.user, instance) else self.mask(value)


class CaseTitleColumn(Column):
    """The title, with phone numbers, ID numbers and the citizen's own name
    and address masked for a user who may not read them."""

    def __init__(self, name, user, **kwargs):
        super().__init__(name, **kwargs)
        self.user = user

    def get_value(self, instance):
        if sees_personal_data(self.user, instance):
            return instance.title
        return mask_text(instance.title, names=[instance.citizen_name], addresses=[instance.address])


class LightColumn(Column):
    cell_template_name = "casemodels/inbox_light_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["light"] = instance.light
        context["value"] = Light.LABELS.get(instance.light, "")
        return context


# --- The lists -------------------------------------------------------------------------------
class InboxView(IndexView):
    """One box as a list. The queryset is the box's (``box_queryset``): a
    case the user may not see is never in it."""

    model = Case
    box = None
    template_name = "casemodels/inbox_index.html"
    paginate_by = PAGE_SIZE
    filterset_class = InboxFilterSet
    search_fields = ["number", "title"]
    search_backend_name = None
    is_searchable = True
    any_permission_required = None  # the box decides (dispatch)
    header_icon = "tasks"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.box_def = get_box(self.box)
        self.scope = Scope.of(request.user)

    def dispatch(self, request, *args, **kwargs):
        if not self.box_def.applies_to(self.scope):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_index_url(self):
        return reverse(f"workbench:{self.box}")

    def get_index_results_url(self):
        return reverse(f"workbench:{self.box}_results")

    def get_page_title(self):
        return self.box_def.label

    @property
    def default_ordering(self):
        return self.box_def.ordering

    def get_base_queryset(self):
        queryset = box_queryset(self.request.user, self.box, scope=self.scope)
        return with_lights(queryset.select_related("channel", "directory_item", "owner_unit"))

    @cached_property
    def bulk_actions(self):
        return [a for a in INBOX_BULK_ACTIONS if a.box == self.box]

    @cached_property
    def columns(self):
        user = self.request.user
        columns = [
            TitleColumn(
                "number", label=_("Case number"), get_url=case_url, sort_key="number",
                get_title_id=lambda case: f"case_{case.pk}_title",
            ),
            CaseTitleColumn("title", user, label=_("Title")),
            Column("channel", label=_("Channel")),
            Column("case_type", label=_("Case type"), accessor="get_case_type_display"),
            Column("directory_item", label=_("Directory item")),
            PersonalColumn("citizen_name", mask_name, user, label=_("Citizen")),
            PersonalColumn("citizen_phone", mask_phone, user, label=_("Phone")),
            DateColumn("received_at", label=pgettext_lazy("date", "Received"), sort_key="received_at"),
            DateColumn("reply_due", label=_("Reply due"), sort_key="reply_due"),
            LightColumn("light", label=_("Deadline")),
        ]
        if self.bulk_actions:
            columns.insert(0, BulkActionsCheckboxColumn("bulk_actions", obj_type="case"))
        return columns

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["bulk_action_buttons"] = [
            {"label": a.display_name, "aria_label": a.aria_label,
             "url": reverse("wagtail_bulk_action", args=["casemodels", "case", a.action_type])}
            for a in self.bulk_actions
        ]
        self.log_unmasked(context.get("object_list") or [])
        return context

    def log_unmasked(self, cases):
        """The page's cases whose citizen's name or phone the list shows
        unmasked go to the access log (one INSERT)."""
        user = self.request.user
        shown = [c for c in cases if (c.citizen_name or c.citizen_phone) and sees_personal_data(user, c)]
        log_personal_data_access(user, shown, where=Where.ADMIN_LIST, fields=("name", "phone"),
                                 detail=f"workbench:{self.box}")


class WorkbenchViewSet(ViewSet):
    name = "workbench"
    url_prefix = "workbench"
    icon = "tasks"

    def get_urlpatterns(self):
        patterns = []
        for box in BOXES:
            patterns += [
                path(f"{box.key}/", InboxView.as_view(box=box.key), name=box.key),
                path(f"{box.key}/results/", InboxView.as_view(box=box.key, results_only=True),
                     name=f"{box.key}_results"),
            ]
        return patterns


@hooks.register("register_admin_viewset")
def register_workbench_viewset():
    return WorkbenchViewSet()


# --- The menu --------------------------------------------------------------------------------
def request_counts(request):
    """The user's box counts, read once per request (cached for 30 s)."""
    if not hasattr(request, "_inbox_counts"):
        request._inbox_counts = cached_box_counts(request.user)
    return request._inbox_counts


class BoxMenuItem(MenuItem):
    """A box in the Workbench menu, its count in the label."""

    def __init__(self, box, order):
        super().__init__(box.label, reverse(f"workbench:{box.key}"), name=f"inbox-{box.key}", icon_name=box.icon,
                         order=order)
        self.box = box

    def is_shown(self, request):
        return self.box.key in request_counts(request)

    def render_component(self, request):
        count = request_counts(request).get(self.box.key, 0)
        label = gettext("%(box)s (%(count)s)") % {"box": self.box.label, "count": count}
        return LinkMenuItemComponent(
            self.name, label, self.url, icon_name=self.icon_name, classname=self.classname, attrs=self.attrs,
        )


@hooks.register("register_admin_menu_item")
def register_workbench_menu():
    items = [BoxMenuItem(box, order=i) for i, box in enumerate(BOXES)]
    return SubmenuMenuItem(_("Workbench"), Menu(items=items), name="workbench", icon_name="tasks", order=90)


# --- Bulk actions ----------------------------------------------------------------------------
class InboxBulkAction(BulkAction):
    """A lifecycle action on several cases of one box. Only the chosen cases
    that are in the user's box are acted on; chosen cases the user may see
    but that are not (or no longer) in the box are listed as not possible;
    when none of the chosen cases is visible, the answer is "not found"."""

    models = [Case]
    box = None
    template_name = "casemodels/inbox_bulk_confirm.html"

    def chosen_ids(self):
        return [int(i) for i in self.request.GET.getlist("id") if i.isdigit()]

    def get_actionable_objects(self):
        user, ids = self.request.user, self.chosen_ids()
        in_box = list(box_queryset(user, self.box).filter(pk__in=ids).select_related("channel").order_by("pk"))
        others = list(visible_cases(user).filter(pk__in=ids).exclude(pk__in=[c.pk for c in in_box]).order_by("pk"))
        if not in_box and not others:
            raise Http404
        return in_box, {"items_with_no_access": others}

    def object_context(self, obj):
        return {"item": obj, "url": case_url(obj)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(action=self, box_label=get_box(self.box).label)
        return context

    def act(self, case, cleaned_data):
        raise NotImplementedError

    def form_valid(self, form):
        """Each case in its own service call (its own transaction), unlike
        the framework's default of one transaction around them all."""
        objects, _extra = self.get_actionable_objects()
        for hook in hooks.get_hooks("before_bulk_action"):
            result = hook(self.request, self.action_type, objects, self)
            if hasattr(result, "status_code"):
                return result
        done, failed = [], []
        for case in objects:
            try:
                self.act(case, form.cleaned_data)
            except CaseActionError as error:
                failed.append((case, error.message))
            else:
                done.append(case)
        for hook in hooks.get_hooks("after_bulk_action"):
            result = hook(self.request, self.action_type, done, self)
            if hasattr(result, "status_code"):
                return result
        forget_counts(self.request.user)
        if done:
            messages.success(self.request, self.success_text % {
                "count": len(done), "numbers": "、".join(c.number for c in done),
            })
        for case, message in failed:
            messages.error(self.request, gettext("Case %(number)s: %(message)s") % {"number": case.number, "message": message})
        return redirect(self.next_url)


class BulkDispatchForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False,
        help_text=_("Leave empty to dispatch each case to the unit its directory item routes to."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = Scope.of(user)
        units = Unit.objects.filter(is_active=True)
        if not scope.everything:
            units = units.filter(pk__in=unit_subtree(scope.unit_id)) if scope.unit_id else units.none()
        self.fields["unit"].queryset = units


class BulkDispatch(InboxBulkAction):
    display_name = _("Dispatch")
    action_type = "dispatch"
    aria_label = _("Dispatch the selected cases")
    action_priority = 10
    box = "to_dispatch"
    form_class = BulkDispatchForm
    success_text = _("Dispatched %(count)s cases: %(numbers)s.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def act(self, case, cleaned_data):
        dispatch_case(case, acting_user=self.request.user, unit=cleaned_data.get("unit"))


class BulkSign(InboxBulkAction):
    display_name = _("Sign for")
    action_type = "sign"
    aria_label = _("Sign for the selected cases")
    action_priority = 20
    box = "to_sign"
    success_text = _("Signed for %(count)s cases: %(numbers)s.")

    def act(self, case, cleaned_data):
        sign_case(case, acting_user=self.request.user)


INBOX_BULK_ACTIONS = [BulkDispatch, BulkSign]

for _action in INBOX_BULK_ACTIONS:
    hooks.register("register_bulk_action", _action)
