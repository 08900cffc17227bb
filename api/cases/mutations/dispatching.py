"""Mutations that move a case between units (``casemodels.services.dispatching``):
dispatch, sign for, sub-dispatch, whistle up, return a wrong dispatch and its
review, second dispatch."""

import graphene

from casemodels.services import (
    dispatch_case, escalate_case, redispatch_case, request_return, review_return, sign_case, sub_dispatch_case,
)

from .base import CaseMutation

class DispatchCase(CaseMutation):
    """Dispatch (派单) a received case to a lead unit, with co-handling units.
    Without a unit, the directory item's routing chooses them. Dispatchers
    only, to units in their scope."""

    class Arguments:
        unit = graphene.String(description="The lead unit's code. Left out: by the directory item's routing.")
        co_units = graphene.List(graphene.NonNull(graphene.String), description="Codes of co-handling units.")
        handler = graphene.ID(description="The id of a staff member of the lead unit who is to handle it "
                                          "(see suggestDispatch's handler).")
        note = graphene.String()

    service = staticmethod(dispatch_case)


class SignCase(CaseMutation):
    """Sign for (签收) the assignment your unit holds on the case. When the
    lead unit signs, the case is in hand (handling)."""

    service = staticmethod(sign_case)


class SubDispatchCase(CaseMutation):
    """Sub-dispatch (转派) a case your unit holds down to a unit below it."""

    class Arguments:
        unit = graphene.String(required=True, description="The code of a unit below yours.")
        note = graphene.String()

    service = staticmethod(sub_dispatch_case)


class EscalateCase(CaseMutation):
    """Blow the whistle (吹哨): hand a case your unit holds up to a unit
    above it (by default the unit directly above)."""

    class Arguments:
        reason = graphene.String(required=True, description="Why (not empty).")
        unit = graphene.String(description="The code of a unit above yours. Left out: the unit directly above.")

    service = staticmethod(escalate_case)


class RequestReturn(CaseMutation):
    """Return a wrong dispatch (退单): the unit that dispatched it reviews the
    request; the clock pauses meanwhile."""

    class Arguments:
        reason = graphene.String(required=True, description="Why the case is not your unit's (not empty).")

    service = staticmethod(request_return)


class ReviewReturn(CaseMutation):
    """Approve a return (the case goes back to be dispatched again) or reject
    it (the unit keeps the case)."""

    class Arguments:
        approve = graphene.Boolean(required=True)
        note = graphene.String(description="Required when rejecting.")

    service = staticmethod(review_return)


class RedispatchCase(CaseMutation):
    """Second dispatch (二次派单) of a replied case whose return visit was
    unsatisfied or unresolved: round + 1, the deadlines start again."""

    class Arguments:
        unit = graphene.String(description="The lead unit's code. Left out: the last lead unit.")
        note = graphene.String()

    service = staticmethod(redispatch_case)
