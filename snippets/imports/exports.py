"""Spreadsheet exports that cannot run formulae (CSV/formula injection).

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
may be taken for a formula by Excel or LibreOffice. Such text is written
with a leading apostrophe, as OWASP recommends, in CSV and XLSX alike.
django-import-export's own exports are escaped by
``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True`` (settings).

Wagtail listings export through ``SpreadsheetExportMixin``; put
``EscapeFormulaeMixin`` before it (before the viewset's index view class)::

    class ConfigIndexView(EscapeFormulaeMixin, IndexView): ...
    class ConfigViewSet(SnippetViewSet):
        index_view_class = ConfigIndexView
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Text that a spreadsheet could run becomes inert text; anything else
    (numbers, dates, None) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class EscapeFormulaeMixin:
    """For views using ``wagtail.admin.views.mixins.SpreadsheetExportMixin``."""

    def preprocess_field_value(self, field, value, export_format):
        return escape_formula(super().preprocess_field_value(field, value, export_format))

    def get_heading(self, queryset, field):
        return escape_formula(super().get_heading(queryset, field))
