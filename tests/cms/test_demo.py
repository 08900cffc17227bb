"""The demo profile loads through the services, covers every state, and a
second run changes nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from wagtail.models import Site

from casemodels.models import Case, CaseState
from cms.models import BulletinArchivePage, HomePage
from publishing.models import Bulletin, BulletinSeries, TypicalCase
from publishing.published import published_cases
from snippets.models import Channel, DirectoryItem, Level, Region, StaffProfile, TimeLimitPolicy, Unit


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if not m._meta.proxy}


@pytest.mark.django_db
def test_demo_loads_every_state_and_a_second_run_changes_nothing(client):
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
    # and every demo series has a published issue with its PDF, on the archive page linked from the home page
    published = Bulletin.objects.published().select_related("series", "document")
    assert {b.series.name for b in published} == set(BulletinSeries.objects.values_list("name", flat=True))
    assert len(published) >= 3 and all(b.document and b.page_count for b in published)
    home = client.get("/")
    archive = BulletinArchivePage.objects.live().get()
    assert home.status_code == 200 and archive.url in home.content.decode()
    listing = client.get(archive.url).content.decode()
    assert all(b.document.url in listing for b in published)
    # and closed cases are published on the board, two of them as typical cases
    assert published_cases().count() > 0 and TypicalCase.objects.count() == 2
    before = row_counts()
    # when it runs again, then not a single row is added or removed anywhere
    call_command("load_demo", cases=90, quiet=True, stderr=errors)
    assert row_counts() == before
