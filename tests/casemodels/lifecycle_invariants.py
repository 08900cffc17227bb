"""The invariants the lifecycle property test (``test_lifecycle_stateful``)
checks after every step: one case's state, fields, assignments, event chain
and deadlines agree; ``event_row`` is what must never change in an event."""

from casemodels.models import Assignment, CaseEvent, CaseState
from casemodels.services import deadlines

CLOSED_STATES = (CaseState.CLOSED, CaseState.ARCHIVED)
ENDED_STATES = (CaseState.MERGED, CaseState.DIVERTED, CaseState.INVALID)
OPEN = tuple(s for s in CaseState.values if s not in CLOSED_STATES + ENDED_STATES)


def event_row(event):
    return (event.case_id, event.action, event.from_state, event.to_state, event.actor_id, event.unit_id,
            event.created_at, event.note)


def check_case(case):
    """One case's state, fields, assignments, events and deadlines agree."""
    assert case.state in CaseState.values, case.state
    where = f"{case.number} ({case.state})"
    events = list(case.events.order_by("created_at", "id"))
    assert events and events[0].action == CaseEvent.Action.REGISTER, where
    previous = events[0].to_state
    for event in events[1:]:
        assert event.from_state == previous, f"{where}: {event.action} from {event.from_state}, was {previous}"
        previous = event.to_state
    assert previous == case.state, f"{where}: the last event leaves it {previous}"

    # A merged case lives on in its primary: it is not closed (no closed_at); the other ends close it.
    if case.state != CaseState.MERGED:
        assert (case.closed_at is not None) == (case.state in CLOSED_STATES + ENDED_STATES), where
    if case.state == CaseState.REPLIED:
        assert case.replied_at is not None, where
    assert (case.merged_into_id is not None) == (case.state == CaseState.MERGED), where
    assert bool(case.divert_route) == (case.state == CaseState.DIVERTED), where

    leads = case.assignments.filter(role=Assignment.Role.LEAD, state__in=Assignment.ACTIVE_STATES)
    if case.state in (CaseState.DISPATCHED, CaseState.HANDLING):
        assert leads.count() == 1, f"{where}: {leads.count()} active lead assignments"
        assert case.dispatched_at is not None, where
    else:
        assert not leads.exists(), f"{where}: an active lead assignment remains"
    # a unit may ask for a return before or after signing for the case
    if case.state == CaseState.DISPATCHED:
        assert leads.get().state in (Assignment.State.PENDING, Assignment.State.RETURN_REQUESTED), where
    if case.state == CaseState.HANDLING:
        assert leads.get().state in (Assignment.State.SIGNED, Assignment.State.RETURN_REQUESTED), where

    open_pauses = case.pauses.filter(ended_at__isnull=True).order_by("started_at")
    if case.state in OPEN:
        first = open_pauses.first()
        assert case.paused_since == (first.started_at if first else None), where
        expected = deadlines.compute_deadlines(case)
        stored = {name: getattr(case, name) for name in expected}
        assert stored == expected, f"{where}: deadlines {stored} but the history gives {expected}"
        # the lead assignment carries the case's reply deadline (deadlines.sync_lead_assignments)
        for lead in leads:
            assert lead.reply_due == case.reply_due, f"{where}: {lead} due {lead.reply_due}, case {case.reply_due}"
    else:
        assert not open_pauses.exists(), f"{where}: a clock pause is still open"
