"""Return visits (回访) and consultations (会商)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from snippets.models import Unit

from .choices import Satisfaction, VisitMethod


class ReturnVisit(models.Model):
    """The citizen's verdict on a reply, for one round."""

    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="return_visits")
    round = models.PositiveSmallIntegerField(_("round"))
    method = models.CharField(_("method"), max_length=10, choices=VisitMethod.choices)
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    resolved = models.BooleanField(_("resolved"))
    note = models.TextField(_("note"), blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    visited_at = models.DateTimeField(_("visited at"))

    @property
    def is_positive(self):
        return self.resolved and self.satisfaction != Satisfaction.UNSATISFIED

    def __str__(self):
        return f"{self.case_id} #{self.round} {self.get_satisfaction_display()}"

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["visited_at"]


class Consultation(models.Model):
    """A consultation (会商) on a case: level 3 across departments, level 2
    for whistles that failed or unclear duties, level 1 for leadership."""

    class Level(models.IntegerChoices):
        ONE = 1, _("Level 1 (leadership)")
        TWO = 2, _("Level 2")
        THREE = 3, _("Level 3 (cross-department)")

    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="consultations")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    units = models.ManyToManyField(Unit, verbose_name=_("units taking part"), related_name="+")
    topic = models.CharField(_("topic"), max_length=200)
    conclusion = models.TextField(_("conclusion"))
    held_at = models.DateTimeField(_("held at"))
    convened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"{self.case_id} {self.get_level_display()} {self.topic}"

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["held_at"]
