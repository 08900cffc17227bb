"""Fixtures of the API tests: the small deployment of the case lifecycle
tests (``world``, ``flow``, ``refused``, a frozen ``clock``) and ``gql``, which
runs a GraphQL document over HTTP as a given user (a session; ``None`` for
an anonymous caller)."""

import json

import pytest
from django.test import Client

from tests.casemodels.conftest import calendar, clock, flow, refused, world  # noqa: F401 (fixtures)


@pytest.fixture
def gql():
    """``gql(query, variables=None, user=None)`` → the JSON body; asserts HTTP 200."""

    def run(query, variables=None, user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.post(
            "/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content[:500]
        return response.json()

    return run
