"""Assessment schemes (考评方案): how the three rates and timeliness weigh
in a unit's composite score, and when a unit is too small to rank."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from .organisation import Unit
from .revisions import RevisionedModel


class AssessmentScheme(RevisionedModel):
    """Weights (in per cent, summing to 100) of the response, resolution,
    satisfaction and on-time rates; the unit kinds ranked together; the
    minimum sample below which a unit is listed but not ranked."""

    class Period(models.TextChoices):
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    name = models.CharField(_("name"), max_length=100)
    unit_kind = models.CharField(
        _("units ranked"), max_length=20, choices=Unit.Kind.choices, blank=True,
        help_text=_("Departments and townships are ranked apart; blank means every kind."),
    )
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.MONTH)
    weight_response = models.DecimalField(_("weight: response rate"), max_digits=5, decimal_places=2, default=20)
    weight_resolution = models.DecimalField(_("weight: resolution rate"), max_digits=5, decimal_places=2, default=30)
    weight_satisfaction = models.DecimalField(_("weight: satisfaction rate"), max_digits=5, decimal_places=2, default=40)
    weight_on_time = models.DecimalField(_("weight: on-time rate"), max_digits=5, decimal_places=2, default=10)
    basic_satisfaction_share = models.DecimalField(
        _("basically satisfied counts as (%)"), max_digits=5, decimal_places=2, default=80,
        help_text=_("A basically satisfied visit counts as this share of a satisfied one."),
    )
    min_sample = models.PositiveIntegerField(
        _("minimum sample"), default=10, help_text=_("Units with fewer cases are listed but not ranked."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("unit_kind"), FieldPanel("period")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("weight_response"), FieldPanel("weight_resolution")]),
                FieldRowPanel([FieldPanel("weight_satisfaction"), FieldPanel("weight_on_time")]),
            ],
            heading=_("Weights (per cent, summing to 100)"),
        ),
        FieldRowPanel([FieldPanel("basic_satisfaction_share"), FieldPanel("min_sample")]),
        FieldPanel("is_active"),
    ]

    @property
    def weights_total(self):
        return sum(
            (w or Decimal(0)) for w in (
                self.weight_response, self.weight_resolution, self.weight_satisfaction, self.weight_on_time,
            )
        )

    def clean(self):
        total = self.weights_total
        if total != 100:
            raise ValidationError(
                {"weight_on_time": _("The weights add up to %(total)s; they must add up to 100.") % {"total": total}}
            )
        if self.basic_satisfaction_share is not None and not 0 <= self.basic_satisfaction_share <= 100:
            raise ValidationError({"basic_satisfaction_share": _("Enter a share between 0 and 100.")})

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["name"]
