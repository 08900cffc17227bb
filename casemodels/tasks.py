"""django-q2 tasks: small functions that call services."""

from django_q.tasks import async_task

from .services.deadlines import recompute_open_cases
from .services.outbox import deliver_due
from .services.rollups import rebuild_rollups, refresh_rollups
from .services.sweep import sweep


def recompute_open_case_deadlines(rematch=False):
    """Re-apply time-limit policies and the work calendar to open cases."""
    if not isinstance(rematch, bool):
        raise TypeError("rematch must be True or False")
    examined, changed = recompute_open_cases(rematch=rematch)
    return {"examined": examined, "changed": changed}


def _run_summary(run):
    return {"kind": run.kind, "days": run.days, "rows": run.rows, "as_of": run.as_of.isoformat()}


def refresh_assessment_rollups():
    """Bring the daily assessment roll-up up to date (the days touched since the last refresh)."""
    return _run_summary(refresh_rollups())


def rebuild_assessment_rollups():
    """Empty the daily assessment roll-up and recompute every day from the
    cases (started by an administrator from the admin's roll-up screen)."""
    return _run_summary(rebuild_rollups())


def run_sweep(rules=None):
    """Raise the warnings due now, with their notifications (every minute;
    ``rules``: only these rule ids). A run cut short by the batch limit (a
    backlog) queues the next run of the rules cut short at once, rather than
    waiting for the next minute."""
    if rules is not None and (not isinstance(rules, list) or not all(
            isinstance(pk, int) and not isinstance(pk, bool) for pk in rules)):
        raise ValueError("rules must be a list of warning rule ids")
    report = sweep(only=None if rules is None else set(rules))
    if report["more"]:
        async_task("casemodels.tasks.run_sweep", report["more"], task_name="minsheng: warning sweep (backlog)")
    return report


def deliver_notifications(limit=50_000, seconds=50):
    """Send the notifications due now (every minute): at most ``limit``,
    starting no new one after ``seconds`` (the next run takes the rest)."""
    for name, value in (("limit", limit), ("seconds", seconds)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive whole number")
    return deliver_due(limit=limit, seconds=seconds)


def refresh_case_fingerprints():
    """Prune the content fingerprints past the duplicate window and write
    those missing within it (hourly; see ``services.fingerprints``)."""
    from .services.fingerprints import refresh_fingerprints

    return refresh_fingerprints()
