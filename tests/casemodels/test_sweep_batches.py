"""A backlog is worked off in batches: one sweep raises at most
``MINSHENG_SWEEP_BATCH`` warnings per rule, oldest cases first, says which
rules it cut short, and the next runs raise the rest — nothing twice,
nothing skipped."""

import pytest

from casemodels.models import CaseEvent, Notification, Warning
from casemodels.services.sweep import sweep

from .conftest import local
from .test_sweep import K, make_rule, warned


def test_a_backlog_is_raised_in_batches_oldest_first_without_a_gap_or_a_repeat(world, flow, settings):
    # given five overdue cases, two rules that warn about all of them, and a batch of two
    settings.MINSHENG_SWEEP_BATCH = 2
    cases = [flow.handling() for _ in range(5)]
    red = make_rule("答复超期", kind=K.OVERDUE, roles=["handler"])
    signed = make_rule("办结超期", kind=K.OVERDUE, deadline="completion", roles=["handler"])
    moment = local(2025, 10, 30, 9)
    # when the sweep runs
    first = sweep(now=moment)
    # then each rule raised two warnings, about the two oldest cases, and both rules have more to do
    assert first["rules"] == {red.pk: 2, signed.pk: 2}
    assert sorted(first["more"]) == sorted([red.pk, signed.pk])
    assert warned(red) == warned(signed) == {cases[0].pk, cases[1].pk}
    # when it runs twice more
    second, third = sweep(now=moment), sweep(now=moment)
    # then the next two, then the last one, and the report says the backlog is done
    assert second["raised"] == 4 and sorted(second["more"]) == sorted([red.pk, signed.pk])
    assert third["raised"] == 2 and third["more"] == []
    assert warned(red) == warned(signed) == {case.pk for case in cases}
    # and every warning has exactly its one notification and one dossier event
    assert sweep(now=moment)["raised"] == 0
    assert Warning.objects.count() == 10
    assert Notification.objects.count() == 10
    assert CaseEvent.objects.filter(action=CaseEvent.Action.WARNING).count() == 10


def test_a_batch_exactly_full_reports_more_and_the_next_run_finds_nothing(world, flow, settings):
    settings.MINSHENG_SWEEP_BATCH = 2
    for _ in range(2):
        flow.handling()
    rule = make_rule("答复超期", kind=K.OVERDUE)
    moment = local(2025, 10, 30, 9)
    assert sweep(now=moment)["more"] == [rule.pk]
    follow_up = sweep(now=moment)
    assert (follow_up["raised"], follow_up["more"]) == (0, [])


@pytest.mark.parametrize("value", [0, -5, "100", True, None])
def test_a_bad_batch_setting_is_refused_by_name(world, settings, value):
    settings.MINSHENG_SWEEP_BATCH = value
    make_rule("答复超期", kind=K.OVERDUE)
    with pytest.raises(ValueError, match="MINSHENG_SWEEP_BATCH"):
        sweep(now=local(2025, 10, 30, 9))


def test_a_year_without_a_published_calendar_is_flagged_loudly(world, caplog):
    # given the calendar of 2025 and 2026 only (the fixture), and a working-days-only rule
    make_rule("答复超期", kind=K.OVERDUE, working_days_only=True)
    # when the sweep runs in 2025, then in 2027
    known = sweep(now=local(2025, 10, 30, 9))
    with caplog.at_level("ERROR", logger="casemodels.services.sweep"):
        unknown = sweep(now=local(2027, 3, 3, 9))
    # then only 2027's run says the calendar is a guess, in its report and in the error log
    assert (known["calendar_provisional"], unknown["calendar_provisional"]) == (False, True)
    assert any("2027" in record.getMessage() and record.levelname == "ERROR" for record in caplog.records)
