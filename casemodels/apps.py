from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasemodelsConfig(AppConfig):
    name = "casemodels"
    verbose_name = _("Cases")

    def ready(self):
        from . import imports, signals  # noqa: F401
