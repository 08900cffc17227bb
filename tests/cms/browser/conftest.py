"""Browser tests of the public site: Playwright drives Debian's Chromium
(``/usr/bin/chromium``) against pytest-django's live server, as the case
browser tests do (their ``chromium`` and ``walker`` fixtures, screenshots
kept in ``test-artifacts/browser/``), on the real clock.

``public_site`` is the page tree of the page tests (``tests.cms.pages``)
over the small 高平-like deployment, with a few cases of the current month
closed by the services and the roll-up refreshed, so that the board has
figures and rankings to show."""

import pytest
from wagtail.models import Locale, Page, Site

from tests.casemodels.browser.conftest import clock, walker  # noqa: F401 (fixtures; chromium is the root's)


@pytest.fixture
def public_site(world, flow):
    from casemodels.services.rollups import refresh_rollups
    from tests.cms.pages import make_site

    # (a transactional test may start after another one emptied the tables Wagtail's migrations fill)
    Locale.objects.get_or_create(language_code="zh-hans")
    if Page.get_first_root_node() is None:
        Page.add_root(title="Root", slug="root")
    site = make_site(channel=world.web)
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", port=80, root_page=site.home, is_default_site=True)
    flow.closed()
    flow.closed()
    flow.handling(unit=world.town_a, signer=world.town_handler)
    flow.dispatched(unit=world.dept2)
    refresh_rollups()
    return site
