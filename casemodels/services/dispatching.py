"""Moving a case between units: dispatch, sign, sub-dispatch down, whistle
up, return a wrong dispatch (reviewed), second dispatch."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import Unit

from ..models import Assignment, CaseEvent, CaseState, ClockPause, ReturnRequest
from ..models.requests import ReviewState
from . import deadlines
from .base import (
    R, Actor, InvalidInput, InvalidState, NotAllowed, active_lead, actor_lead_assignment, lock_case,
    record_event, require_state, require_text, save_case, set_state,
)
from .cleanup import withdraw_pending_extensions
from .routing import route_by_directory

A = CaseEvent.Action
S = Assignment.State


def resolve_unit(value, field):
    """A unit given as itself, its code (str) or its id (int); must be active."""
    if value is None or isinstance(value, Unit):
        unit = value
    else:
        # Codes are strings (often all digits, like region codes); ids are ints.
        unit = Unit.objects.filter(**{"pk" if isinstance(value, int) else "code": value}).first()
        if unit is None:
            raise InvalidInput(_("Unknown unit “%(value)s”.") % {"value": value}, code="unknown", field=field)
    if unit is not None and not unit.is_active:
        raise InvalidInput(_("Unit “%(unit)s” is not active.") % {"unit": unit}, code="inactive", field=field)
    return unit


def _assign(case, unit, *, actor, now, role=Assignment.Role.LEAD, parent=None):
    return Assignment.objects.create(
        case=case, unit=unit, role=role, parent=parent, round=case.round, state=S.PENDING,
        dispatched_by=actor.user, dispatched_at=now, sign_due=deadlines.assignment_sign_due(case, now),
        reply_due=case.reply_due,
    )


def _dispatch(case, actor, unit, co_units, now):
    """Create the lead and co-handling assignments of a (re)dispatch."""
    if unit is None:
        unit, routed_co = route_by_directory(case.directory_item, case.region)
        co_units = list(co_units) or routed_co
    actor.require_covers(unit, field="unit")
    for co in co_units:
        actor.require_covers(co, field="co_units")
    case.dispatched_at = now
    deadlines.apply_deadlines(case, now=now)
    lead = _assign(case, unit, actor=actor, now=now)
    for co in co_units:
        if co.pk != unit.pk:
            _assign(case, co, actor=actor, now=now, role=Assignment.Role.CO)
    return lead, [c for c in co_units if c.pk != unit.pk]


# --- Guards: who may take an action on a case in its present state. Each
# service calls its guard after locking the case; ``permissions.available_actions``
# calls the same guards to decide which buttons the workbench shows.

def check_dispatch(case, actor):
    actor.require(R.DISPATCHER)
    actor.require_covers(case.owner_unit)
    require_state(case, CaseState.RECEIVED)


def check_sign(case, actor):
    """The actor's unit's assignment waiting to be signed for."""
    actor.require(R.HANDLER, R.UNIT_LEADER, R.DISPATCHER)
    mine = case.assignments.filter(unit=actor.unit, state__in=Assignment.ACTIVE_STATES).order_by("-id").first()
    if mine is None:
        raise NotAllowed(_("Your unit does not hold case %(number)s.") % {"number": case.number}, code="not_your_case")
    if mine.state != S.PENDING:
        raise InvalidState(_("Your unit has already signed for case %(number)s.") % {"number": case.number})
    if mine.role == Assignment.Role.LEAD:
        require_state(case, CaseState.DISPATCHED)
    return mine


def check_sub_dispatch(case, actor):
    """The actor's unit's signed lead assignment (the parent of the sub-dispatch)."""
    actor.require(R.DISPATCHER, R.UNIT_LEADER, R.HANDLER)
    require_state(case, CaseState.HANDLING)
    parent = actor_lead_assignment(case, actor, S.SIGNED)
    if not parent.unit.children.filter(is_active=True).exists():
        raise InvalidInput(
            _("A case can only be sub-dispatched to a unit below %(unit)s.") % {"unit": parent.unit},
            code="not_below", field="unit",
        )
    return parent


def check_escalate(case, actor):
    """The actor's unit's lead assignment, which must have a unit above it."""
    actor.require(R.DISPATCHER, R.UNIT_LEADER, R.HANDLER)
    require_state(case, CaseState.DISPATCHED, CaseState.HANDLING)
    current = actor_lead_assignment(case, actor, S.PENDING, S.SIGNED)
    if current.unit.parent_id is None:
        raise InvalidInput(
            _("A whistle goes to a unit above %(unit)s.") % {"unit": current.unit}, code="not_above", field="unit",
        )
    return current


def check_request_return(case, actor):
    actor.require(R.UNIT_LEADER, R.HANDLER, R.DISPATCHER)
    require_state(case, CaseState.DISPATCHED, CaseState.HANDLING)
    return actor_lead_assignment(case, actor, S.PENDING, S.SIGNED)


def check_review_return(case, actor):
    """The return request waiting for the actor's review."""
    require_state(case, CaseState.DISPATCHED, CaseState.HANDLING)
    request = case.return_requests.filter(state=ReviewState.PENDING).select_related("assignment__parent__unit").first()
    if request is None:
        raise InvalidState(_("Case %(number)s has no return waiting for review.") % {"number": case.number})
    _reviewer_for(case, actor, request.assignment)
    return request


def check_redispatch(case, actor):
    actor.require(R.DISPATCHER)
    actor.require_covers(case.owner_unit)
    require_state(case, CaseState.REPLIED)
    if not case.is_unsatisfied:
        raise InvalidState(
            _("Only a case whose return visit was unsatisfied or unresolved can be dispatched a second time.")
        )
    if active_lead(case) is not None:
        raise InvalidState(_("Case %(number)s is still held by a unit.") % {"number": case.number})


@transaction.atomic
def dispatch_case(case, *, acting_user, unit=None, co_units=(), handler=None, note="", expected_version=None):
    """Dispatch (派单) to a unit, or by the directory item's routing when no
    unit is given; ``handler`` (a staff member of the lead unit, or their
    id) names who in it is to handle the case."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_dispatch(case, actor)
    unit = resolve_unit(unit, "unit")
    co_units = [resolve_unit(c, "co_units") for c in co_units]
    return dispatch_checked(case, actor, unit, co_units, handler=handler, note=note)


def dispatch_checked(case, actor, unit, co_units, *, handler=None, note="", data=None, now=None):
    """The dispatch itself, for a locked case its guard let through."""
    now = now or timezone.now()
    lead, co_units = _dispatch(case, actor, unit, co_units, now)
    if handler is not None:
        lead.handler = resolve_handler(handler, lead.unit)
        lead.save(update_fields=["handler"])
    before = case.state
    set_state(case, CaseState.DISPATCHED)
    save_case(case, "dispatched_at", "policy", *deadlines.DEADLINE_FIELDS)
    record_event(case, A.DISPATCH, actor=actor, from_state=before, note=note, at=now,
                 data={"unit": lead.unit.code, "co_units": [c.code for c in co_units],
                       "by_directory": unit is None, **({"handler": lead.handler.name} if lead.handler else {}),
                       **(data or {})})
    return case


def resolve_handler(value, unit):
    """A staff member (itself or their id) who is active and works in ``unit``."""
    from snippets.models import StaffProfile

    person = value
    if not isinstance(value, StaffProfile):
        text = str(value).strip()
        valid = text.isascii() and text.isdecimal() and len(text) <= 18
        person = StaffProfile.objects.filter(pk=int(text)).first() if valid else None
    if person is None:
        raise InvalidInput(_("Unknown staff member “%(value)s”.") % {"value": value}, code="unknown", field="handler")
    if not person.is_active or person.unit_id != unit.pk:
        raise InvalidInput(
            _("%(person)s is not an active staff member of %(unit)s.") % {"person": person.name, "unit": unit},
            code="not_in_unit", field="handler",
        )
    return person


@transaction.atomic
def sign_case(case, *, acting_user, expected_version=None):
    """Sign for (签收) the assignment the actor's unit holds. When the lead
    unit signs, the case is in hand."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    mine = check_sign(case, actor)
    now = timezone.now()
    mine.state, mine.signed_at = S.SIGNED, now
    mine.save(update_fields=["state", "signed_at"])
    before = case.state
    if mine.role == Assignment.Role.LEAD:
        set_state(case, CaseState.HANDLING)
    else:
        case.version += 1
    save_case(case)
    record_event(case, A.SIGN, actor=actor, from_state=before, at=now, data={"role": mine.role})
    return case


@transaction.atomic
def sub_dispatch_case(case, *, acting_user, unit, note="", expected_version=None):
    """Sub-dispatch (转派) down to a unit below the actor's own."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    parent = check_sub_dispatch(case, actor)
    unit = resolve_unit(unit, "unit")
    if unit is None or unit.pk == parent.unit.pk or not unit.is_descendant_of(parent.unit):
        raise InvalidInput(
            _("A case can only be sub-dispatched to a unit below %(unit)s.") % {"unit": parent.unit},
            code="not_below", field="unit",
        )
    now = timezone.now()
    withdraw_pending_extensions(case, now, _("Withdrawn: the case was sub-dispatched."))
    parent.state = S.SUB_DISPATCHED
    parent.save(update_fields=["state"])
    child = _assign(case, unit, actor=actor, now=now, parent=parent)
    before = case.state
    set_state(case, CaseState.DISPATCHED)
    save_case(case)
    record_event(case, A.SUB_DISPATCH, actor=actor, from_state=before, note=note, at=now,
                 data={"from": parent.unit.code, "to": child.unit.code})
    return case


@transaction.atomic
def escalate_case(case, *, acting_user, reason, unit=None, expected_version=None):
    """Blow the whistle (吹哨): hand the case up to a unit above the actor's
    own (default: the parent unit). If that unit had sub-dispatched the case,
    it takes it back in hand."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    current = check_escalate(case, actor)
    reason = require_text(reason, "reason", _("The reason for the whistle"))
    target = resolve_unit(unit, "unit") or current.unit.parent
    if target is None or target.pk == current.unit.pk or not current.unit.is_descendant_of(target):
        raise InvalidInput(
            _("A whistle goes to a unit above %(unit)s.") % {"unit": current.unit}, code="not_above", field="unit",
        )
    now = timezone.now()
    withdraw_pending_extensions(case, now, _("Withdrawn: the case was escalated."))
    current.state, current.finished_at = S.ESCALATED, now
    current.save(update_fields=["state", "finished_at"])
    before = case.state
    # Units passed over on the way up (a village whistling straight to the
    # city) hand the case on as well.
    parent = current.parent
    while parent is not None and parent.unit_id != target.pk and parent.unit.is_descendant_of(target):
        parent.state, parent.finished_at = S.ESCALATED, now
        parent.save(update_fields=["state", "finished_at"])
        parent = parent.parent
    if parent is not None and parent.unit_id == target.pk:
        parent.state = S.SIGNED
        parent.save(update_fields=["state"])
        set_state(case, CaseState.HANDLING)
    else:
        _assign(case, target, actor=actor, now=now)
        set_state(case, CaseState.DISPATCHED)
    save_case(case)
    record_event(case, A.ESCALATE, actor=actor, from_state=before, note=reason, at=now,
                 data={"from": current.unit.code, "to": target.code})
    return case


@transaction.atomic
def request_return(case, *, acting_user, reason, expected_version=None):
    """Return a wrong dispatch (退单). The clock pauses during the review."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    lead = check_request_return(case, actor)
    reason = require_text(reason, "reason", _("The reason for the return"))
    now = timezone.now()
    ReturnRequest.objects.create(
        case=case, assignment=lead, unit=lead.unit, reason=reason, requested_by=actor.user, requested_at=now,
    )
    lead.state = S.RETURN_REQUESTED
    lead.save(update_fields=["state"])
    deadlines.start_pause(case, ClockPause.Reason.RETURN_REVIEW, now)
    case.version += 1
    save_case(case, "paused_since")
    record_event(case, A.REQUEST_RETURN, actor=actor, from_state=case.state, note=reason, at=now)
    return case


def _reviewer_for(case, actor, assignment):
    """The unit that dispatched the assignment reviews its return: the
    parent assignment's unit for a sub-dispatch, else the case owner's dispatchers."""
    if assignment.parent is not None:
        actor.require(R.DISPATCHER, R.UNIT_LEADER)
        if not (actor.is_superuser or actor.is_unit(assignment.parent.unit)):
            raise NotAllowed(_("Only %(unit)s can review this return.") % {"unit": assignment.parent.unit})
    else:
        actor.require(R.DISPATCHER)
        actor.require_covers(case.owner_unit)


@transaction.atomic
def review_return(case, *, acting_user, approve, note="", expected_version=None):
    """Approve a return (the case goes back to be dispatched again, 改派) or
    reject it (the unit keeps the case)."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    request = check_review_return(case, actor)
    assignment = request.assignment
    if not approve:
        note = require_text(note, "note", _("The reason for rejecting"))
    now = timezone.now()
    request.state = ReviewState.APPROVED if approve else ReviewState.REJECTED
    request.reviewed_by, request.reviewed_at, request.review_note = actor.user, now, note
    request.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
    deadlines.end_pause(case, ClockPause.Reason.RETURN_REVIEW, now)
    before = case.state
    if approve:
        withdraw_pending_extensions(case, now, _("Withdrawn: the case was returned."))
        assignment.state, assignment.finished_at = S.RETURNED, now
        assignment.save(update_fields=["state", "finished_at"])
        if assignment.parent is not None:
            assignment.parent.state = S.SIGNED
            assignment.parent.save(update_fields=["state"])
            set_state(case, CaseState.HANDLING)
        else:
            case.assignments.filter(state__in=Assignment.ACTIVE_STATES).update(state=S.WITHDRAWN, finished_at=now)
            set_state(case, CaseState.RECEIVED)
    else:
        assignment.state = S.SIGNED if assignment.signed_at else S.PENDING
        assignment.save(update_fields=["state"])
        case.version += 1
    deadlines.apply_deadlines(case, now=now)
    save_case(case, "paused_since", *deadlines.DEADLINE_FIELDS)
    deadlines.sync_lead_assignments(case)
    record_event(case, A.REVIEW_RETURN, actor=actor, from_state=before, note=note, at=now,
                 data={"approved": bool(approve), "unit": assignment.unit.code})
    return case


def previous_lead_unit(case):
    """The active unit that led the last round at the top level, if any."""
    last = case.assignments.filter(role=Assignment.Role.LEAD, parent__isnull=True).order_by("-id").first()
    return last.unit if last is not None and last.unit.is_active else None


def second_dispatch(case, actor, unit, now, note=""):
    """Round + 1 (二次派单): a new lead assignment, to the last lead unit by
    default; the deadlines restart from now. The caller holds the lock."""
    unit = unit or previous_lead_unit(case)
    if unit is None:
        raise InvalidInput(_("Choose the unit for the second dispatch."), code="required", field="unit")
    actor.require_covers(unit, field="unit")
    before = case.state
    case.round += 1
    set_state(case, CaseState.DISPATCHED)
    case.reply, case.replied_at, case.dispatched_at = "", None, now
    # The REDISPATCH event is the start of the new round's clock.
    record_event(case, A.REDISPATCH, actor=actor, from_state=before, note=note, at=now,
                 data={"unit": unit.code, "round": case.round})
    deadlines.apply_deadlines(case, now=now)
    _assign(case, unit, actor=actor, now=now)
    save_case(case, "round", "reply", "replied_at", "dispatched_at", *deadlines.DEADLINE_FIELDS)
    return case


@transaction.atomic
def redispatch_case(case, *, acting_user, unit=None, note="", expected_version=None):
    """Second dispatch of a replied case the citizen was not satisfied with."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_redispatch(case, actor)
    return second_dispatch(case, actor, resolve_unit(unit, "unit"), timezone.now(), note=note)
