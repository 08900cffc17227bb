"""Query limits of /graphql/: the standard validation rules stay on; depth,
field budget, trackCase aliases and size on top; no introspection or schema
suggestions for anonymous users in production; no internals in errors."""

import json

import pytest
from django.contrib.auth import get_user_model

from api.validation import MAX_DEPTH, MAX_FIELDS, MAX_QUERY_LENGTH, MAX_TOKENS, MAX_TRACK_CASE


def run(client, query, variables=None):
    response = client.post(
        "/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
    )
    return response.status_code, response.json()


def messages(body):
    return [e["message"] for e in body.get("errors", [])]


def nested(depth):
    """{ a { a { … { a } … } } } with ``depth`` levels of selection."""
    return "{ " + "a { " * (depth - 1) + "a" + " }" * depth


@pytest.fixture
def signed_in(client, db):
    client.force_login(get_user_model().objects.create_user("staffer", password="pw-for-tests"))
    return client


def test_the_standard_rules_still_run(client, db):
    # an unknown field, and a missing required argument
    _, body = run(client, "{ channelz { code } trackCase(number: \"1\") { number } }")
    found = " ".join(messages(body))
    assert "Cannot query field 'channelz'" in found
    assert "argument 'queryCode' of type 'String!' is required" in found


def test_deep_queries_are_refused(client, db):
    status, body = run(client, nested(MAX_DEPTH + 2))
    assert status == 400 and body.get("data") is None
    assert any(f"exceeds maximum operation depth of {MAX_DEPTH}" in m for m in messages(body))


def test_queries_within_the_depth_limit_get_no_depth_error(client, db):
    _, body = run(client, nested(MAX_DEPTH))
    assert not any("depth" in m for m in messages(body))


def test_deep_queries_through_fragments_are_refused(client, db):
    fragments = "".join(f"fragment F{i} on Query {{ a {{ ...F{i + 1} }} }} " for i in range(MAX_DEPTH + 2))
    _, body = run(client, f"{fragments} fragment F{MAX_DEPTH + 2} on Query {{ a }} {{ ...F0 }}")
    assert any("exceeds maximum operation depth" in m for m in messages(body))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ ...Nope }", "Unknown fragment 'Nope'."),
        ("fragment A on Query { ...B } fragment B on Query { ...A } { ...A }", "Cannot spread fragment 'A'"),
    ],
    ids=["unknown fragment", "fragment cycle"],
)
def test_broken_fragments_get_the_standard_error_not_a_crash(client, db, query, expected):
    status, body = run(client, query)
    assert status == 400
    assert any(expected in m for m in messages(body))


def test_many_aliased_track_cases_are_refused_before_running(client, db, django_assert_num_queries):
    aliases = " ".join(f'a{i}: trackCase(number: "MS1", queryCode: "X{i}") {{ number }}'
                       for i in range(MAX_TRACK_CASE + 1))
    with django_assert_num_queries(0):
        status, body = run(client, "{ " + aliases + " }")
    assert status == 400 and body.get("data") is None
    assert f"At most {MAX_TRACK_CASE} trackCase fields per request." in messages(body)


def test_too_many_fields_are_refused(client, db):
    fields = " ".join(f"t{i}: __typename" for i in range(MAX_FIELDS + 1))
    status, body = run(client, "{ " + fields + " }")
    assert status == 400
    assert f"At most {MAX_FIELDS} fields per request." in messages(body)


def test_a_document_at_the_field_budget_runs(client, db):
    fields = " ".join(f"t{i}: __typename" for i in range(MAX_FIELDS))
    status, body = run(client, "{ " + fields + " }")
    assert status == 200 and body["data"]["t0"] == "Query"


def test_overlong_queries_are_refused(client, db):
    status, body = run(client, "{ __typename }" + " " * MAX_QUERY_LENGTH)
    assert body.get("data") is None
    assert messages(body) == [f"The query is longer than {MAX_QUERY_LENGTH} characters."]


def test_queries_with_too_many_tokens_are_refused(client, db):
    status, body = run(client, "{ " + "a " * MAX_TOKENS + "}")
    assert body.get("data") is None
    assert "tokens" in messages(body)[0]


def test_very_deeply_nested_queries_are_refused_cleanly(client, db):
    status, body = run(client, "{" * 1500 + "}" * 1500)
    assert status in (200, 400) and body.get("data") is None and messages(body)


def test_introspection_is_closed_to_anonymous_users_in_production(client, db, settings):
    settings.DEBUG = False
    _, anonymous = run(client, "{ __schema { queryType { name } } }")
    assert anonymous.get("data") is None and "introspection" in messages(anonymous)[0].lower()
    _, typename = run(client, "{ __typename }")
    assert typename["data"] == {"__typename": "Query"}


def test_introspection_is_open_to_signed_in_users(signed_in, settings):
    settings.DEBUG = False
    _, body = run(signed_in, "{ __schema { queryType { name } } }")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_introspection_is_open_in_debug(client, db, settings):
    settings.DEBUG = True
    _, body = run(client, "{ __schema { queryType { name } } }")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_anonymous_users_get_no_schema_suggestions(client, db):
    _, body = run(client, "{ channelz { code } }")
    assert messages(body) == ["Cannot query field 'channelz' on type 'Query'."]


def test_signed_in_users_get_schema_suggestions(signed_in):
    _, body = run(signed_in, "{ channelz { code } }")
    assert "Did you mean 'channels'?" in messages(body)[0]


def test_an_unexpected_error_is_logged_not_shown(client, db, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError('relation "casemodels_case" does not exist; password=hunter2')

    monkeypatch.setattr("api.public.queries.find_tracked_case", broken)
    status, body = run(client, '{ trackCase(number: "MS1", queryCode: "ABCDEFGH") { number } }')
    assert status == 200 and body["data"] == {"trackCase": None}
    assert messages(body) == ["Internal server error."]
    assert "hunter2" not in json.dumps(body) and "casemodels_case" not in json.dumps(body)
    assert "hunter2" in caplog.text  # for the operators


def test_unexpected_errors_are_shown_in_debug(client, db, monkeypatch, settings):
    settings.DEBUG = True
    monkeypatch.setattr("api.public.queries.find_tracked_case", lambda *a, **k: 1 / 0)
    _, body = run(client, '{ trackCase(number: "MS1", queryCode: "ABCDEFGH") { number } }')
    assert "division by zero" in messages(body)[0]


def test_many_aliased_result_boards_are_refused_before_running(client, db, django_assert_num_queries):
    # given a document asking for the result board of many years at once (each an aggregate)
    query = "{ " + " ".join(f'b{i}: resultBoard(period: "{2000 + i}") {{ period }}' for i in range(10)) + " }"

    # when sent, then it is refused before any SQL runs
    with django_assert_num_queries(0):
        body = run(client, query)[1]
    assert "At most 3 resultBoard fields per request." in messages(body)
