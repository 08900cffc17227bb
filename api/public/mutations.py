"""Public mutations (anonymous citizens)."""

import graphene


class PublicMutation(graphene.ObjectType):
    pass
