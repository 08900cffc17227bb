"""The case page: which action buttons each role gets in each state, masked
personal data, deadline lights, and scope (another unit's case is not found
on the page or on any action URL)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from casemodels.models import Case, CaseState
from casemodels.services import request_info
from casemodels.services.permissions import ACTIONS, available_actions
from snippets.models import Role

from .conftest import snapshot


def login(client, user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    return user


def fresh(case):
    return Case.objects.get(pk=case.pk)


def page(client, case):
    response = client.get(reverse("cases:inspect", args=[case.pk]))
    return response.status_code, response.content.decode()


def buttons(html):
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def act(client, code, case, **data):
    """POST an action form with the version the page showed (unless given)."""
    data.setdefault("expected_version", fresh(case).version)
    return client.post(reverse(f"cases:{code}", args=[case.pk]), data)


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Buttons ----------------------------------------------------------------------------

CASES = {
    "received": lambda flow: flow.received(),
    "consultation": lambda flow: flow.received(case_type="consultation"),
    "dispatched": lambda flow: flow.dispatched(),
    "handling": lambda flow: flow.handling(),
    "replied": lambda flow: flow.replied(),
    "closed": lambda flow: flow.closed(),
}

EXPECTED = [
    ("received", "dispatcher", {"dispatch", "merge", "divert", "invalid", "request_info", "consult"}),
    ("received", "supervisor", {"consult"}),
    ("received", "visitor", set()),
    ("consultation", "dispatcher", {"dispatch", "answer", "merge", "divert", "invalid", "request_info", "consult"}),
    ("dispatched", "dispatcher", {"merge", "request_info", "consult", "supervise"}),
    ("dispatched", "dept_handler", {"sign", "escalate", "request_return", "request_info"}),
    ("dispatched", "visitor", set()),
    ("handling", "dept_handler", {"reply", "escalate", "request_return", "request_extension", "request_info",
                                  "post_progress", "record_contact"}),
    ("handling", "dept_leader", {"reply", "escalate", "request_return", "request_extension", "request_info",
                                 "post_progress", "record_contact"}),
    ("handling", "dispatcher", {"merge", "request_info", "consult", "supervise"}),
    ("replied", "visitor", {"return_visit", "visit_attempt"}),
    ("replied", "dispatcher", {"return_visit", "visit_attempt", "close", "merge", "consult"}),
    ("replied", "dept_handler", set()),
    ("closed", "dispatcher", {"archive"}),
    ("closed", "visitor", set()),
]


@pytest.mark.parametrize(("state", "who", "expected"), EXPECTED, ids=[f"{s}-{w}" for s, w, _e in EXPECTED])
def test_the_page_shows_exactly_the_actions_the_user_may_take_now(client, world, flow, state, who, expected):
    # given a case at that point of its lifecycle, and a member of staff who can see it
    case = CASES[state](flow)
    user = login(client, getattr(world, who))
    # when they open its page
    status, html = page(client, case)
    # then the buttons are exactly the actions their role, unit and the state allow
    assert status == 200
    assert buttons(html) == expected
    assert set(available_actions(fresh(case), user)) == expected


def test_buttons_follow_pending_requests_and_pauses(client, world, flow):
    # given a case in hand whose unit asked for a return and whose citizen was asked for more
    case = flow.handling()
    login(client, world.dept_handler)
    act(client, "request_return", case, reason="不属于本单位职责。")
    login(client, world.dispatcher)
    request_info(fresh(case), acting_user=world.dispatcher, missing="请补充具体门牌号。")
    # when the dispatcher opens the page
    _status, html = page(client, case)
    # then they may review the return and record the citizen's answer, but not ask again
    assert {"review_return", "resume"} <= buttons(html)
    assert "request_info" not in buttons(html)
    assert "ms-light--paused" in html


def test_a_button_that_is_not_open_now_sends_the_user_back_with_the_reason(client, world, flow):
    case = flow.dispatched()
    login(client, world.visitor)
    response = client.get(reverse("cases:dispatch", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:inspect", args=[case.pk])
    assert message_texts(response)


def test_the_page_shows_the_request_deadlines_and_every_event(client, world, flow):
    # given a case that was dispatched, signed for and replied
    case = flow.replied()
    login(client, world.dispatcher)
    # when the dispatcher opens its page
    _status, html = page(client, case)
    # then the dossier lists every event in order, with who and which unit
    events = re.findall(r'data-event="([a-z_]+)"', html)
    assert events == ["register", "dispatch", "sign", "reply"]
    assert "已修复路灯" in html
    assert world.dept.name in html
    # and the deadlines carry their lights (the reply is done)
    assert 'data-light="done"' in html


def test_deadline_lights_turn_yellow_then_red(client, world, flow, clock):
    # given a case in hand whose reply deadline is days away
    case = flow.handling()
    login(client, world.dept_handler)
    assert 'data-case-light="green"' in page(client, case)[1]
    due = fresh(case).reply_due
    # when the clock reaches the last hour before the reply deadline
    clock.move_to(due - datetime.timedelta(hours=1))
    login(client, world.dept_handler)  # the admin session has expired meanwhile
    html = page(client, case)[1]
    # then the case is yellow, and red once the deadline has passed
    assert 'data-case-light="yellow"' in html
    clock.move_to(due + datetime.timedelta(hours=1))
    login(client, world.dept_handler)
    html = page(client, case)[1]
    assert 'data-case-light="red"' in html
    assert 'data-light="red"' in html


# --- Masking -------------------------------------------------------------------------------

def test_personal_data_is_masked_for_a_role_that_may_not_see_it(client, world, flow):
    # given return visitors may not see personal data
    case = flow.replied(address="建设南路18号3单元501室")
    Role.objects.filter(code="visitor").update(sees_personal_data=False)
    login(client, world.visitor)
    # when a visitor opens the case
    status, html = page(client, case)
    # then the name, phone and exact address are masked
    assert status == 200
    assert "13812341234" not in html and "138****1234" in html
    assert "张*" in html and "张三" not in html
    assert "501室" not in html
    assert 'data-masked="1"' in html


def test_a_dispatcher_sees_the_personal_data(client, world, flow):
    case = flow.received()
    login(client, world.dispatcher)
    _status, html = page(client, case)
    assert "13812341234" in html and "张三" in html
    assert 'data-masked="1"' not in html


# --- Scope -----------------------------------------------------------------------------------

def test_a_handler_of_another_unit_gets_404_on_the_page_and_every_action_url(client, world, flow):
    # given a case held by the housing bureau
    case = flow.handling()
    before = snapshot(case)
    # when a handler of the water bureau tries the page and every action, by GET and POST
    login(client, world.dept2_handler)
    assert page(client, case)[0] == 404
    for code in ACTIONS:
        url = reverse(f"cases:{code}", args=[case.pk])
        assert client.get(url).status_code == 404, code
        assert client.post(url, {"expected_version": case.version, "reply": "x", "reason": "x"}).status_code == 404
    # then nothing changed
    assert snapshot(case) == before


def test_a_dispatcher_of_another_township_gets_404(client, world, flow):
    case = flow.received()
    login(client, world.town_b_dispatcher)
    assert page(client, case)[0] == 404
    assert act(client, "dispatch", case, unit=world.town_b.pk).status_code == 404
    assert fresh(case).state == CaseState.RECEIVED


def test_signed_out_users_are_sent_to_the_login(client, world, flow):
    case = flow.received()
    response = client.get(reverse("cases:inspect", args=[case.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(reverse("cases:dispatch", args=[case.pk]), {"expected_version": 1})
    assert response.status_code == 302 and "login" in response["Location"]
    assert fresh(case).state == CaseState.RECEIVED
