"""Bearer tokens for apps: issue, authenticate, revoke (zulip-style services).

- ``token_auth(username, password, *, name, client)`` checks the credentials
  (throttled per client address and per username) and issues a token;
- ``issue_token(user, *, name)`` returns ``(token, secret)``: the secret is
  shown once, only its SHA-256 digest is stored;
- ``authenticate_bearer(header_value)`` is the user of a valid
  ``Bearer <secret>`` header, or None; ``token_for_header`` the token itself;
- ``revoke_token(token, *, acting_user)``: the token's own user, or an
  administrator (a superuser, or a staff member with the administrator role).

Only staff of the centre (an active staff profile, or a superuser: the same
people ``api.core.viewer.staff_user`` lets into the staff API) may hold a
token; a token stops working when its user no longer may. A wrong username,
a wrong password, an inactive account and an account that may not hold a
token all get the same error, so the answer never tells whether an account
exists."""

import datetime
import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casemodels.services import CaseActionError, NotAllowed
from casemodels.services.visibility import active_profile, sees_every_case
from publishing.throttles import Throttle
from snippets.models import Role

from ..models import ApiToken

logger = logging.getLogger(__name__)

DEFAULT_TOKEN_DAYS = 30  # settings.MINSHENG_API_TOKEN_DAYS
SECRET_BYTES = 32
MAX_SECRET_LENGTH = 200  # longer header values are not looked up
TOUCH_INTERVAL = datetime.timedelta(minutes=1)  # last_used_at is written at most this often

MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_CLIENT = 20
FAILURE_WINDOW = 900  # seconds


class SignInRefused(CaseActionError):
    """Wrong credentials (``invalid_credentials``), or too many of them (``throttled``)."""

    default_code = "invalid_credentials"


def token_lifetime():
    return datetime.timedelta(days=int(getattr(settings, "MINSHENG_API_TOKEN_DAYS", DEFAULT_TOKEN_DAYS)))


def digest_of(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def may_hold_token(user):
    """Staff of the centre: a superuser, or an active user with an active staff profile."""
    return sees_every_case(user) or active_profile(user) is not None


def is_token_administrator(user):
    """May manage everyone's tokens: a superuser, or staff with the administrator role."""
    if sees_every_case(user):
        return True
    profile = active_profile(user)
    return profile is not None and profile.roles.filter(code=Role.Code.ADMINISTRATOR).exists()


def _clean_name(name):
    name = (name or "").strip()
    limit = ApiToken._meta.get_field("name").max_length
    if len(name) > limit:
        raise ValidationError(
            {"name": _("The token name is longer than %(limit)s characters.") % {"limit": limit}}, code="invalid",
        )
    return name


# --- Issuing --------------------------------------------------------------------------------
@transaction.atomic
def issue_token(user, *, name=""):
    """A new token for ``user``, valid for ``MINSHENG_API_TOKEN_DAYS`` days:
    ``(token, secret)``. The secret is not stored and cannot be shown again."""
    name = _clean_name(name)
    if not may_hold_token(user):
        raise NotAllowed(_("Only staff of the centre may hold an API token."))
    secret = secrets.token_urlsafe(SECRET_BYTES)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:8], digest=digest_of(secret),
        created_at=now, expires_at=now + token_lifetime(),
    )
    logger.info("API token %s… issued to user %s (%s)", token.prefix, user.pk, name or "-")
    return token, secret


# Failed sign-ins, counted per username and per client address (publishing.throttles).
USERNAME_FAILURES = Throttle("token-auth-fail-user", limit=MAX_FAILURES_PER_USERNAME, window=FAILURE_WINDOW)
CLIENT_FAILURES = Throttle("token-auth-fail-client", limit=MAX_FAILURES_PER_CLIENT, window=FAILURE_WINDOW)


def sign_in(username, password, *, client, request=None):
    """The user these credentials belong to, when they may hold a token.

    Raises ``SignInRefused``: ``throttled`` after ``MAX_FAILURES_PER_USERNAME``
    failures for one username or ``MAX_FAILURES_PER_CLIENT`` from one client
    within ``FAILURE_WINDOW`` seconds (whatever the password); otherwise one
    generic ``invalid_credentials`` for every kind of refusal."""
    username = username or ""
    who = username.strip().lower()
    client = client or "unknown"
    if USERNAME_FAILURES.exceeded(username=who) or CLIENT_FAILURES.exceeded(client=client):
        logger.warning("tokenAuth throttled for client %s", client)
        raise SignInRefused(_("Too many failed sign-in attempts. Try again in a few minutes."), code="throttled")
    user = authenticate(request, username=username, password=password or "") if username and password else None
    if getattr(request, "axes_locked_out", False):
        # The sign-in lockout (django-axes, config/settings.py) refused this username from this
        # address: answered here, in the API's own terms, not by axes' lockout page.
        request.axes_locked_out = False
        USERNAME_FAILURES.hit(username=who)
        CLIENT_FAILURES.hit(client=client)
        raise SignInRefused(_("Too many failed sign-in attempts. Try again in a few minutes."), code="throttled")
    if user is None or not may_hold_token(user):
        USERNAME_FAILURES.hit(username=who)
        CLIENT_FAILURES.hit(client=client)
        raise SignInRefused(_("The username or password is not correct."))
    USERNAME_FAILURES.reset(username=who)
    return user


def token_auth(username, password, *, name="", client, request=None):
    """Sign in with a username and password and get ``(token, secret)``."""
    name = _clean_name(name)
    user = sign_in(username, password, client=client, request=request)
    return issue_token(user, name=name)


# --- Authenticating -------------------------------------------------------------------------
def bearer_secret(header_value):
    """The credentials of an ``Authorization`` header value when its scheme
    is Bearer: the secret, or ``""`` when it is missing or malformed. None
    for no header or another scheme (a proxy's Basic auth, say)."""
    parts = (header_value or "").split()
    if not parts or parts[0].lower() != "bearer":
        return None
    return parts[1] if len(parts) == 2 else ""


def _touch(token, now):
    """Note the use, at most once per ``TOUCH_INTERVAL`` (not a write per request)."""
    cutoff = now - TOUCH_INTERVAL
    if token.last_used_at is not None and token.last_used_at > cutoff:
        return
    ApiToken.objects.filter(pk=token.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff)).update(
        last_used_at=now
    )
    token.last_used_at = now


def token_for_header(header_value, *, now=None):
    """The valid token of a ``Bearer <secret>`` header value, or None: an
    unknown secret, an expired or revoked token, and a user who may no
    longer hold one (deactivated, or no longer staff) are all None."""
    secret = bearer_secret(header_value)
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    digest = digest_of(secret)
    # The user's staff profile (checked below) and Wagtail profile (their language) in the same query.
    related = ("user", "user__staff_profile", "user__wagtail_userprofile")
    token = ApiToken.objects.select_related(*related).filter(digest=digest).first()
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    now = now or timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not may_hold_token(token.user):
        return None
    _touch(token, now)
    return token


def authenticate_bearer(header_value):
    """The user of a valid ``Bearer <secret>`` header value, or None."""
    token = token_for_header(header_value)
    return token.user if token is not None else None


# --- Revoking -------------------------------------------------------------------------------
@transaction.atomic
def revoke_token(token, *, acting_user):
    """Revoke ``token`` now; it stops working at once. Its own user may, and
    an administrator may revoke anyone's. Revoking a revoked token changes
    nothing."""
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        raise NotAllowed(_("You must sign in to do this."), code="unauthenticated")
    if token.user_id != acting_user.pk and not is_token_administrator(acting_user):
        raise NotAllowed(_("Only its own user or an administrator may revoke this token."))
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=acting_user,
    )
    if revoked:
        token.revoked_at, token.revoked_by = now, acting_user
        logger.info("API token %s… of user %s revoked by user %s", token.prefix, token.user_id, acting_user.pk)
    else:
        token.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return token
