"""Published outputs kept as records: bulletins (通报 / 简报 / 快报)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.documents import get_document_model_string
from wagtail.search import index


class BulletinQuerySet(models.QuerySet):
    def published(self, now=None):
        """Bulletins the public may see: marked published, with a publication
        time that has come. Drafts and bulletins scheduled later never show."""
        return self.filter(is_published=True, published_at__lte=now or timezone.now())


class Bulletin(index.Indexed, models.Model):
    """One issue of a bulletin series, e.g. 《宁呼我应》2025年第168期, with its
    PDF as a Wagtail document.

    A minimal record for now: the series is a name. Issue 6 adds the series
    configuration (numbering, schedule, sections, template) and renders the
    PDF; then ``series`` becomes a link to it."""

    series = models.CharField(
        _("series"), max_length=100, help_text=_("The bulletin's name, e.g. 《宁呼我应》 or 《督查快报》."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), help_text=_("The issue number: 168 for 第168期."))
    title = models.CharField(_("title"), max_length=200, blank=True)
    period_label = models.CharField(
        _("period covered"), max_length=100, blank=True, help_text=_("E.g. 2025年10月 or 第41周."),
    )
    document = models.ForeignKey(
        get_document_model_string(), verbose_name=_("document (PDF)"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Only published bulletins appear on the site and in the API."),
    )
    published_at = models.DateTimeField(
        _("published at"), null=True, blank=True,
        help_text=_("Left empty, it is set when the bulletin is first published; a later time schedules it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    panels = [
        FieldRowPanel([FieldPanel("series"), FieldPanel("year"), FieldPanel("number")]),
        FieldPanel("title"),
        FieldPanel("period_label"),
        FieldPanel("document"),
        MultiFieldPanel([FieldPanel("is_published"), FieldPanel("published_at")], heading=_("Publication")),
    ]

    search_fields = [
        index.SearchField("series"),
        index.SearchField("title"),
        index.FilterField("year"),
        index.FilterField("is_published"),
    ]

    objects = BulletinQuerySet.as_manager()

    @property
    def label(self):
        """《宁呼我应》2025年第168期 (in the site's language)."""
        return _("%(series)s %(year)s No. %(number)s") % {
            "series": self.series, "year": self.year, "number": self.number,
        }

    def save(self, *args, **kwargs):
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "published_at"}
        super().save(*args, **kwargs)

    def __str__(self):
        return str(self.label)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-published_at", "-year", "-number", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "number"], name="unique_bulletin_issue"),
        ]
