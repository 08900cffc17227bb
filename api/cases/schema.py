"""The staff part of the API: cases, their lifecycle, and what staff need
to work on them (``queries``; the lifecycle mutations in ``mutations``)."""

import graphene

from .queries import CasesQuery


class CasesMutation(graphene.ObjectType):
    pass


__all__ = ["CasesQuery", "CasesMutation"]
