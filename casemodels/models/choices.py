"""Case states and other choices of the case lifecycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    HANDLING = "handling", _("Handling")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")
    MERGED = "merged", _("Merged")
    DIVERTED = "diverted", _("Diverted")
    INVALID = "invalid", _("Invalid")


OPEN_STATES = (CaseState.RECEIVED, CaseState.DISPATCHED, CaseState.HANDLING, CaseState.REPLIED)


class DivertRoute(models.TextChoices):
    LITIGATION = "litigation", _("Litigation")
    ARBITRATION = "arbitration", _("Arbitration")
    RECONSIDERATION = "reconsideration", _("Administrative reconsideration")
    DISCIPLINE = "discipline", _("Discipline inspection")
    PETITION = "petition", _("Letters and visits")
    OTHER = "other", _("Other legal route")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class VisitMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    ONLINE = "online", _("Online")
    ON_SITE = "on_site", _("On site")
