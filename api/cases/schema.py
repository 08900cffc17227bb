"""The staff part of the API: cases, their lifecycle, and what staff need
to work on them (``queries``; the lifecycle mutations in ``mutations``;
supervision notes and progress posts in ``supervision``)."""

import graphene

from . import mutations as m
from .queries import CasesQuery as CaseQueries
from .supervision import SupervisionMutation, SupervisionQuery


class CasesQuery(CaseQueries, SupervisionQuery, graphene.ObjectType):
    pass


class CasesMutation(SupervisionMutation, graphene.ObjectType):
    """One mutation per lifecycle action (DESIGN §4), in the order of a
    case's life, then excluding a case from assessment after review (核减)
    and restoring it; supervision notes and progress posts (``supervision``)."""

    register_case = m.RegisterCase.Field()
    dispatch_case = m.DispatchCase.Field()
    sign_case = m.SignCase.Field()
    record_contact = m.RecordContact.Field()
    sub_dispatch_case = m.SubDispatchCase.Field()
    escalate_case = m.EscalateCase.Field()
    request_return = m.RequestReturn.Field()
    review_return = m.ReviewReturn.Field()
    request_extension = m.RequestExtension.Field()
    review_extension = m.ReviewExtension.Field()
    request_info = m.RequestInfo.Field()
    resume_case = m.ResumeCase.Field()
    hold_consultation = m.HoldConsultation.Field()
    reply_case = m.ReplyCase.Field()
    record_return_visit = m.RecordReturnVisit.Field()
    redispatch_case = m.RedispatchCase.Field()
    close_case = m.CloseCase.Field()
    archive_case = m.ArchiveCase.Field()
    answer_on_the_spot = m.AnswerOnTheSpot.Field()
    merge_cases = m.MergeCases.Field()
    divert_case = m.DivertCase.Field()
    mark_invalid = m.MarkInvalid.Field()
    exclude_from_assessment = m.ExcludeFromAssessment.Field()
    restore_to_assessment = m.RestoreToAssessment.Field()


__all__ = ["CasesQuery", "CasesMutation"]
