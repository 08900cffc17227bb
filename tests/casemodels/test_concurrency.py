"""Concurrent actions on one case: exactly one wins, the other gets a
conflict error, and the dossier has one event. These need real row locks
and concurrent connections, so they run on PostgreSQL only."""

import threading

import pytest
from django.db import connection

from casemodels.models import Assignment, Case, CaseEvent, CaseState
from casemodels.services import CaseActionError, Conflict, dispatch_case, register_case, sign_case
from casemodels.services import intake
from tests.factories import ChannelFactory, StaffFactory

A = CaseEvent.Action
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls in threads released together; return [("ok", result) | ("error", exc)]."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return results


def split(results):
    wins = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    return wins, errors


def test_two_signs_with_the_same_version_one_wins(world, flow):
    # given a case dispatched to the housing bureau, seen by two of its staff at the same version
    case = flow.dispatched()
    first_handler, second_handler = world.dept_handler, StaffFactory(unit=world.dept, roles=["handler"]).user
    seen = case.version
    # when both sign at once
    results = race(
        lambda: sign_case(case, acting_user=first_handler, expected_version=seen),
        lambda: sign_case(case, acting_user=second_handler, expected_version=seen),
    )
    # then exactly one wins and the other gets a conflict
    wins, errors = split(results)
    assert len(wins) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict), repr(errors[0])
    assert errors[0].code == "conflict"
    # and the case moved once: one SIGN event, one signed assignment, version + 1
    case.refresh_from_db()
    assert (case.state, case.version) == (CaseState.HANDLING, seen + 1)
    assert CaseEvent.objects.filter(case=case, action=A.SIGN).count() == 1
    assert list(Assignment.objects.filter(case=case).values_list("state", flat=True)) == [Assignment.State.SIGNED]


def test_two_signs_without_a_version_one_wins(world, flow):
    # given a dispatched case and two handlers of the unit that do not send a version
    case = flow.dispatched()
    first_handler, second_handler = world.dept_handler, StaffFactory(unit=world.dept, roles=["handler"]).user
    # when both sign at once
    wins, errors = split(race(
        lambda: sign_case(case, acting_user=first_handler),
        lambda: sign_case(case, acting_user=second_handler),
    ))
    # then one wins; the other is refused (locked out, or already signed)
    assert len(wins) == 1 and len(errors) == 1
    assert isinstance(errors[0], CaseActionError), repr(errors[0])
    assert errors[0].code in {"conflict", "invalid_state"}
    assert CaseEvent.objects.filter(case=case, action=A.SIGN).count() == 1


def test_two_dispatches_at_once_one_wins(world, flow):
    # given a received case that two dispatchers open at the same version
    case = flow.received()
    first_dispatcher, other_dispatcher = world.dispatcher, StaffFactory(unit=world.centre, roles=["dispatcher"]).user
    seen = case.version
    # when one sends it to the housing bureau and the other to the water bureau, at once
    wins, errors = split(race(
        lambda: dispatch_case(case, acting_user=first_dispatcher, unit=world.dept, expected_version=seen),
        lambda: dispatch_case(case, acting_user=other_dispatcher, unit=world.dept2, expected_version=seen),
    ))
    # then exactly one dispatch happened
    assert len(wins) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict), repr(errors[0])
    case.refresh_from_db()
    assert (case.state, case.version) == (CaseState.DISPATCHED, seen + 1)
    assert CaseEvent.objects.filter(case=case, action=A.DISPATCH).count() == 1
    assert Assignment.objects.filter(case=case).count() == 1


def test_the_same_external_id_submitted_twice_at_once_is_one_case(world, monkeypatch):
    # given a channel whose submissions carry their own id, and two deliveries of one submission that
    # both pass the "already registered?" check before either is saved
    ChannelFactory(code="miniapp", is_public=True, requires_external_id=True)
    both_checked = threading.Barrier(2, timeout=30)
    original = intake.require_text

    def require_text_after_both_checked(*args, **kwargs):
        both_checked.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(intake, "require_text", require_text_after_both_checked)

    def submit():
        return register_case(acting_user=None, channel="miniapp", case_type="complaint", content="噪音扰民",
                             citizen_phone="13912345678", external_id="WX-42")

    # when they are registered at once
    wins, errors = split(race(submit, submit))
    # then both get the same case, and there is one case with one REGISTER event
    assert errors == []
    assert wins[0].pk == wins[1].pk
    assert Case.objects.filter(external_id="WX-42").count() == 1
    assert CaseEvent.objects.filter(action=A.REGISTER).count() == 1
