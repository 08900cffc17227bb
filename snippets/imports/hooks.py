"""Admin URLs and the menu item of the import screens. Imported from
``snippets/wagtail_hooks.py`` (``from .imports import hooks  # noqa``)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views
from .services import may_import

app_name = "minsheng_imports"
urlpatterns = [
    path("", views.ImportIndexView.as_view(), name="index"),
    path("jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/status/", views.StatusView.as_view(), name="status"),
    path("jobs/<int:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
    path("templates/<slug:kind>.xlsx", views.TemplateDownloadView.as_view(), name="template"),
]


@hooks.register("register_admin_urls")
def register_import_urls():
    return [path("imports/", include((urlpatterns, app_name), namespace=app_name))]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_import(request.user)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        _("Import and export"), reverse("minsheng_imports:index"), name="imports", icon_name="download", order=9000,
    )
