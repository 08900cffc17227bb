"""Reminder notes (提示单) and supervision notes (督办单) as PDFs for the unit
they are addressed to: the note's number, kind, unit, reason and
requirements, answer deadline, and its cases (number, matter, title and
deadline; never the citizen's contact details, which the unit reads on the
case page: titles, reason and answer are masked). Who may fetch one:
whoever may read the note (``casemodels.services.supervision.notes_for``)."""

from django.template.loader import render_to_string
from django.utils import timezone

from .masking import mask_text
from .pdf import html_to_pdf


def note_pdf(note):
    """The note as PDF bytes. The cases' titles, the reason and the answer
    have phone and ID numbers, e-mail addresses and the cases' citizens'
    names and addresses masked (``publishing.masking.mask_text``): a title
    or a reason often quotes the citizen, and the PDF is printed and passed on."""
    cases = list(note.cases.select_related("directory_item").order_by("number"))
    names, addresses = [c.citizen_name for c in cases], [c.address for c in cases]
    for case in cases:
        case.masked_title = mask_text(case.title, names=[case.citizen_name], addresses=[case.address])
    html = render_to_string("publishing/notes/note.html", {
        "note": note, "cases": cases, "generated_at": timezone.localtime(),
        "reason": mask_text(note.reason, names=names, addresses=addresses),
        "answer": mask_text(note.answer, names=names, addresses=addresses),
    })
    return html_to_pdf(html)[0]
