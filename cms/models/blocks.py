"""StreamField blocks editors compose pages with: headings, paragraphs and
captioned images (notices and the home page), and the home page's blocks
that show live content (link cards, the latest notices, the board's
figures, the latest bulletins).

Blocks that show live content read it when the page is rendered, through
the same functions the pages use (``public_notices``, ``cached_board_summary``,
``Bulletin.objects.published()``), so they never show a draft, a restricted
page or an unpublished bulletin."""

import logging

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

logger = logging.getLogger(__name__)

# The size an image block is shown at on the site and handed to front-ends.
IMAGE_RENDITION = "max-1200x1200"


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


class LinkCardBlock(blocks.StructBlock):
    """One card: a page of the site, a title (the page's own by default) and a line of text."""

    page = blocks.PageChooserBlock(label=_("Page"))
    title = blocks.CharBlock(required=False, label=_("Title"), help_text=_("Left empty, the page's title is shown."))
    text = blocks.CharBlock(required=False, max_length=200, label=_("Text"))

    class Meta:
        icon = "link"
        label = _("Card")


class LinkCardsBlock(blocks.StructBlock):
    """A row of cards linking to pages of the site (submit, track, board …)."""

    heading = blocks.CharBlock(required=False, label=_("Heading"))
    cards = blocks.ListBlock(LinkCardBlock(), label=_("Cards"))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # A card whose page is gone, unpublished or restricted is left out.
        context["cards"] = [
            card for card in value["cards"]
            if card["page"] is not None and card["page"].live and not card["page"].get_view_restrictions().exists()
        ]
        return context

    class Meta:
        icon = "link"
        label = _("Link cards")
        template = "cms/blocks/link_cards.html"


class LatestNoticesBlock(blocks.StructBlock):
    """The newest public notices, with a link to the notice index."""

    heading = blocks.CharBlock(required=False, label=_("Heading"))
    count = blocks.IntegerBlock(default=5, min_value=1, max_value=20, label=_("How many"))

    def get_context(self, value, parent_context=None):
        from .notices import NoticeIndexPage, public_notices

        context = super().get_context(value, parent_context=parent_context)
        context["notices"] = list(public_notices()[:value["count"] or 5])
        context["index"] = NoticeIndexPage.objects.live().public().first()
        return context

    class Meta:
        icon = "list-ul"
        label = _("Latest notices")
        template = "cms/blocks/latest_notices.html"


class BoardSummaryBlock(blocks.StructBlock):
    """The current month's figures (received, closed, 三率) with a link to the result board."""

    heading = blocks.CharBlock(required=False, label=_("Heading"))
    board = blocks.PageChooserBlock(
        required=False, page_type="cms.ResultBoardPage", label=_("Result board page"),
        help_text=_("Left empty, the site's first result board page is linked."),
    )

    def get_context(self, value, parent_context=None):
        from publishing.board import BadPeriod

        from .board import ResultBoardPage, current_period, load_summary

        context = super().get_context(value, parent_context=parent_context)
        board = value.get("board")
        if board is None or not board.live:
            board = ResultBoardPage.objects.live().public().first()
        context["board"] = board
        context["period"] = period = current_period()
        try:
            context["summary"] = load_summary(period)
        except BadPeriod:  # cannot happen for the current month; never break the home page for it
            logger.exception("Board summary of the current period %s failed", period)
            context["summary"] = None
        return context

    class Meta:
        icon = "table"
        label = _("Board summary")
        template = "cms/blocks/board_summary.html"


class LatestBulletinsBlock(blocks.StructBlock):
    """The newest published bulletins, with a link to the bulletin archive."""

    heading = blocks.CharBlock(required=False, label=_("Heading"))
    count = blocks.IntegerBlock(default=5, min_value=1, max_value=20, label=_("How many"))

    def get_context(self, value, parent_context=None):
        from .bulletins import BulletinArchivePage, published_bulletins

        context = super().get_context(value, parent_context=parent_context)
        context["bulletins"] = list(published_bulletins()[:value["count"] or 5])
        context["archive"] = BulletinArchivePage.objects.live().public().first()
        return context

    class Meta:
        icon = "doc-full"
        label = _("Latest bulletins")
        template = "cms/blocks/latest_bulletins.html"


class HomeStreamBlock(blocks.StreamBlock):
    """The blocks of the home page's body."""

    heading = blocks.CharBlock(form_classname="title", label=_("Heading"), icon="title")
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), icon="pilcrow")
    image = CaptionedImageBlock()
    link_cards = LinkCardsBlock()
    latest_notices = LatestNoticesBlock()
    board_summary = BoardSummaryBlock()
    latest_bulletins = LatestBulletinsBlock()
