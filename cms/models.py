"""Wagtail pages of the public website."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """The public home page: an introduction, the hotline and the ways to
    reach the centre. Notice pages, result boards and the bulletin archive
    hang below it."""

    hotline = models.CharField(_("hotline"), max_length=30, default="12345")
    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
        ],
        blank=True, verbose_name=_("body"),
    )

    content_panels = Page.content_panels + [FieldPanel("hotline"), FieldPanel("intro"), FieldPanel("body")]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from snippets.models import Channel

        context = super().get_context(request, *args, **kwargs)
        context["channels"] = Channel.objects.filter(is_active=True)
        return context

    class Meta:
        verbose_name = _("home page")
