"""Supervision notes (提示单 / 督办单, DESIGN §6): issue, answer, close, and
the notes the warning sweep raises.

- ``issue_note`` — a supervisor or dispatcher sends a note to a unit within
  their scope about one case or a set of cases. Every case must be visible
  to the issuer, have a running clock (received, dispatched or in hand) and
  be in the unit's care: first received by the unit or a unit below it, or
  actively held (pending, signed, return requested) by one of them. Writes a
  ``SUPERVISE`` event on every case.
- ``issue_note_for_overdue`` — the same for every overdue case (red light,
  ``inbox.deadline_lights``) in the unit's care that the issuer can see.
- ``answer_note`` — staff of the addressed unit answer; an ``ANSWER_NOTE``
  event on every case.
- ``close_note`` — the issuing side accepts the answer and closes the note.
- ``issue_notes_for_warnings`` (in ``supervision_sweep``, reachable from
  here too) — called by the warning sweep for rules with
  ``raise_reminder`` / ``raise_supervision``: one note per unit and kind for
  the warnings of one call, no acting user, idempotent (see its docstring).

Numbers run per kind and year: 提示〔2025〕3号, 督办〔2025〕12号, from a
row-locked counter (``SupervisionNoteCounter``)."""

import datetime

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.services.calendar import WorkCalendar

from ..models import Assignment, Case, CaseEvent, SupervisionNote, SupervisionNoteCase, SupervisionNoteCounter
from .base import (
    R, Actor, Conflict, InvalidInput, InvalidState, NotAllowed, active_lead, check_choice, require_state,
    require_text,
)
from .deadlines import end_of_day, local_tz, to_local
from .dispatching import resolve_unit
from .inbox import CLOCK_STATES, deadline_lights
from .visibility import unit_subtree, visible_cases

A = CaseEvent.Action
Kind = SupervisionNote.Kind
State = SupervisionNote.State
Source = SupervisionNote.Source

# The number prefixes are part of the official numbering (文号), the same in every language.
NUMBER_PREFIXES = {Kind.REMINDER: "提示", Kind.SUPERVISION: "督办"}
# How long a unit has to answer a note raised by the warning sweep.
SWEEP_ANSWER_WORKING_DAYS = 2

# The most cases one note names: a note is one numbered document a unit
# answers as a whole, and every case in it is locked while it is written.
MAX_NOTE_CASES = 500

ISSUER_ROLES = (R.SUPERVISOR, R.DISPATCHER)
ANSWER_ROLES = (R.UNIT_LEADER, R.HANDLER, R.DISPATCHER)


# --- Numbers ------------------------------------------------------------------------------
def format_number(kind, year, sequence):
    return f"{NUMBER_PREFIXES[kind]}〔{year}〕{sequence}号"


def next_note_number(kind, at):
    """``(number, year, sequence)`` of the next note of ``kind`` in the
    centre's local year of ``at``; safe under concurrency (the counter row
    stays locked until the transaction ends)."""
    year = to_local(at).year
    for _attempt in range(3):
        updated = SupervisionNoteCounter.objects.filter(kind=kind, year=year).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    SupervisionNoteCounter.objects.create(kind=kind, year=year, last=1)
            except IntegrityError:
                continue
        sequence = SupervisionNoteCounter.objects.get(kind=kind, year=year).last
        return format_number(kind, year, sequence), year, sequence
    raise RuntimeError("Could not allocate a note number.")


# --- Scope --------------------------------------------------------------------------------
def in_care_of(unit):
    """Cases first received by ``unit`` or a unit below it, or actively held
    (pending, signed, return requested) by one of them: the cases a note to
    ``unit`` may name."""
    subtree = unit_subtree(unit.pk)
    held = Assignment.objects.filter(unit_id__in=subtree, state__in=Assignment.ACTIVE_STATES)
    return Q(owner_unit_id__in=subtree) | Q(pk__in=held.values("case_id"))


def overdue_cases(unit, user, *, now=None):
    """The overdue cases (red) in ``unit``'s care that ``user`` can see."""
    red, _yellow = deadline_lights(now)
    return visible_cases(user).filter(red).filter(in_care_of(unit))


def notes_for(user):
    """The notes ``user`` may read: those addressed to their unit or a unit
    below it, and those they issued; every note for a superuser."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return SupervisionNote.objects.none()
    if user.is_superuser:
        return SupervisionNote.objects.all()
    profile = getattr(user, "staff_profile", None)
    if profile is None or not profile.is_active:
        return SupervisionNote.objects.none()
    return SupervisionNote.objects.filter(Q(unit_id__in=unit_subtree(profile.unit_id)) | Q(issued_by=user))


# --- Guards -------------------------------------------------------------------------------
def check_supervise(case, actor):
    """The case-page button: a supervisor or dispatcher may send a note about
    a case a unit within their scope holds now (the note goes to that unit or
    a unit above it). Returns the active lead assignment."""
    actor.require(*ISSUER_ROLES)
    require_state(case, *CLOCK_STATES)
    lead = active_lead(case)
    if lead is None:
        raise InvalidState(_("Case %(number)s is not held by any unit.") % {"number": case.number})
    actor.require_covers(lead.unit)
    return lead


def check_answer_note(note, actor):
    actor.require(*ANSWER_ROLES)
    if not (actor.is_unit(note.unit) or (actor.is_superuser and actor.unit is None)):
        raise NotAllowed(
            _("Only %(unit)s can answer note %(number)s.") % {"unit": note.unit, "number": note.number},
            code="not_your_note",
        )
    if note.state != State.ISSUED:
        raise InvalidState(
            _("Note %(number)s is %(state)s; only an issued note can be answered.")
            % {"number": note.number, "state": note.get_state_display()}
        )


def check_close_note(note, actor):
    """The issuer, or an issuing role above the addressed unit; never the
    addressed unit itself — but for a note the warning rules issued (no
    issuer) to a unit nobody is above (the command centre: warnings on cases
    not yet dispatched go to the unit that received them). Its own
    supervisors close that one, though not one who answered it."""
    actor.require(*ISSUER_ROLES)
    actor.require_covers(note.unit)
    if actor.is_unit(note.unit) and not actor.is_superuser and note.issued_by_id != actor.user.pk:
        if note.issued_by_id is not None or note.unit.parent_id is not None:
            raise NotAllowed(_("%(unit)s cannot close a note addressed to itself.") % {"unit": note.unit})
        if R.SUPERVISOR not in actor.roles:
            raise NotAllowed(
                _("Note %(number)s was raised by the warning rules for %(unit)s; one of its supervisors closes it.")
                % {"number": note.number, "unit": note.unit}
            )
        if note.answered_by_id == actor.user.pk:
            raise NotAllowed(
                _("You answered note %(number)s; another supervisor closes it.") % {"number": note.number},
                code="own_answer",
            )
    if note.state != State.ANSWERED:
        raise InvalidState(
            _("Note %(number)s is %(state)s; only an answered note can be closed.")
            % {"number": note.number, "state": note.get_state_display()}
        )


# --- Input --------------------------------------------------------------------------------
def clean_answer_due(value, now):
    """A datetime, or a date meaning the end of that day (local time); it
    must lie in the future."""
    if value in (None, ""):
        raise InvalidInput(_("Give the date by which the unit must answer."), code="required", field="answer_due")
    if isinstance(value, datetime.datetime):
        due = value if timezone.is_aware(value) else timezone.make_aware(value, local_tz())
    elif isinstance(value, datetime.date):
        due = end_of_day(value)
    else:
        raise InvalidInput(_("The answer date is not a date."), code="invalid", field="answer_due")
    if due <= now:
        raise InvalidInput(_("The answer date must lie in the future."), code="in_past", field="answer_due")
    return due


def case_ids(cases):
    ids = []
    for case in cases or ():
        pk = case.pk if isinstance(case, Case) else case
        if not isinstance(pk, int):
            raise InvalidInput(_("Some of the chosen cases do not exist."), code="not_found", field="cases")
        if pk not in ids:
            ids.append(pk)
    if not ids:
        raise InvalidInput(_("Choose at least one case."), code="required", field="cases")
    if len(ids) > MAX_NOTE_CASES:
        raise InvalidInput(
            _("%(count)s cases were chosen; a note names at most %(max)s.")
            % {"count": len(ids), "max": MAX_NOTE_CASES},
            code="too_many_cases", field="cases",
        )
    return ids


def _checked_unit(actor, unit):
    unit = resolve_unit(unit, "unit")
    if unit is None:
        raise InvalidInput(_("Choose the unit the note is addressed to."), code="required", field="unit")
    actor.require_covers(unit, field="unit")
    return unit


def _lock_for_note(actor, unit, ids):
    """The cases, locked in primary-key order (waiting for a user's action on
    one of them to finish), after checking each may be named in the note."""
    visible = set(visible_cases(actor.user).filter(pk__in=ids).values_list("pk", flat=True))
    if len(visible) < len(ids):
        raise InvalidInput(
            _("Some of the chosen cases do not exist or are outside your scope."), code="not_found", field="cases",
        )
    cases = list(Case.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for case in cases:
        if case.state not in CLOCK_STATES:
            raise InvalidState(
                _("Case %(number)s is %(state)s; a note is only about cases still being handled.")
                % {"number": case.number, "state": case.get_state_display()},
                field="cases",
            )
    cared = set(Case.objects.filter(pk__in=ids).filter(in_care_of(unit)).values_list("pk", flat=True))
    strangers = [c.number for c in cases if c.pk not in cared]
    if strangers:
        raise InvalidInput(
            _("%(unit)s neither received nor holds these cases: %(numbers)s.")
            % {"unit": unit, "numbers": "、".join(strangers)},
            code="not_in_unit_care", field="cases",
        )
    return cases


def create_note(kind, unit, cases, *, actor, reason, answer_due, now, source, source_key=None, warning_keys=None):
    """Number and write a note about ``cases`` (checked and locked by the
    caller) and a ``SUPERVISE`` event on each; ``actor`` None for the rules."""
    number, year, sequence = next_note_number(kind, now)
    note = SupervisionNote.objects.create(
        number=number, kind=kind, year=year, sequence=sequence, unit=unit, reason=reason,
        issued_by=actor.user if actor else None, issued_at=now, answer_due=answer_due, source=source,
        source_key=source_key,
    )
    warning_keys = warning_keys or {}
    SupervisionNoteCase.objects.bulk_create([
        SupervisionNoteCase(note=note, case=case, warning_key=warning_keys.get(case.pk, "")) for case in cases
    ])
    data = {"note": number, "kind": kind, "unit": unit.code, "answer_due": answer_due.isoformat(), "source": source}
    write_events(cases, A.SUPERVISE, actor=actor, unit=actor.unit if actor else None, note=reason, at=now, data=data)
    return note


def write_events(cases, action, *, actor, unit, note, at, data):
    """One event per case, as ``record_event`` writes it, in one INSERT (a
    sweep's note may name many cases)."""
    CaseEvent.objects.bulk_create([
        CaseEvent(case=case, action=action, actor=actor.user if actor else None, unit=unit, created_at=at,
                  from_state=case.state, to_state=case.state, note=note, data=data)
        for case in cases
    ])


# --- Services -----------------------------------------------------------------------------
def _issue(kind, unit, cases, *, actor, reason, answer_due, source):
    now = timezone.now()
    kind = check_choice(kind, Kind, "kind", _("note kind"))
    reason = require_text(reason, "reason", _("The reason and requirements"))
    answer_due = clean_answer_due(answer_due, now)
    ids = case_ids(cases)
    locked = _lock_for_note(actor, unit, ids)
    return create_note(kind, unit, locked, actor=actor, reason=reason, answer_due=answer_due, now=now, source=source)


@transaction.atomic
def issue_note(kind, unit, cases, *, acting_user, reason, answer_due):
    """Issue a reminder (``kind="reminder"``) or supervision note
    (``"supervision"``) to ``unit`` (a Unit, its code or id) about ``cases``
    (Case objects or ids). ``answer_due`` is an aware datetime or a date (the
    end of that day, local time). Returns the ``SupervisionNote``."""
    actor = Actor.of(acting_user)
    actor.require(*ISSUER_ROLES)
    unit = _checked_unit(actor, unit)
    return _issue(kind, unit, cases, actor=actor, reason=reason, answer_due=answer_due, source=Source.MANUAL)


@transaction.atomic
def issue_note_for_overdue(unit, *, acting_user, kind, reason, answer_due):
    """Issue a note to ``unit`` about all of its overdue cases the issuer can
    see (``overdue_cases``). A unit without overdue cases, or with more than
    ``MAX_NOTE_CASES``, gets an error on ``unit`` (the latter naming the
    count: such a backlog is not one note's matter; notes about chosen cases
    go through ``issue_note``). At most ``MAX_NOTE_CASES + 1`` ids are read."""
    actor = Actor.of(acting_user)
    actor.require(*ISSUER_ROLES)
    unit = _checked_unit(actor, unit)
    overdue = overdue_cases(unit, actor.user).order_by("pk").values_list("pk", flat=True)
    ids = list(overdue[:MAX_NOTE_CASES + 1])
    if not ids:
        raise InvalidInput(
            _("%(unit)s has no overdue cases.") % {"unit": unit}, code="no_overdue_cases", field="unit",
        )
    if len(ids) > MAX_NOTE_CASES:
        raise InvalidInput(
            _("%(unit)s has %(count)s overdue cases; a note names at most %(max)s. Issue notes about chosen cases "
              "instead.") % {"unit": unit, "count": overdue.count(), "max": MAX_NOTE_CASES},
            code="too_many_cases", field="unit",
        )
    return _issue(kind, unit, ids, actor=actor, reason=reason, answer_due=answer_due, source=Source.OVERDUE)


def _lock_note(note):
    try:
        return SupervisionNote.objects.select_for_update(nowait=True).select_related("unit").get(pk=note.pk)
    except SupervisionNote.DoesNotExist:
        raise InvalidInput(_("This note does not exist."), code="not_found", field="note") from None
    except DatabaseError:
        raise Conflict(
            _("Note %(number)s is being changed by someone else; reload and try again.") % {"number": note.number}
        ) from None


@transaction.atomic
def answer_note(note, *, acting_user, answer):
    """The addressed unit answers the note; the answer joins each case's dossier."""
    actor = Actor.of(acting_user)
    note = _lock_note(note)
    check_answer_note(note, actor)
    answer = require_text(answer, "answer", _("The answer"))
    now = timezone.now()
    late = now > note.answer_due
    note.state, note.answer, note.answered_by, note.answered_at = State.ANSWERED, answer, actor.user, now
    note.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    write_events(note.cases.order_by("pk"), A.ANSWER_NOTE, actor=actor, unit=note.unit, note=answer, at=now,
                 data={"note": note.number, "kind": note.kind, "late": late})
    return note


@transaction.atomic
def close_note(note, *, acting_user, comment=""):
    """The issuing side (a supervisor or dispatcher over the unit) accepts
    the answer and closes the note."""
    actor = Actor.of(acting_user)
    note = _lock_note(note)
    check_close_note(note, actor)
    note.state, note.closed_by, note.closed_at = State.CLOSED, actor.user, timezone.now()
    note.close_comment = (comment or "").strip()
    note.save(update_fields=["state", "closed_by", "closed_at", "close_comment"])
    return note


# --- Answer dates ------------------------------------------------------------------------
def sweep_answer_due(now):
    """The end of the ``SWEEP_ANSWER_WORKING_DAYS``-th working day after today."""
    day = to_local(now).date()
    cal = WorkCalendar.load(day.year, day.year + 1)
    return end_of_day(cal.add_working_days(day, SWEEP_ANSWER_WORKING_DAYS))


# The notes the warning sweep raises live in ``supervision_sweep``; the sweep's
# hook (``sweep.NOTES_HOOK``) names ``issue_notes_for_warnings`` here.
def __getattr__(name):
    if name == "issue_notes_for_warnings":
        from .supervision_sweep import issue_notes_for_warnings

        return issue_notes_for_warnings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
