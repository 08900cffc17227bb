"""Public mutation ``rateCase``: a citizen rates their own replied case
online with its number and query code (``publishing.rating.rate_case``
decides everything: the look-up and throttle shared with ``trackCase``, the
state, the return visit). Thin: call the service, map its refusals."""

import graphene

from casemodels.models import Satisfaction
from publishing.rating import MAX_NOTE_LENGTH, rate_case

from ..clients import client_address
from ..core.errors import REFUSALS, Error, errors_from


class RateCase(graphene.Mutation):
    """Rate your own replied case online (在线评价). Satisfied (or basically
    satisfied) and resolved closes it; otherwise the centre sends it back to
    the unit (second dispatch). A case can be rated once per reply, while it
    waits for its return visit."""

    class Meta:
        name = "RateCasePayload"

    class Arguments:
        number = graphene.String(required=True, description="The case number.")
        query_code = graphene.String(required=True, description="The query code given on submission.")
        satisfaction = graphene.String(required=True, description="One of: " + ", ".join(Satisfaction.values) + ".")
        resolved = graphene.Boolean(required=True, description="Whether the matter was resolved.")
        note = graphene.String(description=f"What the citizen wants to say (at most {MAX_NOTE_LENGTH} characters).")

    ok = graphene.Boolean(required=True)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, number, query_code, satisfaction, resolved, note=None):
        try:
            rate_case(number, query_code, satisfaction=satisfaction, resolved=resolved, note=note or "",
                      client=client_address(info.context))
        except REFUSALS as exc:
            return RateCase(ok=False, errors=errors_from(exc))
        return RateCase(ok=True, errors=[])


class RatingMutation(graphene.ObjectType):
    rate_case = RateCase.Field(description=RateCase.__doc__.replace("\n    ", " "))
