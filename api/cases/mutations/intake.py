"""Mutations of receiving a case and of the ways it ends before anyone
handles it (``casemodels.services.intake``): staff registration, answer on
the spot, merge, divert, invalid; asking the citizen once and resuming."""

import graphene
from django.utils.translation import gettext as _

from casemodels.models import DivertRoute
from casemodels.services import (
    answer_on_the_spot, divert_case, mark_invalid, merge_cases, register_case, request_info, resume_case,
)
from snippets.models import CaseType, Urgency

from ...core.errors import error
from ..lookup import find_case
from .base import CaseMutation, Refused, case_or_refuse, given
from .templates import perform_with_template


class RegisterCaseInput(graphene.InputObjectType):
    channel = graphene.String(required=True, description="A channel code (see channels), public or not.")
    external_id = graphene.String(
        description="The request's id in the channel. Registering the same id again returns the same case.",
    )
    case_type = graphene.String(required=True, description="One of: " + ", ".join(CaseType.values) + ".")
    title = graphene.String(description="Taken from the first line of the content when left out.")
    content = graphene.String(required=True, description="Not empty.")
    citizen_name = graphene.String()
    citizen_phone = graphene.String(description="Needed unless the request is anonymous.")
    citizen_id_number = graphene.String()
    address = graphene.String()
    region = graphene.String(description="A region code.")
    directory_item = graphene.String(description="A catalog item code.")
    urgency = graphene.String(
        description="One of: " + ", ".join(Urgency.values) + " (default: the directory item's, else normal).",
    )
    is_anonymous = graphene.Boolean(description="No name or phone kept for contact (default false).")
    is_confidential = graphene.Boolean(description="Protect the reporter's identity (default false).")
    auto_dispatch = graphene.Boolean(
        description="Let the channel dispatch it at once when the suggestion is confident enough (default true; "
        "false when you are about to answer it on the spot).",
    )


class RegisterCase(CaseMutation):
    """Register (受理) a request received through any channel, for your unit
    (first-receiver responsibility). Dispatchers only."""

    on_one_case = False

    class Arguments:
        input = RegisterCaseInput(required=True)

    @classmethod
    def perform(cls, info, user, input):
        return register_case(acting_user=user, **given(input))


class AnswerOnTheSpot(CaseMutation):
    """Answer a received consultation at once (e.g. from the knowledge base):
    it is closed, or left replied for a return visit when `close` is false.
    The answer may come from a reply template, as in replyCase."""

    class Arguments:
        answer = graphene.String(description="The answer (not empty unless a replyTemplate is given).")
        close = graphene.Boolean(description="Close the case now (default true).")
        reply_template = graphene.ID(description="The id of the reply template the answer comes from.")

    @classmethod
    def perform(cls, info, user, number, answer=None, reply_template=None, **arguments):
        return perform_with_template(
            answer_on_the_spot, case_or_refuse(info, number), user=user, text_argument="answer", text=answer,
            template_id=reply_template, **arguments,
        )


class MergeCases(CaseMutation):
    """Merge duplicates of the same matter into a primary case (并单); each
    merged citizen is then informed from the primary. Returns the primary.
    (The cases are locked together; there is no expectedVersion.)"""

    on_one_case = False

    class Arguments:
        primary = graphene.String(required=True, description="The number of the case that stays.")
        duplicates = graphene.List(
            graphene.NonNull(graphene.String), required=True, description="The numbers of the cases merged into it.",
        )
        note = graphene.String()

    @classmethod
    def perform(cls, info, user, primary, duplicates, **arguments):
        case = case_or_refuse(info, primary, field="primary")
        others = []
        for number in duplicates:
            other = find_case(info, number)
            if other is None:
                raise Refused(error("not_found", _("There is no case numbered “%(number)s”.")
                                    % {"number": number[:40]}, "duplicates"))
            others.append(other)
        primary_case, _merged = merge_cases(case, others, acting_user=user, **arguments)
        return primary_case


class DivertCase(CaseMutation):
    """Divert a received case to a legal route (分流): litigation,
    arbitration, …; the note explains it to the citizen."""

    class Arguments:
        route = graphene.String(required=True, description="One of: " + ", ".join(DivertRoute.values) + ".")
        note = graphene.String(required=True, description="The explanation to the citizen (not empty).")

    service = staticmethod(divert_case)


class MarkInvalid(CaseMutation):
    """Mark a received case invalid (a prank call, no content), with the reason."""

    class Arguments:
        reason = graphene.String(required=True, description="Not empty.")

    service = staticmethod(mark_invalid)


class RequestInfo(CaseMutation):
    """Ask the citizen once, fully, for what is missing (一次告知); the clock
    pauses until resumeCase."""

    class Arguments:
        missing = graphene.String(required=True, description="What is missing (not empty).")

    service = staticmethod(request_info)


class ResumeCase(CaseMutation):
    """The citizen answered: record it, restart the clock, move the deadlines."""

    class Arguments:
        information = graphene.String(required=True, description="The information received (not empty).")

    service = staticmethod(resume_case)
