"""A lost database connection is answered with HTTP 503 and Retry-After
(config.middleware), on the site and on /graphql/; any other database error
stays a 500. The real outage (PostgreSQL restarted under load) is in
tests/soak/test_postgres_restart.py (``make soak``)."""

import json

import pytest
from django import db
from django.urls import path
from django.utils.translation import gettext as _

import api.public.queries
from config.middleware import database_unavailable_error


def lost_connection(request):
    raise db.OperationalError("server closed the connection unexpectedly")


def interface_error(request):
    raise db.InterfaceError("connection already closed")


def bad_query(request):
    raise db.ProgrammingError('relation "nowhere" does not exist')


urlpatterns = [
    path("lost/", lost_connection),
    path("closed/", interface_error),
    path("bad/", bad_query),
]


@pytest.mark.urls("tests.test_db_unavailable")
@pytest.mark.parametrize("url", ["/lost/", "/closed/"])
def test_a_page_without_database_is_a_503_page(client, url):
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert _("The service is temporarily unavailable; please try again in a few seconds.") in response.content.decode()


@pytest.mark.urls("tests.test_db_unavailable")
def test_a_json_caller_gets_json(client):
    response = client.get("/lost/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "unavailable"
    assert body["errors"][0]["message"]


@pytest.mark.urls("tests.test_db_unavailable")
def test_any_other_database_error_stays_a_500(client):
    client.raise_request_exception = False
    response = client.get("/bad/")
    assert response.status_code == 500


@pytest.mark.django_db
def test_graphql_resolver_losing_the_database_is_a_503(client, monkeypatch):
    """graphql-core catches the resolver's exception; the view turns it into a 503, not a 200 with an error."""

    def down(*args, **kwargs):
        raise db.OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(api.public.queries, "find_tracked_case", down)
    response = client.post(
        "/graphql/",
        json.dumps({"query": '{ trackCase(number: "MS2026010100001", queryCode: "ABCD") { number } }'}),
        content_type="application/json",
    )
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "5"
    assert response.json()["errors"][0]["extensions"]["code"] == "unavailable"


@pytest.mark.django_db
def test_graphql_other_resolver_errors_are_not_503(client, monkeypatch):
    def broken(*args, **kwargs):
        raise db.ProgrammingError("syntax error")

    monkeypatch.setattr(api.public.queries, "find_tracked_case", broken)
    response = client.post(
        "/graphql/",
        json.dumps({"query": '{ trackCase(number: "MS2026010100001", queryCode: "ABCD") { number } }'}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "Internal server error."


def test_the_cause_is_found_through_wrappers():
    try:
        try:
            raise db.OperationalError("gone")
        except db.OperationalError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as wrapped:
        assert isinstance(database_unavailable_error(wrapped), db.OperationalError)
    assert database_unavailable_error(ValueError("no")) is None
