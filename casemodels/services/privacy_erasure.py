"""Erasure of a citizen's personal data that keeps the statistics
(``erase_citizen_data``; the rest of the privacy rules are in ``privacy``).

Every case of the phone number that the administrator may see is
anonymised, in one transaction:

- the citizen's name, phone and ID number are cleared, the case is marked
  anonymous, the address keeps only its street or community
  (``mask_address``), the coordinates are cleared;
- every free text of the case — title, content, reply, the dossier's notes
  (contact records and progress posts included), return visits and visit
  attempts, consultations, return and extension requests, pauses, the
  exclusion's reason, the supervision notes naming the case — has the
  citizen's own name, phone, ID number and address replaced by ``ERASED``
  and any other phone, ID number or e-mail address masked (``mask_text``);
  the notes of contact records (a conversation with the citizen) are
  replaced by ``ERASED`` whole;
- the case's content fingerprints (duplicate detection) are recomputed
  from the anonymised content;
- a ``CaseEvent`` "personal data erased" records who did it and why.

What the figures read stays as it was: the case rows, their numbers,
states, times, rounds, units, assignments, directory items, regions,
return-visit outcomes, exclusions and so the assessment roll-ups and the
result board. (The analysis' count of distinct callers no longer counts
the erased phone: that is the erasure.)"""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.services.masking import mask_address, mask_text

from ..models import (
    AssessmentExclusion, Case, CaseEvent, ClockPause, Consultation, ExtensionRequest, ReturnRequest, ReturnVisit,
    SupervisionNote, VisitAttempt,
)
from .base import InvalidInput, lock_cases, record_event, require_text
from .fingerprints import fingerprint_case
from .privacy import check_administrator, citizen_cases

ERASED = "***"
MAX_REASON = 500


class Eraser:
    """Replaces one case's known personal data in free text."""

    def __init__(self, case):
        self.names = [n for n in {(case.citizen_name or "").strip()} if len(n) >= 2]
        self.addresses = [a for a in {(case.address or "").strip()} if a]
        self.patterns = []
        digits = re.sub(r"\D", "", case.citizen_phone or "")
        if len(digits) >= 7:
            # The phone as written anywhere: with spaces or dashes between its digits, +86 before it.
            spaced = r"[-\s]?".join(re.escape(d) for d in digits)
            self.patterns.append(re.compile(rf"(?:\+?86[-\s]?)?(?<!\d){spaced}(?!\d)"))
        id_number = (case.citizen_id_number or "").strip()
        if id_number:
            self.patterns.append(re.compile(re.escape(id_number), re.IGNORECASE))

    def text(self, text):
        if not text:
            return text
        for pattern in self.patterns:
            text = pattern.sub(ERASED, text)
        for address in sorted(self.addresses, key=len, reverse=True):
            text = text.replace(address, ERASED)
        for name in self.names:
            text = text.replace(name, ERASED)
        # The address's house-number part quoted alone, other people's phones and IDs, e-mails.
        return mask_text(text, addresses=self.addresses)


def _erase_rows(model, case_ids, erasers, fields):
    """Rewrite ``fields`` of the rows of ``model`` on these cases; one UPDATE per batch."""
    changed = []
    for row in model.objects.filter(case_id__in=case_ids):
        eraser = erasers[row.case_id]
        before = [getattr(row, f) for f in fields]
        for f in fields:
            setattr(row, f, eraser.text(getattr(row, f)))
        if [getattr(row, f) for f in fields] != before:
            changed.append(row)
    if changed:
        model.objects.bulk_update(changed, fields, batch_size=500)
    return len(changed)


def _erase_events(case_ids, erasers):
    changed = []
    for event in CaseEvent.objects.filter(case_id__in=case_ids):
        eraser = erasers[event.case_id]
        # A contact record is a conversation with the citizen: its note goes (its time and method stay).
        note = ERASED if event.action == CaseEvent.Action.CONTACT and event.note else eraser.text(event.note)
        data = dict(event.data or {})
        if isinstance(data.get("topic"), str):
            data["topic"] = eraser.text(data["topic"])
        if note != event.note or data != event.data:
            event.note, event.data = note, data
            changed.append(event)
    if changed:  # bulk_update writes through the queryset: the dossier is otherwise immutable
        CaseEvent.objects.bulk_update(changed, ["note", "data"], batch_size=500)
    return len(changed)


def _erase_supervision(case_ids, erasers):
    notes = SupervisionNote.objects.filter(note_cases__case_id__in=case_ids).distinct()
    changed = []
    for note in notes.prefetch_related("note_cases"):
        before = (note.reason, note.answer, note.close_comment)
        for link in note.note_cases.all():
            eraser = erasers.get(link.case_id)
            if eraser is not None:
                note.reason, note.answer = eraser.text(note.reason), eraser.text(note.answer)
                note.close_comment = eraser.text(note.close_comment)
        if (note.reason, note.answer, note.close_comment) != before:
            changed.append(note)
    if changed:
        SupervisionNote.objects.bulk_update(changed, ["reason", "answer", "close_comment"])
    return len(changed)


@transaction.atomic
def erase_citizen_data(acting_user, *, phone, reason):
    """Anonymise every case of ``phone`` the administrator may see (see the
    module docstring); ``reason`` (required) goes on each case's event.
    Returns the erased cases. Refused with nothing written: a user who is
    not an administrator, an empty reason, an empty, malformed or unknown
    phone."""
    actor = check_administrator(acting_user)
    reason = require_text(reason, "reason", _("The reason for the erasure"))
    if len(reason) > MAX_REASON:
        raise InvalidInput(_("Give a reason of at most %(n)s characters.") % {"n": MAX_REASON},
                           code="too_long", field="reason")
    _phone, queryset = citizen_cases(acting_user, phone)
    cases = list(lock_cases(list(queryset.values_list("pk", flat=True))).values())
    erasers = {case.pk: Eraser(case) for case in cases}
    ids = list(erasers)
    for case in cases:
        eraser = erasers[case.pk]
        case.title = eraser.text(case.title)[:200]
        case.content = eraser.text(case.content)
        case.reply = eraser.text(case.reply)
        case.address = mask_address(case.address)
        case.citizen_name = case.citizen_phone = case.citizen_id_number = ""
        case.latitude = case.longitude = None
        case.is_anonymous = True
        case.version += 1
    Case.objects.bulk_update(cases, ["title", "content", "reply", "address", "citizen_name", "citizen_phone",
                                     "citizen_id_number", "latitude", "longitude", "is_anonymous", "version"])
    Case.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    _erase_events(ids, erasers)
    _erase_rows(ReturnVisit, ids, erasers, ["note"])
    _erase_rows(VisitAttempt, ids, erasers, ["note"])
    _erase_rows(Consultation, ids, erasers, ["topic", "conclusion"])
    _erase_rows(ReturnRequest, ids, erasers, ["reason", "review_note"])
    _erase_rows(ExtensionRequest, ids, erasers, ["reason", "review_note"])
    _erase_rows(ClockPause, ids, erasers, ["note"])
    _erase_rows(AssessmentExclusion, ids, erasers, ["reason"])
    _erase_supervision(ids, erasers)
    note = mask_text(reason)
    for case in cases:
        fingerprint_case(case)
        record_event(case, CaseEvent.Action.ERASE, actor=actor, from_state=case.state, note=note,
                     data={"cases": len(cases)})
    return cases

