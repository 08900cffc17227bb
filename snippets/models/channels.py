"""Channels: every way a request reaches the centre."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.search import index

from .revisions import RevisionedModel


class Channel(index.Indexed, RevisionedModel):
    """A channel such as the 12345 hotline, the web portal, the mayor's
    mailbox or grid events. Public channels accept anonymous submissions."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("open to public submission"), default=False,
        help_text=_("Citizens may submit through this channel without signing in (web portal, mini-program)."),
    )
    requires_external_id = models.BooleanField(
        _("requires the channel's own id"), default=False,
        help_text=_("Cases from this channel carry the id they have in the source system."),
    )
    auto_dispatch_confidence = models.DecimalField(
        _("auto-dispatch confidence"), max_digits=3, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.50")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("Requests from this channel are dispatched at once, without a dispatcher, when the best "
                    "suggestion reaches this confidence (0.50–1.00) and routes to a unit. Leave empty to have "
                    "every request dispatched by a dispatcher."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("is_public"), FieldPanel("requires_external_id")]),
        FieldPanel("auto_dispatch_confidence"),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("is_active")]),
    ]

    search_fields = [index.SearchField("name"), index.SearchField("code"), index.AutocompleteField("name")]

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["sort_order", "code"]
