"""Mutations of handling and finishing a case (``casemodels.services.handling``):
extension and its review, reply, return visit, close, archive, consultation."""

import graphene

from casemodels.models import Satisfaction, VisitMethod
from casemodels.services import (
    archive_case, close_case, hold_consultation, record_return_visit, reply_case, request_extension,
    review_extension,
)
from casemodels.services.handling import MAX_EXTENSION_DAYS

from .base import CaseMutation, case_or_refuse
from .templates import perform_with_template


class RequestExtension(CaseMutation):
    """Ask for more working days (延期) on a case your unit handles; a
    dispatcher approves or rejects."""

    class Arguments:
        working_days = graphene.Int(required=True, description=f"1 to {MAX_EXTENSION_DAYS}.")
        reason = graphene.String(required=True, description="Not empty.")

    service = staticmethod(request_extension)


class ReviewExtension(CaseMutation):
    """Approve an extension (the reply and completion deadlines move) or reject it."""

    class Arguments:
        approve = graphene.Boolean(required=True)
        note = graphene.String(description="Required when rejecting.")

    service = staticmethod(review_extension)


class ReplyCase(CaseMutation):
    """Reply (反馈) with what your unit did; the case then awaits its return
    visit. The text may start from a reply template (see replyTemplates):
    give `replyTemplate` without `reply` to reply with the template filled
    in for this case, or with the `reply` you wrote from it; either way the
    template's use is counted."""

    class Arguments:
        reply = graphene.String(description="The reply (not empty unless a replyTemplate is given).")
        reply_template = graphene.ID(description="The id of the reply template the text comes from.")

    @classmethod
    def perform(cls, info, user, number, reply=None, reply_template=None, **arguments):
        return perform_with_template(
            reply_case, case_or_refuse(info, number), user=user, text_argument="reply", text=reply,
            template_id=reply_template, **arguments,
        )


class RecordReturnVisit(CaseMutation):
    """Record the citizen's verdict on a replied case (回访). Satisfied (or
    basically satisfied) and resolved closes it; otherwise it joins the
    unsatisfied ledger and goes to a second dispatch unless `redispatch` is false."""

    class Arguments:
        satisfaction = graphene.String(required=True, description="One of: " + ", ".join(Satisfaction.values) + ".")
        resolved = graphene.Boolean(required=True)
        method = graphene.String(description="One of: " + ", ".join(VisitMethod.values) + " (default phone).")
        note = graphene.String()
        redispatch = graphene.Boolean(description="Dispatch again when unsatisfied or unresolved (default true).")

    service = staticmethod(record_return_visit)


class CloseCase(CaseMutation):
    """Close a replied case without (another) return visit. A case in the
    unsatisfied ledger needs the explanation in `note`."""

    class Arguments:
        note = graphene.String()

    service = staticmethod(close_case)


class ArchiveCase(CaseMutation):
    """Archive a closed case (归档); its dossier is complete."""

    service = staticmethod(archive_case)


class HoldConsultation(CaseMutation):
    """Record a consultation (会商) at level 1, 2 or 3 on an open case."""

    class Arguments:
        level = graphene.Int(required=True, description="1, 2 or 3.")
        units = graphene.List(
            graphene.NonNull(graphene.String), required=True, description="Codes of the units taking part.",
        )
        topic = graphene.String(required=True)
        conclusion = graphene.String(required=True)

    service = staticmethod(hold_consultation)
