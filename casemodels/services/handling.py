"""Handling and finishing a case: extension, reply, return visit, close,
archive, consultation. What else belongs to return visits (closing without
a visit by policy, attempts to reach the citizen, explained closures) is in
``visits``."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Assignment, CaseEvent, CaseState, ClockPause, Consultation, ExtensionRequest, ReturnVisit, Satisfaction,
    VisitMethod,
)
from ..models.requests import ReviewState
from . import deadlines
from .cleanup import withdraw_pending_extensions
from .base import (
    R, Actor, InvalidInput, InvalidState, check_choice, actor_lead_assignment, lock_case, record_event, require_state,
    require_text, save_case, set_state,
)
from .dispatching import previous_lead_unit, resolve_unit, second_dispatch
from .visits import (
    EXPLAINED, check_citizen_rating, close_by_policy, closes_without_visit, rule_actor, sent_to_review,
)

A = CaseEvent.Action
S = Assignment.State
MAX_EXTENSION_DAYS = 30


# --- Guards: who may take an action on a case in its present state. Each
# service calls its guard after locking the case; ``permissions.available_actions``
# calls the same guards to decide which buttons the workbench shows.

def check_request_extension(case, actor):
    """The actor's unit's signed lead assignment; no other request pending."""
    actor.require(R.HANDLER, R.UNIT_LEADER)
    require_state(case, CaseState.HANDLING)
    lead = actor_lead_assignment(case, actor, S.SIGNED)
    if case.extension_requests.filter(state=ReviewState.PENDING).exists():
        raise InvalidState(_("An extension request is already waiting for review."))
    return lead


def check_review_extension(case, actor):
    """The extension request waiting for the actor's review."""
    actor.require(R.DISPATCHER)
    actor.require_covers(case.owner_unit)
    require_state(case, CaseState.HANDLING)
    request = case.extension_requests.filter(state=ReviewState.PENDING).select_related("assignment").first()
    if request is None:
        raise InvalidState(_("Case %(number)s has no extension waiting for review.") % {"number": case.number})
    if request.assignment.state != S.SIGNED:
        raise InvalidState(_("The unit that asked for this extension no longer holds the case."))
    return request


def check_reply(case, actor):
    actor.require(R.HANDLER, R.UNIT_LEADER)
    require_state(case, CaseState.HANDLING)
    return actor_lead_assignment(case, actor, S.SIGNED)


def _centre_staff(case, actor, *roles, states):
    actor.require(*roles)
    actor.require_covers(case.owner_unit)
    require_state(case, *states)


def check_return_visit(case, actor):
    _centre_staff(case, actor, R.VISITOR, R.DISPATCHER, states=(CaseState.REPLIED,))


def check_close(case, actor):
    _centre_staff(case, actor, R.DISPATCHER, states=(CaseState.REPLIED,))


def check_archive(case, actor):
    _centre_staff(case, actor, R.DISPATCHER, R.ADMINISTRATOR, states=(CaseState.CLOSED,))


def check_consultation(case, actor):
    _centre_staff(
        case, actor, R.DISPATCHER, R.SUPERVISOR,
        states=(CaseState.RECEIVED, CaseState.DISPATCHED, CaseState.HANDLING, CaseState.REPLIED),
    )


@transaction.atomic
def request_extension(case, *, acting_user, working_days, reason, expected_version=None):
    """Ask for more working days (延期); a dispatcher approves or rejects."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    lead = check_request_extension(case, actor)
    try:
        working_days = int(working_days)
    except (TypeError, ValueError):
        working_days = 0
    if not 1 <= working_days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(
            _("An extension is between 1 and %(max)s working days.") % {"max": MAX_EXTENSION_DAYS},
            code="out_of_range", field="working_days",
        )
    reason = require_text(reason, "reason", _("The reason for the extension"))
    now = timezone.now()
    ExtensionRequest.objects.create(
        case=case, assignment=lead, unit=lead.unit, reason=reason, working_days=working_days,
        requested_by=actor.user, requested_at=now,
    )
    case.version += 1
    save_case(case)
    record_event(case, A.REQUEST_EXTENSION, actor=actor, from_state=case.state, note=reason, at=now,
                 data={"working_days": working_days})
    return case


@transaction.atomic
def review_extension(case, *, acting_user, approve, note="", expected_version=None):
    """Approve (the reply and completion deadlines move) or reject an extension."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    request = check_review_extension(case, actor)
    if not approve:
        note = require_text(note, "note", _("The reason for rejecting"))
    now = timezone.now()
    request.state = ReviewState.APPROVED if approve else ReviewState.REJECTED
    request.reviewed_by, request.reviewed_at, request.review_note = actor.user, now, note
    request.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
    case.version += 1
    if approve:
        deadlines.apply_deadlines(case, now=now)
        deadlines.sync_lead_assignments(case)
    save_case(case, *deadlines.DEADLINE_FIELDS)
    record_event(case, A.REVIEW_EXTENSION, actor=actor, from_state=case.state, note=note, at=now,
                 data={"approved": bool(approve), "working_days": request.working_days})
    return case


@transaction.atomic
def reply_case(case, *, acting_user, reply, expected_version=None):
    """The lead unit replies (反馈) with what it did; the case awaits its
    return visit, or closes at once when its policy closes such cases
    without a visit (``visits.close_by_policy``)."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    lead = check_reply(case, actor)
    reply = require_text(reply, "reply", _("The reply"))
    now = timezone.now()
    # A reply ends the wait for the citizen and makes a pending extension moot.
    deadlines.end_pause(case, ClockPause.Reason.AWAITING_CITIZEN, now)
    withdraw_pending_extensions(case, now, _("Withdrawn: the unit replied."))
    case.assignments.filter(
        round=case.round, state__in=(*Assignment.ACTIVE_STATES, S.SUB_DISPATCHED)
    ).update(state=S.REPLIED, finished_at=now)
    before = case.state
    case.reply, case.replied_at = reply, now
    set_state(case, CaseState.REPLIED)
    save_case(case, "reply", "replied_at", "paused_since")
    record_event(case, A.REPLY, actor=actor, unit=lead.unit, from_state=before, note=reply, at=now)
    if closes_without_visit(case):
        close_by_policy(case, actor, now)
    return case


@transaction.atomic
def record_return_visit(
    case, *, acting_user, satisfaction, resolved, method=VisitMethod.PHONE, note="", redispatch=True,
    expected_version=None, citizen=False,
):
    """Record the citizen's verdict (回访). Satisfied and resolved closes the
    case; otherwise it joins the unsatisfied ledger and, unless told not to,
    goes to a second dispatch.

    ``citizen=True`` is the citizen's own online rating, and only
    ``publishing.rating.rate_case`` calls it so, after checking the query
    code: no acting user (``acting_user`` must be None), only a case
    awaiting its visit for this round, method online, a ``RATE`` event with
    no actor; a second dispatch is made by the centre's rule
    (``visits.RuleActor``). Every staff call still needs a signed-in
    visitor or dispatcher covering the case."""
    if citizen:
        if acting_user is not None:
            raise ValueError("A citizen's rating is made without an acting user.")
        actor, method = None, VisitMethod.ONLINE
        case = lock_case(case, expected_version=expected_version)
        check_citizen_rating(case)
    else:
        actor = Actor.of(acting_user)
        case = lock_case(case, expected_version=expected_version)
        check_return_visit(case, actor)
    satisfaction = check_choice(satisfaction, Satisfaction, "satisfaction", _("satisfaction"))
    method = check_choice(method, VisitMethod, "method", _("visit method"))
    if not isinstance(resolved, bool):
        raise InvalidInput(_("Say whether the matter was resolved."), code="required", field="resolved")
    now = timezone.now()
    visit = ReturnVisit.objects.create(
        case=case, round=case.round, method=method, satisfaction=satisfaction, resolved=resolved,
        note=(note or "").strip(), visited_by=actor.user if actor else None, visited_at=now,
    )
    before = case.state
    case.is_unsatisfied = not visit.is_positive
    if visit.is_positive:
        set_state(case, CaseState.CLOSED)
        case.closed_at = now
    else:
        case.version += 1
    save_case(case, "is_unsatisfied", "closed_at")
    record_event(case, A.RATE if citizen else A.RETURN_VISIT, actor=actor, from_state=before, note=visit.note,
                 at=now,
                 data={"satisfaction": satisfaction, "resolved": resolved, "method": method, "round": case.round})
    # A case answered on the spot (or whose unit is gone) has no unit to go
    # back to: it stays in the ledger until a dispatcher chooses one.
    if not visit.is_positive and redispatch and previous_lead_unit(case) is not None:
        if citizen:
            second_dispatch(case, rule_actor(case), None, now,
                            note=_("Second dispatch after an unsatisfied online rating by the citizen."))
        else:
            second_dispatch(case, actor, None, now, note=_("Second dispatch after an unsatisfied return visit."))
    return case


@transaction.atomic
def close_case(case, *, acting_user, note="", expected_version=None):
    """Close a replied case without (another) visit, e.g. after explaining
    that a request goes beyond law or policy. A case in the unsatisfied
    ledger needs the explanation in ``note`` and stays in the ledger's
    history (``is_unsatisfied`` kept). Its CLOSE event's data says why it
    was in the ledger: ``{"unreachable": True, "visited": False}`` when the
    citizen could not be reached in this round and the case went to review
    (there was no verdict to explain), else ``{"explained": True}`` — closed
    "as explained" after an unsatisfied or unresolved visit."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_close(case, actor)
    data = None
    if case.is_unsatisfied:
        note = require_text(note, "note", _("The explanation for closing an unsatisfied case"))
        data = {"unreachable": True, "visited": False} if sent_to_review(case) else {EXPLAINED: True}
    before = case.state
    set_state(case, CaseState.CLOSED)
    case.closed_at = timezone.now()
    save_case(case, "closed_at")
    record_event(case, A.CLOSE, actor=actor, from_state=before, note=note, data=data)
    return case


@transaction.atomic
def archive_case(case, *, acting_user, expected_version=None):
    """Archive a closed case (归档); its dossier is complete."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_archive(case, actor)
    before = case.state
    set_state(case, CaseState.ARCHIVED)
    save_case(case)
    record_event(case, A.ARCHIVE, actor=actor, from_state=before)
    return case


@transaction.atomic
def hold_consultation(case, *, acting_user, level, units, topic, conclusion, expected_version=None):
    """Record a consultation (会商) at level 1, 2 or 3 on an open case."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_consultation(case, actor)
    try:
        level = Consultation.Level(int(level))
    except (TypeError, ValueError):
        raise InvalidInput(_("The consultation level is 1, 2 or 3."), code="invalid_choice", field="level") from None
    units = [resolve_unit(u, "units") for u in units or ()]
    if not units or None in units:
        raise InvalidInput(_("Name the units taking part."), code="required", field="units")
    topic = require_text(topic, "topic", _("The topic"))
    conclusion = require_text(conclusion, "conclusion", _("The conclusion"))
    now = timezone.now()
    consultation = Consultation.objects.create(
        case=case, level=level, topic=topic, conclusion=conclusion, held_at=now, convened_by=actor.user,
    )
    consultation.units.set(units)
    case.version += 1
    save_case(case)
    record_event(case, A.CONSULT, actor=actor, from_state=case.state, note=conclusion, at=now,
                 data={"level": int(level), "units": [u.code for u in units], "topic": topic})
    return consultation
