"""The case (诉求 / 工单) itself."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from snippets.models import CaseType, Channel, DirectoryItem, Region, TimeLimitPolicy, Unit, Urgency

from .choices import CaseState, DivertRoute


class Case(models.Model):
    """A citizen's request. Its state changes only through the services in
    ``casemodels.services``; every change writes a ``CaseEvent``.

    Deadlines are derived: ``casemodels.services.deadlines`` recomputes them
    from the receipt time, the matched policy, the calendar, the clock pauses
    and the approved extensions."""

    number = models.CharField(_("case number"), max_length=32, unique=True, editable=False)
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="cases")
    external_id = models.CharField(_("id in the channel"), max_length=100, null=True, blank=True)
    case_type = models.CharField(_("case type"), max_length=20, choices=CaseType.choices)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    citizen_name = models.CharField(_("citizen's name"), max_length=50, blank=True)
    citizen_phone = models.CharField(_("citizen's phone"), max_length=30, blank=True)
    citizen_id_number = models.CharField(_("citizen's ID number"), max_length=18, blank=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_confidential = models.BooleanField(
        _("confidential"), default=False, help_text=_("The reporter's identity is protected; never shown publicly."),
    )
    query_code = models.CharField(_("query code"), max_length=8, editable=False)

    directory_item = models.ForeignKey(
        DirectoryItem, verbose_name=_("directory item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="cases",
    )
    state = models.CharField(_("state"), max_length=20, choices=CaseState.choices, default=CaseState.RECEIVED)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("first-receiving unit"), on_delete=models.PROTECT, related_name="owned_cases",
        help_text=_("The unit that received the case first and answers for it (首接负责)."),
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    divert_route = models.CharField(_("diverted to"), max_length=20, choices=DivertRoute.choices, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    is_unsatisfied = models.BooleanField(_("in the unsatisfied ledger"), default=False)
    is_public = models.BooleanField(_("may be published"), default=False)

    received_at = models.DateTimeField(_("received at"))
    dispatched_at = models.DateTimeField(
        _("dispatched at"), null=True, blank=True,
        help_text=_("The latest dispatch by the centre; the sign-for clock runs from here."),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    policy = models.ForeignKey(
        TimeLimitPolicy, verbose_name=_("time-limit policy"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases",
    )
    sign_due = models.DateTimeField(_("sign-for deadline"), null=True, blank=True)
    contact_due = models.DateTimeField(_("first-contact deadline"), null=True, blank=True)
    reply_due = models.DateTimeField(_("reply deadline"), null=True, blank=True)
    completion_due = models.DateTimeField(_("completion deadline"), null=True, blank=True)
    deadlines_provisional = models.BooleanField(
        _("deadlines provisional"), default=False,
        help_text=_("A deadline fell in a year with no published work calendar; weekdays were used."),
    )
    paused_since = models.DateTimeField(_("clock paused since"), null=True, blank=True)

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("channel", read_only=True), FieldPanel("case_type", read_only=True)]),
                FieldPanel("title", read_only=True),
                FieldPanel("content", read_only=True),
                FieldPanel("address", read_only=True),
            ],
            heading=_("Request"),
        ),
    ]

    @property
    def is_paused(self):
        return self.paused_since is not None

    def __str__(self):
        return f"{self.number} {self.title}"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="unique_external_id_per_channel",
                condition=models.Q(external_id__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "received_at"]),
            models.Index(fields=["citizen_phone", "received_at"]),
            models.Index(fields=["reply_due"]),
            # The workbench's deadline boxes: open states, then the reply deadline.
            models.Index(fields=["state", "reply_due"], name="case_state_reply_due"),
            # The assessment's and the board's period totals (received, closed in a period).
            models.Index(fields=["received_at"], name="case_received_at"),
            models.Index(fields=["closed_at"], name="case_closed_at"),
            # The warning sweep (casemodels.services.sweep_rules):
            # - the repeat rules group a window's orders from this index alone;
            models.Index(fields=["state", "received_at", "citizen_phone", "directory_item", "region"],
                         name="case_state_received_matter"),
            # - the near-due share is computed from this index alone;
            models.Index(fields=["state", "reply_due", "paused_since", "round", "received_at"],
                         name="case_state_reply_due_clock"),
            # - the progress rule's policies with an interval;
            models.Index(fields=["state", "policy"], name="case_state_policy"),
            # - the cases in the unsatisfied ledger (few rows).
            models.Index(fields=["state"], name="case_unsatisfied_open", condition=models.Q(is_unsatisfied=True)),
            # Duplicates (casemodels.services.duplicates): the same directory item and place in a window.
            models.Index(fields=["directory_item", "region", "received_at"], name="case_item_region_received"),
        ]


class CaseNumberCounter(models.Model):
    """The daily sequence behind case numbers (row-locked when incremented)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}: {self.last}"
