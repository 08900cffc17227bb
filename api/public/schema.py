"""The public (anonymous) part of the API: channels, the public catalog,
case submission, tracking and online rating, published cases (``queries``,
``mutations``, ``rating``);
the result board and bulletins (``board``); notice pages (``content``)."""

import graphene

from .board import BoardQuery
from .content import ContentQuery
from .mutations import PublicMutation as SubmitMutation
from .queries import Query
from .rating import RatingMutation


class PublicQuery(Query, BoardQuery, ContentQuery, graphene.ObjectType):
    pass


class PublicMutation(SubmitMutation, RatingMutation, graphene.ObjectType):
    pass


__all__ = ["PublicQuery", "PublicMutation"]
