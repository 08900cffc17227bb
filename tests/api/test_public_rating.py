"""rateCase: a citizen rates their own replied case online with its number
and query code; typed errors, the trackCase throttle, nothing changed when
refused.

The mutation class (``api.public.rating.RatingMutation``) is run here in a
schema made of the public queries and that class, so that these tests do
not depend on where the composed schema mounts it."""

from pathlib import Path
from types import SimpleNamespace

import graphene
import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation

from api.public.rating import RatingMutation
from api.public.schema import PublicQuery
from casemodels.models import CaseState, ReturnVisit
from publishing.tracking import MAX_FAILURES

schema = graphene.Schema(query=PublicQuery, mutation=RatingMutation)

RATE = """
mutation($n: String!, $c: String!, $s: String!, $r: Boolean!, $note: String) {
  rateCase(number: $n, queryCode: $c, satisfaction: $s, resolved: $r, note: $note) { ok errors { field code message } }
}
"""
TRACK = "query($n: String!, $c: String!) { trackCase(number: $n, queryCode: $c) { state timeline { action } } }"
OPERATION = Path(settings.BASE_DIR) / "graphql" / "operations" / "rate_case.graphql"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(document, variables, address="203.0.113.7"):
    request = RequestFactory().post("/graphql/", REMOTE_ADDR=address)
    result = schema.execute(document, variables=variables, context_value=request)
    assert result.errors is None, result.errors
    return result.data


def rate(case, code=None, satisfaction="satisfied", resolved=True, note=None, **kwargs):
    variables = {"n": case.number, "c": case.query_code if code is None else code, "s": satisfaction,
                 "r": resolved, "note": note}
    return run(RATE, variables, **kwargs)["rateCase"]


def test_the_right_code_records_the_rating_and_closes_the_case(world, flow):
    # given a replied case
    case = flow.replied()
    # when its citizen rates it satisfied and resolved
    answer = rate(case, note="谢谢")
    # then the answer is ok and the case is closed by an online visit
    assert answer == {"ok": True, "errors": []}
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert ReturnVisit.objects.get(case=case).method == "online"
    # and trackCase shows the rating
    tracked = run(TRACK, {"n": case.number, "c": case.query_code})["trackCase"]
    assert tracked["state"] == "closed" and tracked["timeline"][-1]["action"] == "rate"


def test_an_unsatisfied_rating_sends_the_case_back(world, flow):
    case = flow.replied()
    assert rate(case, satisfaction="unsatisfied", resolved=False)["ok"] is True
    case.refresh_from_db()
    assert (case.state, case.round, case.is_unsatisfied) == (CaseState.DISPATCHED, 2, True)


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(world, flow):
    case = flow.replied()
    wrong = rate(case, code="ZZZZZZZZ")
    unknown = rate(SimpleNamespace(number="MS2099010100001", query_code=case.query_code))
    assert wrong == unknown == {"ok": False, "errors": [
        {"field": "number", "code": "not_found", "message": "There is no case with this number and query code."}]}
    case.refresh_from_db()
    assert case.state == CaseState.REPLIED and not ReturnVisit.objects.filter(case=case).exists()


def test_too_many_wrong_codes_are_throttled(world, flow):
    # given a client that tried too many wrong codes
    case = flow.replied()
    for _attempt in range(MAX_FAILURES):
        assert rate(case, code="ZZZZZZZZ")["errors"][0]["code"] == "not_found"
    # when it rates with the right code, then it is throttled and nothing changed
    answer = rate(case)
    assert (answer["ok"], answer["errors"][0]["code"], answer["errors"][0]["field"]) == (False, "throttled", None)
    case.refresh_from_db()
    assert case.state == CaseState.REPLIED


def test_wrong_state_and_bad_input_are_typed_errors(world, flow):
    # a case still in hand
    handling = flow.handling()
    assert rate(handling)["errors"][0]["code"] == "invalid_state"
    # a bad satisfaction names its argument
    replied = flow.replied()
    assert rate(replied, satisfaction="meh")["errors"][0] | {"message": ""} == {
        "field": "satisfaction", "code": "invalid_choice", "message": ""}
    # rated once, a second rating is refused
    assert rate(replied)["ok"] is True
    assert rate(replied)["errors"][0]["code"] == "invalid_state"
    assert ReturnVisit.objects.filter(case=replied).count() == 1


def test_the_documented_operation_runs(world, flow):
    # given the operation file front ends copy, and a replied case
    case = flow.replied()
    # when it is run with its defaults and the case's number and code
    data = run(OPERATION.read_text(), {"number": case.number, "queryCode": case.query_code})
    # then the rating is recorded
    assert data["rateCase"] == {"ok": True, "errors": []}
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
