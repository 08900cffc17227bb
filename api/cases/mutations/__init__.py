"""The staff lifecycle mutations, one per action of DESIGN §4 (§9), each a
thin call into the service the admin uses (``casemodels.services``); see
``base`` for the steps they share. Modules mirror the services'
(``assessment``: excluding a case from assessment and restoring it;
``contact``: the first contact with the citizen)."""

from .assessment import ExcludeFromAssessment, RestoreToAssessment
from .base import CaseMutation
from .contact import RecordContact
from .dispatching import (
    DispatchCase, EscalateCase, RedispatchCase, RequestReturn, ReviewReturn, SignCase, SubDispatchCase,
)
from .handling import (
    ArchiveCase, CloseCase, HoldConsultation, RecordReturnVisit, ReplyCase, RequestExtension, ReviewExtension,
)
from .intake import AnswerOnTheSpot, DivertCase, MarkInvalid, MergeCases, RegisterCase, RequestInfo, ResumeCase

__all__ = [
    "CaseMutation", "DispatchCase", "EscalateCase", "RedispatchCase", "RequestReturn", "ReviewReturn", "SignCase",
    "SubDispatchCase", "ArchiveCase", "CloseCase", "HoldConsultation", "RecordReturnVisit", "ReplyCase",
    "RequestExtension", "ReviewExtension", "AnswerOnTheSpot", "DivertCase", "MarkInvalid", "MergeCases",
    "RegisterCase", "RequestInfo", "ResumeCase", "ExcludeFromAssessment", "RestoreToAssessment", "RecordContact",
]
