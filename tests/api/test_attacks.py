"""Known attacks on /graphql/ (issue 8, hostile input), each refused with
HTTP 400 or 413 and an error naming the limit, before anything runs: no SQL
query at all (``django_assert_num_queries(0)``), so no resolver ran.

tests/api/test_limits.py has the limits themselves at their edges (depth,
field budget, aliased trackCase, size, tokens, broken and cyclic
fragments); here are the attacks at full size: a field repeated thousands of
times, deep nesting, thousands of aliases, a 1 MB body, batched operations,
a fragment "bomb" and many fragments, huge and deeply nested variables."""

import json

import pytest
from django.utils.translation import gettext as _

from api.validation import MAX_BODY_BYTES, MAX_EXPANDED_FIELDS, MAX_FIELDS, MAX_QUERY_LENGTH


def send(client, body, content_type="application/json"):
    response = client.post("/graphql/", data=body, content_type=content_type)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def document(query, variables=None):
    return json.dumps({"query": query, "variables": variables or {}})


def refusal(body):
    """The only error message of a refused request (nothing ran: no data)."""
    assert body.get("data") is None, body
    assert len(body["errors"]) >= 1
    return body["errors"][0]["message"]


@pytest.fixture
def attack(client, db, django_assert_num_queries):
    """``attack(body, content_type=…)`` → (status, message), asserting that
    no SQL query ran."""

    def run(body, content_type="application/json"):
        with django_assert_num_queries(0):
            status, response = send(client, body, content_type)
        return status, refusal(response)

    return run


def test_a_field_repeated_5000_times_is_refused(attack):
    status, message = attack(document("{ channels { " + "code " * 5000 + "} }"))
    assert (status, message) == (400, f"The query is longer than {MAX_QUERY_LENGTH} characters.")


def test_a_field_repeated_3000_times_within_the_size_limits_is_refused_by_the_field_budget(attack):
    query = "{ channels { " + "code " * 3000 + "} }"
    assert len(query) < MAX_QUERY_LENGTH
    status, message = attack(document(query))
    assert (status, message) == (400, f"At most {MAX_FIELDS} fields per request.")


def test_nesting_1000_deep_is_refused(attack):
    status, message = attack(document("{ " + "channels { " * 999 + "code" + " }" * 1000))
    assert status == 400 and "nested too deeply" in message


def test_5000_aliases_are_refused(attack):
    status, message = attack(document("{ " + " ".join(f"a{i}: channels {{ code }}" for i in range(5000)) + " }"))
    assert (status, message) == (400, f"The query is longer than {MAX_QUERY_LENGTH} characters.")


@pytest.mark.parametrize("content_type", ["application/json", "application/graphql"])
def test_a_1_mb_body_is_refused_before_it_is_read_as_json(attack, content_type):
    if content_type == "application/json":
        body = document("{ __typename }", {"padding": "x" * 1_000_000})
    else:
        body = "{ __typename }" + " " * 1_000_000
    status, message = attack(body, content_type)
    assert (status, message) == (413, _("The request body is larger than %(limit)s bytes.") % {"limit": MAX_BODY_BYTES})


def test_a_body_just_under_the_size_limit_still_runs(client, db):
    body = document("{ __typename }", {"padding": "x" * (MAX_BODY_BYTES - 200)})
    assert len(body) <= MAX_BODY_BYTES
    status, response = send(client, body)
    assert (status, response) == (200, {"data": {"__typename": "Query"}})


def test_a_batch_of_100_operations_is_refused(attack):
    status, message = attack(json.dumps([{"query": "{ channels { code } }"}] * 100))
    assert (status, message) == (400, _("Batched operations are not accepted: send one operation per request."))


def test_a_fragment_bomb_is_refused_without_expanding_it(attack):
    # given 40 fragments each spreading the next one twice: 2**40 fields once expanded, in 2 KB
    levels = 40
    fragments = "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(levels))
    query = fragments + f"fragment F{levels} on Query {{ __typename }} {{ ...F0 }}"
    assert len(query) < 3_000

    # when sent, then it is refused at once (expanding it would never end)
    status, message = attack(document(query))
    assert (status, message) == (
        400, f"The query expands to more than {MAX_EXPANDED_FIELDS} fields through its fragments.",
    )


def test_fragments_expanding_within_the_limit_run(client, db):
    fragments = "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(8))
    status, response = send(client, document(fragments + "fragment F8 on Query { __typename } { ...F0 }"))
    assert (status, response) == (200, {"data": {"__typename": "Query"}})  # 256 fields, merged into one


def test_a_thousand_fragments_are_refused(attack):
    fragments = "".join(f"fragment F{i} on Query {{ __typename }} " for i in range(1000))
    status, message = attack(document(fragments + "{ ...F0 }"))
    assert (status, message) == (400, f"The query is longer than {MAX_QUERY_LENGTH} characters.")


def test_deeply_nested_variables_are_refused_not_a_server_error(attack):
    body = '{"query": "{ __typename }", "variables": {"v": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    assert len(body) < MAX_BODY_BYTES
    status, message = attack(body)
    assert (status, message) == (400, _("The JSON body is nested too deeply."))


def test_huge_variables_are_refused(attack):
    status, message = attack(document("{ __typename }", {f"v{i}": i for i in range(50_000)}))
    assert (status, message) == (413, _("The request body is larger than %(limit)s bytes.") % {"limit": MAX_BODY_BYTES})


@pytest.mark.parametrize("body", [
    document('mutation($c: String!) { submitCase(input: {channel: "web", caseType: "complaint", content: $c, '
             'citizenPhone: "13800138000"}) { errors { message } } }', {"c": "路灯\u0000坏了"}),
    document('mutation { submitCase(input: {channel: "web", caseType: "complaint", content: "路灯\\u0000坏了", '
             'citizenPhone: "13800138000"}) { errors { message } } }'),
    document('query($s: String!) { notice(slug: $s) { title } }', {"s": "\u0000\u0001"}),
], ids=["variable", "literal-escape", "query-variable"])
def test_nul_characters_are_refused_before_anything_runs(attack, body):
    # PostgreSQL cannot store NUL in text: a write carrying one was a server error there.
    status, message = attack(body)
    assert (status, message) == (400, _("Text may not contain the NUL character (\\u0000)."))
