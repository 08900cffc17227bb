"""Stateful property test of the case lifecycle (issue 8, hostile input).

Hypothesis drives random sequences of lifecycle actions (register, dispatch,
sign, sub-dispatch, escalate, returns, extensions, pauses, reply, visits,
close, second dispatch, merge, divert, invalid, archive), each by a randomly
chosen staff member of a random unit, on random cases, while the clock moves
on. After every step:

- a refused action raised its ``CaseActionError`` and changed nothing (the
  case, its events, assignments, requests, pauses, visits);
- every case is in a valid state, consistent with its fields and its
  assignments;
- no event was lost or changed (events are append-only), and each case's
  events chain from state to state up to the case's state;
- the deadlines stored on every open case are those the deadline engine
  recomputes from its event history (``deadlines.compute_deadlines``), and
  ``paused_since`` is the start of the earliest open pause.

The normal suite runs a short search; ``MINSHENG_SOAK=1`` (``make soak``)
runs a long one. Each example runs in a savepoint rolled back at its end, so
all examples start from the same deployment (the ``world`` fixture).
"""

import datetime
import os
from collections import Counter

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule, run_state_machine_as_test,
)

from casemodels.models import Assignment, Case, CaseEvent, CaseState
from casemodels.models.choices import DivertRoute
from casemodels.services import (
    CaseActionError, answer_on_the_spot, archive_case, close_case, dispatch_case, divert_case,
    escalate_case, issue_note, mark_invalid, merge_cases, record_contact, record_return_visit, record_visit_attempt,
    redispatch_case, register_case, reply_case, request_extension, request_info, request_return, resume_case,
    review_extension, review_return, sign_case, sub_dispatch_case,
)
from snippets.models import CaseType
from tests.casemodels.conftest import START, STAFF, snapshot
from tests.casemodels.lifecycle_invariants import check_case, event_row
from tests.factories import UserFactory

SOAK = os.environ.get("MINSHENG_SOAK") == "1"
EXAMPLES, STEPS = (400, 60) if SOAK else (15, 25)
NO_SHRINK = os.environ.get("MINSHENG_NO_SHRINK") == "1"  # while debugging: report the first failure as found

USERS = sorted(STAFF) + ["nobody"]  # "nobody": signed in, no staff profile
UNITS = ["centre", "dept", "dept2", "town_a", "village_a", "town_b"]
CASE_TYPES = list(CaseType.values)
SATISFACTION = ["satisfied", "basically_satisfied", "unsatisfied"]

users = st.sampled_from(USERS)
units = st.sampled_from(UNITS)
# A valid text most of the time, an empty one (refused) sometimes.
texts = st.one_of(st.just("路灯已修复，已电话告知市民。"), st.sampled_from(["", "   "]))
CENTRE = ["dispatcher", "visitor", "supervisor"]


def make_machine(world, clock):
    """The state machine class over one deployment and one frozen clock."""
    staff = {name: getattr(world, name) for name in STAFF}  # made now, outside every example's savepoint
    staff["nobody"] = UserFactory(username="not-staff")

    class Lifecycle(RuleBasedStateMachine):
        cases = Bundle("cases")

        def __init__(self):
            super().__init__()
            clock.move_to(START)
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.events = {}  # id -> row, every event seen so far
            self.outcomes = Counter()

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
            stats.update(self.outcomes)

        # --- Running one action --------------------------------------------------------------

        def attempt(self, name, pks, call):
            """Run ``call`` on fresh copies of the cases ``pks``; a refusal must
            leave them exactly as they were."""
            objs = [Case.objects.get(pk=pk) for pk in pks]
            before = [snapshot(c) for c in objs]
            try:
                with transaction.atomic():  # as a view's request would: a refusal rolls back its savepoint
                    call(*objs)
            except CaseActionError as error:
                assert error.code and error.message, error
                assert [snapshot(c) for c in objs] == before, f"{name} was refused ({error}) but changed the case"
                self.outcomes[f"{name}: refused"] += 1
                return False
            self.outcomes[f"{name}: done"] += 1
            return True

        def actor(self, data, pk, who):
            """A random user, drawn half of the time among those likely to be
            allowed: the staff of the units holding the case (``holder``), or
            the centre's staff (``centre``)."""
            if who == "holder":
                held = set(Assignment.objects.filter(case_id=pk, state__in=Assignment.ACTIVE_STATES)
                           .values_list("unit_id", flat=True))
                likely = [name for name, (unit, _) in STAFF.items() if getattr(world, unit).pk in held]
            else:
                likely = CENTRE
            choice = st.one_of(st.sampled_from(likely), users) if likely else users
            return staff[data.draw(choice, label="user")]

        # --- Rules ----------------------------------------------------------------------------

        def registered(self, case_type):
            case = register_case(acting_user=staff["dispatcher"], channel=world.hotline, case_type=case_type,
                                 content="小区路灯坏了，晚上很黑。", citizen_phone="13800000000", auto_dispatch=False)
            self.outcomes["register: done"] += 1
            return case.pk

        # Every run starts with two cases, so that its steps go to acting on them.
        @initialize(target=cases, case_type=st.sampled_from(CASE_TYPES))
        def first_case(self, case_type):
            return self.registered(case_type)

        @initialize(target=cases, case_type=st.sampled_from(CASE_TYPES))
        def second_case(self, case_type):
            return self.registered(case_type)

        @rule(target=cases, user=st.one_of(st.just("dispatcher"), users), case_type=st.sampled_from(CASE_TYPES),
              content=texts, auto=st.booleans())
        def register(self, user, case_type, content, auto):
            count = Case.objects.count()
            try:
                with transaction.atomic():
                    case = register_case(acting_user=staff[user], channel=world.hotline, case_type=case_type,
                                         content=content, citizen_phone="13800000000", auto_dispatch=auto)
            except CaseActionError:
                assert Case.objects.count() == count
                self.outcomes["register: refused"] += 1
                return multiple()
            self.outcomes["register: done"] += 1
            assert case.state in (CaseState.RECEIVED, CaseState.DISPATCHED)
            return case.pk

        @rule(case=cases, data=st.data(), unit=units)
        def dispatch(self, case, data, unit):
            user = self.actor(data, case, "centre")
            self.attempt("dispatch", [case], lambda c: dispatch_case(c, acting_user=user,
                                                                     unit=getattr(world, unit)))

        @rule(case=cases, data=st.data())
        def sign(self, case, data):
            user = self.actor(data, case, "holder")
            self.attempt("sign", [case], lambda c: sign_case(c, acting_user=user))

        @rule(case=cases, data=st.data(), unit=units)
        def sub_dispatch(self, case, data, unit):
            user = self.actor(data, case, "holder")
            self.attempt("sub_dispatch", [case], lambda c: sub_dispatch_case(c, acting_user=user,
                                                                             unit=getattr(world, unit)))

        @rule(case=cases, data=st.data(), reason=texts)
        def escalate(self, case, data, reason):
            user = self.actor(data, case, "holder")
            self.attempt("escalate", [case], lambda c: escalate_case(c, acting_user=user, reason=reason))

        @rule(case=cases, data=st.data(), reason=texts)
        def ask_return(self, case, data, reason):
            user = self.actor(data, case, "holder")
            self.attempt("request_return", [case], lambda c: request_return(c, acting_user=user,
                                                                            reason=reason))

        @rule(case=cases, data=st.data(), approve=st.booleans())
        def review_the_return(self, case, data, approve):
            user = self.actor(data, case, "centre")
            self.attempt("review_return", [case], lambda c: review_return(c, acting_user=user,
                                                                          approve=approve, note="审核"))

        @rule(case=cases, data=st.data(), days=st.integers(-1, 40), reason=texts)
        def ask_extension(self, case, data, days, reason):
            user = self.actor(data, case, "holder")
            self.attempt("request_extension", [case], lambda c: request_extension(
                c, acting_user=user, working_days=days, reason=reason))

        @rule(case=cases, data=st.data(), approve=st.booleans())
        def review_the_extension(self, case, data, approve):
            user = self.actor(data, case, "centre")
            self.attempt("review_extension", [case], lambda c: review_extension(
                c, acting_user=user, approve=approve, note="审核"))

        @rule(case=cases, data=st.data(), missing=texts)
        def ask_citizen(self, case, data, missing):
            user = self.actor(data, case, "holder")
            self.attempt("request_info", [case], lambda c: request_info(c, acting_user=user,
                                                                        missing=missing))

        @rule(case=cases, data=st.data(), information=texts)
        def citizen_answers(self, case, data, information):
            user = self.actor(data, case, "holder")
            self.attempt("resume", [case], lambda c: resume_case(c, acting_user=user,
                                                                 information=information))

        @rule(case=cases, data=st.data(), note=texts)
        def contact(self, case, data, note):
            user = self.actor(data, case, "holder")
            self.attempt("contact", [case], lambda c: record_contact(c, acting_user=user, note=note))

        @rule(case=cases, data=st.data(), reply=texts)
        def reply(self, case, data, reply):
            user = self.actor(data, case, "holder")
            self.attempt("reply", [case], lambda c: reply_case(c, acting_user=user, reply=reply))

        @rule(case=cases, data=st.data(), answer=texts, close=st.booleans())
        def answer(self, case, data, answer, close):
            user = self.actor(data, case, "centre")
            self.attempt("answer", [case], lambda c: answer_on_the_spot(c, acting_user=user,
                                                                        answer=answer, close=close))

        @rule(case=cases, data=st.data(), satisfaction=st.sampled_from(SATISFACTION), resolved=st.booleans(),
              redispatch=st.booleans())
        def visit(self, case, data, satisfaction, resolved, redispatch):
            user = self.actor(data, case, "centre")
            self.attempt("return_visit", [case], lambda c: record_return_visit(
                c, acting_user=user, satisfaction=satisfaction, resolved=resolved, redispatch=redispatch))

        @rule(case=cases, data=st.data())
        def visit_attempt(self, case, data):
            user = self.actor(data, case, "centre")
            self.attempt("visit_attempt", [case], lambda c: record_visit_attempt(c, acting_user=user))

        @rule(case=cases, data=st.data(), unit=st.none() | units)
        def redispatch(self, case, data, unit):
            user = self.actor(data, case, "centre")
            self.attempt("redispatch", [case], lambda c: redispatch_case(
                c, acting_user=user, unit=getattr(world, unit) if unit else None))

        @rule(case=cases, data=st.data(), note=texts)
        def close(self, case, data, note):
            user = self.actor(data, case, "centre")
            self.attempt("close", [case], lambda c: close_case(c, acting_user=user, note=note))

        @rule(case=cases, data=st.data())
        def archive(self, case, data):
            user = self.actor(data, case, "centre")
            self.attempt("archive", [case], lambda c: archive_case(c, acting_user=user))

        @rule(primary=cases, duplicate=cases, data=st.data())
        def merge(self, primary, duplicate, data):
            user = self.actor(data, primary, "centre")
            pks = [primary] if primary == duplicate else [primary, duplicate]
            self.attempt("merge", pks, lambda p, *d: merge_cases(p, d or [p], acting_user=user,
                                                                 note="同一事项"))

        @rule(case=cases, data=st.data(), route=st.sampled_from(DivertRoute.values), note=texts)
        def divert(self, case, data, route, note):
            user = self.actor(data, case, "centre")
            self.attempt("divert", [case], lambda c: divert_case(c, acting_user=user, route=route,
                                                                 note=note))

        @rule(case=cases, data=st.data(), reason=texts)
        def invalid(self, case, data, reason):
            user = self.actor(data, case, "centre")
            self.attempt("invalid", [case], lambda c: mark_invalid(c, acting_user=user, reason=reason))

        @rule(case=cases, data=st.data(), steps=st.integers(1, 6))
        def proceed(self, case, data, steps):
            """Up to ``steps`` steps of the usual path, each by someone whose
            role and unit allow it (the other rules mostly try random users,
            who are mostly refused): this takes cases deep into their lifecycle."""
            for _ in range(steps):
                if not self.next_step(case, data):
                    break

        # Rules are drawn evenly: two more names make ``proceed`` three times as likely as another rule.
        @rule(case=cases, data=st.data(), steps=st.integers(1, 6))
        def proceed_more(self, case, data, steps):
            self.proceed(case, data, steps)

        @rule(case=cases, data=st.data(), steps=st.integers(1, 6))
        def proceed_again(self, case, data, steps):
            self.proceed(case, data, steps)

        def next_step(self, case, data):
            state = Case.objects.values_list("state", flat=True).get(pk=case)
            lead = (Assignment.objects.filter(case_id=case, role=Assignment.Role.LEAD,
                                              state__in=Assignment.ACTIVE_STATES).first())
            holders = [name for name, (unit, roles) in STAFF.items()
                       if lead is not None and getattr(world, unit).pk == lead.unit_id and "handler" in roles]
            if state == CaseState.RECEIVED:
                unit = data.draw(units, label="unit")
                return self.attempt("proceed: dispatch", [case], lambda c: dispatch_case(
                    c, acting_user=staff["dispatcher"], unit=getattr(world, unit)))
            if state == CaseState.DISPATCHED and holders:
                return self.attempt("proceed: sign", [case], lambda c: sign_case(c, acting_user=staff[holders[0]]))
            if state == CaseState.HANDLING and holders:
                return self.attempt("proceed: reply", [case], lambda c: reply_case(
                    c, acting_user=staff[holders[0]], reply="已处理并答复市民。"))
            if state == CaseState.REPLIED:
                satisfaction = data.draw(st.sampled_from(SATISFACTION), label="satisfaction")
                return self.attempt("proceed: return_visit", [case], lambda c: record_return_visit(
                    c, acting_user=staff["visitor"], satisfaction=satisfaction, resolved=True))
            return False

        @rule(case=cases, data=st.data(), unit=units, kind=st.sampled_from(["reminder", "supervision"]),
              days=st.integers(-1, 5))
        def supervise(self, case, data, unit, kind, days):
            user = self.actor(data, case, "centre")
            due = (timezone.localtime() + datetime.timedelta(days=days)).date()
            self.attempt("supervise", [case], lambda c: issue_note(
                kind, getattr(world, unit), [c], acting_user=user, reason="请尽快办理。", answer_due=due))

        @rule(hours=st.integers(1, 24 * 9))
        def time_passes(self, hours):
            clock.shift(datetime.timedelta(hours=hours))

        # --- Invariants -----------------------------------------------------------------------

        @invariant()
        def events_are_append_only(self):
            rows = {e.pk: event_row(e) for e in CaseEvent.objects.all()}
            lost = {pk: row for pk, row in self.events.items() if rows.get(pk) != row}
            assert not lost, f"events lost or changed: {lost}"
            self.events = rows

        @invariant()
        def cases_are_consistent(self):
            for case in Case.objects.all():
                check_case(case)

    return Lifecycle


stats = Counter()


def test_random_lifecycles_keep_every_case_consistent(world, clock, capsys):
    stats.clear()
    machine = make_machine(world, clock)
    run_state_machine_as_test(machine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=not SOAK,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        **({"phases": [Phase.explicit, Phase.reuse, Phase.generate]} if NO_SHRINK else {}),
    ))
    done = sum(n for k, n in stats.items() if k.endswith("done"))
    refused = sum(n for k, n in stats.items() if k.endswith("refused"))
    with capsys.disabled():  # the figures are shown even without -s
        print(f"\nlifecycle property: {EXAMPLES} runs of up to {STEPS} steps, {done} actions done, {refused} refused")
        print("  " + ", ".join(f"{key} {stats[key]}" for key in sorted(stats)))
    # the search reached the lifecycle's far states, not just refusals
    for action in ("dispatch", "sign", "reply", "return_visit"):
        assert stats[f"{action}: done"] + stats[f"proceed: {action}: done"] > 0, f"no successful {action}"
