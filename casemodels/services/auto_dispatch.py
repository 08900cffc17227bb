"""Automatic dispatch (自动派单): a channel may have its requests dispatched
without a dispatcher when the suggestion is confident enough.

A newly registered case is dispatched automatically when:

- its channel has an "auto-dispatch confidence" (``Channel.auto_dispatch_confidence``);
- it was registered without a directory item (a dispatcher who chose one
  dispatches it themselves), and is not being answered on the spot;
- the best suggestion (``suggest_dispatch`` on its content and address)
  reaches that confidence and routes to a unit.

The case then takes the suggestion's directory item (and its region, when
it had none), its time limits are matched again for that item, and it is
dispatched by the item's routing to the suggested unit, with the proposed
handler, by the unit that received it (no person: the event says it was
automatic, with the confidence and the reason), within that unit's scope
as a dispatcher's would be. Anything else leaves the case received, for a
dispatcher: that is never an error.
"""

import logging

from django.db import transaction
from django.utils import timezone

from snippets.models import Urgency

from ..models import CaseState
from . import deadlines
from .base import R, Actor, CaseActionError, default_urgency, root_unit
from .dispatching import dispatch_checked
from .suggestions import suggest_dispatch

logger = logging.getLogger(__name__)


def system_dispatcher(case):
    """The unit that received the case (the command centre, for public
    submissions) acting by itself, within its own scope."""
    return Actor(user=None, unit=case.owner_unit or root_unit(), roles={R.DISPATCHER})


def auto_dispatch(case, *, now=None):
    """Dispatch ``case`` automatically when its channel allows it (see the
    module docstring). Returns the suggestion used, or None."""
    threshold = case.channel.auto_dispatch_confidence
    if threshold is None or case.directory_item_id is not None or case.state != CaseState.RECEIVED:
        return None
    now = now or timezone.now()
    try:
        with transaction.atomic():  # a savepoint: a failure leaves the case as registered
            # The case's own region, when the registrar gave one, is the place the suggestion routes by.
            found = suggest_dispatch(case.content, case.address, limit=1, region=case.region)
            if not found or found[0]["score"] < float(threshold) or found[0]["unit"] is None:
                return None
            best = found[0]
            case.directory_item = best["item"]
            if case.region_id is None:
                case.region = best["region"]
            if case.urgency == Urgency.NORMAL:  # as if the item had been chosen at registration
                case.urgency = default_urgency(best["item"])
            deadlines.apply_deadlines(case, rematch=True, now=now)
            case.save(update_fields=["directory_item", "region", "urgency", "policy", *deadlines.DEADLINE_FIELDS])
            dispatch_checked(
                case, system_dispatcher(case), None, [], handler=best["handler"], now=now, note=best["reason"],
                data={"auto": True, "confidence": best["score"], "sources": best["sources"]},
            )
    except CaseActionError as exc:  # e.g. the unit is outside the receiving unit's scope
        logger.warning("Case %s not dispatched automatically: %s", case.number, exc.message)
        case.refresh_from_db()
        return None
    except Exception:  # a broken model or the like must not cost the citizen their registration
        logger.exception("Case %s not dispatched automatically: the suggestion failed", case.number)
        case.refresh_from_db()
        return None
    return best
