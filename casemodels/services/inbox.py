"""The workbench inboxes (工作台): which cases wait for which user, and how many.

Every box is a filter on ``visible_cases(user)``: the confidentiality and
unit-scope rules stay in ``visibility``; a box only narrows them down to the
work of one kind that the user's roles and unit have to do.

| box | shown to | the cases |
|---|---|---|
| ``to_dispatch`` 待派单 | dispatchers | received, first-received by the user's unit or below |
| ``to_sign`` 待签收 | handlers, unit leaders, dispatchers | the user's own unit holds a lead or co-handling assignment waiting to be signed |
| ``in_hand`` 办理中 | handlers, unit leaders, dispatchers | the user's own unit has signed and is handling |
| ``due_soon`` 临期 (yellow) | everyone | in the unit subtree's care, near a deadline (``deadline_lights``) |
| ``overdue`` 超期 (red) | everyone | in the unit subtree's care, a deadline passed and not met |
| ``returned`` 退单 | dispatchers, unit leaders | a return (退单) waiting for the user's review; for dispatchers also received cases a unit handed back |
| ``extensions`` 延期申请 | dispatchers | an extension request waiting for review |
| ``to_visit`` 待回访 | return visitors, dispatchers | replied, and neither visited nor sent to review as unreachable in this round (``visits.awaiting_visit_q``) |
| ``unsatisfied`` 不满意台账 | everyone | still open, and the last return visit was unsatisfied or unresolved (the second round's work) |

"The user's own unit" (to sign, in hand) is exactly the unit of their staff
profile: ``sign_case`` and the other unit actions accept only that unit, so a
box of a sub-unit's cases would offer work the user cannot do. "In the unit
subtree's care" (due soon, overdue) is a case first received by the user's
unit or a unit below it, or actively held (pending, signed or return
requested) by one of them: a township sees its villages' late cases.

A superuser (no unit) sees every box over every case.

Every box holds open cases only (received, dispatched, in hand, replied),
so the counts read the open part of the table through the state index.
``box_counts`` counts every box of a user in one SQL query (conditional
``COUNT … FILTER``); ``cached_box_counts`` keeps the result for
``COUNTS_TTL`` seconds per user, for the admin menu and the dashboard."""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db import models
from django.db.models import Count, Q, Value, When, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from snippets.models import Role

from ..models import OPEN_STATES, Assignment, Case, CaseState, ExtensionRequest, ReturnRequest
from ..models.requests import ReviewState
from .visibility import active_profile, sees_every_case, unit_subtree, visible_cases
from .visits import awaiting_visit_q

R = Role.Code
S = Assignment.State

COUNTS_TTL = 30  # seconds

# --- Deadline lights ------------------------------------------------------------------
# A deadline is "near" (yellow) this long before it runs out. The sign-for
# limit is often a matter of hours, the reply limit of working days.
NEAR_SIGN = datetime.timedelta(hours=2)
NEAR_REPLY = datetime.timedelta(hours=24)
CLOCK_STATES = (CaseState.RECEIVED, CaseState.DISPATCHED, CaseState.HANDLING)


class Light:
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    NONE = ""

    LABELS = {RED: _("Overdue"), YELLOW: _("Due soon"), GREEN: _("On time")}


def deadline_lights(now=None):
    """The one definition of the deadline lights, as ``(red, yellow)`` filters
    on ``Case``. Only a running clock has a light: the case is received,
    dispatched or in hand, and not paused (waiting for the citizen or for a
    return review; its deadlines move when the clock resumes).

    - red (overdue): the reply deadline has passed, or the active lead
      assignment still waits to be signed after its sign-for deadline;
    - yellow (due soon): not red, and the reply deadline falls within the
      next ``NEAR_REPLY`` (24 hours), or a pending lead assignment's sign-for
      deadline within the next ``NEAR_SIGN`` (2 hours).

    ``yellow`` as returned also matches red cases; ``due_soon_q`` excludes them."""
    now = now or timezone.now()
    running = Q(state__in=CLOCK_STATES, paused_since__isnull=True)

    def late(reply_by, sign_by):
        unsigned = Assignment.objects.filter(role=Assignment.Role.LEAD, state=S.PENDING, sign_due__lt=sign_by)
        return running & (Q(reply_due__lt=reply_by) | Q(pk__in=unsigned.values("case_id")))

    return late(now, now), late(now + NEAR_REPLY, now + NEAR_SIGN)


def with_lights(queryset, now=None):
    """Annotate ``light`` (``Light.RED`` / ``YELLOW`` / ``GREEN`` / ``NONE``)."""
    red, yellow = deadline_lights(now)
    return queryset.annotate(light=models.Case(
        When(red, then=Value(Light.RED)),
        When(yellow, then=Value(Light.YELLOW)),
        When(state__in=CLOCK_STATES, paused_since__isnull=True, then=Value(Light.GREEN)),
        default=Value(Light.NONE),
        output_field=models.CharField(),
    ))


# --- Who is asking ----------------------------------------------------------------------
@dataclass
class Scope:
    """The asking user's unit and roles, read once per request."""

    user: object
    unit_id: int | None
    roles: frozenset
    everything: bool

    @classmethod
    def of(cls, user):
        if sees_every_case(user):
            return cls(user, None, frozenset(R.values), True)
        profile = active_profile(user)
        if profile is None:
            return cls(user, None, frozenset(), False)
        prefetch_related_objects([profile], "roles")
        return cls(user, profile.unit_id, frozenset(r.code for r in profile.roles.all()), False)

    def has(self, *codes):
        return self.everything or bool(self.roles.intersection(codes))

    def subtree(self):
        return unit_subtree(self.unit_id)

    def owned(self):
        """First received by the user's unit or a unit below it."""
        return Q() if self.everything else Q(owner_unit_id__in=self.subtree())

    def own_unit_holds(self, *states):
        """The user's own unit holds an assignment in one of ``states``."""
        held = Assignment.objects.filter(state__in=states)
        if not self.everything:
            held = held.filter(unit_id=self.unit_id)
        return Q(pk__in=held.values("case_id"))

    def in_care(self):
        """Owned, or actively held by the user's unit or a unit below it."""
        if self.everything:
            return Q()
        held = Assignment.objects.filter(unit_id__in=self.subtree(), state__in=Assignment.ACTIVE_STATES)
        return self.owned() | Q(pk__in=held.values("case_id"))


# --- The boxes ---------------------------------------------------------------------------
def _to_dispatch(scope, now):
    return scope.owned() & Q(state=CaseState.RECEIVED)


def _to_sign(scope, now):
    return Q(state__in=(CaseState.DISPATCHED, CaseState.HANDLING)) & scope.own_unit_holds(S.PENDING)


def _in_hand(scope, now):
    return Q(state=CaseState.HANDLING) & scope.own_unit_holds(S.SIGNED)


def _due_soon(scope, now):
    red, yellow = deadline_lights(now)
    return scope.in_care() & yellow & ~red


def _overdue(scope, now):
    red, _yellow = deadline_lights(now)
    return scope.in_care() & red


def _returned(scope, now):
    """Returns the user may review (``review_return``'s rule: the unit that
    dispatched the assignment), and cases handed back to the centre."""
    pending = ReturnRequest.objects.filter(state=ReviewState.PENDING)
    if scope.everything:
        return Q(pk__in=pending.values("case_id"))
    reviewable = Q(assignment__parent__unit_id=scope.unit_id)
    if scope.has(R.DISPATCHER):
        reviewable |= Q(assignment__parent__isnull=True, case__owner_unit_id__in=scope.subtree())
    q = Q(pk__in=pending.filter(reviewable).values("case_id"))
    if scope.has(R.DISPATCHER):
        handed_back = Assignment.objects.filter(state=S.RETURNED, parent__isnull=True).values("case_id")
        q |= scope.owned() & Q(state=CaseState.RECEIVED, pk__in=handed_back)
    return q


def _extensions(scope, now):
    pending = ExtensionRequest.objects.filter(state=ReviewState.PENDING).values("case_id")
    return scope.owned() & Q(state=CaseState.HANDLING, pk__in=pending)


def _to_visit(scope, now):
    """The cases that take a visit (``visits.awaiting_visit_q``: the rule the visit actions check)."""
    return scope.owned() & awaiting_visit_q()


def _unsatisfied(scope, now):
    return Q(is_unsatisfied=True, state__in=OPEN_STATES)


@dataclass(frozen=True)
class Box:
    key: str
    label: object
    roles: tuple  # empty: everyone with an active staff profile
    build: object
    ordering: str  # the default ordering of its list
    icon: str

    def applies_to(self, scope):
        return scope.everything or (scope.unit_id is not None and (not self.roles or scope.has(*self.roles)))


BOXES = [
    Box("to_dispatch", _("To dispatch"), (R.DISPATCHER,), _to_dispatch, "received_at", "arrow-right"),
    Box("to_sign", _("To sign for"), (R.HANDLER, R.UNIT_LEADER, R.DISPATCHER), _to_sign, "reply_due", "tick"),
    Box("in_hand", _("In hand"), (R.HANDLER, R.UNIT_LEADER, R.DISPATCHER), _in_hand, "reply_due", "cogs"),
    Box("due_soon", _("Due soon"), (), _due_soon, "reply_due", "time"),
    Box("overdue", _("Overdue"), (), _overdue, "reply_due", "warning"),
    Box("returned", _("Returned"), (R.DISPATCHER, R.UNIT_LEADER), _returned, "received_at", "undo"),
    Box("extensions", _("Extension requests"), (R.DISPATCHER,), _extensions, "reply_due", "date"),
    Box("to_visit", _("To visit"), (R.VISITOR, R.DISPATCHER), _to_visit, "received_at", "mail"),
    Box("unsatisfied", _("Unsatisfied ledger"), (), _unsatisfied, "-received_at", "help"),
]
BOXES_BY_KEY = {b.key: b for b in BOXES}


class UnknownBox(KeyError):
    pass


def get_box(key):
    try:
        return BOXES_BY_KEY[key]
    except KeyError:
        raise UnknownBox(key) from None


def boxes_for(user, scope=None):
    """The boxes that apply to ``user``'s roles, in menu order."""
    scope = scope or Scope.of(user)
    return [b for b in BOXES if b.applies_to(scope)]


def box_queryset(user, key, *, now=None, scope=None):
    """The cases in box ``key`` for ``user``: none when the box does not
    apply to them. Raises ``UnknownBox`` for a key that is no box."""
    box = get_box(key)
    scope = scope or Scope.of(user)
    if not box.applies_to(scope):
        return Case.objects.none()
    return visible_cases(user).filter(box.build(scope, now or timezone.now()))


def box_counts(user, *, now=None):
    """``{box key: number of cases}`` for the boxes that apply to ``user``:
    one aggregate query over ``visible_cases`` (plus one for the roles)."""
    scope = Scope.of(user)
    boxes = boxes_for(user, scope)
    if not boxes:
        return {}
    now = now or timezone.now()
    return visible_cases(user).filter(state__in=OPEN_STATES).aggregate(
        **{b.key: Count("pk", filter=b.build(scope, now)) for b in boxes}
    )


def counts_cache_key(user):
    return f"minsheng:inbox-counts:{user.pk}"


def cached_box_counts(user):
    """``box_counts`` kept for ``COUNTS_TTL`` seconds per user (the menu is
    drawn on every admin page)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    key = counts_cache_key(user)
    counts = cache.get(key)
    if counts is None:
        counts = box_counts(user)
        cache.set(key, counts, COUNTS_TTL)
    return counts


def forget_counts(user):
    """Drop ``user``'s cached counts (after they acted on cases)."""
    cache.delete(counts_cache_key(user))
