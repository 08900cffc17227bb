"""A small deployment (高平-like: city → township → village) shared by the
case lifecycle and deadline tests, a frozen clock, and helpers to walk a
case along its lifecycle and to check that a refused action changed nothing."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casemodels.models import (
    Assignment, Case, CaseEvent, ClockPause, Consultation, ExtensionRequest, ReturnRequest, ReturnVisit,
)
from casemodels.services import dispatch_case, record_return_visit, reply_case, sign_case
from snippets.models import Level, Unit
from snippets.services.calendar import seed_from_chinesecalendar
from tests.factories import CaseFactory, ChannelFactory, PolicyFactory, RegionFactory, StaffFactory, UnitFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)


def local(*args):
    """An aware datetime in Asia/Shanghai: local(2025, 10, 14, 23, 59, 59)."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def end_of(year, month, day):
    return local(year, month, day, 23, 59, 59)


@pytest.fixture
def clock():
    """Time stands still at 2025-09-30 10:00 (Shanghai) unless a test moves it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def calendar(db):
    """The work calendar for 2025 and 2026, seeded from chinesecalendar."""
    return seed_from_chinesecalendar(years=[2025, 2026])


@pytest.fixture
def world(db, clock, calendar):
    """Regions, units, staff, channels and a catch-all time-limit policy."""
    city = RegionFactory(name="高平市", code="gp", level=Level.CITY)
    town_a_r = RegionFactory(name="米山镇", code="gp-ms", level=Level.TOWNSHIP, parent=city)
    village_a_r = RegionFactory(name="米西村", code="gp-ms-mx", level=Level.VILLAGE, parent=town_a_r)
    town_b_r = RegionFactory(name="三甲镇", code="gp-sj", level=Level.TOWNSHIP, parent=city)
    village_b_r = RegionFactory(name="三甲村", code="gp-sj-sj", level=Level.VILLAGE, parent=town_b_r)

    centre = UnitFactory(name="市12345指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY, region=city)
    dept = UnitFactory(name="住建局", code="zjj", kind=Unit.Kind.DEPARTMENT, level=Level.CITY, parent=centre)
    dept2 = UnitFactory(name="水务局", code="swj", kind=Unit.Kind.DEPARTMENT, level=Level.CITY, parent=centre)
    town_a = UnitFactory(name="米山镇政府", code="ms", kind=Unit.Kind.TOWNSHIP, level=Level.TOWNSHIP,
                         parent=centre, region=town_a_r)
    village_a = UnitFactory(name="米西村委", code="ms-mx", kind=Unit.Kind.COMMUNITY, level=Level.VILLAGE,
                            parent=town_a, region=village_a_r)
    town_b = UnitFactory(name="三甲镇政府", code="sj", kind=Unit.Kind.TOWNSHIP, level=Level.TOWNSHIP,
                         parent=centre, region=town_b_r)

    hotline = ChannelFactory(name="12345热线", code="hotline")
    web = ChannelFactory(name="网站", code="web", is_public=True)
    policy = PolicyFactory(
        name="通用时限", priority=1000,
        limits={"sign": (24, "hours"), "reply": (5, "working_days"), "completion": (10, "working_days")},
    )
    return World(
        city=city, town_a_r=town_a_r, village_a_r=village_a_r, town_b_r=town_b_r, village_b_r=village_b_r,
        centre=centre, dept=dept, dept2=dept2, town_a=town_a, village_a=village_a, town_b=town_b,
        hotline=hotline, web=web, policy=policy,
    )


# Staff user accounts: (unit attribute, role codes). Made on first use, which keeps the fixture cheap.
STAFF = {
    "dispatcher": ("centre", ["dispatcher"]),
    "visitor": ("centre", ["visitor"]),
    "supervisor": ("centre", ["supervisor"]),
    "dept_handler": ("dept", ["handler"]),
    "dept_leader": ("dept", ["unit_leader"]),
    "dept2_handler": ("dept2", ["handler"]),
    "town_handler": ("town_a", ["handler"]),
    "town_leader": ("town_a", ["unit_leader"]),
    "village_handler": ("village_a", ["handler"]),
    "town_b_dispatcher": ("town_b", ["dispatcher"]),
    "town_b_handler": ("town_b", ["handler"]),
}


class World(SimpleNamespace):
    """The deployment; ``world.dept_handler`` etc. are user accounts of staff."""

    def __getattr__(self, name):
        if name not in STAFF:
            raise AttributeError(name)
        unit, roles = STAFF[name]
        user = StaffFactory(unit=getattr(self, unit), roles=roles).user
        setattr(self, name, user)
        return user


class Flow:
    """Walks a case to a given point of its lifecycle through the services."""

    def __init__(self, w):
        self.w = w

    def received(self, **kwargs):
        kwargs.setdefault("acting_user", self.w.dispatcher)
        kwargs.setdefault("channel", self.w.hotline)
        return CaseFactory(**kwargs)

    def dispatched(self, unit=None, co_units=(), **kwargs):
        case = self.received(**kwargs)
        return dispatch_case(case, acting_user=self.w.dispatcher, unit=unit or self.w.dept, co_units=co_units)

    def handling(self, unit=None, signer=None, **kwargs):
        case = self.dispatched(unit=unit, **kwargs)
        return sign_case(case, acting_user=signer or self.w.dept_handler)

    def replied(self, **kwargs):
        case = self.handling(**kwargs)
        return reply_case(case, acting_user=self.w.dept_handler, reply="已修复路灯，并电话告知市民。")

    def closed(self, **kwargs):
        case = self.replied(**kwargs)
        return record_return_visit(case, acting_user=self.w.visitor, satisfaction="satisfied", resolved=True)


@pytest.fixture
def flow(world):
    return Flow(world)


def snapshot(case):
    """Everything a refused action must leave as it was."""
    pk = case.pk
    return {
        "case": Case.objects.filter(pk=pk).values(
            "state", "version", "round", "owner_unit", "merged_into", "divert_route", "reply", "is_unsatisfied",
            "sign_due", "reply_due", "completion_due", "paused_since", "closed_at", "policy",
        ).get(),
        "events": CaseEvent.objects.filter(case_id=pk).count(),
        "assignments": list(
            Assignment.objects.filter(case_id=pk).order_by("id").values_list("unit_id", "role", "state", "reply_due")
        ),
        "returns": list(ReturnRequest.objects.filter(case_id=pk).values_list("id", "state")),
        "extensions": list(ExtensionRequest.objects.filter(case_id=pk).values_list("id", "state")),
        "pauses": list(ClockPause.objects.filter(case_id=pk).values_list("id", "ended_at")),
        "visits": ReturnVisit.objects.filter(case_id=pk).count(),
        "consultations": Consultation.objects.filter(case_id=pk).count(),
    }


@pytest.fixture
def refused():
    """``refused(case, Error, "code", lambda: service(...), field=None)``: the
    call raises that error with that code (and field), and the case, its
    events, assignments, requests, pauses and visits are exactly as before."""

    def check(case, exc_type, code, call, *, field=None, also=()):
        before = [snapshot(c) for c in (case, *also)]
        with pytest.raises(exc_type) as info:
            call()
        assert info.value.code == code, info.value.message
        if field is not None:
            assert info.value.field == field
        assert [snapshot(c) for c in (case, *also)] == before
        return info.value

    return check


def last_event(case):
    return CaseEvent.objects.filter(case_id=case.pk).order_by("-created_at", "-id").first()


def assert_event(case, action, *, from_state, to_state, actor, unit=None):
    event = last_event(case)
    assert (event.action, event.from_state, event.to_state) == (action, from_state, to_state)
    assert event.actor == actor
    if unit is not None:
        assert event.unit == unit
    return event


def assignments(case, **filters):
    return list(Assignment.objects.filter(case_id=case.pk, **filters).order_by("id").select_related("unit"))


def states(case):
    """[(unit code, role, state), …] of the case's assignments in creation order."""
    return [(a.unit.code, a.role, a.state) for a in assignments(case)]

