"""Signing in for apps (bearer tokens) and who is signed in."""

import graphene


class AuthQuery(graphene.ObjectType):
    pass


class AuthMutation(graphene.ObjectType):
    pass
