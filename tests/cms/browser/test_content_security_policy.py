"""Nothing on the public site or in the admin is blocked by the pages'
Content-Security-Policy (config/security.py): Chromium reports every
blocked script, style, image or frame as a ``securitypolicyviolation``
event, which the pages collect here (an init script, which the policy does
not govern) and the tests read after each page has settled."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  (window.__cspViolations = window.__cspViolations || []).push(
    `${e.violatedDirective} ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(walker):
    walker.page.add_init_script(WATCH)
    refused = []
    walker.page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    walker.refused = refused
    return walker


def violations_on(walker, path):
    page = walker.go(path)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations || []") + walker.refused


def test_the_public_pages_run_under_their_strict_policy(public_site, watched):
    pages = [public_site.home.url, public_site.submit.url, public_site.track.url, public_site.notice.url,
             public_site.board.url, public_site.board.url + "led/", "/no-such-page/"]
    for path in pages:
        found = violations_on(watched, path)
        assert found == [], f"{path}: {found}"
    # the LED board's script (a static file) did run: its clock shows the time
    page = watched.go(public_site.board.url + "led/")
    page.wait_for_function("document.querySelector('[data-led-clock]').textContent.trim() !== ''")


def test_the_admin_runs_under_its_policy(public_site, world, watched):
    UserFactory(username="csp-admin", is_staff=True, is_superuser=True)
    assert violations_on(watched, "/admin/login/") == []
    watched.sign_in("csp-admin")
    pages = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{public_site.notice.pk}/edit/",  # a date widget, rich text
        f"/admin/pages/{public_site.home.pk}/edit/",  # a stream field
        reverse("cases:intake"),
        reverse("cases:index"),
    ]
    for path in pages:
        found = violations_on(watched, path)
        assert found == [], f"{path}: {found}"
