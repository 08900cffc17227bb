"""What the cache tests share: a home page as the site's root, and the
cache state a response reports (``cms.cache.HEADER``: hit, miss or none)."""

import pytest
from wagtail.models import Page, Site

from cms.cache import HEADER
from cms.models import HomePage


@pytest.fixture
def home(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="高平市接诉即办", slug="cache-home", hotline="12345"))
    Site.objects.update(root_page=home)
    return home


def cache_state(response):
    return response.get(HEADER)
