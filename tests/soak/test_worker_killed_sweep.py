"""The django-q2 worker SIGKILLed in the middle of the warning sweep, and
again in the middle of the notifications' delivery, then restarted: every
warning is raised once, with its one notification and one dossier event,
and every notification goes out — once per idempotency key.

The real processes: ``manage.py qcluster`` (production settings, the test
database, its whole process group killed with SIGKILL), the backlog worked
off in batches of ``MINSHENG_SWEEP_BATCH=10`` chained tasks, and an SMS
"gateway" (tests/soak/recording_sender.py) that logs each attempt's key.

What "exactly once" means here (casemodels/services/outbox.py): a worker
killed after the message left but before it was marked sent leaves it
claimed; the claim runs out after ``CLAIM`` (5 minutes) and the message is
sent again, with the same key, which the gateway drops. The test does not
wait those 5 minutes: it moves the claims' expiry back (the clock moving
on, said here), then lets the restarted worker deliver the rest. It asserts
that each notification reached the gateway under one key, that every
notification ended up sent, and that no more than one attempt (the one in
flight when the worker died) was repeated."""

import datetime
import os
import time
from collections import Counter

import pytest
from django.db.models import Count

from benchmarks.load.harness import Worker
from casemodels.models import CaseEvent, Notification, Warning
from casemodels.services.outbox import CLAIM, idempotency_key
from tests.casemodels.conftest import calendar, clock, flow, world  # noqa: F401 (fixtures)
from tests.casemodels.test_sweep import K, make_rule

from .helpers import enqueue, wait_for, worker_environment

pytestmark = pytest.mark.django_db(transaction=True)

CASES = int(os.environ.get("MINSHENG_SOAK_SWEEP_CASES", "120"))


def sms_sent_lines(path):
    if not path.exists():
        return []
    return [line.split()[0] for line in path.read_text().splitlines() if line.strip()]


def test_worker_killed_mid_sweep_and_mid_delivery(world, flow, tmp_path):  # noqa: F811
    # given CASES cases in hand, past their reply and completion deadlines (made in 2025; the worker runs now),
    # two overdue rules telling the lead unit in the admin and on its duty phone
    world.dept.phone = "0356-5221234"
    world.dept.save()
    for _ in range(CASES):
        flow.handling()
    rules = [
        make_rule("答复超期", kind=K.OVERDUE, roles=["unit_leader"], in_app=True, by_sms=True),
        make_rule("办结超期", kind=K.OVERDUE, deadline="completion", roles=["unit_leader"], in_app=True, by_sms=True),
    ]
    expected_warnings = CASES * len(rules)
    sent_log = tmp_path / "sms.log"
    env = worker_environment(
        MINSHENG_SWEEP_BATCH=10, Q_WORKERS=2, MINSHENG_SENDER_SMS="tests.soak.recording_sender.record",
        MINSHENG_SOAK_SENT_LOG=sent_log, MEDIA_ROOT=tmp_path / "media",
    )

    # when the sweep runs on a worker, which is SIGKILLed once part of the backlog is raised
    worker = Worker(env, tmp_path / "qcluster-1.log")
    try:
        enqueue("casemodels.tasks.run_sweep", task_name="soak: warning sweep")
        raised_before_kill = wait_for(lambda: (n := Warning.objects.count()) >= expected_warnings // 5 and n,
                                      timeout=180, every=0.02, what="a fifth of the warnings")
    finally:
        worker.kill()
    at_kill = Warning.objects.count()
    print(f"\nsweep: SIGKILL after {raised_before_kill} of {expected_warnings} warnings ({at_kill} committed)")
    assert at_kill < expected_warnings, "the sweep finished before the kill: raise MINSHENG_SOAK_SWEEP_CASES"

    # and a new worker is started, and the sweep runs again (the every-minute schedule would)
    worker = Worker(env, tmp_path / "qcluster-2.log")
    try:
        enqueue("casemodels.tasks.run_sweep", task_name="soak: warning sweep after the restart")
        wait_for(lambda: Warning.objects.count() >= expected_warnings, timeout=300, what="every warning raised")
        # then every overdue case has its one warning per rule, one notification per channel, one event
        assert Warning.objects.count() == expected_warnings
        assert not Warning.objects.values("rule", "case").annotate(n=Count("id")).filter(n__gt=1).exists()
        per_warning = Counter(Notification.objects.values_list("warning_id", "channel"))
        assert len(per_warning) == expected_warnings * 2 and set(per_warning.values()) == {1}
        assert CaseEvent.objects.filter(action=CaseEvent.Action.WARNING).count() == expected_warnings

        # when the notifications are delivered, and the worker is SIGKILLed in the middle
        enqueue("casemodels.tasks.deliver_notifications", task_name="soak: delivery")
        wait_for(lambda: len(sms_sent_lines(sent_log)) >= expected_warnings // 4, timeout=180, every=0.02,
                 what="a quarter of the SMS sent")
        time.sleep(0.025)  # off the beat of the gateway's writes: most likely inside the next attempt
    finally:
        worker.kill()
    before_restart = len(sms_sent_lines(sent_log))
    claimed = Notification.objects.filter(channel="sms", status="pending", attempts__gt=0).count()
    print(f"delivery: SIGKILL after {before_restart} of {expected_warnings} SMS; {claimed} left claimed")
    assert before_restart < expected_warnings, "the delivery finished before the kill"

    # and the claims of the dead worker run out (the clock moves CLAIM on: the expiry is moved back instead)
    Notification.objects.filter(status="pending", attempts__gt=0).update(
        next_attempt_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    assert CLAIM == datetime.timedelta(minutes=5)
    worker = Worker(env, tmp_path / "qcluster-3.log")
    try:
        enqueue("casemodels.tasks.deliver_notifications", task_name="soak: delivery after the restart")
        wait_for(lambda: not Notification.objects.filter(status="pending").exists(), timeout=300,
                 what="every notification delivered")
    finally:
        worker.stop()

    # then every notification was sent, each reached the gateway under its own key, and at most the one
    # attempt in flight at the kill was repeated (same key: the gateway drops it)
    notifications = Notification.objects.all()
    assert set(notifications.values_list("status", flat=True)) == {"sent"}
    sms = {idempotency_key(n) for n in notifications.filter(channel="sms")}
    lines = sms_sent_lines(sent_log)
    repeated = {key: n for key, n in Counter(lines).items() if n > 1}
    assert set(lines) == sms and len(sms) == expected_warnings
    assert sum(n - 1 for n in repeated.values()) <= 1, repeated
    print(f"delivery: {len(sms)} SMS keys, {len(lines)} gateway attempts, repeated after the kill: {repeated or 0}; "
          f"{notifications.filter(channel='in_app').count()} in-app notifications sent once")
