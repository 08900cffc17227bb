"""Supervision and progress in the admin: the case page's "Supervise" and
"Post progress" buttons for the right people, their forms, the notes list
with its filters and scope, the note page, the unit's answer form, the note
for a unit's overdue cases, and the Workbench menu entry."""

import re

import pytest
from django.urls import reverse

from casemodels.models import CaseEvent, SupervisionNote
from casemodels.services import answer_note, issue_note

from .conftest import local, snapshot
from .test_case_page import act, buttons, fresh, login, message_texts, page
from .test_inbox_admin import menu_text

MINE = {"supervise", "post_progress"}

CASES = {
    "received": lambda flow: flow.received(),
    "dispatched": lambda flow: flow.dispatched(),
    "handling": lambda flow: flow.handling(),
    "replied": lambda flow: flow.replied(),
}

EXPECTED = [
    ("received", "supervisor", set()),  # no unit holds it yet
    ("dispatched", "supervisor", {"supervise"}),
    ("dispatched", "dispatcher", {"supervise"}),
    ("dispatched", "dept_handler", set()),  # not in hand yet
    ("handling", "supervisor", {"supervise"}),
    ("handling", "dispatcher", {"supervise"}),
    ("handling", "dept_handler", {"post_progress"}),
    ("handling", "dept_leader", {"post_progress"}),
    ("handling", "visitor", set()),
    ("replied", "supervisor", set()),
    ("replied", "dept_handler", set()),
]


@pytest.mark.parametrize(("state", "who", "expected"), EXPECTED, ids=[f"{s}-{w}" for s, w, _e in EXPECTED])
def test_the_buttons_appear_for_the_right_people(client, world, flow, state, who, expected):
    # given a case at that point, and a member of staff who can see it
    case = CASES[state](flow)
    login(client, getattr(world, who))
    # when they open its page
    status, html = page(client, case)
    # then they get "Supervise" and "Post progress" exactly when they may use them
    assert status == 200
    assert buttons(html) & MINE == expected


def note_of(case):
    return SupervisionNote.objects.filter(cases=case).get()


def test_supervising_from_the_case_page(client, world, flow):
    # given a case the bureau has in hand, and a supervisor on its page
    case = flow.handling()
    login(client, world.supervisor)
    form = client.get(reverse("cases:supervise", args=[case.pk])).content.decode()
    # the bureau is offered (it holds the case), preselected
    assert f'<option value="{world.dept.pk}" selected>' in form
    assert "date-time-chooser.js" in form  # the date picker's script comes with the form
    # when they send a supervision note
    response = act(client, "supervise", case, kind="supervision", unit=world.dept.pk, reason="请三日内办结。",
                   answer_due="2025-10-10")
    # then they are back on the case page and the note exists
    assert response.status_code == 302 and response["Location"] == reverse("cases:inspect", args=[case.pk])
    note = note_of(case)
    assert (note.kind, note.unit, note.answer_due) == ("supervision", world.dept, local(2025, 10, 10, 23, 59, 59))
    # and the dossier on the page shows it
    events = re.findall(r'data-event="([a-z_]+)"', page(client, case)[1])
    assert events[-1] == "supervise"


def test_a_bad_supervise_form_is_shown_again_and_writes_nothing(client, world, flow):
    case = flow.handling()
    login(client, world.supervisor)
    before = snapshot(case)
    response = act(client, "supervise", case, kind="reminder", unit=world.dept.pk, reason="请加快。",
                   answer_due="2025-09-01")
    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert snapshot(case) == before and not SupervisionNote.objects.exists()


def test_posting_progress_from_the_case_page(client, world, flow):
    case = flow.handling()
    login(client, world.dept_handler)
    response = act(client, "post_progress", case, note="已联系施工队，下周施工。")
    assert response.status_code == 302
    assert any(case.number in m for m in message_texts(response))
    event = CaseEvent.objects.get(case=case, action=CaseEvent.Action.PROGRESS)
    assert (event.note, event.unit) == ("已联系施工队，下周施工。", world.dept)
    assert fresh(case).version == case.version + 1


# --- The notes list and page ------------------------------------------------------------------

@pytest.fixture
def notes(world, flow):
    """A reminder to the housing bureau, a supervision note to the water bureau."""
    to_dept = issue_note("reminder", world.dept, [flow.handling()], acting_user=world.supervisor,
                         reason="请加快办理。", answer_due=local(2025, 10, 3, 12, 0))
    to_dept2 = issue_note("supervision", world.dept2, [flow.handling(unit=world.dept2, signer=world.dept2_handler)],
                          acting_user=world.supervisor, reason="请说明延误原因。", answer_due=local(2025, 10, 10, 12, 0))
    return to_dept, to_dept2


def listed(client, **params):
    response = client.get(reverse("supervision_notes:index"), params)
    assert response.status_code == 200
    return set(re.findall(r"(?:提示|督办)〔\d{4}〕\d+号", response.content.decode()))


def test_each_unit_lists_its_own_notes_and_the_supervisor_all(client, world, notes):
    to_dept, to_dept2 = notes
    login(client, world.supervisor)
    assert listed(client) == {to_dept.number, to_dept2.number}
    login(client, world.dept_handler)
    assert listed(client) == {to_dept.number}
    # another unit's note is not found
    assert client.get(reverse("supervision_notes:inspect", args=[to_dept2.pk])).status_code == 404
    assert client.get(reverse("supervision_notes:answer", args=[to_dept2.pk])).status_code == 404


def test_the_list_filters_by_unit_kind_state_and_overdue_answer(client, world, notes, clock):
    to_dept, to_dept2 = notes
    login(client, world.supervisor)
    assert listed(client, unit=world.dept2.pk) == {to_dept2.number}
    assert listed(client, kind="reminder") == {to_dept.number}
    answer_note(to_dept2, acting_user=world.dept2_handler, answer="已办结。")
    assert listed(client, state="answered") == {to_dept2.number}
    # on 4 October the bureau's answer (due 3 October noon) is overdue
    clock.move_to(local(2025, 10, 4, 9, 0))
    assert listed(client, overdue="on") == {to_dept.number}


def test_the_addressed_unit_answers_on_the_note_page(client, world, notes):
    to_dept, _other = notes
    inspect = reverse("supervision_notes:inspect", args=[to_dept.pk])
    answer_url = reverse("supervision_notes:answer", args=[to_dept.pk])
    # the supervisor sees the note and its case, but no answer button
    login(client, world.supervisor)
    html = client.get(inspect).content.decode()
    case = to_dept.cases.get()
    assert f'<a href="{reverse("cases:inspect", args=[case.pk])}">{case.number}</a>' in html
    assert answer_url not in html
    assert client.get(answer_url).status_code == 302  # sent back with the reason
    # the bureau's handler gets the button and answers
    login(client, world.dept_handler)
    assert answer_url in client.get(inspect).content.decode()
    response = client.post(answer_url, {"answer": "已修复，市民已确认。"})
    assert response.status_code == 302 and response["Location"] == inspect
    assert SupervisionNote.objects.get(pk=to_dept.pk).state == "answered"
    # the supervisor may now close it
    login(client, world.supervisor)
    close_url = reverse("supervision_notes:close", args=[to_dept.pk])
    assert close_url in client.get(inspect).content.decode()
    assert client.post(close_url, {"comment": "答复属实。"}).status_code == 302
    assert SupervisionNote.objects.get(pk=to_dept.pk).state == "closed"


def test_an_empty_answer_is_shown_again(client, world, notes):
    to_dept, _other = notes
    login(client, world.dept_handler)
    response = client.post(reverse("supervision_notes:answer", args=[to_dept.pk]), {"answer": ""})
    assert response.status_code == 200
    assert SupervisionNote.objects.get(pk=to_dept.pk).state == "issued"


def test_a_note_for_a_units_overdue_cases_from_the_list(client, world, flow, clock):
    late = flow.dispatched()
    flow.handling()
    clock.move_to(local(2025, 10, 2, 9, 0))
    url = reverse("supervision_notes:overdue")
    # a handler may not issue notes: the admin sends them home
    login(client, world.dept_handler)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    # the supervisor finds the form on the list and sends the note
    login(client, world.supervisor)
    assert url in client.get(reverse("supervision_notes:index")).content.decode()
    response = client.post(url, {"kind": "supervision", "unit": world.dept.pk, "reason": "超期未签收。",
                                 "answer_due": "2025-10-09"})
    assert response.status_code == 302
    assert list(SupervisionNote.objects.get().cases.all()) == [late]


def test_the_workbench_menu_links_to_the_notes(client, world):
    login(client, world.dept_handler)
    menu = menu_text(client.get(reverse("wagtailadmin_home")).content.decode())
    assert reverse("supervision_notes:index") in menu
