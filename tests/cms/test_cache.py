"""The public pages' cache (cms.cache): what is served from it, and what
never goes into it. What makes cached pages stale is in
``test_cache_invalidation.py``."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from wagtail import views as wagtail_views
from wagtail.models import PageViewRestriction

from publishing.cache import bump_public_version
from tests.cms.caching import cache_state


@pytest.fixture
def fake_page(monkeypatch, home):
    """Replace what Wagtail answers with ``make(request)``: a page response
    shaped by the test, served through the real cache."""

    def use(make):
        monkeypatch.setattr(wagtail_views, "serve", lambda request, path: make(request))

    return use


# --- Hits and misses -----------------------------------------------------------------------------

def test_a_second_anonymous_request_is_served_from_the_cache_without_sql(client, home, django_assert_num_queries):
    # given the home page asked for once
    first = client.get("/")
    assert first.status_code == 200 and cache_state(first) == "miss"
    # when it is asked for again
    with django_assert_num_queries(0):
        second = client.get("/")
    # then it comes from the cache, the same page, without a single query
    assert cache_state(second) == "hit"
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_the_middleware_still_applies_to_a_cached_page(client, home):
    client.get("/")
    hit = client.get("/")
    assert cache_state(hit) == "hit"
    assert hit["X-Frame-Options"] == "DENY"  # config/settings.py: no page is framed


def test_the_query_string_is_part_of_the_key(client, home):
    assert cache_state(client.get("/", {"period": "2025-09"})) == "miss"
    assert cache_state(client.get("/", {"period": "2025-09"})) == "hit"
    assert cache_state(client.get("/", {"period": "2025-10"})) == "miss"
    assert cache_state(client.get("/")) == "miss"


def test_the_host_is_part_of_the_key(client, home, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    assert cache_state(client.get("/", HTTP_HOST="a.example")) == "miss"
    assert cache_state(client.get("/", HTTP_HOST="a.example")) == "hit"
    assert cache_state(client.get("/", HTTP_HOST="b.example")) == "miss"


def test_head_is_answered_from_a_cached_get_but_stores_nothing(client, home):
    assert cache_state(client.head("/")) is None
    assert cache_state(client.get("/")) == "miss"
    assert cache_state(client.head("/")) == "hit"


def test_a_page_kept_in_the_process_needs_no_shared_entry(client, home):
    from django.core.cache import cache

    from cms.cache import local_pages

    client.get("/")
    shared = [key.split(":", 2)[2] for key in cache._cache if "minsheng:page:" in key]  # (locmem's made keys)
    assert shared
    cache.delete_many(shared)
    assert cache_state(client.get("/")) == "hit"
    local_pages.clear()
    assert cache_state(client.get("/")) == "miss"


def test_a_page_another_process_stored_is_a_hit_here(client, home):
    from cms.cache import local_pages

    client.get("/")
    local_pages.clear()  # this process never served it
    assert cache_state(client.get("/")) == "hit"


def test_on_a_shared_cache_the_version_is_read_at_most_once_a_second(client, home, monkeypatch):
    import time

    from django.core.cache import cache

    from publishing import cache as public_cache

    # given a shared cache (Redis), on which a read is a round trip
    monkeypatch.setattr(public_cache, "memo_seconds", lambda: 1.0)
    client.get("/")
    assert cache_state(client.get("/")) == "hit"
    # when another process bumps the version
    cache.incr(public_cache.VERSION_KEY)
    # then this one goes on with the page for the rest of the second, and renders it after
    assert cache_state(client.get("/")) == "hit"
    later = time.monotonic() + 1.5
    monkeypatch.setattr(public_cache.time, "monotonic", lambda: later)
    assert cache_state(client.get("/")) == "miss"


def test_a_bump_in_this_process_is_seen_at_once_even_with_a_kept_version(client, home, monkeypatch):
    from publishing import cache as public_cache

    monkeypatch.setattr(public_cache, "memo_seconds", lambda: 1.0)
    client.get("/")
    bump_public_version()
    assert cache_state(client.get("/")) == "miss"


def test_a_page_with_a_max_age_is_kept_that_long(client, fake_page):
    from django.core.cache import cache

    def page(request):
        response = HttpResponse("你好")
        patch_cache_control(response, max_age=60)
        return response

    fake_page(page)
    assert cache_state(client.get("/")) == "miss"
    (key,) = [key for key in cache._cache if "minsheng:page:" in key]
    assert 55 < cache._expire_info[key] - time.time() <= 60


# --- Never from the cache, never into it -----------------------------------------------------------

def test_a_signed_in_request_is_never_cached_nor_served_from_the_cache(client, home):
    # given the anonymous page cached
    client.get("/")
    assert cache_state(client.get("/")) == "hit"
    # when an editor signs in
    editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(editor)
    # then their requests are rendered each time, never stored
    assert cache_state(client.get("/")) is None
    assert cache_state(client.get("/", {"preview": "1"})) is None
    client.logout()
    assert cache_state(client.get("/", {"preview": "1"})) == "miss"


def test_a_request_with_a_message_waiting_is_not_served_from_the_cache(client, home):
    client.get("/")
    client.cookies["messages"] = "anything"
    assert cache_state(client.get("/")) is None


def test_a_post_is_never_cached_nor_served_from_the_cache(client, home):
    client.get("/")
    response = client.post("/", {"x": "1"})
    assert cache_state(response) is None
    bump_public_version()
    client.post("/", {"x": "1"})
    assert cache_state(client.get("/")) == "miss"


def test_a_response_that_sets_a_cookie_is_not_cached(client, fake_page):
    def page(request):
        response = HttpResponse("你好")
        response.set_cookie("visitor", "42")
        return response

    fake_page(page)
    assert cache_state(client.get("/")) is None
    assert cache_state(client.get("/")) is None


@pytest.mark.parametrize("shape", ["vary-cookie", "private", "never-cache", "max-age-0", "not-found", "redirect"])
def test_responses_for_one_visitor_or_not_ok_are_not_cached(client, fake_page, shape):
    def page(request):
        response = HttpResponse("你好")
        if shape == "vary-cookie":
            response["Vary"] = "Cookie"
        elif shape == "private":
            patch_cache_control(response, private=True)
        elif shape == "never-cache":
            add_never_cache_headers(response)
        elif shape == "max-age-0":
            patch_cache_control(response, max_age=0)
        elif shape == "not-found":
            response.status_code = 404
        elif shape == "redirect":
            response.status_code = 302
            response["Location"] = "/elsewhere/"
        return response

    fake_page(page)
    client.get("/")
    assert cache_state(client.get("/")) is None


def test_a_page_with_a_csrf_form_is_not_cached(client, fake_page):
    template = engines["django"].from_string('<form method="post">{% csrf_token %}<button>提交</button></form>')
    fake_page(lambda request: TemplateResponse(request, template, {}))
    first = client.get("/")
    assert "csrfmiddlewaretoken" in first.content.decode()
    assert cache_state(first) is None
    assert cache_state(client.get("/")) is None


def test_a_template_page_without_a_form_is_cached_once_rendered(client, fake_page):
    template = engines["django"].from_string("<p>{{ word }}</p>")
    fake_page(lambda request: TemplateResponse(request, template, {"word": "你好"}))
    assert cache_state(client.get("/")) == "miss"
    hit = client.get("/")
    assert cache_state(hit) == "hit" and hit.content == "<p>你好</p>".encode()


def test_a_private_page_is_never_cached(client, home):
    # given the home page behind a password
    PageViewRestriction.objects.create(page=home, restriction_type=PageViewRestriction.PASSWORD, password="secret")
    # then neither the password form nor anything else is kept
    first = client.get("/")
    assert first.status_code == 200 and cache_state(first) is None
    assert cache_state(client.get("/")) is None


def test_making_a_cached_page_private_takes_it_out_of_the_cache(client, home):
    client.get("/")
    assert cache_state(client.get("/")) == "hit"
    PageViewRestriction.objects.create(page=home, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/")
    assert response.status_code == 302 and cache_state(response) is None


def test_a_page_that_is_not_found_is_not_cached(client, home):
    assert client.get("/no-such-page/").status_code == 404
    assert cache_state(client.get("/no-such-page/")) is None
