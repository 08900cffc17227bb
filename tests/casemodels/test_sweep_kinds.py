"""The warning rules other than near due and overdue, each in the database:
repeat caller and repeat matter in a window, the unsatisfied ledger,
extensions and returns counted, progress updates missed; a second dispatch
warns again; rules that raise reminder or supervision notes hand their new
warnings to the supervision service."""

import pytest

from casemodels.models import SupervisionNote, Warning
from casemodels.services import (
    mark_invalid, record_return_visit, reply_case, request_extension, request_return, review_extension,
    review_return, sign_case,
)
from casemodels.services import sweep as sweep_module
from casemodels.services.progress import post_progress
from casemodels.services.sweep import raise_notes, sweep
from tests.factories import DirectoryItemFactory, PolicyFactory

from .conftest import local
from .test_sweep import K, make_rule, minutes, warned


# --- Repeats -------------------------------------------------------------------------------------
def test_repeat_caller_three_orders_in_three_days(world, flow, clock):
    # given one phone calling on 09-25 (outside the window), 09-30 and 10-01, and another phone once
    rule = make_rule("重复来电", kind=K.REPEAT_CALLER, threshold=3, window_days=3)
    clock.move_to(local(2025, 9, 25, 10))
    old = flow.received(citizen_phone="13900001111")
    clock.move_to(local(2025, 9, 30, 10))
    first = flow.received(citizen_phone="13900001111")
    clock.move_to(local(2025, 10, 1, 10))
    second = flow.received(citizen_phone="13900001111")
    other = flow.received(citizen_phone="13900002222")
    # when the sweep runs: two orders in the window are not enough
    sweep(now=local(2025, 10, 1, 12))
    assert warned(rule) == set()
    # and a third order arrives, and an invalid one (spam) that does not count
    clock.move_to(local(2025, 10, 2, 9))
    third = flow.received(citizen_phone="13900001111")
    sweep(now=local(2025, 10, 2, 9, 1))
    # then the open orders in the window are warned, not the old one nor the other caller
    assert warned(rule) == {first.pk, second.pk, third.pk}
    assert old.pk not in warned(rule) and other.pk not in warned(rule)
    assert set(Warning.objects.filter(rule=rule).values_list("occurrence", flat=True)) == {0}


def test_an_invalid_order_is_not_a_repeat(world, flow, clock):
    # given two real orders and one marked invalid from the same phone within the window
    rule = make_rule("重复来电", kind=K.REPEAT_CALLER, threshold=3, window_days=3)
    flow.received(citizen_phone="13900003333")
    flow.received(citizen_phone="13900003333")
    spam = flow.received(citizen_phone="13900003333")
    mark_invalid(spam, acting_user=world.dispatcher, reason="骚扰电话")
    # when the sweep runs
    sweep(now=local(2025, 9, 30, 12))
    # then there is no repeat
    assert warned(rule) == set()


def test_repeat_matter_same_item_and_place(world, flow):
    # given three orders on one directory item in one village, and one on it elsewhere
    item = DirectoryItemFactory(name="路灯不亮")
    rule = make_rule("同一事项", kind=K.REPEAT_MATTER, threshold=3, window_days=2)
    same = [flow.received(directory_item=item, region=world.village_a_r, citizen_phone=f"1390000{i:04d}")
            for i in range(3)]
    elsewhere = flow.received(directory_item=item, region=world.village_b_r)
    # when the sweep runs
    sweep(now=local(2025, 9, 30, 12))
    # then the three in one place are warned, the one elsewhere is not
    assert warned(rule) == {case.pk for case in same}
    assert elsewhere.pk not in warned(rule)


# --- Counts and the ledger -----------------------------------------------------------------------
def test_unsatisfied_and_its_second_round(world, flow, clock):
    # given a case whose first reply leaves the citizen unsatisfied (second dispatch, round 2)
    rule = make_rule("不满意", kind=K.UNSATISFIED, light="red")
    red = make_rule("超期", kind=K.OVERDUE)
    case = flow.replied()
    case = record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False)
    assert (case.round, case.is_unsatisfied) == (2, True)
    # when the sweep runs (twice)
    sweep(now=local(2025, 9, 30, 12))
    sweep(now=local(2025, 9, 30, 12, 1))
    # then the case is warned once, for that verdict (keyed by when it entered the ledger)
    verdict = case.return_visits.get()
    assert list(Warning.objects.filter(rule=rule).values_list("case_id", "occurrence")) == [
        (case.pk, minutes(verdict.visited_at))]
    # and when round 2's reply is late too, it is red for round 2 (keyed by the round's start, the verdict)
    case = sign_case(case, acting_user=world.dept_handler)
    sweep(now=local(2025, 10, 15, 9))
    assert list(Warning.objects.filter(rule=red).values_list("occurrence", flat=True)) == [
        minutes(verdict.visited_at)]


def test_a_second_dispatch_warns_again(world, flow, clock):
    # given a case red in round 1, then replied, visited unsatisfied and dispatched again
    red = make_rule("超期", kind=K.OVERDUE)
    case = flow.handling()
    received = case.received_at
    sweep(now=local(2025, 10, 15, 9))
    clock.move_to(local(2025, 10, 16, 9))
    case = reply_case(case, acting_user=world.dept_handler, reply="已处理")
    case = record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False)
    case = sign_case(case, acting_user=world.dept_handler)
    # when round 2's deadline passes (5 working days after 10-16: 10-23)
    sweep(now=local(2025, 10, 23, 23))
    assert list(Warning.objects.filter(rule=red).values_list("occurrence", flat=True)) == [minutes(received)]
    sweep(now=local(2025, 10, 24, 9))
    # then the case has a red warning for each round's deadline
    assert sorted(Warning.objects.filter(rule=red).values_list("occurrence", flat=True)) == [
        minutes(received), minutes(local(2025, 10, 16, 9))]


@pytest.mark.parametrize("approve, want", [(True, True), (False, False)])
def test_extended(world, flow, approve, want):
    # given a case in hand whose extension is approved (or rejected), and rules at 1 and 2 extensions
    case = flow.handling()
    once = make_rule("延期", kind=K.EXTENDED, threshold=1)
    twice = make_rule("两次延期", kind=K.EXTENDED, threshold=2)
    case = request_extension(case, acting_user=world.dept_handler, working_days=3, reason="需协调")
    review_extension(case, acting_user=world.dispatcher, approve=approve, note="" if approve else "理由不足")
    # when the sweep runs
    sweep(now=local(2025, 10, 9, 9))
    # then an approved extension counts once; a rejected one not at all
    assert warned(once) == ({case.pk} if want else set())
    assert warned(twice) == set()


def test_returned(world, flow):
    # given a case returned by one unit (approved) and one whose return was refused
    returned = flow.handling()
    returned = request_return(returned, acting_user=world.dept_handler, reason="不属于本单位")
    review_return(returned, acting_user=world.dispatcher, approve=True)
    kept = flow.handling()
    kept = request_return(kept, acting_user=world.dept_handler, reason="不属于本单位")
    review_return(kept, acting_user=world.dispatcher, approve=False, note="属于本单位")
    rule = make_rule("退单", kind=K.RETURNED, threshold=1)
    # when the sweep runs
    sweep(now=local(2025, 9, 30, 12))
    # then only the returned case is warned, and the unit told is the centre that holds it again
    assert warned(rule) == {returned.pk}
    assert Warning.objects.get(rule=rule).unit == world.centre


# --- Progress ------------------------------------------------------------------------------------
def test_progress_missed_each_interval(world, flow, clock):
    # given a policy asking for progress every 7 natural days, and a case signed on 09-30
    PolicyFactory(name="长时限", priority=10,
                  limits={"reply": (30, "working_days"), "progress": (7, "natural_days")})
    case = flow.handling()
    rule = make_rule("未按期反馈进展", kind=K.PROGRESS_MISSED)
    # when the sweep runs at the end of the 7th day, and just after it
    sweep(now=local(2025, 10, 7, 23))
    assert warned(rule) == set()
    sweep(now=local(2025, 10, 8, 0, 0, 1))
    assert warned(rule) == {case.pk}
    # and the unit posts progress on 10-09; the next interval runs to 10-16
    clock.move_to(local(2025, 10, 9, 10))
    post_progress(case, acting_user=world.dept_handler, note="已联系施工队")
    sweep(now=local(2025, 10, 16, 23))
    assert Warning.objects.filter(rule=rule).count() == 1
    sweep(now=local(2025, 10, 17, 0, 0, 1))
    # then each missed interval is its own warning (keyed by the interval's start)
    assert list(Warning.objects.filter(rule=rule).order_by("id").values_list("occurrence", flat=True)) == [
        minutes(local(2025, 9, 30, 10)), minutes(local(2025, 10, 9, 10))]


# --- Notes ---------------------------------------------------------------------------------------
def test_rules_raising_notes_hand_their_new_warnings_over_once(world, flow, monkeypatch):
    # given a red rule that raises supervision notes, and a stand-in supervision service
    calls = []
    monkeypatch.setattr(sweep_module, "notes_hook", lambda: lambda warnings, now=None: calls.append((warnings, now)))
    case = flow.handling()
    rule = make_rule("超期督办", kind=K.OVERDUE, raise_supervision=True)
    make_rule("超期", kind=K.OVERDUE)
    # when the sweep runs twice
    moment = local(2025, 10, 15, 9)
    sweep(now=moment)
    sweep(now=moment)
    # then the service was called once, with the rule's new warnings (case and rule loaded)
    assert [([(w.case, w.rule) for w in warnings], now) for warnings, now in calls] == [([(case, rule)], moment)]


def test_without_a_supervision_service_notes_are_skipped(monkeypatch):
    # given no module at the hook's place
    monkeypatch.setattr(sweep_module, "NOTES_HOOK", ("casemodels.services.no_such_module", "issue"))
    # then raising notes does nothing
    assert sweep_module.notes_hook() is None
    assert raise_notes([object()]) == []


def test_the_supervision_service_raises_one_note(world, flow):
    # given a red rule that raises supervision notes, with the real supervision service
    case = flow.handling()
    make_rule("超期督办", kind=K.OVERDUE, raise_supervision=True)
    # when the sweep runs twice
    sweep(now=local(2025, 10, 15, 9))
    sweep(now=local(2025, 10, 15, 9, 1))
    # then one note went to the unit holding the case
    notes = SupervisionNote.objects.filter(cases=case)
    assert [(n.kind, n.unit) for n in notes] == [("supervision", world.dept)]
