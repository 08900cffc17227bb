"""Import jobs: an uploaded spreadsheet, checked (dry run) and then applied by
a background task, with its progress and its row errors kept for the admin."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One upload of one import kind (units, directory, cases …). The file is
    kept in the database so that any worker can read it. A job is first
    previewed (a dry run in a rolled-back transaction) and applied only when
    the preview had no errors and a person confirmed it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        PREVIEWED = "previewed", _("Checked; waiting for confirmation")
        INVALID = "invalid", _("Has errors; nothing imported")
        QUEUED = "queued", _("Waiting to be imported")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed; nothing imported")

    kind = models.CharField(_("what is imported"), max_length=40)
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10)
    data = models.BinaryField(_("file"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    @property
    def progress_percent(self):
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]
