"""What assessment keeps beside the cases: the exclusions decided after
review (核减) and the daily roll-up of every unit's figures.

Why an exclusion is a row of its own rather than fields on ``Case`` or
``Assignment``: it is a reviewed decision with its own reason, reviewer
and time, held by a small share of the cases; a separate table keeps the
case row as it is, and the figures leave a case out with one ``NOT EXISTS``
on a small indexed table. It applies to the whole case (every lead
assignment of every round), as DESIGN §7 says "cases excluded after review
are left out"; the dossier keeps its history (``CaseEvent`` EXCLUDE and RESTORE).

The roll-up (``UnitDayFigures``) is derived data: it can be deleted and
rebuilt from the cases at any time (``casemodels.services.rollups``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from snippets.models import Unit


class AssessmentExclusion(models.Model):
    """A case left out of every assessment figure after review (核减).
    Created and deleted only by ``casemodels.services.exclusions``."""

    case = models.OneToOneField(
        "casemodels.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="assessment_exclusion",
    )
    reason = models.TextField(_("reason"))
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("excluded by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    excluded_at = models.DateTimeField(_("excluded at"))

    def __str__(self):
        return f"{self.case_id} {self.excluded_at:%Y-%m-%d}"

    class Meta:
        verbose_name = _("assessment exclusion")
        verbose_name_plural = _("assessment exclusions")
        ordering = ["-excluded_at"]


# The counts of a unit's day, in the order of ``casemodels.services.assessment.COUNTS``.
COUNT_FIELDS = (
    "dispatched", "signed_on_time", "contacted_on_time", "replied", "replied_on_time", "visited", "satisfied",
    "basically_satisfied", "unsatisfied", "resolved", "returned", "extended", "overdue",
)


class UnitDayFigures(models.Model):
    """One unit's assessment counts for the lead assignments dispatched to it
    on one local day (the centre's time zone). Summing the days of a period
    gives the period's figures; the definitions are those of
    ``casemodels.services.assessment``. Written only by the roll-up refresh."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day of dispatch"))
    dispatched = models.PositiveIntegerField(_("dispatched"), default=0)
    signed_on_time = models.PositiveIntegerField(_("signed for on time"), default=0)
    contacted_on_time = models.PositiveIntegerField(_("citizen contacted on time"), default=0)
    replied = models.PositiveIntegerField(_("replied"), default=0)
    replied_on_time = models.PositiveIntegerField(_("replied on time"), default=0)
    visited = models.PositiveIntegerField(_("visited"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    basically_satisfied = models.PositiveIntegerField(_("basically satisfied"), default=0)
    unsatisfied = models.PositiveIntegerField(_("unsatisfied"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    returned = models.PositiveIntegerField(_("returned"), default=0)
    extended = models.PositiveIntegerField(_("extended"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)

    def __str__(self):
        return f"{self.unit_id} {self.day}"

    class Meta:
        verbose_name = _("unit's figures of a day")
        verbose_name_plural = _("units' figures by day")
        ordering = ["day", "unit"]
        constraints = [
            # Leading with the day: a period's rows are one index range.
            models.UniqueConstraint(fields=["day", "unit"], name="unit_day_figures_once"),
        ]


class RollupState(models.Model):
    """The roll-up's bookkeeping, one row: up to when it is current, and what
    the last refresh did. Its row is also the lock that keeps two refreshes
    from running at once."""

    SINGLETON = 1

    current_as_of = models.DateTimeField(_("current as of"), null=True, blank=True)
    last_kind = models.CharField(_("last run"), max_length=10, blank=True)
    last_since = models.DateTimeField(_("changes since"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_days = models.PositiveIntegerField(_("days recomputed"), default=0)
    last_rows = models.PositiveIntegerField(_("rows written"), default=0)

    def __str__(self):
        return f"{self.last_kind} {self.current_as_of}"

    class Meta:
        verbose_name = _("roll-up state")
        verbose_name_plural = _("roll-up state")
