"""Public mutations: ``submitCase``, a citizen's request from the web site or
the mini-program.

Thin: the rules of a public submission (public channels only, the case
owned by the command centre, idempotent on ``(channel, externalId)``, the
throttle per client address: past ``MINSHENG_SUBMIT_LIMIT`` within
``MINSHENG_SUBMIT_WINDOW`` seconds the answer is a ``throttled`` error and
nothing is looked at) live in ``publishing.submission.submit_request``,
which the web site's submit page calls too."""

import graphene

from publishing.submission import submit_request
from snippets.models import CaseType

from ..clients import client_address
from ..core.errors import REFUSALS, Error, errors_from
from .types import SubmittedCaseType


class SubmitCaseInput(graphene.InputObjectType):
    channel = graphene.String(required=True, description="A channel open to the public (see channels: isPublic).")
    external_id = graphene.String(
        description="The request's own id in the channel. A retry with the same id returns the same case.",
    )
    case_type = graphene.String(required=True, description="One of: " + ", ".join(CaseType.values) + ".")
    title = graphene.String(description="Taken from the first line of the content when left out.")
    content = graphene.String(required=True)
    citizen_name = graphene.String()
    citizen_phone = graphene.String(description="Needed unless the request is anonymous.")
    address = graphene.String()
    region = graphene.String(description="A region code.")
    directory_item = graphene.String(description="A catalog item code.")
    is_anonymous = graphene.Boolean(default_value=False)
    is_confidential = graphene.Boolean(default_value=False, description="Protect the reporter's identity.")


class SubmitCase(graphene.Mutation):
    """Submit a request. Returns the case number and the query code to track
    it with, or the errors (nothing written)."""

    class Meta:
        name = "SubmitCasePayload"

    class Arguments:
        input = SubmitCaseInput(required=True)

    case = graphene.Field(SubmittedCaseType)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, input):
        try:
            case = submit_request(
                client=client_address(info.context), **{name: input.get(name) for name in SubmitCaseInput._meta.fields},
            )
        except REFUSALS as exc:
            return SubmitCase(case=None, errors=errors_from(exc))
        return SubmitCase(case=case, errors=[])


class PublicMutation(graphene.ObjectType):
    submit_case = SubmitCase.Field(description=SubmitCase.__doc__.replace("\n    ", " "))
