"""Who may see which cases (staff views: admin lists, dossiers, exports)."""

from django.db.models import Q

from ..models import Assignment, Case


def active_profile(user):
    if user is None or not user.is_active:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile if profile is not None and profile.is_active else None


def visible_cases(user):
    """Superusers see every case; an active staff member sees the cases first
    received by their unit or a unit below it, and those any such unit has
    held; anyone else sees none. One query, whatever the number of cases."""
    if user is not None and user.is_active and user.is_superuser:
        return Case.objects.all()
    profile = active_profile(user)
    if profile is None:
        return Case.objects.none()
    unit_ids = profile.unit.descendant_ids()
    held = Assignment.objects.filter(unit_id__in=unit_ids).values("case_id")
    return Case.objects.filter(Q(owner_unit_id__in=unit_ids) | Q(pk__in=held))
