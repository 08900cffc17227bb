"""Import historical cases from a file (XLSX or CSV), the way the admin's
import does it: the file is kept as an import job, checked (every row,
nothing written), then, unless ``--check`` is given, imported in one
transaction. Bad rows are listed with their row numbers and nothing is
imported. The job shows in the admin's import history."""

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from snippets.imports.services import ImportRefused, apply_import_job, check_import_job, create_import_job
from snippets.models import ImportJob

S = ImportJob.Status
SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Import historical cases from an XLSX or CSV file (checked first; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the XLSX or CSV file")
        parser.add_argument("--user", required=True, help="username of the administrator doing the import")
        parser.add_argument("--check", action="store_true", help="check the file only; import nothing")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("No user named “%(name)s”.") % {"name": options["user"]})
        try:
            job = create_import_job("cases", SimpleUploadedFile(path.name, path.read_bytes()), user)
        except ImportRefused as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(_("Import job %(id)s: checking %(name)s …") % {"id": job.pk, "name": path.name})
        started = time.perf_counter()
        job = self._with_progress(job, check_import_job)
        if job.status != S.PREVIEWED:
            self._fail(job)
        summary = job.summary
        self.stdout.write(_("Checked %(total)s rows in %(seconds).1f s: %(new)s new, %(skip)s already imported.")
                          % {**summary, "seconds": time.perf_counter() - started})
        if options["check"]:
            return
        started = time.perf_counter()
        job = self._with_progress(job, apply_import_job)
        if job.status != S.DONE:
            self._fail(job)
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            _("Imported %(new)s cases in %(seconds).1f s (%(rate)s rows a second).")
            % {"new": job.summary["new"], "seconds": seconds, "rate": f"{job.total_rows / max(seconds, 1e-6):,.0f}"}
        ))

    def _with_progress(self, job, step):
        """Run ``step`` with a progress bar on a terminal."""
        if not sys.stdout.isatty():
            return step(job)

        def show(done):
            total = job.total_rows or 0
            if total:
                filled = int(30 * min(done, total) / total)
                self.stdout.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}", ending="")
                self.stdout.flush()

        try:
            return step(job, on_progress=show)
        finally:
            self.stdout.write("")

    def _fail(self, job):
        for error in job.errors[:SHOWN_ERRORS]:
            where = _("row %(row)s") % {"row": error["row"]} if error.get("row") else _("file")
            column = f" [{error['field']}]" if error.get("field") else ""
            self.stderr.write(f"{where}{column}: {error['message']}")
        if len(job.errors) > SHOWN_ERRORS:
            self.stderr.write(_("… and %(count)s more errors.") % {"count": len(job.errors) - SHOWN_ERRORS})
        raise CommandError(_("Nothing was imported (import job %(id)s is %(status)s).")
                           % {"id": job.pk, "status": job.get_status_display()})
