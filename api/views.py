"""The /graphql/ endpoint.

The standard GraphQL validation rules always run; on top of them the query
limits of ``api.validation`` (depth, field budget, trackCase aliases, size),
and, for anonymous users outside DEBUG, no schema introspection and no
"Did you mean …?" suggestions (which would give the schema away field by
field). GraphiQL is offered to signed-in staff, or to everyone when DEBUG is
on. Errors never carry internals: an unexpected exception in a resolver is
logged and answered with a generic message."""

import logging
import re

from django.conf import settings
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, parse
from graphql_sync_dataloaders import DeferredExecutionContext

from .validation import MAX_QUERY_LENGTH, MAX_TOKENS, validation_rules

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "Internal server error."
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?\s*$")


class MinshengGraphQLView(GraphQLView):
    # Resolves the dataloaders' deferred values (api/*/dataloaders.py) in batches.
    execution_context_class = DeferredExecutionContext

    def dispatch(self, request, *args, **kwargs):
        # One view instance per request: these attributes are this request's.
        self.graphiql = settings.DEBUG or request.user.is_staff
        self.reveal_schema = settings.DEBUG or request.user.is_authenticated
        self.validation_rules = validation_rules(introspection=self.reveal_schema)
        return super().dispatch(request, *args, **kwargs)

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if query and len(query) > MAX_QUERY_LENGTH:
            return ExecutionResult(errors=[GraphQLError(f"The query is longer than {MAX_QUERY_LENGTH} characters.")])
        if query:
            try:
                parse(query, no_location=True, max_tokens=MAX_TOKENS)
            except GraphQLError as error:  # a syntax error, or too many tokens
                return ExecutionResult(errors=[error])
            except RecursionError:
                return ExecutionResult(errors=[GraphQLError("The query is nested too deeply.")])
        return super().execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)

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
