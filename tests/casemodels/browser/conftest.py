"""Browser tests: Playwright drives Debian's Chromium (``/usr/bin/chromium``,
installed by ``scripts/setup.sh --test``; never a downloaded browser) against
pytest-django's live server. Screenshots are kept in
``test-artifacts/browser/`` as the run's artefacts.

The deployment is the ``world`` of the case tests, on the real clock (the
live server and the browser must agree on the time)."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test still
# uses the ORM synchronously between browser steps, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MINSHENG_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "browser"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture
def clock():
    """The real clock (overrides the frozen one of the case tests)."""
    yield None


def launch_chromium():
    """Chromium for the run, as a generator: the session fixture ``chromium``
    of ``tests/conftest.py`` (one for every app's browser tests: Playwright's
    sync API runs one at a time in a thread)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/setup.sh --test (installs Debian's chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Walker:
    """A browser page on the live server, with a sign-in helper and numbered
    screenshots named after the test."""

    def __init__(self, page, base_url, name):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.shots = 0

    def go(self, path):
        self.page.goto(self.base_url + path)
        return self.page

    def sign_in(self, username, password="pw"):
        self.page.context.clear_cookies()
        self.go("/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base_url + "/admin/")

    def shot(self, label):
        self.shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def walker(chromium, live_server, request):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield Walker(page, live_server.url, request.node.name)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
