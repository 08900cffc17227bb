"""The immutable event log: the case dossier (全流程卷宗)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model_string

from snippets.models import Unit


class CaseEvent(models.Model):
    """One thing that happened to a case. Written by services only, never
    changed or deleted afterwards."""

    class Action(models.TextChoices):
        REGISTER = "register", _("Registered")
        ANSWER = "answer", _("Answered on the spot")
        DISPATCH = "dispatch", _("Dispatched")
        SIGN = "sign", _("Signed for")
        SUB_DISPATCH = "sub_dispatch", _("Sub-dispatched")
        ESCALATE = "escalate", _("Escalated (whistle)")
        REQUEST_RETURN = "request_return", _("Return requested")
        REVIEW_RETURN = "review_return", _("Return reviewed")
        REQUEST_EXTENSION = "request_extension", _("Extension requested")
        REVIEW_EXTENSION = "review_extension", _("Extension reviewed")
        REQUEST_INFO = "request_info", _("Asked the citizen for information")
        RESUME = "resume", _("Information received, clock resumed")
        REPLY = "reply", _("Replied")
        RETURN_VISIT = "return_visit", _("Return visit")
        REDISPATCH = "redispatch", _("Second dispatch")
        CLOSE = "close", _("Closed")
        ARCHIVE = "archive", _("Archived")
        MERGE = "merge", _("Merged")
        DIVERT = "divert", _("Diverted")
        INVALID = "invalid", _("Marked invalid")
        CONSULT = "consult", _("Consultation held")
        RECOMPUTE = "recompute", _("Deadlines recomputed")
        IMPORT = "import", _("Imported from another system")
        # Time limits in operation (warnings, supervision, progress, visits, assessment):
        WARNING = "warning", _("Warning raised")
        SUPERVISE = "supervise", _("Supervision note issued")
        ANSWER_NOTE = "answer_note", _("Supervision note answered")
        PROGRESS = "progress", _("Progress posted")
        CONTACT = "contact", _("Citizen contacted")
        VISIT_ATTEMPT = "visit_attempt", _("Return visit attempted, citizen not reached")
        RATE = "rate", _("Rated online by the citizen")
        EXCLUDE = "exclude", _("Excluded from assessment (核减)")
        RESTORE = "restore", _("Restored to assessment")
        ERASE = "erase", _("Personal data erased")

    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), db_index=True)
    from_state = models.CharField(_("from state"), max_length=20, blank=True)
    to_state = models.CharField(_("to state"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    attachments = models.ManyToManyField(get_document_model_string(), verbose_name=_("attachments"), blank=True)

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("Case events are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Case events are immutable.")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
