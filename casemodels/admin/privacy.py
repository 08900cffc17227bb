"""Personal data in the admin (``casemodels.services.privacy``):

- "Personal data access log" (``privacy_log:index``): the read-only list of
  who was shown which case's personal data unmasked, where and when,
  filterable by user, case number, place and date, with an export; for
  administrators and supervisors (``may_read_access_log``) only, each
  reading the rows about the cases they may see (``visible_access_log``);
- "Citizen data" (``citizen_data:export``, ``citizen_data:erase``): an
  administrator downloads everything kept about the citizen of one phone
  number (JSON), or erases it — a first step shows how many cases will be
  changed, a second confirms. Anyone else is refused and sees no menu item."""

import json

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from snippets.imports.exports import EscapeFormulaeMixin

from ..models import PersonalDataAccess
from ..services import CaseActionError
from ..services.privacy import (
    LOG_READERS, count_citizen_cases, export_citizen_data, may_manage_citizen_data, may_read_access_log,
    visible_access_log,
)
from ..services.privacy_erasure import erase_citizen_data

READ_ACTIONS = {"view", "inspect"}


# --- The access log ------------------------------------------------------------------------------
class AccessLogPolicy(BasePermissionPolicy):
    """Administrators and supervisors read the log; nobody writes it here."""

    def user_has_permission(self, user, action):
        return action in READ_ACTIONS and may_read_access_log(user)

    def users_with_any_permission(self, actions):
        if not READ_ACTIONS.intersection(actions):
            return get_user_model().objects.none()
        readers = Q(staff_profile__is_active=True, staff_profile__roles__code__in=LOG_READERS)
        return get_user_model().objects.filter(Q(is_superuser=True) | readers, is_active=True).distinct()


register_permission_policy(PersonalDataAccess, AccessLogPolicy(PersonalDataAccess))


class AccessLogFilterSet(WagtailFilterSet):
    username = django_filters.CharFilter(label=_("User"), lookup_expr="iexact")
    case_number = django_filters.CharFilter(label=_("Case number"), lookup_expr="iexact")
    where = django_filters.ChoiceFilter(label=_("Where"), choices=PersonalDataAccess.Where.choices)
    at = django_filters.DateFromToRangeFilter(label=_("When"), widget=DateRangePickerWidget)

    class Meta:
        model = PersonalDataAccess
        fields = ["username", "case_number", "where", "at"]


class AccessLogIndexView(EscapeFormulaeMixin, IndexView):
    """The rows about the cases the reader may see (``visible_access_log``)."""

    def get_base_queryset(self):
        return visible_access_log(self.request.user).order_by("-at", "-id")


class AccessLogViewSet(ModelViewSet):
    model = PersonalDataAccess
    icon = "view"
    menu_label = _("Personal data access log")
    menu_order = 920
    add_to_admin_menu = True
    index_view_class = AccessLogIndexView
    filterset_class = AccessLogFilterSet
    search_backend_name = None
    search_fields = ["case_number", "username"]
    list_display = ["at", "username", "case_number", "where", "fields", "detail"]
    list_export = ["at", "username", "case_number", "where", "fields", "detail"]
    inspect_view_enabled = False
    form_fields = []  # no add or edit: the policy refuses them, the service writes the rows


@hooks.register("register_admin_viewset")
def register_access_log():
    return AccessLogViewSet("privacy_log", url_prefix="personal-data-log")


# --- Citizen data: export and erasure --------------------------------------------------------------
class AdministratorMixin:
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not may_manage_citizen_data(request.user):
            raise PermissionDenied


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Citizen's phone"), max_length=30, required=False)


class EraseForm(PhoneForm):
    reason = forms.CharField(label=_("Reason for the erasure"), widget=forms.Textarea(attrs={"rows": 3}),
                             required=False, help_text=_("Recorded on every case changed."))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ConfirmEraseForm(EraseForm):
    """The second step: the phone and reason of the first, as they were."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("phone", "reason"):
            self.fields[name].widget = forms.HiddenInput()


def add_service_error(form, error):
    """Show a service refusal on the field it names (or the whole form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class CitizenDataView(AdministratorMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "casemodels/citizen_data.html"
    header_icon = "user"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(action_url=self.request.path, submit_button_label=self.submit_label,
                       export_url=reverse("citizen_data:export"), erase_url=reverse("citizen_data:erase"))
        return context


class ExportView(CitizenDataView):
    """POST a phone: the citizen's data as a JSON download (logged)."""

    form_class = PhoneForm
    page_title = _("Export a citizen's data")
    submit_label = _("Download")

    def form_valid(self, form):
        try:
            data = export_citizen_data(self.request.user, phone=form.cleaned_data["phone"])
        except CaseActionError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="citizen-data-{stamp}.json"'
        return response


class EraseView(CitizenDataView):
    """POST a phone and a reason: a confirmation page with the number of
    cases to change; POST again with ``confirmed``: the erasure."""

    form_class = EraseForm
    page_title = _("Erase a citizen's data")
    submit_label = _("Continue")

    def form_valid(self, form):
        user, phone, reason = self.request.user, form.cleaned_data["phone"], form.cleaned_data["reason"]
        try:
            if not form.cleaned_data["confirmed"]:
                if not reason.strip():
                    form.add_error("reason", gettext("Give the reason for the erasure."))
                    return self.form_invalid(form)
                count = count_citizen_cases(user, phone=phone)
                data = {"phone": phone, "reason": reason, "confirmed": True}
                return self.render_to_response(self.get_context_data(
                    form=ConfirmEraseForm(initial=data), confirm_count=count, confirm_phone=phone, confirm_reason=reason,
                    submit_button_label=gettext("Erase the personal data of %(count)s cases") % {"count": count},
                ))
            cases = erase_citizen_data(user, phone=phone, reason=reason)
        except CaseActionError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, gettext("The personal data of %(count)s cases was erased: %(numbers)s.")
                         % {"count": len(cases), "numbers": "、".join(c.number for c in cases)})
        return redirect("citizen_data:erase")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "submit_button_label" in kwargs:
            context["submit_button_label"] = kwargs["submit_button_label"]
        return context


class CitizenDataViewSet(ViewSet):
    name = "citizen_data"
    url_prefix = "citizen-data"
    icon = "user"

    def get_urlpatterns(self):
        return [
            path("export/", ExportView.as_view(), name="export"),
            path("erase/", EraseView.as_view(), name="erase"),
        ]


@hooks.register("register_admin_viewset")
def register_citizen_data():
    return CitizenDataViewSet()


class CitizenDataMenuItem(MenuItem):
    def is_shown(self, request):
        return may_manage_citizen_data(request.user)


@hooks.register("register_admin_menu_item")
def register_citizen_data_menu():
    return CitizenDataMenuItem(_("Citizen data"), reverse("citizen_data:export"), name="citizen-data",
                               icon_name="user", order=925)

