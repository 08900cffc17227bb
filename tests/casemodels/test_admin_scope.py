"""Scope: staff of unit A cannot list, open or act on unit B's cases by any
admin URL.

The URLs are not listed by hand: every URL pattern of the ``cases`` viewset
(list, search, export, case page, history, every action form …), of the
``workbench`` (each inbox and its results) and every bulk action registered
for cases is found at test time from the URL resolver and the bulk action
registry, so a screen added later is covered without touching this file."""

import pytest
from django.core.cache import cache
from django.urls import URLResolver, get_resolver, reverse
from wagtail.admin.views.bulk_action.registry import bulk_action_registry

from casemodels.services import request_extension, request_return
from tests.factories import StaffFactory

from .conftest import snapshot

NAMESPACES = {"cases", "workbench"}


def admin_patterns():
    """(namespaced name, route kwargs) of every URL pattern in NAMESPACES."""

    def walk(patterns, namespaces=()):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, namespaces + ((pattern.namespace,) if pattern.namespace else ()))
            elif namespaces and namespaces[-1] in NAMESPACES and pattern.name:
                yield ":".join((*namespaces, pattern.name)), sorted(pattern.pattern.converters)

    return list(walk(get_resolver().url_patterns))


PATTERNS = admin_patterns()
OBJECT_URLS = [name for name, kwargs in PATTERNS if "pk" in kwargs]
LIST_URLS = [name for name, kwargs in PATTERNS if not kwargs]


def test_the_url_walk_finds_the_screens():
    # guard against a walk that silently finds nothing
    assert {"cases:index", "cases:inspect", "workbench:to_dispatch", "workbench:overdue_results"} <= {
        name for name, _kwargs in PATTERNS
    }
    assert len(OBJECT_URLS) >= 2
    assert {a.action_type for a in bulk_action_registry.get_bulk_actions_for_model("casemodels", "case")} >= {
        "dispatch", "sign",
    }


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unit_b_cases(world, flow):
    """Cases of the second township (三甲镇) in several states (each with its
    own phone number), one of them
    received by the township itself, one with a pending return and one with
    a pending extension request."""
    received = flow.received(acting_user=world.town_b_dispatcher, citizen_phone="13900001111")
    dispatched = flow.dispatched(unit=world.town_b, citizen_phone="13900002222")
    handling = flow.handling(unit=world.town_b, signer=world.town_b_handler, citizen_phone="13900003333")
    returning = flow.handling(unit=world.town_b, signer=world.town_b_handler, citizen_phone="13900004444")
    request_return(returning, acting_user=world.town_b_handler, reason="不属于本镇")
    extending = flow.handling(unit=world.town_b, signer=world.town_b_handler, citizen_phone="13900005555")
    request_extension(extending, acting_user=world.town_b_handler, working_days=2, reason="需协调")
    return [received, dispatched, handling, returning, extending]


@pytest.fixture(params=["handler", "every_role"])
def unit_a_user(request, world):
    """A handler of 米山镇, and a 米山镇 account holding every staff role."""
    if request.param == "handler":
        return world.town_handler
    roles = ["handler", "unit_leader", "dispatcher", "visitor", "supervisor", "administrator"]
    return StaffFactory(unit=world.town_a, roles=roles).user


def refused(response):
    """Not found, forbidden, or Wagtail's answer to PermissionDenied in the
    admin (a redirect to the admin home)."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def traces(case, params):
    """What would show a case on a page: a link to its page, its phone, and
    its number (unless the number was the search, which the search box echoes)."""
    found = {reverse("cases:inspect", args=[case.pk]), case.citizen_phone}
    if case.number not in params.values():
        found.add(case.number)
    return found


def test_lists_searches_exports_and_inboxes_never_show_unit_bs_cases(client, unit_a_user, unit_b_cases):
    client.force_login(unit_a_user)
    seen = []
    # the plain list, its export, a search for each case's number, and the
    # intake desk's suggestions for a case's very words
    queries = [{}, {"export": "csv"}, *({"q": c.number} for c in unit_b_cases),
               {"content": unit_b_cases[0].content, "title": unit_b_cases[0].title}]
    for name in LIST_URLS:
        for params in queries:
            response = client.get(reverse(name), params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            body = body.decode(errors="replace")
            seen += [(name, params, t) for case in unit_b_cases for t in traces(case, params) if t in body]
    assert seen == []


def test_every_case_url_refuses_unit_bs_case_and_changes_nothing(client, unit_a_user, unit_b_cases):
    client.force_login(unit_a_user)
    before = [snapshot(c) for c in unit_b_cases]
    opened = []
    for name in OBJECT_URLS:
        for case in unit_b_cases:
            url = reverse(name, kwargs={"pk": case.pk})
            for method, data in (("get", None), ("post", {"unit": "", "note": "x", "reason": "x", "reply": "x"})):
                response = getattr(client, method)(url, data)
                if not refused(response):
                    opened.append((name, method, case.number, response.status_code))
    assert opened == []
    assert [snapshot(c) for c in unit_b_cases] == before


def test_every_bulk_action_refuses_unit_bs_cases_and_changes_nothing(client, unit_a_user, unit_b_cases):
    client.force_login(unit_a_user)
    before = [snapshot(c) for c in unit_b_cases]
    ids = "&".join(f"id={c.pk}" for c in unit_b_cases)
    for action in bulk_action_registry.get_bulk_actions_for_model("casemodels", "case"):
        url = reverse("wagtail_bulk_action", args=["casemodels", "case", action.action_type]) + f"?{ids}&next=/admin/"
        assert client.get(url).status_code == 404, action.action_type
        assert client.post(url, {"unit": ""}).status_code == 404, action.action_type
    assert [snapshot(c) for c in unit_b_cases] == before


def test_the_home_page_shows_nothing_of_unit_b(client, unit_a_user, unit_b_cases):
    client.force_login(unit_a_user)
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert not any(c.number in body for c in unit_b_cases)
