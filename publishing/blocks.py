"""The sections a bulletin series is made of, as StreamField blocks: editors
pick, order and title them on the series; ``publishing.bulletin_content``
computes each for an issue's period and the series' template draws it.

Every section has an optional heading (empty: the section's own name) and
a few options of its own (how many rows, which charts)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

CHART_CHOICES = [
    ("volume", _("Cases received and closed")),
    ("rates", _("Response, resolution and satisfaction rates")),
    ("items", _("Most frequent matters")),
    ("regions", _("Most frequent places")),
]


def _heading():
    return blocks.CharBlock(
        required=False, label=_("Heading"), help_text=_("Left empty, the section's name is used."),
    )


def _limit(default, maximum=200):
    return blocks.IntegerBlock(default=default, min_value=1, max_value=maximum, label=_("At most this many rows"))


class SectionBlock(blocks.StructBlock):
    """A section with a heading; ``default_heading`` names it when the editor leaves the heading empty."""

    heading = _heading()

    def default_heading(self):
        return str(self.meta.label)


class FiguresSection(SectionBlock):
    class Meta:
        label = _("Overall figures")
        icon = "table"


class RankingsSection(SectionBlock):
    class Meta:
        label = _("Rankings of units")
        icon = "list-ol"


class RedBlackSection(SectionBlock):
    size = blocks.IntegerBlock(default=3, min_value=1, max_value=20, label=_("Units on each list"))

    class Meta:
        label = _("Red and black lists")
        icon = "pick"


class ChartsSection(SectionBlock):
    charts = blocks.MultipleChoiceBlock(
        choices=CHART_CHOICES, default=["volume", "rates"], label=_("Charts"),
    )

    class Meta:
        label = _("Charts")
        icon = "image"


class HotItemsSection(SectionBlock):
    limit = _limit(10, 50)

    class Meta:
        label = _("Most frequent matters and places")
        icon = "search"


class TypicalCasesSection(SectionBlock):
    class Meta:
        label = _("Typical cases")
        icon = "doc-full"


class OverdueSection(SectionBlock):
    limit = _limit(30)

    class Meta:
        label = _("Overdue cases")
        icon = "time"


class UnsatisfiedSection(SectionBlock):
    limit = _limit(30)

    class Meta:
        label = _("Unsatisfied cases")
        icon = "warning"


class SupervisionNotesSection(SectionBlock):
    limit = _limit(30)

    class Meta:
        label = _("Reminder and supervision notes")
        icon = "mail"


class TextSection(SectionBlock):
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "ol", "ul"])

    class Meta:
        label = _("Text")
        icon = "pilcrow"


class BulletinSectionsBlock(blocks.StreamBlock):
    """The sections of a bulletin, in the order they are printed."""

    text = TextSection()
    figures = FiguresSection()
    rankings = RankingsSection()
    red_black = RedBlackSection()
    charts = ChartsSection()
    hot_items = HotItemsSection()
    typical_cases = TypicalCasesSection()
    overdue = OverdueSection()
    unsatisfied = UnsatisfiedSection()
    supervision_notes = SupervisionNotesSection()


# The sections a new series starts with.
DEFAULT_SECTIONS = [
    ("figures", {"heading": ""}),
    ("charts", {"heading": "", "charts": ["volume", "rates"]}),
    ("rankings", {"heading": ""}),
    ("red_black", {"heading": "", "size": 3}),
    ("hot_items", {"heading": "", "limit": 10}),
    ("typical_cases", {"heading": ""}),
    ("overdue", {"heading": "", "limit": 30}),
    ("unsatisfied", {"heading": "", "limit": 30}),
]
