"""Bulletins in the Wagtail admin, with the Django test client: series with
their sections, the issues' list and its row menu (Preview, Render again,
Publish, Withdraw) for editors only, "Make an issue", the actions' forms,
typical cases chosen by number, and the supervision note as a PDF.

django-q2 runs in sync mode in the tests (config.settings_test), so the
render an action queues is done when the response comes back."""

import datetime
import itertools
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from casemodels.services.supervision import issue_note
from publishing.bulletins import create_issue, publish_issue, withdraw_issue
from publishing.models import Bulletin, BulletinSeries, TypicalCase
from tests.casemodels.conftest import local
from tests.factories import UserFactory

from .test_bulletin_pdf import EVERY_SECTION

Document = get_document_model()
_names = itertools.count(1)
TEXT_ONLY = [("text", {"heading": "说明", "text": "<p>本期通报。</p>"})]
EDITOR_PERMISSIONS = [
    f"{action}_{model}" for action in ("add", "change", "view")
    for model in ("bulletin", "bulletinseries", "typicalcase")
]


def admin_user(*codenames):
    """A user who may use the admin, with these permissions of publishing."""
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="publishing", codename__in=codenames),
    )
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def editor(db):
    return admin_user(*EDITOR_PERMISSIONS)


@pytest.fixture
def reader(db):
    """Staff who may look at the bulletins, not make or change them."""
    return admin_user("view_bulletin")


def url(model, name, *args):
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def act_url(issue, action):
    return reverse("bulletin_actions:act", args=[issue.pk, action])


def series(**fields):
    fields.setdefault("name", f"通报{next(_names)}")
    fields.setdefault("sections", TEXT_ONLY)
    return BulletinSeries.objects.create(**fields)


def with_pdf(issue):
    issue.document = Document.objects.create(title=str(issue.label),
                                             file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="tiny.pdf"))
    issue.save(update_fields=["document"])
    return issue


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def refused(response):
    """Wagtail's answer to PermissionDenied in the admin: back to the dashboard, with a message."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


# --- series ---------------------------------------------------------------------------------------

def test_a_series_is_added_with_its_sections(client, editor, english_admin):
    client.force_login(editor)
    assert "New: Bulletin series" in html_of(client.get(url(BulletinSeries, "add")))
    data = nested_form_data({
        "name": "《督查快报》", "issuer": "高平市接诉即办指挥中心", "numbering": "running", "first_number": "12",
        "schedule": "on_demand", "layout": "brief", "is_active": "on",
        "sections": streamfield([
            ("text", {"heading": "按语", "text": rich_text("<p>请各单位对照整改。</p>")}),
            ("figures", {"heading": ""}),
            ("charts", {"heading": "趋势"}),
            ("overdue", {"heading": "超期工单", "limit": "5"}),
        ]),
    })
    data["sections-2-value-charts"] = ["volume", "items"]  # a multiple choice: several values of one field
    response = client.post(url(BulletinSeries, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = BulletinSeries.objects.get(name="《督查快报》")
    assert (saved.numbering, saved.first_number, saved.schedule, saved.layout, saved.publish_automatically) == (
        "running", 12, "on_demand", "brief", False)
    assert [block.block_type for block in saved.sections] == ["text", "figures", "charts", "overdue"]
    text, _figures, charts, overdue = saved.sections
    assert "请各单位对照整改。" in str(text.value["text"])
    assert (list(charts.value["charts"]), charts.value["heading"]) == (["volume", "items"], "趋势")
    assert (overdue.value["heading"], overdue.value["limit"]) == ("超期工单", 5)
    assert "《督查快报》" in html_of(client.get(url(BulletinSeries, "list")))


def test_a_series_with_a_bad_section_is_not_saved(client, editor, english_admin):
    client.force_login(editor)
    data = nested_form_data({
        "name": "坏配置", "numbering": "year", "first_number": "1", "schedule": "monthly", "layout": "standard",
        "sections": streamfield([("overdue", {"heading": "", "limit": "0"})]),  # at least one row
    })
    assert client.post(url(BulletinSeries, "add"), data).status_code == 200
    assert not BulletinSeries.objects.filter(name="坏配置").exists()


def test_the_edit_page_of_a_series_with_every_section_renders(client, editor, english_admin):
    client.force_login(editor)
    monthly = series(name="月度通报", sections=EVERY_SECTION)
    html = html_of(client.get(url(BulletinSeries, "edit", monthly.pk)))
    assert "月度通报" in html
    for label in ("Overall figures", "Rankings of units", "Red and black lists", "Reminder and supervision notes"):
        assert label in html, label


# --- the issues' list -----------------------------------------------------------------------------

@pytest.fixture
def issues(db):
    monthly = series(name="月度通报")
    return {
        "draft": create_issue(monthly, period="2025-07"),
        "rendered": with_pdf(create_issue(monthly, period="2025-08")),
        "published": publish_issue(with_pdf(create_issue(monthly, period="2025-09"))),
        "withdrawn": withdraw_issue(with_pdf(create_issue(monthly, period="2025-10")), reason="数据有误"),
    }


def links(html):
    """{address: text} of the links on a page."""
    return {href: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html, re.DOTALL)}


def test_the_list_shows_each_issues_status_and_an_editor_its_actions(client, editor, issues, english_admin):
    client.force_login(editor)
    html = html_of(client.get(url(Bulletin, "list")))
    cells = [text.strip() for text in re.findall(r"<td[^>]*>([^<]*)</td>", html)]
    assert sorted(c for c in cells if c in ("Draft", "Published", "Withdrawn", "Scheduled")) == [
        "Draft", "Draft", "Published", "Withdrawn"]
    found = links(html)
    assert found[reverse("bulletin_actions:make")] == "Make an issue"

    def offered(issue):
        addresses = {reverse("bulletin_actions:preview", args=[issue.pk]): "Preview",
                     act_url(issue, "render"): "Render again", act_url(issue, "publish"): "Publish",
                     act_url(issue, "withdraw"): "Withdraw"}
        return {label for address, label in addresses.items() if found.get(address) == label}

    # a draft is rendered, and published once it has its PDF; a published issue is only withdrawn
    assert offered(issues["draft"]) == {"Preview", "Render again", "Withdraw"}
    assert offered(issues["rendered"]) == {"Preview", "Render again", "Publish", "Withdraw"}
    assert offered(issues["published"]) == {"Preview", "Withdraw"}
    assert offered(issues["withdrawn"]) == set()
    assert found[issues["rendered"].document.url] == "Open the PDF"


def test_someone_who_may_not_change_bulletins_sees_the_list_without_actions(client, reader, issues):
    client.force_login(reader)
    html = html_of(client.get(url(Bulletin, "list")))
    assert str(issues["published"].label) in html
    assert "bulletin-actions/" not in html  # no Make an issue, Preview, Render again, Publish or Withdraw
    # and the actions' addresses refuse them
    draft = issues["rendered"]
    for address in (reverse("bulletin_actions:make"), reverse("bulletin_actions:preview", args=[draft.pk]),
                    act_url(draft, "publish")):
        assert refused(client.get(address)), address
    assert refused(client.post(act_url(draft, "publish")))
    assert refused(client.post(reverse("bulletin_actions:make"), {"series": draft.series_id, "period": "2025-11"}))
    assert not Bulletin.objects.get(pk=draft.pk).is_published
    assert Bulletin.objects.count() == 4


# --- making, previewing, publishing and withdrawing -----------------------------------------------

def test_make_an_issue_names_a_bad_period_and_makes_nothing(client, editor, english_admin):
    client.force_login(editor)
    monthly = series()
    html = html_of(client.post(reverse("bulletin_actions:make"), {"series": monthly.pk, "period": "2025-13"}))
    assert "“2025-13” is not a period" in html
    assert not Bulletin.objects.exists()


def test_make_an_issue_makes_and_renders_it(client, editor, english_admin):
    client.force_login(editor)
    monthly = series()
    assert "Make the issue" in html_of(client.get(reverse("bulletin_actions:make")))
    response = client.post(reverse("bulletin_actions:make"),
                           {"series": monthly.pk, "period": "2025-9", "title": "九月通报"}, follow=True)
    # then the editor is back on the list, told, and the issue is there with its PDF (rendered by the task)
    assert response.redirect_chain[-1][0] == url(Bulletin, "list")
    issue = Bulletin.objects.get()
    assert (issue.series, issue.period, issue.title, issue.created_by) == (monthly, "2025-09", "九月通报", editor)
    assert issue.document is not None and issue.page_count == 1 and not issue.is_published
    assert issue.document.file.open("rb").read().startswith(b"%PDF-")
    assert f"{issue.label} is made; its PDF is being rendered." in response.content.decode()


def test_preview_shows_the_pdf_and_stores_nothing(client, editor, db):
    client.force_login(editor)
    issue = create_issue(series(), period="2025-09")
    response = client.get(reverse("bulletin_actions:preview", args=[issue.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content.startswith(b"%PDF-")
    assert Bulletin.objects.get(pk=issue.pk).document_id is None and not Document.objects.exists()


def test_withdrawing_without_a_reason_is_refused(client, editor, issues, english_admin):
    client.force_login(editor)
    published = issues["published"]
    assert "Reason" in html_of(client.get(act_url(published, "withdraw")))
    html = html_of(client.post(act_url(published, "withdraw"), {"reason": "  "}))
    assert "Say why the bulletin is withdrawn." in html
    assert Bulletin.objects.get(pk=published.pk).withdrawn_at is None
    response = client.post(act_url(published, "withdraw"), {"reason": "排名有误"})
    assert response.status_code == 302
    withdrawn = Bulletin.objects.get(pk=published.pk)
    assert (withdrawn.withdraw_reason, withdrawn.is_published) == ("排名有误", False)


def test_render_again_refuses_a_withdrawn_issue(client, editor, issues, english_admin):
    client.force_login(editor)
    withdrawn = issues["withdrawn"]
    document = withdrawn.document_id
    html = html_of(client.post(act_url(withdrawn, "render")))
    assert f"{withdrawn.label} was withdrawn." in html
    assert Bulletin.objects.get(pk=withdrawn.pk).document_id == document


def published_labels():
    """The labels of the bulletins the public API lists (as an anonymous caller)."""
    response = Client().post("/graphql/", data=json.dumps({"query": "{ bulletins { label } }"}),
                             content_type="application/json")
    return [b["label"] for b in response.json()["data"]["bulletins"]]


def test_publishing_puts_the_issue_in_the_api(client, editor, issues, english_admin):
    client.force_login(editor)
    rendered = issues["rendered"]
    assert "archive page and in the API" in html_of(client.get(act_url(rendered, "publish")))
    assert str(rendered.label) not in published_labels()  # not before it is published
    assert client.post(act_url(rendered, "publish")).status_code == 302
    listed = published_labels()
    assert str(Bulletin.objects.get(pk=rendered.pk).label) in listed
    assert len(listed) == 2  # with the one published before; not the draft nor the withdrawn one


# --- typical cases --------------------------------------------------------------------------------

@pytest.fixture
def cases(world, flow):
    from casemodels.models import Case

    def public(case):
        Case.objects.filter(pk=case.pk).update(is_public=True)
        return case

    return {"closed": public(flow.closed()), "not_public": flow.closed(),
            "confidential": public(flow.closed(is_confidential=True)), "open": public(flow.replied())}


def test_a_typical_case_is_chosen_by_its_number(client, editor, cases, english_admin):
    client.force_login(editor)
    add = url(TypicalCase, "add")
    assert "Case number" in html_of(client.get(add))
    form = {"headline": "路灯当日修复", "commentary": "", "is_active": "on"}
    for number, message in (("MS2099010100001", "There is no case numbered “MS2099010100001”."),
                            *((cases[key].number, f"Case {cases[key].number} may not be published")
                              for key in ("not_public", "confidential", "open"))):
        html = html_of(client.post(add, {**form, "case_number": number}))
        assert message in html, number
    assert not TypicalCase.objects.exists()
    # a closed public case is saved, with who chose it
    response = client.post(add, {**form, "case_number": f" {cases['closed'].number} "})
    assert response.status_code == 302
    chosen = TypicalCase.objects.get()
    assert (chosen.case_id, chosen.headline, chosen.chosen_by) == (cases["closed"].pk, "路灯当日修复", editor)
    # and its edit page shows the number
    assert f'value="{cases["closed"].number}"' in html_of(client.get(url(TypicalCase, "edit", chosen.pk)))


# --- supervision notes as PDFs --------------------------------------------------------------------

@pytest.fixture
def note(world, flow, clock):
    case = flow.handling()
    clock.move_to(local(2025, 10, 9, 9))
    return issue_note("supervision", world.dept, [case], acting_user=world.supervisor, reason="请三日内办结。",
                      answer_due=datetime.date(2025, 10, 14))


def login(client, user):
    user.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    client.force_login(user)


def test_the_note_list_offers_the_pdf_for_the_unit(client, world, note, english_admin):
    login(client, world.dept_handler)
    html = html_of(client.get(reverse("supervision_notes:index")))
    assert reverse("bulletin_actions:note_pdf", args=[note.pk]) in html
    assert "PDF for the unit" in html


def test_the_note_pdf_answers_who_may_read_the_note(client, world, note):
    # the unit it is addressed to
    login(client, world.dept_handler)
    response = client.get(reverse("bulletin_actions:note_pdf", args=[note.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # another unit may not, and is not told the note exists (as on the note's own pages)
    login(client, world.dept2_handler)
    assert client.get(reverse("bulletin_actions:note_pdf", args=[note.pk])).status_code == 404


def test_the_centres_administrator_and_supervisor_roles_may_manage_bulletins(world):
    from publishing.bulletins import check_editor

    for user in (world.supervisor, world.dept_handler):
        user.refresh_from_db()
    assert world.supervisor.has_perm("publishing.change_bulletin")
    assert world.supervisor.has_perm("publishing.add_typicalcase")
    check_editor(world.supervisor)
    assert not world.dept_handler.has_perm("publishing.change_bulletin")
