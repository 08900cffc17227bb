"""Who may see which cases in staff views: the admin list and its search and
export, the dossier (inspect view), and later the staff GraphQL queries.

- a superuser sees every case;
- a user with an active staff profile sees the cases whose first-receiving
  unit (``owner_unit``) is their unit or a unit below it, and the cases that
  any such unit has held at some time (an assignment in any state: lead or
  co-handler, signed, sub-dispatched, returned, replied, withdrawn …);
- a confidential case (举报人保密) is seen in that scope only by people
  holding a role that ``sees_confidential``; others see it only while their
  own unit holds (or held) an assignment on it, to do their work, with the
  reporter masked (``sees_personal_data``) — the units above them do not;
- everyone else (no profile, an inactive profile, an inactive or anonymous
  user) sees nothing.

The queryset is one SQL query whatever the number of cases or units: the
unit subtree is a recursive subquery, not a list collected in Python."""

from django.db.models import Exists, Q
from django.db.models.expressions import RawSQL

from snippets.models import Role, Unit

from ..models import Assignment, Case


def active_profile(user):
    """The staff profile of an active, signed-in user when it is active; else None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile if profile is not None and profile.is_active else None


def sees_every_case(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active
                and user.is_superuser)


def unit_subtree(unit_id):
    """A subquery of the ids of ``unit_id`` and every unit below it, however
    deep the tree (a recursive common table expression; ``UNION`` rather
    than ``UNION ALL`` so that a cycle in bad data ends instead of looping).
    Works on SQLite and PostgreSQL."""
    table = Unit._meta.db_table
    pk = Unit._meta.pk.column
    parent = Unit._meta.get_field("parent").column
    return RawSQL(
        f'WITH RECURSIVE subtree(id) AS ('
        f'SELECT r."{pk}" FROM "{table}" r WHERE r."{pk}" = %s'
        f' UNION SELECT u."{pk}" FROM "{table}" u JOIN subtree s ON u."{parent}" = s.id'
        f') SELECT id FROM subtree',
        (unit_id,),
    )


def visible_cases(user):
    """The cases ``user`` may see in staff views (see the module docstring)."""
    if sees_every_case(user):
        return Case.objects.all()
    profile = active_profile(user)
    if profile is None:
        return Case.objects.none()
    in_scope = Q(owner_unit_id__in=unit_subtree(profile.unit_id)) | Q(
        pk__in=Assignment.objects.filter(unit_id__in=unit_subtree(profile.unit_id)).values("case_id")
    )
    may_see_confidential = Exists(Role.objects.filter(staff=profile, sees_confidential=True))
    held_by_own_unit = Q(pk__in=Assignment.objects.filter(unit_id=profile.unit_id).values("case_id"))
    return Case.objects.filter(
        (Q(is_confidential=False) & in_scope)
        | (Q(is_confidential=True) & ((may_see_confidential & in_scope) | held_by_own_unit))
    )


def sees_personal_data(user, case):
    """May ``user`` read the citizen's name, phone, ID number and exact
    address on ``case`` (which they can already see)? Superusers may; staff
    need a role that ``sees_personal_data`` and, for a confidential case, a
    role that ``sees_confidential`` as well. Everyone else gets masked data."""
    if sees_every_case(user):
        return True
    profile = active_profile(user)
    if profile is None:
        return False
    roles = list(profile.roles.all())
    if not any(r.sees_personal_data for r in roles):
        return False
    return not case.is_confidential or any(r.sees_confidential for r in roles)


def personal_data_q(user):
    """The cases on which ``user`` may read personal data, as a filter:
    ``sees_personal_data`` for a queryset. Searches that match on a phone
    number or an address use it, so that a search cannot confirm data the
    user would only see masked (a confidential reporter's phone, say)."""
    if sees_every_case(user):
        return Q()
    profile = active_profile(user)
    roles = list(profile.roles.all()) if profile is not None else []
    if not any(r.sees_personal_data for r in roles):
        return Q(pk__in=[])
    if any(r.sees_confidential for r in roles):
        return Q()
    return Q(is_confidential=False)


def role_flags(user):
    """``(sees_personal_data, sees_confidential)`` for the signed-in staff
    member, from their roles' flags, as this module applies them: a superuser sees both; staff see personal data when one of
    their roles ``sees_personal_data`` and confidential cases in their scope
    when one ``sees_confidential``; anyone else neither."""
    if sees_every_case(user):
        return True, True
    profile = active_profile(user)
    if profile is None:
        return False, False
    roles = list(profile.roles.all())
    return any(r.sees_personal_data for r in roles), any(r.sees_confidential for r in roles)


def can_see_case(user, case):
    """True when ``case`` is among ``visible_cases(user)`` (one query)."""
    if case is None or case.pk is None:
        return False
    return visible_cases(user).filter(pk=case.pk).exists()
