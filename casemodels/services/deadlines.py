"""The deadline engine (DESIGN §5).

Deadlines are never edited by hand: they are derived from the start of the
current round (receipt, or the second dispatch), the first matching
time-limit policy, the work calendar, the clock pauses and the approved
extensions. ``recompute_deadlines`` re-applies all of that, so a changed
policy or calendar can be applied to open cases.

"N working days" ends at the close (23:59:59 local time) of the N-th working
day after the day of the start; "N natural days" likewise on the calendar;
"N hours" is exact; "N months" ends at the close of the same day N months on;
a fixed date is the next such month-day on or after the start. All of it
is reckoned in the centre's own zone (settings.TIME_ZONE), never in the zone
a request happens to run in.

Clock pauses (一次告知, return review) move a deadline once they have ended
(an open pause only flags the case ``paused_since``): overlapping pauses
count once; a pause moves an hours limit by the time it lasted, a
working-day limit by the working days from the day after it began up to the
day it ended (a pause within one day moves nothing; Friday evening to Monday
morning moves one working day), and a day, month or fixed-date limit by the
natural days it spanned. Because only ended pauses count, recomputing a
paused case changes nothing until the pause ends.

``recompute_deadlines`` locks the case row (waiting for a user's action to
finish), re-reads it, and only when something changed saves it with its
version bumped (so an action prepared on the old deadlines gets a conflict)
and writes one RECOMPUTE event. ``recompute_open_cases`` works in short
batches, each its own transaction, so that a user's action on a case waits
for at most one batch.
"""

import calendar as pycalendar
import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from snippets.models import PolicyLimit, TimeLimitPolicy
from snippets.services.calendar import WorkCalendar

from ..models import OPEN_STATES, Assignment, Case, CaseEvent, ClockPause, ExtensionRequest
from ..models.requests import ReviewState

U = PolicyLimit.Unit
K = PolicyLimit.Kind
END_OF_DAY = datetime.time(23, 59, 59)


def local_tz():
    return ZoneInfo(settings.TIME_ZONE)


def to_local(moment):
    return timezone.localtime(moment, local_tz())


def end_of_day(day):
    return timezone.make_aware(datetime.datetime.combine(day, END_OF_DAY), local_tz())


def add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def fixed_date_in(year, month, day):
    """The month-day in ``year``; 02-29 falls on 02-28 in a common year."""
    return datetime.date(year, month, min(day, pycalendar.monthrange(year, month)[1]))


def active_policies():
    return list(
        TimeLimitPolicy.objects.filter(is_active=True)
        .select_related("directory_item")
        .prefetch_related(Prefetch("limits", queryset=PolicyLimit.objects.order_by("sort_order", "id")))
        .order_by("priority", "id")
    )


def policy_matches(policy, case, item_chain_ids):
    return (
        (policy.channel_id is None or policy.channel_id == case.channel_id)
        and (not policy.case_type or policy.case_type == case.case_type)
        and (not policy.urgency or policy.urgency == case.urgency)
        and (policy.directory_item_id is None or policy.directory_item_id in item_chain_ids)
    )


def match_policy(case, policies=None):
    """The first active policy (by priority) whose conditions all hold."""
    item_chain_ids = (
        {n.pk for n in case.directory_item.ancestors(include_self=True)} if case.directory_item_id else set()
    )
    for policy in policies if policies is not None else active_policies():
        if policy_matches(policy, case, item_chain_ids):
            return policy
    return None


def due_after(limit, start, cal):
    """When ``limit`` runs out for a clock started at ``start`` (aware)."""
    local_start = to_local(start)
    day = local_start.date()
    if limit.unit == U.HOURS:
        return start + datetime.timedelta(hours=limit.amount)
    if limit.unit == U.NATURAL_DAYS:
        return end_of_day(day + datetime.timedelta(days=limit.amount))
    if limit.unit == U.WORKING_DAYS:
        return end_of_day(cal.add_working_days(day, limit.amount))
    if limit.unit == U.MONTHS:
        return end_of_day(add_months(day, limit.amount))
    if limit.unit == U.FIXED_DATE:
        target = fixed_date_in(day.year, limit.fixed_month, limit.fixed_day)
        if target < day:
            target = fixed_date_in(day.year + 1, limit.fixed_month, limit.fixed_day)
        return end_of_day(target)
    raise ValueError(f"Unknown limit unit {limit.unit!r}")


def merged_pauses(pauses, clock_start):
    """Ended pauses as [begin, end) spans after ``clock_start``, overlaps merged."""
    spans = sorted(
        (max(p.started_at, clock_start), p.ended_at)
        for p in pauses if p.ended_at is not None and p.ended_at > clock_start
    )
    merged = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif end > begin:
            merged.append([begin, end])
    return merged


def shift_for_pauses(due, pauses, limit, cal, clock_start):
    """Move a deadline by the pauses that began before it (see the module
    docstring for how each kind of limit counts a pause)."""
    if due is None:
        return None
    for begin, end in merged_pauses(pauses, clock_start):
        if begin >= due:
            break
        if limit.unit == U.HOURS:
            due += end - begin
            continue
        first, last = to_local(begin).date(), to_local(end).date()
        if limit.unit == U.WORKING_DAYS:
            days = sum(cal.is_workday(first + datetime.timedelta(days=i)) for i in range(1, (last - first).days + 1))
            if days:
                due = end_of_day(cal.add_working_days(to_local(due).date(), days))
        elif last > first:
            due = end_of_day(to_local(due).date() + (last - first))
    return due


def round_start(case):
    """Receipt for round 1; the latest second dispatch after that."""
    if case.round > 1:
        event = case.events.filter(action=CaseEvent.Action.REDISPATCH).order_by("-created_at", "-id").first()
        if event is not None:
            return event.created_at
    return case.received_at


def policy_limits(policy):
    """The policy's limits by kind (one per kind). Read through ``all()``:
    modelcluster's related manager, once prefetched (``active_policies``),
    drops the parent filter on ``.filter()`` and would return other
    policies' limits too."""
    return {limit.kind: limit for limit in policy.limits.all()}


def load_calendar(start):
    """The work calendar from the local year of ``start`` to two years on."""
    year = to_local(start).year
    return WorkCalendar.load(year, year + 2)


def compute_deadlines(case, *, policy=None, now=None):
    """Return a dict of the case's deadline fields (nothing is saved)."""
    now = now or timezone.now()
    policy = policy if policy is not None else case.policy
    result = {
        "sign_due": None, "contact_due": None, "reply_due": None, "completion_due": None,
        "deadlines_provisional": False,
    }
    if policy is None:
        return result
    start = round_start(case)
    cal = load_calendar(start)
    if case.pk is None:
        # A case being registered has no pauses or extensions yet (and an
        # unsaved instance cannot be used in related lookups).
        pauses, extensions = [], []
    else:
        # Only ended pauses move a deadline (an open one flags paused_since).
        pauses = list(case.pauses.filter(ended_at__gt=start).order_by("started_at"))
        extensions = list(
            ExtensionRequest.objects.filter(case=case, state=ReviewState.APPROVED, reviewed_at__gte=start)
            .order_by("reviewed_at", "id")
        )
    limits = policy_limits(policy)
    for kind, field in ((K.SIGN, "sign_due"), (K.CONTACT, "contact_due"), (K.REPLY, "reply_due"),
                        (K.COMPLETION, "completion_due")):
        limit = limits.get(kind)
        if limit is None:
            continue
        clock_start = start
        if kind == K.SIGN:
            if case.dispatched_at is None:
                continue
            clock_start = max(case.dispatched_at, start)
        due = shift_for_pauses(due_after(limit, clock_start, cal), pauses, limit, cal, clock_start)
        if kind in (K.REPLY, K.COMPLETION):
            for ext in extensions:
                due = end_of_day(cal.add_working_days(to_local(due).date(), ext.working_days))
        result[field] = due
    result["deadlines_provisional"] = cal.provisional
    return result


def assignment_sign_due(case, dispatched_at):
    """The sign-for deadline of a new assignment, counted from its dispatch
    in the centre's zone (whether it is provisional is not reported: the
    case's own ``deadlines_provisional`` says so for the same calendar)."""
    if case.policy is None:
        return None
    limit = policy_limits(case.policy).get(K.SIGN)
    if limit is None:
        return None
    return due_after(limit, dispatched_at, load_calendar(dispatched_at))


def apply_deadlines(case, *, rematch=False, now=None, policies=None):
    """Set the case's policy (when asked or missing) and deadlines in memory.
    Returns True when anything changed. ``policies`` (the active policies in
    order) saves reloading them when many cases are matched."""
    before = {f: getattr(case, f) for f in ("policy_id", *DEADLINE_FIELDS)}
    if rematch or case.policy_id is None:
        case.policy = match_policy(case, policies)
    for name, value in compute_deadlines(case, now=now).items():
        setattr(case, name, value)
    return before != {f: getattr(case, f) for f in ("policy_id", *DEADLINE_FIELDS)}


DEADLINE_FIELDS = ("sign_due", "contact_due", "reply_due", "completion_due", "deadlines_provisional")


def sync_lead_assignments(case):
    """The lead assignments of the current round carry the case's reply
    deadline (set at dispatch); keep them in step when the case's deadline
    moves (an extension, an ended pause, a recompute): the active one, and
    those that sub-dispatched it (a township whose village holds the case
    answers for it by the same deadline, and is assessed by it)."""
    S = Assignment.State
    case.assignments.filter(
        Q(state__in=Assignment.ACTIVE_STATES) | Q(state=S.SUB_DISPATCHED, round=case.round),
        role=Assignment.Role.LEAD,
    ).exclude(reply_due=case.reply_due).update(reply_due=case.reply_due)


def _recompute_locked(pk, *, rematch, now, policies=None, states=None):
    """Lock the case row (waiting if a user's action holds it), re-read it and
    recompute; with ``states``, leave a case that has moved out of them.
    Must run inside a transaction. Returns True when something changed."""
    qs = Case.objects.select_for_update(of=("self",)).select_related("directory_item", "policy")
    case = qs.filter(pk=pk).first()
    if case is None or (states is not None and case.state not in states):
        return False
    if not apply_deadlines(case, rematch=rematch, now=now, policies=policies):
        return False
    case.version += 1
    case.save(update_fields=["policy", "version", *DEADLINE_FIELDS, "updated_at"])
    sync_lead_assignments(case)
    reply_due = case.reply_due.isoformat() if case.reply_due else None
    CaseEvent.objects.create(
        case=case, action=CaseEvent.Action.RECOMPUTE, created_at=now or timezone.now(),
        from_state=case.state, to_state=case.state,
        data={"policy": case.policy_id, "reply_due": reply_due, "provisional": case.deadlines_provisional},
    )
    return True


def recompute_deadlines(case, *, rematch=False, now=None):
    """Recompute and save one case's deadlines; returns True if they changed.
    The row is locked and re-read, and the version bumped on a change, so that
    an action prepared on the old deadlines gets a conflict instead of
    overwriting; nothing is written (no event) when nothing changed."""
    with transaction.atomic():
        return _recompute_locked(case.pk, rematch=rematch, now=now)


def recompute_open_cases(*, rematch=False, batch_size=100):
    """Re-apply policies and the calendar to every open case, ``batch_size``
    cases per transaction (a case closed meanwhile is left alone).
    Returns (examined, changed)."""
    examined = changed = 0
    qs = Case.objects.filter(state__in=OPEN_STATES).order_by("pk")
    last_pk = 0
    while True:
        batch = list(qs.filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            policies = active_policies() if rematch else None
            for pk in batch:
                examined += 1
                changed += _recompute_locked(pk, rematch=rematch, now=None, policies=policies, states=OPEN_STATES)
        last_pk = batch[-1]
    return examined, changed


def open_pause(case, reason):
    return case.pauses.filter(reason=reason, ended_at__isnull=True).first()


def start_pause(case, reason, at, note=""):
    pause = ClockPause.objects.create(case=case, reason=reason, started_at=at, note=note)
    if case.paused_since is None:
        case.paused_since = at
    return pause


def end_pause(case, reason, at):
    pause = open_pause(case, reason)
    if pause is not None:
        pause.ended_at = at
        pause.save(update_fields=["ended_at"])
    still_open = case.pauses.filter(ended_at__isnull=True).order_by("started_at").first()
    case.paused_since = still_open.started_at if still_open else None
    return pause
