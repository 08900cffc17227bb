"""The world of the authorisation matrix (issue 8): one deployment, built
once per test module, in which every viewer of the matrix has an account
and every lifecycle state has a case on each side of a unit boundary.

Units (a 高平-like tree)::

    centre (command centre)
    ├── zjj           a city department (the lifecycle fixtures' default unit)
    ├── ms            district office NORTH   ── ms-mx  handling unit NORTH
    └── sj            district office SOUTH   ── sj-sj  handling unit SOUTH

Every staff viewer works in the NORTH subtree: dispatcher, return visitor,
supervisor and administrator at the district office, handler and unit
leader at its handling unit. So a NORTH case is in their scope and the
matching SOUTH case (owned by the southern office, held by the southern
handling unit) is out of it, for every role. The matrix also has a
superuser, a staff account without a staff profile, an inactive user, an
inactive staff profile and an anonymous caller.

The data is made through the services (as production would), inside one
transaction that is rolled back when the module ends; each test runs in a
savepoint of it (pytest-django's ``db``), so what a test changes is undone.
Each viewer has one logged-in ``Client`` for the whole module."""

from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction
from django.db.models import Count, Max
from django.test import Client

from casemodels.models import (
    AssessmentExclusion, Case, CaseEvent, Notification, PersonalDataAccess, SupervisionNote, Warning,
)
from casemodels.services import (
    dispatch_case, exclude_from_assessment, record_return_visit, reply_case, request_extension, request_info,
    request_return, sign_case,
)
from casemodels.services.supervision import answer_note, issue_note
from snippets.models import Level, ReplyTemplate, Unit
from snippets.services.calendar import seed_from_chinesecalendar
from tests.casemodels.conftest import START
from tests.factories import (
    CaseFactory, ChannelFactory, PolicyFactory, RegionFactory, StaffFactory, UnitFactory, UserFactory,
    WarningRuleFactory,
)

# The viewers of the matrix, in the order of the reports.
STAFF_VIEWERS = ("visitor", "dispatcher", "handler", "leader", "supervisor", "administrator")
VIEWERS = ("anonymous", "no_profile", "inactive_user", "inactive_profile", *STAFF_VIEWERS, "superuser")
# Where each staff viewer works and with which role.
STAFF_ROLES = {
    "visitor": ("office_n", "visitor"),
    "dispatcher": ("office_n", "dispatcher"),
    "handler": ("unit_n", "handler"),
    "leader": ("unit_n", "unit_leader"),
    "supervisor": ("office_n", "supervisor"),
    "administrator": ("office_n", "administrator"),
}
# The states every side has a case in (see ``_cases``).
STATES = ("received", "dispatched", "handling", "replied", "closed", "returning", "extending", "paused", "excluded")
MISSING_NUMBER = "GP20990101999999"


def _units():
    city = RegionFactory(name="高平市", code="gp", level=Level.CITY)
    north_r = RegionFactory(name="米山镇", code="gp-ms", level=Level.TOWNSHIP, parent=city)
    south_r = RegionFactory(name="三甲镇", code="gp-sj", level=Level.TOWNSHIP, parent=city)
    village_n = RegionFactory(name="米西村", code="gp-ms-mx", level=Level.VILLAGE, parent=north_r)
    village_s = RegionFactory(name="三甲村", code="gp-sj-sj", level=Level.VILLAGE, parent=south_r)
    centre = UnitFactory(name="市12345指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY, region=city)
    dept = UnitFactory(name="住建局", code="zjj", kind=Unit.Kind.DEPARTMENT, level=Level.CITY, parent=centre)
    office_n = UnitFactory(name="米山镇政府", code="ms", kind=Unit.Kind.TOWNSHIP, level=Level.TOWNSHIP,
                           parent=centre, region=north_r)
    unit_n = UnitFactory(name="米西村委", code="ms-mx", kind=Unit.Kind.COMMUNITY, level=Level.VILLAGE,
                         parent=office_n, region=village_n)
    office_s = UnitFactory(name="三甲镇政府", code="sj", kind=Unit.Kind.TOWNSHIP, level=Level.TOWNSHIP,
                           parent=centre, region=south_r)
    unit_s = UnitFactory(name="三甲村委", code="sj-sj", kind=Unit.Kind.COMMUNITY, level=Level.VILLAGE,
                         parent=office_s, region=village_s)
    # a grid below each handling unit, for sub-dispatches
    UnitFactory(name="米西一网格", code="ms-mx-g", kind=Unit.Kind.GRID, level=Level.GRID, parent=unit_n)
    UnitFactory(name="三甲一网格", code="sj-sj-g", kind=Unit.Kind.GRID, level=Level.GRID, parent=unit_s)
    return dict(centre=centre, dept=dept, office_n=office_n, unit_n=unit_n, office_s=office_s, unit_s=unit_s)


def _accounts(w):
    """The viewers' accounts, and the helpers that make the southern cases."""
    users = {"anonymous": None}
    for name, (unit, role) in STAFF_ROLES.items():
        users[name] = StaffFactory(unit=getattr(w, unit), roles=[role], user__username=f"authz-{name}").user
    users["superuser"] = UserFactory(username="authz-root", is_superuser=True, is_staff=True)
    users["no_profile"] = UserFactory(username="authz-no-profile", is_staff=True)
    inactive = StaffFactory(unit=w.office_n, roles=["dispatcher", "supervisor"], user__username="authz-inactive")
    inactive.user.is_active = False
    inactive.user.save(update_fields=["is_active"])
    users["inactive_user"] = inactive.user
    retired = StaffFactory(unit=w.office_n, roles=["dispatcher", "supervisor"], user__username="authz-retired")
    retired.is_active = False
    retired.save()
    users["inactive_profile"] = retired.user
    w.users = users
    w.helpers = SimpleNamespace(
        dispatcher_s=StaffFactory(unit=w.office_s, roles=["dispatcher"]).user,
        handler_s=StaffFactory(unit=w.unit_s, roles=["handler"]).user,
        registrar_n=StaffFactory(unit=w.unit_n, roles=["dispatcher"]).user,
    )


def _cases(w, dispatcher, unit, handler, tag):
    """One case per state in STATES, registered by ``dispatcher``'s office,
    dispatched to ``unit`` and handled there by ``handler``."""
    root = w.users["superuser"]
    phone = {"n": "1390000", "s": "1380000"}[tag]

    def received(i, **kwargs):
        return CaseFactory(acting_user=dispatcher, channel=w.hotline, citizen_phone=f"{phone}{i:04d}",
                           content=f"{tag} 路灯坏了第{i}盏，晚上很黑。", address=f"{tag}幸福路{i}号", **kwargs)

    def handling(i):
        case = dispatch_case(received(i), acting_user=dispatcher, unit=unit)
        return sign_case(case, acting_user=handler)

    def replied(i):
        return reply_case(handling(i), acting_user=handler, reply="已修复路灯，并电话告知市民。")

    def closed(i):
        return record_return_visit(replied(i), acting_user=root, satisfaction="satisfied", resolved=True)

    cases = {
        "received": received(1),
        "dispatched": dispatch_case(received(2), acting_user=dispatcher, unit=unit),
        "handling": handling(3),
        "replied": replied(4),
        "closed": closed(5),
        "returning": request_return(handling(6), acting_user=handler, reason="不属于本单位职责"),
        "extending": request_extension(handling(7), acting_user=handler, working_days=2, reason="需协调多个部门"),
        "paused": request_info(received(8), acting_user=dispatcher, missing="请提供具体门牌号"),
        "excluded": exclude_from_assessment(closed(9), acting_user=root, reason="超出政策规定，予以核减。"),
    }
    assert set(cases) == set(STATES)
    issued = issue_note("reminder", unit, [cases["handling"]], acting_user=dispatcher, reason="请加快办理",
                        answer_due=START.date())
    answered = issue_note("supervision", unit, [cases["handling"]], acting_user=dispatcher, reason="请说明进展",
                          answer_due=START.date())
    answer_note(answered, acting_user=handler, answer="已安排人员处理")
    # a red light on the overdue case, told to the holding unit (as a sweep would write it)
    warning = Warning.objects.create(case=cases["handling"], rule=w.rule, level="red", unit=unit, raised_at=START,
                                     batch=f"authz-{tag}")
    message = Notification.objects.create(warning=warning, unit=unit, channel="in_app", next_attempt_at=START,
                                          created_at=START)
    # someone read the case's personal data (the access log)
    access = PersonalDataAccess.objects.create(user=handler, username=handler.get_username(), case=cases["handling"],
                                               case_number=cases["handling"].number, at=START,
                                               where=PersonalDataAccess.Where.CASE_PAGE, fields="citizen_phone")
    return SimpleNamespace(**cases, note_issued=issued, note_answered=answered, warning=warning, message=message,
                           access=access)


def build_world():
    seed_from_chinesecalendar(years=[2025, 2026])
    w = SimpleNamespace(**_units())
    w.hotline = ChannelFactory(name="12345热线", code="hotline")
    w.web = ChannelFactory(name="网站", code="web", is_public=True)
    w.policy = PolicyFactory(
        name="通用时限", priority=1000,
        limits={"sign": (24, "hours"), "reply": (5, "working_days"), "completion": (10, "working_days")},
    )
    ReplyTemplate.objects.create(title="路灯报修答复", body="您好，{{ case_number }} 已转供电所。", keywords="路灯")
    w.rule = WarningRuleFactory(name="逾期红灯")
    _accounts(w)
    u, h = w.users, w.helpers
    w.north = _cases(w, u["dispatcher"], w.unit_n, u["handler"], "n")
    w.south = _cases(w, h.dispatcher_s, w.unit_s, h.handler_s, "s")
    # A confidential report received by the northern handling unit itself: in the scope of every
    # northern viewer, but only roles that see confidential cases may see it (no unit holds it yet).
    w.confidential = CaseFactory(acting_user=h.registrar_n, channel=w.hotline, is_confidential=True,
                                 citizen_phone="13911112222", content="举报某单位违规排放污水，请为我保密。")
    w.clients = {}
    for name, user in u.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        w.clients[name] = client
    return w


def south_state(w):
    """What any action on a southern case or note would change (one query each)."""
    cases = Case.objects.filter(pk__in=[c.pk for c in vars(w.south).values() if isinstance(c, Case)])
    notes = SupervisionNote.objects.filter(pk__in=[w.south.note_issued.pk, w.south.note_answered.pk])
    messages = Notification.objects.filter(warning__case__in=cases)
    return (
        list(cases.order_by("pk").values_list("pk", "state", "version", "is_public")),
        cases.aggregate(n=Count("assignments", distinct=True), e=Max("events__id")),
        CaseEvent.objects.filter(case__in=cases).count(),
        AssessmentExclusion.objects.filter(case__in=cases).count(),
        list(notes.order_by("pk").values_list("pk", "state", "answer")),
        list(messages.order_by("pk").values_list("pk", "status", "attempts")),
    )


def south_traces(w):
    """Numbers and phones of the southern cases and notes: none may show up for a northern viewer."""
    found = set()
    for value in vars(w.south).values():
        if isinstance(value, (Case, SupervisionNote)):
            found.add(value.number)
        if isinstance(value, Case):
            found.add(value.citizen_phone)
    return found


@pytest.fixture(scope="module")
def authz_world(django_db_setup, django_db_blocker):
    """The world, made once for the module and rolled back after it."""
    with django_db_blocker.unblock(), time_machine.travel(START, tick=False):
        with transaction.atomic():
            world = build_world()
            yield world
            transaction.set_rollback(True)


@pytest.fixture
def w(authz_world, db):
    """The world inside the test's own savepoint (what the test changes is undone)."""
    return authz_world
