"""Who may call the lifecycle mutations: unit scope for every mutation on a
case (another unit's case is "not found", exactly like a number that does
not exist, and nothing changes), anonymous callers and signed-in users who
are not staff. Each refusal is followed by the rightful staff member's
same call, which succeeds: it is scope that refused, not the case's state."""

import pytest
from graphql import get_named_type

from api.schema import schema
from casemodels.models import AssessmentExclusion, Case
from casemodels.services import exclude_from_assessment
from tests.casemodels.conftest import snapshot
from tests.factories import StaffFactory, UserFactory

from .case_mutations import MISSING_NUMBER, Spec, act, alone, number_field, on
from .case_mutations import SPECS as LIFECYCLE_SPECS

pytestmark = pytest.mark.django_db


def _with_town_b_supervisor(make):
    """``make``, after giving the world a supervisor of 三甲镇 (another unit, the same role)."""

    def ready(w, f):
        if "town_b_supervisor" not in vars(w):
            w.town_b_supervisor = StaffFactory(unit=w.town_b, roles=["supervisor"]).user
        return make(w, f)

    return ready


def _excluded(w, f):
    return exclude_from_assessment(f.closed(), acting_user=w.supervisor, reason="超出政策规定，予以核减。")


# Excluding a case from assessment and restoring it (核减): the centre's supervisors decide.
SPECS = [
    *LIFECYCLE_SPECS,
    Spec("excludeFromAssessment", _with_town_b_supervisor(alone(lambda w, f: f.closed())),
         lambda c, o: on(c, reason="超出政策规定，予以核减。"), "supervisor", "town_b_supervisor"),
    Spec("restoreToAssessment", _with_town_b_supervisor(alone(_excluded)),
         lambda c, o: on(c, reason="核减有误，恢复考评。"), "supervisor", "town_b_supervisor"),
]

STAFF_ONLY = [
    ("registerCase", {"input": {"channel": "hotline", "caseType": "complaint", "content": "路灯坏了。",
                                "citizenPhone": "13812341234"}}),
]


def excluded(*cases):
    """Which of ``cases`` are excluded from assessment (the case's snapshot does not say)."""
    return set(AssessmentExclusion.objects.filter(case__in=cases).values_list("case_id", flat=True))


def test_every_mutation_on_a_case_is_checked_here():
    # given the schema's mutations that act on a case (by number, or primary for a merge) and answer with it
    # (the supervision-note mutations name a note by its number: tests/api/test_supervision_api.py)
    on_a_case = {
        name for name, field in schema.graphql_schema.mutation_type.fields.items()
        if ("number" in field.args or "primary" in field.args) and "case" in get_named_type(field.type).fields
    }
    # then every one of them has a scope check below
    assert on_a_case == {spec.name for spec in SPECS}


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_staff_of_another_unit_get_not_found_and_nothing_changes(gql, world, flow, spec):
    # given a case ready for the action, which the other unit cannot see
    case, others = spec.ready(world, flow)
    before = [snapshot(c) for c in (case, *others)]
    excluded_before = excluded(case, *others)
    arguments = spec.arguments(case, others)
    outsider = getattr(world, spec.outsider)

    # when staff of another unit, holding a role for such actions, try it
    payload = act(gql, outsider, spec.name, **arguments)

    # then the case is not found, exactly as a number that does not exist, and nothing changed
    assert payload["case"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(number_field(spec), "not_found")]
    missing = act(gql, outsider, spec.name, **{**arguments, number_field(spec): MISSING_NUMBER})
    assert missing == payload
    assert [snapshot(c) for c in (case, *others)] == before
    assert excluded(case, *others) == excluded_before

    # and the rightful staff member's same call succeeds
    payload = act(gql, getattr(world, spec.by), spec.name, **arguments)
    assert payload["errors"] == []
    assert payload["case"]["number"] == case.number
    assert payload["case"]["version"] > before[0]["case"]["version"]


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_anonymous_callers_get_unauthenticated_and_nothing_changes(gql, world, flow, spec):
    # given a case ready for the action
    case, others = spec.ready(world, flow)
    before = [snapshot(c) for c in (case, *others)]
    excluded_before = excluded(case, *others)

    # when someone who has not signed in tries it
    payload = act(gql, None, spec.name, **spec.arguments(case, others))

    # then they are told to sign in, and nothing changed
    assert payload["case"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(None, "unauthenticated")]
    assert [snapshot(c) for c in (case, *others)] == before
    assert excluded(case, *others) == excluded_before


def test_anonymous_callers_cannot_register_as_staff(gql, world):
    # when someone who has not signed in uses the staff intake
    payload = act(gql, None, "registerCase", **STAFF_ONLY[0][1])

    # then they are told to sign in and nothing is registered
    assert payload["case"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(None, "unauthenticated")]
    assert not Case.objects.exists()


def test_signed_in_users_who_are_not_staff_are_not_allowed(gql, world, flow):
    # given a received case and a signed-in user without a staff profile
    case = flow.received()
    before = snapshot(case)
    user = UserFactory()

    # when they try to dispatch it or to register a case
    dispatched = act(gql, user, "dispatchCase", number=case.number, unit="zjj")
    registered = act(gql, user, "registerCase", **STAFF_ONLY[0][1])

    # then both are refused as not allowed, and nothing changed
    for payload in (dispatched, registered):
        assert payload["case"] is None
        assert [e["code"] for e in payload["errors"]] == ["not_allowed"]
    assert snapshot(case) == before


def test_a_merge_with_a_duplicate_out_of_scope_finds_no_such_duplicate(gql, world, flow):
    # given a case of the township (its dispatcher's own) and a case of the centre it cannot see
    own = flow.received(acting_user=world.town_b_dispatcher)
    other = flow.received()
    before = [snapshot(own), snapshot(other)]

    # when the township's dispatcher merges the centre's case into its own
    payload = act(gql, world.town_b_dispatcher, "mergeCases", primary=own.number, duplicates=[other.number])

    # then that duplicate is not found, and neither case changed
    assert payload["case"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("duplicates", "not_found")]
    assert other.number in payload["errors"][0]["message"]
    assert [snapshot(own), snapshot(other)] == before
