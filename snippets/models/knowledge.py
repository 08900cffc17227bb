"""The knowledge base (知识库): unified reply templates (统一答复口径) and the
list of duty boundaries (职责边界清单)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from .choices import CaseType
from .directory import DirectoryItem
from .organisation import Unit
from .revisions import RevisionedModel


class ReplyTemplate(index.Indexed, RevisionedModel):
    """A unified reply (统一答复口径): a policy answer a call-taker can give on
    the spot or a unit can start its reply from. The body may hold
    placeholders such as ``{{ case_number }}``; they are filled by the small
    sandboxed renderer in ``snippets.services.templates``, never by Django's
    template engine."""

    title = models.CharField(_("title"), max_length=200)
    directory_items = models.ManyToManyField(
        DirectoryItem, verbose_name=_("directory items or categories"), blank=True, related_name="reply_templates",
    )
    case_type = models.CharField(
        _("case type"), max_length=20, choices=CaseType.choices, blank=True,
        help_text=_("Blank means any case type."),
    )
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("Words that point to this answer, separated by commas."),
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Placeholders: {{ case_number }}, {{ citizen_name }} (masked), {{ title }}, {{ channel }}, "
            "{{ unit }}, {{ received_date }}, {{ reply_due }}, {{ today }}, {{ centre }}."
        ),
    )
    policy_basis = models.CharField(_("policy basis"), max_length=300, blank=True)
    usage_count = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_public = models.BooleanField(
        _("in the public knowledge base"), default=True,
        help_text=_("Shown on the site's knowledge base search. Untick for answers meant for staff only."),
    )

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("case_type"), FieldPanel("is_active"), FieldPanel("is_public")]),
        FieldPanel("directory_items", widget=forms.SelectMultiple),
        FieldPanel("keywords"),
        FieldPanel("body"),
        FieldPanel("policy_basis"),
    ]

    search_fields = [
        index.SearchField("title"),
        index.SearchField("keywords"),
        index.SearchField("body"),
        index.AutocompleteField("title"),
    ]

    @property
    def keyword_list(self):
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]

    @property
    def categories_display(self):
        return "、".join(str(item) for item in self.directory_items.all())

    def clean(self):
        from ..services.templates import TemplateSyntaxProblem, check_template

        try:
            check_template(self.body)
        except TemplateSyntaxProblem as exc:
            raise ValidationError({"body": str(exc)}) from None

    def __str__(self):
        return self.title

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["-usage_count", "title"]


class DutyBoundary(index.Indexed, RevisionedModel):
    """An entry of the duty boundary list (职责边界清单): which unit leads on a
    matter, which units help, and on what legal basis. Shown to dispatchers
    when a directory item it covers is picked."""

    matter = models.CharField(_("matter"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    directory_items = models.ManyToManyField(
        DirectoryItem, verbose_name=_("directory items or categories"), blank=True, related_name="duty_boundaries",
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_boundaries",
    )
    co_units = models.ManyToManyField(Unit, verbose_name=_("co-handling units"), blank=True, related_name="+")
    legal_basis = models.TextField(_("legal basis"), blank=True)
    keywords = models.TextField(_("keywords"), blank=True, help_text=_("Separated by commas."))
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("matter"),
        FieldPanel("description"),
        FieldPanel("directory_items", widget=forms.SelectMultiple),
        MultiFieldPanel(
            [FieldPanel("lead_unit"), FieldPanel("co_units", widget=forms.SelectMultiple)],
            heading=_("Who handles it"),
        ),
        FieldPanel("legal_basis"),
        FieldRowPanel([FieldPanel("keywords"), FieldPanel("is_active")]),
    ]

    search_fields = [
        index.SearchField("matter"),
        index.SearchField("keywords"),
        index.SearchField("legal_basis"),
        index.AutocompleteField("matter"),
    ]

    @property
    def keyword_list(self):
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]

    @property
    def co_units_display(self):
        return "、".join(str(unit) for unit in self.co_units.all())

    @property
    def categories_display(self):
        return "、".join(str(item) for item in self.directory_items.all())

    def __str__(self):
        return self.matter

    class Meta:
        verbose_name = _("duty boundary")
        verbose_name_plural = _("duty boundaries")
        ordering = ["matter"]
