"""Reminder notes (提示单) and supervision notes (督办单) as PDFs for the unit
they are addressed to: the note's number, kind, unit, reason and
requirements, answer deadline, and its cases (number, matter, title and
deadline; never the citizen's contact details, which the unit reads on the
case page). Who may fetch one: whoever may read the note
(``casemodels.services.supervision.notes_for``)."""

from django.template.loader import render_to_string
from django.utils import timezone

from casemodels.services.supervision import notes_for

from .pdf import html_to_pdf


def note_visible_to(note, user):
    return notes_for(user).filter(pk=note.pk).exists()


def note_pdf(note):
    """The note as PDF bytes."""
    cases = note.cases.select_related("directory_item").order_by("number")
    html = render_to_string("publishing/notes/note.html", {
        "note": note, "cases": cases, "generated_at": timezone.localtime(),
    })
    return html_to_pdf(html)[0]
