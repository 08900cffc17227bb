"""Historical cases from another system's export: each becomes a closed (or
archived) case with its original times and reply, a new case number, the
old number kept as ``external_id`` on its channel, and one event saying it
was imported. Importing the same (channel, old number) again changes
nothing (idempotent)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import CaseType, Channel, DirectoryItem, Region, Unit, Urgency
from snippets.services.validation import validate_phone

from ..models import Case, CaseEvent, CaseState
from .base import R, Actor, InvalidInput, check_choice, record_event, require_text, root_unit
from .fingerprints import fingerprint_case
from .intake import new_query_code, next_case_number

IMPORT_ACTION = CaseEvent.Action.IMPORT
HISTORICAL_STATES = (CaseState.CLOSED, CaseState.ARCHIVED)


def _config(model, value, field, label, *, required=False):
    """A configuration object by code. Inactive ones are accepted: old cases
    may name a channel or unit that has since been retired."""
    if value is None or value == "":
        if required:
            raise InvalidInput(_("%(label)s must not be empty.") % {"label": label}, code="required", field=field)
        return None
    if isinstance(value, model):
        return value
    obj = model.objects.filter(code=str(value).strip()).first()
    if obj is None:
        raise InvalidInput(
            _("Unknown %(label)s code: “%(value)s”.") % {"label": label, "value": value}, code="unknown", field=field,
        )
    return obj


def _moment(value, field, label, *, required=False):
    if value in (None, ""):
        if required:
            raise InvalidInput(_("%(label)s must not be empty.") % {"label": label}, code="required", field=field)
        return None
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    raise InvalidInput(_("%(label)s is not a date and time.") % {"label": label}, code="invalid_date", field=field)


@transaction.atomic
def import_historical_case(
    *, acting_user, channel, external_id, content, received_at, closed_at, case_type=CaseType.CONSULTATION,
    title="", reply="", replied_at=None, unit=None, directory_item=None, region=None, address="",
    citizen_name="", citizen_phone="", urgency=None, state=CaseState.CLOSED, source="",
):
    """Create one historical case; returns ``(case, created)``. A case already
    imported with the same channel and old number is returned unchanged."""
    actor = Actor.of(acting_user)
    actor.require(R.ADMINISTRATOR)
    channel = _config(Channel, channel, "channel", _("channel"), required=True)
    external_id = require_text(external_id, "external_id", _("The original case number"))
    if len(external_id) > 100:
        raise InvalidInput(_("The original case number is longer than 100 characters."), field="external_id")
    existing = Case.objects.filter(channel=channel, external_id=external_id).first()
    if existing is not None:
        return existing, False

    content = require_text(content, "content", _("The content"))
    title = ((title or "").strip() or content.splitlines()[0])[:200]
    case_type = check_choice(case_type, CaseType, "case_type", _("case type"), default=CaseType.CONSULTATION)
    urgency = check_choice(urgency, Urgency, "urgency", _("urgency"), default=Urgency.NORMAL)
    state = check_choice(state, CaseState, "state", _("state"), default=CaseState.CLOSED)
    if state not in HISTORICAL_STATES:
        raise InvalidInput(_("A historical case must be closed or archived."), code="invalid_state", field="state")
    owner_unit = _config(Unit, unit, "owner_unit", _("unit")) or root_unit()
    item = _config(DirectoryItem, directory_item, "directory_item", _("directory item"))
    region = _config(Region, region, "region", _("region"))
    received_at = _moment(received_at, "received_at", _("The time of receipt"), required=True)
    closed_at = _moment(closed_at, "closed_at", _("The closing time"), required=True)
    replied_at = _moment(replied_at, "replied_at", _("The reply time")) or closed_at
    if closed_at < received_at:
        raise InvalidInput(_("The case was closed before it was received."), code="closed_before_received",
                           field="closed_at")
    if replied_at < received_at or replied_at > closed_at:
        raise InvalidInput(_("The reply time must lie between receipt and closing."), code="invalid_date",
                           field="replied_at")
    if closed_at > timezone.now():
        raise InvalidInput(_("The closing time is in the future."), code="invalid_date", field="closed_at")
    try:
        phone = validate_phone(citizen_phone, field="citizen_phone") if citizen_phone else ""
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from None

    case = Case.objects.create(
        number=next_case_number(received_at), channel=channel, external_id=external_id, case_type=case_type,
        urgency=urgency, title=title, content=content, address=(address or "").strip()[:300], region=region,
        citizen_name=(citizen_name or "").strip()[:50], citizen_phone=phone, is_anonymous=not phone,
        query_code=new_query_code(), directory_item=item, state=state, owner_unit=owner_unit,
        reply=(reply or "").strip(), received_at=received_at, replied_at=replied_at, closed_at=closed_at,
        created_by=actor.user,
    )
    record_event(
        case, IMPORT_ACTION, actor=actor, unit=owner_unit, from_state="",
        note=_("Imported from another system's export (original number %(number)s).") % {"number": external_id},
        data={"imported": True, "external_id": external_id, "channel": channel.code, "source": source},
    )
    fingerprint_case(case, replace=False)
    return case, True
