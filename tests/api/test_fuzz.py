"""Fuzzing /graphql/ (issue 8, hostile input): schemathesis generates
operations (queries and mutations, every root field, random arguments and
selections) from the live graphene schema; each is sent through Django's
test client, as an anonymous caller and as a signed-in dispatcher, against a
small deployment with cases in every usual state. Half of the generated
documents get a real case number in place of their random one, so that the
resolvers and mutations reach real cases, not only "not found".

For every response: no server error (status below 500), a JSON body with
``data`` or ``errors``, no "Internal server error." (the mask of an
unexpected exception in a resolver, api/views.py) and nothing like a
traceback in any message. The number of operations and the status counts
are printed (with or without ``-s``). ``MINSHENG_SOAK=1`` runs ten times as many."""

import json
import os
import re
from collections import Counter

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.schema import schema as graphene_schema
from api.views import INTERNAL_ERROR

SOAK = os.environ.get("MINSHENG_SOAK") == "1"
PER_CALLER = 5000 if SOAK else 520  # two callers: over 1,000 operations in the normal suite
LEAKS = re.compile(r"Traceback|File \"|\.py\", line|django\.db|sqlite3\.|psycopg|SELECT .* FROM", re.S)
NUMBER_ARG = re.compile(r'(number|primary|duplicates): "[^"\\]*(?:\\.[^"\\]*)*"')


@pytest.fixture(scope="module")
def fuzz_schema():
    return schemathesis.graphql.from_file(str(graphene_schema))


@pytest.fixture
def demo_cases(flow, world):
    """A case in each usual state, in several units."""
    return [
        flow.received(), flow.dispatched(), flow.dispatched(unit=world.town_a), flow.handling(),
        flow.replied(), flow.closed(),
    ]


def fuzz(client, fuzz_schema, numbers, examples):
    """Send ``examples`` generated operations; return the status counts and
    the problems found."""
    statuses, problems, sent = Counter(), [], []

    @settings(max_examples=examples, deadline=None, derandomize=not SOAK, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=fuzz_schema.as_strategy(), real=st.none() | st.sampled_from(numbers))
    def send(case, real):
        query = case.body if isinstance(case.body, str) else case.body["query"]
        if real is not None:
            query = NUMBER_ARG.sub(lambda m: f'{m.group(1)}: "{real}"', query)
        response = client.post("/graphql/", data=json.dumps({"query": query}), content_type="application/json")
        sent.append(query)
        statuses[response.status_code] += 1
        problem = check_response(response)
        if problem:
            problems.append((problem, query[:400], response.content[:400]))
        elif response.status_code == 200 and any((response.json().get("data") or {}).values()):
            statuses["200 with data"] += 1

    send()
    return len(sent), statuses, problems


def check_response(response):
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return "not JSON"
    if not isinstance(body, dict) or not ("data" in body or "errors" in body):
        return "neither data nor errors"
    for error in body.get("errors") or []:
        message = error.get("message", "")
        if message == INTERNAL_ERROR:
            return f"an unexpected exception in a resolver at {error.get('path')}"
        if LEAKS.search(message):
            return f"an error leaks internals: {message[:200]}"
    return None


@pytest.mark.parametrize("caller", ["anonymous", "dispatcher"])
def test_generated_operations_get_no_server_error(caller, world, demo_cases, fuzz_schema, capsys):
    client = Client()
    if caller != "anonymous":
        client.force_login(getattr(world, caller))
    numbers = [case.number for case in demo_cases]

    count, statuses, problems = fuzz(client, fuzz_schema, numbers, PER_CALLER)

    with capsys.disabled():  # the figures are shown even without -s
        print(f"\nGraphQL fuzz as {caller}: {count} operations, statuses {dict(sorted(statuses.items(), key=str))}, "
              f"{len(problems)} problems")
    assert count >= PER_CALLER * 0.9  # hypothesis ran (nearly) all the examples asked for
    assert not problems, "\n".join(f"{p}\n  {q}\n  -> {b}" for p, q, b in problems[:10])


def test_an_explicit_null_takes_the_arguments_default(world, flow, gql):
    # found by the fuzz: events(last: null) was a TypeError in the resolver, masked as "Internal server error."
    case = flow.replied()
    body = gql('query($n: String!) { case(number: $n) { events(last: null) { action } } }', {"n": case.number},
               user=world.dispatcher)
    assert "errors" not in body, body
    assert [e["action"] for e in body["data"]["case"]["events"]][-1] == "reply"
