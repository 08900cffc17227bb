"""resultBoard and bulletins over /graphql/, as an anonymous caller."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents.models import Document

from casemodels.services import record_return_visit, reply_case, sign_case
from casemodels.services.rollups import refresh_rollups
from publishing.models import Bulletin, BulletinSeries
from snippets.models import AssessmentScheme, Level, Unit
from tests.casemodels.conftest import local
from tests.factories import StaffFactory, UnitFactory

OPERATIONS = Path(settings.BASE_DIR) / "graphql" / "operations"
BOARD = (OPERATIONS / "result_board.graphql").read_text(encoding="utf-8")
BULLETINS = (OPERATIONS / "bulletins.graphql").read_text(encoding="utf-8")


def close(world, case, handler):
    sign_case(case, acting_user=handler)
    reply_case(case, acting_user=handler, reply="已处理。")
    return record_return_visit(case, acting_user=world.visitor, satisfaction="satisfied", resolved=True)


@pytest.fixture
def october(world, flow, clock):
    """October 2025: 住建局 closes two cases; 水务局 has one dispatched and
    not yet signed; 米山镇 closes one (the township scheme needs two)."""
    AssessmentScheme.objects.create(name="部门考评", unit_kind="department", min_sample=1)
    AssessmentScheme.objects.create(name="乡镇考评", unit_kind="township", min_sample=2)
    clock.move_to(local(2025, 10, 13, 9))
    for _ in range(2):
        close(world, flow.dispatched(unit=world.dept), world.dept_handler)
    flow.dispatched(unit=world.dept2)
    close(world, flow.dispatched(unit=world.town_a), world.town_handler)
    refresh_rollups()  # the board reads the roll-up (refreshed every few minutes by a schedule)


def test_result_board_ranks_units_by_kind(gql, october):
    # when an anonymous caller asks for October's board with the documented operation
    body = gql(BOARD, {"period": "2025-10"})
    # then the figures come back per unit kind, with rates, scores and ranks
    assert "errors" not in body, body
    board = body["data"]["resultBoard"]
    assert (board["period"], board["kind"]) == ("2025-10", "month")
    assert board["start"].startswith("2025-10-01T00:00:00") and board["end"].startswith("2025-11-01T00:00:00")
    assert board["totals"] == {"received": 4, "closed": 3}
    departments, townships = board["groups"]
    assert (departments["unitKind"], departments["scheme"], townships["unitKind"]) == (
        "department", "部门考评", "township")
    assert departments["rows"][0] == {
        "unit": {"code": "zjj", "name": "住建局", "kind": "department"}, "dispatched": 2, "responseRate": 1.0,
        "resolutionRate": 1.0, "satisfactionRate": 1.0, "onTimeRate": 1.0, "score": 100.0, "rank": 1, "ranked": True,
    }
    # 水务局: nothing signed, replied or visited yet: only the response rate counts, and it is 0
    swj = departments["rows"][1]
    assert (swj["unit"]["code"], swj["responseRate"], swj["satisfactionRate"], swj["score"], swj["rank"]) == (
        "swj", 0.0, None, 0.0, 2)
    # and a township under the minimum sample is listed but not ranked
    assert [(r["unit"]["code"], r["rank"], r["ranked"]) for r in townships["rows"]] == [("ms", None, False)]
    assert townships["minSample"] == 2


def test_result_board_carries_no_case_data(gql, october):
    body = gql(BOARD, {"period": "2025-10"})
    text = str(body)
    assert "13812341234" not in text and "张三" not in text and "路灯" not in text


@pytest.mark.parametrize("period", ["2025-13", "October", "2025-W99"])
def test_a_bad_period_is_an_error_naming_it(gql, db, period):
    body = gql(BOARD, {"period": period})
    assert body["data"] is None
    [error] = body["errors"]
    assert period in error["message"]
    assert error["path"] == ["resultBoard"]


def test_result_board_costs_a_fixed_number_of_queries(gql, world, flow, clock, django_assert_max_num_queries):
    # given a board of 3 units, then of 9 units, each with a closed case
    AssessmentScheme.objects.create(name="部门考评", unit_kind="department", min_sample=1)
    clock.move_to(local(2025, 10, 13, 9))

    def add_units(count):
        for _ in range(count):
            unit = UnitFactory(kind=Unit.Kind.DEPARTMENT, level=Level.CITY, parent=world.centre)
            close(world, flow.dispatched(unit=unit), StaffFactory(unit=unit, roles=["handler"]).user)

    for count in (3, 6):
        add_units(count)
        refresh_rollups()
        cache.clear()  # the board is kept for a while (see the next test); measure a fresh one
        # when the board is asked for, then three queries run (figures, schemes, totals) whatever the units
        with django_assert_max_num_queries(3):
            body = gql(BOARD, {"period": "2025-10"})
        assert "errors" not in body, body
    assert len(body["data"]["resultBoard"]["groups"][0]["rows"]) == 9


def test_the_board_of_a_period_is_kept_for_a_while(gql, world, flow, clock, django_assert_num_queries):
    # given a board computed once
    AssessmentScheme.objects.create(name="部门考评", unit_kind="department", min_sample=1)
    clock.move_to(local(2025, 10, 13, 9))
    close(world, flow.dispatched(unit=world.dept), world.dept_handler)
    refresh_rollups()
    first = gql(BOARD, {"period": "2025-10"})

    # when it is asked for again, then it is answered without SQL, with the same figures
    with django_assert_num_queries(0):
        again = gql(BOARD, {"period": "2025-10"})
    assert again == first and first["data"]["resultBoard"]["groups"]


def series_named(name):
    return BulletinSeries.objects.get_or_create(name=name)[0]


def pdf(name):
    return Document.objects.create(title=name, file=ContentFile(b"%PDF-1.4\n%%EOF\n", name=f"{name}.pdf"))


@pytest.fixture
def bulletins(db):
    now = datetime.datetime.now(datetime.UTC)
    return {
        "old": Bulletin.objects.create(series=series_named("《宁呼我应》"), year=2025, number=167, title="九月通报",
                                       period_label="2025年9月", is_published=True,
                                       published_at=now - datetime.timedelta(days=30)),
        "new": Bulletin.objects.create(series=series_named("《宁呼我应》"), year=2025, number=168, title="十月通报",
                                       period_label="2025年10月", document=pdf("168"), is_published=True),
        "draft": Bulletin.objects.create(series=series_named("《宁呼我应》"), year=2025, number=169, title="草稿"),
        "scheduled": Bulletin.objects.create(series=series_named("《督查快报》"), year=2025, number=12, title="定时发布",
                                             is_published=True, published_at=now + datetime.timedelta(days=1)),
    }


def test_bulletins_lists_published_ones_newest_first(gql, bulletins):
    # when the documented operation runs
    body = gql(BULLETINS)
    assert "errors" not in body, body
    listed = body["data"]["bulletins"]
    # then drafts and bulletins scheduled for later are left out, and the newest comes first
    assert [b["number"] for b in listed] == [168, 167]
    new = listed[0]
    assert (new["series"], new["year"], new["title"], new["periodLabel"]) == (
        "《宁呼我应》", 2025, "十月通报", "2025年10月")
    assert new["label"].startswith("《宁呼我应》") and "2025" in new["label"] and "168" in new["label"]
    # and the PDF has an absolute address, while a bulletin without one says so
    assert new["documentUrl"].startswith("http://testserver/documents/") and new["documentUrl"].endswith("168.pdf")
    assert listed[1]["documentUrl"] is None


def test_an_unpublished_bulletin_is_never_exposed(gql, bulletins):
    body = gql("{ bulletins(first: 100) { title } }")
    titles = {b["title"] for b in body["data"]["bulletins"]}
    assert "草稿" not in titles and "定时发布" not in titles
    # and publishing it later makes it appear, with its publication time set
    draft = bulletins["draft"]
    draft.is_published = True
    draft.save()
    assert draft.published_at is not None
    assert "草稿" in {b["title"] for b in gql("{ bulletins { title } }")["data"]["bulletins"]}


def test_bulletins_first_limits_and_is_checked(gql, bulletins):
    assert len(gql("{ bulletins(first: 1) { title } }")["data"]["bulletins"]) == 1
    body = gql("{ bulletins(first: 1000) { title } }")
    assert body["data"] is None and "1000" in body["errors"][0]["message"]


def test_bulletins_cost_one_query(gql, bulletins, django_assert_max_num_queries):
    for n in range(5):
        Bulletin.objects.create(
            series=series_named("《督查快报》"), year=2024, number=n + 1, document=pdf(f"d{n}"), is_published=True)
    with django_assert_max_num_queries(1):
        body = gql("{ bulletins { title documentUrl } }")
    assert len(body["data"]["bulletins"]) == 7


def test_bulletins_are_kept_in_the_admin_and_hidden_until_published(client, gql, bulletins):
    # given an administrator in the bulletin screens
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests"))
    viewset = Bulletin.snippet_viewset
    listing = reverse(viewset.get_url_name("list"))
    # when they list, search and export, then each answers
    assert client.get(listing).status_code == 200
    assert "十月通报" in client.get(listing, {"q": "十月"}).content.decode()
    assert "text/csv" in client.get(listing, {"export": "csv"})["Content-Type"]
    # and a bulletin added without ticking "published" stays out of the API
    response = client.post(reverse(viewset.get_url_name("add")), {
        "series": series_named("《宁呼我应》").pk, "year": "2025", "number": "170", "title": "新增草稿", "period_label": "",
        "published_at": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Bulletin.objects.filter(number=170, is_published=False).exists()
    assert "新增草稿" not in {b["title"] for b in gql("{ bulletins { title } }")["data"]["bulletins"]}
