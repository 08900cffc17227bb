"""Which lifecycle actions a user may take on a case now.

The answer comes from the same guards the services run after locking the
case (``check_dispatch``, ``check_sign`` …, next to each service): role,
unit scope and state. A guard that passes here means the service will not
refuse the action for who is acting or for the state of the case; it may
still refuse the input (an empty reason, a unit out of scope) or a
concurrent change (``Conflict``).

The order of ``ACTIONS`` is the order of the buttons on the case page."""

from django.utils.translation import gettext_lazy as _

from .base import R, Actor, CaseActionError
from .dispatching import (
    check_dispatch,
    check_escalate,
    check_redispatch,
    check_request_return,
    check_review_return,
    check_sign,
    check_sub_dispatch,
)
from .contact import check_record_contact
from .exclusions import check_exclude, check_restore
from .handling import (
    check_archive,
    check_close,
    check_consultation,
    check_reply,
    check_request_extension,
    check_return_visit,
    check_review_extension,
)
from .intake import check_answer, check_divert, check_invalid, check_merge_primary, check_request_info, check_resume
from .progress import check_post_progress
from .publicity import check_publish, check_unpublish
from .supervision import check_supervise
from .visits import check_visit_attempt

# code: (guard, button label)
ACTIONS = {
    "dispatch": (check_dispatch, _("Dispatch")),
    "sign": (check_sign, _("Sign for")),
    "reply": (check_reply, _("Reply")),
    "sub_dispatch": (check_sub_dispatch, _("Sub-dispatch")),
    "escalate": (check_escalate, _("Escalate (whistle)")),
    "request_return": (check_request_return, _("Request return")),
    "review_return": (check_review_return, _("Review return")),
    "request_extension": (check_request_extension, _("Request extension")),
    "review_extension": (check_review_extension, _("Review extension")),
    "return_visit": (check_return_visit, _("Return visit")),
    "visit_attempt": (check_visit_attempt, _("Citizen not reached")),
    "redispatch": (check_redispatch, _("Second dispatch")),
    "close": (check_close, _("Close")),
    "answer": (check_answer, _("Answer on the spot")),
    "merge": (check_merge_primary, _("Merge duplicates")),
    "divert": (check_divert, _("Divert")),
    "invalid": (check_invalid, _("Mark invalid")),
    "request_info": (check_request_info, _("Ask the citizen (one-time notice)")),
    "resume": (check_resume, _("Citizen answered, resume")),
    "consult": (check_consultation, _("Hold consultation")),
    "archive": (check_archive, _("Archive")),
    "supervise": (check_supervise, _("Supervise")),
    "record_contact": (check_record_contact, _("Record contact")),
    "post_progress": (check_post_progress, _("Post progress")),
    "exclude": (check_exclude, _("Exclude from assessment")),
    "restore": (check_restore, _("Restore to assessment")),
    "publish": (check_publish, _("Publish on the site")),
    "unpublish": (check_unpublish, _("Take off the site")),
}


def actor_for(user):
    """The ``Actor`` of ``user``, or None when they cannot act at all."""
    try:
        return Actor.of(user)
    except CaseActionError:
        return None


def may(case, user_or_actor, action):
    """True when the guard of ``action`` lets the user act on ``case`` now."""
    actor = user_or_actor if isinstance(user_or_actor, Actor) else actor_for(user_or_actor)
    if actor is None:
        return False
    guard = ACTIONS[action][0]
    try:
        guard(case, actor)
    except CaseActionError:
        return False
    return True


def available_actions(case, user):
    """The codes of the actions ``user`` may take on ``case`` now, in button order.

    The caller has already checked that the user may see the case
    (``visible_cases``); the guards check role, unit scope and state."""
    actor = actor_for(user)
    if actor is None:
        return []
    return [code for code in ACTIONS if may(case, actor, code)]


def may_rebuild_rollups(user):
    """Superusers and administrators may start a rebuild of the assessment
    roll-up from the cases (``rollups.rebuild_rollups``, in the background)."""
    actor = actor_for(user)
    return actor is not None and (actor.is_superuser or R.ADMINISTRATOR in actor.roles)
