"""Historical cases as an import kind of the admin's import screens.
Registered from ``CasemodelsConfig.ready()``; ``snippets`` never imports
this package."""

from django.utils.translation import gettext_lazy as _

from snippets.imports.registry import ImportKind, register

register(ImportKind(
    "cases", _("Historical cases"), "casemodels.imports.resources.HistoricalCaseResource",
    description=_("Closed cases exported from another system; each becomes a closed or archived case."),
    sort_order=90, max_bytes_setting="MINSHENG_CASE_IMPORT_MAX_BYTES",
))
