from .alerts import Notification, Warning
from .assignments import Assignment
from .cases import Case, CaseNumberCounter
from .choices import OPEN_STATES, CaseState, DivertRoute, Satisfaction, VisitMethod
from .events import CaseEvent
from .fingerprints import CaseFingerprint
from .learning import DispatchModel
from .privacy import PersonalDataAccess
from .requests import ClockPause, ExtensionRequest, ReturnRequest
from .rollups import AssessmentExclusion, RollupState, UnitDayFigures
from .supervision import SupervisionNote, SupervisionNoteCase, SupervisionNoteCounter
from .visits import Consultation, ReturnVisit, VisitAttempt

__all__ = [
    "Assignment", "Case", "CaseNumberCounter", "CaseState", "OPEN_STATES", "DivertRoute",
    "Satisfaction", "VisitMethod", "CaseEvent", "ClockPause", "ExtensionRequest", "ReturnRequest",
    "Consultation", "ReturnVisit",
    "AssessmentExclusion", "RollupState", "UnitDayFigures",
    "Notification", "Warning",
    "SupervisionNote", "SupervisionNoteCase", "SupervisionNoteCounter",
    "VisitAttempt",
    "DispatchModel", "CaseFingerprint", "PersonalDataAccess",
]
