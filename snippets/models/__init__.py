from .assessment import AssessmentScheme
from .calendar import CalendarDay, CalendarYear
from .channels import Channel
from .choices import CaseType, Level, Urgency
from .directory import DirectoryItem
from .imports import ImportJob
from .knowledge import DutyBoundary, ReplyTemplate
from .organisation import Region, Role, StaffProfile, Unit
from .policies import PolicyLimit, TimeLimitPolicy, UnreachableAction
from .warnings import WarningRule

__all__ = [
    "AssessmentScheme", "CalendarDay", "CalendarYear", "Channel", "CaseType", "Level", "Urgency",
    "DirectoryItem", "DutyBoundary", "ImportJob", "ReplyTemplate", "Region", "Role", "StaffProfile", "Unit",
    "PolicyLimit", "TimeLimitPolicy", "UnreachableAction", "WarningRule",
]
