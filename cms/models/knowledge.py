"""The knowledge-base search page: the centre's unified replies (统一答复口径)
as anyone may read them."""

from django.core.paginator import Paginator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from publishing.knowledge import public_answer, search_public_templates, template_categories
from snippets.models import DirectoryItem

PAGE_SIZE = 20
MAX_QUERY = 100


class KnowledgeSearchPage(Page):
    """Search the knowledge base (``?q=``), optionally within a category
    (``?category=`` a directory item code): the public reply templates that
    answer it (``publishing.knowledge``), 20 to a page. Without a query, the
    categories and the templates most used."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1
    show_in_menus_default = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        query = " ".join((request.GET.get("q") or "").split())[:MAX_QUERY]
        code = (request.GET.get("category") or "").strip()
        category = DirectoryItem.objects.filter(code=code, is_active=True).first() if code else None
        page = Paginator(search_public_templates(query, category=category), PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            query=query, category=category, results=page,
            answers=[(template, public_answer(template)) for template in page],
            categories=template_categories() if not query and category is None else [],
            filter_query=urlencode([(name, value) for name, value in (("q", query), ("category", code)) if value]),
        )
        return context

    class Meta:
        verbose_name = _("knowledge base search page")
