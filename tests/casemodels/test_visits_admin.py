"""The case page's "citizen not reached" button: a visitor records a failed
attempt through the small form, which calls ``record_visit_attempt``."""

from django.urls import reverse

from casemodels.models import CaseEvent, VisitAttempt
from casemodels.services.permissions import available_actions

from .conftest import snapshot
from .test_case_page import act, buttons, fresh, login, page

A = CaseEvent.Action


def test_a_visitor_records_an_attempt_from_the_case_page(client, world, flow):
    # given a replied case, and a return visitor on its page
    case = flow.replied()
    login(client, world.visitor)
    assert {"return_visit", "visit_attempt"} <= buttons(page(client, case)[1])
    # the form offers the ways of reaching out, not an online rating
    form = client.get(reverse("cases:visit_attempt", args=[case.pk])).content.decode()
    assert 'value="phone"' in form and 'value="online"' not in form
    # when they record an attempt by SMS
    response = act(client, "visit_attempt", case, method="sms", note="短信未回复")
    # then it is recorded and they are back on the case page
    assert response.status_code == 302
    attempt = VisitAttempt.objects.get(case=case)
    assert (attempt.method, attempt.note, attempt.attempted_by) == ("sms", "短信未回复", world.visitor)
    assert fresh(case).events.order_by("-id").first().action == A.VISIT_ATTEMPT


def test_a_bad_method_is_shown_and_changes_nothing(client, world, flow):
    case = flow.replied()
    login(client, world.visitor)
    before = snapshot(case)
    response = act(client, "visit_attempt", case, method="online")
    assert response.status_code == 200
    assert snapshot(case) == before and not VisitAttempt.objects.exists()


def test_the_button_is_only_for_centre_staff_on_a_case_awaiting_its_visit(world, flow):
    replied, handling = flow.replied(), flow.handling()
    assert "visit_attempt" in available_actions(fresh(replied), world.dispatcher)
    assert "visit_attempt" not in available_actions(fresh(replied), world.dept_handler)
    assert "visit_attempt" not in available_actions(fresh(handling), world.visitor)
