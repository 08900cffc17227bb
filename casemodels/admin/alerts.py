"""Warnings and the notification outbox in the admin, under one "Warnings"
menu: read-only lists (with filters, search by case number, export and an
inspect view). The sweep writes them; nobody adds, edits or deletes here.

- ``warnings``: the warnings on the cases the user may see;
- ``outbox``: every notification with its status, attempts, next attempt
  and last error for superusers and administrators, who may also "retry
  now" a failed one (``outbox:retry``, POST); other staff see the
  notifications addressed to them (and to their unit).

Who sees what is decided in ``casemodels.services.outbox``."""

from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from ..models import Notification, Warning
from ..services import CaseActionError
from ..services.outbox import manages_outbox, retry_now, visible_notifications, visible_warnings
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


def case_link(warning):
    return format_html('<a href="{}">{}</a>', reverse("cases:inspect", args=[warning.case_id]), warning.case.number)


class CaseColumn(Column):
    """The case number, linked to the case page."""

    def get_value(self, instance):
        return case_link(getattr(instance, "warning", instance))


class RetryColumn(Column):
    """A "Retry now" button on failed notifications, for those who may."""

    def __init__(self, name, allowed, **kwargs):
        super().__init__(name, **kwargs)
        self.allowed = allowed

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        context["value"] = ""
        if self.allowed and request is not None and instance.status == Notification.Status.FAILED:
            context["value"] = format_html(
                '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<button type="submit" class="button button-small button-secondary">{}</button></form>',
                reverse("outbox:retry", args=[instance.pk]), get_token(request), _t("Retry now"),
            )
        return context


class WarningIndexView(ScopedIndexView):
    related = ("case", "rule", "unit")

    @cached_property
    def columns(self):
        columns = super().columns
        return [columns[0], CaseColumn("case", label=_("Case")), *columns[1:]]


class OutboxIndexView(ScopedIndexView):
    related = ("warning__case", "warning__rule", "staff", "unit")

    @cached_property
    def columns(self):
        columns = super().columns
        return [columns[0], CaseColumn("case", label=_("Case")), *columns[1:],
                RetryColumn("retry", manages_outbox(self.request.user), label="")]


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
                messages.success(request, _t("The notification was sent."))
            else:
                messages.error(request, _t("The notification failed again: %(error)s")
                               % {"error": notification.last_error})
        return redirect("outbox:index")


class WarningViewSet(ModelViewSet):
    model = Warning
    icon = "warning"
    menu_label = _("Warnings raised")
    inspect_view_enabled = True
    index_view_class = WarningIndexView
    inspect_view_class = ScopedInspectView
    search_backend_name = None
    search_fields = ["case__number"]
    list_display = ["rule", "level", "unit", "raised_at"]
    list_filter = ["level", "rule", "raised_at"]
    list_export = ["case", "rule", "level", "occurrence", "unit", "raised_at"]
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
        return [*super().get_urlpatterns(), path("retry/<int:pk>/", RetryView.as_view(), name="retry")]


class WarningsGroup(ViewSetGroup):
    menu_label = _("Warnings")
    menu_icon = "warning"
    menu_order = 150
    items = (WarningViewSet("warnings"), OutboxViewSet("outbox"))


@hooks.register("register_admin_viewset")
def register_warnings():
    return WarningsGroup()
