"""Wagtail pages of the public website: the home page, and notices (公告)
under a notice index page."""

import datetime

from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page
from wagtail.rich_text import get_text_for_indexing
from wagtail.search import index

# The size an image block is shown at on the site and handed to front-ends.
IMAGE_RENDITION = "max-1200x1200"


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


class CaptionedImageBlock(blocks.StructBlock):
    """An image with an optional caption, shown as a figure."""

    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, label=_("Caption"))

    def render_basic(self, value, context=None):
        image = value["image"]
        if image is None:
            return ""
        rendition = image.get_rendition(IMAGE_RENDITION)
        caption = value.get("caption") or ""
        return format_html(
            '<figure><img src="{}" width="{}" height="{}" alt="{}">{}</figure>',
            rendition.url, rendition.width, rendition.height, caption or image.default_alt_text,
            format_html("<figcaption>{}</figcaption>", caption) if caption else "",
        )

    class Meta:
        icon = "image"
        label = _("Image")


class NoticeStreamBlock(blocks.StreamBlock):
    """The blocks a notice is written with."""

    heading = blocks.CharBlock(form_classname="title", label=_("Heading"), icon="title")
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), icon="pilcrow")
    image = CaptionedImageBlock()


class NoticeIndexPage(Page):
    """The list of notices (公告), newest first. Lives under the home page;
    holds notice pages only."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NoticePage"]

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
