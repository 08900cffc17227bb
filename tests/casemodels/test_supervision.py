"""Supervision notes (提示单 / 督办单): issuing for one case and for a unit's
overdue cases, the refusals that leave nothing written, answering by the
addressed unit only, closing, the dossier, and the yearly numbers."""

import datetime
from types import SimpleNamespace

import pytest

from casemodels.models import CaseEvent, SupervisionNote, SupervisionNoteCase, SupervisionNoteCounter
from casemodels.services import (
    InvalidInput, InvalidState, NotAllowed, answer_note, close_note, issue_note, issue_note_for_overdue, supervision,
)
from casemodels.services.supervision import issue_notes_for_warnings
from tests.factories import StaffFactory, WarningRuleFactory

from .conftest import local

A = CaseEvent.Action
DUE = datetime.date(2025, 10, 10)


def nothing_written():
    return (SupervisionNote.objects.count(), SupervisionNoteCase.objects.count(),
            SupervisionNoteCounter.objects.count(), CaseEvent.objects.filter(action=A.SUPERVISE).count())


def note_events(case, action):
    return list(CaseEvent.objects.filter(case_id=case.pk, action=action).order_by("id"))


# --- Issuing ---------------------------------------------------------------------------------

def test_a_supervisor_sends_a_reminder_note_about_one_case(world, flow):
    # given a case the housing bureau has in hand
    case = flow.handling()
    # when a supervisor sends the bureau a reminder note about it
    note = issue_note("reminder", world.dept, [case], acting_user=world.supervisor,
                      reason="请加快办理，按时反馈。", answer_due=DUE)
    # then the note is numbered, addressed, waiting for the answer by the end of that day
    assert note.number == "提示〔2025〕1号"
    assert (note.kind, note.unit, note.state, note.issued_by) == ("reminder", world.dept, "issued", world.supervisor)
    assert note.answer_due == local(2025, 10, 10, 23, 59, 59)
    assert list(note.cases.all()) == [case]
    assert note.source == SupervisionNote.Source.MANUAL
    # and the case's dossier records it, without changing the case
    (event,) = note_events(case, A.SUPERVISE)
    assert (event.actor, event.unit, event.note) == (world.supervisor, world.centre, "请加快办理，按时反馈。")
    assert (event.from_state, event.to_state) == ("handling", "handling")
    assert event.data["note"] == note.number and event.data["unit"] == "zjj"


def test_a_dispatcher_may_address_the_township_about_its_village_case(world, flow):
    # given a case the township sub-dispatched to its village
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    from casemodels.services import sub_dispatch_case

    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    # when a dispatcher sends the township a supervision note about it
    note = issue_note("supervision", world.town_a, [case], acting_user=world.dispatcher, reason="督促村委办理。",
                      answer_due=DUE)
    # then the note goes to the township (the case is in its care)
    assert note.number == "督办〔2025〕1号"
    assert note.unit == world.town_a


def test_a_note_for_all_overdue_cases_of_a_unit(world, flow, clock):
    # given two cases the bureau has not signed for, one it has, and one of another bureau
    late_1 = flow.dispatched()
    late_2 = flow.dispatched()
    signed = flow.handling()
    other = flow.dispatched(unit=world.dept2)
    # when the sign-for limit (24 hours) has passed
    clock.move_to(local(2025, 10, 2, 9, 0))
    note = issue_note_for_overdue(world.dept, acting_user=world.supervisor, kind="supervision",
                                  reason="超期未签收，请立即签收办理。", answer_due=datetime.date(2025, 10, 9))
    # then the note holds exactly the bureau's overdue cases
    assert set(note.cases.all()) == {late_1, late_2}
    assert note.source == SupervisionNote.Source.OVERDUE
    # and each of them has the event; the others have none
    assert [len(note_events(c, A.SUPERVISE)) for c in (late_1, late_2, signed, other)] == [1, 1, 0, 0]


def test_a_unit_without_overdue_cases_gets_no_note(world, flow, refused):
    case = flow.handling()
    error = refused(case, InvalidInput, "no_overdue_cases", field="unit", call=lambda: issue_note_for_overdue(
        world.dept, acting_user=world.supervisor, kind="reminder", reason="请注意时限。", answer_due=DUE))
    assert world.dept.name in error.message
    assert nothing_written() == (0, 0, 0, 0)


@pytest.fixture
def small_cap(monkeypatch):
    """A note names at most 2 cases (the real cap is ``MAX_NOTE_CASES``)."""
    monkeypatch.setattr(supervision, "MAX_NOTE_CASES", 2)


def test_a_note_for_more_overdue_cases_than_the_cap_is_refused_naming_the_count(world, flow, clock, refused,
                                                                                 small_cap):
    # given three cases the bureau has not signed for, past the sign-for limit, and a cap of two per note
    cases = [flow.dispatched() for _ in range(3)]
    clock.move_to(local(2025, 10, 2, 9, 0))
    # when a supervisor asks for a note about all of its overdue cases
    error = refused(cases[0], InvalidInput, "too_many_cases", field="unit", also=cases[1:], call=lambda: (
        issue_note_for_overdue(world.dept, acting_user=world.supervisor, kind="supervision", reason="超期未签收。",
                               answer_due=DUE)))
    # then it is refused, naming the unit, the count and the cap, and nothing is written
    assert world.dept.name in error.message and "3" in error.message and "2" in error.message
    assert nothing_written() == (0, 0, 0, 0)


def test_a_note_for_as_many_overdue_cases_as_the_cap_is_issued(world, flow, clock, small_cap):
    cases = [flow.dispatched() for _ in range(2)]
    clock.move_to(local(2025, 10, 2, 9, 0))
    note = issue_note_for_overdue(world.dept, acting_user=world.supervisor, kind="supervision", reason="超期未签收。",
                                  answer_due=DUE)
    assert set(note.cases.all()) == set(cases)


def test_a_note_about_more_chosen_cases_than_the_cap_is_refused(world, flow, refused, small_cap):
    cases = [flow.handling() for _ in range(3)]
    error = refused(cases[0], InvalidInput, "too_many_cases", field="cases", also=cases[1:], call=lambda: issue_note(
        "reminder", world.dept, cases, acting_user=world.supervisor, reason="请加快。", answer_due=DUE))
    assert "3" in error.message and "2" in error.message
    assert nothing_written() == (0, 0, 0, 0)


# --- Refusals: nothing is written --------------------------------------------------------------

@pytest.mark.parametrize(("who", "error", "code", "field"), [
    ("dept_handler", NotAllowed, "not_allowed", None),
    ("visitor", NotAllowed, "not_allowed", None),
    ("town_b_dispatcher", NotAllowed, "out_of_scope", "unit"),
])
def test_who_may_not_issue_a_note(world, flow, refused, who, error, code, field):
    # given a case the bureau has in hand
    case = flow.handling()
    # when someone without the role, or outside the bureau's scope, tries to send a note
    refused(case, error, code, field=field, call=lambda: issue_note(
        "reminder", world.dept, [case], acting_user=getattr(world, who), reason="请加快。", answer_due=DUE))
    # then nothing is written
    assert nothing_written() == (0, 0, 0, 0)


def test_bad_input_names_the_field_and_writes_nothing(world, flow, refused):
    case = flow.handling()
    closed = flow.closed()

    def issue(**kwargs):
        args = {"kind": "reminder", "unit": world.dept, "cases": [case], "reason": "请加快。", "answer_due": DUE,
                **kwargs}
        return lambda: issue_note(args.pop("kind"), args.pop("unit"), args.pop("cases"),
                                  acting_user=world.supervisor, **args)

    refused(case, InvalidInput, "required", field="cases", call=issue(cases=[]))
    refused(case, InvalidInput, "in_past", field="answer_due", call=issue(answer_due=datetime.date(2025, 9, 29)))
    refused(case, InvalidInput, "required", field="answer_due", call=issue(answer_due=None))
    refused(case, InvalidInput, "required", field="reason", call=issue(reason="  "))
    refused(case, InvalidInput, "invalid_choice", field="kind", call=issue(kind="letter"))
    refused(case, InvalidInput, "unknown", field="unit", call=issue(unit="no-such-unit"))
    # a case the addressed unit neither received nor holds; with a good case it still refuses all
    error = refused(case, InvalidInput, "not_in_unit_care", field="cases",
                    call=issue(unit=world.dept2, cases=[case]))
    assert case.number in error.message
    # a case no longer being handled
    refused(closed, InvalidState, "invalid_state", field="cases", call=issue(cases=[case, closed]), also=[case])
    assert nothing_written() == (0, 0, 0, 0)


def test_a_case_the_issuer_cannot_see_is_not_found(world, flow, refused):
    # given a case of the city bureau, and the dispatcher of another township
    case = flow.handling()
    # when they name it in a note to their own township
    refused(case, InvalidInput, "not_found", field="cases", call=lambda: issue_note(
        "reminder", world.town_b, [case.pk], acting_user=world.town_b_dispatcher, reason="请加快。", answer_due=DUE))
    # then nothing is written, and the number is not revealed
    assert nothing_written() == (0, 0, 0, 0)


# --- Answering and closing ----------------------------------------------------------------------

@pytest.fixture
def note(world, flow):
    cases = [flow.handling(), flow.dispatched()]
    return issue_note("supervision", world.dept, cases, acting_user=world.supervisor, reason="请说明进展。",
                      answer_due=DUE)


def test_the_addressed_unit_answers_and_the_answer_joins_each_dossier(world, note, clock):
    # given a note to the bureau about two cases
    clock.move_to(local(2025, 10, 9, 15, 0))
    # when the bureau's leader answers it
    answered = answer_note(note, acting_user=world.dept_leader, answer="已安排专人办理，本周内办结。")
    # then the note is answered by them
    assert (answered.state, answered.answered_by, answered.answer) == ("answered", world.dept_leader,
                                                                      "已安排专人办理，本周内办结。")
    assert answered.answered_at == local(2025, 10, 9, 15, 0)
    # and both cases' dossiers show the note and then the answer, in the bureau's name
    for case in note.cases.all():
        actions = list(CaseEvent.objects.filter(case=case).order_by("created_at", "id").values_list("action", flat=True))
        assert actions[-2:] == [A.SUPERVISE, A.ANSWER_NOTE]
        (event,) = note_events(case, A.ANSWER_NOTE)
        assert (event.actor, event.unit, event.data["late"]) == (world.dept_leader, world.dept, False)


def test_a_late_answer_is_marked_late(world, note, clock):
    clock.move_to(local(2025, 10, 11, 9, 0))
    assert SupervisionNote.objects.get(pk=note.pk).answer_overdue
    answer_note(note, acting_user=world.dept_handler, answer="已办理。")
    assert {e.data["late"] for e in CaseEvent.objects.filter(action=A.ANSWER_NOTE)} == {True}


@pytest.mark.parametrize(("who", "code"), [
    ("dept2_handler", "not_your_note"),  # another unit
    ("supervisor", "not_allowed"),  # the issuing side does not answer its own note
    ("town_handler", "not_your_note"),
])
def test_only_the_addressed_unit_may_answer(world, note, who, code):
    with pytest.raises(NotAllowed) as info:
        answer_note(note, acting_user=getattr(world, who), answer="已办理。")
    assert info.value.code == code
    assert SupervisionNote.objects.get(pk=note.pk).state == "issued"
    assert not CaseEvent.objects.filter(action=A.ANSWER_NOTE).exists()


def test_an_empty_or_second_answer_is_refused(world, note):
    with pytest.raises(InvalidInput) as info:
        answer_note(note, acting_user=world.dept_handler, answer=" ")
    assert info.value.field == "answer"
    answer_note(note, acting_user=world.dept_handler, answer="已办理。")
    with pytest.raises(InvalidState):
        answer_note(note, acting_user=world.dept_leader, answer="再次答复。")
    assert CaseEvent.objects.filter(action=A.ANSWER_NOTE).count() == 2  # one per case, once


def test_the_issuing_side_closes_an_answered_note(world, note):
    # an issued note cannot be closed yet, and the bureau cannot close it
    with pytest.raises(InvalidState):
        close_note(note, acting_user=world.supervisor)
    answer_note(note, acting_user=world.dept_handler, answer="已办理。")
    with pytest.raises(NotAllowed):
        close_note(note, acting_user=world.dept_leader)
    # the supervisor closes it
    closed = close_note(note, acting_user=world.supervisor, comment="答复属实。")
    assert (closed.state, closed.closed_by, closed.close_comment) == ("closed", world.supervisor, "答复属实。")


def rules_note_to(unit, case):
    """A supervision note the warning rules raise to ``unit`` (no issuer), as the sweep hands it over."""
    rule = WarningRuleFactory(name="答复超期红灯", raise_supervision=True)
    warning = SimpleNamespace(pk=1, rule=rule, case=case, case_id=case.pk, unit_id=unit.pk)
    (note,) = issue_notes_for_warnings([warning])
    assert note.issued_by is None and note.unit == unit
    return note


def test_the_centres_supervisor_closes_a_note_the_rules_raised_to_the_centre(world, flow):
    # given a note the warning rules raised to the command centre about a case it has not dispatched
    note = rules_note_to(world.centre, flow.received())
    # when the centre's dispatcher answers it
    answer_note(note, acting_user=world.dispatcher, answer="已派单。")
    # then the dispatcher (no supervisor) may not close it
    with pytest.raises(NotAllowed):
        close_note(note, acting_user=world.dispatcher)
    assert SupervisionNote.objects.get(pk=note.pk).state == "answered"
    # and a supervisor of the centre closes it (nobody is above the centre to do so)
    closed = close_note(note, acting_user=world.supervisor, comment="已核实。")
    assert (closed.state, closed.closed_by) == ("closed", world.supervisor)


def test_a_supervisor_does_not_close_a_rules_note_they_answered_themselves(world, flow):
    # given a note the rules raised to the centre, answered by a centre member who dispatches and supervises
    both = StaffFactory(unit=world.centre, roles=["dispatcher", "supervisor"]).user
    note = rules_note_to(world.centre, flow.received())
    answer_note(note, acting_user=both, answer="已派单。")
    # when they try to close it, then it is refused; another supervisor closes it
    with pytest.raises(NotAllowed) as info:
        close_note(note, acting_user=both)
    assert info.value.code == "own_answer"
    assert close_note(note, acting_user=world.supervisor).state == "closed"


def test_the_centre_does_not_close_a_note_a_person_addressed_to_it(world, flow):
    # given a supervisor's note to the centre itself, answered by its dispatcher
    issuer = StaffFactory(unit=world.centre, roles=["supervisor"]).user
    note = issue_note("reminder", world.centre, [flow.received()], acting_user=issuer, reason="请尽快派单。",
                      answer_due=DUE)
    answer_note(note, acting_user=world.dispatcher, answer="已派单。")
    # when another supervisor of the centre tries to close it, then it is refused; its issuer closes it
    with pytest.raises(NotAllowed):
        close_note(note, acting_user=world.supervisor)
    assert close_note(note, acting_user=issuer).state == "closed"


def test_a_rules_note_to_a_unit_below_the_centre_is_closed_from_above(world, flow):
    # given a note the rules raised to a township (it has a dispatcher of its own), answered there
    case = flow.dispatched(unit=world.town_b)
    note = rules_note_to(world.town_b, case)
    answer_note(note, acting_user=world.town_b_handler, answer="已签收办理。")
    # then the township's dispatcher may not close it, the centre may
    with pytest.raises(NotAllowed):
        close_note(note, acting_user=world.town_b_dispatcher)
    assert close_note(note, acting_user=world.supervisor).state == "closed"


# --- Numbers ------------------------------------------------------------------------------------

def test_numbers_run_per_kind_and_year(world, flow, clock):
    case = flow.handling()

    def issue(kind):
        return issue_note(kind, world.dept, [case], acting_user=world.supervisor, reason="请加快。",
                          answer_due=datetime.date(2026, 3, 1)).number

    assert [issue("supervision"), issue("supervision"), issue("reminder"), issue("supervision")] == [
        "督办〔2025〕1号", "督办〔2025〕2号", "提示〔2025〕1号", "督办〔2025〕3号",
    ]
    # the year is the centre's local year: 1 January 00:30 in Shanghai is already 2026
    clock.move_to(local(2026, 1, 1, 0, 30))
    assert [issue("supervision"), issue("reminder")] == ["督办〔2026〕1号", "提示〔2026〕1号"]
