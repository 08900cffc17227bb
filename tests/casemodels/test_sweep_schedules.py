"""The sweep and the delivery as django-q2 tasks (sync mode in tests) and
their schedules, declared idempotently after every migrate."""

import pytest
from django_q.models import Schedule
from django_q.tasks import async_task, result

from casemodels import tasks
from casemodels.models import Notification, Warning
from casemodels.schedules import SCHEDULES, ensure_schedules
from casemodels.services.sweep import sweep

from .conftest import local
from .test_sweep import K, make_rule


def schedules():
    names = [spec["name"] for spec in SCHEDULES]
    return sorted(Schedule.objects.filter(name__in=names).values_list("name", "func", "schedule_type", "minutes"))


def test_the_migrated_database_has_the_schedules_once(db):
    # given the test database, built by migrate (post_migrate ran ensure_schedules)
    # when they are ensured again, twice
    assert ensure_schedules() == []
    ensure_schedules()
    # then each schedule is there once: the sweep and the delivery every minute, the roll-up every five,
    # the dispatch model's training every week, the duplicate fingerprints every hour
    assert schedules() == [
        ("minsheng: assessment roll-up", "casemodels.tasks.refresh_assessment_rollups", Schedule.MINUTES, 5),
        ("minsheng: dispatch model training", "casemodels.learning_tasks.train_dispatch_model_task",
         Schedule.WEEKLY, None),
        ("minsheng: duplicate fingerprints", "casemodels.tasks.refresh_case_fingerprints", Schedule.MINUTES, 60),
        ("minsheng: notification delivery", "casemodels.tasks.deliver_notifications", Schedule.MINUTES, 1),
        ("minsheng: warning sweep", "casemodels.tasks.run_sweep", Schedule.MINUTES, 1),
    ]


def test_a_changed_missing_or_doubled_schedule_is_put_right(db):
    # given a sweep schedule edited by hand, duplicated, and the delivery schedule deleted
    sweep_schedule = Schedule.objects.get(name="minsheng: warning sweep")
    sweep_schedule.minutes = 30
    sweep_schedule.save()
    Schedule.objects.create(name="minsheng: warning sweep", func="casemodels.tasks.run_sweep",
                            schedule_type=Schedule.MINUTES, minutes=1)
    Schedule.objects.filter(name="minsheng: notification delivery").delete()
    next_run = sweep_schedule.next_run
    # when the schedules are ensured
    created = ensure_schedules()
    # then the delivery is back, the sweep is every minute again, once, and its next run is kept
    assert created == ["minsheng: notification delivery"]
    assert [row[3] for row in schedules()] == [5, None, 60, 1, 1]
    assert Schedule.objects.get(name="minsheng: warning sweep").next_run == next_run


def test_the_tasks_run_the_sweep_and_the_delivery(world, flow, clock):
    # given an overdue case and a red rule, at a time after the deadline
    case = flow.handling()
    make_rule("超期", kind=K.OVERDUE, roles=["handler"])
    clock.move_to(local(2025, 10, 15, 9))
    # when the tasks run through django-q2 (sync mode in tests)
    swept = result(async_task("casemodels.tasks.run_sweep"))
    delivered = result(async_task("casemodels.tasks.deliver_notifications"))
    # then the warning was raised and its notification sent
    assert swept["raised"] == 1 and Warning.objects.get().case_id == case.pk
    assert delivered["sent"] == 1 and Notification.objects.get().status == "sent"


@pytest.mark.parametrize("limit", [0, -1, "10", True, 2.5])
def test_the_delivery_task_refuses_a_bad_limit_or_time(limit):
    with pytest.raises(ValueError, match="limit"):
        tasks.deliver_notifications(limit)
    with pytest.raises(ValueError, match="seconds"):
        tasks.deliver_notifications(10, limit)


def test_a_run_cut_short_queues_the_next_at_once_until_the_backlog_is_done(world, flow, clock, settings):
    # given three overdue cases and a batch of one warning per rule and run
    from django_q.models import Task

    settings.MINSHENG_SWEEP_BATCH = 1
    cases = [flow.handling() for _ in range(3)]
    rule = make_rule("超期", kind=K.OVERDUE)
    clock.move_to(local(2025, 10, 15, 9))
    # when the scheduled task runs once (django-q2's sync mode runs what it queues at once)
    first = result(async_task("casemodels.tasks.run_sweep"))
    # then it raised one and queued the next run, which queued the next, until nothing was left
    assert first["raised"] == 1 and first["more"] == [rule.pk]
    assert set(Warning.objects.values_list("case_id", flat=True)) == {case.pk for case in cases}
    follow_ups = Task.objects.filter(name="minsheng: warning sweep (backlog)", success=True)
    assert sorted(task.result["raised"] for task in follow_ups) == [0, 1, 1]  # the clock stands still: no order


def test_a_follow_up_sweeps_only_the_rules_cut_short(world, flow, clock, settings):
    # given two overdue cases, a rule with a backlog of two and another rule, and a batch of one
    settings.MINSHENG_SWEEP_BATCH = 1
    for _ in range(2):
        flow.handling()
    red = make_rule("超期", kind=K.OVERDUE)
    other = make_rule("办结超期", kind=K.OVERDUE, deadline="completion")
    clock.move_to(local(2025, 10, 15, 9))
    assert sweep(now=local(2025, 10, 15, 9))["rules"].keys() == {red.pk, other.pk}  # a scheduled run: every rule
    # when the task runs for the first rule only
    report = tasks.run_sweep([red.pk])
    # then only that rule ran (and raised the case the first run had left)
    assert report["rules"] == {red.pk: 1}


@pytest.mark.parametrize("rules", ["1", [1, "2"], [True], {"a": 1}])
def test_the_sweep_task_refuses_a_bad_rule_list(db, rules):
    with pytest.raises(ValueError, match="rules"):
        tasks.run_sweep(rules)
