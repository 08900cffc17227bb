"""Who may look at the dispatch model's versions and who may train or
activate one.

There is one dispatch model for the whole deployment, so it belongs to the
command centre: its supervisors and administrators (and superusers) may
look at the versions and their figures, like the analysis reports
(``analysis.check_analyst``); only the administrators of the root unit
(the centre every other unit hangs below) and superusers may start a
training or make a version the active one."""

from django.utils.translation import gettext as _

from ..analysis import check_analyst
from ..base import R, CaseActionError, NotAllowed, root_unit


def check_model_reader(user_or_actor):
    """Refuse (``NotAllowed``) anyone but the command centre's supervisors
    and administrators and superusers; returns the ``Actor``."""
    return check_analyst(user_or_actor)


def check_model_manager(user_or_actor):
    """Refuse (``NotAllowed``) anyone but an administrator of the root unit
    or a superuser; returns the ``Actor``."""
    actor = check_model_reader(user_or_actor)
    actor.require(R.ADMINISTRATOR)
    if not actor.is_superuser and not actor.is_unit(root_unit()):
        raise NotAllowed(_("The dispatch model serves every unit: only the command centre's administrators may "
                           "train it or choose the version in use."))
    return actor


def _passes(check, user):
    try:
        check(user)
    except CaseActionError:
        return False
    return True


def may_read_dispatch_models(user):
    return _passes(check_model_reader, user)


def may_manage_dispatch_models(user):
    return _passes(check_model_manager, user)
