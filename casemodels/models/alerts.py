"""Warnings (预警) raised by the periodic sweep, and the outbox of the
notifications that tell people about them.

Both are written by ``casemodels.services.sweep`` only (set-based
``INSERT … SELECT``), and each has a unique key, so that running the sweep
twice, or crashing half-way and running it again, never raises a warning or
queues a notification twice. ``casemodels.services.outbox`` sends the
notifications and records how it went."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from snippets.models import StaffProfile, Unit, WarningRule


class Warning(models.Model):
    """One warning of one rule on one case, at one level (yellow, red).

    The key is (case, rule, level, occurrence): ``occurrence`` is the watched
    deadline for the deadline rules (its epoch minutes; for the sign-for
    deadline the pending assignment's id: each unit asked to sign is watched),
    so that a moved deadline or a new round is warned about afresh; the
    latest return visit's id for the unsatisfied rule (one warning per
    verdict); the start of the interval (epoch minutes) for the progress
    rule (each missed interval is a new warning); and 0 for the others (a
    case repeats, or is extended or returned N times, once). See
    ``casemodels.services.sweep_rules``."""

    case = models.ForeignKey("casemodels.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="warnings")
    rule = models.ForeignKey(WarningRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=10, choices=WarningRule.Light.choices)
    occurrence = models.PositiveIntegerField(
        _("occurrence"), default=0,
        help_text=_("The watched deadline (epoch minutes; the pending assignment's id for the sign-for deadline) "
                    "for deadline rules, the latest return visit's id for the unsatisfied rule, the interval's "
                    "start (epoch minutes) for the progress rule, 0 otherwise."),
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit told"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The unit holding the case when the warning was raised (the first-receiving unit when no "
                    "unit holds it)."),
    )
    raised_at = models.DateTimeField(_("raised at"))
    batch = models.CharField(
        _("sweep batch"), max_length=32, editable=False,
        help_text=_("Marks the warnings raised together by one rule in one sweep."),
    )

    def __str__(self):
        return f"{self.case_id} {self.rule_id} {self.get_level_display()}"

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule", "level", "occurrence"], name="unique_warning_per_case_rule_level",
            ),
        ]
        indexes = [
            models.Index(fields=["batch"], name="warning_batch"),
            models.Index(fields=["raised_at"], name="warning_raised_at"),
        ]


class Notification(models.Model):
    """One message of the outbox: one warning, one recipient, one channel.

    The recipient is a staff member (``staff``, with their ``user`` account
    for the admin) or, when no one in the unit told matches the rule, the unit
    itself (``staff`` empty: its duty phone for SMS, the unit's page in the
    admin). The key is (warning, staff, channel), or (warning, unit, channel)
    for a unit; the warning stands for (case, rule, level)."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In the admin")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    warning = models.ForeignKey(Warning, verbose_name=_("warning"), on_delete=models.CASCADE,
                                related_name="notifications")
    staff = models.ForeignKey(
        StaffProfile, verbose_name=_("staff member"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254, blank=True,
                               help_text=_("The phone number or e-mail address used."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    @property
    def recipient_name(self):
        return self.staff.name if self.staff_id else str(self.unit)

    recipient_name.fget.short_description = _("recipient")

    def __str__(self):
        return f"{self.warning_id} → {self.recipient_name} ({self.get_channel_display()})"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["warning", "staff", "channel"], condition=models.Q(staff__isnull=False),
                name="unique_notification_per_staff",
            ),
            models.UniqueConstraint(
                fields=["warning", "unit", "channel"], condition=models.Q(staff__isnull=True),
                name="unique_notification_per_unit",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due")]
