"""Helpers of the staff mutation tests: ``act`` runs one lifecycle mutation
over HTTP with its arguments as variables (their types read from the
schema), and ``SPECS`` names, for every mutation on a case, how to bring a
case to the point where it may be taken, its arguments, who may take it and
a staff member of another unit with the same kind of role."""

from dataclasses import dataclass
from typing import Callable

from api.schema import schema
from casemodels.services import record_return_visit, request_extension, request_info, request_return

PAYLOAD = """
case {
  number state version round reply isUnsatisfied mergedInto ownerUnit { code }
  assignments { unit { code } role state }
  events(last: 50) { action note }
}
errors { field code message }
"""

MISSING_NUMBER = "MS2025093099999"


def document(name, arguments):
    """A mutation document calling ``name`` with one variable per argument."""
    field = schema.graphql_schema.mutation_type.fields[name]
    definitions = ", ".join(f"${arg}: {field.args[arg].type}" for arg in arguments)
    call = ", ".join(f"{arg}: ${arg}" for arg in arguments)
    head = f"mutation({definitions})" if arguments else "mutation"
    return f"{head} {{ {name}{f'({call})' if call else ''} {{ {PAYLOAD} }} }}"


def act(gql, user, name, **arguments):
    """Run mutation ``name`` as ``user`` (None: anonymous); return its payload."""
    body = gql(document(name, arguments), arguments, user=user)
    assert "errors" not in body, body
    return body["data"][name]


def actions(payload):
    return [event["action"] for event in payload["case"]["events"]]


@dataclass
class Spec:
    name: str
    ready: Callable  # (world, flow) -> (case, [other cases involved])
    arguments: Callable  # (case, others) -> the mutation's arguments
    by: str  # a staff member of the world who may take the action on that case
    outsider: str  # staff of another unit with a role that may take such actions

    def __str__(self):
        return self.name


def alone(make):
    return lambda w, f: (make(w, f), [])


def on(case, **extra):
    return {"number": case.number, **extra}


def asked_for_return(w, f):
    case = f.handling()
    return request_return(case, acting_user=w.dept_handler, reason="不属于本单位职责。")


def asked_for_extension(w, f):
    case = f.handling()
    return request_extension(case, acting_user=w.dept_handler, working_days=3, reason="需协调施工队。")


def waiting_for_citizen(w, f):
    case = f.dispatched()
    return request_info(case, acting_user=w.dispatcher, missing="请补充具体门牌号。")


def unsatisfied(w, f):
    case = f.replied()
    return record_return_visit(
        case, acting_user=w.visitor, satisfaction="unsatisfied", resolved=False, redispatch=False,
    )


def two_received(w, f):
    return f.received(), [f.received()]


SPECS = [
    Spec("dispatchCase", alone(lambda w, f: f.received()), lambda c, o: on(c, unit="zjj"),
         "dispatcher", "town_b_dispatcher"),
    Spec("signCase", alone(lambda w, f: f.dispatched()), lambda c, o: on(c), "dept_handler", "town_b_handler"),
    Spec("subDispatchCase", alone(lambda w, f: f.handling(unit=w.town_a, signer=w.town_handler)),
         lambda c, o: on(c, unit="ms-mx"), "town_handler", "town_b_handler"),
    Spec("escalateCase", alone(lambda w, f: f.handling()), lambda c, o: on(c, reason="超出本单位职能。"),
         "dept_handler", "town_b_handler"),
    Spec("requestReturn", alone(lambda w, f: f.handling()), lambda c, o: on(c, reason="不属于本单位职责。"),
         "dept_handler", "town_b_handler"),
    Spec("reviewReturn", alone(asked_for_return), lambda c, o: on(c, approve=True), "dispatcher", "town_b_dispatcher"),
    Spec("requestExtension", alone(lambda w, f: f.handling()),
         lambda c, o: on(c, workingDays=3, reason="需协调施工队。"), "dept_handler", "town_b_handler"),
    Spec("reviewExtension", alone(asked_for_extension), lambda c, o: on(c, approve=True),
         "dispatcher", "town_b_dispatcher"),
    Spec("requestInfo", alone(lambda w, f: f.dispatched()), lambda c, o: on(c, missing="请补充具体门牌号。"),
         "dispatcher", "town_b_dispatcher"),
    Spec("resumeCase", alone(waiting_for_citizen), lambda c, o: on(c, information="门牌号为12号。"),
         "dispatcher", "town_b_dispatcher"),
    Spec("holdConsultation", alone(lambda w, f: f.dispatched()),
         lambda c, o: on(c, level=1, units=["zjj", "swj"], topic="职责划分", conclusion="由住建局牵头。"),
         "dispatcher", "town_b_dispatcher"),
    Spec("replyCase", alone(lambda w, f: f.handling()), lambda c, o: on(c, reply="已修复路灯。"),
         "dept_handler", "town_b_handler"),
    Spec("recordReturnVisit", alone(lambda w, f: f.replied()),
         lambda c, o: on(c, satisfaction="satisfied", resolved=True), "visitor", "town_b_dispatcher"),
    Spec("redispatchCase", alone(unsatisfied), lambda c, o: on(c), "dispatcher", "town_b_dispatcher"),
    Spec("closeCase", alone(lambda w, f: f.replied()), lambda c, o: on(c), "dispatcher", "town_b_dispatcher"),
    Spec("archiveCase", alone(lambda w, f: f.closed()), lambda c, o: on(c), "dispatcher", "town_b_dispatcher"),
    Spec("answerOnTheSpot", alone(lambda w, f: f.received(case_type="consultation")),
         lambda c, o: on(c, answer="可在政务服务网办理。"), "dispatcher", "town_b_dispatcher"),
    Spec("mergeCases", two_received, lambda c, o: {"primary": c.number, "duplicates": [d.number for d in o]},
         "dispatcher", "town_b_dispatcher"),
    Spec("divertCase", alone(lambda w, f: f.received()), lambda c, o: on(c, route="litigation", note="请走诉讼途径。"),
         "dispatcher", "town_b_dispatcher"),
    Spec("markInvalid", alone(lambda w, f: f.received()), lambda c, o: on(c, reason="骚扰电话。"),
         "dispatcher", "town_b_dispatcher"),
    Spec("postProgress", alone(lambda w, f: f.handling()), lambda c, o: on(c, note="已联系施工方，下周完成。"),
         "dept_handler", "town_b_handler"),
    Spec("recordContact", alone(lambda w, f: f.handling()), lambda c, o: on(c, note="已电话联系市民。", method="phone"),
         "dept_handler", "town_b_handler"),
]


def number_field(spec):
    """The argument naming the case the mutation acts on."""
    return "primary" if spec.name == "mergeCases" else "number"
