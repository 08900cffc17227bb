"""The case lifecycle: one function per state change (DESIGN §4).

The admin, GraphQL, imports, commands and tasks all call these; none of them
re-implements a rule. Each function is atomic, takes ``acting_user`` as a
keyword, checks role, unit scope and state first, writes a ``CaseEvent`` and
raises a ``CaseActionError`` (with ``code`` and ``field``) that changes
nothing when refused.
"""

from .base import CaseActionError, Conflict, InvalidInput, InvalidState, NotAllowed
from .contact import record_contact
from .deadlines import recompute_deadlines, recompute_open_cases
from .dispatching import (
    dispatch_case, escalate_case, redispatch_case, request_return, review_return, sign_case, sub_dispatch_case,
)
from .exclusions import exclude_from_assessment, restore_to_assessment
from .handling import (
    archive_case, close_case, hold_consultation, record_return_visit, reply_case, request_extension,
    review_extension,
)
from .intake import (
    answer_on_the_spot, divert_case, mark_invalid, merge_cases, register_case, request_info, resume_case,
)
from .progress import post_progress
from .supervision import answer_note, close_note, issue_note, issue_note_for_overdue
from .visits import record_visit_attempt

__all__ = [
    "CaseActionError", "Conflict", "InvalidInput", "InvalidState", "NotAllowed",
    "recompute_deadlines", "recompute_open_cases",
    "dispatch_case", "escalate_case", "redispatch_case", "request_return", "review_return", "sign_case",
    "sub_dispatch_case", "archive_case", "close_case", "hold_consultation", "record_return_visit", "reply_case",
    "request_extension", "review_extension", "answer_on_the_spot", "divert_case", "mark_invalid", "merge_cases",
    "register_case", "request_info", "resume_case",
    "exclude_from_assessment", "restore_to_assessment",
    "post_progress", "record_contact", "issue_note", "issue_note_for_overdue", "answer_note", "close_note",
    "record_visit_attempt",
]
