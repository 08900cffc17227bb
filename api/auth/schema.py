"""Signing in for apps (bearer tokens) and who is signed in.

Apps sign in with ``tokenAuth`` and send ``Authorization: Bearer <token>``
on every request; the browser uses its Wagtail admin session (and the CSRF
token for mutations). ``me`` is null for anyone who is not staff."""

import graphene
from django.utils.translation import gettext as _

from ..clients import client_address
from ..core.errors import REFUSALS, Error, error, errors_from
from ..core.viewer import staff_user, user_of
from .tokens import revoke_token, token_auth
from .types import Viewer, load_viewer


class TokenAuth(graphene.Mutation):
    """Sign in with a username and password and get a bearer token for an
    app. Only staff of the centre get one. Wrong credentials get one generic
    error (``invalid_credentials``), whether or not the account exists; too
    many failures from one address or for one username get ``throttled``."""

    class Meta:
        name = "TokenAuthPayload"

    class Arguments:
        username = graphene.String(required=True)
        password = graphene.String(required=True)
        name = graphene.String(description="Which app or device the token is for (shown in the token list).")

    token = graphene.String(
        description="The bearer token: send it as `Authorization: Bearer <token>`. It is shown only this once."
    )
    expires_at = graphene.DateTime(description="When the token stops working; sign in again for a new one.")
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    def mutate(cls, root, info, username, password, name=None):
        request = info.context
        try:
            token, secret = token_auth(username, password, name=name, client=client_address(request), request=request)
        except REFUSALS as exc:
            return cls(token=None, expires_at=None, errors=errors_from(exc))
        return cls(token=secret, expires_at=token.expires_at, errors=[])


class RevokeToken(graphene.Mutation):
    """Revoke the bearer token this request was made with (signing an app
    out). It stops working at once."""

    class Meta:
        name = "RevokeTokenPayload"

    ok = graphene.Boolean(required=True)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    def mutate(cls, root, info):
        user = user_of(info)
        token = getattr(info.context, "api_token", None)
        if user is None:
            return cls(ok=False, errors=[error("unauthenticated", _("Sign in with a bearer token to revoke it."))])
        if token is None:
            return cls(ok=False, errors=[error("invalid", _("This request was not made with a bearer token."))])
        try:
            revoke_token(token, acting_user=user)
        except REFUSALS as exc:
            return cls(ok=False, errors=errors_from(exc))
        return cls(ok=True, errors=[])


class AuthQuery(graphene.ObjectType):
    me = graphene.Field(Viewer, description="The signed-in staff member; null for anyone else.")

    @staticmethod
    def resolve_me(root, info):
        user = staff_user(info)
        return load_viewer(user) if user is not None else None


class AuthMutation(graphene.ObjectType):
    token_auth = TokenAuth.Field()
    revoke_token = RevokeToken.Field()
