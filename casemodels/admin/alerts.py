"""Warnings and the notification outbox in the admin, under one "Warnings"
menu: read-only lists (with filters, search by case number, export and an
inspect view). The sweep writes them; nobody adds, edits or deletes here.

- ``warnings``: the warnings on the cases the user may see;
- ``outbox``: every notification with its status, attempts, next attempt
  and last error for superusers and administrators, who may also "retry
  now" a failed one (``outbox:retry``, POST), or every failed one of the
  list as filtered and searched ("Retry failed" in the header:
  ``outbox:retry_failed``, a confirmation, then ``retry_failed`` on POST —
  Wagtail's bulk actions act on the rows ticked on one page and are not
  offered for a ``ModelViewSet``, while after an outage the failed ones
  run to many pages); other staff see the notifications addressed to them
  (and to their unit).

Who sees what is decided in ``casemodels.services.outbox``."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permissions import register_permission_policy

from ..models import Notification, Warning
from ..services import CaseActionError
from ..services.outbox import manages_outbox, retry_failed, retry_now, visible_notifications, visible_warnings
from .columns import PostButtonColumn
from .policies import StaffReadOnlyPolicy


class WarningPolicy(StaffReadOnlyPolicy):
    visible = staticmethod(visible_warnings)


class NotificationPolicy(StaffReadOnlyPolicy):
    visible = staticmethod(visible_notifications)


register_permission_policy(Warning, WarningPolicy(Warning))
register_permission_policy(Notification, NotificationPolicy(Notification))


class ScopedIndexView(IndexView):
    """The list and its export hold only the rows the user may see."""

    def get_base_queryset(self):
        policy = self.permission_policy
        return type(policy).visible(self.request.user).select_related(*self.related)


class ScopedInspectView(InspectView):
    """A row the user may not see is not found, rather than shown."""

    def get_object(self, queryset=None):
        visible = type(self.permission_policy).visible(self.request.user)
        return get_object_or_404(visible, pk=self.pk)


class WarningInspectView(ScopedInspectView):
    def get_case_display_value(self):
        """The case by its number only: its title may quote personal data the user reads masked."""
        return case_link(self.object)


def case_link(warning):
    return format_html('<a href="{}">{}</a>', reverse("cases:inspect", args=[warning.case_id]), warning.case.number)


class CaseColumn(Column):
    """The case number, linked to the case page."""

    def get_value(self, instance):
        return case_link(getattr(instance, "warning", instance))


class RetryColumn(PostButtonColumn):
    """A "Retry now" button on failed notifications, for those who may."""

    def applies(self, instance):
        return instance.status == Notification.Status.FAILED

    def url(self, instance):
        return reverse("outbox:retry", args=[instance.pk])

    def button_label(self, instance):
        return gettext("Retry now")


class WarningIndexView(ScopedIndexView):
    related = ("case", "rule", "unit")

    @cached_property
    def columns(self):
        columns = super().columns
        return [columns[0], CaseColumn("case", label=_("Case")), *columns[1:]]


def list_query(request):
    """The outbox list's filters and search from ``request``'s query string
    (without its page, ordering or export), as a query string."""
    params = request.GET.copy()
    for key in ("p", "ordering", "export", "_w_filter_fragment"):
        params.pop(key, None)
    query = params.urlencode()
    return f"?{query}" if query else ""


class OutboxIndexView(ScopedIndexView):
    related = ("warning__case", "warning__rule", "staff", "unit")

    @cached_property
    def columns(self):
        columns = super().columns
        return [columns[0], CaseColumn("case", label=_("Case")), *columns[1:],
                RetryColumn("retry", manages_outbox(self.request.user), label="")]

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if manages_outbox(self.request.user):
            buttons.append(HeaderButton(
                _("Retry failed"), url=reverse("outbox:retry_failed") + list_query(self.request), icon_name="rotate",
            ))
        return buttons


class RetryFailedView(WagtailAdminTemplateMixin, FormView):
    """GET: how many failed notifications the outbox list holds with the
    filters and search of the query string, and a button; POST: put them all
    back in the queue (``retry_failed``), then back to the list. For those
    who manage the outbox."""

    template_name = "wagtailadmin/generic/form.html"
    form_class = forms.Form  # nothing to fill in: the button confirms
    header_icon = "rotate"
    page_title = _("Retry failed notifications")
    listing_view = None  # the outbox list's view: its scope, filters and search

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not manages_outbox(request.user):
            raise PermissionDenied
        self.listing = self.listing_view.view_class(**self.listing_view.view_initkwargs)
        self.listing.setup(request)

    @cached_property
    def failed_count(self):
        return self.listing.get_queryset().filter(status=Notification.Status.FAILED).count()

    @property
    def list_url(self):
        return reverse("outbox:index") + list_query(self.request)

    def narrowed_by(self):
        """The list's filters and search, in words."""
        words = [f"{f.field_label}: {f.value}" for f in self.listing.active_filters]
        if self.listing.search_query:
            words.append(gettext("search: %(query)s") % {"query": self.listing.search_query})
        return "; ".join(words)

    def get(self, request, *args, **kwargs):
        if not self.failed_count:
            messages.info(request, gettext("No failed notification in this list."))
            return redirect(self.list_url)
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        count = ngettext("%(count)s failed notification", "%(count)s failed notifications",
                         self.failed_count) % {"count": self.failed_count}
        narrowed = self.narrowed_by()
        return f"{count} ({narrowed})" if narrowed else count

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": self.list_url, "label": OutboxViewSet.menu_label},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.get_full_path(),
            submit_button_label=ngettext("Retry it", "Retry all %(count)s", self.failed_count)
            % {"count": self.failed_count},
            submit_button_active_label=gettext("Retrying…"),
        )
        return context

    def form_valid(self, form):
        try:
            count = retry_failed(self.listing.get_queryset(), acting_user=self.request.user)
        except CaseActionError as error:
            messages.error(self.request, error.message)
        else:
            messages.success(self.request, ngettext(
                "%(count)s notification is queued again: the outbox sends it within a minute.",
                "%(count)s notifications are queued again: the outbox sends them within a minute.", count,
            ) % {"count": count})
        return redirect(self.list_url)


class RetryView(View):
    """POST: one more attempt at a failed notification (``retry_now``)."""

    def post(self, request, pk):
        notification = get_object_or_404(visible_notifications(request.user), pk=pk)
        try:
            outcome, notification = retry_now(notification, acting_user=request.user)
        except CaseActionError as error:
            messages.error(request, error.message)
        else:
            if outcome == "sent":
                messages.success(request, gettext("The notification was sent."))
            else:
                messages.error(request, gettext("The notification failed again: %(error)s")
                               % {"error": notification.last_error})
        return redirect("outbox:index")


class WarningViewSet(ModelViewSet):
    model = Warning
    icon = "warning"
    menu_label = _("Warnings raised")
    inspect_view_enabled = True
    index_view_class = WarningIndexView
    inspect_view_class = WarningInspectView
    search_backend_name = None
    search_fields = ["case__number"]
    list_display = ["rule", "level", "unit", "raised_at"]
    list_filter = ["level", "rule", "raised_at"]
    # The case by its number: its title may quote personal data the user reads masked.
    list_export = ["case.number", "rule", "level", "occurrence", "unit", "raised_at"]
    export_headings = {"case.number": _("Case number")}
    inspect_view_fields = ["case", "rule", "level", "occurrence", "unit", "raised_at"]
    form_fields = []  # no add or edit: the policy refuses them


class OutboxViewSet(ModelViewSet):
    model = Notification
    icon = "mail"
    menu_label = _("Outbox")
    inspect_view_enabled = True
    index_view_class = OutboxIndexView
    inspect_view_class = ScopedInspectView
    search_backend_name = None
    search_fields = ["warning__case__number", "address", "staff__name"]
    list_display = ["recipient_name", "channel", "address", "status", "attempts", "next_attempt_at", "sent_at",
                    "last_error"]
    list_filter = ["status", "channel"]
    list_export = ["warning", "staff", "unit", "channel", "address", "status", "attempts", "next_attempt_at",
                   "sent_at", "last_error", "created_at"]
    inspect_view_fields = ["warning", "staff", "user", "unit", "channel", "address", "status", "attempts",
                           "next_attempt_at", "sent_at", "last_error", "created_at"]
    form_fields = []  # no add or edit: the policy refuses them

    def get_urlpatterns(self):
        retry_failed_view = self.construct_view(RetryFailedView, listing_view=self.index_view)
        return [
            *super().get_urlpatterns(),
            path("retry/<int:pk>/", RetryView.as_view(), name="retry"),
            path("retry-failed/", retry_failed_view, name="retry_failed"),
        ]


class WarningsGroup(ViewSetGroup):
    menu_label = _("Warnings")
    menu_icon = "warning"
    menu_order = 150
    items = (WarningViewSet("warnings"), OutboxViewSet("outbox"))


@hooks.register("register_admin_viewset")
def register_warnings():
    return WarningsGroup()
