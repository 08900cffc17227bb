"""django-q2 tasks: small functions that call services."""

from .services.deadlines import recompute_open_cases


def recompute_open_case_deadlines(rematch=False):
    """Re-apply time-limit policies and the work calendar to open cases."""
    if not isinstance(rematch, bool):
        raise TypeError("rematch must be True or False")
    examined, changed = recompute_open_cases(rematch=rematch)
    return {"examined": examined, "changed": changed}
