"""Spreadsheet imports and exports of configuration (django-import-export).

The configuration kinds are registered here; other apps register theirs
(``casemodels`` registers "cases") from their ``AppConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from .registry import ImportKind, register

_R = "snippets.imports.resources.config."

register(ImportKind("regions", _("Regions"), _R + "RegionResource", sort_order=10))
register(ImportKind("units", _("Units"), _R + "UnitResource", sort_order=20))
register(ImportKind("staff", _("Staff"), _R + "StaffResource", sort_order=30))
register(ImportKind("directory", _("Dispatch directory"), _R + "DirectoryItemResource", sort_order=40))
register(ImportKind("reply_templates", _("Reply templates"), _R + "ReplyTemplateResource", sort_order=50))
register(ImportKind("calendar", _("Work calendar days"), _R + "CalendarDayResource", sort_order=60))
