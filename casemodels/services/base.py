"""What every lifecycle service shares: typed errors, the acting user's roles
and unit scope, the row lock on a case, and the event writer."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import Role, Unit

from ..models import Assignment, Case, CaseEvent, CaseState

R = Role.Code


class CaseActionError(Exception):
    """A refused action. Nothing was written. ``code`` and ``field`` let the
    admin and GraphQL show it as a typed error."""

    default_code = "invalid"

    def __init__(self, message, *, code=None, field=None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.field = field

    def __str__(self):
        return self.message


class NotAllowed(CaseActionError):
    default_code = "not_allowed"


class InvalidState(CaseActionError):
    default_code = "invalid_state"


class Conflict(CaseActionError):
    default_code = "conflict"


class InvalidInput(CaseActionError):
    default_code = "invalid"

    @classmethod
    def from_validation_error(cls, exc: ValidationError):
        if hasattr(exc, "error_dict"):
            name, errors = next(iter(exc.error_dict.items()))
            err = errors[0]
            return cls(" ".join(err.messages), code=err.code or "invalid", field=name)
        return cls(" ".join(exc.messages), code=getattr(exc, "code", None) or "invalid")


@dataclass
class Actor:
    """Who is acting: their user, unit and roles. Superusers act with every
    role over every unit (the demo administrator)."""

    user: object
    unit: Unit | None
    roles: set = field(default_factory=set)
    is_superuser: bool = False

    @classmethod
    def of(cls, user):
        if user is None or not getattr(user, "is_authenticated", False):
            raise NotAllowed(_("You must sign in to do this."), code="unauthenticated")
        profile = getattr(user, "staff_profile", None)
        if user.is_superuser:
            unit = profile.unit if profile else None
            return cls(user=user, unit=unit, roles=set(R.values), is_superuser=True)
        if profile is None or not profile.is_active:
            raise NotAllowed(_("Your account is not linked to an active staff profile."))
        return cls(user=user, unit=profile.unit, roles=set(profile.roles.values_list("code", flat=True)))

    def require(self, *codes):
        if self.is_superuser or self.roles.intersection(codes):
            return
        names = "、".join(str(R(c).label) for c in codes)
        raise NotAllowed(_("This action needs one of these roles: %(roles)s.") % {"roles": names})

    def covers(self, unit):
        """True when ``unit`` is the actor's unit or below it."""
        if self.is_superuser:
            return True
        return unit is not None and self.unit is not None and unit.is_descendant_of(self.unit)

    def require_covers(self, unit, *, field=None):
        if not self.covers(unit):
            raise NotAllowed(
                _("%(unit)s is outside your unit's scope.") % {"unit": unit}, code="out_of_scope", field=field,
            )

    def is_unit(self, unit):
        return self.unit is not None and unit is not None and self.unit.pk == unit.pk


def resolve_config(model, value, field, label):
    if value is None or value == "":
        return None
    if isinstance(value, model):
        obj = value
    else:
        # Codes are strings (a channel coded "12345" is a code); ids are ints.
        lookup = {"pk": value} if isinstance(value, int) else {"code": value}
        obj = model.objects.filter(**lookup).first()
    if obj is None or not getattr(obj, "is_active", True):
        raise InvalidInput(
            _("Unknown or inactive %(label)s: “%(value)s”.") % {"label": label, "value": value},
            code="unknown", field=field,
        )
    return obj


def check_choice(value, choices, field, label, default=None):
    value = value or default
    if value not in choices.values:
        raise InvalidInput(
            _("“%(value)s” is not a valid %(label)s.") % {"value": value, "label": label}, code="invalid_choice",
            field=field,
        )
    return value


def default_urgency(item):
    """The urgency a case takes when none is given: its directory item's default, else normal."""
    from snippets.models import Urgency

    return item.default_urgency if item is not None and item.default_urgency else Urgency.NORMAL


def root_unit():
    unit = Unit.objects.filter(parent__isnull=True, is_active=True).order_by("level", "id").first()
    if unit is None:
        raise InvalidInput(_("No command centre unit is configured."), field="owner_unit")
    return unit


def lock_case(case, *, expected_version=None):
    """Lock the case row for this transaction and return a fresh copy.

    A second action on the same case while the first holds the lock, or an
    action based on a version that has since changed, gets ``Conflict``."""
    try:
        locked = Case.objects.select_for_update(nowait=True).get(pk=case.pk)
    except DatabaseError:
        raise Conflict(
            _("Case %(number)s is being changed by someone else; reload and try again.") % {"number": case.number}
        ) from None
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Case %(number)s has changed since you opened it; reload and try again.") % {"number": case.number}
        )
    return locked


def lock_cases(pks):
    """Lock several cases in primary-key order (no deadlock between two merges)."""
    try:
        cases = {c.pk: c for c in Case.objects.select_for_update(nowait=True).filter(pk__in=pks).order_by("pk")}
    except DatabaseError:
        raise Conflict(_("One of these cases is being changed by someone else; reload and try again.")) from None
    missing = set(pks) - set(cases)
    if missing:
        raise InvalidInput(_("Some of the chosen cases do not exist."), code="not_found", field="duplicates")
    return cases


def require_state(case, *states):
    if case.state not in states:
        allowed = "、".join(str(CaseState(s).label) for s in states)
        raise InvalidState(
            _("Case %(number)s is %(state)s; this action needs it to be: %(allowed)s.")
            % {"number": case.number, "state": case.get_state_display(), "allowed": allowed}
        )


def require_text(value, field, label):
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("%(label)s must not be empty.") % {"label": label}, code="required", field=field)
    return value


def active_lead(case):
    return (
        case.assignments.filter(role=Assignment.Role.LEAD, state__in=Assignment.ACTIVE_STATES)
        .select_related("unit", "parent__unit")
        .order_by("-id")
        .first()
    )


def actor_lead_assignment(case, actor, *states):
    """The active lead assignment, which must belong to the actor's unit."""
    lead = active_lead(case)
    if lead is None or not (actor.is_unit(lead.unit) or (actor.is_superuser and actor.unit is None)):
        raise NotAllowed(
            _("Your unit does not hold case %(number)s.") % {"number": case.number}, code="not_your_case",
        )
    if states and lead.state not in states:
        raise InvalidState(
            _("Your unit's assignment is %(state)s; this action is not possible now.")
            % {"state": lead.get_state_display()}
        )
    return lead


def set_state(case, state):
    case.state = state
    case.version += 1


def save_case(case, *fields):
    case.save(update_fields=["state", "version", "updated_at", *fields])


def record_event(case, action, *, actor, from_state, unit=None, note="", data=None, at=None):
    return CaseEvent.objects.create(
        case=case,
        action=action,
        actor=actor.user if actor else None,
        unit=unit if unit is not None else (actor.unit if actor else None),
        created_at=at or timezone.now(),
        from_state=from_state,
        to_state=case.state,
        note=note,
        data=data or {},
    )
