"""Supervision notes (提示单 / 督办单) and progress posts in the staff API:
types, the notes a staff member may read, and thin mutations into
``casemodels.services.supervision`` and ``progress``. A note is found by its
number among ``notes_for(user)``; its cases are listed only as far as the
asker may see them."""

import graphene
from django.utils.translation import gettext as _

from casemodels.services.progress import post_progress
from casemodels.services.supervision import (
    answer_note, close_note, issue_note, issue_note_for_overdue, notes_for,
)
from casemodels.services.visibility import visible_cases

from ..core.errors import REFUSALS, Error, error, errors_from
from .lookup import find_case, staff
from .mutations.base import CaseMutation, Refused, signed_out
from .types import UnitRef

MAX_NOTES = 100


class SupervisionNoteType(graphene.ObjectType):
    class Meta:
        name = "SupervisionNote"

    number = graphene.String(required=True, description="e.g. 督办〔2025〕12号")
    kind = graphene.String(required=True, description="reminder (提示单) or supervision (督办单)")
    kind_label = graphene.String(required=True)
    state = graphene.String(required=True, description="issued, answered or closed")
    unit = graphene.Field(UnitRef, required=True, description="The unit it is addressed to.")
    reason = graphene.String(required=True)
    issued_at = graphene.DateTime(required=True)
    answer_due = graphene.DateTime(required=True)
    overdue = graphene.Boolean(required=True, description="Still unanswered after answerDue.")
    answer = graphene.String(required=True)
    answered_at = graphene.DateTime()
    cases = graphene.List(graphene.NonNull(graphene.String), required=True,
                          description="The numbers of its cases that you may see.")

    def resolve_kind_label(self, info):
        return str(self.get_kind_display())

    def resolve_overdue(self, info):
        return self.answer_overdue

    def resolve_cases(self, info):
        seen = visible_cases(staff(info)).filter(note_cases__note=self)
        return list(seen.order_by("number").values_list("number", flat=True))


def find_note(info, number):
    user = staff(info)
    if user is None or not number:
        return None
    return notes_for(user).select_related("unit").filter(number=number.strip()).first()


class NotePayload(graphene.ObjectType):
    """The note as it is now, or why nothing was done."""

    note = graphene.Field(SupervisionNoteType)
    errors = graphene.List(graphene.NonNull(Error), required=True)


def note_mutation(perform):
    """The shared steps of the note mutations: staff only, refusals as typed errors."""

    def mutate(root, info, **arguments):
        user = staff(info)
        if user is None:
            return NotePayload(note=None, errors=[signed_out(info)])
        try:
            note = perform(info, user, **{k: v for k, v in arguments.items() if v is not None})
        except Refused as exc:
            return NotePayload(note=None, errors=exc.errors)
        except REFUSALS as exc:
            return NotePayload(note=None, errors=errors_from(exc))
        return NotePayload(note=note, errors=[])

    return mutate


def _note_or_refuse(info, number):
    note = find_note(info, number)
    if note is None:
        raise Refused(error("not_found", _("There is no supervision note with this number."), "number"))
    return note


def _issue(info, user, numbers, unit, kind, reason, answer_due):
    cases = []
    for number in numbers:
        case = find_case(info, number)
        if case is None:
            raise Refused(error("not_found", _("There is no case numbered “%(number)s”.") % {"number": number[:40]},
                                "numbers"))
        cases.append(case)
    return issue_note(kind, unit, cases, acting_user=user, reason=reason, answer_due=answer_due)


def _issue_overdue(info, user, unit, kind, reason, answer_due):
    return issue_note_for_overdue(unit, acting_user=user, kind=kind, reason=reason, answer_due=answer_due)


def _answer(info, user, number, answer):
    return answer_note(_note_or_refuse(info, number), acting_user=user, answer=answer)


def _close(info, user, number, comment=""):
    return close_note(_note_or_refuse(info, number), acting_user=user, comment=comment)


NOTE_KIND = "reminder (提示单) or supervision (督办单)"
SupervisionQueryArgs = dict(
    state=graphene.String(description="issued, answered or closed"),
    first=graphene.Int(default_value=20, description=f"At most {MAX_NOTES}."),
)


class SupervisionQuery(graphene.ObjectType):
    supervision_notes = graphene.List(
        graphene.NonNull(SupervisionNoteType), required=True, **SupervisionQueryArgs,
        description="The notes addressed to your unit or below it, and those you issued; newest first.",
    )
    supervision_note = graphene.Field(SupervisionNoteType, number=graphene.String(required=True))

    def resolve_supervision_notes(self, info, state=None, first=20):
        user = staff(info)
        if user is None:
            return []
        notes = notes_for(user).select_related("unit").order_by("-issued_at", "-pk")
        if state:
            notes = notes.filter(state=state)
        return notes[:max(1, min(first or 20, MAX_NOTES))]

    def resolve_supervision_note(self, info, number):
        return find_note(info, number)


def _note_field(perform, description, **arguments):
    return graphene.Field(NotePayload, required=True, resolver=note_mutation(perform), description=description,
                          **arguments)


class PostProgress(CaseMutation):
    """Post progress on a case your unit handles (进展反馈): cases with a long
    time limit must do so at their policy's interval, or a warning is raised."""

    class Arguments:
        note = graphene.String(required=True, description="What has been done so far; not empty.")

    service = staticmethod(post_progress)


class SupervisionMutation(graphene.ObjectType):
    supervise_case = _note_field(
        _issue, "Issue a reminder or supervision note to a unit about one case or several (supervisors, "
        "dispatchers); the unit must answer by answerDue.",
        numbers=graphene.List(graphene.NonNull(graphene.String), required=True, description="The cases' numbers."),
        unit=graphene.String(required=True, description="The code of the unit it is addressed to."),
        kind=graphene.String(required=True, description=NOTE_KIND),
        reason=graphene.String(required=True), answer_due=graphene.DateTime(required=True),
    )
    supervise_overdue_cases = _note_field(
        _issue_overdue, "Issue a note to a unit about all of its overdue cases that you may see.",
        unit=graphene.String(required=True), kind=graphene.String(required=True, description=NOTE_KIND),
        reason=graphene.String(required=True), answer_due=graphene.DateTime(required=True),
    )
    answer_supervision_note = _note_field(
        _answer, "Answer a note addressed to your unit; the answer joins each case's dossier.",
        number=graphene.String(required=True), answer=graphene.String(required=True),
    )
    close_supervision_note = _note_field(
        _close, "Accept a note's answer and close it (the issuing side).",
        number=graphene.String(required=True), comment=graphene.String(),
    )
    post_progress = PostProgress.Field()
