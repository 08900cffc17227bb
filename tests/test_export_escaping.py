"""Exports from the admin lists cannot carry spreadsheet formulae: a cell
that starts like a formula is written as text (leading apostrophe)."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from casemodels.services import register_case
from snippets.models import Channel, Level, Unit

FORMULA = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests")
    client.force_login(user)
    return client


def rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_a_configuration_export_escapes_formulae(admin_client):
    # given a channel whose description starts like a formula
    Channel.objects.create(name="网站", code="web", description=FORMULA)
    # when the channel list is exported as CSV
    response = admin_client.get(reverse(Channel.snippet_viewset.get_url_name("list")), {"export": "csv"})
    # then the cell is inert text, and nothing else is touched
    cells = [cell for row in rows(response)[1:] for cell in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert "网站" in cells


def test_the_case_export_escapes_formulae(admin_client):
    # given a case whose title starts like a formula
    Unit.objects.create(name="指挥中心", code="centre", kind=Unit.Kind.CENTRE, level=Level.CITY)
    Channel.objects.create(name="网站", code="web", is_public=True)
    register_case(acting_user=None, channel="web", case_type="help", title="+1-2 路灯", content="路灯不亮。",
                  citizen_phone="13800001111")
    # when the case list is exported as CSV
    response = admin_client.get(reverse("cases:index"), {"export": "csv"})
    # then the title is written as text
    cells = [cell for row in rows(response)[1:] for cell in row]
    assert "'+1-2 路灯" in cells
