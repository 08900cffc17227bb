"""Notes issued or answered at the same moment: numbers never collide, and
one answer wins. Real row locks and connections: PostgreSQL only."""

import datetime

import pytest

from casemodels.models import CaseEvent, SupervisionNote
from casemodels.services import Conflict, InvalidState, answer_note, issue_note
from tests.factories import StaffFactory

from .test_concurrency import race, split

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DUE = datetime.date(2025, 10, 10)


def test_notes_issued_at_once_get_consecutive_numbers(world, flow):
    # given four cases and two supervisors
    cases = [flow.handling() for _i in range(4)]
    other = StaffFactory(unit=world.centre, roles=["supervisor"]).user
    users = [world.supervisor, other, world.supervisor, other]
    # when four notes are issued at once
    wins, errors = split(race(*(
        (lambda c=c, u=u: issue_note("supervision", world.dept, [c], acting_user=u, reason="请加快。", answer_due=DUE))
        for c, u in zip(cases, users)
    )))
    # then all succeed with the numbers 1 to 4 of the year
    assert errors == []
    assert sorted(n.sequence for n in wins) == [1, 2, 3, 4]
    assert SupervisionNote.objects.count() == 4


def test_two_answers_at_once_one_wins(world, flow):
    note = issue_note("reminder", world.dept, [flow.handling()], acting_user=world.supervisor, reason="请加快。",
                      answer_due=DUE)
    wins, errors = split(race(
        lambda: answer_note(note, acting_user=world.dept_handler, answer="第一份答复。"),
        lambda: answer_note(note, acting_user=world.dept_leader, answer="第二份答复。"),
    ))
    assert len(wins) == 1 and len(errors) == 1
    assert isinstance(errors[0], (Conflict, InvalidState)), repr(errors[0])
    assert CaseEvent.objects.filter(action=CaseEvent.Action.ANSWER_NOTE).count() == 1
    assert SupervisionNote.objects.get(pk=note.pk).answer == wins[0].answer
