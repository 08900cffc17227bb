"""CSRF on /graphql/: a signed-in session's mutations need the CSRF token;
bearer-token requests, anonymous cookie-less requests and queries do not
(the rule is in the docstring of ``api.views``)."""

import json

import pytest
from django.test import Client

from api.auth.tokens import issue_token
from api.models import ApiToken
from tests.factories import StaffFactory, UnitFactory

TOKEN_AUTH = """mutation($u: String!, $p: String!) { tokenAuth(username: $u, password: $p) { token errors { code } } }"""
REVOKE = "mutation { revokeToken { ok errors { code } } }"
WHO = "query Who { me { username } }"


def post(client, query, variables=None, operation_name=None, **extra):
    payload = {"query": query, "variables": variables or {}}
    if operation_name:
        payload["operationName"] = operation_name
    return client.post("/graphql/", data=json.dumps(payload), content_type="application/json", **extra)


@pytest.fixture
def browser():
    """A client that enforces CSRF checks, as a real browser request would meet them."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def staff(db):
    return StaffFactory(unit=UnitFactory(), roles=["handler"]).user


def csrf_token(client):
    """The CSRF token the endpoint hands out (in its cookie) to a signed-in browser."""
    response = client.get("/graphql/", {"query": "{ me { username } }"})
    assert response.status_code == 200
    return response.cookies["csrftoken"].value


def test_a_session_s_mutation_without_the_csrf_token_is_refused(browser, staff):
    # given a browser signed in with a session
    browser.force_login(staff)

    # when it sends a mutation without the CSRF token
    response = post(browser, TOKEN_AUTH, {"u": staff.username, "p": "pw"})

    # then it is refused with 403 and nothing ran
    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"][0]["message"]
    assert not ApiToken.objects.exists()


def test_a_session_s_mutation_with_the_csrf_token_runs(browser, staff):
    browser.force_login(staff)
    token = csrf_token(browser)
    response = post(browser, TOKEN_AUTH, {"u": staff.username, "p": "pw"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content
    assert response.json()["data"]["tokenAuth"]["token"]
    assert ApiToken.objects.filter(user=staff).count() == 1


def test_a_session_s_query_needs_no_csrf_token(browser, staff):
    browser.force_login(staff)
    response = post(browser, WHO)
    assert response.status_code == 200
    assert response.json()["data"]["me"]["username"] == staff.username


def test_the_operation_picked_by_name_decides(browser, staff):
    # given one document holding a query and a mutation, from a session without the CSRF token
    browser.force_login(staff)
    document = f"{WHO}\nmutation Revoke {{ revokeToken {{ ok }} }}"
    # then the query may run, the mutation may not
    assert post(browser, document, operation_name="Who").status_code == 200
    assert post(browser, document, operation_name="Revoke").status_code == 403


def test_a_bearer_mutation_needs_no_csrf_token(browser, staff):
    # given an app holding a token, whose request also carries someone's session cookie
    _token, secret = issue_token(staff, name="app")
    browser.force_login(StaffFactory(unit=UnitFactory(), roles=["dispatcher"]).user)

    # when it revokes its token without any CSRF token
    response = post(browser, REVOKE, HTTP_AUTHORIZATION=f"Bearer {secret}")

    # then the mutation runs as the token's user
    assert response.status_code == 200, response.content
    assert response.json()["data"]["revokeToken"] == {"ok": True, "errors": []}
    assert ApiToken.objects.get(user=staff).revoked_by == staff


def test_anonymous_cookie_less_requests_need_no_csrf_token(browser, staff):
    # a query
    response = post(browser, WHO)
    assert response.status_code == 200 and response.json()["data"] == {"me": None}
    # and a mutation (the mini-program submitting a case, or an app signing in)
    response = post(browser, TOKEN_AUTH, {"u": staff.username, "p": "pw"})
    assert response.status_code == 200
    assert response.json()["data"]["tokenAuth"]["token"]
