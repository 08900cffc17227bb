"""When the calendar or a time-limit policy changes, open cases' deadlines
are recomputed in the background (django-q2), after the change commits.

Saving one policy in the admin saves the policy and each of its limits, and
editing the calendar may touch many days: all the changes of one
transaction share one ``_Pending`` record, and its first on_commit callback
to run enqueues a single task for all of them (re-matching the policies if
any policy itself changed, which also applies the new limits and calendar);
the others do nothing. A rolled-back change enqueues nothing (Django drops
its callbacks), and the next transaction starts a new record.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

from snippets.models import CalendarDay, CalendarYear, PolicyLimit, TimeLimitPolicy
from snippets.signals import calendar_changed

TASK = "casemodels.tasks.recompute_open_case_deadlines"

# Sent by ``services.rollups`` when a refresh or rebuild of the figures' roll-up
# has run (inside its transaction), with ``kind``, ``days`` recomputed, ``rows``
# written and ``as_of``. The public site listens (cms.signals: cached pages go
# stale); casemodels never imports what listens.
rollups_refreshed = Signal()


class _Pending:
    """The recomputation asked for by the changes of one transaction."""

    def __init__(self, hooks):
        # The connection's list of on_commit callbacks when this record began:
        # Django replaces that list on commit and on (savepoint) rollback, so
        # another list means another transaction (or a partial rollback, after
        # which a second task is merely redundant).
        self.hooks = hooks
        self.rematch = False
        self.enqueued = False

    def run(self):
        if self.enqueued:
            return
        self.enqueued = True
        from django_q.tasks import async_task

        async_task(
            TASK, self.rematch,
            task_name="recompute-deadlines-rematch" if self.rematch else "recompute-deadlines", group="deadlines",
        )


def _pending_for(connection):
    pending = getattr(connection, "_deadline_recompute", None)
    if pending is None or pending.hooks is not connection.run_on_commit or pending.enqueued:
        pending = _Pending(connection.run_on_commit)
        connection._deadline_recompute = pending
    return pending


def schedule_recompute(*, rematch, using=None):
    """Recompute open cases' deadlines once the current transaction commits
    (at once outside a transaction); one task per transaction."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        pending = _Pending(None)
        pending.rematch = rematch
        pending.run()
        return
    pending = _pending_for(connection)
    pending.rematch = pending.rematch or rematch
    transaction.on_commit(pending.run, using=using)


def _on_change(sender, **kwargs):
    if kwargs.get("raw"):
        return
    schedule_recompute(rematch=sender is TimeLimitPolicy, using=kwargs.get("using"))


for model in (CalendarDay, CalendarYear, TimeLimitPolicy, PolicyLimit):
    post_save.connect(_on_change, sender=model, dispatch_uid=f"recompute-{model.__name__}-save")
    post_delete.connect(_on_change, sender=model, dispatch_uid=f"recompute-{model.__name__}-delete")

calendar_changed.connect(_on_change, dispatch_uid="recompute-calendar-changed")
