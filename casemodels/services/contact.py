"""First contact (首次联系 / 先行联系, DESIGN §5 and §7): the unit holding a
case records that it has reached the citizen, within the first-contact
limit of the case's time-limit policy (``Case.contact_due``).

- Who: staff (handlers, unit leaders) of the unit holding the case in hand,
  i.e. its signed lead assignment (``check_record_contact``), as for
  progress posts. The contact is written on that assignment
  (``contacted_at``), once: a second record on the same assignment is
  refused (``already_contacted``); a unit the case is sub-dispatched to,
  escalated to or dispatched to again holds a new assignment and may record
  its own.
- What the contact is measured against (``contact_due`` on the assignment,
  written with it): the case's first-contact deadline in force at that
  moment. A case's deadline belongs to its round and moves with pauses and
  recomputes, so it is kept with the contact, as the reply deadline is kept
  on a replied assignment; the assessment then counts the contact as on
  time (``contacted_on_time``) when ``contacted_at <= contact_due``, and a
  later second dispatch cannot change that. A contact recorded while the
  clock stands still (waiting for the citizen) is measured as if the clock
  resumed at that moment: the pause moves the deadline by the rules of the
  deadline engine (``deadlines.shift_for_pauses``), so a clock stopped
  before the deadline is not counted late for the time it stood still.
- What it silences (``contacted_q``, the one definition the warning sweep's
  first-contact rules read): the first contact is made for the case's
  current round once any lead assignment of that round has recorded one.
  The deadline is the case's, counted from the start of the round, so a
  contact made by a township before it sub-dispatched the case, or by a
  village before it blew the whistle, still answers it; a second dispatch
  (round + 1) starts a new deadline that needs a new contact. The
  workbench's lights (``inbox.deadline_lights``) do not read the
  first-contact deadline, so nothing there changes."""

from types import SimpleNamespace

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import PolicyLimit

from ..models import Assignment, CaseEvent, CaseState, VisitMethod
from .base import (
    R, Actor, InvalidState, actor_lead_assignment, check_choice, lock_case, record_event, require_state, require_text,
    save_case,
)
from .deadlines import load_calendar, policy_limits, round_start, shift_for_pauses

A = CaseEvent.Action


def round_contacts():
    """The lead assignments of the outer case's current round that recorded a
    first contact (a subquery on ``Case``)."""
    return Assignment.objects.filter(
        case=OuterRef("pk"), round=OuterRef("round"), role=Assignment.Role.LEAD, contacted_at__isnull=False,
    )


def contacted_q():
    """A filter on ``Case``: the first contact of the case's current round is
    made (see the module docstring)."""
    return Exists(round_contacts())


def round_contacted_at(case):
    """When the first contact of ``case``'s current round was made, or None."""
    return (
        case.assignments.filter(round=case.round, role=Assignment.Role.LEAD, contacted_at__isnull=False)
        .order_by("contacted_at", "id").values_list("contacted_at", flat=True).first()
    )


def check_record_contact(case, actor):
    """Staff of the unit holding the case in hand (its signed lead
    assignment) that has not recorded a contact yet."""
    actor.require(R.HANDLER, R.UNIT_LEADER)
    require_state(case, CaseState.HANDLING)
    lead = actor_lead_assignment(case, actor, Assignment.State.SIGNED)
    if lead.contacted_at is not None:
        raise InvalidState(
            _("Your unit recorded its contact with the citizen of case %(number)s at %(at)s already.")
            % {"number": case.number, "at": timezone.localtime(lead.contacted_at).strftime("%Y-%m-%d %H:%M")},
            code="already_contacted",
        )
    return lead


def contact_due_at(case, now):
    """The case's first-contact deadline for a contact made at ``now``: its
    ``contact_due``, moved by the pause the clock is in, as if it ended
    ``now`` (see the module docstring). None when the policy sets none."""
    due = case.contact_due
    if due is None or case.paused_since is None or case.policy is None:
        return due
    limit = policy_limits(case.policy).get(PolicyLimit.Kind.CONTACT)
    if limit is None:
        return due
    start = round_start(case)
    pause = SimpleNamespace(started_at=case.paused_since, ended_at=now)
    return shift_for_pauses(due, [pause], limit, load_calendar(start), start)


@transaction.atomic
def record_contact(case, *, acting_user, note, method=VisitMethod.PHONE, expected_version=None):
    """The unit holding the case records its first contact with the citizen
    (how, ``method``: phone, SMS, online or on site; what was said, ``note``)."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    lead = check_record_contact(case, actor)
    method = check_choice(method, VisitMethod, "method", _("contact method"), default=VisitMethod.PHONE)
    note = require_text(note, "note", _("The note on the contact"))
    now = timezone.now()
    due = contact_due_at(case, now)
    lead.contacted_at, lead.contact_due = now, due
    lead.save(update_fields=["contacted_at", "contact_due"])
    case.version += 1
    save_case(case)
    record_event(case, A.CONTACT, actor=actor, unit=lead.unit, from_state=case.state, note=note, at=now,
                 data={"round": case.round, "method": method, "due": due.isoformat() if due else None,
                       "on_time": due is None or now <= due})
    return case
