"""The public site of the demo: the home page and the pages below it.

Wagtail's first migration creates a bare "Welcome to your new Wagtail site!"
page as the default site's root. As in bakerydemo's initial-data loading,
the demo removes that page (only while it is still a bare, childless
``Page``) and puts the ``HomePage`` in its place, so the site root answers
with 高平市接诉即办.

Below it: the notices (with one notice), the result board (``board``), the
bulletin archive (``bulletins``), the submit page on the public web channel
(``submit``), the track page (``track``) and the knowledge base
(``knowledge``); the home page's body gets the month's figures, cards
linking to them, the latest notices and the latest bulletins. Pages are
found by their type under the home page and made only when missing."""

import datetime
import json

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from cms.models import (
    BulletinArchivePage, HomePage, KnowledgeSearchPage, NoticeIndexPage, NoticePage, ResultBoardPage,
    SubmitRequestPage, TrackCasePage,
)
from snippets.models import Channel

TITLE = "高平市接诉即办"
INTRO = (
    "<p>高平市接诉即办指挥中心7×24小时受理群众诉求：有诉必接，马上就办。"
    "晋城12345转办事件、人民网地方领导留言板、市长信箱、今日高平/高效办、国务院客户端微信小程序、"
    "矛盾纠纷多元调解、网信办、融媒体中心帮帮团、街乡吹哨、网格重要事件十个渠道汇成一个入口，"
    "由接诉即办平台统一调度相关部门和乡镇（街道）处置。</p>"
)
BODY = [
    ("heading", "一个入口"),
    ("paragraph", RichText(
        "<p>十个诉求渠道形成一个“超级入口”，全天候、全方位、全领域接收群众诉求。"
        "您也可以通过门户网站或微信小程序在线提交，凭受理编号和查询码随时查看办理进度。</p>")),
    ("heading", "三级响应"),
    ("paragraph", RichText(
        "<p>市、乡镇（街道）、村（社区）三级指挥平台上下贯通：市级平台将属于乡镇的事项派发至二级平台，"
        "属于村（社区）的事项再转派至三级平台，调动网格员、社区工作者、志愿者等下沉力量处置；"
        "基层处置不了的，逐级“吹哨”，由上一级统一调度。</p>")),
    ("heading", "六步闭环"),
    ("paragraph", RichText(
        "<p>受理、派单、处置、反馈、评价、归档。承办单位在限定时限内办理，办结后逐案回访，"
        "以响应率、解决率、满意率“三率”考核，每件诉求建立全流程卷宗。</p>")),
]


def _bare_welcome_page(root):
    """Wagtail's default welcome page, if it is still untouched enough to remove."""
    bare = ContentType.objects.get_for_model(Page)
    page = root.get_children().filter(slug="home", content_type=bare).first()
    if page is None or page.get_children().exists():
        return None
    return page


def load_home(stats):
    """Create the home page once and make it the default site's root."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        welcome = _bare_welcome_page(root)
        if welcome is not None:
            # Site.root_page cascades on delete: point the sites elsewhere first.
            Site.objects.filter(root_page=welcome).update(root_page=root)
            welcome.delete()
            root = Page.get_first_root_node()  # fresh numchild for treebeard
        slug = "home" if not root.get_children().filter(slug="home").exists() else "gaoping"
        home = root.add_child(instance=HomePage(title=TITLE, slug=slug, hotline="12345", intro=INTRO, body=BODY))
        home.save_revision().publish()
        stats["HomePage"] += 1
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=TITLE)
        stats["Site"] += 1
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = site.site_name or TITLE
        site.save()
    return home


# (model, slug, title, fields, card text): the pages under the home page, in menu order.
PAGES = [
    (NoticeIndexPage, "notices", "通知公告", {"intro": "<p>高平市接诉即办指挥中心发布的通知、公告。</p>"},
     "中心发布的通知、公告"),
    (ResultBoardPage, "board", "办理情况红黑榜", {
        "intro": "<p>按月、按周公布全市诉求受理、办结情况和承办单位“三率”排名。样本量不足的单位只列出、不排名。</p>",
        "led_heading": "高平市接诉即办办理情况",
    }, "受理办结数据、三率排名、红黑榜"),
    (BulletinArchivePage, "bulletins", "通报简报", {"intro": "<p>接诉即办工作通报、简报、快报，可下载PDF。</p>"},
     "历期通报、简报、快报"),
    (SubmitRequestPage, "submit", "我要反映", {
        "intro": "<p>在线反映您的诉求，无需登录。提交后请记下受理编号和查询码，凭此查询办理进度。</p>",
        "success_text": "<p>我们将在规定时限内办理并答复。紧急情况请直接拨打12345。</p>",
    }, "在线提交诉求，无需登录"),
    (TrackCasePage, "track", "办件查询", {"intro": "<p>输入受理编号和查询码，查看您的诉求办理进度和答复。</p>"},
     "凭受理编号和查询码查进度"),
    (KnowledgeSearchPage, "knowledge", "政策问答", {"intro": "<p>常见问题的统一答复口径，先查一查，也许马上就有答案。</p>"},
     "常见问题统一答复口径"),
]
NOTICE = (
    "网上民声平台上线公告", "门户网站“我要反映”栏目正式上线，群众可在线提交诉求、查询办理进度。",
    [("paragraph", "<p>即日起，市民可通过门户网站“我要反映”栏目在线提交诉求，无需注册登录；"
                   "提交成功后页面显示受理编号和查询码，凭此可在“办件查询”栏目随时查看办理进度和答复。</p>"),
     ("paragraph", "<p>12345热线7×24小时人工服务不变。</p>")],
)


def _add_child(parent, page):
    parent = Page.objects.get(pk=parent.pk)  # fresh numchild for treebeard
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _free_slug(home, slug):
    taken = set(home.get_children().values_list("slug", flat=True))
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def load_pages(home, stats):
    """Create the pages under the home page that are missing: ``({slug: page}, how many were made)``."""
    pages, made = {}, 0
    web = Channel.objects.filter(code="web", is_public=True).first()
    for model, slug, title, fields, _text in PAGES:
        page = model.objects.child_of(home).first()
        if page is None:
            extra = {"channel": web} if model is SubmitRequestPage else {}
            page = _add_child(home, model(title=title, slug=_free_slug(home, slug), **fields, **extra))
            stats[model.__name__] += 1
            made += 1
            if model is NoticeIndexPage:
                notice_title, intro, body = NOTICE
                _add_child(page, NoticePage(
                    title=notice_title, slug="web-portal", date=datetime.date(2025, 9, 1), intro=intro,
                    body=[(kind, RichText(html)) for kind, html in body],
                ))
                stats["NoticePage"] += 1
        pages[slug] = page
    return pages, made


def home_blocks(pages):
    """The home page's live blocks, as raw stream data."""
    cards = [
        {"page": pages[slug].pk, "title": "", "text": text}
        for _model, slug, _title, _fields, text in PAGES if slug in pages
    ]
    return [
        {"type": "board_summary", "value": {"heading": "本月办理情况", "board": pages["board"].pk}},
        {"type": "link_cards", "value": {"heading": "我要办", "cards": cards}},
        {"type": "latest_notices", "value": {"heading": "通知公告", "count": 5}},
        {"type": "latest_bulletins", "value": {"heading": "最新通报", "count": 5}},
    ]


def load(stats):
    """The home page, the pages below it, and the home page's live blocks
    (added once: only when a page was made in this run and the body has no
    link cards yet, so an editor's later changes are kept)."""
    home = load_home(stats)
    pages, made = load_pages(home, stats)
    home = HomePage.objects.get(pk=home.pk)
    if made and not any(block.block_type == "link_cards" for block in home.body):
        home.body = json.dumps([*home.body.raw_data, *home_blocks(pages)])
        home.save_revision().publish()
    return home
