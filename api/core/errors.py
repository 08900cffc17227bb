"""Typed errors of mutations (DESIGN §9, saleor's layering): every mutation
returns ``errors: [Error!]!``, each naming the input ``field`` it is about
(or null for the whole request), a stable machine ``code`` and a ``message``
in the caller's language. A refused mutation changes nothing."""

import graphene
from django.core.exceptions import ValidationError

from casemodels.services import CaseActionError


class Error(graphene.ObjectType):
    """Why a mutation was refused. Nothing was changed."""

    class Meta:
        name = "Error"

    field = graphene.String(description="The input field (camelCase) the error is about; null for the whole request.")
    code = graphene.String(
        required=True,
        description="A stable code: required, invalid, not_found, not_allowed, unauthenticated, out_of_scope, "
        "invalid_state, conflict, throttled, …",
    )
    message = graphene.String(required=True, description="What is wrong, in the caller's language.")


def camel(name):
    """``reply_due`` → ``replyDue``: errors name fields as the schema does."""
    if not name:
        return None
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def error(code, message, field=None):
    return Error(field=camel(field), code=code, message=str(message))


def errors_from(exc):
    """The ``Error`` list for a refused service call: a ``CaseActionError``
    (one error), or a Django ``ValidationError`` (one per message)."""
    if isinstance(exc, CaseActionError):
        return [error(exc.code, exc.message, exc.field)]
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [
                error(e.code or "invalid", " ".join(e.messages), None if name == "__all__" else name)
                for name, errs in exc.error_dict.items() for e in errs
            ]
        return [error(e.code or "invalid", " ".join(e.messages)) for e in exc.error_list]
    raise TypeError(f"Not a refusal: {exc!r}")


REFUSALS = (CaseActionError, ValidationError)


def raise_if_database_unavailable(result):
    """A GraphQL result whose errors include a lost database connection is
    not an answer: raise that error, so that the request is answered with
    HTTP 503 and ``Retry-After`` (``config.middleware``) instead of a 200
    with an "internal error" inside. graphql-core catches a resolver's
    exceptions and graphene-django the rest, so it has to be looked for here."""
    from config.middleware import database_unavailable_error

    for exc in getattr(result, "errors", None) or ():
        unavailable = database_unavailable_error(exc)
        if unavailable is not None:
            raise unavailable
