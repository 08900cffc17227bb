"""The result board (resultBoard) and bulletins: figures for the public."""

import graphene


class BoardQuery(graphene.ObjectType):
    pass
