"""What a warning's message says: the deadline its rule watches, with the
watched time, or none for a rule without a deadline."""

from django.utils import translation

from casemodels.models import Assignment, Notification
from casemodels.services.outbox import message
from casemodels.services.sweep import sweep

from .conftest import local
from .test_sweep import K, make_rule

LATE = local(2025, 10, 15, 9)


def body_of(rule):
    with translation.override("en"):
        return message(Notification.objects.filter(warning__rule=rule).select_related("warning__case").first())[1]


def test_a_deadline_rules_message_names_the_deadline_it_watches(world, flow):
    # given a first-contact limit, a case not signed for past its sign-for deadline, and one in hand
    # past its first-contact and reply deadlines
    from snippets.models import PolicyLimit

    PolicyLimit.objects.create(policy=world.policy, kind="contact", amount=2, unit="working_days")
    pending = flow.dispatched()
    handled = flow.handling()
    sign = make_rule("签收超期", kind=K.OVERDUE, deadline="sign", roles=["handler"])
    contact = make_rule("联系超期", kind=K.OVERDUE, deadline="contact", roles=["handler"])
    reply = make_rule("答复超期", kind=K.OVERDUE, deadline="reply", roles=["handler"])
    sweep(now=LATE)
    # then each message names its own deadline, with the watched time
    sign_due = Assignment.objects.get(case=pending).sign_due
    handled.refresh_from_db()

    def at(moment):
        return moment.astimezone(local(2025, 1, 1).tzinfo).strftime("%Y-%m-%d %H:%M")

    assert body_of(sign).endswith(f"Sign-for due: {at(sign_due)}.")
    assert "Reply due" not in body_of(sign)
    assert body_of(contact).endswith(f"First contact due: {at(handled.contact_due)}.")
    assert body_of(reply).endswith(f"Reply due: {at(handled.reply_due)}.")


def test_a_rule_without_a_deadline_names_none(world, flow):
    # given a case with two orders from the same caller within the window
    flow.handling(citizen_phone="13700000007")
    flow.handling(citizen_phone="13700000007")
    repeat = make_rule("重复来电", kind=K.REPEAT_CALLER, threshold=2, window_days=3, roles=["handler"])
    sweep(now=local(2025, 9, 30, 12))
    # then its message says which case and rule, and no deadline
    body = body_of(repeat)
    assert body.startswith("Case ") and "due" not in body
