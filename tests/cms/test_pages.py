"""The public site's pages: each renders on a fresh site and over real
cases; the board's period selector and its errors, the LED mode, the
bulletin archive, the knowledge base, the home page's live blocks, the
navigation; masking and confidential cases."""

import datetime
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from wagtail.documents import get_document_model
from wagtail.models import Revision

from casemodels.models import Case
from casemodels.services import record_return_visit, reply_case, sign_case
from casemodels.services.rollups import refresh_rollups
from cms.demo import policies
from cms.demo import site as demo_site
from cms.models import HomePage, ResultBoardPage
from cms.models.board import period_choices
from cms.templatetags.cms_tags import percent
from publishing.models import Bulletin
from snippets.models import AssessmentScheme, ReplyTemplate
from tests.casemodels.conftest import local
from tests.cms.pages import add
from tests.factories import DirectoryItemFactory

HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def text_of(response):
    """The page's text, without tags and scripts, spaces squeezed."""
    html = re.sub(r"<(script|style|svg).*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- a fresh site ------------------------------------------------------------------------------

@pytest.mark.parametrize(("attribute", "expected"), [
    ("home", "Ways to reach us"),
    ("notices", "春节假期热线服务安排"),
    ("board", "Red and black lists"),
    ("bulletins", "No bulletin has been published yet."),
    ("submit", "Submit the request"),
    ("track", "Look it up"),
    ("knowledge", "The knowledge base is empty for now."),
])
def test_every_page_renders_on_a_fresh_site(client, site, attribute, expected):
    # given a site with its pages and no data at all, when each page is opened
    response = client.get(getattr(site, attribute).url)
    # then it answers, with its own content, the navigation and the hotline in the footer
    assert response.status_code == 200
    text = text_of(response)
    assert expected in text
    assert "0356-12345" in text


def test_the_navigation_lists_the_live_pages_under_the_home_page(client, site):
    # given a draft page added under the home page
    draft = ResultBoardPage(title="草稿页面", slug="draft", live=False)
    site.home.add_child(instance=draft)
    # when a page is opened
    html = client.get(site.track.url).content.decode()
    nav = html[html.index('class="site-nav"'):html.index("</nav>")]
    # then the navigation links home and every live page, in order, marks the current one, and leaves the draft out
    titles = re.findall(r">([^<>]+)</a>", nav)
    assert titles == ["Home", "通知公告", "红黑榜", "通报简报", "我要反映", "办件查询", "政策问答"]
    assert f'href="{site.track.url}" aria-current="page"' in nav
    assert "草稿页面" not in nav


def test_the_home_page_shows_its_live_blocks(client, site):
    # given a home page with the board summary, link cards (one to an unpublished page), notices and bulletins
    unpublished = add(site.home, ResultBoardPage(title="旧榜单", slug="old-board"))
    unpublished.unpublish()
    home = HomePage.objects.get(pk=site.home.pk)
    home.body = [
        ("heading", "一个入口"),
        ("board_summary", {"heading": "本月办理情况", "board": site.board}),
        ("link_cards", {"heading": "我要办", "cards": [
            {"page": site.submit, "title": "", "text": "在线提交"},
            {"page": unpublished, "title": "旧的", "text": ""},
        ]}),
        ("latest_notices", {"heading": "", "count": 3}),
        ("latest_bulletins", {"heading": "", "count": 3}),
    ]
    home.save_revision().publish()
    published_bulletin("《宁呼我应》", 2025, 168)
    # when the home page is opened
    response = client.get("/")
    text = text_of(response)
    # then each block shows its content: the figures with a link to the board, the cards, notices, bulletins
    assert response.status_code == 200
    assert "<h2>一个入口</h2>" in response.content.decode()
    assert "本月办理情况" in text and "Received" in text and "Satisfaction rate" in text
    assert f'href="{site.board.url}"' in response.content.decode()
    assert "我要反映" in text and "在线提交" in text and "旧的" not in text
    assert "春节假期热线服务安排" in text
    assert "《宁呼我应》 2025 No. 168" in text


# --- the result board ---------------------------------------------------------------------------

def test_the_period_selector_offers_months_weeks_and_years():
    # given a day in October 2025 (a Wednesday of ISO week 41)
    groups = dict(period_choices(datetime.date(2025, 10, 8)))
    months, weeks, years = groups["Months"], groups["Weeks"], groups["Years"]
    # then the last 12 months, the last 8 ISO weeks and this year and last are offered, newest first
    assert [value for value, _label in months] == [
        "2025-10", "2025-09", "2025-08", "2025-07", "2025-06", "2025-05", "2025-04", "2025-03", "2025-02",
        "2025-01", "2024-12", "2024-11"]
    assert [value for value, _label in weeks] == [f"2025-W{w}" for w in range(41, 33, -1)]
    assert [value for value, _label in years] == ["2025", "2024"]
    assert weeks[0][1].startswith("Week 41 of 2025")


def test_the_board_shows_the_current_month_by_default(client, world_site):
    # given the clock at 30 September 2025 (Shanghai), when the board is opened without a period
    response = client.get(world_site.board.url)
    # then September is chosen in the selector
    assert response.status_code == 200
    assert '<option value="2025-09" selected>' in response.content.decode()
    assert "Figures for September 2025" in text_of(response)


@pytest.mark.parametrize("period", ["2025-13", "last-month", "2025-W54"])
def test_a_bad_period_gives_400_with_a_message_naming_it(client, site, period):
    # when the board is asked for a period that is not one
    response = client.get(site.board.url, {"period": period})
    # then the page says so, naming it, with a way back and the selector still there
    assert response.status_code == 400
    text = text_of(response)
    assert f"“{period}” is not a period" in text
    assert "Show the current month" in text
    assert 'name="period"' in response.content.decode()


@pytest.fixture
def september(world, flow, clock):
    """September 2025 through the services (now: 30 September, 10:00).

    住建局 closes two cases and 水务局 two (one signed for a day late), so
    both are ranked (minimum sample 2); 米山镇 closes one (not ranked). One
    of 住建局's cases is published, its reply naming the citizen and her
    phone; a confidential one, published by mistake, must never show."""
    w = world
    AssessmentScheme.objects.create(name="部门考评", unit_kind="department", min_sample=2)
    AssessmentScheme.objects.create(name="乡镇考评", unit_kind="township", min_sample=2)
    item = DirectoryItemFactory(name="路灯维修", code="LD")
    clock.move_to(local(2025, 9, 8, 9))
    plan = [(w.dept, w.dept_handler)] * 2 + [(w.dept2, w.dept2_handler)] * 2 + [(w.town_a, w.town_handler)]
    cases = [flow.dispatched(unit=u, directory_item=item, region=w.village_a_r, citizen_name="王小红",
                             citizen_phone="13812345678") for u, _h in plan]
    secret = flow.dispatched(unit=w.dept, directory_item=item, is_confidential=True, title="举报某单位违规收费",
                             citizen_name="赵六", citizen_phone="13700001111")
    clock.shift(HOUR)
    for case, (_u, handler) in zip(cases, plan):
        if case is not cases[2]:
            sign_case(case, acting_user=handler)
    sign_case(secret, acting_user=w.dept_handler)
    clock.shift(25 * HOUR)
    sign_case(cases[2], acting_user=w.dept2_handler)
    for case, (_u, handler) in zip(cases, plan):
        reply = "已联系王小红（13812345678），路灯已修复。" if case is cases[0] else "已处理。"
        reply_case(case, acting_user=handler, reply=reply)
        record_return_visit(case, acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    reply_case(secret, acting_user=w.dept_handler, reply="已核查。")
    record_return_visit(secret, acting_user=w.visitor, satisfaction="satisfied", resolved=True)
    Case.objects.filter(pk__in=[cases[0].pk, secret.pk]).update(is_public=True)
    clock.move_to(local(2025, 9, 30, 10))
    refresh_rollups()
    return cases, secret


def test_the_board_shows_figures_rankings_lists_and_masked_recent_cases(client, world_site, september):
    cases, secret = september
    # when September's board is opened
    response = client.get(world_site.board.url, {"period": "2025-09"})
    html, text = response.content.decode(), text_of(response)
    assert response.status_code == 200
    # then the period's figures show, rates as percentages with one decimal
    assert "Received 6" in text and "Closed 6" in text
    assert "Response rate 83.3%" in text  # five of six signed for on time
    # the departments are ranked, 住建局 first, each on its list; 米山镇 is marked, not ranked
    assert re.search(r"Red list · [^<]+</h3>\s*<ol[^>]*>\s*<li><span class=\"ranklist__rank\">1</span> "
                     r"<span class=\"ranklist__name\">住建局", html)
    assert "Black list" in text and "水务局" in text
    assert re.search(r"sample too small, not ranked\s*</span></td>\s*<th scope=\"row\">米山镇政府", html)
    # the hot items and the trend charts come from the figures
    assert "路灯维修" in text
    assert html.count("<svg") >= 4
    # the published case is listed, its reply masked; the confidential one never
    assert cases[0].number in text
    assert "138****5678" in text and "13812345678" not in html
    assert "王小红" not in html and "王**" in text
    assert secret.number not in html and "举报某单位违规收费" not in html


def test_the_led_mode_is_a_full_screen_page_that_rotates_and_reloads(client, world_site, september):
    # given a board whose panels turn every 20 seconds and which reloads every 10 minutes
    ResultBoardPage.objects.filter(pk=world_site.board.pk).update(led_rotate_seconds=20, led_refresh_seconds=600)
    # when its LED route is opened
    response = client.get(world_site.board.url + "led/", {"period": "2025-09"})
    html, text = response.content.decode(), text_of(response)
    # then it is a page of its own: no site header, the panels, the script and the timings
    assert response.status_code == 200
    assert "site-header" not in html and "site-nav" not in html
    assert 'data-rotate-seconds="20"' in html and 'data-refresh-seconds="600"' in html
    assert '<meta http-equiv="refresh" content="600">' in html
    assert "cms/led.js" in html and "cms/led.css" in html
    assert {"figures", "red", "black", "trend", "items"} <= set(re.findall(r'data-panel="(\w+)"', html))
    assert "Response rate 83.3%" in text and "住建局" in text
    assert "13812345678" not in html


def test_the_led_mode_names_a_bad_period(client, site):
    response = client.get(site.board.url + "led/", {"period": "2025-00"})
    assert response.status_code == 400
    assert "“2025-00” is not a period" in text_of(response)


# --- bulletins ---------------------------------------------------------------------------------

def published_bulletin(series, year, number, *, published=True, period_label="", content=b"%PDF-1.4 test"):
    """A bulletin with a PDF document (``series`` a name; a series row is made when the model links one)."""
    document = get_document_model().objects.create(title=f"{series}{year}-{number}")
    document.file.save(f"bulletin-{year}-{number}.pdf", ContentFile(content), save=True)
    series_field = Bulletin._meta.get_field("series")
    if series_field.is_relation:
        series = series_field.related_model.objects.get_or_create(name=series)[0]
    return Bulletin.objects.create(series=series, year=year, number=number, period_label=period_label,
                                   document=document, is_published=published)


def test_the_archive_lists_published_bulletins_newest_first_with_their_pdf(client, site):
    # given two published bulletins and a draft
    older = published_bulletin("《宁呼我应》", 2025, 167, period_label="2025年9月")
    newer = published_bulletin("《督查快报》", 2025, 12, period_label="第41周")
    Bulletin.objects.filter(pk=older.pk).update(published_at=newer.published_at - datetime.timedelta(days=7))
    published_bulletin("《宁呼我应》", 2025, 168, published=False)
    # when the archive is opened
    response = client.get(site.bulletins.url)
    html, text = response.content.decode(), text_of(response)
    # then the published ones are listed, newest first, each with its period, PDF link and size; the draft is not
    assert response.status_code == 200
    assert text.index("《督查快报》 2025 No. 12") < text.index("《宁呼我应》 2025 No. 167")
    assert "No. 168" not in text
    assert "2025年9月" in text and "第41周" in text
    assert f'href="{newer.document.url}"' in html and "13 bytes" in text


def test_the_archive_filters_by_series_and_year(client, site):
    published_bulletin("《宁呼我应》", 2024, 150)
    published_bulletin("《宁呼我应》", 2025, 167)
    published_bulletin("《督查快报》", 2025, 12)
    page = client.get(site.bulletins.url)
    series = dict((name, key) for key, name in page.context["series_options"])
    # when filtered by series, by year, and by both
    by_series = text_of(client.get(site.bulletins.url, {"series": series["《宁呼我应》"]}))
    by_year = text_of(client.get(site.bulletins.url, {"year": "2025"}))
    both = text_of(client.get(site.bulletins.url, {"series": series["《宁呼我应》"], "year": "2024"}))
    nothing = client.get(site.bulletins.url, {"year": "abc"})
    # then each shows what it asks for
    assert "No. 150" in by_series and "No. 167" in by_series and "No. 12" not in by_series
    assert "No. 150" not in by_year and "No. 167" in by_year and "No. 12" in by_year
    assert "No. 150" in both and "No. 167" not in both
    assert nothing.status_code == 200 and "No bulletin matches this choice." in text_of(nothing)


def test_the_archive_is_paginated_by_twenty(client, site):
    for number in range(1, 23):
        published_bulletin("《宁呼我应》", 2025, number)
    first, second = client.get(site.bulletins.url), client.get(site.bulletins.url, {"page": 2})
    assert len(first.context["items"]) == 20 and len(second.context["items"]) == 2
    assert "Page 1 of 2" in text_of(first) and 'href="?page=2"' in first.content.decode()


# --- the knowledge base --------------------------------------------------------------------------

@pytest.fixture
def templates(db):
    item = DirectoryItemFactory(name="供暖", code="C11")
    heating = ReplyTemplate.objects.create(
        title="暖气不热·室温标准答复", keywords="暖气不热,室温",
        body="{{ citizen_name }}您好，您反映的“{{ title }}”已收悉。室温应不低于18℃，{{ unit }}将于24小时内上门测温。",
        policy_basis="《山西省城市供热条例》",
    )
    heating.directory_items.add(item)
    hidden = ReplyTemplate.objects.create(title="暖气停用口径（内部）", keywords="暖气", body="内部口径，暂停使用。",
                                          is_active=False)
    water = ReplyTemplate.objects.create(title="停水答复", keywords="停水", body="管网检修，当日恢复供水。")
    return heating, hidden, water


def test_an_answer_for_staff_only_is_never_found(client, site, templates):
    staff_only = ReplyTemplate.objects.create(title="暖气投诉内部处置要点", keywords="暖气", body="先核实用户缴费情况。",
                                              is_public=False)
    for query in ("暖气", "内部处置", "缴费"):
        assert staff_only.title not in text_of(client.get(site.knowledge.url, {"q": query}))
    assert staff_only.title not in text_of(client.get(site.knowledge.url))


def test_the_knowledge_base_finds_a_public_answer_and_never_a_withdrawn_one(client, site, templates):
    heating, hidden, _water = templates
    # when a citizen asks in their own words
    response = client.get(site.knowledge.url, {"q": "我家暖气不热怎么办"})
    text = text_of(response)
    # then the heating answer is found, in general words: the greeting to one citizen left out
    assert heating.title in text and "室温应不低于18℃，the handling unit将于24小时内上门测温。" in text
    assert "您好" not in text and "{{" not in text
    assert "《山西省城市供热条例》" in text
    # and the withdrawn template is found by no query
    for query in ("暖气", "内部口径", "暖气停用口径"):
        assert hidden.title not in text_of(client.get(site.knowledge.url, {"q": query}))


def test_the_knowledge_base_without_a_query_shows_categories_and_answers(client, site, templates):
    heating, hidden, water = templates
    response = client.get(site.knowledge.url)
    text = text_of(response)
    assert "Categories" in text and "供暖" in text
    assert heating.title in text and water.title in text and hidden.title not in text
    # a category keeps its own answers
    in_category = text_of(client.get(site.knowledge.url, {"category": "C11"}))
    assert heating.title in in_category and water.title not in in_category


def test_a_search_that_finds_nothing_says_so(client, site, templates):
    text = text_of(client.get(site.knowledge.url, {"q": "火星移民"}))
    assert "Nothing found" in text


# --- the admin -----------------------------------------------------------------------------------

def test_editors_can_open_every_page_in_the_admin(client, site, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("editor", "editor@example.com", "pw"))
    for name in ("home", "notices", "notice", "board", "bulletins", "submit", "track", "knowledge"):
        page = getattr(site, name)
        assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200, name


# --- the demo ------------------------------------------------------------------------------------

def test_the_demo_site_has_every_page_linked_from_the_home_page_once(client, db):
    # given the demo's channels and site, loaded twice
    stats = Counter()
    policies.load_channels(stats)
    home = demo_site.load(stats)
    revisions = Revision.objects.count()
    again = Counter()
    demo_site.load(again)
    # then the second run made nothing
    assert not any(again.values()) and Revision.objects.count() == revisions
    # and the home page links every page, each of which answers; the submit page takes the public web channel
    html = client.get("/").content.decode()
    for slug in ("notices", "board", "bulletins", "submit", "track", "knowledge"):
        page = home.get_children().get(slug=slug).specific
        assert html.count(f'href="{page.url}"') >= 2  # the navigation and a card
        assert client.get(page.url).status_code == 200
    submit = home.get_children().get(slug="submit").specific
    assert submit.channel.code == "web" and submit.channel.is_public


# --- rates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("rate", "shown"), [
    (Decimal("0.875"), "87.5%"), (Decimal("1"), "100.0%"), (Decimal("0"), "0.0%"), (Decimal("0.83335"), "83.3%"),
    (Decimal("0.66666"), "66.7%"), (0.5, "50.0%"), (None, "—"), ("", "—"), ("n/a", "—"),
])
def test_rates_show_as_percentages_with_one_decimal(rate, shown):
    assert percent(rate) == shown
