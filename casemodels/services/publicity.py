"""Whether a case may be published (办件公开): the one switch the public
listings read (``publishing.published``). Only a closed or archived case,
never a confidential one, and only by the command centre's supervisors and
administrators (the same people who read the centre-wide analysis)."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Case, CaseState
from .analysis import check_analyst
from .base import InvalidState

PUBLISHABLE_STATES = (CaseState.CLOSED, CaseState.ARCHIVED)


def set_case_public(case, public, *, acting_user):
    """Mark ``case`` as publishable (``public`` True) or take the mark off.
    Raises ``NotAllowed`` for anyone but the centre's supervisors and
    administrators, ``InvalidState`` naming the case when it is open or
    confidential. Taking the mark off is always possible."""
    check_analyst(acting_user)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if public and case.state not in PUBLISHABLE_STATES:
            raise InvalidState(_("Case %(number)s is not closed: only closed cases can be published.")
                               % {"number": case.number}, code="invalid_state")
        if public and case.is_confidential:
            raise InvalidState(_("Case %(number)s is confidential and is never published.")
                               % {"number": case.number}, code="confidential")
        if case.is_public != public:
            case.is_public = public
            case.save(update_fields=["is_public"])
    return case
