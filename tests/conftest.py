"""Fixtures shared by the whole suite."""

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` skip, with a visible reason, on other databases."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL (row locks, real concurrency); this run uses {engine}")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def db_vendor():
    return connection.vendor


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright, one for the whole run (see
    ``tests/casemodels/browser/conftest.py``)."""
    from tests.casemodels.browser.conftest import launch_chromium

    yield from launch_chromium()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (throttles, counters, pages), with
    what the process keeps of it forgotten (the public version it read, the
    pages it keeps in memory), and with the region names and keyword rules
    read afresh."""
    from django.core.cache import cache

    from casemodels.services.places import gazetteer
    from casemodels.services.suggestions import rulebook
    from cms.cache import local_pages
    from publishing.cache import forget_public_version

    def forget():
        cache.clear()
        forget_public_version()
        local_pages.clear()
        gazetteer.forget()
        rulebook.forget()

    forget()
    yield
    forget()


@pytest.fixture
def english_admin(settings):
    """Render the admin in the English source language, for tests that read
    a rule's message by its English words (the catalog is tested apart)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    settings.WAGTAILADMIN_PERMITTED_LANGUAGES = [("en", "English")]
    with translation.override("en"):
        yield
