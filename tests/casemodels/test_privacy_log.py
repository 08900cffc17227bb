"""The personal data access log (casemodels.services.privacy): a row for
every case whose citizen's data a staff member is shown unmasked — case
page, workbench list, the staff API's ``citizen`` — and none for masked
views; one INSERT for a whole list page."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casemodels.models import PersonalDataAccess
from casemodels.services import dispatch_case, sign_case
from casemodels.services.privacy import log_personal_data_access

pytestmark = pytest.mark.django_db

PHONE = "13911112222"


def login(client, user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    return user


def gql(query, variables=None, user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.post("/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
                           content_type="application/json")
    assert response.status_code == 200, response.content[:500]
    return response.json()


def log_rows(user=None, **filters):
    rows = PersonalDataAccess.objects.filter(**filters)
    if user is not None:
        rows = rows.filter(user=user)
    return list(rows.order_by("id"))


@pytest.fixture
def handled(world, flow):
    """An ordinary case and a confidential one, both held by the department:
    its handler reads the first in full and the second masked (the handler
    role does not see confidential cases)."""
    plain = flow.handling(citizen_name="王小明", citizen_phone=PHONE, address="幸福路88号3栋201")
    secret = flow.received(citizen_name="李四", citizen_phone="13822223333", is_confidential=True,
                           content="举报某单位违规排放污水，请为我保密。")
    secret = sign_case(dispatch_case(secret, acting_user=world.dispatcher, unit=world.dept),
                       acting_user=world.dept_handler)
    return plain, secret


# --- The case page -------------------------------------------------------------------------------
def test_the_case_page_logs_an_unmasked_view(client, world, handled):
    plain, _secret = handled
    user = login(client, world.dept_handler)
    response = client.get(reverse("cases:inspect", args=[plain.pk]))
    assert response.status_code == 200 and PHONE in response.content.decode()
    [row] = log_rows(user)
    assert (row.case_id, row.case_number, row.where, row.username) == (
        plain.pk, plain.number, PersonalDataAccess.Where.CASE_PAGE, user.get_username())
    assert set(row.fields.split(",")) == {"name", "phone", "address"}


def test_the_case_page_logs_nothing_when_the_data_is_masked(client, world, handled):
    _plain, secret = handled
    user = login(client, world.dept_handler)
    response = client.get(reverse("cases:inspect", args=[secret.pk]))
    assert response.status_code == 200 and "13822223333" not in response.content.decode()
    assert log_rows(user) == []


# --- The workbench lists -------------------------------------------------------------------------
def test_a_list_logs_each_case_shown_unmasked_in_one_insert(client, world, flow):
    cases = [flow.received(citizen_phone=f"1391111{i:04d}") for i in range(12)]
    user = login(client, world.dispatcher)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("workbench:to_dispatch"))
    assert response.status_code == 200
    assert {r.case_id for r in log_rows(user)} == {c.pk for c in cases}
    assert {r.where for r in log_rows(user)} == {PersonalDataAccess.Where.ADMIN_LIST}
    inserts = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith("INSERT") and "personaldataaccess" in q["sql"]]
    assert len(inserts) == 1


def test_a_list_page_costs_the_same_queries_for_few_or_many_cases(client, world, flow):
    user = login(client, world.dispatcher)
    flow.received(citizen_phone="13911110000")
    client.get(reverse("workbench:to_dispatch"))  # warm the caches (box counts, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("workbench:to_dispatch"))
    for i in range(1, 15):
        flow.received(citizen_phone=f"1391111{i:04d}")
    client.get(reverse("workbench:to_dispatch"))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("workbench:to_dispatch"))
    assert len(many) <= len(few) + 1, (len(few), len(many))
    assert len(log_rows(user)) == 1 + 1 + 15 + 15


def test_a_list_shown_masked_logs_nothing(client, world, flow):
    from snippets.models import Role

    Role.objects.filter(code="dispatcher").update(sees_personal_data=False)
    flow.received(citizen_phone=PHONE)
    user = login(client, world.dispatcher)
    response = client.get(reverse("workbench:to_dispatch"))
    assert response.status_code == 200 and PHONE not in response.content.decode()
    assert log_rows(user) == []


# --- The staff API -------------------------------------------------------------------------------
CITIZEN = "query($n: String!) { case(number: $n) { citizen { name phone masked } } }"


def test_the_api_logs_the_citizen_field_when_unmasked(world, handled):
    plain, _secret = handled
    body = gql(CITIZEN, {"n": plain.number}, user=world.dept_handler)
    assert body["data"]["case"]["citizen"] == {"name": "王小明", "phone": PHONE, "masked": False}
    [row] = log_rows(world.dept_handler)
    assert (row.case_id, row.where, row.fields) == (plain.pk, PersonalDataAccess.Where.GRAPHQL, "name,phone")


def test_the_api_logs_nothing_for_a_masked_citizen_or_without_personal_fields(world, handled):
    plain, secret = handled
    body = gql(CITIZEN, {"n": secret.number}, user=world.dept_handler)
    assert body["data"]["case"]["citizen"]["masked"] is True
    body = gql("query($n: String!) { case(number: $n) { citizen { masked isAnonymous } } }",
               {"n": plain.number}, user=world.dept_handler)
    assert body["data"]["case"]["citizen"]["masked"] is False
    assert log_rows(world.dept_handler) == []


def test_the_api_logs_a_page_of_cases_in_one_insert_and_follows_fragments(world, flow):
    cases = [flow.received(citizen_phone=f"1391111{i:04d}") for i in range(6)]
    query = """
    fragment who on Citizen { phone }
    { cases(first: 50) { edges { node { number citizen { ...who } } } } }
    """
    with CaptureQueriesContext(connection) as queries:
        body = gql(query, user=world.dispatcher)
    assert "errors" not in body, body
    assert {r.case_id for r in log_rows(world.dispatcher)} == {c.pk for c in cases}
    assert {r.fields for r in log_rows(world.dispatcher)} == {"phone"}
    inserts = [q for q in queries.captured_queries
               if q["sql"].startswith("INSERT") and "personaldataaccess" in q["sql"]]
    assert len(inserts) == 1


# --- The service -------------------------------------------------------------------------------
def test_logging_for_nobody_or_no_case_writes_nothing(world, flow):
    from django.contrib.auth.models import AnonymousUser

    case = flow.received()
    assert log_personal_data_access(AnonymousUser(), case, where="case_page") == []
    assert log_personal_data_access(world.dispatcher, [], where="case_page") == []
    with pytest.raises(ValueError):
        log_personal_data_access(world.dispatcher, case, where="nowhere")
    assert PersonalDataAccess.objects.count() == 0
