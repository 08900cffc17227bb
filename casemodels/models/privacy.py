"""The personal data access log (个人信息查阅记录): every time a staff
member is shown a citizen's personal data unmasked, which case, where and
what (``casemodels.services.privacy``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    """One staff member shown one case's personal data unmasked once: on the
    case page, in a list, through the API, in an export. Written by
    ``casemodels.services.privacy.log_personal_data_access`` only, never
    changed afterwards; read by administrators and supervisors."""

    class Where(models.TextChoices):
        CASE_PAGE = "case_page", _("Admin case page")
        ADMIN_LIST = "admin_list", _("Admin list")
        GRAPHQL = "graphql", _("API (GraphQL)")
        EXPORT = "export", _("Case export")
        CITIZEN_EXPORT = "citizen_export", _("Citizen data export")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, help_text=_("Kept when the account is deleted."))
    case = models.ForeignKey(
        "casemodels.Case", verbose_name=_("case"), null=True, on_delete=models.SET_NULL, related_name="+",
    )
    case_number = models.CharField(_("case number"), max_length=32, db_index=True)
    at = models.DateTimeField(_("when"), db_index=True)
    where = models.CharField(_("where"), max_length=20, choices=Where.choices)
    fields = models.CharField(_("fields shown"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True,
                              help_text=_("The screen or query, e.g. the list's name or the GraphQL operation."))

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.case_number}"

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="pd_access_user_at")]
