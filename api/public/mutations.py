"""Public mutations: ``submitCase``, a citizen's request from the web site or
the mini-program.

It is always a public submission (``register_case`` with no acting user),
for whoever calls it, signed in or not: only channels open to the public,
the case owned by the command centre. ``register_case`` checks the input
and makes a retry with the same ``(channel, externalId)`` return the case
already registered. Submissions are counted per client address
(``api.clients.client_address``), every attempt included: past
``MINSHENG_SUBMIT_LIMIT`` (default 20) within ``MINSHENG_SUBMIT_WINDOW``
seconds (default 3600) the answer is a ``throttled`` error and nothing is
looked at."""

import graphene
from django.conf import settings
from django.utils.translation import gettext as _

from casemodels.services import register_case
from publishing.throttles import Throttle
from snippets.models import CaseType

from ..clients import client_address
from ..core.errors import REFUSALS, Error, error, errors_from
from .types import SubmittedCaseType

SUBMIT_LIMIT = 20
SUBMIT_WINDOW = 3600  # seconds


def submissions():
    return Throttle(
        "submit",
        limit=getattr(settings, "MINSHENG_SUBMIT_LIMIT", SUBMIT_LIMIT),
        window=getattr(settings, "MINSHENG_SUBMIT_WINDOW", SUBMIT_WINDOW),
    )


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
        if not submissions().allow(client=client_address(info.context)):
            return SubmitCase(case=None, errors=[
                error("throttled", _("Too many requests were submitted from your address; please try again later.")),
            ])
        try:
            case = register_case(acting_user=None, **{name: input.get(name) for name in SubmitCaseInput._meta.fields})
        except REFUSALS as exc:
            return SubmitCase(case=None, errors=errors_from(exc))
        return SubmitCase(case=case, errors=[])


class PublicMutation(graphene.ObjectType):
    submit_case = SubmitCase.Field(description=SubmitCase.__doc__.replace("\n    ", " "))
