"""The public home page."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import HomeStreamBlock


class HomePage(Page):
    """The public home page: an introduction, the hotline and the ways to
    reach the centre, and a body of text, images and live blocks (link
    cards, the latest notices, the month's figures, the latest bulletins).
    The site's other pages hang below it."""

    hotline = models.CharField(_("hotline"), max_length=30, default="12345")
    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(HomeStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("hotline"), FieldPanel("intro"), FieldPanel("body")]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    max_count = 1
    subpage_types = [
        "cms.NoticeIndexPage", "cms.ResultBoardPage", "cms.BulletinArchivePage", "cms.SubmitRequestPage",
        "cms.TrackCasePage", "cms.KnowledgeSearchPage",
    ]

    def get_context(self, request, *args, **kwargs):
        from snippets.models import Channel

        context = super().get_context(request, *args, **kwargs)
        context["channels"] = Channel.objects.filter(is_active=True)
        return context

    class Meta:
        verbose_name = _("home page")
