"""The public (anonymous) part of the API."""

import graphene

from .queries import Query as PublicQuery


class PublicMutation(graphene.ObjectType):
    pass


__all__ = ["PublicQuery", "PublicMutation"]
