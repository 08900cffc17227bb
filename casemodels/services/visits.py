"""Return visits (回访, DESIGN §7) beyond recording the citizen's verdict
(``handling.record_return_visit``, which also takes the citizen's own online
rating):

- **Close without a visit, by policy.** A replied case whose time-limit
  policy has ``close_without_visit`` (e.g. consultations answered from the
  knowledge base) is closed at once by ``reply_case`` and
  ``answer_on_the_spot``: a ``CLOSE`` event whose note names the policy and
  whose data holds ``{"without_visit": True, "policy": <name>}``.
- **Attempts that do not reach the citizen** (``record_visit_attempt``).
  Each is a ``VisitAttempt`` row and a ``VISIT_ATTEMPT`` event. The attempt
  that reaches the policy's ``visit_attempts`` in one round decides, per
  ``unreachable_action``: ``close`` closes the case, counted as not visited
  (no ``ReturnVisit`` row, so the assessment does not count it as visited;
  a ``CLOSE`` event with ``{"unreachable": True, "visited": False}``), or
  ``review`` puts it in the unsatisfied ledger (``is_unsatisfied``) for a
  dispatcher to dispatch again (``redispatch_case``) or close with an
  explanation (``close_case``, whose ``CLOSE`` event then says
  ``{"unreachable": True, "visited": False}``: not "closed as explained",
  there was no verdict); no second dispatch by itself. A case with no
  policy uses ``DEFAULT_VISIT_ATTEMPTS`` and closes.
- **Awaiting its visit** (``awaiting_visit``; ``awaiting_visit_q()`` the
  same as a filter on cases, for the inbox's "to visit" box): replied, with
  neither a return visit nor a decided unreachable outcome for the present
  round. Only such a case takes visit attempts and the citizen's online
  rating.
- **Closed as explained.** ``close_case`` on a case in the unsatisfied ledger
  after an unsatisfied or unresolved visit needs the explanation (e.g. a request beyond law or policy) and marks its
  ``CLOSE`` event ``{"explained": True}``. The ledger keeps its history: the
  case stays ``is_unsatisfied``, its return visits and events stay as they
  were. ``explained_cases()`` lists them; ``closed_as_explained(case)`` asks.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import UnreachableAction

from ..models import Case, CaseEvent, CaseState, ReturnVisit, VisitAttempt, VisitMethod
from .base import (
    R, Actor, InvalidInput, InvalidState, NotAllowed, check_choice, lock_case, record_event, require_state, save_case,
    set_state,
)

A = CaseEvent.Action
DEFAULT_VISIT_ATTEMPTS = 3
# An online rating is the citizen's own act, not an attempt to reach them.
ATTEMPT_METHODS = (VisitMethod.PHONE, VisitMethod.SMS, VisitMethod.ON_SITE)
EXPLAINED = "explained"  # the key of a CLOSE event's data marking an explained closure


class RuleActor(Actor):
    """The centre's rules acting on behalf of a citizen (an online rating
    that goes to a second dispatch): no user, the case's owner unit, no role.
    It may send the case back to the unit that led the last round (the
    centre dispatched it there), and can take no staff action itself."""

    def require(self, *codes):
        raise NotAllowed(_("Only the centre's staff may do this."))

    def covers(self, unit):
        return unit is not None


def rule_actor(case):
    return RuleActor(user=None, unit=case.owner_unit, roles=set())


# --- The rules of the case's policy ----------------------------------------------------

def closes_without_visit(case):
    policy = case.policy
    return policy is not None and policy.close_without_visit


def visit_rules(case):
    """``(attempts, unreachable action)`` from the case's policy."""
    policy = case.policy
    if policy is None:
        return DEFAULT_VISIT_ATTEMPTS, UnreachableAction.CLOSE
    return max(policy.visit_attempts, 1), policy.unreachable_action


def close_by_policy(case, actor, now):
    """Close a case just replied (or answered) whose policy closes it without
    a visit. The caller holds the lock and has recorded the reply."""
    before = case.state
    set_state(case, CaseState.CLOSED)
    case.closed_at = now
    save_case(case, "closed_at")
    record_event(
        case, A.CLOSE, actor=actor, from_state=before, at=now,
        note=_("Closed without a return visit: the time-limit policy “%(policy)s” closes replied cases like this "
               "one.") % {"policy": case.policy.name},
        data={"without_visit": True, "policy": case.policy.name},
    )


# --- Awaiting a visit ---------------------------------------------------------------------

# Each rule once, as a filter on a case and round: ``OuterRef`` for the set-based
# filter on cases (the inbox), the values of one case for the guards.
def _visits_of(case_id, round_):
    return ReturnVisit.objects.filter(case_id=case_id, round=round_)


def _reviews_of(case_id, round_):
    return VisitAttempt.objects.filter(case_id=case_id, round=round_, outcome=UnreachableAction.REVIEW)


def _visited(case):
    return _visits_of(case.pk, case.round).exists()


def sent_to_review(case):
    """The citizen could not be reached in this round and the case went to review."""
    return _reviews_of(case.pk, case.round).exists()


def awaiting_visit_q():
    """``awaiting_visit`` as a filter on cases (two NOT EXISTS on indexed
    tables, no per-row Python): the inbox's "to visit" box."""
    return (
        Q(state=CaseState.REPLIED)
        & ~Exists(_visits_of(OuterRef("pk"), OuterRef("round")))
        & ~Exists(_reviews_of(OuterRef("pk"), OuterRef("round")))
    )


def awaiting_visit(case):
    """Replied, and neither visited nor found unreachable in this round."""
    return case.state == CaseState.REPLIED and not _visited(case) and not sent_to_review(case)


def require_awaiting_visit(case):
    require_state(case, CaseState.REPLIED)
    if _visited(case):
        raise InvalidState(
            _("Case %(number)s has already had its return visit for this round.") % {"number": case.number}
        )
    if sent_to_review(case):
        raise InvalidState(
            _("The citizen of case %(number)s could not be reached; it waits for review in the unsatisfied ledger.")
            % {"number": case.number}
        )


# --- Guards (``permissions.ACTIONS`` calls them too) ----------------------------------------

def check_visit_attempt(case, actor):
    actor.require(R.VISITOR, R.DISPATCHER)
    actor.require_covers(case.owner_unit)
    require_awaiting_visit(case)


def check_citizen_rating(case):
    """The citizen rates online a case awaiting its visit (their query code
    was checked by ``publishing.rating``)."""
    require_awaiting_visit(case)


# --- Visit attempts --------------------------------------------------------------------------

@transaction.atomic
def record_visit_attempt(case, *, acting_user, method=VisitMethod.PHONE, note="", expected_version=None):
    """Record an attempt to reach the citizen for the return visit that
    failed (no answer, wrong number …). The attempt that reaches the
    policy's number closes the case as not visited, or puts it in the
    unsatisfied ledger for review (see the module docstring)."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_visit_attempt(case, actor)
    method = check_choice(method, VisitMethod, "method", _("visit method"), default=VisitMethod.PHONE)
    if method not in ATTEMPT_METHODS:
        raise InvalidInput(
            _("An attempt to reach the citizen is made by phone, SMS or on site."), code="invalid_choice",
            field="method",
        )
    note = (note or "").strip()
    now = timezone.now()
    limit, action = visit_rules(case)
    made = VisitAttempt.objects.filter(case_id=case.pk, round=case.round).count() + 1
    outcome = action if made >= limit else ""
    VisitAttempt.objects.create(
        case=case, round=case.round, method=method, note=note, attempted_by=actor.user, attempted_at=now,
        outcome=outcome,
    )
    before = case.state
    if outcome == UnreachableAction.REVIEW:
        case.is_unsatisfied = True
        note = "\n".join(filter(None, [note, _(
            "The citizen could not be reached after %(attempts)s attempts; the case goes to the unsatisfied "
            "ledger for review."
        ) % {"attempts": made}]))
    case.version += 1
    save_case(case, "is_unsatisfied")
    record_event(case, A.VISIT_ATTEMPT, actor=actor, from_state=before, note=note, at=now,
                 data={"attempt": made, "of": limit, "method": method, "round": case.round, "outcome": outcome})
    if outcome == UnreachableAction.CLOSE:
        set_state(case, CaseState.CLOSED)
        case.closed_at = now
        save_case(case, "closed_at")
        record_event(
            case, A.CLOSE, actor=actor, from_state=before, at=now,
            note=_("Closed without a return visit: the citizen could not be reached after %(attempts)s attempts "
                   "(counted as not visited).") % {"attempts": made},
            data={"unreachable": True, "attempts": made, "visited": False},
        )
    return case


# --- Explained closures -----------------------------------------------------------------------

def explained_cases():
    """Cases of the unsatisfied ledger closed with an explanation."""
    return Case.objects.filter(events__action=A.CLOSE, events__data__explained=True).distinct()


def closed_as_explained(case):
    return case.events.filter(action=A.CLOSE, data__explained=True).exists()
