"""``publishedCases``: closed cases published for everyone, as a Relay
connection. Which cases and what of them is shown is decided in
``publishing.published``; this module pages and maps errors.

Pages are read by keyset (the cursor holds the closing time and id of the
last case seen), so a case published meanwhile does not shift the next page.
A page holds at most ``MAX_PAGE_SIZE`` cases; each page costs the same few
SQL queries whatever its size (cases with their directory item and region,
the cases merged into them; the subtree of a filter's item or region;
``totalCount`` when asked)."""

import base64
import binascii
import datetime

import graphene
from django.utils.translation import gettext as _

from graphql import GraphQLError
from publishing.published import after as published_after
from publishing.published import published_cases, published_view

from .types import PublishedCaseConnection

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 50


def encode_cursor(view, pk):
    return base64.urlsafe_b64encode(f"{view.published_at.isoformat()}|{pk}".encode()).decode()


def decode_cursor(cursor):
    try:
        moment, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = datetime.datetime.fromisoformat(moment)
        if moment.tzinfo is None:
            raise ValueError(moment)
        return moment, int(pk)
    except (ValueError, UnicodeError, binascii.Error):
        raise GraphQLError(_("“%(cursor)s” is not a cursor of publishedCases.") % {"cursor": cursor[:60]}) from None


class PublishedQuery(graphene.ObjectType):
    published_cases = graphene.Field(
        PublishedCaseConnection,
        first=graphene.Int(default_value=DEFAULT_PAGE_SIZE, description=f"At most {MAX_PAGE_SIZE}."),
        after=graphene.String(description="The endCursor of the page before."),
        directory_item=graphene.String(description="A directory item code: its cases and those of items below it."),
        region=graphene.String(description="A region code: its cases and those of regions below it."),
        period=graphene.String(description="When closed: 2025 (a year), 2025-10 (a month), 2025-W41 (an ISO week)."),
        description=(
            f"Closed cases published for everyone, most recently closed first, masked; never a confidential "
            f"case. Pages of at most {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."
        ),
    )

    def resolve_published_cases(self, info, first=DEFAULT_PAGE_SIZE, after=None, directory_item=None, region=None,
                                period=None):
        if first is None or not 1 <= first <= MAX_PAGE_SIZE:
            raise GraphQLError(
                _("“first” must be between 1 and %(max)s for publishedCases.") % {"max": MAX_PAGE_SIZE}
            )
        try:
            matching = published_cases(directory_item=directory_item, region=region, period=period)
        except ValueError as exc:
            raise GraphQLError(str(exc)) from None
        cases = published_after(matching, *decode_cursor(after)) if after else matching
        rows = list(cases[: first + 1])
        has_next = len(rows) > first
        edges = []
        for case in rows[:first]:
            view = published_view(case)
            edges.append(PublishedCaseConnection.Edge(node=view, cursor=encode_cursor(view, case.pk)))
        connection = PublishedCaseConnection(
            edges=edges,
            page_info=graphene.relay.PageInfo(
                has_next_page=has_next, has_previous_page=bool(after),
                start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
            ),
        )
        connection.matching = matching
        return connection
