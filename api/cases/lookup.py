"""Finding cases for the asking staff member: always through
``visible_cases`` (unit scope and confidentiality), so that another unit's
case is simply not found, by number or otherwise."""

from django.db.models import prefetch_related_objects

from api.core.viewer import staff_user
from casemodels.services.disclosure import Disclosure
from casemodels.services.visibility import active_profile, visible_cases
from publishing.tracking import normalise_number


def staff(info):
    """The asking staff member (``api.core.viewer.staff_user``) with their
    roles read once for the whole request; ``None`` for anyone else."""
    request = info.context
    if not hasattr(request, "_minsheng_staff"):
        user = staff_user(info)
        profile = active_profile(user) if user is not None else None
        if profile is not None:
            prefetch_related_objects([profile], "roles")
        request._minsheng_staff = user
    return request._minsheng_staff


def staff_cases(info):
    """The cases the asking staff member may see (none for anyone else)."""
    return visible_cases(staff(info))


def find_case(info, number, *, queryset=None):
    """The case numbered ``number`` if the asker may see it, else ``None``."""
    user = staff(info)
    number = normalise_number(number or "")
    if user is None or not number:
        return None
    queryset = queryset if queryset is not None else visible_cases(user)
    return queryset.filter(number=number).first()


def disclosure(info, case):
    """How the asker reads ``case``'s personal data (memoised per case)."""
    request = info.context
    cache = getattr(request, "_minsheng_disclosures", None)
    if cache is None:
        cache = request._minsheng_disclosures = {}
    if case.pk not in cache:
        cache[case.pk] = Disclosure(staff(info), case)
    return cache[case.pk]
