"""The case app's django-q2 schedules, declared idempotently.

``ensure_schedules()`` makes the database hold exactly one schedule of each
name in ``SCHEDULES``, with the function and frequency given there: a
missing one is created (due at once), a changed one is updated (its next
run is left as it is), duplicates of a name are removed. It runs after
every ``migrate`` (``post_migrate`` of this app), so a deployment gets its
schedules without a manual step, and running it again changes nothing.

| name | task | every |
|---|---|---|
| ``minsheng: warning sweep`` | ``casemodels.tasks.run_sweep`` | minute |
| ``minsheng: notification delivery`` | ``casemodels.tasks.deliver_notifications`` | minute |
| ``minsheng: assessment roll-up`` | ``casemodels.tasks.refresh_assessment_rollups`` | 5 minutes |
"""

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django_q.models import Schedule

SCHEDULES = [
    {"name": "minsheng: warning sweep", "func": "casemodels.tasks.run_sweep",
     "schedule_type": Schedule.MINUTES, "minutes": 1},
    {"name": "minsheng: notification delivery", "func": "casemodels.tasks.deliver_notifications",
     "schedule_type": Schedule.MINUTES, "minutes": 1},
    # The result board and rankings read the roll-up: as fresh as its last refresh.
    {"name": "minsheng: assessment roll-up", "func": "casemodels.tasks.refresh_assessment_rollups",
     "schedule_type": Schedule.MINUTES, "minutes": 5},
]


def ensure_schedules(using=DEFAULT_DB_ALIAS):
    """Create or update the schedules of ``SCHEDULES``; returns the names created."""
    created = []
    with transaction.atomic(using=using):
        for spec in SCHEDULES:
            wanted = {"repeats": -1, **{k: v for k, v in spec.items() if k != "name"}}
            same_name = Schedule.objects.using(using).filter(name=spec["name"]).order_by("pk")
            schedule = same_name.first()
            if schedule is None:
                Schedule.objects.using(using).create(name=spec["name"], **wanted)
                created.append(spec["name"])
                continue
            same_name.exclude(pk=schedule.pk).delete()
            changed = [field for field, value in wanted.items() if getattr(schedule, field) != value]
            if changed:
                for field in changed:
                    setattr(schedule, field, wanted[field])
                schedule.save(using=using, update_fields=changed)
    return created


def ensure_schedules_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate of this app (when django-q2's tables are there)."""
    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return
    ensure_schedules(using=using)
