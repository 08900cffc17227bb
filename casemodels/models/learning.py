"""Dispatch models: the text → directory item classifiers that the product
learns from its own closed cases (``casemodels.services.learning``).

Each training run stores a new version, whether or not it is used: the
figures of every version stay comparable, and an earlier one can be made
active again. At most one version is active; suggestions use it only
because it beat the keyword rules on the held-back cases when it was
trained (``metrics``)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DispatchModel(models.Model):
    """One version of the learned dispatch model. Written only by
    ``casemodels.services.learning``."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"))
    training_cases = models.PositiveIntegerField(_("training cases"))
    classes = models.PositiveIntegerField(_("directory items learned"))
    algorithm = models.CharField(_("algorithm"), max_length=200)
    # {"held_back": n, "model": {"top1", "top3", "macro_f1"}, "rules": {…}, "fit_seconds": s}
    metrics = models.JSONField(_("metrics"), default=dict)
    size_bytes = models.PositiveIntegerField(_("size in bytes"))
    is_active = models.BooleanField(_("active"), default=False)
    # The fitted pipeline, pickled by joblib and compressed.
    blob = models.BinaryField(_("fitted model"))

    def __str__(self):
        return f"v{self.version}"

    class Meta:
        verbose_name = _("dispatch model")
        verbose_name_plural = _("dispatch models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_dispatch_model"),
        ]
