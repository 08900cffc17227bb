"""Mends after the review of the warnings and supervision work: what leaves
the system in a notification, and who may close a supervision note."""

import datetime

import pytest
from django.utils import timezone

from casemodels.models import Notification, Warning
from casemodels.services import NotAllowed
from casemodels.services.outbox import message
from casemodels.services.supervision import answer_note, close_note, issue_note
from snippets.models import WarningRule

pytestmark = pytest.mark.django_db


def test_a_notification_carries_no_text_of_the_case(world, flow):
    # given a warning on a case whose title names the citizen
    case = flow.handling(title="张三丰反映建设南路12号楼漏水")
    rule = WarningRule.objects.create(name="回复超期", kind=WarningRule.Kind.OVERDUE, light="red", deadline="reply")
    notification = Notification(warning=Warning(case=case, rule=rule, level="red"))

    # when its message is written, then it names the case by number only
    subject, body = message(notification)
    assert case.number in subject and case.number in body
    assert "张三丰" not in subject + body and "12号楼" not in subject + body


def test_the_addressed_unit_cannot_close_its_own_note(world, flow):
    # given a note from the centre to a township, answered by the township's dispatcher
    case = flow.handling(unit=world.town_b, signer=world.town_b_handler)
    due = timezone.now() + datetime.timedelta(days=3)
    note = issue_note("supervision", world.town_b, [case], acting_user=world.dispatcher, reason="请加快办理。",
                      answer_due=due)
    note = answer_note(note, acting_user=world.town_b_dispatcher, answer="已处理。")

    # when the township's dispatcher tries to close it, then it is refused and stays answered
    with pytest.raises(NotAllowed):
        close_note(note, acting_user=world.town_b_dispatcher)
    note.refresh_from_db()
    assert note.state == "answered"

    # and the centre closes it
    assert close_note(note, acting_user=world.dispatcher).state == "closed"
