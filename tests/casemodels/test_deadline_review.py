"""Calendar seeding reaches open cases; seeding only the years asked for."""

from unittest import mock

from django.core.management import call_command

from casemodels.models import Case
from snippets.models import CalendarDay, CalendarYear
from snippets.services.calendar import seed_from_chinesecalendar

from .conftest import end_of


def test_publishing_a_missing_year_recomputes_provisional_cases(world, flow, django_capture_on_commit_callbacks):
    # given a case received while 2025 had no published calendar (weekdays only: 10-07 is a "workday")
    CalendarDay.objects.filter(date__year=2025).delete()
    CalendarYear.objects.filter(year=2025).delete()
    case = flow.received()
    assert case.deadlines_provisional is True
    assert case.reply_due != end_of(2025, 10, 14)
    # when the year is seeded (bulk, no post_save) and the transaction commits
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seed_from_chinesecalendar([2025])
    assert len(callbacks) == 1
    # then the background recompute (sync in tests) moved the case onto the real calendar
    case = Case.objects.get(pk=case.pk)
    assert case.deadlines_provisional is False
    assert case.reply_due == end_of(2025, 10, 14)


def test_seed_calendar_seeds_only_the_years_asked_for(db):
    call_command("seed_calendar", "2099", stdout=mock.MagicMock(), stderr=mock.MagicMock())
    assert not CalendarYear.objects.exists()
    assert seed_from_chinesecalendar([]) == (0, 0)
