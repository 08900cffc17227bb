"""Typical cases (典型案例) staff choose to show on the result board and in
bulletins."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


class TypicalCase(models.Model):
    """A closed, published case staff hold up as typical, with a headline
    and a comment of their own. It shows on the board and in the bulletins
    of the period the case was closed in, masked like every published case,
    and only while the case may be published (``publishing.typical``:
    never a confidential case, never one no longer marked public)."""

    case = models.OneToOneField(
        "casemodels.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="typical",
    )
    headline = models.CharField(
        _("headline"), max_length=120, help_text=_("A short line for the public, e.g. 老旧小区加装电梯一月办结."),
    )
    commentary = models.TextField(
        _("commentary"), blank=True, help_text=_("Why the case is typical: what was done, what others can learn."),
    )
    is_active = models.BooleanField(_("shown"), default=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("chosen by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    chosen_at = models.DateTimeField(_("chosen at"), auto_now_add=True)

    panels = [FieldPanel("headline"), FieldPanel("commentary"), FieldPanel("is_active")]

    def __str__(self):
        return self.headline

    class Meta:
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")
        ordering = ["-chosen_at", "-pk"]
