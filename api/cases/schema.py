"""The staff part of the API: cases, their lifecycle, and what staff need
to work on them."""

import graphene


class CasesQuery(graphene.ObjectType):
    pass


class CasesMutation(graphene.ObjectType):
    pass
