"""The GraphQL schema. The full API is its own piece of work (DESIGN §9).

Types are built under an English override so that descriptions taken from
translatable model help texts stay English in the committed contract,
whatever the active language."""

import graphene
from django.utils import translation

with translation.override("en"):
    from .queries import Query

schema = graphene.Schema(query=Query)
