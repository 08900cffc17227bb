"""The bulletin archive page: the published bulletins (通报 / 简报 / 快报),
newest first, by series and year, each with its PDF."""

from django.core.paginator import Paginator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from publishing.models import Bulletin

PAGE_SIZE = 20


def _series_is_a_link():
    return Bulletin._meta.get_field("series").is_relation


def published_bulletins():
    """The bulletins the public may see (``Bulletin.objects.published()``),
    newest first, with their documents (and series) loaded."""
    related = ["document", "series"] if _series_is_a_link() else ["document"]
    return (
        Bulletin.objects.published().select_related(*related)
        .order_by("-published_at", "-year", "-number", "-pk")
    )


def series_options(bulletins):
    """``[(key, name), …]`` of the series among ``bulletins``, by name: the
    key is what ``?series=`` carries and ``filter_series`` reads (the series'
    id when it is a link to a series, its name while it is a name)."""
    if _series_is_a_link():
        model = Bulletin._meta.get_field("series").related_model
        rows = {(str(s.pk), str(s)) for s in model.objects.filter(pk__in=bulletins.values("series"))}
    else:
        rows = {(name, name) for name in bulletins.values_list("series", flat=True)}
    return sorted(rows, key=lambda row: (row[1], row[0]))


def filter_series(bulletins, key):
    """The bulletins of the series ``key`` (see ``series_options``); none for a key that is no series."""
    if _series_is_a_link():
        return bulletins.filter(series_id=int(key)) if key.isdigit() else bulletins.none()
    return bulletins.filter(series=key)


def document_size(document):
    """The PDF's size in bytes, or None when the file cannot be read."""
    if document is None:
        return None
    try:
        return document.get_file_size()
    except (OSError, ValueError):
        return None


class BulletinArchivePage(Page):
    """The archive of published bulletins, newest first, 20 to a page,
    filtered by series (``?series=``) and year (``?year=``). Each issue
    shows its label, the period it covers and a link to its PDF."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1
    show_in_menus_default = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        everything = published_bulletins()
        bulletins = everything
        series = (request.GET.get("series") or "").strip()
        year = (request.GET.get("year") or "").strip()
        if series:
            bulletins = filter_series(bulletins, series)
        if year:
            bulletins = bulletins.filter(year=int(year)) if year.isdigit() else bulletins.none()
        page = Paginator(bulletins, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            bulletins=page, items=[(b, document_size(b.document)) for b in page],
            series_options=series_options(everything), series=series,
            years=sorted(set(everything.values_list("year", flat=True)), reverse=True), year=year,
            filter_query=urlencode([(name, value) for name, value in (("series", series), ("year", year)) if value]),
        )
        return context

    class Meta:
        verbose_name = _("bulletin archive page")
