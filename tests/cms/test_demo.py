"""The demo profile loads through the services, covers every state, and a
second run changes nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from wagtail.models import Site

from casemodels.models import Case, CaseState
from cms.models import HomePage
from snippets.models import Channel, DirectoryItem, Level, Region, StaffProfile, TimeLimitPolicy, Unit


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if not m._meta.proxy}


@pytest.mark.django_db
def test_demo_loads_every_state_and_a_second_run_changes_nothing():
    # given an empty database, when the demo is loaded
    errors = StringIO()
    call_command("load_demo", cases=90, quiet=True, stderr=errors)
    # then no case failed, and the 高平 profile is complete
    assert errors.getvalue() == ""
    # (高平 is a county-level city: no district level between the city and its townships)
    assert set(Region.objects.values_list("level", flat=True)) == {Level.CITY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID}
    assert Unit.objects.filter(kind=Unit.Kind.GRID).exists()
    assert StaffProfile.objects.filter(unit__kind=Unit.Kind.GRID, user__isnull=True).exclude(skills="").exists()
    assert Channel.objects.count() >= 10
    assert DirectoryItem.objects.filter(parent__isnull=True).count() >= 40
    assert TimeLimitPolicy.objects.filter(name__startswith="莱山").exists()
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    assert isinstance(Site.objects.get(is_default_site=True).root_page.specific, HomePage)
    before = row_counts()
    # when it runs again, then not a single row is added or removed anywhere
    call_command("load_demo", cases=90, quiet=True, stderr=errors)
    assert row_counts() == before
