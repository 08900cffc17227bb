"""Loose ends a case must not keep when its handling ends or moves."""

from django.utils.translation import gettext as _

from ..models import Assignment, ClockPause, ExtensionRequest, ReturnRequest
from ..models.requests import ReviewState
from . import deadlines


def withdraw_pending_extensions(case, now, note):
    """A pending extension belongs to the unit that asked; when the case
    leaves that unit (or is replied) the request is moot."""
    ExtensionRequest.objects.filter(case=case, state=ReviewState.PENDING).update(
        state=ReviewState.WITHDRAWN, reviewed_at=now, review_note=note,
    )


def close_open_work(case, now):
    """For a case that stops being handled (merged, diverted, invalid,
    answered on the spot): withdraw pending returns and extensions, end every
    clock pause and withdraw the assignments still open. The caller saves the
    case (``paused_since`` changes)."""
    note = _("Withdrawn: the case was %(state)s.") % {"state": case.get_state_display()}
    withdraw_pending_extensions(case, now, note)
    ReturnRequest.objects.filter(case=case, state=ReviewState.PENDING).update(
        state=ReviewState.WITHDRAWN, reviewed_at=now, review_note=note,
    )
    for reason in ClockPause.Reason.values:
        deadlines.end_pause(case, reason, now)
    case.assignments.filter(state__in=(*Assignment.ACTIVE_STATES, Assignment.State.SUB_DISPATCHED)).update(
        state=Assignment.State.WITHDRAWN, finished_at=now,
    )
