"""Scenarios of the documented operations (graphql/operations/*.graphql),
run by tests/api/test_operations.py with a real GraphQL client over HTTP.

A scenario says who runs the operation and builds its data: ``who`` is
``None`` (an anonymous caller: the portal, the mini-program, a big screen),
``"superuser"``, or a staff member of the small deployment (``world``
attribute: ``"dispatcher"``, ``"dept_handler"``, ``"visitor"``, …), who
signs in with ``tokenAuth`` and sends the bearer token. ``prepare(w, flow)``
makes the data in the test's database and returns the variables; the
optional ``check(data, variables)`` asserts what a front end relies on.

Every operation file needs a scenario here, keyed by the file's stem::

    @scenario("track_case")
    def track_case(w, flow):
        case = flow.received(channel=w.web)
        return {"number": case.number, "queryCode": case.query_code}
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from wagtail.models import Locale, Page, Site

from casemodels.models import AssessmentExclusion, Case
from casemodels.services.rollups import refresh_rollups
from cms.models import HomePage, NoticeIndexPage, NoticePage
from publishing.models import Bulletin, BulletinSeries
from snippets.models import AssessmentScheme
from tests.casemodels.conftest import START
from tests.factories import DirectoryItemFactory

PASSWORD = "pw"  # tests.factories.UserFactory's password


@dataclass(frozen=True)
class Scenario:
    stem: str
    who: str | None
    prepare: Callable
    check: Callable | None = None


SCENARIOS: dict[str, Scenario] = {}


def scenario(stem, *, who=None, check=None):
    """Register ``prepare`` as the scenario of graphql/operations/<stem>.graphql."""

    def register(prepare):
        assert stem not in SCENARIOS, f"two scenarios for {stem}"
        SCENARIOS[stem] = Scenario(stem, who, prepare, check)
        return prepare

    return register


def payload(data, field):
    """A mutation's payload, after checking it carries no typed errors."""
    result = data[field]
    assert result is not None, f"{field} returned null"
    assert result.get("errors", []) == [], f"{field} refused: {result['errors']}"
    return result


# --- Public (anonymous) ---------------------------------------------------------------------
def _codes(field):
    def check(data, variables):
        assert {row["code"] for row in data[field]} >= variables["_expect"]

    return check


@scenario("channels", check=_codes("channels"))
def channels(w, flow):
    return {"_expect": {"web", "hotline"}}


@scenario("catalog", check=_codes("catalog"))
def catalog(w, flow):
    parent = DirectoryItemFactory(code="01", name="城乡建设")
    DirectoryItemFactory(code="0101", name="路灯", parent=parent)
    return {"_expect": {"01", "0101"}}


def _tracked(data, variables):
    assert data["trackCase"]["number"] == variables["number"]
    assert data["trackCase"]["citizenName"] == "张*"


@scenario("track_case", check=_tracked)
def track_case(w, flow):
    case = flow.received(channel=w.web, acting_user=None, citizen_name="张三")
    return {"number": case.number, "queryCode": case.query_code}


def _submitted(data, variables):
    case = payload(data, "submitCase")["case"]
    assert Case.objects.filter(number=case["number"], external_id=variables["input"]["externalId"]).exists()
    assert case["queryCode"]


@scenario("submit_case", check=_submitted)
def submit_case(w, flow):
    return {"input": {
        "channel": "web", "externalId": "op-test-0001", "caseType": "complaint",
        "content": "建设南路天桥附近井盖破损，孩子经常在旁边玩耍，非常危险。",
        "citizenName": "张三丰", "citizenPhone": "13812341234", "address": "建设南路12号楼3单元",
    }}


def _published(data, variables):
    numbers = [edge["node"]["number"] for edge in data["publishedCases"]["edges"]]
    assert numbers == [variables["_number"]]


@scenario("published_cases", check=_published)
def published_cases(w, flow):
    item = DirectoryItemFactory(code="01", name="城乡建设")
    case = flow.closed(directory_item=item, region=w.village_a_r)
    Case.objects.filter(pk=case.pk).update(is_public=True)
    flow.closed(directory_item=item, region=w.village_a_r)  # the same, but not marked public: never listed
    return {"first": 10, "directoryItem": "01", "region": "gp-ms", "period": "2025-09", "_number": case.number}


def _ranked(data, variables):
    rows = [row["unit"]["code"] for group in data["resultBoard"]["groups"] for row in group["rows"]]
    assert "zjj" in rows


@scenario("result_board", check=_ranked)
def result_board(w, flow):
    AssessmentScheme.objects.create(name="部门考评", unit_kind="department", min_sample=1)
    flow.closed()
    refresh_rollups()  # the board reads the roll-up (a schedule refreshes it every five minutes)
    return {"period": "2025-09"}


def _bulletins(data, variables):
    assert [b["number"] for b in data["bulletins"]] == [168]


@scenario("bulletins", check=_bulletins)
def bulletins(w, flow):
    series = BulletinSeries.objects.create(name="《宁呼我应》")
    Bulletin.objects.create(series=series, year=2025, number=168, title="九月通报", period_label="2025年9月",
                            is_published=True)
    Bulletin.objects.create(series=series, year=2025, number=169, title="草稿")
    return {"first": 10}


def _notices(data, variables):
    assert [n["slug"] for n in data["notices"]] == ["service-hours"]
    assert "周一至周五" in data["notice"]["bodyHtml"]


def site_root():
    """Wagtail's root page and locale: made by its migrations, so after another
    committed test's flush they are made here again."""
    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


@scenario("notices", check=_notices)
def notices(w, flow):
    home = site_root().add_child(instance=HomePage(title="高平市接诉即办", slug="gaoping"))
    Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "localhost", "root_page": home})
    index = home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    page = NoticePage(title="服务时间", slug="service-hours", date=datetime.date(2025, 9, 29), live=False,
                      body=[("paragraph", "<p>周一至周五 8:30–17:30</p>")])
    index.add_child(instance=page)
    page.save_revision(log_action=False).publish(log_action=False)
    draft = NoticePage(title="草稿", slug="draft", date=datetime.date(2025, 9, 30), live=False)
    index.add_child(instance=draft)
    return {"first": 10, "slug": "service-hours"}


# --- Staff: signing in, queries -------------------------------------------------------------
def _token(data, variables):
    assert payload(data, "tokenAuth")["token"]


@scenario("token_auth", check=_token)
def token_auth(w, flow):
    return {"username": w.dispatcher.get_username(), "password": PASSWORD, "name": "operations test"}


def _me(data, variables):
    assert data["me"]["username"] == variables["_username"]


@scenario("me", who="dispatcher", check=_me)
def me(w, flow):
    return {"_username": w.dispatcher.get_username()}


def _cases(data, variables):
    edges = data["cases"]["edges"]
    assert [edge["node"]["number"] for edge in edges] == variables["_numbers"][:2]
    assert data["cases"]["pageInfo"]["hasNextPage"] is True
    assert all(edge["node"]["assignments"] and edge["node"]["events"] for edge in edges)


@scenario("cases", who="dispatcher", check=_cases)
def cases(w, flow):
    made = [flow.handling() for _ in range(3)]
    flow.received()  # not dispatched: left out by the filter
    newest_first = [case.number for case in sorted(made, key=lambda c: (c.received_at, c.pk), reverse=True)]
    return {"filter": {"states": ["HANDLING"], "unit": "zjj"}, "first": 2, "orderBy": "RECEIVED_AT_DESC",
            "_numbers": newest_first}


def _case(data, variables):
    case = data["case"]
    assert case["number"] == variables["number"]
    assert case["returnVisits"] and case["assignments"] and case["events"]
    assert case["citizen"]["masked"] is False  # a dispatcher reads personal data


@scenario("case", who="dispatcher", check=_case)
def case(w, flow):
    return {"number": flow.closed().number}


# --- Staff: lifecycle mutations -------------------------------------------------------------
def _moved_to(field, state):
    def check(data, variables):
        assert payload(data, field)["case"]["state"] == state

    return check


def _registered(data, variables):
    case = payload(data, "registerCase")["case"]
    assert (case["state"], case["ownerUnit"]["code"]) == ("RECEIVED", "centre")
    assert Case.objects.filter(number=case["number"], external_id=variables["input"]["externalId"]).exists()


@scenario("register_case", who="dispatcher", check=_registered)
def register_case(w, flow):
    return {"input": {
        "channel": "hotline", "externalId": "call-20250930-0001", "caseType": "complaint",
        "content": "建设南路12号门口路灯坏了一周，晚上很黑，请尽快修复。", "citizenName": "张三丰",
        "citizenPhone": "13812341234", "address": "建设南路12号", "region": "gp-ms",
    }}


@scenario("dispatch_case", who="dispatcher", check=_moved_to("dispatchCase", "DISPATCHED"))
def dispatch_case(w, flow):
    case = flow.received()
    return {"number": case.number, "unit": "zjj", "expectedVersion": case.version}


@scenario("sign_case", who="dept_handler", check=_moved_to("signCase", "HANDLING"))
def sign_case(w, flow):
    case = flow.dispatched()
    return {"number": case.number, "expectedVersion": case.version}


@scenario("reply_case", who="dept_handler", check=_moved_to("replyCase", "REPLIED"))
def reply_case(w, flow):
    case = flow.handling()
    return {"number": case.number, "reply": "已修复路灯，并电话告知市民。", "expectedVersion": case.version}


@scenario("record_return_visit", who="visitor", check=_moved_to("recordReturnVisit", "CLOSED"))
def record_return_visit(w, flow):
    case = flow.replied()
    return {"number": case.number, "satisfaction": "satisfied", "resolved": True, "expectedVersion": case.version}


# --- Public: rating a replied case online ----------------------------------------------------
def _rated(data, variables):
    assert payload(data, "rateCase")["ok"] is True
    assert Case.objects.get(number=variables["number"]).state == "closed"


@scenario("rate_case", check=_rated)
def rate_case(w, flow):
    case = flow.replied()
    return {"number": case.number, "queryCode": case.query_code}


# --- Staff: supervision notes ------------------------------------------------------------------
def _supervised(data, variables):
    note = payload(data, "superviseCase")["note"]
    assert note["state"] == "issued" and note["cases"] == variables["numbers"]


@scenario("supervise_case", who="dispatcher", check=_supervised)
def supervise_case(w, flow):
    case = flow.handling()
    due = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)
    return {"numbers": [case.number], "unit": "zjj", "answerDue": due.isoformat()}


# --- Staff: assessment and analysis ---------------------------------------------------------------
def _excluded(data, variables):
    case = payload(data, "excludeFromAssessment")["case"]
    assert case["assessmentExclusion"]["reason"] == variables["reason"]
    assert AssessmentExclusion.objects.filter(case__number=variables["number"]).exists()


@scenario("exclude_from_assessment", who="supervisor", check=_excluded)
def exclude_from_assessment(w, flow):
    case = flow.closed()
    reason = "市民诉求超出法律政策规定，经审核予以核减。"
    return {"number": case.number, "reason": reason, "expectedVersion": case.version}


def _analysed(data, variables):
    assert [row["code"] for row in data["hotItems"]] == ["0101"]
    assert [(row["code"], row["cases"]) for row in data["hotRegions"]] == [("gp-ms", 3)]
    assert [(row["region"]["code"], row["cases"]) for row in data["risingMatters"]] == [("gp-ms-mx", 3)]
    assert (data["seasonal"]["cases"], data["seasonal"]["lastYear"]) == (3, 0)
    assert sum(row["cases"] for row in data["weekdayProfile"]) == 3


@scenario("analysis", who="supervisor", check=_analysed)
def analysis(w, flow):
    lamp = DirectoryItemFactory(code="0101", name="路灯")
    # three calls about the lamps of 米西村 in the last three days (now: 30 September 2025, 10:00)
    for caller, hours in enumerate((40, 20, 2)):
        flow.received(directory_item=lamp, region=w.village_a_r, citizen_phone=f"1380000000{caller}",
                      received_at=START - datetime.timedelta(hours=hours))
    return {"start": "2025-09-01T00:00:00+08:00", "end": "2025-10-01T00:00:00+08:00", "limit": 10, "level": 3,
            "windowDays": 3, "threshold": 3, "month": "2025-09"}
