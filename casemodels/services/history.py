"""Historical cases from another system's export: each becomes a closed (or
archived) case with its original times and reply, a new case number, the
old number kept as ``external_id`` on its channel, and one event saying it
was imported. Importing the same (channel, old number) again changes
nothing (idempotent).

``import_historical_cases`` takes a whole file's rows: every row is checked
first (the configuration each row names is read with one query per kind for
the whole file, the old numbers already imported with one query per
thousand rows); if any row is refused, every refusal is returned with its
row and nothing is written. Otherwise the numbers of every day concerned
are reserved together (``numbering.reserve_case_numbers``) and the cases,
their events and their fingerprints are written in bulk (``bulk_sql``), in
order of receipt, in one transaction. ``import_historical_case``
imports one case through the same rules."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from snippets.models import CaseType, Channel, DirectoryItem, Region, Unit, Urgency
from snippets.services.validation import validate_phone

from ..models import Case, CaseEvent, CaseFingerprint, CaseState
from .base import R, Actor, InvalidInput, check_choice, require_text, root_unit
from .bulk_sql import TableWriter, bulk_write_cache
from .fingerprints import retention, signature_bands
from .numbering import case_number_day, new_query_codes, reserve_case_numbers

IMPORT_ACTION = CaseEvent.Action.IMPORT
HISTORICAL_STATES = (CaseState.CLOSED, CaseState.ARCHIVED)
#: The arguments a row may give (``import_historical_case``'s keywords).
ROW_FIELDS = (
    "channel", "external_id", "content", "received_at", "closed_at", "case_type", "title", "reply", "replied_at",
    "unit", "directory_item", "region", "address", "citizen_name", "citizen_phone", "urgency", "state",
)
#: Configuration named by code in a row: (argument, model, field of the error).
CONFIG_COLUMNS = (
    ("channel", Channel, "channel"), ("unit", Unit, "owner_unit"),
    ("directory_item", DirectoryItem, "directory_item"), ("region", Region, "region"),
)
LOOKUP_CHUNK = 900  # values per IN (...) query (SQLite allows 32,766 parameters; PostgreSQL more)


@dataclass
class RowRefusal:
    """A row that cannot be imported: its number in the file, the argument at fault, the message."""

    row: object
    field: str
    message: str
    code: str = "invalid"


@dataclass
class HistoryImport:
    """What ``import_historical_cases`` did. When ``errors`` is not empty nothing was written."""

    created: list = field(default_factory=list)  # (row, case id or None on a dry run, number, title)
    skipped: list = field(default_factory=list)  # (row, id of the case imported before)
    errors: list = field(default_factory=list)  # RowRefusal, in the order of the rows

    @property
    def ok(self):
        return not self.errors


class _Lookups:
    """The configuration a file names, by code: one query per kind for the
    whole file. Inactive objects are accepted: old cases may name a channel
    or unit that has since been retired."""

    LABELS = {
        "channel": _lazy("channel"), "unit": _lazy("unit"), "directory_item": _lazy("directory item"),
        "region": _lazy("region"),
    }
    COLUMNS = {argument: (model, field) for argument, model, field in CONFIG_COLUMNS}

    def __init__(self, rows):
        self.ids = {}
        for argument, model, _field in CONFIG_COLUMNS:
            codes = {str(v).strip() for _row, values in rows
                     if (v := values.get(argument)) not in (None, "") and not isinstance(v, model)}
            found = {}
            codes = sorted(codes)
            for start in range(0, len(codes), LOOKUP_CHUNK):
                found.update(model.objects.filter(code__in=codes[start:start + LOOKUP_CHUNK]).values_list("code", "pk"))
            self.ids[argument] = found
        self._root = None

    def id_of(self, argument, value, *, required=False):
        model, error_field = self.COLUMNS[argument]
        label = self.LABELS[argument]
        if value is None or value == "":
            if required:
                raise InvalidInput(_("%(label)s must not be empty.") % {"label": label}, code="required",
                                   field=error_field)
            return None
        if isinstance(value, model):
            return value.pk
        pk = self.ids[argument].get(str(value).strip())
        if pk is None:
            raise InvalidInput(
                _("Unknown %(label)s code: “%(value)s”.") % {"label": label, "value": value}, code="unknown",
                field=error_field,
            )
        return pk

    def root_unit_id(self):
        if self._root is None:
            self._root = root_unit().pk
        return self._root


def _moment(value, field, label, *, required=False):
    if value in (None, ""):
        if required:
            raise InvalidInput(_("%(label)s must not be empty.") % {"label": label}, code="required", field=field)
        return None
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    raise InvalidInput(_("%(label)s is not a date and time.") % {"label": label}, code="invalid_date", field=field)


# Labels named in refusals, translated only when a refusal is written.
L_EXTERNAL_ID, L_CONTENT = _lazy("The original case number"), _lazy("The content")
L_CASE_TYPE, L_URGENCY, L_STATE = _lazy("case type"), _lazy("urgency"), _lazy("state")
L_RECEIVED, L_CLOSED, L_REPLIED = _lazy("The time of receipt"), _lazy("The closing time"), _lazy("The reply time")
CASE_TYPES, URGENCIES, STATES = frozenset(CaseType.values), frozenset(Urgency.values), frozenset(CaseState.values)


def _choice(value, allowed, choices, field, label, default):
    """``check_choice`` with the common case (a valid value) decided by a set look-up."""
    value = value or default
    return value if value in allowed else check_choice(value, choices, field, label)


def _clean(values, lookups, now):
    """One row's values as the ``Case`` columns they become (without number
    and query code), or ``InvalidInput`` naming the first thing wrong."""
    unknown = set(values) - set(ROW_FIELDS)
    if unknown:
        raise TypeError(f"Unknown historical case arguments: {', '.join(sorted(unknown))}")
    channel_id = lookups.id_of("channel", values.get("channel"), required=True)
    external_id = require_text(values.get("external_id"), "external_id", L_EXTERNAL_ID)
    if len(external_id) > 100:
        raise InvalidInput(_("The original case number is longer than 100 characters."), field="external_id")
    content = require_text(values.get("content"), "content", L_CONTENT)
    title = ((values.get("title") or "").strip() or content.splitlines()[0])[:200]
    case_type = _choice(values.get("case_type"), CASE_TYPES, CaseType, "case_type", L_CASE_TYPE, CaseType.CONSULTATION)
    urgency = _choice(values.get("urgency"), URGENCIES, Urgency, "urgency", L_URGENCY, Urgency.NORMAL)
    state = _choice(values.get("state"), STATES, CaseState, "state", L_STATE, CaseState.CLOSED)
    if state not in HISTORICAL_STATES:
        raise InvalidInput(_("A historical case must be closed or archived."), code="invalid_state", field="state")
    owner_unit_id = lookups.id_of("unit", values.get("unit")) or lookups.root_unit_id()
    item_id = lookups.id_of("directory_item", values.get("directory_item"))
    region_id = lookups.id_of("region", values.get("region"))
    received_at = _moment(values.get("received_at"), "received_at", L_RECEIVED, required=True)
    closed_at = _moment(values.get("closed_at"), "closed_at", L_CLOSED, required=True)
    replied_at = _moment(values.get("replied_at"), "replied_at", L_REPLIED) or closed_at
    if closed_at < received_at:
        raise InvalidInput(_("The case was closed before it was received."), code="closed_before_received",
                           field="closed_at")
    if replied_at < received_at or replied_at > closed_at:
        raise InvalidInput(_("The reply time must lie between receipt and closing."), code="invalid_date",
                           field="replied_at")
    if closed_at > now:
        raise InvalidInput(_("The closing time is in the future."), code="invalid_date", field="closed_at")
    phone = values.get("citizen_phone")
    try:
        phone = validate_phone(phone, field="citizen_phone") if phone else ""
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from None
    return {
        "channel_id": channel_id, "external_id": external_id, "case_type": case_type, "urgency": urgency,
        "title": title, "content": content, "address": (values.get("address") or "").strip()[:300],
        "region_id": region_id, "citizen_name": (values.get("citizen_name") or "").strip()[:50],
        "citizen_phone": phone, "is_anonymous": not phone, "directory_item_id": item_id, "state": state,
        "owner_unit_id": owner_unit_id, "reply": (values.get("reply") or "").strip(), "received_at": received_at,
        "replied_at": replied_at, "closed_at": closed_at,
    }


def _imported_before(cleaned):
    """{(channel id, old number): id of the case} for the rows already imported."""
    by_channel = {}
    for _row, case in cleaned:
        by_channel.setdefault(case["channel_id"], []).append(case["external_id"])
    found = {}
    for channel_id, numbers in by_channel.items():
        numbers = sorted(set(numbers))
        for start in range(0, len(numbers), LOOKUP_CHUNK):
            for external_id, pk in (Case.objects.filter(channel_id=channel_id,
                                                        external_id__in=numbers[start:start + LOOKUP_CHUNK])
                                    .values_list("external_id", "pk")):
                found[(channel_id, external_id)] = pk
    return found


def _progress(progress, done):
    if progress is not None:
        progress(done)


def import_historical_cases(*, acting_user, rows, source="", dry_run=False, progress=None, progress_every=1000):
    """Import ``rows``, a list of ``(row number, {argument: value})``
    (arguments as ``import_historical_case`` takes them), all or nothing.

    ``dry_run`` checks every row and writes nothing. ``progress(n)`` is told
    how far the work is, in rows of the file: checking takes the first half
    of them and writing the second (a dry run only checks, all of them)."""
    actor = Actor.of(acting_user)
    actor.require(R.ADMINISTRATOR)
    rows = list(rows)
    now = timezone.now()
    result = HistoryImport()
    lookups = _Lookups(rows)
    cleaned, first_row = [], {}
    share = 1 if dry_run else 0.5
    for done, (row, values) in enumerate(rows, start=1):
        try:
            case = _clean(values, lookups, now)
        except InvalidInput as exc:
            result.errors.append(RowRefusal(row, exc.field or "", exc.message, exc.code))
            continue
        key = (case["channel_id"], case["external_id"])
        if key in first_row:
            result.errors.append(RowRefusal(
                row, "external_id",
                _("The original case number “%(number)s” is already on row %(row)s of this file.")
                % {"number": case["external_id"], "row": first_row[key]}, "duplicate_external_id",
            ))
            continue
        first_row[key] = row
        cleaned.append((row, case))
        if done % progress_every == 0:
            _progress(progress, int(done * share))
    if result.errors:
        return result
    existing = _imported_before(cleaned)
    new = []
    for row, case in cleaned:
        pk = existing.get((case["channel_id"], case["external_id"]))
        if pk is None:
            new.append((row, case))
        else:
            result.skipped.append((row, pk))
    if dry_run:
        result.created = [(row, None, "", case["title"]) for row, case in new]
        return result
    _progress(progress, len(rows) // 2)
    with transaction.atomic(), bulk_write_cache():
        _write(new, actor, source, now, result, lambda share: _progress(progress, int(len(rows) * share)))
    return result


def _write(new, actor, source, now, result, progress):
    if not new:
        return
    # In order of receipt: the case numbers and the time indexes then grow at their ends
    # (a file in another order costs the database a page for almost every row).
    new = sorted(new, key=lambda item: item[1]["received_at"])
    by_day = {}
    for index, (_row, case) in enumerate(new):
        by_day.setdefault(case_number_day(case["received_at"]), []).append(index)
    numbers = [""] * len(new)
    reserved = reserve_case_numbers({day: len(indexes) for day, indexes in by_day.items()})
    for day, indexes in by_day.items():
        for index, number in zip(indexes, reserved[day]):
            numbers[index] = number
    codes = new_query_codes(len(new))
    user_id = actor.user.pk
    cases = []
    for (_row, case), number, code in zip(new, numbers, codes):
        case.update(number=number, query_code=code, created_by_id=user_id)
        cases.append(case)
    ids = TableWriter(Case, now=now).insert_returning_ids(cases)
    progress(0.8)

    note = _("Imported from another system's export (original number %(number)s).")
    channel_codes = dict(Channel.objects.filter(pk__in={c["channel_id"] for c in cases}).values_list("pk", "code"))
    events = [{
        "case_id": pk, "action": IMPORT_ACTION, "actor_id": user_id, "unit_id": case["owner_unit_id"],
        "created_at": now, "from_state": "", "to_state": case["state"],
        "note": note % {"number": case["external_id"]},
        "data": {"imported": True, "external_id": case["external_id"], "channel": channel_codes[case["channel_id"]],
                 "source": source},
    } for pk, case in zip(ids, cases)]
    TableWriter(CaseEvent, now=now).insert(events)

    since = now - retention()  # only recent cases are looked for among duplicates (fingerprints)
    prints = [{"case_id": pk, "band": band, "received_at": case["received_at"]}
              for pk, case in zip(ids, cases) if case["received_at"] >= since
              for band in set(signature_bands(case["content"]))]
    TableWriter(CaseFingerprint, now=now).insert(prints)
    result.created = sorted(((row, pk, case["number"], case["title"]) for (row, _c), pk, case in zip(new, ids, cases)),
                            key=lambda created: created[0] or 0)  # in the file's order
    progress(1)


def import_historical_case(*, acting_user, source="", **values):
    """Create one historical case; returns ``(case, created)``. A case already
    imported with the same channel and old number is returned unchanged."""
    result = import_historical_cases(acting_user=acting_user, rows=[(None, values)], source=source)
    if result.errors:
        refusal = result.errors[0]
        raise InvalidInput(refusal.message, code=refusal.code, field=refusal.field or None)
    if result.skipped:
        return Case.objects.get(pk=result.skipped[0][1]), False
    return Case.objects.get(pk=result.created[0][1]), True
