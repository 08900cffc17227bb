"""Sending the outbox (casemodels.services.outbox): pluggable senders (log,
in-app, e-mail, an SMS gateway over HTTP), retries with exponential
back-off up to a number of attempts, then failed; the row claim that keeps
two workers from sending the same notification; "retry now"; the key every
attempt at one notification carries (the SMS gateway's message id, the
e-mail's Message-ID), so that a message sent again after a crash can be
dropped as a duplicate; the personal data the log leaves out (what a message says:
test_outbox_messages.py)."""

import datetime
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from casemodels.models import Notification
from casemodels.services import NotAllowed
from casemodels.services import outbox as outbox_module
from casemodels.services.base import InvalidState
from casemodels.services.outbox import (
    HttpSmsSender, SendError, claim, deliver_due, email_sender, idempotency_key, retry_now,
)
from casemodels.services.sweep import sweep

from .conftest import local
from .test_sweep import K, make_rule

LATE = local(2025, 10, 15, 9)
SENT = []


def recording_sender(notification):
    SENT.append(notification.pk)


def failing_sender(notification):
    raise SendError("gateway down")


def refusing_sender(notification):
    raise SendError(f"recipient {notification.address} refused")


class Crash(BaseException):
    """The worker process dies (not an error a sender reports)."""


def email_then_crash(notification):
    """Hands the e-mail to the mail system, then the worker dies before marking it sent (once)."""
    email_sender(notification)
    if len(SENT) == 0:
        SENT.append(notification.pk)
        raise Crash


@pytest.fixture
def senders(settings):
    """``senders(sms="…failing_sender")``: the channels' senders for this test."""
    SENT.clear()

    def use(**paths):
        settings.MINSHENG_NOTIFICATION_SENDERS = {
            channel: f"tests.casemodels.test_outbox.{name}" if "." not in name else name
            for channel, name in paths.items()
        }

    return use


@pytest.fixture
def queued(world, flow, settings):
    """An overdue case whose handler (phone on file) is told by SMS and in the admin, swept at LATE."""
    settings.MINSHENG_OUTBOX_MAX_ATTEMPTS = 3
    settings.MINSHENG_OUTBOX_BACKOFF_SECONDS = 60
    profile = world.dept_handler.staff_profile
    profile.phone = "13900000001"
    profile.save()
    flow.handling()
    make_rule("超期", kind=K.OVERDUE, roles=["handler"], by_sms=True)
    sweep(now=LATE)
    return {n.channel: n for n in Notification.objects.all()}


def state(notification):
    notification.refresh_from_db()
    return notification.status, notification.attempts, notification.next_attempt_at


def test_by_default_in_app_is_marked_sent_and_sms_is_written_to_the_log(queued, caplog):
    # when the outbox is delivered with the default senders
    caplog.set_level("INFO", logger="casemodels.outbox")
    outcome = deliver_due(now=LATE)
    # then both are sent, the SMS into the log with its case and its number masked
    assert outcome == {"sent": 2, "retry": 0, "failed": 0, "taken": 0}
    assert [state(n)[:2] for n in queued.values()] == [("sent", 1), ("sent", 1)]
    assert "139****0001" in caplog.text and queued["sms"].warning.case.number in caplog.text
    assert Notification.objects.get(pk=queued["sms"].pk).sent_at == LATE


def test_the_log_sender_masks_the_staff_members_phone_name_and_e_mail(world, flow, caplog):
    # given a leader with a name, a phone and an e-mail address, told by SMS and by e-mail
    from tests.factories import StaffFactory, UserFactory

    StaffFactory(unit=world.dept, roles=["unit_leader"], name="王建国", phone="13812341234",
                 user=UserFactory(email="wangjianguo@example.org"))
    flow.handling()
    make_rule("超期", kind=K.OVERDUE, roles=["unit_leader"], in_app=False, by_sms=True, by_email=True)
    sweep(now=LATE)
    caplog.set_level("INFO", logger="casemodels.outbox")
    # when the default senders write them to the log
    assert deliver_due(now=LATE)["sent"] == 2
    # then the log names the notifications, masked: no phone, e-mail address or full name
    text = caplog.text
    assert "138****1234" in text and "w***@example.org" in text and "王**" in text
    assert "13812341234" not in text and "wangjianguo" not in text and "王建国" not in text
    assert all(f"Notification {n.pk}," in text for n in Notification.objects.all())


def test_a_failure_quoting_an_address_is_logged_masked(queued, senders, caplog):
    # given a sender whose error quotes the recipient's address
    senders(sms="refusing_sender")
    caplog.set_level("WARNING", logger="casemodels.outbox")
    # when it fails
    deliver_due(now=LATE)
    # then the log has it masked, the admin's outbox in full
    assert "139****0001" in caplog.text and "13900000001" not in caplog.text
    assert "13900000001" in Notification.objects.get(pk=queued["sms"].pk).last_error


def test_a_failure_is_retried_with_back_off_then_failed(queued, senders):
    # given an SMS gateway that fails every time (3 attempts, back-off 60 s doubling)
    senders(sms="failing_sender")
    sms = queued["sms"]
    # when the outbox is delivered: the first attempt fails, the next is due a minute later
    deliver_due(now=LATE)
    assert state(sms) == ("pending", 1, LATE + datetime.timedelta(seconds=60))
    # and nothing is tried before it is due
    assert deliver_due(now=LATE + datetime.timedelta(seconds=59))["retry"] == 0
    deliver_due(now=LATE + datetime.timedelta(seconds=60))
    assert state(sms) == ("pending", 2, LATE + datetime.timedelta(seconds=180))
    deliver_due(now=LATE + datetime.timedelta(seconds=180))
    # then after the third attempt it has failed, with the error kept for the admin
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == ("failed", 3, "gateway down")
    assert deliver_due(now=LATE + datetime.timedelta(days=1))["failed"] == 0


def test_a_claim_is_taken_by_one_worker_only(queued):
    # given a due notification, seen by two workers with the same attempt count
    sms = queued["sms"]
    # when both try to claim it
    first, second = claim(sms.pk, 0, LATE), claim(sms.pk, 0, LATE)
    # then one wins; the attempt is counted and it is not due again until the claim runs out
    assert (first, second) == (True, False)
    assert state(sms)[1:] == (1, LATE + outbox_module.CLAIM)
    assert deliver_due(now=LATE)["sent"] == 1  # the in-app one only


def test_a_second_worker_while_one_is_sending_sends_nothing(queued, monkeypatch):
    # given an SMS sender during whose work another worker delivers the outbox
    inner = []
    default_sender_for = outbox_module.sender_for

    def slow_sms(notification):
        inner.append(deliver_due(now=LATE))
        SENT.append(notification.pk)

    SENT.clear()
    monkeypatch.setattr(outbox_module, "sender_for",
                        lambda channel: slow_sms if channel == "sms" else default_sender_for(channel))
    # when the first worker delivers
    deliver_due(now=LATE)
    # then the SMS was sent once: the second worker found nothing due (the in-app one was sent
    # before, the SMS is claimed)
    assert SENT == [queued["sms"].pk]
    assert inner == [{"sent": 0, "retry": 0, "failed": 0, "taken": 0}]
    assert state(queued["sms"])[:2] == ("sent", 1)


def test_a_worker_that_died_leaves_the_notification_due_after_the_claim(queued, senders):
    # given a notification claimed by a worker that then died before sending
    senders(sms="recording_sender")
    claim(queued["sms"].pk, 0, LATE)
    assert deliver_due(now=LATE + datetime.timedelta(minutes=4))["sent"] == 1  # the in-app one
    # when the claim has run out
    deliver_due(now=LATE + outbox_module.CLAIM)
    # then another worker sends it (its second attempt)
    assert SENT == [queued["sms"].pk]
    assert state(queued["sms"])[:2] == ("sent", 2)


def test_a_run_starts_no_new_send_after_its_time(queued, senders, monkeypatch):
    # given two due SMS (a second rule tells the same handler) and a clock that moves a second
    # each time the delivery looks at it
    make_rule("超期（二）", kind=K.OVERDUE, roles=["handler"], by_sms=True, in_app=False)
    sweep(now=LATE)
    senders(sms="recording_sender")
    ticks = itertools.count()
    monkeypatch.setattr(outbox_module.time, "monotonic", lambda: next(ticks))
    # when a run may take one second
    outcome = deliver_due(now=LATE, seconds=1)
    # then it sent the in-app one (at once) and one SMS, and left the other for the next run
    assert (outcome["sent"], len(SENT)) == (2, 1)
    assert deliver_due(now=LATE)["sent"] == 1 and len(SENT) == 2


def test_a_configured_in_app_sender_is_called_for_each(queued, senders):
    # given an in-app sender of the centre's own (e.g. a push service)
    senders(in_app="recording_sender")
    # when the outbox is delivered
    deliver_due(now=LATE)
    # then it was called for the in-app notification
    assert SENT == [queued["in_app"].pk]


def test_email_through_django_mail(world, flow, senders, mailoutbox):
    # given a leader with an e-mail address and a rule telling by e-mail
    from tests.factories import StaffFactory, UserFactory

    StaffFactory(unit=world.dept, roles=["unit_leader"], user=UserFactory(email="leader@example.cn"))
    case = flow.handling()
    make_rule("超期", kind=K.OVERDUE, roles=["unit_leader"], in_app=False, by_email=True)
    sweep(now=LATE)
    senders(email="casemodels.services.outbox.email_sender")
    # when the outbox is delivered
    deliver_due(now=LATE)
    # then one e-mail went to the leader about the case
    assert [(m.to, case.number in m.subject) for m in mailoutbox] == [(["leader@example.cn"], True)]


class Gateway(BaseHTTPRequestHandler):
    answers = []
    received = []

    keys = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append((self.headers.get("Authorization"), json.loads(body)))
        Gateway.keys.append(self.headers.get("Idempotency-Key"))
        self.send_response(Gateway.answers.pop(0) if Gateway.answers else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    Gateway.answers, Gateway.received, Gateway.keys = [], [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms"
    server.shutdown()
    server.server_close()


def test_sms_over_the_http_gateway(queued, senders, settings, gateway):
    # given the HTTP SMS sender, a gateway with a token, failing once with 503 and then accepting
    settings.MINSHENG_SMS_GATEWAY_URL = gateway
    settings.MINSHENG_SMS_GATEWAY_TOKEN = "secret-token"
    senders(sms="casemodels.services.outbox.HttpSmsSender")
    Gateway.answers = [503]
    # when the outbox is delivered, and again after the back-off
    deliver_due(now=LATE)
    assert "503" in Notification.objects.get(pk=queued["sms"].pk).last_error
    deliver_due(now=LATE + datetime.timedelta(minutes=1))
    # then the gateway got the phone and the message twice, with the token; the second time it was sent
    assert [(auth, body["phone"]) for auth, body in Gateway.received] == [("Bearer secret-token", "13900000001")] * 2
    assert queued["sms"].warning.case.number in Gateway.received[0][1]["message"]
    assert state(queued["sms"])[:2] == ("sent", 2)
    # and both attempts carried the notification's key, in the body and as the Idempotency-Key header
    key = f"minsheng-notification-{queued['sms'].pk}"
    assert [body["message_id"] for _auth, body in Gateway.received] == Gateway.keys == [key, key]


class CrashAfterSend(HttpSmsSender):
    """The gateway takes the SMS, then the worker dies before marking it sent (the first time)."""

    def __call__(self, notification):
        super().__call__(notification)
        if len(Gateway.received) == 1:
            raise Crash


def test_an_sms_sent_again_after_a_crash_carries_the_same_key(queued, senders, settings, gateway):
    # given a gateway that takes the SMS, and a worker that dies right after
    settings.MINSHENG_SMS_GATEWAY_URL = gateway
    senders(sms="tests.casemodels.test_outbox.CrashAfterSend")
    with pytest.raises(Crash):
        deliver_due(now=LATE)
    assert state(queued["sms"])[:2] == ("pending", 1)
    # when its claim has run out and another worker delivers the outbox
    deliver_due(now=LATE + outbox_module.CLAIM)
    # then the gateway got it twice, with one key it can drop the second copy by
    assert state(queued["sms"])[:2] == ("sent", 2)
    assert len(Gateway.received) == 2
    assert len({body["message_id"] for _auth, body in Gateway.received}) == len(set(Gateway.keys)) == 1
    # and another notification has another key
    other = Notification(pk=queued["sms"].pk + 1)
    assert idempotency_key(other) != idempotency_key(queued["sms"])


def test_an_email_sent_again_after_a_crash_has_the_same_message_id(world, flow, senders, settings, mailoutbox):
    # given a leader told by e-mail, and a worker that dies right after the mail system took it
    from tests.factories import StaffFactory, UserFactory

    settings.DEFAULT_FROM_EMAIL = "Minsheng 12345 <noreply@12345.example.gov.cn>"
    StaffFactory(unit=world.dept, roles=["unit_leader"], user=UserFactory(email="leader@example.cn"))
    flow.handling()
    make_rule("超期", kind=K.OVERDUE, roles=["unit_leader"], in_app=False, by_email=True)
    sweep(now=LATE)
    senders(email="email_then_crash")
    with pytest.raises(Crash):
        deliver_due(now=LATE)
    # when it is sent again once the claim has run out
    assert deliver_due(now=LATE + outbox_module.CLAIM)["sent"] == 1
    # then both copies have the notification's own Message-ID and name it
    notification = Notification.objects.get()
    headers = [(m.message()["Message-ID"], m.message()["X-Minsheng-Notification"]) for m in mailoutbox]
    expected = (f"<minsheng-notification-{notification.pk}@12345.example.gov.cn>", str(notification.pk))
    assert headers == [expected, expected]


def test_an_unreachable_or_unconfigured_gateway_is_an_error(queued):
    # given a notification with a phone
    notification = queued["sms"]
    # then a gateway that is not configured, or not reachable, fails with a SendError
    with pytest.raises(SendError):
        HttpSmsSender(url="")(notification)
    with pytest.raises(SendError):
        HttpSmsSender(url="http://127.0.0.1:9/nothing", timeout=2)(notification)


def test_retry_now_for_administrators(queued, senders, world):
    # given an SMS that has failed all its attempts
    senders(sms="failing_sender")
    for minutes in (0, 1, 3):
        deliver_due(now=LATE + datetime.timedelta(minutes=minutes))
    sms = Notification.objects.get(pk=queued["sms"].pk)
    assert sms.status == "failed"
    # when a handler tries to retry it, then they may not
    with pytest.raises(NotAllowed):
        retry_now(sms, acting_user=world.dept_handler)
    # and an administrator retries it once the gateway works again
    from tests.factories import StaffFactory

    admin = StaffFactory(unit=world.centre, roles=["administrator"]).user
    senders(sms="recording_sender")
    outcome, sms = retry_now(sms, acting_user=admin, now=LATE + datetime.timedelta(hours=1))
    assert (outcome, sms.status, sms.attempts, SENT) == ("sent", "sent", 4, [sms.pk])
    # and a notification already sent cannot be retried
    with pytest.raises(InvalidState):
        retry_now(sms, acting_user=admin)


def test_a_retry_that_fails_again_is_failed_at_once(queued, senders, world):
    # given a failed SMS and a gateway still down
    senders(sms="failing_sender")
    for minutes in (0, 1, 3):
        deliver_due(now=LATE + datetime.timedelta(minutes=minutes))
    # when a superuser retries it
    from django.contrib.auth import get_user_model

    boss = get_user_model().objects.create_superuser("boss", password="pw")
    outcome, sms = retry_now(queued["sms"], acting_user=boss, now=LATE + datetime.timedelta(hours=1))
    # then it is failed again after one more attempt, not put back into the back-off
    assert (outcome, sms.status, sms.attempts) == ("failed", "failed", 4)
