"""Notice pages over /graphql/ (notices, notice) and on the site: live,
public pages only; drafts, unpublished and restricted pages never."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.images import ImageFile
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Page, PageViewRestriction, Site

from cms.models import HomePage, NoticeIndexPage, NoticePage

NOTICES = (Path(settings.BASE_DIR) / "graphql" / "operations" / "notices.graphql").read_text(encoding="utf-8")
LIST = "query($first: Int) { notices(first: $first) { slug title date intro } }"
ONE = "query($slug: String!) { notice(slug: $slug) { slug title bodyHtml blocks { type text html imageUrl } } }"


def paragraph(html):
    return ("paragraph", html)


def notice(parent, slug, *, date=datetime.date(2025, 10, 1), body=(), live=True, **kwargs):
    """A notice saved as a draft, and published unless ``live=False``, as an editor would."""
    page = NoticePage(title=kwargs.pop("title", f"公告 {slug}"), slug=slug, date=date, body=list(body), live=False,
                      **kwargs)
    parent.add_child(instance=page)
    revision = page.save_revision(log_action=False)
    if live:
        revision.publish(log_action=False)
        page.refresh_from_db()
    return page


@pytest.fixture
def site(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="高平市接诉即办", slug="gaoping"))
    Site.objects.update(root_page=home)
    index = home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    return index


def png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 20), "red").save(buffer, "PNG")
    return ImageFile(buffer, name="notice.png")


@pytest.fixture
def image(db):
    return Image.objects.create(title="服务大厅", file=png())


def titles(gql, first=20):
    body = gql(LIST, {"first": first})
    assert "errors" not in body, body
    return [n["slug"] for n in body["data"]["notices"]]


def test_notices_lists_live_notices_newest_first(gql, site):
    # given two live notices of different dates
    notice(site, "older", date=datetime.date(2025, 9, 1), intro="九月")
    notice(site, "newer", date=datetime.date(2025, 10, 8), intro="十月")
    # when the list is asked for, then the newest comes first with its date and introduction
    body = gql(LIST)
    assert body["data"]["notices"] == [
        {"slug": "newer", "title": "公告 newer", "date": "2025-10-08", "intro": "十月"},
        {"slug": "older", "title": "公告 older", "date": "2025-09-01", "intro": "九月"},
    ]
    assert titles(gql, first=1) == ["newer"]


def test_a_notice_comes_with_its_body_as_html_and_as_blocks(gql, site, image):
    # given a notice with a heading, a paragraph with markup and an image
    notice(site, "service-hours", title="国庆假期服务安排", body=[
        ("heading", "服务时间"),
        paragraph("<p>12345热线<b>全天候</b>受理。</p>"),
        ("image", {"image": image, "caption": "服务大厅"}),
    ])
    # when the documented operation asks for it
    body = gql(NOTICES)
    assert "errors" not in body, body
    page = body["data"]["notice"]
    # then the body is rendered HTML, and the blocks give plain text, HTML and the image's address
    assert page["title"] == "国庆假期服务安排"
    assert "<b>全天候</b>" in page["bodyHtml"] and "<figcaption>服务大厅</figcaption>" in page["bodyHtml"]
    assert [(b["type"], b["text"]) for b in page["blocks"]] == [
        ("heading", "服务时间"), ("paragraph", "12345热线全天候受理。"), ("image", "服务大厅")]
    assert page["blocks"][1]["html"] == "<p>12345热线<b>全天候</b>受理。</p>"
    assert page["blocks"][2]["imageUrl"].endswith(".png") and page["blocks"][0]["imageUrl"] is None
    assert page["url"] == "http://localhost/notices/service-hours/"
    assert [n["slug"] for n in body["data"]["notices"]] == ["service-hours"]


def test_a_draft_is_never_exposed(gql, site):
    # given a notice saved as a draft only (never published)
    notice(site, "draft", live=False)
    # then neither the list nor the slug finds it
    assert titles(gql) == []
    assert gql(ONE, {"slug": "draft"})["data"]["notice"] is None


def test_an_unpublished_notice_is_never_exposed(gql, site):
    # given a notice that was published, then unpublished
    page = notice(site, "withdrawn")
    assert titles(gql) == ["withdrawn"]
    page.unpublish()
    assert titles(gql) == []
    assert gql(ONE, {"slug": "withdrawn"})["data"]["notice"] is None


def test_an_expired_notice_is_not_exposed(gql, site):
    page = notice(site, "expired")
    page.expire_at = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    page.save_revision(log_action=False).publish(log_action=False)
    assert titles(gql) == ["expired"]
    # when Wagtail's scheduled publishing takes expired pages down, then it is gone
    call_command("publish_scheduled", verbosity=0)  # Wagtail's command that takes expired pages down
    assert gql(ONE, {"slug": "expired"})["data"]["notice"] is None


@pytest.mark.parametrize("restricted", ["page", "index"])
def test_a_restricted_notice_is_never_exposed(gql, site, restricted):
    # given a live notice behind a password, on the page itself or on the index above it
    page = notice(site, "private")
    notice(site, "open")
    target = page if restricted == "page" else site
    PageViewRestriction.objects.create(page=target, restriction_type=PageViewRestriction.PASSWORD, password="pw")
    # then it is left out (and with it everything below a restricted index)
    expected = ["open"] if restricted == "page" else []
    assert titles(gql) == expected
    assert gql(ONE, {"slug": "private"})["data"]["notice"] is None


def test_a_login_restricted_notice_is_not_exposed(gql, site):
    page = notice(site, "staff-only")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert gql(ONE, {"slug": "staff-only"})["data"]["notice"] is None


def test_unpublished_draft_changes_of_a_live_notice_stay_hidden(gql, site):
    # given a live notice whose editor saved changes as a draft without publishing them
    page = notice(site, "hours", body=[paragraph("<p>已发布的内容</p>")])
    page.title = "草稿标题"
    page.body = [paragraph("<p>草稿内容</p>")]
    page.save_revision(log_action=False)
    # then the public sees the published title and body
    found = gql(ONE, {"slug": "hours"})["data"]["notice"]
    assert found["title"] == "公告 hours"
    assert "已发布的内容" in found["bodyHtml"] and "草稿" not in json.dumps(found, ensure_ascii=False)


def test_notices_first_is_checked(gql, site):
    body = gql(LIST, {"first": 0})
    assert body["data"] is None and "0" in body["errors"][0]["message"]


def test_the_notice_pages_render_on_the_site(client, site):
    notice(site, "hours", title="服务时间调整", intro="自十月起", body=[paragraph("<p>8:00-18:00</p>")])
    hidden = notice(site, "hidden", title="未公开")
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.PASSWORD, password="pw")
    index = client.get("/notices/").content.decode()
    assert "服务时间调整" in index and "自十月起" in index and "未公开" not in index
    assert "8:00-18:00" in client.get("/notices/hours/").content.decode()


@pytest.mark.django_db
def test_notice_pages_sit_under_the_home_page_and_the_index():
    assert NoticeIndexPage.parent_page_types == ["cms.HomePage"]
    assert NoticePage.parent_page_types == ["cms.NoticeIndexPage"]
    assert NoticeIndexPage.can_create_at(HomePage()) and not NoticePage.can_create_at(HomePage())
