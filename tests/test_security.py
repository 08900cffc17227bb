"""Issue 8, security: the production settings pass ``check --deploy``; every
part of the site sends its Content-Security-Policy and the other security
headers (config/security.py); repeated wrong passwords lock a username out
from an address (django-axes), on the admin sign-in pages and for the API's
tokenAuth alike, until the cool-off ends or an administrator resets it.

The rate limits of the public forms and mutations have their own tests:
tests/cms/test_forms.py (the site's submit and track pages),
tests/api/test_public_submit.py and tests/api/test_graphql.py (submitCase,
trackCase), tests/api/test_auth.py (tokenAuth's own throttle)."""

import datetime
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from tests.cms.pages import make_site
from tests.factories import StaffFactory, UnitFactory, UserFactory

ROOT = Path(__file__).resolve().parents[1]


# --- manage.py check --deploy ------------------------------------------------------------------------
def production_env(tmp_path, **overrides):
    """The environment of a production deployment, nothing inherited but
    PATH and HOME (a developer's DJANGO_DEBUG must not leak in)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "12345.example.gov.cn",
        "DJANGO_HTTPS": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


def test_production_settings_pass_check_deploy_without_a_warning(tmp_path):
    result = check_deploy(production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output and "security.W" not in output


def test_check_deploy_fails_when_https_is_not_switched_on(tmp_path):
    # the same deployment without DJANGO_HTTPS: no HSTS, no redirect, cookies sent over http
    result = check_deploy(production_env(tmp_path, DJANGO_HTTPS=None))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in output, output


# --- Security headers ------------------------------------------------------------------------------
def policy_of(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def inline_scripts_and_styles(html):
    """Inline <script> (a script element without src, other than a JSON
    data block), <style> elements and style="" / on…="" attributes."""
    found = []
    for attrs in re.findall(r"<script\b([^>]*)>", html, flags=re.I):
        if "src=" not in attrs and "application/json" not in attrs:
            found.append(f"<script{attrs}>")
    found += re.findall(r"<style\b[^>]*>", html, flags=re.I)
    found += re.findall(r"\s(?:style|on[a-z]+)\s*=\s*\"[^\"]*\"", html, flags=re.I)
    return found


@pytest.fixture
def pages(db):
    """The public site's pages (tests/cms/pages.py)."""
    return make_site()


def test_public_pages_get_a_strict_policy_that_their_html_keeps(client, pages):
    urls = [pages.home.url, pages.submit.url, pages.track.url, pages.notice.url, pages.board.url, pages.board.url + "led/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = policy_of(response)
        # scripts and styles from the site only: no inline code, no other host
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"], url
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert response["X-Frame-Options"] == "DENY"
        assert_common_headers(response)
        # and the page itself has nothing the policy would block
        assert inline_scripts_and_styles(response.content.decode()) == [], url


def test_a_page_served_from_the_public_cache_keeps_its_headers(client, pages):
    from tests.cms.caching import cache_state

    first, second = client.get(pages.home.url), client.get(pages.home.url)
    assert (cache_state(first), cache_state(second)) == ("miss", "hit")
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert policy_of(second)["script-src"] == ["'self'"]
    assert_common_headers(second)


def test_the_led_board_s_script_is_a_static_file(client, pages):
    html = client.get(pages.board.url + "led/").content.decode()
    assert re.search(r'<script src="/static/cms/led\.js[^"]*" defer>', html)


def test_embedded_video_hosts_may_be_framed_when_configured(client, pages, settings):
    settings.MINSHENG_CSP_FRAME_SRC = ["https://player.bilibili.com"]
    assert policy_of(client.get(pages.notice.url))["frame-src"] == ["'self'", "https://player.bilibili.com"]


def test_the_admin_gets_the_policy_wagtail_needs(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    policy = policy_of(response)
    # Wagtail's admin runs inline scripts (date widgets, inline panels) and styles
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    # it previews pages in a frame of its own, but no other site may frame it
    assert policy["frame-ancestors"] == ["'self'"] and policy["object-src"] == ["'none'"]
    # it asks Wagtail's site for a newer release, unless told not to
    assert policy["connect-src"] == ["'self'", "https://releases.wagtail.org"]
    assert_common_headers(response)


def test_the_admin_does_not_connect_out_without_the_update_check(admin_client, settings):
    settings.WAGTAIL_ENABLE_UPDATE_CHECK = False
    assert policy_of(admin_client.get("/admin/"))["connect-src"] == ["'self'"]


def test_the_sign_in_page_gets_the_admin_policy(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert policy_of(response)["frame-ancestors"] == ["'self'"]
    assert_common_headers(response)


def test_graphql_json_answers_allow_nothing(client, db):
    response = client.post("/graphql/", data=json.dumps({"query": "{ __typename }"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["data"] == {"__typename": "Query"}
    assert policy_of(response) == {
        "default-src": ["'none'"], "base-uri": ["'none'"], "form-action": ["'none'"], "frame-ancestors": ["'none'"],
    }
    assert_common_headers(response)


def test_graphiql_may_load_its_pinned_scripts(admin_client):
    response = admin_client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and b"graphiql" in response.content.lower()
    policy = policy_of(response)
    assert "https://cdn.jsdelivr.net" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["connect-src"] == ["'self'"]


# --- Sign-in lockout ---------------------------------------------------------------------------------
# Wagtail's and Django's admin's own errors for a wrong password
WRONG_LOGIN = re.compile(r"and password didn&#x27;t match|Please enter the correct username and password")
LOCKED = "Too many failed sign-in attempts for this account from your address"
LOGIN_URLS = ["/admin/login/", "/django-admin/login/"]


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", is_staff=True, is_superuser=True)


def log_in(client, url, password, address="10.8.0.1", username="editor"):
    return client.post(url, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


def fail_until_locked(client, url, address="10.8.0.1"):
    """N-1 wrong passwords answered as such, the Nth one locks."""
    for _i in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, url, "wrong", address)
        html = response.content.decode()
        assert response.status_code == 200 and WRONG_LOGIN.search(html) and LOCKED not in html
    return log_in(client, url, "wrong", address)


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_repeated_wrong_passwords_lock_the_username_out_from_that_address(client, editor, english_admin, url):
    # given N wrong passwords for one username from one address
    response = fail_until_locked(client, url)
    # then the Nth answer is the sign-in page saying so, in place of the usual error
    html = response.content.decode()
    assert response.status_code == 429
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert LOCKED in html and f"Try again in {minutes} minutes" in html and not WRONG_LOGIN.search(html)
    assert 'name="password"' in html and "Content-Security-Policy" in response.headers

    # when the right password comes next from that address, then it is refused all the same
    response = log_in(client, url, "pw")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert not signed_in(client)

    # and the same username from another address still signs in
    assert log_in(client, url, "pw", address="10.8.0.2").status_code == 302
    assert signed_in(client)


def test_the_lockout_ends_after_the_cool_off(client, editor, english_admin):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        assert fail_until_locked(client, "/admin/login/").status_code == 429
        # still locked just before the cool-off ends
        clock.shift(settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=30))
        assert log_in(client, "/admin/login/", "pw").status_code == 429
        assert not signed_in(client)
        # and free after it (the refused attempt did not extend the lockout)
        clock.shift(datetime.timedelta(seconds=60))
        response = log_in(client, "/admin/login/", "pw")
        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert signed_in(client)


def test_a_success_clears_the_failures(client, editor, english_admin):
    for _i in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "/admin/login/", "wrong")
    assert log_in(client, "/admin/login/", "pw").status_code == 302
    client.logout()
    # N-1 more failures after the success do not lock
    for _i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "/admin/login/", "wrong").status_code == 200
    assert log_in(client, "/admin/login/", "pw").status_code == 302


def test_an_administrator_unlocks_a_username_with_the_command(client, editor, english_admin):
    assert fail_until_locked(client, "/admin/login/").status_code == 429
    call_command("axes_reset_username", "editor", stdout=open(os.devnull, "w"))
    assert log_in(client, "/admin/login/", "pw").status_code == 302


def test_other_usernames_from_the_locked_address_are_not_held_up(client, editor, english_admin):
    UserFactory(username="colleague", is_staff=True, is_superuser=True)
    assert fail_until_locked(client, "/admin/login/").status_code == 429
    assert log_in(client, "/admin/login/", "pw", username="colleague").status_code == 302


def test_the_lockout_counts_the_address_the_trusted_proxy_saw(client, editor, english_admin, settings):
    # behind one proxy, the address is the last X-Forwarded-For entry: a client-chosen
    # entry further left does not give it a new address to guess from
    settings.MINSHENG_TRUSTED_PROXY_COUNT = 1
    for i in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": "editor", "password": "wrong"},
                               REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.9")
    assert response.status_code == 429
    # another citizen behind the same proxy is another address
    assert client.post("/admin/login/", {"username": "editor", "password": "pw", "next": "/admin/"},
                       REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 302


# --- The API's tokenAuth under the lockout -------------------------------------------------------------
TOKEN_AUTH = """mutation($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token errors { code message } } }"""


def token_auth(client, username, password, address):
    response = client.post(
        "/graphql/", data=json.dumps({"query": TOKEN_AUTH, "variables": {"username": username, "password": password}}),
        content_type="application/json", REMOTE_ADDR=address,
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json"), response.content
    return response.json()["data"]["tokenAuth"]


@pytest.fixture
def staff(db):
    return StaffFactory(unit=UnitFactory(name="住建局", code="zjj"), roles=["handler"]).user


def test_a_username_locked_out_on_the_sign_in_page_gets_no_token_from_that_address(client, staff):
    # given the staff member's username locked out from an address on the admin's sign-in page
    for _i in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "/admin/login/", "wrong", address="10.9.0.1", username=staff.username)
    # when an app asks for a token from that address with the right password, then the API
    # answers in its own terms (JSON, code throttled), not with the sign-in page
    result = token_auth(client, staff.username, "pw", "10.9.0.1")
    assert result["token"] is None and [e["code"] for e in result["errors"]] == ["throttled"]
    # and from another address the token is issued
    assert token_auth(client, staff.username, "pw", "10.9.0.2")["token"]


def test_wrong_passwords_on_token_auth_lock_the_sign_in_page_too(client, staff):
    # given N wrong passwords through tokenAuth from one address
    answers = [token_auth(client, staff.username, "wrong", "10.9.1.1") for _i in range(settings.AXES_FAILURE_LIMIT)]
    # then each is refused as JSON, the last one as throttled
    assert [a["errors"][0]["code"] for a in answers[:-1]] == ["invalid_credentials"] * (settings.AXES_FAILURE_LIMIT - 1)
    assert answers[-1]["errors"][0]["code"] == "throttled"
    # and the admin's sign-in page refuses the right password from that address
    assert log_in(client, "/admin/login/", "pw", address="10.9.1.1", username=staff.username).status_code == 429


def test_a_sign_in_made_in_code_has_no_address_and_still_works_on_every_database(client, db):
    # A test client's force_login (or any login() without REMOTE_ADDR) gives axes no IP address:
    # it must record None, not the throttles' "unknown", which PostgreSQL's inet column refuses.
    from axes.models import AccessLog
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("coded", password="x")
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    assert AccessLog.objects.filter(username="coded").values_list("ip_address", flat=True).first() is None
