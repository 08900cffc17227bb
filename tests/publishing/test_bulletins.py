"""Bulletin issues through their services (publishing.bulletins): numbering,
one issue per period, rendering to a Wagtail document, publishing,
withdrawing, the period a schedule owes, the scheduled task, and who may act.

The series here hold one text section, so that a render (a real PDF through
weasyprint) is quick; the PDFs' contents are tested in test_bulletin_pdf.py."""

import datetime
import itertools
import logging

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django_q.models import Schedule
from wagtail.documents import get_document_model
from wagtail.models import Collection

from publishing import bulletins as service
from publishing.bulletins import (
    BulletinError, create_issue, due_period, issue_due_bulletins, publish_issue, render_issue, withdraw_issue,
)
from publishing.models import Bulletin, BulletinSeries
from publishing.tasks import render_bulletin
from tests.casemodels.conftest import local
from tests.factories import UserFactory

Document = get_document_model()
_names = itertools.count(1)
TEXT_ONLY = [("text", {"heading": "说明", "text": "<p>本期通报。</p>"})]


def series(**fields):
    """A series with one text section (renders in a fraction of a second)."""
    fields.setdefault("name", f"通报{next(_names)}")
    fields.setdefault("sections", TEXT_ONLY)
    return BulletinSeries.objects.create(**fields)


def with_pdf(issue):
    """Give the issue a (tiny) PDF document without rendering it."""
    issue.document = Document.objects.create(title=str(issue.label), file=ContentFile(b"%PDF-1.4\n%%EOF\n",
                                                                                   name="tiny.pdf"))
    issue.save(update_fields=["document"])
    return issue


def user_with(*codenames):
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="publishing",
                                                         codename__in=codenames))
    return get_user_model().objects.get(pk=user.pk)  # a fresh permission cache


@pytest.fixture
def editor(db):
    return user_with("add_bulletin", "change_bulletin", "view_bulletin")


@pytest.fixture
def outsider(db):
    """A member of staff who may look at bulletins but not change them."""
    return user_with("view_bulletin")


def state(issue):
    issue = Bulletin.objects.get(pk=issue.pk)
    return issue.is_published, issue.withdrawn_at, issue.withdraw_reason, issue.document_id, issue.rendered_at


# --- numbering ------------------------------------------------------------------------------------

def test_issues_are_numbered_within_the_year_of_issue_from_the_first_number(db):
    # given a series with 167 issues on paper before this system
    monthly = series(numbering=BulletinSeries.Numbering.PER_YEAR, first_number=168)
    # when its issues are made at the start of each month, over a new year
    made = [create_issue(monthly, period=period, now=now) for period, now in [
        ("2025-10", local(2025, 11, 1, 9)), ("2025-11", local(2025, 12, 1, 9)),
        ("2025-12", local(2026, 1, 1, 9)), ("2026-01", local(2026, 2, 1, 9)),
    ]]
    # then the first is 168, and January's issue starts the new year at 1 (the year it was issued in)
    assert [(issue.year, issue.number) for issue in made] == [(2025, 168), (2025, 169), (2026, 1), (2026, 2)]
    assert [issue.period for issue in made] == ["2025-10", "2025-11", "2025-12", "2026-01"]
    assert all(not issue.is_published and issue.document_id is None for issue in made)  # drafts


def test_running_numbers_go_on_across_years(db):
    flash = series(numbering=BulletinSeries.Numbering.RUNNING, first_number=12, schedule="on_demand")
    made = [create_issue(flash, period=period, now=now) for period, now in [
        ("2025-W50", local(2025, 12, 15, 9)), ("2025-12", local(2025, 12, 31, 23)), ("2026-W02", local(2026, 1, 12, 9)),
    ]]
    assert [(issue.year, issue.number) for issue in made] == [(2025, 12), (2025, 13), (2026, 14)]
    with translation.override("en"):
        assert str(made[2].label) == f"{flash.name} No. 14"
        assert str(create_issue(series(name="月报"), period="2025-10", now=local(2025, 11, 1)).label) == \
            "月报 2025 No. 1"


def test_the_issue_of_a_period_is_made_once(db):
    monthly = series()
    first = create_issue(monthly, period="2025-09", now=local(2025, 10, 1, 9))
    # when it is asked for again, in another spelling of the same period, later
    again = create_issue(monthly, period=" 2025-9 ", now=local(2025, 10, 1, 10))
    # then the issue already made comes back, and nothing is numbered
    assert again.pk == first.pk and again.period == "2025-09"
    assert Bulletin.objects.filter(series=monthly).count() == 1
    # while another period gets the next number
    assert create_issue(monthly, period="2025-W40", now=local(2025, 10, 6)).number == first.number + 1


def test_the_period_is_named_for_the_reader(db):
    monthly = series()
    with translation.override("zh-hans"):
        month = create_issue(monthly, period="2025-10", now=local(2025, 11, 1))
        week = create_issue(monthly, period="2025-w41", now=local(2025, 11, 1))
        year = create_issue(monthly, period="2025", now=local(2026, 1, 1))
    assert (month.period_label, week.period, week.period_label, year.period_label) == (
        "2025年10月", "2025-W41", "2025年第41周（10月6日 – 10月12日）", "2025年")


@pytest.mark.parametrize("period", ["2025-13", "October", "2025-W54", "1999-01", ""])
def test_a_bad_period_is_refused_naming_it(db, period):
    monthly = series()
    with translation.override("en"), pytest.raises(BulletinError) as error:
        create_issue(monthly, period=period)
    assert f"“{period}”" in str(error.value)
    assert not Bulletin.objects.exists()


def test_an_inactive_series_makes_no_issue(db):
    old = series(name="旧简报", is_active=False)
    with translation.override("en"), pytest.raises(BulletinError) as error:
        create_issue(old, period="2025-09")
    assert str(error.value) == "The series 旧简报 is not active."
    assert not Bulletin.objects.exists()


# --- rendering ------------------------------------------------------------------------------------

def test_rendering_stores_the_pdf_in_the_bulletins_collection_and_replaces_it(db, django_capture_on_commit_callbacks):
    issue = create_issue(series(), period="2025-09")
    # when the issue is rendered
    rendered = render_issue(issue, now=local(2025, 10, 1, 9))
    # then its PDF is a Wagtail document in the "Bulletins" collection, titled with the issue's label
    document = rendered.document
    assert document.collection.name == "Bulletins" and document.collection.depth == 2  # under the root
    assert document.title == str(rendered.label)
    assert document.file.open("rb").read().startswith(b"%PDF-")
    assert (rendered.page_count, rendered.rendered_at) == (1, local(2025, 10, 1, 9))
    assert Bulletin.objects.get(pk=issue.pk).document_id == document.pk

    # when it is rendered again
    with django_capture_on_commit_callbacks(execute=True):
        again = render_issue(issue)
    # then a new document replaces the old one, which is deleted once the change is committed
    assert again.document_id != document.pk
    assert not Document.objects.filter(pk=document.pk).exists()
    assert Document.objects.count() == 1
    assert Collection.objects.filter(name="Bulletins").count() == 1  # the collection is reused


def test_a_published_or_withdrawn_issue_is_not_rendered_again(db):
    published = publish_issue(with_pdf(create_issue(series(), period="2025-09")))
    before = state(published)
    with translation.override("en"), pytest.raises(BulletinError) as error:
        render_issue(published)
    assert "is published: withdraw it before rendering it again" in str(error.value)
    assert state(published) == before

    withdrawn = withdraw_issue(create_issue(series(), period="2025-09"), reason="数据有误")
    with translation.override("en"), pytest.raises(BulletinError, match="was withdrawn"):
        render_issue(withdrawn)
    assert Bulletin.objects.get(pk=withdrawn.pk).document_id is None


# --- publishing and withdrawing ---------------------------------------------------------------------

def test_an_issue_without_a_pdf_is_not_published(db):
    draft = create_issue(series(), period="2025-09")
    with translation.override("en"), pytest.raises(BulletinError) as error:
        publish_issue(draft)
    assert str(error.value).endswith("has no PDF yet: render it first.")
    assert not Bulletin.objects.get(pk=draft.pk).is_published
    assert not Bulletin.objects.published().exists()


def test_publishing_now_or_later(db):
    now_issue = publish_issue(with_pdf(create_issue(series(), period="2025-09")))
    later = publish_issue(with_pdf(create_issue(series(), period="2025-09")),
                          at=timezone.now() + datetime.timedelta(days=1))
    with translation.override("en"):
        assert (str(now_issue.status_label), str(later.status_label)) == ("Published", "Scheduled")
    assert list(Bulletin.objects.published()) == [now_issue]


def test_withdrawing_needs_a_reason(db):
    issue = publish_issue(with_pdf(create_issue(series(), period="2025-09")))
    before = state(issue)
    for reason in ("", "   ", None):
        with translation.override("en"), pytest.raises(BulletinError, match="Say why the bulletin is withdrawn"):
            withdraw_issue(issue, reason=reason)
    assert state(issue) == before
    # with a reason, it is off the site for good, its number kept
    withdrawn = withdraw_issue(issue, reason="  排名数据有误  ")
    assert (withdrawn.is_published, withdrawn.withdraw_reason, withdrawn.number) == (
        False, "排名数据有误", issue.number)
    with translation.override("en"):
        assert str(withdrawn.status_label) == "Withdrawn"
        with pytest.raises(BulletinError, match="was withdrawn already"):
            withdraw_issue(withdrawn, reason="again")
        with pytest.raises(BulletinError, match="was withdrawn"):
            publish_issue(withdrawn)


def test_published_leaves_out_drafts_later_issues_and_withdrawn_ones(db):
    monthly = series()
    live = publish_issue(with_pdf(create_issue(monthly, period="2025-07")))
    create_issue(monthly, period="2025-08")  # a draft
    publish_issue(with_pdf(create_issue(monthly, period="2025-09")), at=timezone.now() + datetime.timedelta(hours=1))
    withdraw_issue(publish_issue(with_pdf(create_issue(monthly, period="2025-10"))), reason="重复")
    assert list(Bulletin.objects.published()) == [live]
    # "later" is relative to the moment asked about
    assert Bulletin.objects.published(now=timezone.now() + datetime.timedelta(hours=2)).count() == 2


# --- the period due and the scheduled task ----------------------------------------------------------

UTC = datetime.UTC


@pytest.mark.parametrize("schedule, now, expected", [
    ("weekly", local(2025, 10, 15, 10), "2025-W41"),  # a Wednesday of week 42
    ("weekly", local(2025, 10, 13, 0, 30), "2025-W41"),  # just after midnight on Monday
    ("weekly", local(2025, 10, 12, 23, 30), "2025-W40"),  # Sunday night: week 41 is not over
    ("weekly", datetime.datetime(2025, 10, 12, 16, 30, tzinfo=UTC), "2025-W41"),  # Monday 00:30 in the centre
    ("weekly", local(2026, 1, 1, 9), "2025-W52"),  # new year's day is in week 1 of 2026
    ("weekly", local(2026, 1, 5, 9), "2026-W01"),  # week 1 of 2026 began on 29 December 2025
    ("weekly", local(2021, 1, 4, 9), "2020-W53"),  # 2020 had 53 ISO weeks
    ("monthly", local(2026, 1, 1, 0, 30), "2025-12"),
    ("monthly", datetime.datetime(2025, 12, 31, 16, 30, tzinfo=UTC), "2025-12"),  # 1 January in the centre
    ("monthly", datetime.datetime(2025, 12, 31, 15, 30, tzinfo=UTC), "2025-11"),  # still 31 December there
    ("monthly", local(2025, 3, 31, 12), "2025-02"),
    ("on_demand", local(2025, 10, 15), None),
])
def test_the_period_a_schedule_owes(schedule, now, expected):
    assert due_period(BulletinSeries(schedule=schedule), now) == expected
    if expected:
        assert service.canonical_period(expected) == expected


def test_the_scheduled_task_makes_renders_and_publishes_per_series(db):
    weekly = series(name="周报", schedule="weekly", publish_automatically=True)
    monthly = series(name="月报", schedule="monthly", publish_automatically=False)
    series(name="快报", schedule="on_demand")
    series(name="停用", schedule="monthly", is_active=False)
    now = local(2025, 10, 1, 9)  # a Wednesday: week 39 and September are over
    # when the task runs
    touched = issue_due_bulletins(now)
    # then the weekly series' issue is made, rendered and published; the monthly one waits as a draft
    by_series = {issue.series.name: issue for issue in touched}
    assert set(by_series) == {"周报", "月报"}
    week, month = by_series["周报"], by_series["月报"]
    assert (week.period, week.is_published, week.document_id is not None) == ("2025-W39", True, True)
    assert (month.period, month.is_published, month.document_id is not None) == ("2025-09", False, True)
    assert Bulletin.objects.count() == 2
    assert list(Bulletin.objects.published()) == [week]

    # when it runs again (next hour), then nothing is made, rendered or published again
    documents = {issue.pk: issue.document_id for issue in Bulletin.objects.all()}
    again = issue_due_bulletins(now + datetime.timedelta(hours=1))
    assert sorted(issue.pk for issue in again) == sorted(documents)
    assert {issue.pk: issue.document_id for issue in Bulletin.objects.all()} == documents
    assert Document.objects.count() == 2
    assert not Bulletin.objects.get(pk=month.pk).is_published
    assert {s.pk for s in (weekly, monthly)} == {issue.series_id for issue in again}


def test_a_series_that_fails_leaves_the_others_be_and_is_caught_up_later(db, monkeypatch, caplog):
    broken, fine = series(name="坏", schedule="monthly"), series(name="好", schedule="monthly")
    render = service.render_pdf_bytes

    def failing(bulletin, **kwargs):
        if bulletin.series_id == broken.pk:
            raise RuntimeError("font missing")
        return render(bulletin, **kwargs)

    monkeypatch.setattr(service, "render_pdf_bytes", failing)
    now = local(2025, 10, 1, 9)
    with caplog.at_level(logging.ERROR, logger="publishing.bulletins"):
        touched = issue_due_bulletins(now)
    assert [issue.series_id for issue in touched] == [fine.pk]
    assert "could not be issued" in caplog.text
    # the broken series' issue was made, not rendered; the next run renders it, numbering nothing new
    stuck = Bulletin.objects.get(series=broken)
    assert stuck.document_id is None
    monkeypatch.setattr(service, "render_pdf_bytes", render)
    issue_due_bulletins(now + datetime.timedelta(hours=1))
    assert Bulletin.objects.get(pk=stuck.pk).document_id is not None
    assert Bulletin.objects.filter(series=broken).count() == 1


def test_a_withdrawn_issue_is_not_made_again_by_the_schedule_but_may_be_by_hand(db, editor):
    monthly = series(schedule="monthly")
    now = local(2025, 10, 1, 9)
    [issue] = issue_due_bulletins(now)
    withdraw_issue(issue, reason="数据有误，重发", acting_user=editor)
    # when the schedule runs again, then it leaves the period alone
    assert issue_due_bulletins(now + datetime.timedelta(hours=1)) == []
    assert Bulletin.objects.filter(series=monthly).count() == 1
    # while staff may make a new issue of the period by hand, numbered next (the withdrawn number is not reused)
    redo = create_issue(monthly, period="2025-09", acting_user=editor, now=now)
    assert (redo.period, redo.number, redo.created_by) == ("2025-09", issue.number + 1, editor)
    assert redo.pk != issue.pk and redo.withdrawn_at is None
    # and the schedule does not make a third
    issue_due_bulletins(now + datetime.timedelta(hours=2))
    assert Bulletin.objects.filter(series=monthly).count() == 2


def test_the_task_is_scheduled_hourly(db):
    schedule = Schedule.objects.get(name="minsheng: bulletins")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "publishing.tasks.issue_due_bulletins_task", Schedule.MINUTES, 60)


def test_the_render_task_leaves_a_gone_or_published_issue_alone(db):
    with translation.override("en"):
        assert render_bulletin(999999) == "Bulletin 999999 no longer exists."
        published = publish_issue(with_pdf(create_issue(series(), period="2025-09")))
        before = state(published)
        assert render_bulletin(published.pk).endswith("was published or withdrawn meanwhile; not rendered.")
    assert state(published) == before


# --- who may act ------------------------------------------------------------------------------------

def test_only_staff_who_may_change_bulletins_act_on_them(db, editor, outsider):
    monthly = series()
    with translation.override("en"):
        with pytest.raises(BulletinError, match="You may not make or change bulletins"):
            create_issue(monthly, period="2025-09", acting_user=outsider)
        assert not Bulletin.objects.exists()

        issue = with_pdf(create_issue(monthly, period="2025-09", acting_user=editor))
        assert issue.created_by == editor
        before = state(issue)
        for act in (lambda: render_issue(issue, acting_user=outsider),
                    lambda: publish_issue(issue, acting_user=outsider),
                    lambda: withdraw_issue(issue, reason="不对", acting_user=outsider)):
            with pytest.raises(BulletinError, match="You may not make or change bulletins"):
                act()
        assert state(issue) == before
    # the editor may
    assert publish_issue(issue, acting_user=editor).is_published


def test_publishing_twice_is_refused_and_keeps_the_first_time(db):
    issue = publish_issue(with_pdf(create_issue(series(), period="2025-09")))
    first = issue.published_at
    with pytest.raises(BulletinError, match="published already"), translation.override("en"):
        publish_issue(issue)
    issue.refresh_from_db()
    assert issue.published_at == first
