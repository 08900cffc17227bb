"""Warning rules (预警规则): when a case turns yellow or red, who is told,
how, and whether a supervision note (督办单) is raised."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from .channels import Channel
from .organisation import Role
from .revisions import RevisionedModel


class WarningRule(RevisionedModel):
    """One rule of the periodic warning sweep. Near-due and overdue rules
    watch one deadline; repeat rules count orders from the same caller or on
    the same matter in a window; the others fire on an event count."""

    class Kind(models.TextChoices):
        NEAR_DUE = "near_due", _("Near due")
        OVERDUE = "overdue", _("Overdue")
        REPEAT_CALLER = "repeat_caller", _("Repeat: same caller")
        REPEAT_MATTER = "repeat_matter", _("Repeat: same matter")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")
        EXTENDED = "extended", _("Extended")
        RETURNED = "returned", _("Returned")
        PROGRESS_MISSED = "progress_missed", _("Progress update missed")

    class Light(models.TextChoices):
        YELLOW = "yellow", _("Yellow")
        RED = "red", _("Red")

    class Deadline(models.TextChoices):
        SIGN = "sign", _("Sign for")
        CONTACT = "contact", _("First contact")
        REPLY = "reply", _("Reply")
        COMPLETION = "completion", _("Completion")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    light = models.CharField(_("light"), max_length=10, choices=Light.choices, default=Light.YELLOW)
    deadline = models.CharField(
        _("deadline watched"), max_length=20, choices=Deadline.choices, blank=True,
        help_text=_("For near-due and overdue rules."),
    )
    share_elapsed = models.PositiveSmallIntegerField(
        _("share of the time elapsed (%)"), null=True, blank=True,
        help_text=_("Near due when this share of the time allowed has passed, e.g. 80."),
    )
    hours_before = models.PositiveIntegerField(
        _("hours before the deadline"), null=True, blank=True,
        help_text=_("Near due this many hours before the deadline (used when no share is given)."),
    )
    threshold = models.PositiveSmallIntegerField(
        _("count"), null=True, blank=True,
        help_text=_("Repeat rules: this many orders in the window; returned: this many returns; extended: this many extensions."),
    )
    window_days = models.PositiveSmallIntegerField(_("window (days)"), null=True, blank=True)
    channels = models.ManyToManyField(
        Channel, verbose_name=_("only for channels"), blank=True, related_name="+",
        help_text=_("Blank means every channel."),
    )
    notify_lead_unit = models.BooleanField(_("tell the lead unit"), default=True)
    notify_centre = models.BooleanField(_("tell the command centre"), default=False)
    notify_roles = models.ManyToManyField(
        Role, verbose_name=_("roles told"), blank=True, related_name="+",
        help_text=_("People with these roles in the units told, e.g. the unit leader or supervisors."),
    )
    by_sms = models.BooleanField(_("by SMS"), default=False)
    by_email = models.BooleanField(_("by e-mail"), default=False)
    in_app = models.BooleanField(_("in the admin"), default=True)
    notify_staff = models.ManyToManyField(
        "snippets.StaffProfile", verbose_name=_("named staff told"), blank=True, related_name="+",
        help_text=_("These people are told whatever their unit, e.g. a supervising leader."),
    )
    working_days_only = models.BooleanField(
        _("working days only"), default=False,
        help_text=_("Raise this warning on working days only (by the work calendar); on other days it waits."),
    )
    raise_reminder = models.BooleanField(_("raise a reminder note (提示单)"), default=False)
    raise_supervision = models.BooleanField(_("raise a supervision note"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("kind"), FieldPanel("light")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("deadline"), FieldPanel("share_elapsed"), FieldPanel("hours_before")]),
                FieldRowPanel([FieldPanel("threshold"), FieldPanel("window_days")]),
                FieldPanel("channels", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("When"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("notify_lead_unit"), FieldPanel("notify_centre")]),
                FieldPanel("notify_roles", widget=forms.CheckboxSelectMultiple),
                FieldPanel("notify_staff"),
                FieldRowPanel([FieldPanel("by_sms"), FieldPanel("by_email"), FieldPanel("in_app")]),
                FieldRowPanel([FieldPanel("working_days_only"), FieldPanel("raise_reminder"),
                               FieldPanel("raise_supervision")]),
            ],
            heading=_("Who is told, and how"),
        ),
        FieldPanel("is_active"),
    ]

    def clean(self):
        errors = {}
        if self.kind in (self.Kind.NEAR_DUE, self.Kind.OVERDUE) and not self.deadline:
            errors["deadline"] = _("Choose the deadline this rule watches.")
        if self.kind == self.Kind.NEAR_DUE:
            if self.share_elapsed is None and self.hours_before is None:
                errors["share_elapsed"] = _("Give a share of the time elapsed or a number of hours before the deadline.")
            elif self.share_elapsed is not None and not 1 <= self.share_elapsed <= 99:
                errors["share_elapsed"] = _("The share must be between 1 and 99 per cent.")
        if self.kind in (self.Kind.REPEAT_CALLER, self.Kind.REPEAT_MATTER):
            if not self.threshold or self.threshold < 2:
                errors["threshold"] = _("A repeat rule needs a count of at least 2.")
            if not self.window_days:
                errors["window_days"] = _("A repeat rule needs a window in days.")
        if self.kind in (self.Kind.RETURNED, self.Kind.EXTENDED) and not self.threshold:
            errors["threshold"] = _("Give how many times it must have happened.")
        if not (self.by_sms or self.by_email or self.in_app):
            errors["in_app"] = _("Choose at least one way to tell people.")
        if errors:
            raise ValidationError(errors)

    @property
    def condition_summary(self):
        """The rule's condition in one line, e.g. "80%" or "3 in 3 days"."""
        if self.kind == self.Kind.NEAR_DUE:
            if self.share_elapsed is not None:
                return _("%(share)s%% of the time elapsed") % {"share": self.share_elapsed}
            if self.hours_before is not None:
                return _("%(hours)s hours before the deadline") % {"hours": self.hours_before}
        if self.kind in (self.Kind.REPEAT_CALLER, self.Kind.REPEAT_MATTER):
            return _("%(count)s orders in %(days)s days") % {"count": self.threshold, "days": self.window_days}
        if self.threshold:
            return _("%(count)s times") % {"count": self.threshold}
        return ""

    @property
    def channels_summary(self):
        ways = [(self.by_sms, _("SMS")), (self.by_email, _("e-mail")), (self.in_app, _("in the admin"))]
        return "、".join(str(label) for on, label in ways if on)

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        ordering = ["kind", "name"]
