"""The public (anonymous) part of the API: channels, the public catalog,
case submission and tracking, published cases (``queries``, ``mutations``);
the result board and bulletins (``board``); notice pages (``content``)."""

import graphene

from .board import BoardQuery
from .content import ContentQuery
from .mutations import PublicMutation
from .queries import Query


class PublicQuery(Query, BoardQuery, ContentQuery, graphene.ObjectType):
    pass


__all__ = ["PublicQuery", "PublicMutation"]
