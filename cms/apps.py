from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public website")

    def ready(self):
        from . import signals

        # Cached public pages go stale when pages, bulletins, shown snippets or figures change (cms.cache).
        signals.connect()
