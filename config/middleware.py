"""When the database cannot be reached (PostgreSQL restarting, the network
to it down), a request fails fast with HTTP 503 and a ``Retry-After``
header instead of a 500 page: the citizen is told to try again shortly, an
app gets a JSON answer it can retry on, and a load balancer sees that the
service is unavailable, not broken. Nothing is half-written: Django runs
each request's writes in the transactions the services open, and a lost
connection rolls them back.

The next request after the database is back opens a new connection
(``CONN_HEALTH_CHECKS`` drops a broken persistent one), so the service
recovers by itself. ``DATABASES[...]["OPTIONS"]["connect_timeout"]`` keeps
a connection attempt to an unreachable server short."""

import logging

from django import db
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5

# Errors that mean "the database is not there", as opposed to a bug in a query
# (ProgrammingError, IntegrityError …), which stays a 500.
UNAVAILABLE = (db.OperationalError, db.InterfaceError)


def database_unavailable_error(exc):
    """The error saying that the database cannot be reached: ``exc`` itself,
    or the one it was raised from (a GraphQL error wraps the resolver's in
    ``original_error``); None for any other error."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, UNAVAILABLE):
            return exc
        seen.add(id(exc))
        exc = getattr(exc, "original_error", None) or exc.__cause__ or exc.__context__
    return None


def unavailable_response(request):
    """HTTP 503 with ``Retry-After``: JSON for the API, a short page otherwise."""
    message = _("The service is temporarily unavailable; please try again in a few seconds.")
    if request.path.startswith("/graphql") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"errors": [{"message": message, "extensions": {"code": "unavailable"}}]}, status=503)
    else:
        response = HttpResponse(
            f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>503</title><p>{message}</p></html>',
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost or refused database connection raised by a view (or by
    rendering its template) into ``unavailable_response``. Listed first in
    ``MIDDLEWARE`` so that its ``process_exception`` runs last, after any
    other middleware had its say."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable_error(exception) is None:
            return None
        logger.error("Database unavailable on %s %s: %s", request.method, request.path, exception)
        # The broken connection must not be reused by the next request of this worker.
        for connection in db.connections.all(initialized_only=True):
            try:
                connection.close_if_unusable_or_obsolete()
            except Exception:  # closing a dead connection may itself fail
                logger.debug("closing connection %s failed", connection.alias, exc_info=True)
        return unavailable_response(request)
