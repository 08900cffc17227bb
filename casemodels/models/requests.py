"""Requests that need a review, and pauses of the case clock."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from snippets.models import Unit


class ReviewState(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReviewedRequest(models.Model):
    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey("casemodels.Assignment", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("requesting unit"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at"]


class ReturnRequest(ReviewedRequest):
    """A unit says the case is not theirs (退单); the dispatcher reviews it.
    The clock is paused while the review is pending."""

    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="return_requests")

    def __str__(self):
        return f"{self.case.number} {self.unit} {self.get_state_display()}"

    class Meta(ReviewedRequest.Meta):
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")


class ExtensionRequest(ReviewedRequest):
    """A unit asks for more working days (延期); approval moves the reply
    and completion deadlines."""

    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="extension_requests")
    working_days = models.PositiveSmallIntegerField(_("extra working days"))

    def __str__(self):
        return f"{self.case.number} +{self.working_days} {self.get_state_display()}"

    class Meta(ReviewedRequest.Meta):
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")


class ClockPause(models.Model):
    """A span during which the case clock stands still: waiting for the
    citizen (一次告知) or for a return review."""

    class Reason(models.TextChoices):
        AWAITING_CITIZEN = "awaiting_citizen", _("Waiting for the citizen")
        RETURN_REVIEW = "return_review", _("Return under review")

    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    def __str__(self):
        return f"{self.case_id} {self.get_reason_display()} {self.started_at:%Y-%m-%d %H:%M}"

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["started_at"]
