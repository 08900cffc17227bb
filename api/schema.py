"""The GraphQL schema, composed from its domains (saleor's layering):
``public`` (anonymous citizens and screens), ``auth`` (tokens, ``me``),
``cases`` (staff work) and ``analysis`` (the centre's figures of demand).
Each domain keeps its types, queries, mutations, filters and dataloaders
in its own package.

Types are built under an English override so that descriptions taken from
translatable model help texts stay English in the committed contract,
whatever the active language."""

import graphene
from django.utils import translation

with translation.override("en"):
    from .analysis.schema import AnalysisQuery
    from .auth.schema import AuthMutation, AuthQuery
    from .cases.schema import CasesMutation, CasesQuery
    from .public.schema import PublicMutation, PublicQuery

    class Query(PublicQuery, AuthQuery, AnalysisQuery, CasesQuery, graphene.ObjectType):
        pass

    class Mutation(PublicMutation, AuthMutation, CasesMutation, graphene.ObjectType):
        pass

    schema = graphene.Schema(query=Query, mutation=Mutation if Mutation._meta.fields else None)
