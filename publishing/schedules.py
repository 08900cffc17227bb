"""Publishing's django-q2 schedule, declared idempotently after every
``migrate`` (``casemodels.schedules.ensure_schedules`` with these specs).

| name | task | every |
|---|---|---|
| ``minsheng: bulletins`` | ``publishing.tasks.issue_due_bulletins_task`` | hour |

Hourly, so that an issue is out early on the first day of its period's
successor and a worker that was down catches up within the hour."""

from django.db import DEFAULT_DB_ALIAS, connections
from django_q.models import Schedule

from casemodels.schedules import ensure_schedules

SCHEDULES = [
    {"name": "minsheng: bulletins", "func": "publishing.tasks.issue_due_bulletins_task",
     "schedule_type": Schedule.MINUTES, "minutes": 60},
]


def ensure_schedules_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return
    ensure_schedules(using=using, specs=SCHEDULES)
