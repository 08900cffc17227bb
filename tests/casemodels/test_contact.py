"""First contact (首次联系): the unit holding a case records that it reached
the citizen (casemodels.services.contact); the warning sweep's first-contact
rules stop for a contacted round; the assessment counts the contacts made by
the first-contact deadline, the roll-up the same as the direct count."""

import datetime

import pytest

from casemodels.models import Assignment, Case, CaseEvent
from casemodels.services import (
    Conflict, InvalidInput, InvalidState, NotAllowed, record_contact, record_return_visit, redispatch_case,
    reply_case, request_info, request_return, resume_case, review_return, sign_case, sub_dispatch_case,
)
from casemodels.services.assessment import unit_figures, unit_figures_direct
from casemodels.services.contact import contacted_q, round_contacted_at
from casemodels.services.permissions import available_actions
from casemodels.services.rollups import FIGURE_ACTIONS, refresh_rollups
from casemodels.services.sweep import sweep
from snippets.models import WarningRule
from tests.factories import PolicyFactory, StaffFactory

from .conftest import START, last_event, local, snapshot
from .test_case_page import act, buttons, login, page
from .test_concurrency import race, split
from .test_sweep import make_rule, minutes, warned

A = CaseEvent.Action
K = WarningRule.Kind
HOUR = datetime.timedelta(hours=1)
NOTE = "已电话联系市民，确认路灯位置，明日上门维修。"


@pytest.fixture
def contact_policy(world):
    """Hotline cases: sign for in 24 hours, first contact within 2 hours of receipt."""
    return PolicyFactory(name="先行联系", priority=10, channel=world.hotline, limits={
        "sign": (24, "hours"), "contact": (2, "hours"), "reply": (5, "working_days"),
    })


def fresh(case):
    return Case.objects.get(pk=case.pk)


def lead(case):
    return Assignment.objects.filter(case_id=case.pk, role="lead").order_by("-id").first()


def contacts(case):
    """(unit code, contacted_at, contact_due) of the case's lead assignments, in order."""
    return list(Assignment.objects.filter(case_id=case.pk, role="lead").order_by("id")
                .values_list("unit__code", "contacted_at", "contact_due"))


# --- The service ---------------------------------------------------------------------------
def test_the_handling_unit_records_its_contact(world, flow, contact_policy, clock):
    # given a hotline case received at 10:00 (first contact due 12:00), signed for by the bureau
    case = flow.handling()
    assert case.contact_due == START + 2 * HOUR
    version = case.version
    # when its handler records at 11:00 that they phoned the citizen
    clock.move_to(START + HOUR)
    case = record_contact(case, acting_user=world.dept_handler, note=NOTE, method="phone")
    # then the bureau's assignment carries the contact and the deadline it is measured against
    assert contacts(case) == [("zjj", START + HOUR, START + 2 * HOUR)]
    # and the dossier has the contact in the bureau's name; the state stays, the version moves on
    event = last_event(case)
    assert (event.action, event.actor, event.unit, event.note) == (A.CONTACT, world.dept_handler, world.dept, NOTE)
    assert (event.from_state, event.to_state) == ("handling", "handling")
    assert datetime.datetime.fromisoformat(event.data.pop("due")) == START + 2 * HOUR
    assert event.data == {"round": 1, "method": "phone", "on_time": True}
    assert case.version == version + 1
    assert round_contacted_at(fresh(case)) == START + HOUR


def test_a_unit_leader_may_record_it_and_the_method_is_kept(world, flow, contact_policy):
    case = flow.handling()
    record_contact(case, acting_user=world.dept_leader, note=NOTE, method="on_site")
    assert last_event(case).data["method"] == "on_site"
    assert lead(case).contacted_at is not None


def test_without_a_first_contact_limit_the_contact_is_kept_without_a_deadline(world, flow):
    # the catch-all policy sets no first-contact limit
    case = flow.handling()
    assert case.contact_due is None
    record_contact(case, acting_user=world.dept_handler, note=NOTE)
    assert contacts(case) == [("zjj", START, None)]
    assert last_event(case).data["on_time"] is True


def test_who_may_record_a_contact(world, flow, contact_policy, refused):
    case = flow.handling()
    # another unit's handler: not their case
    refused(case, NotAllowed, "not_your_case", lambda: record_contact(case, acting_user=world.dept2_handler, note=NOTE))
    # the township above? no: the case is the bureau's; the village below neither
    refused(case, NotAllowed, "not_your_case", lambda: record_contact(case, acting_user=world.town_handler, note=NOTE))
    # the centre's dispatcher and visitor lack the role of a handling unit
    refused(case, NotAllowed, "not_allowed", lambda: record_contact(case, acting_user=world.dispatcher, note=NOTE))
    refused(case, NotAllowed, "not_allowed", lambda: record_contact(case, acting_user=world.visitor, note=NOTE))
    assert lead(case).contacted_at is None


def test_the_case_must_be_in_the_units_hands(world, flow, contact_policy, refused):
    # dispatched, not signed for yet: the unit signs first
    dispatched = flow.dispatched()
    refused(dispatched, InvalidState, "invalid_state",
            lambda: record_contact(dispatched, acting_user=world.dept_handler, note=NOTE))
    # replied: too late to record a first contact
    replied = flow.replied()
    refused(replied, InvalidState, "invalid_state",
            lambda: record_contact(replied, acting_user=world.dept_handler, note=NOTE))
    # a return requested: the unit does not hold it in hand while it is reviewed
    returning = request_return(flow.handling(), acting_user=world.dept_handler, reason="不属于本单位职责")
    refused(returning, InvalidState, "invalid_state",
            lambda: record_contact(returning, acting_user=world.dept_handler, note=NOTE))
    assert [lead(c).contacted_at for c in (dispatched, replied, returning)] == [None, None, None]


def test_a_contact_is_recorded_once_per_assignment(world, flow, contact_policy, refused, clock):
    case = flow.handling()
    case = record_contact(case, acting_user=world.dept_handler, note=NOTE)
    # when the bureau's leader records it again an hour later
    clock.shift(HOUR)
    error = refused(case, InvalidState, "already_contacted",
                    lambda: record_contact(case, acting_user=world.dept_leader, note="又联系了一次。"))
    # then it is refused, naming the first contact; the first one stands
    assert "2025-09-30 10:00" in error.message
    assert contacts(case) == [("zjj", START, START + 2 * HOUR)]
    assert CaseEvent.objects.filter(case=case, action=A.CONTACT).count() == 1
    # and the button is gone
    assert "record_contact" not in available_actions(fresh(case), world.dept_handler)


def test_a_note_is_required_and_the_method_must_be_known(world, flow, contact_policy, refused):
    case = flow.handling()
    for note in ("", "   ", None):
        refused(case, InvalidInput, "required", lambda: record_contact(case, acting_user=world.dept_handler,
                                                                       note=note), field="note")
    refused(case, InvalidInput, "invalid_choice",
            lambda: record_contact(case, acting_user=world.dept_handler, note=NOTE, method="pigeon"), field="method")
    assert lead(case).contacted_at is None


def test_the_version_seen_is_checked(world, flow, contact_policy, refused):
    # given a case seen at one version, which has changed since (the unit asked the citizen, then resumed)
    case = flow.handling()
    seen = case.version
    case = request_info(case, acting_user=world.dept_handler, missing="请补充具体门牌号。")
    case = resume_case(case, acting_user=world.dept_handler, information="门牌号为12号。")
    # when a contact is recorded on the old version, it is a conflict and nothing is written
    refused(case, Conflict, "conflict",
            lambda: record_contact(case, acting_user=world.dept_handler, note=NOTE, expected_version=seen))
    assert lead(case).contacted_at is None
    # and on the version as it is now, it is recorded
    record_contact(case, acting_user=world.dept_handler, note=NOTE, expected_version=fresh(case).version)
    assert lead(case).contacted_at is not None


def test_the_button_is_offered_to_the_unit_holding_the_case(world, flow, contact_policy):
    case = flow.handling()
    assert "record_contact" in available_actions(case, world.dept_handler)
    assert "record_contact" in available_actions(case, world.dept_leader)
    for user in (world.dept2_handler, world.dispatcher, world.visitor):
        assert "record_contact" not in available_actions(case, user)
    assert "record_contact" not in available_actions(flow.dispatched(), world.dept_handler)


def test_each_unit_along_a_sub_dispatch_records_its_own(world, flow, contact_policy):
    # given the township contacted the citizen, then sent the case down to the village
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    case = record_contact(case, acting_user=world.town_handler, note=NOTE)
    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    case = sign_case(case, acting_user=world.village_handler)
    # then the village holds a new assignment and may record its own contact
    case = record_contact(case, acting_user=world.village_handler, note="村委上门了解情况。")
    assert [(code, at is not None) for code, at, _due in contacts(case)] == [("ms", True), ("ms-mx", True)]


def test_a_contact_while_the_clock_stands_still_is_measured_as_if_it_resumed_then(world, flow, contact_policy, clock):
    # given the bureau asked the citizen for details at 11:00 (contact due 12:00): the clock stops
    case = flow.handling()
    clock.move_to(START + HOUR)
    case = request_info(case, acting_user=world.dept_handler, missing="请补充具体门牌号。")
    # when it phones the citizen at 13:00, the clock still standing
    clock.move_to(START + 3 * HOUR)
    record_contact(case, acting_user=world.dept_handler, note=NOTE)
    # then the two hours the clock stood still move the deadline: 14:00, and the contact is on time
    assert contacts(case) == [("zjj", START + 3 * HOUR, START + 4 * HOUR)]
    assert last_event(case).data["on_time"] is True
    # and the case's own deadline says the same once the citizen's answer restarts the clock at 13:00
    resume_case(case, acting_user=world.dept_handler, information="门牌号为12号。")
    assert fresh(case).contact_due == START + 4 * HOUR


def test_a_contact_while_paused_after_the_deadline_is_still_late(world, flow, contact_policy, clock):
    # the clock stopped at 13:00, after the 12:00 deadline: standing still does not make up for it
    case = flow.handling()
    clock.move_to(START + 3 * HOUR)
    case = request_info(case, acting_user=world.dept_handler, missing="请补充具体门牌号。")
    clock.move_to(START + 5 * HOUR)
    record_contact(case, acting_user=world.dept_handler, note=NOTE)
    assert contacts(case) == [("zjj", START + 5 * HOUR, START + 2 * HOUR)]
    assert last_event(case).data["on_time"] is False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_contacts_at_once_one_is_recorded(world, flow, contact_policy):
    # given a case in the bureau's hands, seen by two of its staff
    case = flow.handling()
    other = StaffFactory(unit=world.dept, roles=["handler"]).user
    # when both record a contact at the same moment
    wins, errors = split(race(
        lambda: record_contact(case, acting_user=world.dept_handler, note=NOTE),
        lambda: record_contact(case, acting_user=other, note=NOTE),
    ))
    # then one is recorded; the other is locked out or finds it recorded already
    assert len(wins) == 1 and len(errors) == 1
    assert errors[0].code in ("conflict", "already_contacted"), repr(errors[0])
    assert CaseEvent.objects.filter(case=case, action=A.CONTACT).count() == 1


# --- The case page ---------------------------------------------------------------------------
def test_the_case_page_records_a_contact_and_the_dossier_shows_it(client, world, flow, contact_policy):
    # given the bureau's handler on the page of a case in hand: the button is there
    case = flow.handling()
    login(client, world.dept_handler)
    assert "record_contact" in buttons(page(client, case)[1])
    # when they post the form: no note, refused on its field, nothing written
    before = snapshot(case)
    response = act(client, "record_contact", case, method="sms", note="  ")
    body = response.content.decode()
    assert response.status_code == 200 and ('class="error' in body or "error-message" in body)
    assert snapshot(case) == before and lead(case).contacted_at is None
    # then with a note it is recorded, by SMS
    response = act(client, "record_contact", case, method="sms", note=NOTE)
    assert response.status_code == 302
    assert lead(case).contacted_at == START
    assert last_event(case).data["method"] == "sms"
    # and the page's dossier shows it; the button is gone
    status, html = page(client, case)
    assert 'data-event="contact"' in html and NOTE in html
    assert "record_contact" not in buttons(html)


# --- The sweep -------------------------------------------------------------------------------
@pytest.fixture
def contact_rules(contact_policy):
    return (make_rule("联系临期", kind=K.NEAR_DUE, deadline="contact", share_elapsed=50),
            make_rule("联系超期", kind=K.OVERDUE, deadline="contact"))


def test_a_contacted_case_is_not_warned_and_an_uncontacted_one_is(world, flow, contact_rules, clock):
    near, late = contact_rules
    # given two cases in hand since 10:00, first contact due 12:00; the bureau phoned one citizen at 10:30
    contacted, silent = flow.handling(), flow.handling()
    clock.move_to(START + HOUR / 2)
    record_contact(contacted, acting_user=world.dept_handler, note=NOTE)
    # when the sweep runs at 11:30 (past half the time) and at 12:01 (past the deadline)
    sweep(now=START + 90 * datetime.timedelta(minutes=1))
    sweep(now=START + 121 * datetime.timedelta(minutes=1))
    # then only the case nobody contacted was warned, yellow then red, about its deadline
    assert warned(near) == {silent.pk} and warned(late) == {silent.pk}
    assert set(Case.objects.filter(contacted_q()).values_list("pk", flat=True)) == {contacted.pk}


def test_a_contact_after_the_yellow_stops_the_red(world, flow, contact_rules, clock):
    near, late = contact_rules
    case = flow.handling()
    sweep(now=START + 90 * datetime.timedelta(minutes=1))
    assert warned(near) == {case.pk}
    clock.move_to(START + 100 * datetime.timedelta(minutes=1))
    record_contact(case, acting_user=world.dept_handler, note=NOTE)
    sweep(now=START + 3 * HOUR)
    assert warned(late) == set()


def test_the_other_deadlines_are_still_watched_after_a_contact(world, flow, contact_rules, clock):
    # the reply deadline does not care about the contact
    case = flow.handling()
    record_contact(case, acting_user=world.dept_handler, note=NOTE)
    reply_late = make_rule("答复超期", kind=K.OVERDUE, deadline="reply")
    sweep(now=fresh(case).reply_due + HOUR)
    assert warned(reply_late) == {case.pk}


def test_a_contact_before_a_sub_dispatch_answers_the_rounds_deadline(world, flow, contact_rules, clock):
    # given the township contacted the citizen at 10:30, then sent the case down to the village (not signed yet)
    _near, late = contact_rules
    case = flow.handling(unit=world.town_a, signer=world.town_handler)
    clock.move_to(START + HOUR / 2)
    case = record_contact(case, acting_user=world.town_handler, note=NOTE)
    sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    # then no first-contact warning: the citizen was reached within the limit
    sweep(now=START + 3 * HOUR)
    assert warned(late) == set()


def test_a_second_dispatch_needs_a_new_contact(world, flow, contact_rules, clock):
    # given a case contacted, replied and found unsatisfied, dispatched again on 10-09 (contact due 2 hours on)
    _near, late = contact_rules
    case = flow.handling()
    record_contact(case, acting_user=world.dept_handler, note=NOTE)
    reply_case(case, acting_user=world.dept_handler, reply="已维修。")
    record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False,
                        redispatch=False)
    clock.move_to(local(2025, 10, 9, 9))
    case = redispatch_case(case, acting_user=world.dispatcher)
    assert case.contact_due == local(2025, 10, 9, 11)
    # when the sweep runs past the new deadline, the first round's contact does not answer it
    sweep(now=local(2025, 10, 9, 11, 1))
    assert warned(late) == {case.pk}
    assert warned(late, occurrence=minutes(local(2025, 10, 9, 9))) == {case.pk}  # the second round's start


# --- Assessment ------------------------------------------------------------------------------
def test_contacted_on_time_counts_contacts_by_the_deadline(world, flow, contact_policy, clock):
    # given four cases dispatched to the bureau on 30 September at 10:00 (contact due 12:00):
    # contacted at 11:00 (on time), at 13:00 (late), never, and one returned after an on-time contact
    on_time, late, never, returned = (flow.handling() for _ in range(4))
    clock.move_to(START + HOUR)
    for case in (on_time, returned):
        record_contact(case, acting_user=world.dept_handler, note=NOTE)
    returned = request_return(returned, acting_user=world.dept_handler, reason="不属于本单位职责")
    review_return(returned, acting_user=world.dispatcher, approve=True)
    clock.move_to(START + 3 * HOUR)
    record_contact(late, acting_user=world.dept_handler, note=NOTE)
    # when September's figures are counted
    window = (local(2025, 9, 1), local(2025, 10, 1))
    direct = {f.unit_code: f for f in unit_figures_direct(*window)}
    # then the bureau has one contact on time among its three dispatched (the returned one is left out)
    assert (direct["zjj"].dispatched, direct["zjj"].returned, direct["zjj"].contacted_on_time) == (3, 1, 1)
    # and the roll-up says the same
    refresh_rollups()
    assert unit_figures(*window) == unit_figures_direct(*window)


def test_a_second_dispatch_leaves_the_first_rounds_contact_as_it_was(world, flow, contact_policy, clock):
    # given a contact on time in round 1, then a second dispatch whose deadline is far later
    case = flow.handling()
    clock.move_to(START + HOUR)
    record_contact(case, acting_user=world.dept_handler, note=NOTE)
    reply_case(case, acting_user=world.dept_handler, reply="已维修。")
    record_return_visit(case, acting_user=world.visitor, satisfaction="unsatisfied", resolved=False,
                        redispatch=False)
    clock.move_to(local(2025, 10, 9, 9))
    redispatch_case(case, acting_user=world.dispatcher)
    # then September still counts the round-1 contact on time, and October's new assignment has none yet
    september = {f.unit_code: f for f in unit_figures_direct(local(2025, 9, 1), local(2025, 10, 1))}
    october = {f.unit_code: f for f in unit_figures_direct(local(2025, 10, 1), local(2025, 11, 1))}
    assert september["zjj"].contacted_on_time == 1 and october["zjj"].contacted_on_time == 0
    # and a late contact in round 2 stays late
    clock.move_to(local(2025, 10, 9, 12))
    sign_case(case, acting_user=world.dept_handler)
    record_contact(case, acting_user=world.dept_handler, note=NOTE)
    october = {f.unit_code: f for f in unit_figures_direct(local(2025, 10, 1), local(2025, 11, 1))}
    assert october["zjj"].contacted_on_time == 0
    refresh_rollups()
    assert unit_figures(local(2025, 10, 1), local(2025, 11, 1)) == unit_figures_direct(
        local(2025, 10, 1), local(2025, 11, 1))


def test_a_contact_touches_its_day_of_the_rollup(world, flow, contact_policy, clock):
    # given a case dispatched on 09-10 (contact due 11:00 that day) and one on 09-11 09:00 (due 11:00), rolled up
    clock.move_to(local(2025, 9, 10, 9))
    earlier = flow.handling()
    clock.move_to(local(2025, 9, 11, 9))
    today = flow.handling()
    clock.shift(HOUR / 2)
    refresh_rollups()
    window = (local(2025, 9, 1), local(2025, 10, 1))
    assert [f.contacted_on_time for f in unit_figures(*window)] == [0]
    # when both citizens are contacted at 10:00 on 09-11: today's on time, the earlier one a day late
    clock.shift(HOUR / 2)
    record_contact(today, acting_user=world.dept_handler, note=NOTE)
    record_contact(earlier, acting_user=world.dept_handler, note=NOTE)
    # then the next refresh recomputes both days (a CONTACT can change a figure) and counts one on time
    clock.shift(HOUR / 2)
    assert A.CONTACT in FIGURE_ACTIONS
    assert refresh_rollups().days == 2
    assert [f.contacted_on_time for f in unit_figures(*window)] == [1]
    assert unit_figures(*window) == unit_figures_direct(*window)
