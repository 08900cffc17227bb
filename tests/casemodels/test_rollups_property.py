"""Property: on random case histories the roll-up, refreshed step by step or
rebuilt, gives exactly the figures of the direct computation from the cases.

Each example writes a small random history straight into the tables (faster
than the services, and wider: any mix of states, deadlines, late or early
signing, first contacts and replies, visits with ties, extensions,
exclusions and paused clocks, across units and days, around the centre's
midnight), in phases: the first phase is rolled up (a rebuild), each later
phase changes some cases, writes an event for each changed case as the
services do (a CONTACT event for a first contact), lets time pass
(deadlines fall due without events) and refreshes. After every refresh the
roll-up's figures for every day, the whole span and a random window equal
``unit_figures_direct`` at the refresh's moment; at the end a rebuild gives
the same table.

Runs 50 examples; with CI=true the examples are derived from the test's
name (derandomized), so a CI run is the same every time."""

import datetime
import os

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casemodels.models import (
    AssessmentExclusion, Assignment, Case, CaseEvent, ExtensionRequest, ReturnVisit, UnitDayFigures,
)
from casemodels.models.requests import ReviewState
from casemodels.services.assessment import unit_figures, unit_figures_direct
from casemodels.services.rollups import rebuild_rollups, refresh_rollups

from .conftest import local

BASE = local(2025, 9, 8)  # a Monday, midnight in Shanghai
DAYS = 6
PHASE_TIMES = [local(2025, 9, 12, 12), local(2025, 9, 18, 8, 30), local(2025, 9, 30, 18)]
UNITS = ("dept", "dept2", "town_a", "village_a")
S = Assignment.State

hours = st.integers(min_value=-2, max_value=240).map(lambda h: datetime.timedelta(hours=h))
maybe_hours = st.none() | hours
# Reply deadlines that often fall between two phases: the assignment becomes overdue without any event.
reply_due = st.one_of(
    st.none(), hours, *[st.sampled_from([72, 96, 120, 168]).map(lambda h: datetime.timedelta(hours=h))] * 3,
)
rarely = st.sampled_from([False, False, False, True])
# Around midnight in Shanghai (16:00 UTC) and in UTC (08:00 Shanghai), and ordinary hours.
clock_times = st.sampled_from([(0, 0), (0, 30), (7, 59), (8, 0), (9, 15), (15, 59), (16, 0), (23, 59)])

assignment_spec = st.fixed_dictionaries({
    "unit": st.sampled_from(UNITS),
    "role": st.sampled_from(["lead", "lead", "lead", "co"]),
    "round": st.integers(min_value=1, max_value=2),
    "day": st.integers(min_value=0, max_value=DAYS - 1),
    "time": clock_times,
    "state": st.sampled_from([*S.values, S.PENDING, S.SIGNED, S.SIGNED, S.REPLIED]),
    "signed": maybe_hours,
    "sign_due": st.none() | st.just(datetime.timedelta(hours=24)),
    # First contact (首次联系): when, and the deadline kept with it (none: the policy set none).
    "contacted": maybe_hours,
    "contact_due": st.none() | st.sampled_from([2, 24, 48]).map(lambda h: datetime.timedelta(hours=h)),
    "reply_due": reply_due,
    "finished": maybe_hours,
    "extension": st.sampled_from([None, ReviewState.APPROVED, ReviewState.PENDING, ReviewState.REJECTED]),
})
visit_spec = st.fixed_dictionaries({
    "round": st.integers(min_value=1, max_value=2),
    "at": st.integers(min_value=0, max_value=3),  # few distinct moments: ties happen
    "satisfaction": st.sampled_from(["satisfied", "basically_satisfied", "unsatisfied"]),
    "resolved": st.booleans(),
})
case_spec = st.fixed_dictionaries({
    "assignments": st.lists(assignment_spec, min_size=1, max_size=3),
    "visits": st.lists(visit_spec, max_size=3),
    "excluded": rarely,
    "paused": rarely,
})
change_spec = st.fixed_dictionaries({
    "case": st.integers(min_value=0, max_value=100),
    "what": st.sampled_from(["state", "sign", "contact", "reply_due", "visit", "exclusion", "pause", "extension"]),
    "state": st.sampled_from(S.values),
    "hours": hours,
    "visit": visit_spec,
})
history_spec = st.fixed_dictionaries({
    "cases": st.lists(case_spec, min_size=2, max_size=8),
    "phases": st.lists(st.lists(change_spec, max_size=3), min_size=1, max_size=2),
    "window": st.tuples(st.integers(0, DAYS), st.integers(0, DAYS)),
})


class History:
    """Writes a history's rows as of a phase time, with an event per changed case."""

    def __init__(self, world):
        self.w = world
        self.cases = []

    def event(self, case, at, action=CaseEvent.Action.IMPORT):
        CaseEvent.objects.create(case=case, action=action, created_at=at, from_state="", to_state=case.state)

    def add_case(self, spec, at):
        case = Case.objects.create(
            number=f"P{len(self.cases):05d}", channel=self.w.hotline, case_type="complaint", title="t", content="c",
            query_code="ABCDEFGH", owner_unit=self.w.centre, received_at=BASE,
            paused_since=BASE if spec["paused"] else None,
        )
        self.cases.append(case)
        for a in spec["assignments"]:
            self.add_assignment(case, a)
        for v in spec["visits"]:
            self.add_visit(case, v)
        if spec["excluded"]:
            AssessmentExclusion.objects.create(case=case, reason="r", excluded_at=at)
        self.event(case, at)

    def add_assignment(self, case, a):
        hour, minute = a["time"]
        dispatched = BASE + datetime.timedelta(days=a["day"], hours=hour, minutes=minute)

        def after(delta):
            return None if delta is None else dispatched + delta

        assignment = Assignment.objects.create(
            case=case, unit=getattr(self.w, a["unit"]), role=a["role"], round=a["round"], state=a["state"],
            dispatched_at=dispatched, signed_at=after(a["signed"]), sign_due=after(a["sign_due"]),
            reply_due=after(a["reply_due"]), finished_at=after(a["finished"]),
            contacted_at=after(a["contacted"]), contact_due=after(a["contact_due"]),
        )
        if a["extension"] is not None:
            self.add_extension(assignment, a["extension"])

    def add_extension(self, assignment, state):
        ExtensionRequest.objects.create(
            case=assignment.case, assignment=assignment, unit=assignment.unit, reason="r", working_days=2,
            state=state, requested_at=assignment.dispatched_at,
        )

    def add_visit(self, case, v):
        ReturnVisit.objects.create(
            case=case, round=v["round"], method="phone", satisfaction=v["satisfaction"], resolved=v["resolved"],
            visited_at=BASE + datetime.timedelta(days=2, hours=v["at"]),
        )

    def change(self, spec, at):
        case = self.cases[spec["case"] % len(self.cases)]
        assignment = case.assignments.order_by("id").first()
        what = spec["what"]
        if what == "state":
            assignment.state, assignment.finished_at = spec["state"], at - spec["hours"]
            assignment.save()
        elif what == "sign":
            assignment.signed_at = assignment.dispatched_at + spec["hours"]
            assignment.save()
        elif what == "contact":
            # As record_contact writes it: the contact and the deadline in force, with a CONTACT event.
            # Its deadline before or after the contact (on time or late), whatever it was before.
            assignment.contacted_at = at
            assignment.contact_due = at + spec["hours"] - datetime.timedelta(hours=100)
            assignment.save()
        elif what == "reply_due":
            assignment.reply_due = at + spec["hours"] - datetime.timedelta(hours=100)
            assignment.save()
        elif what == "visit":
            self.add_visit(case, spec["visit"])
        elif what == "exclusion":
            deleted, _ = AssessmentExclusion.objects.filter(case=case).delete()
            if not deleted:
                AssessmentExclusion.objects.create(case=case, reason="r", excluded_at=at)
        elif what == "pause":
            case.paused_since = None if case.paused_since else at
            case.save()
        else:
            self.add_extension(assignment, ReviewState.APPROVED)
        self.event(case, at, CaseEvent.Action.CONTACT if what == "contact" else CaseEvent.Action.IMPORT)


def table():
    return sorted(UnitDayFigures.objects.values_list(
        "unit_id", "day", "dispatched", "signed_on_time", "contacted_on_time", "replied", "replied_on_time",
        "visited", "satisfied", "basically_satisfied", "unsatisfied", "resolved", "returned", "extended", "overdue",
    ))


def check_windows(window, as_of):
    def day(n):
        return BASE + datetime.timedelta(days=n)

    first, last = sorted(window)
    spans = [(day(n), day(n + 1)) for n in range(-1, DAYS + 1)]
    spans += [(day(-1), day(DAYS + 1)), (day(first), day(last + 1))]
    for start, end in spans:
        assert unit_figures(start, end) == unit_figures_direct(start, end, now=as_of), (start, end)


@settings(
    max_examples=50, deadline=None, database=None, derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=history_spec)
def test_the_rollup_equals_the_direct_figures_on_random_histories(world, spec):
    with transaction.atomic():
        # given a random history written as of the first phase, rolled up
        history = History(world)
        for case in spec["cases"]:
            history.add_case(case, PHASE_TIMES[0])
        run = refresh_rollups(now=PHASE_TIMES[0])
        assert run.kind == "rebuild"
        check_windows(spec["window"], run.as_of)
        # when later phases change some cases while time passes, and the roll-up is refreshed after each
        for changes, at in zip(spec["phases"], PHASE_TIMES[1:]):
            for change in changes:
                history.change(change, at - datetime.timedelta(minutes=5))
            run = refresh_rollups(now=at)
            # then the refreshed figures are the direct figures at that moment, for every window
            assert run.kind == "refresh"
            check_windows(spec["window"], run.as_of)
        # and a rebuild at the same moment gives the very same table
        refreshed = table()
        rebuild_rollups(now=run.as_of)
        assert table() == refreshed
        transaction.set_rollback(True)
