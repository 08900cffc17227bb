"""Every documented operation (graphql/operations/*.graphql) run the way a
front end runs it: the ``gql`` package's client, over real HTTP, against
pytest-django's live server (a Django server in a thread of this process).

Staff operations sign in first with the ``tokenAuth`` mutation and send
``Authorization: Bearer <token>``, as the apps do; public ones go without
credentials. Who runs each operation and with what variables is in
tests/api/scenarios.py: a file without a scenario fails here, so every
documented operation is run. The client checks each document against the
live schema before sending it (as a front end's code generator would), and
each run must come back without ``errors``, with data in every field it
asks for and no typed errors in a mutation's payload.

The database: the live server reads what the test wrote, so these tests
run in committed transactions (``transaction=True``). The flush after each
one keeps what ``post_migrate`` makes again (content types, roles and their
groups) but not what migrations made (Wagtail's root page and locale): the
scenarios that need those make them (``scenarios.site_root``). Not
``serialized_rollback``: its flush skips ``post_migrate`` and leaves empty
tables to the browser tests that run next. The clock: the small deployment's frozen clock (2025-09-30 10:00,
Shanghai) is kept. time_machine replaces the clock functions for the whole
process, so the server's thread reads the same instant as the test — token
expiry, deadlines, lights, the result board's period and publication times
all agree — while the monotonic clocks the HTTP stack uses for timeouts
keep running. (The browser tests use the real clock because Chromium is
another process.)"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError, TransportServerError
from gql.transport.requests import RequestsHTTPTransport

from api.schema import schema as minsheng_schema
from tests.factories import UserFactory

from .scenarios import PASSWORD, SCENARIOS

OPERATIONS_DIR = Path(settings.BASE_DIR) / "graphql" / "operations"
OPERATIONS = sorted(OPERATIONS_DIR.glob("*.graphql"))

# Signing in is the runner's own step, not the documented operation (token_auth.graphql is run like any other).
SIGN_IN = """
mutation SignIn($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password, name: "operations test") { token errors { code message } }
}
"""

pytestmark = pytest.mark.django_db(transaction=True)


def client(url, token=None):
    """A gql client for the live server, checking documents against the live schema before sending them."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    transport = RequestsHTTPTransport(url=url, headers=headers, timeout=30, retries=0)
    return Client(transport=transport, schema=minsheng_schema.graphql_schema)


def execute(url, document, variables=None, token=None):
    """The operation's data; fails the test with the server's errors if there are any."""
    try:
        return client(url, token).execute(gql(document), variable_values=variables)
    except TransportQueryError as exc:
        pytest.fail(f"the server answered with errors: {exc.errors}")
    except TransportServerError as exc:
        pytest.fail(f"the server answered HTTP {exc.code}: {exc}")


def sign_in(url, user):
    """A bearer token for ``user``, from the tokenAuth mutation."""
    answer = execute(url, SIGN_IN, {"username": user.get_username(), "password": PASSWORD})["tokenAuth"]
    assert answer["errors"] == [] and answer["token"], answer
    return answer["token"]


def caller(world, who):
    if who == "superuser":
        return UserFactory(is_superuser=True, is_staff=True)
    return getattr(world, who)


def assert_substantive(data):
    """Data in every field asked for: no null, no empty list, no empty page, no typed error in a payload."""
    assert data, "no data came back"
    for field, value in data.items():
        shown = json.dumps(value, ensure_ascii=False)[:500]
        assert value not in (None, [], {}), f"{field} came back empty: {shown}"
        if isinstance(value, dict):
            assert value.get("errors", []) == [], f"{field} carries errors: {shown}"
            assert value.get("edges", [None]) != [], f"{field} is an empty page: {shown}"


@pytest.mark.parametrize("path", OPERATIONS, ids=[p.stem for p in OPERATIONS])
def test_every_documented_operation_runs_over_http(live_server, world, flow, path):
    scenario = SCENARIOS.get(path.stem)
    if scenario is None:
        pytest.fail(
            f"graphql/operations/{path.name} has no scenario: add one to tests/api/scenarios.py "
            f'(@scenario("{path.stem}", who=...) returning its variables), so that the documented operation is run.'
        )
    url = live_server.url + "/graphql/"
    # given the data of the scenario, made in the test's database, and its caller signed in if staff
    variables = scenario.prepare(world, flow)
    token = sign_in(url, caller(world, scenario.who)) if scenario.who else None
    # when the documented operation runs over HTTP with its variables
    sent = {name: value for name, value in variables.items() if not name.startswith("_")}
    data = execute(url, path.read_text(encoding="utf-8"), sent, token)
    # then it answers without errors, with data in every field, and what the scenario expects
    assert_substantive(data)
    if scenario.check is not None:
        scenario.check(data, variables)


def test_every_scenario_has_its_operation():
    # a scenario whose operation file was renamed or removed would silently stop running
    stems = {p.stem for p in OPERATIONS}
    assert sorted(set(SCENARIOS) - stems) == [], "scenarios without an operation file in graphql/operations/"


def test_the_client_signs_in_with_a_bearer_token(live_server, world):
    # given a dispatcher signed in through tokenAuth
    url = live_server.url + "/graphql/"
    token = sign_in(url, world.dispatcher)
    # when the token is sent, then the server knows who asks; without it, nobody is signed in
    assert execute(url, "{ me { username } }", token=token)["me"]["username"] == world.dispatcher.get_username()
    assert execute(url, "{ me { username } }")["me"] is None
    # and a wrong token is refused (HTTP 401 with an error, nothing run), never answered as anonymous
    with pytest.raises(TransportQueryError) as refused:
        client(url, "not-a-token").execute(gql("{ me { username } }"))
    assert refused.value.data is None and refused.value.errors
