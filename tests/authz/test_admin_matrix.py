"""The admin authorisation matrix (issue 8): every admin URL pattern of our
apps (found from the URL resolver, ``admin_urls.PATTERNS``) × every viewer,
with the pk of the in-scope object and of the other district's one where
the URL takes a pk; and POSTs to the dangerous endpoints (lifecycle
actions, delete, edit, note answers) by every northern role against the
southern objects, which must change nothing.

A URL added to our apps without a row in ``admin_table.ADMIN_EXPECT`` fails
``test_the_table_covers_every_admin_url``."""

import pytest
from django.urls import reverse

from casemodels.models import Case

from .admin_table import ADMIN_EXPECT
from .admin_urls import PATTERNS, answer_class, body_of, has_sides, url_for
from .conftest import STAFF_VIEWERS, VIEWERS, south_state, south_traces

OUTSIDERS = ("anonymous", "no_profile", "inactive_user", "inactive_profile")
ROW = (*STAFF_VIEWERS, "superuser")
URLS = sorted(PATTERNS)
# What a refusal of another district's object may look like: not found, or refused outright.
REFUSED = {"N", "D"}


def expected(name):
    cells = ADMIN_EXPECT[name].split()
    assert len(cells) == len(ROW), name
    return dict(zip(ROW, cells))


def test_the_table_covers_every_admin_url():
    # the walk finds the screens (guard against a walk that silently finds nothing) ...
    assert {"cases:inspect", "cases:dispatch", "workbench:to_sign", "supervision_notes:answer",
            "wagtailsnippets_snippets_unit:edit", "wagtailsnippets_publishing_bulletin:list"} <= set(PATTERNS)
    # ... and every one of them has a row, no row is stale
    assert set(ADMIN_EXPECT) == set(PATTERNS)


def test_the_table_never_opens_another_districts_object_to_district_staff():
    # the table itself: a second letter (the southern object) is never O for the district's staff
    opened = [(name, viewer) for name in URLS for viewer, cell in expected(name).items()
              if viewer != "superuser" and len(cell) == 2 and cell[1] not in REFUSED | {"M"}]
    allowed_centre_wide = {"wagtailsnippets_snippets_staffprofile", "wagtailsnippets_snippets_unit"}
    assert [(n, v) for n, v in opened if n.split(":")[0] not in allowed_centre_wide] == []
    # configuration is centre-wide: the administrator edits every unit and staff profile, the
    # dispatcher and supervisor read every unit (their Wagtail "view" permission)
    assert {v for _n, v in opened} <= {"administrator", "dispatcher", "supervisor"}


@pytest.mark.parametrize("name", URLS)
def test_admin_url(w, name):
    sides = ("in", "out") if has_sides(w, name) else ("in",)
    want = expected(name)
    traces = south_traces(w)
    wrong, leaks = [], []
    for viewer in VIEWERS:
        got = ""
        for side in sides:
            response = w.clients[viewer].get(url_for(w, name, side))
            got += answer_class(response)
            if viewer != "superuser" and response.status_code == 200:
                body = body_of(response)
                leaks += [(viewer, side, t) for t in traces if t in body]
        cell = "L" * len(sides) if viewer in OUTSIDERS else want[viewer]
        if len(cell) != len(sides):
            wrong.append((viewer, f"table has {cell!r} for {len(sides)} side(s)"))
        elif got != cell:
            wrong.append((viewer, f"got {got}, expected {cell}"))
    assert wrong == [], f"{name}: {wrong}"
    assert leaks == [], f"{name} shows the other district's cases: {leaks}"


def test_the_confidential_report_opens_only_to_roles_that_see_confidential_cases(w):
    # given a confidential report received by the northern handling unit, held by no unit yet
    url = reverse("cases:inspect", args=[w.confidential.pk])
    # when each northern role opens its page, then only those whose role sees confidential cases may
    got = {viewer: answer_class(w.clients[viewer].get(url)) for viewer in ROW}
    assert got == {"visitor": "N", "dispatcher": "O", "handler": "N", "leader": "N", "supervisor": "O",
                   "administrator": "O", "superuser": "O"}


def test_a_district_administrator_neither_exports_nor_erases_another_districts_citizen(w):
    # given a citizen of each district, and the northern administrator
    admin, north, south = w.clients["administrator"], w.north.handling, w.south.handling
    before = south_state(w)
    # when they export the data of each phone, then only the northern citizen's cases come back
    assert north.number in body_of(admin.post(reverse("citizen_data:export"), {"phone": north.citizen_phone}))
    exported = body_of(admin.post(reverse("citizen_data:export"), {"phone": south.citizen_phone}))
    assert not any(t in exported for t in south_traces(w) - {south.citizen_phone}), exported[:600]
    # and erasing the southern phone, confirmed, erases nothing there
    admin.post(reverse("citizen_data:erase"), {"phone": south.citizen_phone, "reason": "越权", "confirmed": "1"})
    assert Case.objects.get(pk=south.pk).citizen_phone == south.citizen_phone
    assert south_state(w) == before


# POST-only or state-changing screens, and what to post to them (the fields the forms read).
FORM = {"unit": "sj-sj", "note": "越权操作", "reason": "越权操作", "reply": "越权操作", "answer": "越权操作",
        "comment": "越权操作", "missing": "越权", "information": "越权", "route": "litigation", "approve": "1",
        "working_days": "2", "satisfaction": "satisfied", "resolved": "1", "level": "3", "topic": "越权",
        "conclusion": "越权", "kind": "reminder", "answer_due": "2025-10-10", "duplicates": "", "close": "1"}
DANGEROUS = sorted(
    name for name in PATTERNS
    if name.split(":")[0] in {"cases", "supervision_notes", "assessment_exclusions", "warnings", "outbox",
                              "privacy_log"}
    and "pk" in PATTERNS[name][0]
    and name.split(":")[1] not in {"inspect", "history", "history_results", "usage"}
)


def test_the_dangerous_list_has_the_actions():
    assert {"cases:dispatch", "cases:delete", "cases:exclude", "supervision_notes:close",
            "assessment_exclusions:delete", "outbox:retry", "warnings:delete"} <= set(DANGEROUS)


@pytest.mark.parametrize("name", DANGEROUS)
def test_posts_on_another_districts_object_change_nothing(w, name):
    # given every northern role, and the southern object the URL names
    assert has_sides(w, name), name
    url = url_for(w, name, "out")
    before = south_state(w)
    answers = {}
    for viewer in STAFF_VIEWERS + OUTSIDERS:
        # when they post the action's form to it
        response = w.clients[viewer].post(url, FORM)
        answers[viewer] = answer_class(response)
    # then it is refused (sign in first, not found, or denied) and nothing of the south changed
    refused = {v: a for v, a in answers.items() if a not in REFUSED | {"L"}}
    assert refused == {}, f"{name} answered {refused}"
    assert south_state(w) == before


def test_admin_matrix_size(capsys, w):
    sided = sum(1 for name in URLS if has_sides(w, name))
    gets = (len(URLS) + sided) * len(VIEWERS)
    with capsys.disabled():
        print(f"\nAdmin matrix: {len(URLS)} URL patterns ({sided} with an in- and out-of-scope object) × "
              f"{len(VIEWERS)} viewers = {gets} GETs; {len(DANGEROUS)} dangerous URLs × "
              f"{len(STAFF_VIEWERS) + len(OUTSIDERS)} POSTs")
    assert gets >= len(URLS) * len(VIEWERS) and reverse("wagtailadmin_login")
