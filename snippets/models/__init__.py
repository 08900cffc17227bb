from .calendar import CalendarDay, CalendarYear
from .channels import Channel
from .choices import CaseType, Level, Urgency
from .directory import DirectoryItem
from .organisation import Region, Role, StaffProfile, Unit
from .policies import PolicyLimit, TimeLimitPolicy

__all__ = [
    "CalendarDay", "CalendarYear", "Channel", "CaseType", "Level", "Urgency", "DirectoryItem",
    "Region", "Role", "StaffProfile", "Unit", "PolicyLimit", "TimeLimitPolicy",
]
