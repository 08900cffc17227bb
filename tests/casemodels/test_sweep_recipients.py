"""Who the warning sweep tells, and how: the lead unit's staff by role (or
all of them), the command centre, named people, the unit itself when nobody
matches; in the admin, by e-mail and by SMS, with a missing address visible
as a failed notification."""

from casemodels.models import Notification
from casemodels.services.sweep import sweep
from snippets.models import Level, Unit
from tests.factories import StaffFactory, UnitFactory, UserFactory

from .conftest import local
from .test_sweep import K, make_rule, outbox

LATE = local(2025, 10, 15, 9)  # the reply deadline of a case in hand since 09-30 has passed


def told(rule):
    """{(staff name or unit name, channel, address, status)} of the rule's notifications."""
    return {
        (n.staff.name if n.staff_id else n.unit.name, n.channel, n.address, n.status)
        for n in Notification.objects.filter(warning__rule=rule).select_related("staff", "unit")
    }


def staff(unit, name, roles, *, phone="", email=None, login=True):
    user = UserFactory(email=email or "") if login else None
    return StaffFactory(unit=unit, name=name, roles=roles, phone=phone, user=user)


def test_the_lead_units_staff_with_the_roles_named(world, flow):
    # given a department with a handler, a leader and an inactive leader, and a case it holds, overdue
    staff(world.dept, "王办", ["handler"], phone="13900000001")
    staff(world.dept, "李领", ["unit_leader"], phone="13900000002", email="li@example.cn")
    gone = staff(world.dept, "赵离", ["unit_leader"], phone="13900000003")
    gone.is_active = False
    gone.save()
    flow.handling(signer=world.dept_handler)
    rule = make_rule("超期", kind=K.OVERDUE, roles=["unit_leader"], in_app=True, by_sms=True, by_email=True)
    # when the sweep runs
    sweep(now=LATE)
    # then the active leader is told on every channel, at the addresses on file, and no one else
    assert told(rule) == {
        ("李领", "in_app", "", "pending"), ("李领", "sms", "13900000002", "pending"),
        ("李领", "email", "li@example.cn", "pending"),
    }


def test_every_active_staff_member_of_the_unit_when_no_role_is_named(world, flow):
    # given the department's handler (made by the flow) and a grid worker without a login
    flow.handling()
    staff(world.dept, "网格员", [], phone="13900000009", login=False)
    rule = make_rule("超期", kind=K.OVERDUE, in_app=True, by_sms=True)
    sweep(now=LATE)
    # then both get the SMS; only the one with a login is told in the admin; a missing phone fails at once
    handler = world.dept_handler.staff_profile.name
    assert told(rule) == {
        (handler, "in_app", "", "pending"), (handler, "sms", "", "failed"),
        ("网格员", "sms", "13900000009", "pending"),
    }
    failed = Notification.objects.get(warning__rule=rule, status="failed")
    assert failed.last_error and failed.attempts == 0


def test_the_unit_itself_when_nobody_matches(world, flow):
    # given a case held by a department with no unit leader, whose duty phone is on file
    world.dept.phone = "0356-5221234"
    world.dept.save()
    flow.handling()
    rule = make_rule("超期", kind=K.OVERDUE, roles=["unit_leader"], in_app=True, by_sms=True, by_email=True)
    sweep(now=LATE)
    # then the unit is told in the admin and on its duty phone; there is no unit e-mail
    assert told(rule) == {(world.dept.name, "in_app", "", "pending"),
                          (world.dept.name, "sms", "0356-5221234", "pending")}
    assert Notification.objects.get(channel="in_app").staff is None


def test_the_command_centre_and_named_people(world, flow):
    # given a case held by the department, a centre supervisor and a named city leader elsewhere
    flow.handling()
    world.supervisor
    leader = staff(world.dept2, "市领导", ["unit_leader"], phone="13900000008")
    rule = make_rule("超期", kind=K.OVERDUE, notify_lead_unit=False, notify_centre=True, roles=["supervisor"],
                     staff=[leader], in_app=True)
    sweep(now=LATE)
    # then the centre's supervisor and the named leader are told, the department is not
    assert told(rule) == {(world.supervisor.staff_profile.name, "in_app", "", "pending"),
                          ("市领导", "in_app", "", "pending")}


def test_a_named_person_in_the_lead_unit_is_told_once(world, flow):
    # given the department's handler named on a rule that also tells the lead unit's handlers
    flow.handling()
    handler = world.dept_handler.staff_profile
    rule = make_rule("超期", kind=K.OVERDUE, roles=["handler"], staff=[handler], in_app=True)
    sweep(now=LATE)
    # then one notification: the key is (case, rule, level, recipient, channel)
    assert [row[2:5] for row in outbox()] == [(handler.pk, world.dept.pk, "in_app")]
    assert rule.pk == Notification.objects.get().warning.rule_id


def test_the_nearest_centre_above_the_receiving_unit(world, flow):
    # given a second command centre for a county, with its own dispatcher and a case it received
    county = UnitFactory(name="县12345中心", code="county", kind=Unit.Kind.CENTRE, level=Level.DISTRICT,
                         parent=world.centre)
    county_office = UnitFactory(name="县住建局", code="xzjj", level=Level.DISTRICT, parent=county)
    county_dispatcher = staff(county, "县派单员", ["dispatcher"])
    county_handler = staff(county_office, "县办理人", ["handler"]).user
    world.dispatcher  # the city centre's dispatcher
    city_case = flow.handling()
    county_case = flow.handling(acting_user=county_dispatcher.user, unit=county_office, signer=county_handler)
    assert county_case.owner_unit == county
    make_rule("超期", kind=K.OVERDUE, notify_lead_unit=False, notify_centre=True, roles=["dispatcher"])
    sweep(now=LATE)
    # then each case's centre is told about it, and only about it
    rows = {(n.warning.case_id, n.staff.name) for n in Notification.objects.select_related("warning", "staff")}
    assert rows == {(city_case.pk, world.dispatcher.staff_profile.name), (county_case.pk, "县派单员")}
