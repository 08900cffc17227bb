"""Every refusal class: wrong role, wrong unit, wrong state, stale version.
Each refused action raises a typed error with a code and leaves the case,
its events, assignments, requests and pauses exactly as they were."""

import pytest

from casemodels.services import (
    Conflict, InvalidState, NotAllowed, answer_on_the_spot, archive_case, close_case, dispatch_case, divert_case,
    escalate_case, hold_consultation, mark_invalid, merge_cases, record_return_visit, redispatch_case, reply_case,
    request_extension, request_info, request_return, review_extension, review_return, sign_case,
    sub_dispatch_case,
)
from casemodels.models import CaseState


def _returned(flow):
    case = flow.dispatched()
    return request_return(case, acting_user=flow.w.dept_handler, reason="不属于本单位")


def _extension(flow):
    case = flow.handling()
    return request_extension(case, acting_user=flow.w.dept_handler, working_days=2, reason="x")


def _unsatisfied(flow):
    case = flow.replied()
    return record_return_visit(case, acting_user=flow.w.visitor, satisfaction="unsatisfied", resolved=False,
                               redispatch=False)


def _own_case_of_town_b(flow):
    return flow.received(acting_user=flow.w.town_b_dispatcher)


# (id, how to get the case, the refused call)
WRONG_ROLE = [
    ("handler dispatches", "received", lambda c, w: dispatch_case(c, acting_user=w.dept_handler, unit=w.dept)),
    ("supervisor dispatches", "received", lambda c, w: dispatch_case(c, acting_user=w.supervisor, unit=w.dept)),
    ("visitor signs", "dispatched", lambda c, w: sign_case(c, acting_user=w.visitor)),
    ("dispatcher replies", "handling", lambda c, w: reply_case(c, acting_user=w.dispatcher, reply="x")),
    ("handler answers on the spot", "received",
     lambda c, w: answer_on_the_spot(c, acting_user=w.dept_handler, answer="x")),
    ("handler records a visit", "replied",
     lambda c, w: record_return_visit(c, acting_user=w.dept_handler, satisfaction="satisfied", resolved=True)),
    ("handler reviews an extension", _extension,
     lambda c, w: review_extension(c, acting_user=w.dept_handler, approve=True)),
    ("unit leader reviews a return to the centre", _returned,
     lambda c, w: review_return(c, acting_user=w.dept_leader, approve=True)),
    ("handler closes", "replied", lambda c, w: close_case(c, acting_user=w.dept_handler)),
    ("handler archives", "closed", lambda c, w: archive_case(c, acting_user=w.dept_handler)),
    ("handler diverts", "received",
     lambda c, w: divert_case(c, acting_user=w.dept_handler, route="litigation", note="x")),
    ("handler marks invalid", "received", lambda c, w: mark_invalid(c, acting_user=w.dept_handler, reason="x")),
    ("handler redispatches", _unsatisfied, lambda c, w: redispatch_case(c, acting_user=w.dept_handler)),
    ("handler holds a consultation", "handling",
     lambda c, w: hold_consultation(c, acting_user=w.dept_handler, level=3, units=[w.dept], topic="t",
                                    conclusion="c")),
    ("dispatcher asks for an extension", "handling",
     lambda c, w: request_extension(c, acting_user=w.dispatcher, working_days=2, reason="x")),
    ("visitor sub-dispatches", "handling",
     lambda c, w: sub_dispatch_case(c, acting_user=w.visitor, unit=w.village_a)),
    ("supervisor escalates", "handling", lambda c, w: escalate_case(c, acting_user=w.supervisor, reason="x")),
    ("visitor requests a return", "dispatched",
     lambda c, w: request_return(c, acting_user=w.visitor, reason="x")),
]

WRONG_UNIT = [
    # a dispatcher acting on a case owned above their unit
    ("township dispatches a centre case", "received",
     lambda c, w: dispatch_case(c, acting_user=w.town_b_dispatcher, unit=w.town_b), "out_of_scope"),
    ("township closes a centre case", "replied",
     lambda c, w: close_case(c, acting_user=w.town_b_dispatcher), "out_of_scope"),
    ("township archives a centre case", "closed",
     lambda c, w: archive_case(c, acting_user=w.town_b_dispatcher), "out_of_scope"),
    ("township reviews a centre extension", _extension,
     lambda c, w: review_extension(c, acting_user=w.town_b_dispatcher, approve=True), "out_of_scope"),
    ("township marks a centre case invalid", "received",
     lambda c, w: mark_invalid(c, acting_user=w.town_b_dispatcher, reason="x"), "out_of_scope"),
    # a dispatcher sending its own case to a unit outside its scope
    ("township dispatches its own case outside", _own_case_of_town_b,
     lambda c, w: dispatch_case(c, acting_user=w.town_b_dispatcher, unit=w.dept), "out_of_scope"),
    ("township dispatches with a co-handler outside", _own_case_of_town_b,
     lambda c, w: dispatch_case(c, acting_user=w.town_b_dispatcher, unit=w.town_b, co_units=[w.town_a]),
     "out_of_scope"),
    # a unit that does not hold the case
    ("another unit signs", "dispatched", lambda c, w: sign_case(c, acting_user=w.dept2_handler), "not_your_case"),
    ("another unit replies", "handling",
     lambda c, w: reply_case(c, acting_user=w.dept2_handler, reply="x"), "not_your_case"),
    ("the co-handler replies", "handling_with_co",
     lambda c, w: reply_case(c, acting_user=w.dept2_handler, reply="x"), "not_your_case"),
    ("another unit asks for an extension", "handling",
     lambda c, w: request_extension(c, acting_user=w.dept2_handler, working_days=2, reason="x"), "not_your_case"),
    ("another unit returns it", "dispatched",
     lambda c, w: request_return(c, acting_user=w.dept2_handler, reason="x"), "not_your_case"),
    ("another unit whistles", "handling",
     lambda c, w: escalate_case(c, acting_user=w.dept2_handler, reason="x"), "not_your_case"),
    ("another unit sub-dispatches", "handling",
     lambda c, w: sub_dispatch_case(c, acting_user=w.town_handler, unit=w.village_a), "not_your_case"),
    ("another unit asks the citizen", "handling",
     lambda c, w: request_info(c, acting_user=w.town_b_handler, missing="x"), "not_your_case"),
]

WRONG_STATE = [
    ("reply a received case", "received", lambda c, w: reply_case(c, acting_user=w.dept_handler, reply="x")),
    ("reply a dispatched case before signing", "dispatched",
     lambda c, w: reply_case(c, acting_user=w.dept_handler, reply="x")),
    ("archive an open case", "handling", lambda c, w: archive_case(c, acting_user=w.dispatcher)),
    ("archive a replied case", "replied", lambda c, w: archive_case(c, acting_user=w.dispatcher)),
    ("dispatch a dispatched case", "dispatched",
     lambda c, w: dispatch_case(c, acting_user=w.dispatcher, unit=w.dept2)),
    ("sign twice", "handling", lambda c, w: sign_case(c, acting_user=w.dept_handler)),
    ("close a case in hand", "handling", lambda c, w: close_case(c, acting_user=w.dispatcher)),
    ("visit a case in hand", "handling",
     lambda c, w: record_return_visit(c, acting_user=w.visitor, satisfaction="satisfied", resolved=True)),
    ("visit a closed case", "closed",
     lambda c, w: record_return_visit(c, acting_user=w.visitor, satisfaction="satisfied", resolved=True)),
    ("divert a dispatched case", "dispatched",
     lambda c, w: divert_case(c, acting_user=w.dispatcher, route="litigation", note="x")),
    ("mark a dispatched case invalid", "dispatched", lambda c, w: mark_invalid(c, acting_user=w.dispatcher,
                                                                                reason="x")),
    ("answer a dispatched consultation", "dispatched",
     lambda c, w: answer_on_the_spot(c, acting_user=w.dispatcher, answer="x")),
    ("extension before signing", "dispatched",
     lambda c, w: request_extension(c, acting_user=w.dept_handler, working_days=2, reason="x")),
    ("sub-dispatch before signing", "dispatched_to_town",
     lambda c, w: sub_dispatch_case(c, acting_user=w.town_handler, unit=w.village_a)),
    ("whistle on a replied case", "replied", lambda c, w: escalate_case(c, acting_user=w.dept_handler, reason="x")),
    ("return a replied case", "replied", lambda c, w: request_return(c, acting_user=w.dept_handler, reason="x")),
    ("return twice", _returned, lambda c, w: request_return(c, acting_user=w.dept_handler, reason="y")),
    ("reply while a return is reviewed", "handling_returned",
     lambda c, w: reply_case(c, acting_user=w.dept_handler, reply="x")),
    ("review a return nobody asked for", "dispatched",
     lambda c, w: review_return(c, acting_user=w.dispatcher, approve=True)),
    ("review an extension nobody asked for", "handling",
     lambda c, w: review_extension(c, acting_user=w.dispatcher, approve=True)),
    ("redispatch a closed case", "closed", lambda c, w: redispatch_case(c, acting_user=w.dispatcher)),
    ("consult on a closed case", "closed",
     lambda c, w: hold_consultation(c, acting_user=w.dispatcher, level=1, units=[w.dept], topic="t",
                                    conclusion="c")),
    ("ask the citizen on a replied case", "replied",
     lambda c, w: request_info(c, acting_user=w.dispatcher, missing="x")),
]


def make(flow, how):
    if callable(how):
        return how(flow)
    if how == "handling_with_co":
        case = flow.dispatched(co_units=[flow.w.dept2])
        sign_case(case, acting_user=flow.w.dept2_handler)
        return sign_case(case, acting_user=flow.w.dept_handler)
    if how == "handling_returned":
        return request_return(flow.handling(), acting_user=flow.w.dept_handler, reason="x")
    if how == "dispatched_to_town":
        return flow.dispatched(unit=flow.w.town_a)
    kwargs = {"case_type": "consultation"} if how in ("received", "dispatched") else {}
    return getattr(flow, how)(**kwargs)


@pytest.mark.parametrize("how, call", [r[1:] for r in WRONG_ROLE], ids=[r[0] for r in WRONG_ROLE])
def test_wrong_role_is_refused(world, flow, refused, how, call):
    # given a case at the point where the action makes sense
    case = make(flow, how)
    # when someone without the role tries it, then it is refused and nothing changed
    exc = refused(case, NotAllowed, "not_allowed", lambda: call(case, world))
    assert exc.message


@pytest.mark.parametrize("how, call, code", [r[1:] for r in WRONG_UNIT], ids=[r[0] for r in WRONG_UNIT])
def test_wrong_unit_is_refused(world, flow, refused, how, call, code):
    # given a case held by (or owned by) a unit
    case = make(flow, how)
    # when a unit outside scope, or one that does not hold it, acts, then it is refused and nothing changed
    refused(case, NotAllowed, code, lambda: call(case, world))


@pytest.mark.parametrize("how, call", [r[1:] for r in WRONG_STATE], ids=[r[0] for r in WRONG_STATE])
def test_wrong_state_is_refused(world, flow, refused, how, call):
    # given a case in a state where the action does not apply
    case = make(flow, how)
    # when it is tried anyway, then it is refused and nothing changed
    refused(case, InvalidState, "invalid_state", lambda: call(case, world))


def test_merge_into_a_closed_primary_is_refused(world, flow, refused):
    primary, dup = flow.closed(), flow.received()
    refused(primary, InvalidState, "invalid_state",
            lambda: merge_cases(primary, [dup], acting_user=world.dispatcher), also=(dup,))


def test_merge_across_scope_is_refused(world, flow, refused):
    # given a township's own case and a centre case
    own, centre_case = flow.received(acting_user=world.town_b_dispatcher), flow.received()
    # when the township merges the centre case into its own, then it is refused
    refused(own, NotAllowed, "out_of_scope",
            lambda: merge_cases(own, [centre_case], acting_user=world.town_b_dispatcher), also=(centre_case,))


# --- stale versions ---------------------------------------------------------------------------------

def _consult(c, w):
    hold_consultation(c, acting_user=w.dispatcher, level=3, units=[w.dept], topic="t", conclusion="c")


def _close(c, w):
    close_case(c, acting_user=w.dispatcher)


# (id, how to get the case, what someone else does meanwhile, the call with the version first seen)
STALE = [
    ("dispatch", "received", _consult,
     lambda c, w, v: dispatch_case(c, acting_user=w.dispatcher, unit=w.dept, expected_version=v)),
    ("sign", "dispatched", _consult, lambda c, w, v: sign_case(c, acting_user=w.dept_handler, expected_version=v)),
    ("reply", "handling", _consult,
     lambda c, w, v: reply_case(c, acting_user=w.dept_handler, reply="x", expected_version=v)),
    ("visit", "replied", _consult,
     lambda c, w, v: record_return_visit(c, acting_user=w.visitor, satisfaction="satisfied", resolved=True,
                                         expected_version=v)),
    ("archive", "replied", _close, lambda c, w, v: archive_case(c, acting_user=w.dispatcher, expected_version=v)),
    ("return", "dispatched", _consult,
     lambda c, w, v: request_return(c, acting_user=w.dept_handler, reason="x", expected_version=v)),
    ("divert", "received", _consult,
     lambda c, w, v: divert_case(c, acting_user=w.dispatcher, route="litigation", note="x", expected_version=v)),
]


@pytest.mark.parametrize("how, meanwhile, call", [r[1:] for r in STALE], ids=[r[0] for r in STALE])
def test_stale_expected_version_is_a_conflict(world, flow, refused, how, meanwhile, call):
    # given a case someone opened at version v, which someone else has changed since
    case = make(flow, how)
    opened_at = case.version
    meanwhile(case, world)
    # when they act on what they saw, then it is a conflict and nothing changed
    exc = refused(case, Conflict, "conflict", lambda: call(case, world, opened_at))
    assert case.number in exc.message


def test_current_expected_version_is_accepted(world, flow):
    # given a dispatched case at its current version
    case = flow.dispatched()
    # when signed with that version, then it goes through and the version moves on
    signed = sign_case(case, acting_user=world.dept_handler, expected_version=case.version)
    assert signed.state == CaseState.HANDLING
    assert signed.version == case.version + 1
