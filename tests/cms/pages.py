"""The public site's pages for the page and form tests: a home page as the
default site's root and one page of each kind below it, as an editor (or
the demo) would set them up."""

import datetime
from types import SimpleNamespace

import pytest
from wagtail.models import Page, Site

from cms.models import (
    BulletinArchivePage, HomePage, KnowledgeSearchPage, NoticeIndexPage, NoticePage, ResultBoardPage,
    SubmitRequestPage, TrackCasePage,
)
from snippets.models import Channel


def add(parent, page):
    parent = Page.objects.get(pk=parent.pk)  # fresh numchild for treebeard
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def make_site(channel=None):
    """The home page as the default site's root, and the pages below it."""
    root = Page.get_first_root_node()
    home = HomePage(title="高平市接诉即办", slug="site-home", hotline="0356-12345")
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.update(root_page=home)
    if channel is None:
        channel = Channel.objects.filter(code="web").first() or Channel.objects.create(
            name="网站", code="web", is_public=True,
        )
    notices = add(home, NoticeIndexPage(title="通知公告", slug="notices"))
    notice = add(notices, NoticePage(title="春节假期热线服务安排", slug="spring", date=datetime.date(2025, 9, 20),
                                     intro="热线正常服务。"))
    return SimpleNamespace(
        home=home, notices=notices, notice=notice, channel=channel,
        board=add(home, ResultBoardPage(title="红黑榜", slug="board")),
        bulletins=add(home, BulletinArchivePage(title="通报简报", slug="bulletins")),
        submit=add(home, SubmitRequestPage(title="我要反映", slug="submit", channel=channel)),
        track=add(home, TrackCasePage(title="办件查询", slug="track")),
        knowledge=add(home, KnowledgeSearchPage(title="政策问答", slug="knowledge")),
    )


@pytest.fixture
def site(db):
    """A fresh site: the pages, and nothing else (no unit, no case)."""
    return make_site()


@pytest.fixture
def world_site(world):
    """The pages over the small 高平-like deployment of the lifecycle tests
    (``world``: its public web channel takes the submissions)."""
    return make_site(channel=world.web)
