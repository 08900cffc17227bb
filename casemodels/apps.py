from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasemodelsConfig(AppConfig):
    name = "casemodels"
    verbose_name = _("Cases")

    def ready(self):
        from . import imports, signals  # noqa: F401
        from .schedules import ensure_schedules_after_migrate

        post_migrate.connect(ensure_schedules_after_migrate, sender=self, dispatch_uid="casemodels.ensure_schedules")
