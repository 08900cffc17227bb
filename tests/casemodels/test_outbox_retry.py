"""The outbox rides out an outage: the default retry schedule (10 attempts,
1, 2, 4 … 256 minutes apart) keeps trying for about 8½ hours; what still
fails is put back in the queue all at once by an administrator, from the
service (``retry_failed``) or the admin's "Retry failed" over the outbox
list as filtered and searched."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from casemodels.models import Notification
from casemodels.services import NotAllowed
from casemodels.services import outbox as outbox_module
from casemodels.services.outbox import SendError, deliver_due, retry_failed, retry_span
from casemodels.services.sweep import sweep
from tests.factories import StaffFactory

from .conftest import local
from .test_sweep import K, make_rule

LATE = local(2025, 10, 15, 9)
OUTAGE = {"until": None}
SENDER = "tests.casemodels.test_outbox_retry."


def gateway_with_an_outage(notification):
    """An SMS gateway that refuses everything until ``OUTAGE["until"]`` (the frozen clock)."""
    if OUTAGE["until"] is None or timezone.now() < OUTAGE["until"]:
        raise SendError("gateway down")


@pytest.fixture
def failing_until(settings):
    """``failing_until(moment)``: the SMS gateway is down until then (None: for good)."""
    settings.MINSHENG_NOTIFICATION_SENDERS = {"sms": SENDER + "gateway_with_an_outage"}

    def down(moment):
        OUTAGE["until"] = moment

    yield down
    OUTAGE["until"] = None


@pytest.fixture
def two_cases(world, flow, clock):
    """Two overdue cases held by two departments, each handler told by SMS and in the admin,
    swept at LATE (the clock stands there); the outbox's own defaults."""
    for user in (world.dept_handler, world.dept2_handler):
        user.staff_profile.phone = "13900000001"
        user.staff_profile.save()
    cases = [flow.handling(), flow.handling(unit=world.dept2, signer=world.dept2_handler)]
    make_rule("答复超期红灯", kind=K.OVERDUE, roles=["handler"], by_sms=True)
    clock.move_to(LATE)
    sweep(now=LATE)
    return cases


def sms():
    return Notification.objects.filter(channel="sms").order_by("pk")


def deliver_until_settled(clock, limit=20):
    """Run the delivery at each next attempt until no SMS is pending; the moments it ran."""
    runs = []
    for _ in range(limit):
        pending = sms().filter(status="pending").order_by("next_attempt_at").first()
        if pending is None:
            return runs
        clock.move_to(max(pending.next_attempt_at, timezone.now()))
        runs.append(timezone.now())
        deliver_due()
    raise AssertionError("still pending after %s runs" % limit)


def test_the_default_schedule_keeps_trying_for_eight_hours_and_more():
    # the settings' defaults are the outbox's own
    assert django_settings.MINSHENG_OUTBOX_MAX_ATTEMPTS == outbox_module.DEFAULT_MAX_ATTEMPTS == 10
    assert django_settings.MINSHENG_OUTBOX_BACKOFF_SECONDS == outbox_module.DEFAULT_BACKOFF_SECONDS == 60
    # 1, 2, 4 … 256 minutes apart: 511 minutes from the first attempt to the tenth
    waits = [outbox_module.backoff(n) for n in range(1, 10)]
    assert waits == [datetime.timedelta(minutes=2 ** n) for n in range(9)]
    assert retry_span() == datetime.timedelta(minutes=511)
    assert all(wait <= outbox_module.MAX_BACKOFF for wait in waits)


def test_a_gateway_down_for_four_hours_loses_nothing(two_cases, failing_until, clock):
    # given an SMS gateway down from LATE for four hours
    failing_until(LATE + datetime.timedelta(hours=4))
    # when the outbox is delivered at each next attempt
    runs = deliver_until_settled(clock)
    # then both SMS were sent at the first attempt after the outage (the ninth, 4 h 15 min on)
    assert [(n.status, n.attempts) for n in sms()] == [("sent", 9), ("sent", 9)]
    assert runs[-1] == LATE + datetime.timedelta(minutes=255)
    assert all(n.sent_at == runs[-1] for n in sms())


def test_an_outage_longer_than_the_schedule_fails_them_with_the_error(two_cases, failing_until, clock):
    # given a gateway down for good
    failing_until(None)
    # when the outbox is delivered at each next attempt
    runs = deliver_until_settled(clock)
    # then each SMS was tried ten times over 8 h 31 min, then failed with its last error
    assert [(n.status, n.attempts, n.last_error) for n in sms()] == [("failed", 10, "gateway down")] * 2
    assert runs[-1] - runs[0] == datetime.timedelta(minutes=511)


@pytest.fixture
def failed_for_good(two_cases, failing_until, clock, settings):
    """Both SMS failed (three attempts), an hour after LATE."""
    settings.MINSHENG_OUTBOX_MAX_ATTEMPTS = 3
    failing_until(None)
    deliver_until_settled(clock)
    assert [n.status for n in sms()] == ["failed", "failed"]
    clock.move_to(LATE + datetime.timedelta(hours=1))
    return two_cases


@pytest.fixture
def admin_user(world):
    return StaffFactory(unit=world.centre, roles=["administrator"]).user


def test_retry_failed_puts_the_failed_ones_back_for_the_next_run(failed_for_good, failing_until, admin_user, clock):
    # given the gateway back
    failing_until(LATE)
    in_app = Notification.objects.get(channel="in_app", warning__case=failed_for_good[0])
    assert in_app.status == "sent"
    # when an administrator retries every notification of the outbox
    count = retry_failed(Notification.objects.all(), acting_user=admin_user)
    # then the two failed ones are pending again, due at once, their attempts kept; the sent one is untouched
    assert count == 2
    assert [(n.status, n.attempts, n.next_attempt_at) for n in sms()] == [("pending", 3, timezone.now())] * 2
    in_app.refresh_from_db()
    assert (in_app.status, in_app.attempts) == ("sent", 1)
    # and the next delivery run sends them
    assert deliver_due()["sent"] == 2
    assert [(n.status, n.attempts) for n in sms()] == [("sent", 4), ("sent", 4)]


def test_a_retried_notification_that_fails_again_is_failed_at_once(failed_for_good, admin_user):
    # given the gateway still down, when an administrator retries them all
    assert retry_failed(Notification.objects.all(), acting_user=admin_user) == 2
    # then the next run tries each once more and fails it again (no new schedule of attempts)
    assert deliver_due()["failed"] == 2
    assert [(n.status, n.attempts) for n in sms()] == [("failed", 4), ("failed", 4)]


def test_retry_failed_takes_only_the_notifications_given(failed_for_good, admin_user):
    # when an administrator retries the SMS of the first case only
    first = failed_for_good[0]
    assert retry_failed(Notification.objects.filter(warning__case=first), acting_user=admin_user) == 1
    # then only that one is pending
    assert [(n.warning.case_id, n.status) for n in sms()] == [(first.pk, "pending"), (failed_for_good[1].pk, "failed")]


def test_only_administrators_retry_failed_notifications(failed_for_good, world):
    # when a handler retries them, then they may not, and nothing changes
    with pytest.raises(NotAllowed):
        retry_failed(Notification.objects.all(), acting_user=world.dept_handler)
    assert [n.status for n in sms()] == ["failed", "failed"]


# --- The admin ---------------------------------------------------------------------------------
def test_the_outbox_offers_administrators_to_retry_the_failed_ones_of_the_list(client, failed_for_good, admin_user):
    # when an administrator opens the outbox filtered to SMS, then the header offers "Retry failed" for that list
    client.force_login(admin_user)
    page = client.get(reverse("outbox:index") + "?channel=sms&p=1").content.decode()
    assert f'href="{reverse("outbox:retry_failed")}?channel=sms"' in page


def test_handlers_are_offered_no_retry_of_all_and_are_refused_it(client, failed_for_good, world):
    # given a handler, who sees their own failed SMS
    client.force_login(world.dept_handler)
    page = client.get(reverse("outbox:index")).content.decode()
    # then no "Retry failed" is offered, and the page and the action are refused
    assert reverse("outbox:retry_failed") not in page
    # (Wagtail's admin turns the refusal into a redirect home with a message)
    assert client.get(reverse("outbox:retry_failed")).status_code in (302, 403)
    assert client.post(reverse("outbox:retry_failed")).status_code in (302, 403)
    assert [n.status for n in sms()] == ["failed", "failed"]


def test_retry_failed_in_the_admin_confirms_then_retries_the_list_as_searched(
    client, failed_for_good, admin_user, english_admin,
):
    # given the outbox searched for the first case's number
    first, second = failed_for_good
    client.force_login(admin_user)
    url = reverse("outbox:retry_failed") + f"?q={first.number}"
    # when the administrator follows "Retry failed", then the page says how many, of which list
    page = client.get(url).content.decode()
    assert "1 failed notification" in page and f"search: {first.number}" in page
    assert [n.status for n in sms()] == ["failed", "failed"]
    # and when they confirm, the first case's SMS is queued again, the other left failed
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("outbox:index") + f"?q={first.number}"
    assert "1 notification is queued again" in response.content.decode()
    assert [(n.warning.case_id, n.status) for n in sms()] == [(first.pk, "pending"), (second.pk, "failed")]


def test_retry_failed_with_none_failed_in_the_list_goes_back_to_it(client, failed_for_good, admin_user, english_admin):
    # given the outbox filtered to in-app notifications (all sent)
    client.force_login(admin_user)
    response = client.get(reverse("outbox:retry_failed") + "?channel=in_app", follow=True)
    # then there is nothing to confirm: back to the list, which says so
    assert response.redirect_chain[-1][0] == reverse("outbox:index") + "?channel=in_app"
    assert "No failed notification in this list." in response.content.decode()
    assert [n.status for n in sms()] == ["failed", "failed"]
