"""Regions, units and staff: who answers for where."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from .choices import Level
from .revisions import RevisionedModel
from .tree import TreeMixin

class Region(TreeMixin, index.Indexed, RevisionedModel):
    """A node of the region tree: city → district/county → township/street →
    village/community → grid. Aliases help to resolve addresses later."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent region"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    aliases = models.CharField(
        _("aliases"), max_length=500, blank=True,
        help_text=_("Other names people use for this place, separated by commas."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldRowPanel([FieldPanel("level"), FieldPanel("parent")]),
        FieldPanel("aliases"),
        FieldPanel("is_active"),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("code"),
        index.SearchField("aliases"),
        index.AutocompleteField("name"),
        index.FilterField("level"),
    ]

    def clean(self):
        self.clean_parent()
        if self.parent_id and self.level is not None and self.parent.level >= self.level:
            raise ValidationError(
                {"level": _("A region must be at a lower level than its parent (%(parent)s).")
                 % {"parent": self.parent.get_level_display()}}
            )

    def ancestor_at_level(self, level):
        for node in self.ancestors(include_self=True):
            if node.level == level:
                return node
        return None

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["level", "code"]


class Unit(TreeMixin, index.Indexed, RevisionedModel):
    """A handling unit: the command centre, a department, a township, a
    community, a grid or a public utility. Its place in the tree decides whom
    it may dispatch down to and whom it whistles up to."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("Command centre")
        DEPARTMENT = "department", _("Department")
        TOWNSHIP = "township", _("Township / street")
        COMMUNITY = "community", _("Village / community")
        GRID = "grid", _("Grid")
        UTILITY = "utility", _("Public utility")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region it answers for"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="units",
    )
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("level")]),
        FieldRowPanel([FieldPanel("parent"), FieldPanel("region")]),
        FieldPanel("phone"),
        FieldPanel("is_active"),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("code"),
        index.AutocompleteField("name"),
        index.FilterField("kind"),
        index.FilterField("level"),
    ]

    def clean(self):
        self.clean_parent()
        if self.parent_id and self.level is not None and self.parent.level > self.level:
            raise ValidationError(
                {"level": _("A unit cannot be at a higher level than its parent unit.")}
            )

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["level", "code"]


class Role(models.Model):
    """A staff role. The codes are fixed (the services check them); the
    names can be edited."""

    class Code(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        DISPATCHER = "dispatcher", _("Dispatcher")
        HANDLER = "handler", _("Handler")
        UNIT_LEADER = "unit_leader", _("Unit leader")
        SUPERVISOR = "supervisor", _("Supervisor")
        VISITOR = "visitor", _("Return visitor")

    code = models.CharField(_("code"), max_length=30, unique=True, choices=Code.choices)
    name = models.CharField(_("name"), max_length=50)
    group = models.OneToOneField(
        "auth.Group", verbose_name=_("permission group"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="minsheng_role",
        help_text=_("The Django group whose permissions people with this role receive."),
    )
    sees_personal_data = models.BooleanField(
        _("sees citizens' personal data"), default=True,
        help_text=_("Without it, names, phones, ID numbers and exact addresses are masked in the workbench."),
    )
    sees_confidential = models.BooleanField(
        _("sees confidential cases"), default=False,
        help_text=_("Confidential cases (the reporter's identity is protected) are shown only to these roles."),
    )

    panels = [FieldPanel("name"), FieldRowPanel([FieldPanel("sees_personal_data"), FieldPanel("sees_confidential")])]

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]


class StaffProfile(index.Indexed, RevisionedModel):
    """A person working for a unit. Grid staff may have no login; everyone
    who acts in the workbench or the API has a user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="staff_profile",
    )
    name = models.CharField(_("name"), max_length=50)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff")
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="staff")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    skills = models.CharField(
        _("skills"), max_length=200, blank=True,
        help_text=_("What this person can handle, separated by commas (for grid staff)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("name"), FieldPanel("phone")]), FieldPanel("user")],
            heading=_("Person"),
        ),
        FieldPanel("unit"),
        FieldPanel("roles", widget=forms.CheckboxSelectMultiple),
        FieldPanel("skills"),
        FieldPanel("is_active"),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("skills"),
        index.AutocompleteField("name"),
    ]

    def clean(self):
        from ..services.validation import validate_phone

        if self.phone:
            validate_phone(self.phone, field="phone")

    @property
    def role_codes(self):
        return {r.code for r in self.roles.all()}

    @property
    def roles_display(self):
        return "、".join(str(r) for r in self.roles.all())

    def __str__(self):
        return f"{self.name}({self.unit})" if self.unit_id else self.name

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["unit__code", "name"]
