"""Return-visit findings of the issue-5 review: a case sent to review because
the citizen could not be reached is closed as unreachable, not "as
explained", and it leaves the "to visit" box, which offers exactly the
cases the visit actions take."""

from casemodels.models import CaseState
from casemodels.services import (
    close_case, record_return_visit, record_visit_attempt, redispatch_case, reply_case, sign_case,
)
from casemodels.services.inbox import box_counts, box_queryset
from casemodels.services.visits import awaiting_visit, closed_as_explained, explained_cases
from snippets.models import TimeLimitPolicy

from .conftest import last_event


def review_after_one_attempt(world):
    """The catch-all policy: one failed attempt sends the case to review."""
    TimeLimitPolicy.objects.filter(pk=world.policy.pk).update(visit_attempts=1, unreachable_action="review")


def to_visit(user):
    return set(box_queryset(user, "to_visit").values_list("pk", flat=True))


# --- Review #8: closing an unreachable case ------------------------------------------------------

def test_an_unreachable_case_sent_to_review_and_closed_is_not_closed_as_explained(world, flow):
    # given a case whose citizen could not be reached, sent to the unsatisfied ledger for review
    review_after_one_attempt(world)
    case = record_visit_attempt(flow.replied(), acting_user=world.visitor)
    assert case.is_unsatisfied
    # when the dispatcher closes it with a note
    case = close_case(case, acting_user=world.dispatcher, note="多次联系不上")
    # then it is closed as unreachable and not visited, with the note, and not listed as explained
    event = last_event(case)
    assert (case.state, event.note, event.data) == (CaseState.CLOSED, "多次联系不上",
                                                    {"unreachable": True, "visited": False})
    assert not closed_as_explained(case)
    assert not explained_cases().filter(pk=case.pk).exists()
    # and it stays in the ledger's history
    assert case.is_unsatisfied


def test_an_unsatisfied_visit_after_an_unreachable_round_is_closed_as_explained(world, flow, clock):
    # given round 1 sent to review (citizen unreachable), dispatched again, replied, and visited unsatisfied
    review_after_one_attempt(world)
    case = record_visit_attempt(flow.replied(), acting_user=world.visitor)
    case = redispatch_case(case, acting_user=world.dispatcher, note="请单位再次联系市民")
    case = sign_case(case, acting_user=world.dept_handler)
    case = reply_case(case, acting_user=world.dept_handler, reply="已上门联系。")
    case = record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False,
                               redispatch=False)
    # when the dispatcher closes it with the explanation
    case = close_case(case, acting_user=world.dispatcher, note="诉求超出政策规定，已解释。")
    # then round 2's verdict is what was explained
    assert case.round == 2 and closed_as_explained(case)
    assert last_event(case).data == {"explained": True}


# --- Review #9: the "to visit" box follows the visit actions' rule ----------------------------------

def test_a_case_sent_to_review_leaves_the_to_visit_box(world, flow):
    # given two replied cases waiting for their visit
    review_after_one_attempt(world)
    waiting, unreachable = flow.replied(), flow.replied()
    assert to_visit(world.visitor) == {waiting.pk, unreachable.pk}
    # when the citizen of one cannot be reached and it goes to review
    unreachable = record_visit_attempt(unreachable, acting_user=world.visitor)
    # then only the other is offered for a visit, and the count in the menu says so
    assert to_visit(world.visitor) == {waiting.pk}
    assert box_counts(world.visitor)["to_visit"] == 1
    assert not awaiting_visit(unreachable)


def test_the_to_visit_box_holds_exactly_the_cases_awaiting_their_visit(world, flow):
    # given cases at every point around the visit: awaiting it, visited (closed, or unsatisfied and kept),
    # sent to review, an attempt short of the limit, and a second round replied again
    TimeLimitPolicy.objects.filter(pk=world.policy.pk).update(visit_attempts=2, unreachable_action="review")
    awaiting = flow.replied()
    closed = flow.closed()
    kept = record_return_visit(flow.replied(), acting_user=world.visitor, satisfaction="unsatisfied",
                               resolved=False, redispatch=False)
    one_attempt = record_visit_attempt(flow.replied(), acting_user=world.visitor)
    reviewed = record_visit_attempt(record_visit_attempt(flow.replied(), acting_user=world.visitor),
                                    acting_user=world.visitor)
    second = record_return_visit(flow.replied(), acting_user=world.visitor, satisfaction="unsatisfied",
                                 resolved=False)
    second = reply_case(sign_case(second, acting_user=world.dept_handler), acting_user=world.dept_handler,
                        reply="已再次处理。")
    cases = [awaiting, closed, kept, one_attempt, reviewed, second]
    # then the box holds those the visit actions would take, and no other
    expected = {c.pk for c in cases if awaiting_visit(c)}
    assert expected == {awaiting.pk, one_attempt.pk, second.pk}
    assert to_visit(world.visitor) == expected
    assert to_visit(world.dispatcher) == expected
