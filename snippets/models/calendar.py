"""The work calendar (工作日历): weekends, public holidays and make-up
workdays (调休), as a table administrators can edit."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from .revisions import RevisionedModel


class CalendarYear(RevisionedModel):
    """A year the calendar covers. A year without a published row is not
    guessed silently: deadlines in it are computed on weekdays and flagged
    provisional, and the admin shows a warning."""

    class Source(models.TextChoices):
        PACKAGE = "chinesecalendar", _("chinesecalendar package")
        MANUAL = "manual", _("Entered by an administrator")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    is_published = models.BooleanField(
        _("published"), default=True,
        help_text=_("Only published years are used for deadlines."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [FieldRowPanel([FieldPanel("year"), FieldPanel("source")]), FieldPanel("is_published"), FieldPanel("note")]

    def __str__(self):
        return str(self.year)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]


class CalendarDay(RevisionedModel):
    """A day that differs from the plain weekday rule: a public holiday on a
    weekday, or a make-up workday on a weekend. Other days follow the rule."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (day off)")
        MAKEUP_WORKDAY = "makeup_workday", _("Make-up workday")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("holiday name"), max_length=50, blank=True)

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("kind")]), FieldPanel("name")]

    @property
    def is_workday(self):
        return self.kind == self.Kind.MAKEUP_WORKDAY

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["-date"]
