"""API tokens in the Wagtail admin (Settings → API tokens): a read-only list
with search, a status filter and export, an inspect view, and a Revoke
button. Tokens are issued only through ``tokenAuth``; nobody adds, edits or
deletes them here, and the digest is never shown. Only administrators (a
superuser, or staff with the administrator role) see the screen."""

import django_filters
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from casemodels.services import CaseActionError
from snippets.models import Role

from .auth.tokens import is_token_administrator, revoke_token
from .models import ApiToken

ALLOWED_ACTIONS = {"view", "revoke"}
FIELDS = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "revoked_by"]


class ApiTokenPolicy(ModelPermissionPolicy):
    """Administrators may look at tokens and revoke them; nobody adds, edits or deletes them."""

    def user_has_permission(self, user, action):
        return action in ALLOWED_ACTIONS and is_token_administrator(user)

    def user_has_any_permission(self, user, actions):
        return bool(ALLOWED_ACTIONS.intersection(actions)) and is_token_administrator(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.none()
        if ALLOWED_ACTIONS.intersection(actions):
            administrators = Q(
                staff_profile__is_active=True, staff_profile__roles__code=Role.Code.ADMINISTRATOR,
            )
            users = get_user_model().objects.filter(Q(is_superuser=True) | administrators, is_active=True).distinct()
        return users


register_permission_policy(ApiToken, ApiTokenPolicy(ApiToken))


class ApiTokenFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("status"), method="filter_status",
        choices=[("active", gettext_lazy("Active")), ("expired", gettext_lazy("Expired")),
                 ("revoked", gettext_lazy("Revoked"))],
    )

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        if value == "active":
            return queryset.usable(now)
        if value == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if value == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset

    class Meta:
        model = ApiToken
        fields = []


def revoke_url(token):
    return reverse("api_tokens:revoke", args=[token.pk])


class ApiTokenIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not instance.is_revoked and self.user_has_permission("revoke"):
            buttons.append(MenuItem(_("Revoke"), url=revoke_url(instance), icon_name="bin", priority=30))
        return buttons


class ApiTokenInspectView(InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(ApiToken.objects.select_related("user", "revoked_by"), pk=self.pk)

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if not self.object.is_revoked and self.user_has_permission("revoke"):
            buttons.append(Button(_("Revoke"), url=revoke_url(self.object), icon_name="bin", priority=30))
        return buttons


class RevokeApiTokenView(WagtailAdminTemplateMixin, TemplateView):
    """Asks, then revokes the token through ``revoke_token``."""

    template_name = "api/revoke_token.html"
    header_icon = "key"
    page_title = gettext_lazy("Revoke API token")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not ApiTokenPolicy(ApiToken).user_has_permission(request.user, "revoke"):
            raise PermissionDenied
        self.object = get_object_or_404(ApiToken.objects.select_related("user"), pk=kwargs["pk"])

    @property
    def index_url(self):
        return reverse("api_tokens:index")

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            {"url": self.index_url, "label": _("API tokens")},
            {"url": reverse("api_tokens:inspect", args=[self.object.pk]), "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def post(self, request, *args, **kwargs):
        try:
            revoke_token(self.object, acting_user=request.user)
        except CaseActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The token “%(token)s” is revoked: it no longer works.") % {
                "token": self.object,
            })
        return redirect(self.index_url)


class ApiTokenViewSet(ModelViewSet):
    model = ApiToken
    icon = "key"
    menu_label = gettext_lazy("API tokens")
    add_to_settings_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = ApiTokenIndexView
    inspect_view_class = ApiTokenInspectView
    filterset_class = ApiTokenFilterSet
    search_backend_name = None
    search_fields = ["name", "prefix", "user__username"]
    list_display = [
        "__str__", "user", "created_at", "expires_at", "last_used_at", Column("status", label=gettext_lazy("status")),
    ]
    list_export = [*FIELDS, "status"]
    export_headings = {"status": gettext_lazy("status")}
    inspect_view_fields = FIELDS
    form_fields = ["name"]  # required by ModelViewSet; the policy refuses adding and editing

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("revoke/<int:pk>/", RevokeApiTokenView.as_view(), name="revoke"),
        ]


@hooks.register("register_admin_viewset")
def register_api_token_viewset():
    return ApiTokenViewSet("api_tokens")
