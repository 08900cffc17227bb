"""Admin screens of published outputs: bulletins."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Bulletin


class BulletinViewSet(SnippetViewSet):
    """Bulletin issues: drafts until marked published. Chinese names are not
    split into words by the database search backends, so list search uses
    the ORM (icontains over ``search_fields``)."""

    model = Bulletin
    icon = "doc-full"
    menu_label = _("Bulletins")
    menu_order = 360
    add_to_admin_menu = True
    search_backend_name = None
    inspect_view_enabled = True
    search_fields = ["series", "title", "period_label"]
    list_display = ["label", "title", "period_label", "document", BooleanColumn("is_published", label=_("published")),
                    "published_at"]
    list_filter = ["year", "is_published"]
    list_export = ["series", "year", "number", "title", "period_label", "is_published", "published_at"]
    ordering = ["-published_at", "-year", "-number"]


register_snippet(BulletinViewSet)
