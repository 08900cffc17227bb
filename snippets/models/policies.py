"""Time-limit policies (时限): first match wins, like an SLA table."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from .channels import Channel
from .choices import CaseType, Urgency
from .directory import DirectoryItem
from .revisions import RevisionedModel


class TimeLimitPolicyForm(WagtailAdminModelForm):
    """The admin form of a policy: refuses a policy left without limits (the
    limits are inline rows, so the model alone cannot see them)."""

    def clean(self):
        from ..services.config_checks import check_policy_limit_count

        cleaned_data = super().clean()
        formset = self.formsets.get("limits") if hasattr(self, "formsets") else None
        if formset is not None and formset.is_valid():
            kept = [
                form for form in formset.forms
                if not formset._should_delete_form(form) and (form.instance.pk or form.has_changed())
            ]
            try:
                check_policy_limit_count(len(kept))
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class UnreachableAction(models.TextChoices):
    CLOSE = "close", _("Close the case (counted as not visited)")
    REVIEW = "review", _("Send it to the unsatisfied ledger for review")


class TimeLimitPolicy(index.Indexed, RevisionedModel, ClusterableModel):
    """Matches cases on channel, case type, urgency and directory item (blank
    means any; a directory category covers the items below it). Policies are
    tried by ascending priority; the first that matches gives the limits."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first."),
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), null=True, blank=True, on_delete=models.PROTECT,
    )
    case_type = models.CharField(_("case type"), max_length=20, choices=CaseType.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, blank=True)
    directory_item = models.ForeignKey(
        DirectoryItem, verbose_name=_("directory item or category"), null=True, blank=True,
        on_delete=models.PROTECT,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    close_without_visit = models.BooleanField(
        _("close without a return visit"), default=False,
        help_text=_("Replied cases close at once, e.g. consultations answered from the knowledge base."),
    )
    visit_attempts = models.PositiveSmallIntegerField(
        _("return-visit attempts"), default=3,
        help_text=_("After this many attempts without reaching the citizen, the case is handled as unreachable."),
    )
    unreachable_action = models.CharField(
        _("when the citizen cannot be reached"), max_length=10, choices=UnreachableAction.choices,
        default=UnreachableAction.CLOSE,
    )
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("priority")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("channel"), FieldPanel("case_type")]),
                FieldRowPanel([FieldPanel("urgency"), FieldPanel("directory_item")]),
            ],
            heading=_("Applies to (blank means any)"),
        ),
        InlinePanel("limits", heading=_("Limits"), label=_("Limit")),
        MultiFieldPanel(
            [
                FieldPanel("close_without_visit"),
                FieldRowPanel([FieldPanel("visit_attempts"), FieldPanel("unreachable_action")]),
            ],
            heading=_("Return visits"),
        ),
        FieldPanel("note"),
        FieldPanel("is_active"),
    ]

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    base_form_class = TimeLimitPolicyForm

    @property
    def limits_summary(self):
        return "；".join(str(limit) for limit in self.limits.all())

    def clean(self):
        from ..services.config_checks import check_policy

        check_policy(self)

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("time-limit policy")
        verbose_name_plural = _("time-limit policies")
        ordering = ["priority", "id"]


class PolicyLimit(Orderable):
    """One limit of a policy: how long a unit has to sign, make first
    contact, reply or complete, or how often it must post progress."""

    class Kind(models.TextChoices):
        SIGN = "sign", _("Sign for")
        CONTACT = "contact", _("First contact")
        REPLY = "reply", _("Reply")
        COMPLETION = "completion", _("Completion")
        PROGRESS = "progress", _("Progress update interval")

    class Unit(models.TextChoices):
        HOURS = "hours", _("hours")
        NATURAL_DAYS = "natural_days", _("natural days")
        WORKING_DAYS = "working_days", _("working days")
        MONTHS = "months", _("months")
        FIXED_DATE = "fixed_date", _("fixed date each year")

    policy = ParentalKey(TimeLimitPolicy, related_name="limits", on_delete=models.CASCADE)
    kind = models.CharField(_("limit"), max_length=20, choices=Kind.choices)
    amount = models.PositiveIntegerField(
        _("amount"), null=True, blank=True, help_text=_("0 natural days means by the end of the same day."),
    )
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    fixed_month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    fixed_day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("amount"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("fixed_month"), FieldPanel("fixed_day")]),
    ]

    def clean(self):
        if self.unit == self.Unit.FIXED_DATE:
            try:
                datetime.date(2024, self.fixed_month or 0, self.fixed_day or 0)
            except (TypeError, ValueError):
                raise ValidationError(
                    {"fixed_month": _("A fixed date needs a valid month and day.")}
                ) from None
        elif self.amount is None or (self.amount == 0 and self.unit != self.Unit.NATURAL_DAYS):
            raise ValidationError({"amount": _("Enter how many %(unit)s.") % {"unit": self.get_unit_display()}})

    def __str__(self):
        if self.unit == self.Unit.FIXED_DATE:
            return _("%(kind)s by %(month)s-%(day)s") % {
                "kind": self.get_kind_display(), "month": self.fixed_month, "day": self.fixed_day,
            }
        return f"{self.get_kind_display()} {self.amount} {self.get_unit_display()}"

    class Meta(Orderable.Meta):
        verbose_name = _("limit")
        verbose_name_plural = _("limits")
        constraints = [
            models.UniqueConstraint(fields=["policy", "kind"], name="unique_limit_kind_per_policy"),
        ]
