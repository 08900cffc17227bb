"""Return visits (回访), attempts to reach the citizen for one, and
consultations (会商)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from snippets.models import Unit, UnreachableAction

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


class VisitAttempt(models.Model):
    """A return-visit attempt that did not reach the citizen (no answer, a
    wrong number, a message left). After the policy's ``visit_attempts`` of
    them in one round the case is handled as unreachable, per the policy's
    ``unreachable_action``; the attempt that decided it carries the
    ``outcome`` (closed, counted as not visited; or sent to the unsatisfied
    ledger for review). Written by ``casemodels.services.visits`` only."""

    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="visit_attempts")
    round = models.PositiveSmallIntegerField(_("round"))
    method = models.CharField(_("method"), max_length=10, choices=VisitMethod.choices)
    note = models.TextField(_("note"), blank=True)
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
    )
    attempted_at = models.DateTimeField(_("attempted at"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=UnreachableAction.choices, blank=True,
        help_text=_("Set on the attempt after which the citizen counted as unreachable."),
    )

    def __str__(self):
        return f"{self.case_id} #{self.round} {self.get_method_display()} {self.attempted_at:%Y-%m-%d %H:%M}"

    class Meta:
        verbose_name = _("return-visit attempt")
        verbose_name_plural = _("return-visit attempts")
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["case", "round"], name="visit_attempt_case_round")]


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
