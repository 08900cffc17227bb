"""Analysis of what citizens ask about, where and when, for the command
centre's supervisors and administrators (``queries``; ``types``)."""

import graphene

from .queries import AnalysisQuery as Queries


class AnalysisQuery(Queries, graphene.ObjectType):
    pass


__all__ = ["AnalysisQuery"]
