"""The GraphQL side of the authorisation matrix: for every root field, a
minimal valid call against a NORTH target (in the staff viewers' scope) and
the matching SOUTH target (out of it), and the outcome class of an answer.

``OPS[field](w, side)`` gives ``(variables, target)``: ``side`` is
``"in"``, ``"out"``, ``"missing"`` (a case number that does not exist) or
``"secret"`` (the confidential report, for the queries that read cases),
``target`` the number (of a case or a note) whose presence in the answer
tells a reading query's outcome. The document is written from the live
schema (argument types, payload fields), so only the values are by hand."""

import datetime
import json

from graphql import get_named_type, is_leaf_type

from api.schema import schema

from .conftest import MISSING_NUMBER, START

DAY = datetime.timedelta(days=1)
WINDOW = {"start": (START - 30 * DAY).isoformat(), "end": (START + DAY).isoformat()}
DUE = (START + 3 * DAY).isoformat()
ROOT = {"query": schema.graphql_schema.query_type, "mutation": schema.graphql_schema.mutation_type}

# Selections of the reading queries (a mutation's payload is selected from the schema).
QUERY_SELECTIONS = {
    "supervisionNotes": "{ number cases }",
    "supervisionNote": "{ number cases }",
    "cases": "{ totalCount edges { node { number } } }",
    "case": "{ number citizen { phone masked } }",
    "suggestDispatch": "{ confidence }",
    "similarCases": "{ case { number } }",
    "units": "{ code }",
    "replyTemplates": "{ title }",
    "hotItems": "{ code cases }",
    "hotRegions": "{ code cases }",
    "risingMatters": "{ cases }",
    "seasonal": "{ cases }",
    "weekdayProfile": "{ cases }",
    "me": "{ username }",
    "notices": "{ slug }",
    "notice": "{ slug }",
    "resultBoard": "{ groups { rows { unit { code } } } }",
    "bulletins": "{ number }",
    "publishedCases": "{ edges { node { number } } }",
    "channels": "{ code }",
    "catalog": "{ code }",
    "trackCase": "{ number state }",
}


def side_of(w, side):
    """The cases and notes of a side (the missing side reads like the southern one)."""
    return w.south if side == "out" else w.north


def number(w, side, state):
    if side == "secret":  # the confidential report, whatever the state asked for
        return w.confidential.number
    return MISSING_NUMBER if side == "missing" else getattr(side_of(w, side), state).number


def holder(side):
    return "sj-sj" if side == "out" else "ms-mx"


def on(state, **extra):
    """A lifecycle mutation on the side's case in ``state``."""
    return lambda w, side: ({"number": number(w, side, state), **extra}, number(w, side, state))


def note(which, **extra):
    def build(w, side):
        value = "督办〔2099〕1号" if side == "missing" else getattr(side_of(w, side), which).number
        return {"number": value, **extra}, value

    return build


def _case_input(public):
    data = {"channel": "web" if public else "hotline", "caseType": "complaint", "content": "幸福路路灯坏了，请修复。",
            "citizenName": "张三", "citizenPhone": "13812341234"}
    return lambda w, side: ({"input": data}, None)


def _fixed(variables):
    return lambda w, side: (dict(variables), None)


def _query_case(state):
    return lambda w, side: ({"number": number(w, side, state)}, number(w, side, state))


def _track(w, side):
    target = number(w, side, "handling")
    return {"number": target, "queryCode": w.north.handling.query_code}, target


def _rate(w, side):
    target = number(w, side, "replied")
    return {"number": target, "queryCode": w.north.replied.query_code, "satisfaction": "satisfied",
            "resolved": True}, target


def _similar(w, side):
    target = number(w, side, "handling")
    phone = {"missing": "13800009999", "secret": w.confidential.citizen_phone}.get(side)
    phone = phone or side_of(w, side).handling.citizen_phone
    return {"content": "路灯坏了，晚上很黑。", "phone": phone}, target


def _token(w, side):
    name = "authz-dispatcher" if side == "in" else "authz-inactive"
    return {"username": name, "password": "pw"}, None


def _merge(w, side):
    primary = number(w, side, "received")
    return {"primary": primary, "duplicates": [number(w, side, "paused")]}, primary


def _supervise(w, side):
    target = number(w, side, "handling")
    return {"numbers": [target], "unit": holder(side), "kind": "reminder", "reason": "请加快办理",
            "answerDue": DUE}, target


OPS = {
    # --- queries --------------------------------------------------------------------------------
    "supervisionNotes": lambda w, side: ({}, note("note_issued")(w, side)[1]),
    "supervisionNote": note("note_issued"),
    "cases": lambda w, side: ({"first": 100}, number(w, side, "handling")),
    "case": _query_case("handling"),
    "suggestDispatch": _fixed({"content": "路灯坏了，晚上很黑。"}),
    "similarCases": _similar,
    "units": _fixed({}),
    "replyTemplates": _fixed({"search": "路灯"}),
    "hotItems": _fixed(WINDOW),
    "hotRegions": _fixed(WINDOW),
    "risingMatters": _fixed({}),
    "seasonal": _fixed({"month": "2025-09"}),
    "weekdayProfile": _fixed(WINDOW),
    "me": _fixed({}),
    "notices": _fixed({}),
    "notice": _fixed({"slug": "service-hours"}),
    "resultBoard": _fixed({"period": "2025-09"}),
    "bulletins": _fixed({}),
    "publishedCases": _fixed({"first": 10}),
    "channels": _fixed({}),
    "catalog": _fixed({}),
    "trackCase": _track,
    # --- mutations ------------------------------------------------------------------------------
    "superviseCase": _supervise,
    "superviseOverdueCases": lambda w, side: ({"unit": holder(side), "kind": "reminder", "reason": "逾期未办",
                                               "answerDue": DUE}, None),
    "answerSupervisionNote": note("note_issued", answer="已处理"),
    "closeSupervisionNote": note("note_answered", comment="同意"),
    "postProgress": on("handling", note="已联系施工队"),
    "registerCase": _case_input(public=False),
    "dispatchCase": lambda w, side: on("received", unit=holder(side))(w, side),
    "signCase": on("dispatched"),
    "recordContact": on("handling", note="已电话联系市民"),
    "subDispatchCase": lambda w, side: on("handling", unit=holder(side) + "-g")(w, side),
    "escalateCase": on("handling", reason="需上级协调"),
    "requestReturn": on("handling", reason="不属于本单位职责"),
    "reviewReturn": on("returning", approve=True),
    "requestExtension": on("handling", workingDays=2, reason="需协调"),
    "reviewExtension": on("extending", approve=True),
    "requestInfo": on("received", missing="请提供门牌号"),
    "resumeCase": on("paused", information="幸福路12号"),
    "holdConsultation": lambda w, side: on("handling", level=3, units=[holder(side)], topic="职责不清",
                                           conclusion="由村委办理")(w, side),
    "replyCase": on("handling", reply="已修复路灯。"),
    "recordReturnVisit": on("replied", satisfaction="satisfied", resolved=True),
    "redispatchCase": lambda w, side: on("replied", unit=holder(side))(w, side),
    "closeCase": on("replied"),
    "archiveCase": on("closed"),
    "answerOnTheSpot": on("received", answer="政策规定如下……", close=True),
    "mergeCases": _merge,
    "divertCase": on("received", route="litigation", note="属于民事纠纷"),
    "markInvalid": on("received", reason="无效来电"),
    "excludeFromAssessment": on("closed", reason="超出政策规定"),
    "restoreToAssessment": on("excluded", reason="核减有误"),
    "tokenAuth": _token,
    "revokeToken": _fixed({}),
    "rateCase": _rate,
    "submitCase": _case_input(public=True),
}


def selection(kind, field):
    if kind == "query":
        return QUERY_SELECTIONS.get(field, "")
    payload = get_named_type(ROOT[kind].fields[field].type)
    parts = []
    for name, sub in payload.fields.items():
        named = get_named_type(sub.type)
        if name == "errors":
            parts.append("errors { field code }")
        elif is_leaf_type(named):
            parts.append(name)
        else:
            parts.append(f"{name} {{ {'number' if 'number' in named.fields else '__typename'} }}")
    return "{ " + " ".join(parts) + " }"


def document(kind, field, variables):
    """The operation calling ``field`` with ``variables``, typed as the schema declares the arguments."""
    args = ROOT[kind].fields[field].args
    unknown = set(variables) - set(args)
    assert not unknown, f"{field} has no arguments {unknown}"
    declared = ", ".join(f"${name}: {args[name].type}" for name in variables)
    passed = ", ".join(f"{name}: ${name}" for name in variables)
    head = f"{kind}({declared})" if declared else kind
    call = f"{field}({passed})" if passed else field
    return f"{head} {{ {call} {selection(kind, field)} }}"


def post(client, kind, field, variables):
    response = client.post("/graphql/", data=json.dumps({"query": document(kind, field, variables),
                                                         "variables": variables}),
                           content_type="application/json")
    assert response.status_code == 200, response.content[:500]
    return response.json()


def outcome(kind, field, body, target):
    """The outcome class of an answer.

    A mutation: ``ok`` (no errors) or the first error's code. A query: the
    first GraphQL error's code; else, with a target, ``sees`` when its
    number is in the answer and ``blind`` when not; without one, ``data``
    or ``empty`` (null, [] or a list of empty groups)."""
    if body.get("errors"):
        return "error:" + str(body["errors"][0].get("extensions", {}).get("code"))
    value = body["data"][field]
    if kind == "mutation":
        errors = value.get("errors") or [] if value is not None else ["null"]
        return "ok" if not errors else errors[0]["code"] if isinstance(errors[0], dict) else "null"
    if target is not None:
        return "sees" if target in json.dumps(value, ensure_ascii=False) else "blind"
    return "data" if value not in (None, [], {}) else "empty"
