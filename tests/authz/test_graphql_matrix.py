"""The GraphQL authorisation matrix (issue 8): every root query and mutation
of the live schema × every viewer, against a case (or note) in the staff
viewers' scope and the matching one out of it.

Outcome classes (``graphql_ops.outcome``): a mutation answers ``ok`` or the
code of its first typed error (``not_found`` is what an out-of-scope case
must look like: the very answer a number that does not exist gets, and
nothing changes); a query answers ``sees`` / ``blind`` (the target's number
is / is not in the answer), ``data`` / ``empty``, or ``error:<code>``.

A field added to the schema without a row here fails
``test_the_table_covers_every_root_field``."""

import json

import pytest
from .conftest import STAFF_VIEWERS, VIEWERS, south_state, south_traces
from .graphql_ops import OPS, ROOT, outcome, post

# Who is not staff of the centre, and how a refusal names them.
OUTSIDERS = {"anonymous": "unauthenticated", "inactive_user": "unauthenticated",
             "no_profile": "not_allowed", "inactive_profile": "not_allowed"}
ROW = (*STAFF_VIEWERS, "superuser")  # the order of the cells below


class Expect:
    """Expected outcomes by side (``in``, ``out``, optionally ``secret``) and viewer."""

    def __init__(self, sides):
        self.sides = sides

    def __getitem__(self, key):
        side, viewer = key
        return self.sides[side][viewer]


def _row(cells):
    assert len(cells) == len(ROW), cells
    return dict(zip(ROW, cells))


def on_case(*cells, su_out=None):
    """A mutation on one case: the staff cells for the in-scope case; out of
    scope every staff member gets ``not_found`` and the superuser ``su_out``
    (by default what they get in scope); outsiders are refused before any look-up."""
    inside = _row(cells)
    outside = {v: "not_found" for v in STAFF_VIEWERS} | {"superuser": su_out or inside["superuser"]}
    return Expect({"in": OUTSIDERS | inside, "out": OUTSIDERS | outside})


def both(inside, outside, outsiders=None):
    """Any other field: the cells of both sides; outsiders refused (default), or
    as given: one row for both sides, or an (in, out) pair of values for all of them."""
    if isinstance(outsiders, tuple):
        rest_in, rest_out = (dict.fromkeys(OUTSIDERS, value) for value in outsiders)
    else:
        rest_in = rest_out = outsiders if outsiders is not None else OUTSIDERS
    return Expect({"in": rest_in | _row(inside), "out": rest_out | _row(outside)})


def scoped_read(secret=None):
    """A staff query reading cases or notes: the northern target is seen by
    northern staff, the southern one only by the superuser; outsiders see nothing."""
    blind = dict.fromkeys(OUTSIDERS, "blind")
    sides = {"in": blind | dict.fromkeys(ROW, "sees"),
             "out": blind | dict.fromkeys(STAFF_VIEWERS, "blind") | {"superuser": "sees"}}
    if secret is not None:
        sides["secret"] = blind | _row(secret)
    return Expect(sides)


def everyone(value, outsiders=None):
    """The same answer to everyone (public), or to staff with ``outsiders`` for the rest."""
    rest = dict.fromkeys(OUTSIDERS, outsiders or value)
    return Expect({"in": rest | dict.fromkeys(ROW, value), "out": rest | dict.fromkeys(ROW, value)})


def analysis(superuser):
    """The centre-wide figures: a command centre's supervisors and administrators only
    (every staff viewer here works in a district)."""
    refused = {v: f"error:{code}" for v, code in OUTSIDERS.items()} | dict.fromkeys(STAFF_VIEWERS, "error:not_allowed")
    return Expect({"in": refused | {"superuser": superuser}, "out": refused | {"superuser": superuser}})


# Confidential report of the northern handling unit, not yet with any unit: seen only by roles that see
# confidential cases (dispatcher, supervisor, administrator) and the superuser.
SECRET = ("blind", "sees", "blind", "blind", "sees", "sees", "sees")
NA, NF, NYC, IS = "not_allowed", "not_found", "not_your_case", "invalid_state"

#                               visitor  dispatcher handler leader supervisor admin  superuser
EXPECT = {
    # --- queries ----------------------------------------------------------------------------------
    "supervisionNotes": scoped_read(),
    "supervisionNote": scoped_read(),
    "cases": scoped_read(secret=SECRET),
    "case": scoped_read(secret=SECRET),
    "similarCases": scoped_read(secret=SECRET),
    "suggestDispatch": everyone("empty"),  # no directory rules in this world: nothing to suggest to anyone
    "units": everyone("data", outsiders="empty"),
    "replyTemplates": everyone("data", outsiders="empty"),
    "me": everyone("data", outsiders="empty"),
    "hotItems": analysis("empty"),
    "hotRegions": analysis("empty"),
    "risingMatters": analysis("empty"),
    "seasonal": analysis("data"),
    "weekdayProfile": analysis("data"),
    "notices": everyone("empty"),
    "notice": everyone("empty"),
    "resultBoard": everyone("data"),
    "bulletins": everyone("empty"),
    "publishedCases": everyone("data"),
    "channels": everyone("data"),
    "catalog": everyone("empty"),
    # public tracking with the northern case's query code: the southern number with it is not found
    "trackCase": both(("sees",) * 7, ("blind",) * 7, outsiders=("sees", "blind")),
    # --- mutations on a case ------------------------------------------------------------------------
    "postProgress": on_case(NA, NA, "ok", "ok", NA, NA, "ok"),
    "dispatchCase": on_case(NA, "ok", NF, NF, NA, NA, "ok"),
    "signCase": on_case(NA, NYC, "ok", "ok", NA, NA, NYC),
    "recordContact": on_case(NA, NA, "ok", "ok", NA, NA, "ok"),
    "subDispatchCase": on_case(NA, NYC, "ok", "ok", NA, NA, "ok"),
    "escalateCase": on_case(NA, NYC, "ok", "ok", NA, NA, "ok"),
    "requestReturn": on_case(NA, NYC, "ok", "ok", NA, NA, "ok"),
    "reviewReturn": on_case(NA, "ok", NA, NA, NA, NA, "ok"),
    "requestExtension": on_case(NA, NA, "ok", "ok", NA, NA, "ok"),
    "reviewExtension": on_case(NA, "ok", NA, NA, NA, NA, "ok"),
    "requestInfo": on_case(NYC, "ok", NF, NF, NYC, NYC, "ok"),
    "resumeCase": on_case(NYC, "ok", NF, NF, NYC, NYC, "ok"),
    "holdConsultation": on_case(NA, "ok", NA, NA, "ok", NA, "ok"),
    "replyCase": on_case(NA, NA, "ok", "ok", NA, NA, "ok"),
    "recordReturnVisit": on_case("ok", "ok", NA, NA, NA, NA, "ok"),
    "redispatchCase": on_case(NA, IS, NA, NA, NA, NA, IS),  # only after an unsatisfied visit
    "closeCase": on_case(NA, "ok", NA, NA, NA, NA, "ok"),
    "archiveCase": on_case(NA, "ok", NA, NA, NA, "ok", "ok"),
    "answerOnTheSpot": on_case(NA, IS, NF, NF, NA, NA, IS),  # a complaint is not answered on the spot
    "mergeCases": on_case(NA, "ok", NF, NF, NA, NA, "ok"),
    "divertCase": on_case(NA, "ok", NF, NF, NA, NA, "ok"),
    "markInvalid": on_case(NA, "ok", NF, NF, NA, NA, "ok"),
    "excludeFromAssessment": on_case(NA, NA, NA, NA, "ok", "ok", "ok"),
    "restoreToAssessment": on_case(NA, NA, NA, NA, "ok", "ok", "ok"),
    # --- supervision notes (by note number, or to a unit) ------------------------------------------------
    "superviseCase": on_case(NA, "ok", NA, NA, "ok", NA, "ok"),
    "answerSupervisionNote": on_case(NA, "not_your_note", "ok", "ok", NA, NA, "ok"),
    "closeSupervisionNote": on_case(NA, "ok", NA, NA, "ok", NA, "ok"),
    # nothing is overdue at the frozen time; another district's unit is out of scope (a unit is no secret)
    "superviseOverdueCases": both((NA, "no_overdue_cases", NA, NA, "no_overdue_cases", NA, "no_overdue_cases"),
                                  (NA, "out_of_scope", NA, NA, "out_of_scope", NA, "no_overdue_cases")),
    # --- other mutations -----------------------------------------------------------------------------
    "registerCase": both((NA, "ok", NA, NA, NA, NA, "ok"), (NA, "ok", NA, NA, NA, NA, "ok")),
    # in: the dispatcher's own password; out: an inactive account's right password
    "tokenAuth": both(("ok",) * 7, ("invalid_credentials",) * 7, outsiders=("ok", "invalid_credentials")),
    # signed in by session, there is no token to revoke
    "revokeToken": both(("invalid",) * 7, ("invalid",) * 7,
                        outsiders={"anonymous": "unauthenticated", "inactive_user": "unauthenticated",
                                   "no_profile": "invalid", "inactive_profile": "invalid"}),
    # public rating with the northern replied case's query code
    "rateCase": both(("ok",) * 7, (NF,) * 7, outsiders=("ok", NF)),
    "submitCase": everyone("ok"),
}

FIELDS = [(kind, name) for kind, root in ROOT.items() for name in root.fields]
MATRIX = [(kind, field, viewer) for kind, field in FIELDS for viewer in VIEWERS]


def test_the_table_covers_every_root_field():
    # a new query or mutation needs an operation and an expectation for every viewer before it ships
    schema_fields = {name for _kind, name in FIELDS}
    assert set(EXPECT) == schema_fields
    assert set(OPS) == schema_fields
    for name, expect in EXPECT.items():
        for side, row in expect.sides.items():
            assert set(VIEWERS) <= set(row), (name, side, set(VIEWERS) - set(row))


@pytest.mark.parametrize(("kind", "field", "viewer"), MATRIX, ids=[f"{f}-{v}" for _k, f, v in MATRIX])
def test_matrix(w, kind, field, viewer):
    expect, client = EXPECT[field], w.clients[viewer]
    before = south_state(w)
    answers = {}
    for side in ("out", *(s for s in expect.sides if s != "out")):
        variables, target = OPS[field](w, side)
        body = post(client, kind, field, variables)
        answers[side] = body
        got = outcome(kind, field, body, target)
        assert got == expect[side, viewer], f"{field} as {viewer} on the {side}-of-scope target: {got}, {body}"
        if side == "out" and got != "ok":
            # a refused call on another district's case or note changed nothing
            assert south_state(w) == before, f"{field} as {viewer} changed the southern data"
        if side == "out" and got == "not_found":
            # an out-of-scope case looks exactly like a number that does not exist
            missing = post(client, kind, field, OPS[field](w, "missing")[0])
            assert body == missing, f"{field} as {viewer}: out of scope {body} vs missing {missing}"
    if viewer != "superuser":
        # nothing of the other district shows, whatever the field or the side
        text = json.dumps(answers, ensure_ascii=False)
        leaked = {t for t in south_traces(w) if t in text}
        assert not leaked, f"{field} as {viewer} shows southern data: {leaked}"


def test_matrix_size(capsys):
    cells = sum(len(e.sides) for e in EXPECT.values()) * len(VIEWERS)
    with capsys.disabled():
        print(f"\nGraphQL matrix: {len(FIELDS)} root fields × {len(VIEWERS)} viewers = {len(MATRIX)} tests, "
              f"{cells} (field, viewer, target) cells")
    assert len(MATRIX) == len(FIELDS) * len(VIEWERS) and cells >= 2 * len(MATRIX)
