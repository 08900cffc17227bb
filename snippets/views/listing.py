"""The list view every configuration screen shares."""

from wagtail.snippets.views.snippets import IndexView

from ..imports.exports import EscapeFormulaeMixin


class ConfigIndexView(EscapeFormulaeMixin, IndexView):
    """A snippet list whose CSV/XLSX export cannot carry spreadsheet formulae."""
