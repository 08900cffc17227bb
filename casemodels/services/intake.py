"""Receiving cases, and the ways a case ends before anyone handles it:
answered on the spot, merged, diverted, invalid. Also 一次告知 (ask the
citizen once for what is missing; the clock pauses)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import CaseType, Channel, DirectoryItem, Region, Urgency
from snippets.services.validation import normalise_phone, validate_id_number, validate_phone

from ..models import Case, CaseEvent, CaseState, ClockPause, DivertRoute
from . import deadlines
from .auto_dispatch import auto_dispatch as dispatch_automatically
from .cleanup import close_open_work
from .fingerprints import fingerprint_case
from .base import (
    R, Actor, InvalidInput, InvalidState, NotAllowed, actor_lead_assignment, check_choice, default_urgency, lock_case,
    lock_cases,
    record_event, require_state, require_text, resolve_config, root_unit, save_case, set_state,
)
from .numbering import new_query_code, next_case_number
from .visits import close_by_policy, closes_without_visit

A = CaseEvent.Action


def _same_submission(existing, actor, content, citizen_phone):
    """A repeated ``(channel, external_id)`` is a retry and returns the case
    already registered. Staff may look it up that way; an anonymous caller
    gets it back only when it is really their own submission (the same
    phone; the same content when there is no phone), so a known id never
    reveals someone else's case. Staff get it back only within their scope."""
    if actor is not None:
        if actor.covers(existing.owner_unit):
            return existing
        raise InvalidInput(
            _("This id has already been used for another submission in this channel."),
            code="duplicate_external_id", field="external_id",
        )
    same_phone = normalise_phone(citizen_phone) == existing.citizen_phone
    if same_phone and (existing.citizen_phone or (content or "").strip() == existing.content):
        return existing
    raise InvalidInput(
        _("This id has already been used for another submission in this channel."),
        code="duplicate_external_id", field="external_id",
    )


def _check_length(value, field, label):
    limit = Case._meta.get_field(field).max_length
    if value and len(value) > limit:
        raise InvalidInput(
            _("%(label)s is longer than %(limit)s characters.") % {"label": label, "limit": limit},
            code="too_long", field=field,
        )


@transaction.atomic
def register_case(
    *, acting_user, channel, case_type, content, title="", citizen_name="", citizen_phone="",
    citizen_id_number="", address="", region=None, directory_item=None, urgency=None, external_id=None,
    is_anonymous=False, is_confidential=False, latitude=None, longitude=None, received_at=None, auto_dispatch=True,
):
    """Receive a case (受理) from any channel. Staff register for their unit
    (first-receiver responsibility); ``acting_user=None`` is a public
    submission and needs a public channel. A repeated ``(channel,
    external_id)`` returns the case already registered (idempotent intake).
    The case's content fingerprints are written (duplicates), and it is
    dispatched at once when its channel allows (``auto_dispatch``; pass
    ``auto_dispatch=False`` when it is about to be answered on the spot)."""
    actor = Actor.of(acting_user) if acting_user is not None else None
    channel = resolve_config(Channel, channel, "channel", _("channel"))
    if channel is None:
        raise InvalidInput(_("Choose the channel the request came through."), code="required", field="channel")
    if actor is None and not channel.is_public:
        raise NotAllowed(
            _("Channel “%(channel)s” does not accept public submissions.") % {"channel": channel}, field="channel",
        )
    if actor is not None:
        actor.require(R.DISPATCHER)

    external_id = (external_id or "").strip() or None
    _check_length(external_id, "external_id", _("The id in the channel"))
    if channel.requires_external_id and not external_id:
        raise InvalidInput(
            _("Cases from “%(channel)s” need the id they have in that channel.") % {"channel": channel},
            code="required", field="external_id",
        )
    if external_id:
        existing = Case.objects.filter(channel=channel, external_id=external_id).first()
        if existing is not None:
            return _same_submission(existing, actor, content, citizen_phone)

    content = require_text(content, "content", _("The content"))
    title = (title or "").strip() or content.splitlines()[0][:30]
    if len(title) > 200:
        raise InvalidInput(_("The title is longer than 200 characters."), code="too_long", field="title")
    address = (address or "").strip()
    _check_length(address, "address", _("The address"))
    case_type = check_choice(case_type, CaseType, "case_type", _("case type"))
    item = resolve_config(DirectoryItem, directory_item, "directory_item", _("directory item"))
    urgency = check_choice(urgency, Urgency, "urgency", _("urgency"), default=default_urgency(item))
    region = resolve_config(Region, region, "region", _("region"))

    try:
        phone = validate_phone(citizen_phone, field="citizen_phone") if citizen_phone else ""
        id_number = validate_id_number(citizen_id_number) if citizen_id_number else ""
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from None
    if not is_anonymous and not phone:
        raise InvalidInput(
            _("A phone number is needed to reach the citizen, unless the request is anonymous."),
            code="required", field="citizen_phone",
        )

    now = timezone.now()
    received_at = received_at or now
    owner_unit = actor.unit if actor is not None and actor.unit is not None else root_unit()
    case = Case(
        number=next_case_number(received_at), channel=channel, external_id=external_id, case_type=case_type,
        urgency=urgency, title=title, content=content, address=address, region=region,
        latitude=latitude, longitude=longitude, citizen_name=(citizen_name or "").strip()[:50],
        citizen_phone=phone, citizen_id_number=id_number, is_anonymous=bool(is_anonymous),
        is_confidential=bool(is_confidential), query_code=new_query_code(),
        directory_item=item, state=CaseState.RECEIVED, owner_unit=owner_unit, received_at=received_at,
        created_by=actor.user if actor else None,
    )
    deadlines.apply_deadlines(case, rematch=True, now=now)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # The same (channel, external_id) was registered concurrently since
        # the check above: intake stays idempotent and returns that case.
        existing = Case.objects.filter(channel=channel, external_id=external_id).first() if external_id else None
        if existing is None:
            raise
        return _same_submission(existing, actor, content, citizen_phone)
    record_event(case, A.REGISTER, actor=actor, unit=owner_unit, from_state="", at=received_at,
                 data={"channel": channel.code})
    fingerprint_case(case, now=now, replace=False)
    if auto_dispatch:
        dispatch_automatically(case, now=now)
    return case


def _dispatcher_for(case, actor):
    actor.require(R.DISPATCHER)
    actor.require_covers(case.owner_unit)


# --- Guards: who may take an action on a case in its present state. Each
# service calls its guard after locking the case; ``permissions.available_actions``
# calls the same guards to decide which buttons the workbench shows.

def check_answer(case, actor):
    _dispatcher_for(case, actor)
    require_state(case, CaseState.RECEIVED)
    if case.case_type != CaseType.CONSULTATION:
        raise InvalidState(_("Only consultations can be answered on the spot."), field="case_type")


def check_merge_primary(case, actor):
    """May ``case`` take other cases in as the primary of a merge?"""
    _dispatcher_for(case, actor)
    require_state(case, CaseState.RECEIVED, CaseState.DISPATCHED, CaseState.HANDLING, CaseState.REPLIED)


def check_merge_duplicate(case, actor):
    """May ``case`` be merged into another one?"""
    _dispatcher_for(case, actor)
    require_state(case, CaseState.RECEIVED, CaseState.DISPATCHED)


def check_divert(case, actor):
    _dispatcher_for(case, actor)
    require_state(case, CaseState.RECEIVED)


check_invalid = check_divert


def check_request_info(case, actor):
    _may_talk_to_citizen(case, actor)
    require_state(case, CaseState.RECEIVED, CaseState.DISPATCHED, CaseState.HANDLING)
    if deadlines.open_pause(case, ClockPause.Reason.AWAITING_CITIZEN):
        raise InvalidState(_("The citizen has already been asked; record their answer first."))


def check_resume(case, actor):
    _may_talk_to_citizen(case, actor)
    require_state(case, CaseState.RECEIVED, CaseState.DISPATCHED, CaseState.HANDLING)
    if not deadlines.open_pause(case, ClockPause.Reason.AWAITING_CITIZEN):
        raise InvalidState(_("The case is not waiting for the citizen."))


@transaction.atomic
def answer_on_the_spot(case, *, acting_user, answer, close=True, expected_version=None):
    """Answer a consultation at once from the knowledge base; it is closed
    (or left replied, for a return visit, unless its policy closes such
    cases without a visit)."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_answer(case, actor)
    answer = require_text(answer, "answer", _("The answer"))
    before, now = case.state, timezone.now()
    case.reply, case.replied_at = answer, now
    set_state(case, CaseState.CLOSED if close else CaseState.REPLIED)
    if close:
        case.closed_at = now
    close_open_work(case, now)
    save_case(case, "reply", "replied_at", "closed_at", "paused_since")
    record_event(case, A.ANSWER, actor=actor, from_state=before, note=answer, at=now)
    if not close and closes_without_visit(case):
        close_by_policy(case, actor, now)
    return case


@transaction.atomic
def merge_cases(primary, duplicates, *, acting_user, note=""):
    """Merge the same matter from several channels into one primary case
    (并单); each merged citizen is then informed from the primary."""
    actor = Actor.of(acting_user)
    ids = sorted({d.pk for d in duplicates} | {primary.pk})
    if len(ids) < 2 or any(d.pk == primary.pk for d in duplicates):
        raise InvalidInput(_("Choose at least one other case to merge into the primary case."), field="duplicates")
    locked = lock_cases(ids)
    primary = locked[primary.pk]
    check_merge_primary(primary, actor)
    now = timezone.now()
    merged = []
    for pk in ids:
        if pk == primary.pk:
            continue
        case = locked[pk]
        check_merge_duplicate(case, actor)
        before = case.state
        case.merged_into = primary
        set_state(case, CaseState.MERGED)
        close_open_work(case, now)
        save_case(case, "merged_into", "paused_since")
        record_event(case, A.MERGE, actor=actor, from_state=before, note=note, data={"primary": primary.number})
        merged.append(case)
    primary.version += 1
    save_case(primary)
    record_event(primary, A.MERGE, actor=actor, from_state=primary.state, note=note,
                 data={"merged": [c.number for c in merged]})
    return primary, merged


@transaction.atomic
def divert_case(case, *, acting_user, route, note, expected_version=None):
    """Divert to a legal route (分流): litigation, arbitration, …"""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_divert(case, actor)
    route = check_choice(route, DivertRoute, "route", _("legal route"))
    note = require_text(note, "note", _("The explanation to the citizen"))
    before = case.state
    case.divert_route = route
    set_state(case, CaseState.DIVERTED)
    case.closed_at = timezone.now()
    close_open_work(case, case.closed_at)
    save_case(case, "divert_route", "closed_at", "paused_since")
    record_event(case, A.DIVERT, actor=actor, from_state=before, note=note, data={"route": route})
    return case


@transaction.atomic
def mark_invalid(case, *, acting_user, reason, expected_version=None):
    """Mark a case invalid (a prank call, no content) after review, with the reason."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_invalid(case, actor)
    reason = require_text(reason, "reason", _("The reason"))
    before = case.state
    set_state(case, CaseState.INVALID)
    case.closed_at = timezone.now()
    close_open_work(case, case.closed_at)
    save_case(case, "closed_at", "paused_since")
    record_event(case, A.INVALID, actor=actor, from_state=before, note=reason)
    return case


def _may_talk_to_citizen(case, actor):
    if actor.covers(case.owner_unit) and (actor.is_superuser or R.DISPATCHER in actor.roles):
        return
    actor_lead_assignment(case, actor)
    actor.require(R.HANDLER, R.UNIT_LEADER, R.DISPATCHER)


@transaction.atomic
def request_info(case, *, acting_user, missing, expected_version=None):
    """一次告知: ask the citizen once, fully, for what is missing. The clock
    pauses until ``resume_case``."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_request_info(case, actor)
    missing = require_text(missing, "missing", _("What is missing"))
    now = timezone.now()
    deadlines.start_pause(case, ClockPause.Reason.AWAITING_CITIZEN, now, note=missing)
    case.version += 1
    save_case(case, "paused_since")
    record_event(case, A.REQUEST_INFO, actor=actor, from_state=case.state, note=missing, at=now)
    return case


@transaction.atomic
def resume_case(case, *, acting_user, information, expected_version=None):
    """The citizen answered: record it, restart the clock, move the deadlines."""
    actor = Actor.of(acting_user)
    case = lock_case(case, expected_version=expected_version)
    check_resume(case, actor)
    information = require_text(information, "information", _("The information received"))
    now = timezone.now()
    deadlines.end_pause(case, ClockPause.Reason.AWAITING_CITIZEN, now)
    case.content = f"{case.content}\n\n【{_('Supplement')} {timezone.localtime(now):%Y-%m-%d %H:%M}】{information}"
    case.version += 1
    deadlines.apply_deadlines(case, now=now)
    save_case(case, "paused_since", "content", *deadlines.DEADLINE_FIELDS)
    deadlines.sync_lead_assignments(case)
    fingerprint_case(case, now=now)  # the supplement is part of the text compared
    record_event(case, A.RESUME, actor=actor, from_state=case.state, note=information, at=now)
    return case
