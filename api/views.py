"""The /graphql/ endpoint.

The standard GraphQL validation rules always run; on top of them the query
limits of ``api.validation`` (body size, depth, field budget and its expansion
through fragments, trackCase aliases, size), a refusal of batched operations
(a JSON array), and, for anonymous users outside DEBUG, no schema introspection and no
"Did you mean …?" suggestions (which would give the schema away field by
field). GraphiQL is offered to signed-in staff, or to everyone when DEBUG is
on. Errors never carry internals: an unexpected exception in a resolver is
logged and answered with a generic message.

Who is asking, and CSRF:

- ``Authorization: Bearer <token>`` (apps): the request is made as the
  token's user, whatever cookies it carries. A token that is unknown,
  expired or revoked, or whose user may no longer hold one, is answered
  with HTTP 401 and nothing runs: it never falls back to anonymous. Such
  requests are not subject to CSRF: a browser does not attach the header
  on its own, so another site cannot make one in the user's name.
- A signed-in session (the browser, from the Wagtail admin): a mutation
  must carry the CSRF token (``X-CSRFToken`` header from the ``csrftoken``
  cookie, which this endpoint sets), or it is refused with HTTP 403 and
  nothing runs. Queries change nothing and need no CSRF token.
- Anonymous requests without a session (the mini-program, the portal's
  ``submitCase`` and ``trackCase``) are not subject to CSRF: a forged
  request could do no more than its sender may do directly.

A signed-in caller's texts (errors, labels) are in the language of their
Wagtail account settings; everyone else gets the site's language."""

import contextlib
import logging
import re

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, OperationType, get_operation_ast, parse
from graphql.language import OperationDefinitionNode

from .auth.tokens import bearer_secret, token_for_header
from .core.errors import raise_if_database_unavailable
from .core.execution import ExecutionContext
from .validation import MAX_BODY_BYTES, MAX_QUERY_LENGTH, MAX_TOKENS, validation_rules

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "Internal server error."
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?\s*$")



def has_nul(value):
    """Whether a query or its variables carry a NUL character, raw or as a
    GraphQL ``\\u0000`` escape: PostgreSQL cannot store it in text, so it
    would fail a write with a server error instead of a clear refusal."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item or "\\u0000" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(item.keys())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False

class _CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check, run by the view for the requests that need
    it; a refusal returns the reason instead of a response."""

    def _reject(self, request, reason):
        return reason


def csrf_refusal(request):
    """Why the request fails Django's CSRF check, or None when it passes."""
    check = _CsrfCheck(lambda request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def is_mutation(document, operation_name):
    """Whether the operation to run is a mutation (when the operation cannot
    be told, whether the document holds any mutation)."""
    operation = get_operation_ast(document, operation_name)
    if operation is not None:
        return operation.operation == OperationType.MUTATION
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation == OperationType.MUTATION for d in document.definitions
    )


def preferred_language(user):
    """The language a signed-in user chose in their Wagtail account, or None."""
    if not user.is_authenticated:
        return None
    try:
        return user.wagtail_userprofile.preferred_language or None
    except ObjectDoesNotExist:
        return None


def unauthorized(message):
    response = JsonResponse({"errors": [{"message": str(message)}]}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


class MinshengGraphQLView(GraphQLView):
    # Resolves the dataloaders' deferred values (api/*/dataloaders.py) in batches.
    execution_context_class = ExecutionContext

    # Django's CSRF middleware leaves this view alone; the view runs the same
    # check itself, for the requests that need it (see the module docstring).
    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        request.api_token = None
        if bearer_secret(request.META.get("HTTP_AUTHORIZATION")) is not None:
            token = token_for_header(request.META["HTTP_AUTHORIZATION"])
            if token is None:
                return unauthorized(_("The bearer token is not valid: it is unknown, expired or revoked."))
            request.user = token.user
            request.api_token = token
        # One view instance per request: these attributes are this request's.
        self.graphiql = settings.DEBUG or request.user.is_staff
        self.reveal_schema = settings.DEBUG or request.user.is_authenticated
        self.validation_rules = validation_rules(introspection=self.reveal_schema)
        language = preferred_language(request.user)
        with translation.override(language) if language else contextlib.nullcontext():
            return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request):
        """graphene-django's, behind the body-size limit (checked on the
        declared length before the body is read, and on the body read), with
        a clear refusal for a batch of operations (a JSON array) and for JSON
        nested too deeply to decode."""
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if (declared.isdigit() and int(declared) > MAX_BODY_BYTES) or len(request.body) > MAX_BODY_BYTES:
            raise HttpError(
                HttpResponse(status=413),
                _("The request body is larger than %(limit)s bytes.") % {"limit": MAX_BODY_BYTES},
            )
        if self.get_content_type(request) == "application/json" and request.body.lstrip().startswith(b"["):
            raise HttpError(
                HttpResponseBadRequest(), _("Batched operations are not accepted: send one operation per request."),
            )
        try:
            return super().parse_body(request)
        except RecursionError:
            raise HttpError(HttpResponseBadRequest(), _("The JSON body is nested too deeply.")) from None

    def needs_csrf(self, request):
        """A signed-in session; not a bearer token, not an anonymous caller."""
        return request.api_token is None and request.user.is_authenticated

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if query and len(query) > MAX_QUERY_LENGTH:
            return ExecutionResult(errors=[GraphQLError(f"The query is longer than {MAX_QUERY_LENGTH} characters.")])
        if has_nul(query) or has_nul(variables):
            return ExecutionResult(errors=[GraphQLError(_("Text may not contain the NUL character (\\u0000)."))])
        if query:
            try:
                document = parse(query, no_location=True, max_tokens=MAX_TOKENS)
            except GraphQLError as error:  # a syntax error, or too many tokens
                return ExecutionResult(errors=[error])
            except RecursionError:
                return ExecutionResult(errors=[GraphQLError("The query is nested too deeply.")])
            if self.needs_csrf(request) and is_mutation(document, operation_name):
                reason = csrf_refusal(request)
                if reason:
                    logger.warning("GraphQL mutation refused for user %s: CSRF %s", request.user.pk, reason)
                    raise HttpError(
                        HttpResponseForbidden(),
                        _("CSRF verification failed: send the X-CSRFToken header with a signed-in session's mutations."),
                    )
        result = super().execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)
        raise_if_database_unavailable(result)  # a lost database connection: HTTP 503 (config.middleware)
        return result

    def format_error(self, error):
        """Like graphene-django's, but an unexpected exception becomes a
        generic message (logged with its traceback), and validation
        suggestions are left out for those who may not see the schema."""
        debug = settings.DEBUG
        if isinstance(error, GraphQLError):
            original = error.original_error
            if original is not None and not isinstance(original, GraphQLError) and not debug:
                logger.error("GraphQL resolver error at %s", error.path, exc_info=original)
                return {**error.formatted, "message": INTERNAL_ERROR}
            formatted = error.formatted
            if not getattr(self, "reveal_schema", False):
                formatted = {**formatted, "message": _SUGGESTION.sub("", formatted["message"])}
            return formatted
        if isinstance(error, HttpError) or debug:
            return {"message": str(error)}
        logger.error("GraphQL request error", exc_info=error)
        return {"message": INTERNAL_ERROR}
