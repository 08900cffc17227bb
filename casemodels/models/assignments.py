"""Assignments: which unit holds a case, as lead or co-handler."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from snippets.models import StaffProfile, Unit


class Assignment(models.Model):
    """A unit's part in a case for one round. A sub-dispatch creates a child
    assignment (``parent``) at a lower level; a whistle creates a new one at
    a higher level. Exactly one lead assignment of a case is active at a time."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        CO = "co", _("Co-handling unit")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be signed for")
        SIGNED = "signed", _("Signed for, handling")
        SUB_DISPATCHED = "sub_dispatched", _("Sub-dispatched")
        ESCALATED = "escalated", _("Escalated upward")
        RETURN_REQUESTED = "return_requested", _("Return requested")
        RETURNED = "returned", _("Returned")
        REPLIED = "replied", _("Replied")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ACTIVE_STATES = (State.PENDING, State.SIGNED, State.RETURN_REQUESTED)

    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.LEAD)
    parent = models.ForeignKey(
        "self", verbose_name=_("dispatched from"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    dispatched_at = models.DateTimeField(_("dispatched at"))
    # Who in the unit is to handle it (a grid's staff member, often without a login): proposed by the
    # suggestions (casemodels.services.people), set on dispatch.
    handler = models.ForeignKey(
        StaffProfile, verbose_name=_("handler"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="handled_assignments",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    sign_due = models.DateTimeField(_("sign-for deadline"), null=True, blank=True)
    reply_due = models.DateTimeField(_("reply deadline"), null=True, blank=True)
    # First contact (首次联系): written once, by ``casemodels.services.contact.record_contact``.
    contacted_at = models.DateTimeField(
        _("citizen contacted at"), null=True, blank=True,
        help_text=_("When the unit recorded its first contact with the citizen; empty until then."),
    )
    contact_due = models.DateTimeField(
        _("first-contact deadline"), null=True, blank=True,
        help_text=_("The case's first-contact deadline in force when the contact was recorded (a clock paused "
                    "at that moment counted as resuming then); empty until then, or when the policy sets none."),
    )

    @property
    def is_active(self):
        return self.state in self.ACTIVE_STATES

    def __str__(self):
        return f"{self.unit} ({self.get_role_display()}, {self.get_state_display()})"

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["case", "dispatched_at", "id"]
        indexes = [
            models.Index(fields=["unit", "state"]),
            # The roll-up refresh: the assignments dispatched in a period.
            models.Index(fields=["dispatched_at"], name="assignment_dispatched_at"),
            # The warning sweep: the unsigned assignments past their sign-for deadline.
            models.Index(fields=["state", "sign_due"], name="assignment_state_sign_due"),
            # The handler proposed for a new case: the fewest open cases (casemodels.services.people).
            models.Index(fields=["handler", "state"], name="assignment_handler_state"),
        ]
