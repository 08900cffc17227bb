"""The warning sweep (casemodels.services.sweep) with a frozen clock: yellow
then red at the right moments across days and the National Day holiday,
rules that count working days only, paused clocks, agreement with the
workbench's lights, and exactly one warning, notification and event per
(case, rule, level) however often the sweep runs or however it crashes.

The helpers at the top (rules, reads of what the sweep wrote) are shared
by the other ``test_sweep_*`` modules."""

import pytest
from django.db import transaction

from casemodels.models import Case, CaseEvent, Notification, Warning
from casemodels.services import request_info, resume_case
from casemodels.services import sweep as sweep_module
from casemodels.services.inbox import deadline_lights
from casemodels.services.sweep import SweepFailed, sweep
from snippets.models import Role, WarningRule

from .conftest import end_of, local

K = WarningRule.Kind


def make_rule(name="规则", *, kind=K.OVERDUE, light=None, deadline="reply", channels=(), roles=(), staff=(),
              **fields):
    """A warning rule, validated as the admin would (``full_clean``)::

        make_rule(kind="near_due", share_elapsed=80, roles=["unit_leader"], by_sms=True)
    """
    if light is None:
        light = WarningRule.Light.RED if kind == K.OVERDUE else WarningRule.Light.YELLOW
    if kind not in (K.NEAR_DUE, K.OVERDUE):
        deadline = ""
    rule = WarningRule(name=name, kind=kind, light=light, deadline=deadline, **fields)
    rule.full_clean()
    rule.save()
    rule.channels.set(channels)
    rule.notify_roles.set([
        Role.objects.get_or_create(code=code, defaults={"name": Role.Code(code).label})[0] for code in roles
    ])
    rule.notify_staff.set(staff)
    return rule


def minutes(moment):
    """A moment as an occurrence key (whole minutes since 1970)."""
    return int(moment.timestamp() // 60)


def warned(rule, **filters):
    """The case ids the rule has warned about."""
    return set(Warning.objects.filter(rule=rule, **filters).values_list("case_id", flat=True))


def keys():
    """Every warning as (case id, rule id, level, occurrence)."""
    return sorted(Warning.objects.values_list("case_id", "rule_id", "level", "occurrence"))


def outbox():
    """Every notification as (case id, rule id, staff id, unit id, channel, status)."""
    return sorted(
        Notification.objects.values_list(
            "warning__case_id", "warning__rule_id", "staff_id", "unit_id", "channel", "status",
        ),
        key=lambda row: tuple(str(v) for v in row),
    )


def warning_events(case=None):
    events = CaseEvent.objects.filter(action=CaseEvent.Action.WARNING)
    return events.filter(case_id=case.pk) if case is not None else events


# --- Yellow, then red ----------------------------------------------------------------------------
def test_yellow_at_the_share_of_the_time_then_red_after_the_deadline_across_the_holiday(world, flow, clock):
    # given a case in hand since Tuesday 2025-09-30 10:00, reply due 10-14 23:59:59 (5 working days
    # after the National Day holiday), and a yellow rule at 80% of the time and a red one when overdue
    case = flow.handling()
    assert case.reply_due == end_of(2025, 10, 14)
    yellow = make_rule("临期", kind=K.NEAR_DUE, share_elapsed=80)
    red = make_rule("超期", kind=K.OVERDUE)
    # when the sweep runs through the holiday and the days after it
    # then 80% of the 14 days 14 hours is reached on Sunday 10-12 at 02:00, and red comes at midnight
    walk = [
        (local(2025, 10, 1, 9), set(), set()),
        (local(2025, 10, 8, 18), set(), set()),
        (local(2025, 10, 12, 1, 59), set(), set()),
        (local(2025, 10, 12, 2, 0), {case.pk}, set()),
        (local(2025, 10, 14, 23, 59, 58), {case.pk}, set()),
        (local(2025, 10, 15, 0, 0), {case.pk}, {case.pk}),
    ]
    for moment, want_yellow, want_red in walk:
        clock.move_to(moment)
        sweep()
        assert (warned(yellow), warned(red)) == (want_yellow, want_red), moment
    # and each warning was raised once, at the sweep that first saw it, with one dossier event each
    assert list(Warning.objects.filter(case=case).order_by("raised_at").values_list("level", "raised_at")) == [
        ("yellow", local(2025, 10, 12, 2, 0)), ("red", local(2025, 10, 15, 0, 0)),
    ]
    assert list(warning_events(case).order_by("created_at").values_list("note", "data__level")) == [
        ("临期", "yellow"), ("超期", "red"),
    ]


def test_hours_before_the_deadline(world, flow):
    # given the same case and a yellow rule 24 hours before the reply deadline
    case = flow.handling()
    rule = make_rule("24小时临期", kind=K.NEAR_DUE, hours_before=24)
    # when the sweep runs one second before and at the start of the last 24 hours
    sweep(now=local(2025, 10, 13, 23, 59, 59))
    assert warned(rule) == set()
    sweep(now=local(2025, 10, 14, 0, 0))
    # then it is yellow from then on, and not again after the deadline
    assert warned(rule) == {case.pk}
    sweep(now=local(2025, 10, 16, 9))
    assert Warning.objects.filter(rule=rule).count() == 1


def test_near_due_waits_while_past_the_deadline_gets_red_only(world, flow):
    # given a case whose sweep was down for the whole near-due window
    case = flow.handling()
    yellow = make_rule("临期", kind=K.NEAR_DUE, share_elapsed=80)
    red = make_rule("超期", kind=K.OVERDUE)
    # when the first sweep after the deadline runs
    sweep(now=local(2025, 10, 16, 9))
    # then the case is red; a late yellow would only be noise
    assert (warned(yellow), warned(red)) == (set(), {case.pk})


def test_sign_for_deadline_red_during_the_holiday(world, flow):
    # given a case dispatched on 09-30 10:00 and not signed: sign-for due 10-01 10:00 (24 hours)
    case = flow.dispatched()
    red = make_rule("签收超期", kind=K.OVERDUE, deadline="sign")
    sweep(now=local(2025, 10, 1, 9, 59))
    assert warned(red) == set()
    # when the sweep runs on the holiday
    sweep(now=local(2025, 10, 1, 10, 1))
    # then the unsigned case is red (an hours limit runs through holidays)
    assert warned(red) == {case.pk}


# --- Working days only ---------------------------------------------------------------------------
def test_a_working_days_rule_waits_for_the_next_working_day(world, flow):
    # given an unsigned case overdue from 10-01 10:00, and the same red rule twice, one of them
    # for working days only
    case = flow.dispatched()
    every_day = make_rule("签收超期", kind=K.OVERDUE, deadline="sign")
    working = make_rule("签收超期（工作日）", kind=K.OVERDUE, deadline="sign", working_days_only=True)
    # when the sweep runs through the holiday
    for day in (2, 5, 8):
        report = sweep(now=local(2025, 10, day, 10))
        # then only the every-day rule raises; the other waits
        assert working.pk in report["waiting"]
    assert (warned(every_day), warned(working)) == ({case.pk}, set())
    # and on Thursday 10-09, the first working day, it raises, dated that day
    report = sweep(now=local(2025, 10, 9, 8, 30))
    assert report["waiting"] == []
    assert warned(working) == {case.pk}
    assert Warning.objects.get(rule=working).raised_at == local(2025, 10, 9, 8, 30)


def test_a_make_up_saturday_is_a_working_day_and_a_sunday_is_not(world, flow, clock):
    # given a case in hand whose yellow (80%) comes on Sunday 10-12 02:00, a yellow rule for
    # working days only, and a case dispatched on Thursday 10-09 left unsigned (due Friday 10:00)
    case = flow.handling()
    yellow = make_rule("临期（工作日）", kind=K.NEAR_DUE, share_elapsed=80, working_days_only=True)
    red = make_rule("签收超期（工作日）", kind=K.OVERDUE, deadline="sign", working_days_only=True)
    clock.move_to(local(2025, 10, 9, 10))
    unsigned = flow.dispatched()
    # when the sweep runs on the make-up workday Saturday 10-11, then on Sunday, then on Monday
    sweep(now=local(2025, 10, 11, 10))
    assert (warned(yellow), warned(red)) == (set(), {unsigned.pk})
    sweep(now=local(2025, 10, 12, 10))
    assert warned(yellow) == set()
    sweep(now=local(2025, 10, 13, 9))
    # then Saturday counted as a working day, Sunday did not, and the yellow came on Monday
    assert warned(yellow) == {case.pk}


# --- Paused clocks, channels, the workbench ------------------------------------------------------
def test_a_paused_clock_raises_no_deadline_warning(world, flow, clock):
    # given a case in hand whose unit asks the citizen for information on 10-13
    case = flow.handling()
    yellow = make_rule("临期", kind=K.NEAR_DUE, hours_before=24)
    red = make_rule("超期", kind=K.OVERDUE)
    clock.move_to(local(2025, 10, 13, 10))
    case = request_info(case, acting_user=world.dept_handler, missing="现场照片")
    # when the sweep runs past the old deadline while the clock stands
    sweep(now=local(2025, 10, 15, 10))
    # then nothing is raised
    assert Warning.objects.count() == 0
    # and once the citizen answers (the deadline moves to 10-17), it is red only after the new deadline
    clock.move_to(local(2025, 10, 15, 11))
    case = resume_case(case, acting_user=world.dept_handler, information="已补充照片")
    assert case.reply_due == end_of(2025, 10, 16)
    sweep(now=local(2025, 10, 16, 9))
    assert (warned(yellow), warned(red)) == ({case.pk}, set())
    sweep(now=local(2025, 10, 17, 0, 0, 1))
    assert warned(red) == {case.pk}


def test_a_rule_for_some_channels_leaves_the_others_alone(world, flow):
    # given overdue cases from the hotline and the website, and a red rule for the website only
    hotline_case = flow.handling(channel=world.hotline)
    web_case = flow.handling(channel=world.web)
    rule = make_rule("网站超期", kind=K.OVERDUE, channels=[world.web])
    # when the sweep runs after the deadline
    sweep(now=local(2025, 10, 16, 9))
    # then only the website case is warned
    assert warned(rule) == {web_case.pk}
    assert hotline_case.pk not in warned(rule)


def test_overdue_rules_warn_about_exactly_the_workbench_red_cases(world, flow, clock):
    # given cases in every position: in hand and late, unsigned and late, late but paused,
    # replied, on time
    late = flow.handling()
    unsigned = flow.dispatched()
    paused = request_info(flow.handling(), acting_user=world.dept_handler, missing="门牌号")
    flow.replied()
    clock.move_to(local(2025, 10, 14, 12))
    on_time = flow.handling()
    reply = make_rule("答复超期", kind=K.OVERDUE, deadline="reply")
    sign = make_rule("签收超期", kind=K.OVERDUE, deadline="sign")
    # when the sweep runs at a moment the workbench also reads
    moment = local(2025, 10, 15, 9)
    sweep(now=moment)
    # then the two red rules together name the workbench's red cases, no more, no less
    red, _yellow = deadline_lights(moment)
    assert warned(reply) | warned(sign) == set(Case.objects.filter(red).values_list("pk", flat=True))
    assert warned(reply) | warned(sign) == {late.pk, unsigned.pk}
    assert paused.pk not in warned(reply) and on_time.pk not in warned(reply)


# --- Exactly once --------------------------------------------------------------------------------
def test_running_twice_raises_and_tells_once(world, flow):
    # given an overdue case and a red rule telling the lead unit's handlers in the admin and by SMS
    case = flow.handling()
    rule = make_rule("超期", kind=K.OVERDUE, roles=["handler"], by_sms=True)
    # when the sweep runs twice at the same moment, and again later
    first = sweep(now=local(2025, 10, 15, 9))
    second = sweep(now=local(2025, 10, 15, 9))
    sweep(now=local(2025, 10, 16, 9))
    # then there is one warning, one notification per channel for the one handler, one event
    assert (first["raised"], second["raised"]) == (1, 0)
    assert keys() == [(case.pk, rule.pk, "red", minutes(case.received_at))]
    handler = world.dept_handler.staff_profile
    assert [(row[2], row[4]) for row in outbox()] == [(handler.pk, "in_app"), (handler.pk, "sms")]
    assert warning_events(case).count() == 1


class Crash(BaseException):
    """The process dies (not an error the sweep could catch)."""


def three_rules_and_a_case(flow):
    case = flow.handling()
    rules = [
        make_rule("办结超期", kind=K.OVERDUE, deadline="completion", roles=["handler"]),
        make_rule("答复超期", kind=K.OVERDUE, roles=["handler"], by_sms=True),
        make_rule("答复超期（中心）", kind=K.OVERDUE, notify_lead_unit=False, notify_centre=True, roles=["dispatcher"]),
    ]
    return case, rules


def crash_on(rule, monkeypatch, exc):
    real = sweep_module.insert_notifications

    def failing(r, *args, **kwargs):
        real(r, *args, **kwargs)  # the notifications are written, then the process dies
        if r.pk == rule.pk:
            raise exc
        return 0

    monkeypatch.setattr(sweep_module, "insert_notifications", failing)


@pytest.mark.django_db(transaction=True)
def test_a_crash_mid_way_then_a_rerun_neither_duplicates_nor_skips(world, flow, monkeypatch):
    # given three rules that all fire, and a sweep that dies in the second rule after writing its
    # warnings and notifications (committed transactions: the test database is not wrapped)
    case, rules = three_rules_and_a_case(flow)
    world.dispatcher  # the centre's dispatcher, told by the third rule
    moment = local(2025, 10, 30, 9)
    crash_on(rules[1], monkeypatch, Crash())
    with pytest.raises(Crash):
        sweep(now=moment)
    # then the first rule's work is committed whole and the second rule's is rolled back whole
    assert {key[1] for key in keys()} == {rules[0].pk}
    assert {row[1] for row in outbox()} == {rules[0].pk}
    # when the sweep runs again (the process restarted)
    monkeypatch.undo()
    sweep(now=moment)
    sweep(now=moment)
    # then every rule has its one warning, notifications and event, exactly as one clean run gives
    assert [key[:3] for key in keys()] == sorted((case.pk, rule.pk, rule.light) for rule in rules)
    assert len(outbox()) == len(set(outbox())) == 4  # handler ×1, handler ×2 channels, dispatcher ×1
    assert warning_events(case).count() == 3
    assert not transaction.get_connection().in_atomic_block


def test_a_failing_rule_is_reported_and_the_others_still_run(world, flow, monkeypatch, caplog):
    # given three rules, the second of which fails with an error
    case, rules = three_rules_and_a_case(flow)
    world.dispatcher
    crash_on(rules[1], monkeypatch, RuntimeError("disk full"))
    # when the sweep runs
    with pytest.raises(SweepFailed) as failed:
        sweep(now=local(2025, 10, 30, 9))
    # then the failure names the rule, is logged, and the other rules raised theirs
    assert failed.value.errors == {rules[1].pk: "disk full"}
    assert "答复超期" in caplog.text
    assert {key[1] for key in keys()} == {rules[0].pk, rules[2].pk}
    # and the next run raises the missing one without repeating the others
    monkeypatch.undo()
    report = sweep(now=local(2025, 10, 30, 9, 1))
    assert report["rules"] == {rules[0].pk: 0, rules[1].pk: 1, rules[2].pk: 0}
    assert len(keys()) == 3 and Notification.objects.count() == 4
    assert CaseEvent.objects.filter(case=case, action=CaseEvent.Action.WARNING).count() == 3


def test_an_inactive_rule_or_role_filter_without_staff(world, flow):
    # given an inactive rule and an active one asking for unit leaders the department lacks
    case = flow.handling()
    make_rule("停用", kind=K.OVERDUE, is_active=False)
    leaders = make_rule("告知领导", kind=K.OVERDUE, roles=["unit_leader"])
    Role.objects.get_or_create(code="unit_leader", defaults={"name": "单位领导"})
    # when the sweep runs
    report = sweep(now=local(2025, 10, 15, 9))
    # then only the active rule raised, and with nobody matching in the unit, the unit itself is told
    assert report["rules"] == {leaders.pk: 1}
    assert outbox() == [(case.pk, leaders.pk, None, world.dept.pk, "in_app", "pending")]
