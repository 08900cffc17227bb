"""What a citizen sees of their own case when they track it with its number
and query code: masked, in public wording; a merged case follows its primary
case. Wrong codes are throttled per client and per case number."""

import logging
from dataclasses import dataclass, field

from django.core.cache import cache

from casemodels.models import Case, CaseEvent

from .masking import mask_address, mask_name, mask_text

logger = logging.getLogger(__name__)

MAX_FAILURES = 10
FAILURE_WINDOW = 600  # seconds

PUBLIC_ACTIONS = {
    CaseEvent.Action.REGISTER, CaseEvent.Action.ANSWER, CaseEvent.Action.DISPATCH, CaseEvent.Action.SIGN,
    CaseEvent.Action.REPLY, CaseEvent.Action.RETURN_VISIT, CaseEvent.Action.REDISPATCH, CaseEvent.Action.CLOSE,
    CaseEvent.Action.MERGE, CaseEvent.Action.DIVERT,
}


@dataclass
class TimelineEntry:
    action: str
    label: str
    at: object


@dataclass
class TrackedCase:
    number: str
    title: str
    state: str
    state_label: str
    citizen_name: str
    address: str
    received_at: object
    reply_due: object
    reply: str | None
    timeline: list = field(default_factory=list)


def _keys(number, client):
    return [f"track-fail:case:{number}", f"track-fail:client:{client}"]


def _throttled(number, client):
    return any((cache.get(key) or 0) >= MAX_FAILURES for key in _keys(number, client))


def _record_failure(number, client):
    for key in _keys(number, client):
        cache.add(key, 0, FAILURE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, FAILURE_WINDOW)


def find_tracked_case(number, query_code, *, client="anonymous"):
    """The public view of a case, or None for a wrong number or code. After
    too many wrong codes for one case number or from one client, answers None
    without looking (for FAILURE_WINDOW seconds)."""
    number = (number or "").strip().upper()
    query_code = (query_code or "").replace(" ", "").strip().upper()
    if _throttled(number, client):
        logger.warning("trackCase throttled for case %s / client %s", number, client)
        return None
    case = Case.objects.filter(number=number, query_code=query_code).select_related("merged_into").first()
    if case is None:
        _record_failure(number, client)
        return None
    return public_view(case)


def public_view(case):
    """A citizen's own case, masked. A merged case shows the state, reply and
    timeline of the primary case it was merged into, under its own number."""
    source = case.merged_into if case.merged_into_id else case
    events = source.events.filter(action__in=PUBLIC_ACTIONS).order_by("created_at", "id")
    return TrackedCase(
        number=case.number, title=mask_text(case.title), state=source.state,
        state_label=str(source.get_state_display()), citizen_name=mask_name(case.citizen_name),
        address=mask_address(case.address), received_at=case.received_at, reply_due=source.reply_due,
        reply=mask_text(source.reply) or None,
        timeline=[TimelineEntry(e.action, str(e.get_action_display()), e.created_at) for e in events],
    )
