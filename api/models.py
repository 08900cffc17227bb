"""Bearer tokens for apps (staff apps, big-screen clients) using /graphql/.

A token is shown once, when issued; only its SHA-256 digest is stored, with
its first characters (``prefix``) so that people can tell their tokens
apart. A token stops working when it expires, is revoked, or its user is
deactivated or loses their staff profile. Tokens are issued and revoked by
the services in ``api.auth.tokens``, never edited in the admin."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens that are neither revoked nor expired (their user is checked apart)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """One app's access to the API on behalf of one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="graphql_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("Which app or device uses the token."),
    )
    prefix = models.CharField(
        _("key prefix"), max_length=8, help_text=_("The first characters of the token, to recognise it."),
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def status(self):
        if self.is_revoked:
            return _("Revoked")
        if self.is_expired:
            return _("Expired")
        return _("Active")

    def __str__(self):
        return f"{self.name or _('API token')} ({self.prefix}…)"

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="api_token_user_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_after_creation",
            ),
        ]
