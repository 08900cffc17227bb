"""What makes cached public pages stale: the public version
(publishing.cache) and the changes that move it on (cms.signals)."""

import datetime

import pytest
from django.apps import apps
from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction

from cms.models import NoticeIndexPage
from publishing.cache import bump_public_version, public_content_changed, public_version
from publishing.models import Bulletin
from tests.cms.caching import cache_state
from tests.factories import ChannelFactory

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


def test_a_roll_up_refresh_that_recomputed_figures_bumps_the_version(flow, clock):
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


