"""Period strings of public figures and listings: 2025, 2025-10, 2025-W41."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from publishing.periods import MONTH, WEEK, YEAR, parse_period

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2025", at(2025, 1, 1), at(2026, 1, 1), YEAR),
        ("2025-10", at(2025, 10, 1), at(2025, 11, 1), MONTH),
        ("2025-1", at(2025, 1, 1), at(2025, 2, 1), MONTH),
        ("2025-12", at(2025, 12, 1), at(2026, 1, 1), MONTH),
        ("2025-W41", at(2025, 10, 6), at(2025, 10, 13), WEEK),
        (" 2025-w01 ", at(2024, 12, 30), at(2025, 1, 6), WEEK),
        ("2020-W53", at(2020, 12, 28), at(2021, 1, 4), WEEK),
    ],
)
def test_a_period_is_a_half_open_interval_in_the_centres_time_zone(settings, text, start, end, kind):
    # given the centre's time zone
    settings.TIME_ZONE = "Asia/Shanghai"
    # when the period is parsed
    period = parse_period(text)
    # then it runs from local midnight to local midnight, start included, end excluded
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert period.start.utcoffset() == datetime.timedelta(hours=8)
    assert period.contains(start) and not period.contains(end)


def test_the_period_unpacks_as_start_end_kind(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    start, end, kind = parse_period("2025-02")
    assert (end - start).days == 28 and kind == MONTH


@pytest.mark.parametrize("text", ["", "25", "2025-13", "2025-0", "2025-W54", "2025-W53", "2025-W0", "2025/10",
                                  "October", "1999", "2025-10-01", None])
def test_what_is_not_a_period_is_refused_with_a_message_naming_it(text):
    # when something that is not a period is parsed, then the error names what was given and the accepted shapes
    with translation.override("en"), pytest.raises(ValueError) as info:
        parse_period(text)
    message = str(info.value)
    assert f"“{text or ''}”" in message
    assert "2025-W41" in message
