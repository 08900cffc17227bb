"""Choices shared by configuration and cases."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """Administrative / command level, from the top of the deployment down."""

    CITY = 1, _("City")
    DISTRICT = 2, _("District / county")
    TOWNSHIP = 3, _("Township / street")
    VILLAGE = 4, _("Village / community")
    GRID = 5, _("Grid")


class CaseType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    VERY_URGENT = "very_urgent", _("Very urgent")
