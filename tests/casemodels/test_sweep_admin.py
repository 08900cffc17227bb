"""Warnings and the outbox in the Wagtail admin: read-only lists scoped to
the user, the outbox's status, attempts and last error, and "retry now"
for administrators."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from casemodels.models import Notification
from casemodels.services.outbox import deliver_due
from casemodels.services.sweep import sweep
from tests.factories import StaffFactory

from .conftest import local
from .test_sweep import K, make_rule

LATE = local(2025, 10, 15, 9)


def failing_sender(notification):
    raise RuntimeError("网关超时")


def ok_sender(notification):
    pass


@pytest.fixture
def swept(world, flow, settings):
    """Two overdue cases, one held by each department, warned; every SMS failed for good."""
    settings.MINSHENG_OUTBOX_MAX_ATTEMPTS = 1
    settings.MINSHENG_NOTIFICATION_SENDERS = {"sms": "tests.casemodels.test_sweep_admin.failing_sender"}
    for user in (world.dept_handler, world.dept2_handler):
        user.staff_profile.phone = "13900000001"
        user.staff_profile.save()
    mine = flow.handling()
    other = flow.handling(unit=world.dept2, signer=world.dept2_handler)
    make_rule("答复超期红灯", kind=K.OVERDUE, roles=["handler"], by_sms=True)
    sweep(now=LATE)
    deliver_due(now=LATE)
    return mine, other


@pytest.fixture
def admin_user(world):
    return StaffFactory(unit=world.centre, roles=["administrator"]).user


def test_staff_see_the_warnings_of_their_cases_only(client, world, swept):
    mine, other = swept
    # when the department's handler opens the warnings list
    client.force_login(world.dept_handler)
    response = client.get(reverse("warnings:index"))
    # then their case's warning is listed, not the other department's
    assert response.status_code == 200
    assert mine.number in response.content.decode() and other.number not in response.content.decode()
    # and the other department's warning is not found
    hidden = other.warnings.get()
    assert client.get(reverse("warnings:inspect", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("warnings:inspect", args=[mine.warnings.get().pk])).status_code == 200


def test_the_outbox_shows_status_attempts_and_the_last_error(client, admin_user, swept):
    # when an administrator opens the outbox
    client.force_login(admin_user)
    response = client.get(reverse("outbox:index"))
    # then every notification is listed, the failed SMS with its error and a retry button
    page = response.content.decode()
    assert response.status_code == 200
    assert "网关超时" in page
    failed = Notification.objects.filter(status="failed")
    assert failed.count() == 2
    for notification in failed:
        assert reverse("outbox:retry", args=[notification.pk]) in page
    # and nothing can be added, edited or deleted
    notification = Notification.objects.first()
    assert client.get(reverse("outbox:add")).status_code in (302, 403)
    assert client.get(reverse("outbox:edit", args=[notification.pk])).status_code in (302, 403)
    assert client.post(reverse("outbox:delete", args=[notification.pk])).status_code in (302, 403)
    assert Notification.objects.filter(pk=notification.pk).exists()


def test_staff_see_their_own_notifications_and_no_retry_button(client, world, swept):
    # when the department's handler opens the outbox
    client.force_login(world.dept_handler)
    page = client.get(reverse("outbox:index")).content.decode()
    # then they see theirs (in the admin and by SMS), no retry button, and not the other handler's
    own = Notification.objects.filter(user=world.dept_handler)
    assert own.count() == 2
    others = Notification.objects.exclude(user=world.dept_handler)
    assert all(reverse("outbox:inspect", args=[n.pk]) in page for n in own)
    assert not any(reverse("outbox:inspect", args=[n.pk]) in page for n in others)
    assert "retry/" not in page
    # and posting a retry is refused, changing nothing
    failed = own.get(status="failed")
    response = client.post(reverse("outbox:retry", args=[failed.pk]), follow=True)
    assert response.status_code == 200
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 1)


def test_retry_now_sends_a_failed_notification(client, admin_user, swept, settings, clock):
    # given a gateway that works again, an hour later
    clock.move_to(LATE + datetime.timedelta(hours=1))
    settings.MINSHENG_NOTIFICATION_SENDERS = {"sms": "tests.casemodels.test_sweep_admin.ok_sender"}
    failed = Notification.objects.filter(status="failed").first()
    client.force_login(admin_user)
    # when the administrator presses "retry now"
    response = client.post(reverse("outbox:retry", args=[failed.pk]))
    # then it is sent at once and the outbox is shown again
    assert response.status_code == 302 and response["Location"] == reverse("outbox:index")
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == ("sent", 2, "")
    assert failed.sent_at == LATE + datetime.timedelta(hours=1)


def test_a_user_without_a_staff_profile_sees_nothing(client, db, world, swept):
    nobody = get_user_model().objects.create_user("nobody", password="pw")
    client.force_login(nobody)
    assert client.get(reverse("outbox:index")).status_code in (302, 403)
    assert client.get(reverse("warnings:index")).status_code in (302, 403)


def test_the_warning_joins_the_dossier_on_the_case_page(client, world, swept):
    mine, _other = swept
    # when the handler opens the case page
    client.force_login(world.dept_handler)
    response = client.get(reverse("cases:inspect", args=[mine.pk]))
    # then the dossier shows the warning event with the rule's name
    assert response.status_code == 200
    assert "答复超期红灯" in response.content.decode()
    assert mine.events.filter(action="warning", note="答复超期红灯").count() == 1


def test_the_warnings_export_and_page_name_the_case_by_number_not_by_its_title(client, world, swept):
    # The title may quote personal data that the user reads masked elsewhere.
    mine, _other = swept
    type(mine).objects.filter(pk=mine.pk).update(title="张三13912345678反映路灯不亮")
    client.force_login(world.dept_handler)
    exported = client.get(reverse("warnings:index") + "?export=csv")
    assert exported.status_code == 200
    text = b"".join(exported.streaming_content).decode("utf-8-sig") if exported.streaming else exported.content.decode()
    assert mine.number in text and "13912345678" not in text and "张三" not in text
    page = client.get(reverse("warnings:inspect", args=[mine.warnings.get().pk])).content.decode()
    assert mine.number in page and "13912345678" not in page
