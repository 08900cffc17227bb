"""Supervision notes (提示单 / 督办单) sent to a unit about one case or a set of cases."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from snippets.models import Unit


class SupervisionNote(models.Model):
    """A reminder note (提示单) or a supervision note (督办单) addressed to a
    unit about one case or a set of cases (e.g. all its overdue cases). The
    unit answers by ``answer_due``; the issuing side then closes the note.
    Issuing and answering write a ``CaseEvent`` on every case, so the note
    and its answer join each case's dossier. Notes change only through
    ``casemodels.services.supervision``.

    ``source`` says where the note came from: issued by hand, issued for a
    unit's overdue cases, or raised by the warning sweep for rules with
    ``raise_reminder`` / ``raise_supervision``. ``source_key`` (unique when
    set) makes the sweep's notes idempotent: one note per unit, kind and
    set of warnings, never twice (``issue_notes_for_warnings``). There is no
    foreign key to the warnings themselves: each case row of a sweep's note
    carries the key of the warning that put it there (``SupervisionNoteCase.warning_key``)."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder note")
        SUPERVISION = "supervision", _("Supervision note")

    class State(models.TextChoices):
        ISSUED = "issued", _("Issued, awaiting the answer")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Issued by hand")
        OVERDUE = "overdue", _("Issued for the unit's overdue cases")
        WARNING = "warning", _("Raised by a warning rule")

    number = models.CharField(_("note number"), max_length=40, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("number in the year"), editable=False)
    unit = models.ForeignKey(
        Unit, verbose_name=_("addressed to"), on_delete=models.PROTECT, related_name="supervision_notes",
    )
    cases = models.ManyToManyField(
        "casemodels.Case", verbose_name=_("cases"), through="SupervisionNoteCase", related_name="supervision_notes",
    )
    reason = models.TextField(_("reason and requirements"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Empty for notes raised by the warning sweep."),
    )
    issued_at = models.DateTimeField(_("issued at"))
    answer_due = models.DateTimeField(_("answer due"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ISSUED)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_comment = models.TextField(_("closing comment"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    source_key = models.CharField(_("source key"), max_length=100, null=True, blank=True, unique=True, editable=False)

    @property
    def answer_overdue(self):
        """Still waiting for the unit's answer after ``answer_due``."""
        return self.state == self.State.ISSUED and timezone.now() > self.answer_due

    def __str__(self):
        return self.number

    class Meta:
        verbose_name = _("supervision note")
        verbose_name_plural = _("supervision notes")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "sequence"], name="unique_note_sequence"),
        ]
        indexes = [models.Index(fields=["unit", "state", "answer_due"], name="note_unit_state_due")]


class SupervisionNoteCase(models.Model):
    """One case of a note. ``warning_key`` is set for notes raised by the
    warning sweep: ``<warning id>:<note kind>``, unique, so that one warning
    puts its case into at most one note of each kind."""

    note = models.ForeignKey(SupervisionNote, on_delete=models.CASCADE, related_name="note_cases")
    case = models.ForeignKey("casemodels.Case", on_delete=models.CASCADE, related_name="note_cases")
    warning_key = models.CharField(_("warning"), max_length=60, blank=True)

    def __str__(self):
        return f"{self.note_id}:{self.case_id}"

    class Meta:
        verbose_name = _("case of a supervision note")
        verbose_name_plural = _("cases of supervision notes")
        constraints = [
            models.UniqueConstraint(fields=["note", "case"], name="unique_case_per_note"),
            models.UniqueConstraint(
                fields=["warning_key"], name="unique_note_warning_key", condition=~models.Q(warning_key=""),
            ),
        ]


class SupervisionNoteCounter(models.Model):
    """The yearly sequence behind note numbers, one per kind (row-locked when incremented)."""

    kind = models.CharField(max_length=20, choices=SupervisionNote.Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="unique_note_counter")]
