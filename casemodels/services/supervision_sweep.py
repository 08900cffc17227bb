"""Supervision notes raised by the warning sweep (DESIGN §6): for rules with
``raise_reminder`` / ``raise_supervision``, one note per addressed unit and
kind for the warnings of one sweep, with no acting user, never twice for the
same warning. The notes themselves (numbers, scope, answering, closing) are
``casemodels.services.supervision``, which also makes
``issue_notes_for_warnings`` reachable under its own name (the sweep's hook)."""

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import Unit

from ..models import Case, SupervisionNote, SupervisionNoteCase
from .base import active_lead
from .inbox import CLOCK_STATES
from .supervision import Kind, Source, create_note, sweep_answer_due


def _warning_unit(warning, case, units):
    """The unit a warning's note goes to: the warning's own unit when it has
    one, else the unit holding the case, else the unit that received it.
    ``units`` caches the units read by id."""
    unit_id = getattr(warning, "unit_id", None)
    if not unit_id:
        lead = active_lead(case)
        unit_id = lead.unit_id if lead is not None else case.owner_unit_id
    if unit_id not in units:
        units[unit_id] = Unit.objects.get(pk=unit_id)
    return units[unit_id]


@transaction.atomic
def issue_notes_for_warnings(warnings, *, now=None):
    """Raise the notes the warning rules ask for (``raise_reminder``,
    ``raise_supervision``): for the warnings of one sweep, one note per
    addressed unit and kind, with no acting user. Returns the new notes.

    ``warnings`` are objects with ``pk``, ``rule`` (a ``WarningRule``) and
    ``case`` (or ``case_id``), and optionally ``unit_id`` (the unit the note
    goes to; by default the unit holding the case, else the one that
    received it). Cases no longer open are left out.

    Idempotent: each case row of a note keeps ``<warning id>:<kind>``
    (unique), so a warning already in a note of that kind is skipped; and the
    note's ``source_key`` is ``warnings:<kind>:<unit id>:<digest of the
    warning ids>``, so the same call made twice (a re-run after a crash)
    raises nothing the second time. When one call holds two warnings on the
    same case for the same unit and kind, the case appears once, under the
    first warning's key."""
    now = now or timezone.now()
    groups = {}  # (kind, unit id) -> {"unit", "keys": [...], "cases": {case pk: (case, key)}, "rules": [...]}
    units = {}
    for warning in warnings:
        rule = warning.rule
        kinds = [k for k, on in ((Kind.REMINDER, rule.raise_reminder), (Kind.SUPERVISION, rule.raise_supervision))
                 if on]
        if not kinds:
            continue
        case = getattr(warning, "case", None) or Case.objects.get(pk=warning.case_id)
        if case.state not in CLOCK_STATES:
            continue
        unit = _warning_unit(warning, case, units)
        for kind in kinds:
            group = groups.setdefault((kind, unit.pk), {"unit": unit, "keys": [], "cases": {}, "rules": []})
            key = f"{warning.pk}:{kind}"
            group["keys"].append(key)
            group["cases"].setdefault(case.pk, (case, key))
            if rule.name not in group["rules"]:
                group["rules"].append(rule.name)
    if not groups:
        return []
    all_keys = [key for group in groups.values() for key in group["keys"]]
    done = set(SupervisionNoteCase.objects.filter(warning_key__in=all_keys).values_list("warning_key", flat=True))
    answer_due = sweep_answer_due(now)
    notes = []
    for (kind, unit_id), group in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        digest = hashlib.sha1(",".join(sorted(group["keys"])).encode()).hexdigest()[:20]
        source_key = f"warnings:{kind}:{unit_id}:{digest}"
        fresh = [(case, key) for case, key in group["cases"].values() if key not in done]
        if not fresh or SupervisionNote.objects.filter(source_key=source_key).exists():
            continue
        fresh.sort(key=lambda item: item[0].pk)
        reason = _("Raised by the warning rules: %(rules)s. Cases: %(numbers)s.") % {
            "rules": "、".join(group["rules"]), "numbers": "、".join(case.number for case, _key in fresh),
        }
        notes.append(create_note(
            kind, group["unit"], [case for case, _key in fresh], actor=None, reason=reason, answer_due=answer_due,
            now=now, source=Source.WARNING, source_key=source_key,
            warning_keys={case.pk: key for case, key in fresh},
        ))
    return notes
