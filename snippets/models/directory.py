"""The dispatch directory (派单目录): a tree of categories and items that
says where a matter goes."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from .choices import CaseType, Level, Urgency
from .organisation import Unit
from .revisions import RevisionedModel
from .tree import TreeMixin


class DirectoryItemForm(WagtailAdminModelForm):
    """The admin form of a directory item: besides the model's checks,
    refuses an active item with no routing and no active item below it."""

    def clean(self):
        from ..services.config_checks import routing_problem

        cleaned_data = super().clean()
        if not self.errors:
            problem = routing_problem(self.instance_with(cleaned_data))
            if problem:
                self.add_error(*problem)
        return cleaned_data

    def instance_with(self, cleaned_data):
        """The instance as it will be saved (the model fields are copied on
        it only after ``clean``)."""
        item = DirectoryItem(pk=self.instance.pk)
        for field in ("name", "routing", "sector_unit", "territorial_level", "is_active"):
            setattr(item, field, cleaned_data.get(field, getattr(self.instance, field)))
        return item


class DirectoryItem(TreeMixin, index.Indexed, RevisionedModel):
    """A category or item of the dispatch directory. An item routes either by
    sector (a named unit) or territorially (the unit of the case's region at
    a given level); a category may route nothing and only group items."""

    class Routing(models.TextChoices):
        NONE = "none", _("No routing (category only)")
        SECTOR = "sector", _("Sector: a named unit")
        TERRITORIAL = "territorial", _("Territorial: the unit of the case's region")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent category"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    routing = models.CharField(_("routing"), max_length=20, choices=Routing.choices, default=Routing.NONE)
    sector_unit = models.ForeignKey(
        Unit, verbose_name=_("sector unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="sector_items",
    )
    territorial_level = models.PositiveSmallIntegerField(
        _("territorial level"), choices=Level.choices, null=True, blank=True,
        help_text=_("The case goes to the unit answering for the case's region at this level."),
    )
    co_handlers = models.ManyToManyField(
        Unit, verbose_name=_("co-handling units"), blank=True, related_name="co_handled_items",
    )
    keywords = models.TextField(
        _("keywords"), blank=True,
        help_text=_("Words that point to this item, separated by commas. A weight after a colon counts a word "
                    "more (停水:3, from 1 to 10); a word after a minus sign excludes the item when it occurs "
                    "(-发票)."),
    )
    default_case_type = models.CharField(
        _("default case type"), max_length=20, choices=CaseType.choices, blank=True,
    )
    default_urgency = models.CharField(
        _("default urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL,
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("parent"),
        MultiFieldPanel(
            [
                FieldPanel("routing"),
                FieldRowPanel([FieldPanel("sector_unit"), FieldPanel("territorial_level")]),
                FieldPanel("co_handlers", widget=forms.SelectMultiple),
            ],
            heading=_("Routing"),
        ),
        FieldPanel("keywords"),
        FieldRowPanel([FieldPanel("default_case_type"), FieldPanel("default_urgency")]),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("is_active")]),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("code"),
        index.SearchField("keywords"),
        index.AutocompleteField("name"),
    ]

    base_form_class = DirectoryItemForm

    def clean(self):
        from ..services.config_checks import check_directory_item

        self.clean_parent()
        problems = keyword_problems(self.keywords)
        try:
            check_directory_item(self, with_children=False)
        except ValidationError as exc:
            if problems:
                exc.error_dict.setdefault("keywords", []).extend(ValidationError(p) for p in problems)
            raise
        if problems:
            raise ValidationError({"keywords": problems})

    @property
    def keyword_rules(self):
        """``(weighted words [(word, weight)], excluded words)`` from the
        keywords (see the field's help). ``keyword_problems`` names what is
        wrong in them; here a malformed weight counts as 1."""
        weighted, excluded = [], []
        for entry in split_keywords(self.keywords):
            if entry[0] in "-－":
                if entry[1:].strip():
                    excluded.append(entry[1:].strip())
                continue
            word, _sep, weight = entry.replace("：", ":").partition(":")
            word = word.strip()
            if word:
                weighted.append((word, keyword_weight(weight) or 1))
        return weighted, excluded

    @property
    def keyword_list(self):
        """The words that point to this item (without weights or excluded words)."""
        return [word for word, _weight in self.keyword_rules[0]]

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("directory item")
        verbose_name_plural = _("dispatch directory")
        ordering = ["sort_order", "code"]


def split_keywords(text):
    return [k.strip() for k in (text or "").replace("，", ",").replace("、", ",").split(",") if k.strip()]


def keyword_weight(text):
    """A keyword's weight, a whole number from 1 to 10 in ASCII digits, or None."""
    text = text.strip()
    if not (text.isascii() and text.isdecimal()) or not 1 <= int(text) <= 10:
        return None
    return int(text)


def keyword_problems(text):
    """What is wrong in a directory item's keywords, one message per entry."""
    problems = []
    for entry in split_keywords(text):
        if entry[0] in "-－":
            if not entry[1:].strip():
                problems.append(_("“%(entry)s”: a minus sign must be followed by the word to exclude.")
                                % {"entry": entry})
            continue
        word, sep, weight = entry.replace("：", ":").partition(":")
        if not word.strip():
            problems.append(_("“%(entry)s”: the word is missing before the weight.") % {"entry": entry})
        elif sep and keyword_weight(weight) is None:
            problems.append(_("“%(entry)s”: the weight must be a whole number from 1 to 10.") % {"entry": entry})
    return problems
