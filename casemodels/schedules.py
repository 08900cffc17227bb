"""The case app's django-q2 schedules, declared idempotently.

``ensure_schedules()`` makes the database hold exactly one schedule of each
name in ``SCHEDULES``, with the function and frequency given there: a
missing one is created (due at once, or at its ``first_run`` when the spec
gives one), a changed one is updated (its next run is left as it is),
duplicates of a name are removed. It runs after
every ``migrate`` (``post_migrate`` of this app), so a deployment gets its
schedules without a manual step, and running it again changes nothing.

| name | task | every |
|---|---|---|
| ``minsheng: warning sweep`` | ``casemodels.tasks.run_sweep`` | minute |
| ``minsheng: notification delivery`` | ``casemodels.tasks.deliver_notifications`` | minute |
| ``minsheng: assessment roll-up`` | ``casemodels.tasks.refresh_assessment_rollups`` | 5 minutes |
| ``minsheng: duplicate fingerprints`` | ``casemodels.tasks.refresh_case_fingerprints`` | hour |
| ``minsheng: dispatch model training`` | ``casemodels.learning_tasks.train_dispatch_model_task`` | week (first: the next Sunday, 03:00) |
"""

import datetime

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django_q.models import Schedule


def next_sunday_night(now=None):
    """The next Sunday at 03:00 in the centre's time zone (a quiet hour)."""
    local = timezone.localtime(now or timezone.now())
    days = (6 - local.weekday()) % 7
    moment = (local + datetime.timedelta(days=days)).replace(hour=3, minute=0, second=0, microsecond=0)
    return moment if moment > local else moment + datetime.timedelta(days=7)


SCHEDULES = [
    {"name": "minsheng: warning sweep", "func": "casemodels.tasks.run_sweep",
     "schedule_type": Schedule.MINUTES, "minutes": 1},
    {"name": "minsheng: notification delivery", "func": "casemodels.tasks.deliver_notifications",
     "schedule_type": Schedule.MINUTES, "minutes": 1},
    # The result board and rankings read the roll-up: as fresh as its last refresh.
    {"name": "minsheng: assessment roll-up", "func": "casemodels.tasks.refresh_assessment_rollups",
     "schedule_type": Schedule.MINUTES, "minutes": 5},
    # Content fingerprints for duplicates: pruned past their window, written where missing (bulk imports, upgrades).
    {"name": "minsheng: duplicate fingerprints", "func": "casemodels.tasks.refresh_case_fingerprints",
     "schedule_type": Schedule.MINUTES, "minutes": 60},
    # A new version of the learned dispatch model from the week's closed cases (used only when it beats the rules).
    {"name": "minsheng: dispatch model training", "func": "casemodels.learning_tasks.train_dispatch_model_task",
     "schedule_type": Schedule.WEEKLY, "first_run": next_sunday_night},
]


def ensure_schedules(using=DEFAULT_DB_ALIAS, specs=None):
    """Create or update the schedules of ``specs`` (default: ``SCHEDULES``;
    other apps pass their own); returns the names created."""
    created = []
    with transaction.atomic(using=using):
        for spec in SCHEDULES if specs is None else specs:
            wanted = {"repeats": -1, **{k: v for k, v in spec.items() if k not in ("name", "first_run")}}
            same_name = Schedule.objects.using(using).filter(name=spec["name"]).order_by("pk")
            schedule = same_name.first()
            if schedule is None:
                first_run = {"next_run": spec["first_run"]()} if "first_run" in spec else {}
                Schedule.objects.using(using).create(name=spec["name"], **wanted, **first_run)
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
