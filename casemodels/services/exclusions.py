"""Excluding a case from assessment after review (核减), and restoring it.

A unit may ask the centre to leave a case out of its figures (a request
beyond law or policy, a citizen who cannot be satisfied, a duty that is not
the unit's); a supervisor or an administrator of the centre decides. An
excluded case counts in no assessment figure of any unit, in any round
(``casemodels.services.assessment``); the roll-up catches up at its next
refresh, as with any other change. Each action writes its event to the
dossier with the reason as its note: EXCLUDE (``data.excluded`` true) and
RESTORE (``data.excluded`` false: a reader that tells the two apart by
``data`` alone, as before RESTORE existed, still reads them right).

The exclusion is a row of its own (``AssessmentExclusion``, see
``casemodels.models.rollups`` for why)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AssessmentExclusion, Assignment, CaseEvent
from .base import R, Actor, InvalidState, lock_case, record_event, require_text, save_case
from .visibility import sees_every_case, visible_cases


def is_excluded(case):
    return AssessmentExclusion.objects.filter(case_id=case.pk).exists()


def visible_exclusions(user):
    """The exclusions of the cases ``user`` may see (``visible_cases``)."""
    if sees_every_case(user):
        return AssessmentExclusion.objects.all()
    return AssessmentExclusion.objects.filter(case__in=visible_cases(user))


def _check_reviewer(case, actor):
    actor.require(R.SUPERVISOR, R.ADMINISTRATOR)
    actor.require_covers(case.owner_unit)


def check_exclude(case, actor):
    """A supervisor or administrator over the case; a case that went to a
    unit (there is something to exclude) and is not excluded yet."""
    _check_reviewer(case, actor)
    if not case.assignments.filter(role=Assignment.Role.LEAD).exists():
        raise InvalidState(
            _("Case %(number)s was never dispatched to a unit; it has no assessment to be excluded from.")
            % {"number": case.number},
            code="not_dispatched",
        )
    if is_excluded(case):
        raise InvalidState(
            _("Case %(number)s is already excluded from assessment.") % {"number": case.number},
            code="already_excluded",
        )


def check_restore(case, actor):
    """A supervisor or administrator over the case; an excluded case."""
    _check_reviewer(case, actor)
    if not is_excluded(case):
        raise InvalidState(
            _("Case %(number)s is not excluded from assessment.") % {"number": case.number}, code="not_excluded",
        )


@transaction.atomic
def exclude_from_assessment(case, *, acting_user, reason, expected_version=None):
    """Leave ``case`` out of every assessment figure (核减), for ``reason``;
    the dossier gets an EXCLUDE event."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_exclude(case, actor)
    reason = require_text(reason, "reason", _("The reason for the exclusion"))
    now = timezone.now()
    AssessmentExclusion.objects.create(case=case, reason=reason, excluded_by=actor.user, excluded_at=now)
    case.version += 1
    save_case(case)
    record_event(case, CaseEvent.Action.EXCLUDE, actor=actor, from_state=case.state, note=reason, at=now,
                 data={"excluded": True})
    return case


@transaction.atomic
def restore_to_assessment(case, *, acting_user, reason, expected_version=None):
    """Count an excluded case again (the exclusion was wrong), for ``reason``;
    the dossier gets a RESTORE event."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_restore(case, actor)
    reason = require_text(reason, "reason", _("The reason for restoring the case"))
    now = timezone.now()
    AssessmentExclusion.objects.filter(case_id=case.pk).delete()
    case.version += 1
    save_case(case)
    record_event(case, CaseEvent.Action.RESTORE, actor=actor, from_state=case.state, note=reason, at=now,
                 data={"excluded": False})
    return case
