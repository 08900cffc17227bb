"""Bulletin series (《宁呼我应》, 《督查快报》, 月度通报) and their issues
(通报 / 简报 / 快报), each issue's PDF a Wagtail document."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.documents import get_document_model_string
from wagtail.fields import StreamField
from wagtail.search import index

from ..blocks import DEFAULT_SECTIONS, BulletinSectionsBlock


class BulletinSeries(index.Indexed, models.Model):
    """A bulletin series as configuration: its name, how its issues are
    numbered (第N期 within the year, or running on), when an issue is due
    (every week, every month, or when staff ask for one), the sections an
    issue holds, in order, and the layout it is printed with.

    A scheduled task (``publishing.tasks.issue_due_bulletins``) makes each
    due issue of a weekly or monthly series for the period just ended,
    renders it to PDF and, when the series says so, publishes it; otherwise
    the issue waits as a draft for staff to preview, regenerate, publish or
    withdraw (``publishing.bulletins``)."""

    class Numbering(models.TextChoices):
        PER_YEAR = "year", _("Numbered within each year (starts again at 1 in January)")
        RUNNING = "running", _("Numbered on from issue to issue")

    class Schedule(models.TextChoices):
        WEEKLY = "weekly", _("Every week, for the week just ended")
        MONTHLY = "monthly", _("Every month, for the month just ended")
        ON_DEMAND = "on_demand", _("When staff ask for an issue")

    class Layout(models.TextChoices):
        STANDARD = "standard", _("Standard: a title page band, sections with headings")
        BRIEF = "brief", _("Brief: compact, for one or two pages")

    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("As printed, e.g. 《宁呼我应》 or 月度通报."),
    )
    issuer = models.CharField(
        _("issued by"), max_length=100, blank=True,
        help_text=_("The body printed under the title, e.g. 高平市接诉即办指挥中心."),
    )
    numbering = models.CharField(_("numbering"), max_length=10, choices=Numbering.choices, default=Numbering.PER_YEAR)
    first_number = models.PositiveIntegerField(
        _("first number"), default=1,
        help_text=_("The number of the first issue made here, for a series that already has issues on paper."),
    )
    schedule = models.CharField(_("schedule"), max_length=10, choices=Schedule.choices, default=Schedule.MONTHLY)
    publish_automatically = models.BooleanField(
        _("publish automatically"), default=False,
        help_text=_("Publish each scheduled issue as soon as it is rendered. Left off, issues wait as drafts "
                    "for staff to preview and publish."),
    )
    sections = StreamField(
        BulletinSectionsBlock(), default=DEFAULT_SECTIONS, verbose_name=_("sections"),
        help_text=_("What an issue holds, in this order."),
    )
    layout = models.CharField(_("layout"), max_length=10, choices=Layout.choices, default=Layout.STANDARD)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive series make no new issues; their issues stay published."),
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("issuer")]),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("numbering"), FieldPanel("first_number")]),
             FieldRowPanel([FieldPanel("schedule"), FieldPanel("publish_automatically")])],
            heading=_("Numbering and schedule"),
        ),
        FieldPanel("sections"),
        FieldRowPanel([FieldPanel("layout"), FieldPanel("is_active")]),
    ]

    search_fields = [index.SearchField("name"), index.SearchField("issuer"), index.FilterField("is_active")]

    @property
    def is_scheduled(self):
        return self.schedule != self.Schedule.ON_DEMAND

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("bulletin series")
        verbose_name_plural = _("bulletin series")
        ordering = ["name"]


class BulletinQuerySet(models.QuerySet):
    def published(self, now=None):
        """Bulletins the public may see: marked published, with a publication
        time that has come, not withdrawn. Drafts, withdrawn issues and
        issues scheduled later never show."""
        return self.filter(is_published=True, published_at__lte=now or timezone.now(), withdrawn_at__isnull=True)


class Bulletin(index.Indexed, models.Model):
    """One issue of a bulletin series, e.g. 《宁呼我应》2025年第168期, with its
    PDF as a Wagtail document.

    Made, rendered, published and withdrawn only through
    ``publishing.bulletins``. An issue of a period (``period``: ``2025-10``,
    ``2025-W41``) is unique within its series among the issues not
    withdrawn, so the scheduled task makes it once however often it runs
    (and never again once staff withdrew it; they may make a new one by
    hand). Numbers are never reused: a withdrawn issue keeps its number."""

    series = models.ForeignKey(
        BulletinSeries, verbose_name=_("series"), on_delete=models.PROTECT, related_name="issues",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), help_text=_("The issue number: 168 for 第168期."))
    title = models.CharField(_("title"), max_length=200, blank=True)
    period = models.CharField(
        _("period"), max_length=10, blank=True,
        help_text=_("The period the figures cover: 2025-10 for a month, 2025-W41 for a week, 2025 for a year."),
    )
    period_label = models.CharField(
        _("period covered"), max_length=100, blank=True, help_text=_("E.g. 2025年10月 or 第41周."),
    )
    document = models.ForeignKey(
        get_document_model_string(), verbose_name=_("document (PDF)"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True, editable=False)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True, editable=False)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Only published bulletins appear on the site and in the API."),
    )
    published_at = models.DateTimeField(
        _("published at"), null=True, blank=True,
        help_text=_("Left empty, it is set when the bulletin is first published; a later time schedules it."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdraw_reason = models.CharField(_("reason for withdrawal"), max_length=200, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False, help_text=_("Empty for issues made by the schedule."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    panels = [
        FieldRowPanel([FieldPanel("series"), FieldPanel("year"), FieldPanel("number")]),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("period"), FieldPanel("period_label")]),
        FieldPanel("document"),
        MultiFieldPanel([FieldPanel("is_published"), FieldPanel("published_at")], heading=_("Publication")),
    ]

    search_fields = [
        index.SearchField("title"),
        index.SearchField("period_label"),
        index.FilterField("year"),
        index.FilterField("is_published"),
    ]

    objects = BulletinQuerySet.as_manager()

    @property
    def label(self):
        """《宁呼我应》2025年第168期, or 《督查快报》第12期 for a series numbered on
        from year to year (in the site's language)."""
        values = {"series": self.series.name if self.series_id else "", "year": self.year, "number": self.number}
        if self.series_id and self.series.numbering == BulletinSeries.Numbering.RUNNING:
            return _("%(series)s No. %(number)s") % values
        return _("%(series)s %(year)s No. %(number)s") % values

    @property
    def status_label(self):
        """Draft, scheduled, published or withdrawn, for staff lists."""
        if self.withdrawn_at is not None:
            return _("Withdrawn")
        if not self.is_published:
            return _("Draft")
        if self.published_at is not None and self.published_at > timezone.now():
            return _("Scheduled")
        return _("Published")

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
            models.UniqueConstraint(
                fields=["series", "period"], condition=~Q(period="") & Q(withdrawn_at__isnull=True),
                name="unique_bulletin_period",
            ),
        ]
