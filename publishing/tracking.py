"""What a citizen sees of their own case (在线查询): the one place that
decides it, for the API, the site and the PDFs.

- ``find_tracked_case(number, query_code)``: the citizen's case, or None for
  an unknown number or a wrong code (the same answer, so a wrong code
  reveals nothing). Wrong codes are throttled: after ``MAX_FAILURES`` wrong
  attempts from one client, or on one case number, within ``FAILURE_WINDOW``
  seconds, it answers None without looking.
- ``public_view(case)``: the masked, public-wording view of a case for its
  own citizen. A merged case (并单) follows its primary case for state,
  reply and progress while keeping its own number (DESIGN §4: "the citizen
  of each is informed from the primary"). A confidential case is shown to
  its own citizen (they hold the number and the code), masked like any
  other; it must never be listed publicly (result boards, bulletins), which
  is the business of those listings, not of this view.
- ``locate_case(number, query_code)``: the same look-up and throttle for
  the citizen's own actions on the case (``publishing.rating``: rating
  online), telling a throttled caller apart.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.crypto import constant_time_compare

from casemodels.models import Case, CaseEvent, CaseState
from casemodels.services.visits import awaiting_visit

from .masking import mask_address, mask_name, mask_text
from .throttles import Throttle

logger = logging.getLogger(__name__)

MAX_FAILURES = 10
FAILURE_WINDOW = 600  # seconds
MAX_MERGE_CHAIN = 5  # a merged case's primary may itself be merged later on; follow a few links
WRONG_CODES = Throttle("track-fail", limit=MAX_FAILURES, window=FAILURE_WINDOW)

A = CaseEvent.Action

# The steps a citizen is shown, in public wording (the state names the public
# already knows from the portal; internal steps such as sub-dispatches,
# whistles, extension and return requests are left out).
PUBLIC_WORDING = {
    A.REGISTER: CaseState.RECEIVED.label,
    A.ANSWER: A.ANSWER.label,
    A.DISPATCH: CaseState.DISPATCHED.label,
    A.SIGN: CaseState.HANDLING.label,
    A.REQUEST_INFO: A.REQUEST_INFO.label,
    A.REPLY: CaseState.REPLIED.label,
    A.RETURN_VISIT: A.RETURN_VISIT.label,
    A.RATE: A.RATE.label,
    A.REDISPATCH: CaseState.DISPATCHED.label,
    A.CLOSE: CaseState.CLOSED.label,
    A.MERGE: CaseState.MERGED.label,
    A.DIVERT: CaseState.DIVERTED.label,
    A.INVALID: CaseState.INVALID.label,
}

MAX_NUMBER_LENGTH = Case._meta.get_field("number").max_length
_CODE_PATTERN = re.compile(r"[0-9A-Z]{4,16}")


@dataclass(frozen=True)
class TimelineEntry:
    action: str
    label: str
    at: object


@dataclass(frozen=True)
class TrackedCase:
    """A case as its own citizen sees it: masked, in public wording."""

    number: str
    title: str
    state: str
    state_label: str
    merged: bool
    citizen_name: str | None
    address: str | None
    received_at: object
    reply_due: object
    reply: str | None
    timeline: list = field(default_factory=list)
    awaiting_rating: bool = False  # replied and awaiting its visit: the citizen may rate it online (rateCase)


# --- Looking a case up ---------------------------------------------------------------

def normalise_number(value):
    """What citizens type: spaces, full-width characters (ＭＳ２０２５…)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))


def normalise_query_code(value):
    """Query codes are upper case; citizens may type them in lower case, with spaces."""
    return normalise_number(value).upper()


def find_tracked_case(number, query_code, *, client=None):
    """The public view of the case with this number and query code, or None
    (wrong code, unknown number, or throttled). ``client`` identifies the
    caller for the throttle (an IP address)."""
    case, _throttled_now = locate_case(number, query_code, client=client)
    return public_view(case) if case is not None else None


def locate_case(number, query_code, *, client=None):
    """``(case, throttled)``: the case with this number and query code, or
    ``(None, False)`` for a wrong code or an unknown number (counted as a
    failure), or ``(None, True)`` when throttled (nothing looked at)."""
    number, code = normalise_number(number), normalise_query_code(query_code)
    client = client or "unknown"
    if _throttled(number, client):
        logger.warning("Case look-up throttled: too many wrong codes for case %r or from client %s",
                       number[:MAX_NUMBER_LENGTH], client)
        return None, True
    case = None
    if 0 < len(number) <= MAX_NUMBER_LENGTH and _CODE_PATTERN.fullmatch(code):
        # the number as typed, or in upper case (the usual prefix is "MS")
        case = Case.objects.select_related("merged_into").filter(number__in={number, number.upper()}).first()
        if case is not None and not (case.query_code and constant_time_compare(case.query_code.upper(), code)):
            case = None
    if case is None:
        _record_failure(number, client)
        return None, False
    return case, False


def _buckets(number, client):
    # one case bucket whatever the case of the number typed
    return {"case": number.upper(), "client": client}


def _throttled(number, client):
    return WRONG_CODES.exceeded(**_buckets(number, client))


def _record_failure(number, client):
    """Count a wrong attempt (the window starts at the first failure)."""
    WRONG_CODES.hit(**_buckets(number, client))


# --- The public view -----------------------------------------------------------------

def primary_chain(case):
    """``[case, its primary, the primary's primary, …]``: the case and the
    cases it was merged into, at most ``MAX_MERGE_CHAIN`` long, no cycle."""
    chain, seen = [case], {case.pk}
    while chain[-1].merged_into_id and len(chain) < MAX_MERGE_CHAIN:
        link = chain[-1]
        primary = link.merged_into if Case.merged_into.is_cached(link) else None
        if primary is None:
            primary = Case.objects.filter(pk=link.merged_into_id).first()
        if primary is None or primary.pk in seen:
            break
        chain.append(primary)
        seen.add(primary.pk)
    return chain


def _is_primary_side_merge(event):
    """The event a primary case gets when others are merged into it: not a
    step of its own citizen's request."""
    return event.action == A.MERGE and "primary" not in (event.data or {})


def public_timeline(chain, events):
    """The citizen's own steps, then, for a merged case, the steps of the
    case(s) it follows from the time the citizen's request was received on
    (their registration left out)."""
    own, received_at = chain[0], chain[0].received_at
    entries = []
    for event in events:
        if event.action not in PUBLIC_WORDING or _is_primary_side_merge(event):
            continue
        if event.case_id != own.pk and (event.action == A.REGISTER or event.created_at < received_at):
            continue
        entries.append(event)
    entries.sort(key=lambda e: (e.created_at, e.case_id != own.pk, e.pk))
    return [TimelineEntry(e.action, str(PUBLIC_WORDING[e.action]), e.created_at) for e in entries]


def public_view(case):
    """``case`` as its own citizen sees it (see the module docstring)."""
    chain = primary_chain(case)
    source = chain[-1]
    events = list(
        CaseEvent.objects.filter(case_id__in=[c.pk for c in chain], action__in=list(PUBLIC_WORDING))
        .only("id", "case_id", "action", "created_at", "note", "data")
        .order_by("created_at", "id")
    )
    # The people of every case in the chain: a primary's reply may name its own citizen.
    names = [c.citizen_name for c in chain]
    addresses = [c.address for c in chain]
    reply = source.reply
    if not reply and source.state == CaseState.DIVERTED:
        diverts = [e for e in events if e.case_id == source.pk and e.action == A.DIVERT]
        reply = diverts[-1].note if diverts else ""
    return TrackedCase(
        number=case.number,
        title=mask_text(case.title, names=names, addresses=addresses),
        state=source.state,
        state_label=str(CaseState(source.state).label),
        merged=len(chain) > 1,
        citizen_name=mask_name(case.citizen_name) or None,
        address=mask_address(case.address) or None,
        received_at=case.received_at,
        reply_due=source.reply_due,
        reply=mask_text(reply, names=names, addresses=addresses) or None,
        timeline=public_timeline(chain, events),
        awaiting_rating=len(chain) == 1 and awaiting_visit(case),
    )
