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


def check_publish(case, actor):
    """The guard of "Publish on the site" (the case page's button)."""
    check_analyst(actor)
    if case.is_public:
        raise InvalidState(_("Case %(number)s is published already.") % {"number": case.number},
                           code="invalid_state")
    if case.state not in PUBLISHABLE_STATES:
        raise InvalidState(_("Case %(number)s is not closed: only closed cases can be published.")
                           % {"number": case.number}, code="invalid_state")
    if case.is_confidential:
        raise InvalidState(_("Case %(number)s is confidential and is never published.")
                           % {"number": case.number}, code="confidential")


def check_unpublish(case, actor):
    """The guard of "Take off the site"."""
    check_analyst(actor)
    if not case.is_public:
        raise InvalidState(_("Case %(number)s is not published.") % {"number": case.number}, code="invalid_state")


def set_case_public(case, public, *, acting_user, expected_version=None):
    """Mark ``case`` as publishable (``public`` True) or take the mark off.
    Raises ``NotAllowed`` for anyone but the centre's supervisors and
    administrators, ``InvalidState`` naming the case when it is open,
    confidential, or already so. (``expected_version`` is accepted for the
    case page's forms; the mark is not part of the handling, so it is not
    checked.)"""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        (check_publish if public else check_unpublish)(case, check_analyst(acting_user))
        if case.is_public != public:
            case.is_public = public
            case.save(update_fields=["is_public"])
    return case
