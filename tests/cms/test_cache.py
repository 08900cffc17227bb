"""The public pages' cache (cms.cache) and the public version that makes
cached pages stale (publishing.cache, cms.signals)."""

import datetime
import time

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from wagtail import views as wagtail_views
from wagtail.models import Page, PageViewRestriction, Site

from cms.cache import HEADER
from cms.models import HomePage, NoticeIndexPage
from publishing.cache import bump_public_version, public_content_changed, public_version
from publishing.models import Bulletin
from tests.casemodels.conftest import calendar, clock, flow, world  # noqa: F401 (fixtures)
from tests.factories import ChannelFactory


@pytest.fixture
def home(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="高平市接诉即办", slug="cache-home", hotline="12345"))
    Site.objects.update(root_page=home)
    return home


def cache_state(response):
    return response.get(HEADER)


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
    assert hit["X-Frame-Options"] == "SAMEORIGIN"


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


# --- Invalidation ----------------------------------------------------------------------------------

def test_publishing_a_page_makes_the_next_request_render_the_new_content(client, home):
    # given the home page cached
    client.get("/")
    assert cache_state(client.get("/")) == "hit"
    version = public_version()
    # when an editor publishes a new title
    home.title = "高平市接诉即办中心"
    home.save_revision().publish()
    # then the version moved on and the next request renders the page again
    assert public_version() > version
    response = client.get("/")
    assert cache_state(response) == "miss"
    assert "高平市接诉即办中心" in response.content.decode()
    assert cache_state(client.get("/")) == "hit"


def test_a_bump_makes_every_cached_page_stale(client, home):
    client.get("/")
    client.get("/", {"page": "2"})
    bump_public_version()
    assert cache_state(client.get("/")) == "miss"
    assert cache_state(client.get("/", {"page": "2"})) == "miss"


def test_a_missing_version_starts_afresh_and_never_reuses_an_entry(client, home):
    from django.core.cache import cache

    from publishing.cache import VERSION_KEY

    client.get("/")
    cache.delete(VERSION_KEY)  # evicted
    assert cache_state(client.get("/")) == "miss"
    assert cache_state(client.get("/")) == "hit"


def changes(home):
    """Each change that the public pages may show, as a callable."""

    def unpublish():
        home.unpublish()

    def add_and_move():
        index = home.add_child(instance=NoticeIndexPage(title="公告", slug="notices"))
        other = home.add_child(instance=NoticeIndexPage(title="旧公告", slug="old-notices"))
        bump_public_version()  # (adding them is not what is tested)
        before = public_version()
        other.move(index, pos="last-child")
        return before

    def delete_page():
        child = home.add_child(instance=NoticeIndexPage(title="公告", slug="notices"))
        before = public_version()
        child.delete()
        return before

    def channel_saved():
        ChannelFactory(name="市长信箱", code="mayor")

    def restricted():
        PageViewRestriction.objects.create(page=home, restriction_type=PageViewRestriction.LOGIN)

    return {"unpublish": unpublish, "move": add_and_move, "delete": delete_page, "channel": channel_saved,
            "restriction": restricted}


@pytest.mark.parametrize("change", ["unpublish", "move", "delete", "channel", "restriction"])
def test_changes_the_public_sees_bump_the_version(home, change):
    before = public_version()
    returned = changes(home)[change]()
    before = returned if returned is not None else before
    assert public_version() > before


@pytest.mark.parametrize("label", ["publishing.Bulletin", "publishing.BulletinSeries", "publishing.TypicalCase",
                                   "snippets.ReplyTemplate", "snippets.Unit", "snippets.DirectoryItem",
                                   "snippets.Region", "wagtailcore.Site"])
@pytest.mark.parametrize("signal", [post_save, post_delete])
def test_rows_shown_on_pages_bump_the_version_when_saved_or_deleted(db, label, signal):
    # (the signal as the model sends it: the receivers are connected per model)
    model = apps.get_model(label)
    before = public_version()
    signal.send(sender=model, instance=model(), created=True, raw=False, using="default", update_fields=None)
    assert public_version() > before


def test_rows_loaded_from_fixtures_do_not_bump(db):
    before = public_version()
    post_save.send(sender=Bulletin, instance=Bulletin(), created=True, raw=True, using="default", update_fields=None)
    assert public_version() == before


def test_other_models_keep_django_fast_deletes(db):
    from casemodels.models import UnitDayFigures

    assert not post_delete.has_listeners(UnitDayFigures)


def test_a_draft_revision_changes_nothing_the_public_sees(home):
    before = public_version()
    home.title = "草稿标题"
    home.save_revision()
    assert public_version() == before


def test_a_change_in_a_transaction_bumps_again_once_on_commit(home, django_capture_on_commit_callbacks):
    # given several rows saved in one transaction (an import)
    with django_capture_on_commit_callbacks() as callbacks:
        for i in range(5):
            ChannelFactory(name=f"渠道{i}", code=f"ch{i}")
    # then the version moved on with each save, and one bump waits for the commit
    assert [c.__name__ for c in callbacks].count("bump_public_version") == 1
    before = public_version()
    callbacks[[c.__name__ for c in callbacks].index("bump_public_version")]()
    assert public_version() == before + 1


def test_public_content_changed_outside_a_transaction_bumps_once(transactional_db):
    before = public_version()
    public_content_changed()
    assert public_version() == before + 1


def test_a_roll_up_refresh_that_recomputed_figures_bumps_the_version(flow, clock):  # noqa: F811
    from casemodels.services.rollups import refresh_rollups

    flow.dispatched()
    before = public_version()
    run = refresh_rollups()  # the first refresh rebuilds
    assert run.days >= 1
    assert public_version() > before
    # a refresh that finds nothing to recompute leaves the pages alone (the second one
    # after the change: each looks back a little before the last)
    clock.shift(datetime.timedelta(hours=1))
    refresh_rollups()
    clock.shift(datetime.timedelta(hours=1))
    before = public_version()
    run = refresh_rollups()
    assert (run.days, public_version()) == (0, before)


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
