"""Notes raised by the warning sweep (``issue_notes_for_warnings``): one note
per unit and kind for the warnings of one sweep, with no acting user, never
twice for the same warning."""

from types import SimpleNamespace

import pytest

from casemodels.models import CaseEvent, SupervisionNote
from casemodels.services.supervision import issue_notes_for_warnings
from tests.factories import WarningRuleFactory

from .conftest import end_of

A = CaseEvent.Action


def rule(name, **flags):
    return WarningRuleFactory(name=name, **flags)


class Warnings:
    """Stand-ins for the sweep's warnings: ``pk``, ``rule``, ``case``, ``unit_id``."""

    def __init__(self):
        self.next_pk = 100

    def __call__(self, case, rule, unit=None):
        self.next_pk += 1
        return SimpleNamespace(pk=self.next_pk, rule=rule, case=case, case_id=case.pk,
                               unit_id=unit.pk if unit else None)


@pytest.fixture
def warning():
    return Warnings()


def test_one_note_per_unit_and_kind_for_one_sweep(world, flow, warning):
    # given red warnings of a rule that raises a reminder note, on two cases of the bureau and one of another
    red = rule("答复超期红灯", raise_reminder=True)
    a, b, c = flow.handling(), flow.dispatched(), flow.dispatched(unit=world.dept2)
    # when the sweep hands them over
    notes = issue_notes_for_warnings([warning(a, red), warning(b, red), warning(c, red)])
    # then each unit gets one reminder note about its own cases, from no one in particular
    assert sorted((n.unit.code, n.kind, n.cases.count()) for n in notes) == [
        ("swj", "reminder", 1), ("zjj", "reminder", 2),
    ]
    dept_note = next(n for n in notes if n.unit == world.dept)
    assert set(dept_note.cases.all()) == {a, b}
    assert dept_note.issued_by is None and dept_note.source == SupervisionNote.Source.WARNING
    assert "答复超期红灯" in dept_note.reason
    # answered within two working days (30 September, then the National Day holiday)
    assert dept_note.answer_due == end_of(2025, 10, 10)
    # and every case's dossier has the note, with no actor
    events = CaseEvent.objects.filter(action=A.SUPERVISE)
    assert sorted(e.case_id for e in events) == sorted([a.pk, b.pk, c.pk])
    assert {e.actor_id for e in events} == {None}


def test_running_the_same_sweep_again_raises_nothing(world, flow, warning):
    red = rule("答复超期红灯", raise_supervision=True)
    batch = [warning(flow.handling(), red), warning(flow.handling(), red)]
    first = issue_notes_for_warnings(batch)
    # the same warnings again (a re-run), alone or among new ones
    assert issue_notes_for_warnings(batch) == []
    new_case = flow.handling()
    again = issue_notes_for_warnings([*batch, warning(new_case, red)])
    # then only the new warning's case is in a new note
    assert [len(first), [list(n.cases.all()) for n in again]] == [1, [[new_case]]]
    assert SupervisionNote.objects.count() == 2
    assert CaseEvent.objects.filter(action=A.SUPERVISE).count() == 3


def test_a_rule_asking_for_both_raises_both_kinds(world, flow, warning):
    both = rule("多次退单", raise_reminder=True, raise_supervision=True)
    notes = issue_notes_for_warnings([warning(flow.handling(), both)])
    assert sorted(n.number for n in notes) == ["提示〔2025〕1号", "督办〔2025〕1号"]


def test_rules_that_raise_no_note_and_closed_cases_are_left_out(world, flow, warning):
    quiet = rule("仅提醒")
    loud = rule("答复超期红灯", raise_reminder=True)
    assert issue_notes_for_warnings([warning(flow.handling(), quiet), warning(flow.closed(), loud)]) == []
    assert not SupervisionNote.objects.exists()


def test_the_warning_names_the_unit_or_the_holder_is_addressed(world, flow, warning):
    # given a case the township sub-dispatched to its village
    loud = rule("答复超期红灯", raise_reminder=True)
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    from casemodels.services import sub_dispatch_case

    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    # a warning without a unit goes to the holder (the village); one naming the township to the township
    (held,) = issue_notes_for_warnings([warning(case, loud)])
    (named,) = issue_notes_for_warnings([warning(case, loud, unit=world.town_a)])
    assert (held.unit, named.unit) == (world.village_a, world.town_a)
    # two warnings on one case for one unit in one sweep: the case appears once
    (once,) = issue_notes_for_warnings([warning(case, loud), warning(case, rule("另一规则", raise_reminder=True))])
    assert list(once.cases.all()) == [case]
