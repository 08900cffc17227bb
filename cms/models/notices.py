"""Notices (公告) to the public: a notice index page and the notice pages
below it, and the one place that decides which notices the public may see."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.rich_text import get_text_for_indexing
from wagtail.search import index

from .blocks import IMAGE_RENDITION, NoticeStreamBlock


class NoticeIndexPage(Page):
    """The list of notices (公告), newest first. Lives under the home page;
    holds notice pages only."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NoticePage"]
    show_in_menus_default = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["notices"] = public_notices().child_of(self)
        return context

    class Meta:
        verbose_name = _("notice index page")


class NoticePage(Page):
    """A notice (公告) to the public: a date, a short introduction for lists,
    and a body of headings, paragraphs and images."""

    date = models.DateField(_("date"), default=datetime.date.today)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("A sentence or two shown in lists."))
    body = StreamField(NoticeStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("intro"), FieldPanel("body")]

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.NoticeIndexPage"]
    subpage_types = []

    @property
    def body_html(self):
        """The body rendered as HTML, as the site shows it."""
        return str(self.body)

    def body_blocks(self):
        """The body as a plain list of ``{id, type, text, html, image_url}``:
        ``text`` is the heading, the paragraph without markup, or the caption."""
        items = []
        for block in self.body:
            text, image_url = "", None
            if block.block_type == "heading":
                text = block.value
            elif block.block_type == "paragraph":
                text = get_text_for_indexing(block.value.source)
            elif block.block_type == "image":
                text = block.value.get("caption") or ""
                image = block.value.get("image")
                image_url = image.get_rendition(IMAGE_RENDITION).url if image is not None else None
            items.append({
                "id": block.id, "type": block.block_type, "text": text, "html": str(block), "image_url": image_url,
            })
        return items

    class Meta:
        verbose_name = _("notice page")


def public_notices():
    """Notice pages the public may see: live (published, not expired, never a
    draft: the page row holds the published content, drafts stay in
    revisions) and public (no view restriction on the page or an ancestor:
    password, login or group). Newest first."""
    return NoticePage.objects.live().public().order_by("-date", "-first_published_at", "-pk")


def public_notice(slug):
    """The public notice with this slug (the newest, should two indexes hold
    the same slug), or None."""
    return public_notices().filter(slug=slug).first()
