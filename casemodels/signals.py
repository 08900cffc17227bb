"""When the calendar or a time-limit policy changes, open cases' deadlines
are recomputed in the background (django-q2), after the change commits."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from snippets.models import CalendarDay, CalendarYear, PolicyLimit, TimeLimitPolicy
from snippets.signals import calendar_changed


def _schedule_recompute(sender, **kwargs):
    if kwargs.get("raw"):
        return
    rematch = sender is TimeLimitPolicy

    def enqueue():
        from django_q.tasks import async_task

        async_task(
            "casemodels.tasks.recompute_open_case_deadlines", rematch,
            task_name=f"recompute-deadlines-{sender.__name__}", group="deadlines",
        )

    transaction.on_commit(enqueue)


for model in (CalendarDay, CalendarYear, TimeLimitPolicy, PolicyLimit):
    post_save.connect(_schedule_recompute, sender=model, dispatch_uid=f"recompute-{model.__name__}-save")
    post_delete.connect(_schedule_recompute, sender=model, dispatch_uid=f"recompute-{model.__name__}-delete")

calendar_changed.connect(_schedule_recompute, dispatch_uid="recompute-calendar-changed")
