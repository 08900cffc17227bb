"""Two roll-up refreshes at once (two django-q2 clusters, or a refresh and a
rebuild): the second waits for the first, neither fails, and the table is
what one refresh alone gives. Real concurrent connections: PostgreSQL only."""

import datetime

import pytest

from casemodels.models import UnitDayFigures
from casemodels.services import reply_case, sign_case
from casemodels.services.assessment import unit_figures, unit_figures_direct
from casemodels.services.rollups import rebuild_rollups, refresh_rollups, rollups_as_of

from .conftest import local
from .test_concurrency import race, split

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SEPTEMBER = (local(2025, 9, 1), local(2025, 10, 1))


@pytest.mark.parametrize("second", [refresh_rollups, rebuild_rollups])
def test_two_refreshes_at_once_both_succeed_and_agree(world, flow, clock, second):
    # given cases on three days of September, rolled up, then each signed for and replied
    cases = []
    for day in (10, 11, 12):
        clock.move_to(local(2025, 9, day, 9))
        cases.append(flow.dispatched())
    refresh_rollups()
    clock.move_to(local(2025, 9, 13, 9))
    for case in cases:
        sign_case(case, acting_user=world.dept_handler)
        reply_case(case, acting_user=world.dept_handler, reply="已处理。")
    # when two refreshes run at once
    wins, errors = split(race(lambda: refresh_rollups(), lambda: second()))
    # then both succeed (the second waited), and the table holds one row per unit and day
    assert errors == [] and len(wins) == 2
    assert UnitDayFigures.objects.count() == 3
    assert sorted(UnitDayFigures.objects.values_list("day", "replied")) == [
        (datetime.date(2025, 9, d), 1) for d in (10, 11, 12)]
    # and the figures are the direct ones
    assert unit_figures(*SEPTEMBER) == unit_figures_direct(*SEPTEMBER, now=rollups_as_of())
