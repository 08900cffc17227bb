"""Personal data (个人信息保护): who was shown what, a citizen's data on
request, and erasure that keeps the statistics.

- **The access log** (``log_personal_data_access``): every time a staff
  member is shown a citizen's name, phone, ID number or exact address
  unmasked — on the case page, in a workbench list, through the staff API's
  ``citizen`` field, in a citizen data export — one ``PersonalDataAccess``
  row per case shown, written with one ``bulk_create`` per call. Masked
  views write nothing. Administrators and supervisors read the log
  (``may_read_access_log``).
- **Export** (``export_citizen_data``): every case of one phone number
  the administrator may see, with its dossier's notes, its replies, return
  visits and visit attempts, as a plain structure (the admin serves it as
  JSON); logged as an access on each case.
- **Erasure** (``erase_citizen_data``, in ``privacy_erasure``) anonymises
  the cases of one phone number and keeps every figure.

Both export and erasure are for administrators (the role; superusers act
with every role) who may read personal data, over the cases they may see."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import Role
from snippets.services.validation import validate_phone

from ..models import Case, CaseEvent, PersonalDataAccess, ReturnVisit, VisitAttempt
from .base import R, Actor, InvalidInput, NotAllowed
from .visibility import active_profile, personal_data_q, sees_every_case, visible_cases

Where = PersonalDataAccess.Where
CITIZEN_FIELDS = ("name", "phone", "id_number", "address")
LOG_READERS = (R.ADMINISTRATOR, R.SUPERVISOR)


# --- The access log ----------------------------------------------------------------------------
def log_personal_data_access(user, cases, *, where, fields=CITIZEN_FIELDS, detail=""):
    """Record that ``user`` was shown the personal data ``fields`` of
    ``cases`` (a case or an iterable of cases) unmasked, at ``where`` (a
    ``PersonalDataAccess.Where``). One row per case, one INSERT for them
    all; nothing for an anonymous user or no case. Returns the rows."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if isinstance(cases, Case):
        cases = [cases]
    where = Where(where)
    now = timezone.now()
    shown = ",".join(fields)[:200]
    username = user.get_username()
    rows = [PersonalDataAccess(user=user, username=username, case_id=case.pk, case_number=case.number, at=now,
                               where=where, fields=shown, detail=(detail or "")[:200])
            for case in cases if case is not None and case.pk is not None]
    if rows:
        PersonalDataAccess.objects.bulk_create(rows)
    return rows


def may_read_access_log(user):
    """Superusers, and staff with an active profile holding the
    administrator or supervisor role."""
    if sees_every_case(user):
        return True
    profile = active_profile(user)
    return profile is not None and Role.objects.filter(staff=profile, code__in=LOG_READERS).exists()


def visible_access_log(user):
    """The log rows ``user`` may read: none unless ``may_read_access_log``;
    a superuser reads them all, others those about the cases they may see
    (a district's administrator does not read about another district's cases)."""
    if not may_read_access_log(user):
        return PersonalDataAccess.objects.none()
    if sees_every_case(user):
        return PersonalDataAccess.objects.all()
    return PersonalDataAccess.objects.filter(case_id__in=visible_cases(user).values("pk"))


def shown_fields(citizen):
    """The personal data fields of a disclosed ``citizen`` dict that hold a value."""
    return [f for f in CITIZEN_FIELDS if citizen.get(f)]


# --- Shared checks of export and erasure -------------------------------------------------------
def may_manage_citizen_data(user):
    """Superusers, and staff with an active profile holding the
    administrator role (the menu and the screens; the services check again)."""
    if sees_every_case(user):
        return True
    profile = active_profile(user)
    return profile is not None and Role.objects.filter(staff=profile, code=R.ADMINISTRATOR).exists()


def check_administrator(acting_user):
    """The acting user as an ``Actor`` holding the administrator role, who may
    read personal data; else ``NotAllowed`` saying why."""
    actor = Actor.of(acting_user)
    if not (actor.is_superuser or R.ADMINISTRATOR in actor.roles):
        raise NotAllowed(_("Only administrators may export or erase a citizen's personal data."),
                         code="not_administrator")
    if not (actor.is_superuser or any(r.sees_personal_data for r in acting_user.staff_profile.roles.all())):
        raise NotAllowed(_("Your roles do not let you read citizens' personal data."), code="no_personal_data")
    return actor


def phone_variants(phone):
    """The forms a stored phone may take: as typed once normalised, without
    its dash, and a landline with its dash after a 3- or 4-digit area code."""
    forms = {phone, phone.replace("-", "")}
    bare = phone.replace("-", "")
    if bare.startswith("0") and len(bare) >= 10:
        forms |= {f"{bare[:3]}-{bare[3:]}", f"{bare[:4]}-{bare[4:]}"}
    return forms


def citizen_cases(acting_user, phone):
    """``(normalised phone, queryset)``: the cases of ``phone`` that
    ``acting_user`` may see and read the personal data of. Refuses an empty
    or malformed phone, and a phone no such case has, naming it."""
    if not (phone or "").strip():
        raise InvalidInput(_("Give the citizen's phone number."), code="required", field="phone")
    try:
        phone = validate_phone(phone, field="phone")
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from None
    cases = (visible_cases(acting_user).filter(personal_data_q(acting_user))
             .filter(citizen_phone__in=phone_variants(phone)).order_by("received_at", "pk"))
    if not cases.exists():
        raise InvalidInput(_("No case you may see has the phone number %(phone)s.") % {"phone": phone},
                           code="not_found", field="phone")
    return phone, cases


def count_citizen_cases(acting_user, *, phone):
    """How many cases an erasure or export of ``phone`` would take (the
    confirmation step), after the same checks."""
    check_administrator(acting_user)
    return citizen_cases(acting_user, phone)[1].count()


# --- Export --------------------------------------------------------------------------------------
def _iso(value):
    return timezone.localtime(value).isoformat() if value is not None else None


def _case_data(case, events, visits, attempts):
    return {
        "number": case.number, "channel": case.channel.name, "case_type": case.case_type,
        "received_at": _iso(case.received_at), "state": case.state, "title": case.title, "content": case.content,
        "citizen": {"name": case.citizen_name, "phone": case.citizen_phone, "id_number": case.citizen_id_number,
                    "address": case.address, "is_anonymous": case.is_anonymous,
                    "is_confidential": case.is_confidential},
        "region": case.region.name if case.region_id else None,
        "reply": case.reply, "replied_at": _iso(case.replied_at), "closed_at": _iso(case.closed_at),
        "events": [{"at": _iso(e.created_at), "action": e.action, "label": str(e.get_action_display()),
                    "note": e.note} for e in events],
        "return_visits": [{"at": _iso(v.visited_at), "round": v.round, "method": v.method,
                           "satisfaction": v.satisfaction, "resolved": v.resolved, "note": v.note} for v in visits],
        "visit_attempts": [{"at": _iso(a.attempted_at), "round": a.round, "method": a.method, "note": a.note}
                           for a in attempts],
    }


def _by_case(rows):
    grouped = {}
    for row in rows:
        grouped.setdefault(row.case_id, []).append(row)
    return grouped


@transaction.atomic
def export_citizen_data(acting_user, *, phone):
    """Everything kept about the citizen of ``phone`` on the cases the
    administrator may see: a dict ready for JSON (``phone``,
    ``exported_at``, ``exported_by``, ``cases``). The export is logged on
    each case (``Where.CITIZEN_EXPORT``). A fixed number of queries."""
    check_administrator(acting_user)
    phone, queryset = citizen_cases(acting_user, phone)
    cases = list(queryset.select_related("channel", "region"))
    ids = [c.pk for c in cases]
    events = _by_case(CaseEvent.objects.filter(case_id__in=ids).order_by("created_at", "id"))
    visits = _by_case(ReturnVisit.objects.filter(case_id__in=ids).order_by("visited_at", "id"))
    attempts = _by_case(VisitAttempt.objects.filter(case_id__in=ids).order_by("attempted_at", "id"))
    log_personal_data_access(acting_user, cases, where=Where.CITIZEN_EXPORT)
    return {
        "phone": phone, "exported_at": _iso(timezone.now()), "exported_by": acting_user.get_username(),
        "cases": [_case_data(c, events.get(c.pk, []), visits.get(c.pk, []), attempts.get(c.pk, [])) for c in cases],
    }

