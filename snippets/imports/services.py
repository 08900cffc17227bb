"""The import job flow: upload → check (a dry run, rolled back) → preview →
confirmation → apply (one transaction) → done. Views and tasks call these
functions; nothing else changes an ImportJob's status."""

import contextlib
import datetime
import gc
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ImportJob, Role
from . import progress
from .files import FORMATS, FileProblem, build_dataset, read_rows
from .registry import UnknownImportKind, get_kind

logger = logging.getLogger(__name__)

S = ImportJob.Status
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000


class ImportRefused(Exception):
    """A refused import action; nothing was changed."""

    def __init__(self, message, *, code="invalid"):
        super().__init__(message)
        self.message = str(message)
        self.code = code

    def __str__(self):
        return self.message


def max_upload_bytes(kind=None):
    """The upload limit in bytes: the kind's own (``ImportKind.max_bytes``), or the general one."""
    if kind is not None:
        return kind.max_bytes()
    return getattr(settings, "IMPORT_EXPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES)


def may_import(user):
    """Superusers and active staff with the administrator role."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    profile = getattr(user, "staff_profile", None)
    return bool(profile and profile.is_active and profile.roles.filter(code=Role.Code.ADMINISTRATOR).exists())


def require_importer(user):
    if not may_import(user):
        raise ImportRefused(_("Only administrators may import data."), code="not_allowed")


def file_format_of(name):
    return name.rsplit(".", 1)[-1].lower() if "." in (name or "") else ""


def create_import_job(kind, uploaded_file, acting_user):
    """Keep an uploaded file as a job waiting to be checked."""
    require_importer(acting_user)
    try:
        import_kind = get_kind(kind)
    except UnknownImportKind:
        raise ImportRefused(_("Unknown kind of import: “%(kind)s”.") % {"kind": kind}, code="unknown_kind") from None
    if uploaded_file is None:
        raise ImportRefused(_("Choose a file to import."), code="required")
    name = getattr(uploaded_file, "name", "") or "upload"
    file_format = file_format_of(name)
    if file_format not in FORMATS:
        raise ImportRefused(_("Only XLSX and CSV files can be imported."), code="bad_format")
    size = getattr(uploaded_file, "size", None)
    limit = max_upload_bytes(import_kind)
    if size is not None and size > limit:
        raise ImportRefused(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, code="too_large",
        )
    data = uploaded_file.read()
    if len(data) > limit:
        raise ImportRefused(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, code="too_large",
        )
    if not data:
        raise ImportRefused(_("The file is empty."), code="empty")
    return ImportJob.objects.create(
        kind=import_kind.key, file_name=name[:255], file_format=file_format, data=data, created_by=acting_user,
    )


def _dataset(job, resource):
    headers, rows = read_rows(bytes(job.data), job.file_format)
    if len(rows) > getattr(settings, "IMPORT_EXPORT_MAX_ROWS", DEFAULT_MAX_ROWS):
        raise FileProblem(_("The file has too many rows."))
    if not rows:
        raise FileProblem(_("The file has no rows below the headers."))
    return build_dataset(resource, headers, rows)


def stale_after():
    """How long a check or an import may run before it counts as dead: the
    worker's task timeout (django-q2 kills a task that runs longer)."""
    return datetime.timedelta(seconds=settings.Q_CLUSTER.get("timeout") or 600)


def _claim(job, from_states, to_state, **fields):
    """Move the job to ``to_state`` if it is still in one of ``from_states``
    (a conditional UPDATE, so two workers never both take it). A job left in
    ``to_state`` by a worker that died (started longer ago than the task
    timeout) is taken again: its transaction was rolled back with the worker,
    so nothing of it was committed, and django-q2 delivers the task again."""
    now = timezone.now()
    claimable = Q(status__in=from_states) | Q(status=to_state, started_at__lt=now - stale_after())
    updated = ImportJob.objects.filter(claimable, pk=job.pk).update(status=to_state, started_at=now, **fields)
    if not updated:
        job.refresh_from_db()
        raise ImportRefused(
            _("This import is %(status)s; it cannot be done now.") % {"status": job.get_status_display()},
            code="invalid_state",
        )
    job.refresh_from_db()


def _finish(job, status, **fields):
    progress.clear(job.pk)
    for name, value in fields.items():
        setattr(job, name, value)
    job.status = status
    job.finished_at = timezone.now() if status in (S.DONE, S.FAILED, S.INVALID) else None
    job.save(update_fields=["status", "finished_at", *fields])
    return job


@contextlib.contextmanager
def _gc_frozen():
    """Let the garbage collector ignore the objects that existed before the
    import: an import makes tens of thousands of objects, and each full
    collection would otherwise walk the whole application's heap too (about
    a fifth of an import's time). Collections of the new objects still run."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _run(job, *, dry_run, on_progress=None):
    """Import the job's file through its resource in one transaction.
    Returns the resource (with its errors, counts and preview).
    ``on_progress(rows done)`` is told too (a command's progress bar)."""
    kind = get_kind(job.kind)

    def report(done):
        progress.report(job.pk, done)
        if on_progress is not None:
            on_progress(done)

    resource = kind.resource_class()(acting_user=job.created_by, progress=report)
    with _gc_frozen():
        dataset = _dataset(job, resource)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(dataset), processed_rows=0)
        job.total_rows = len(dataset)
        with transaction.atomic():
            result = resource.import_data(dataset, dry_run=dry_run, use_transactions=True)
            for error in result.base_errors:
                if isinstance(error.error, ValidationError):  # a rule about the whole file
                    resource.add_error(None, "", " ".join(error.error.messages))
                elif isinstance(error.error, ValueError):
                    resource.add_error(None, "", error.error)
                else:
                    logger.error("Import job %s: %s", job.pk, error.traceback)
                    resource.row_errors.append(unexpected_error(job, error.error))
            if dry_run or resource.row_errors:
                transaction.set_rollback(True)
    resource.row_errors.sort(key=lambda e: (e["row"] or 0))
    return resource


def _summary(resource, total):
    counts = resource.counts
    return {
        "total": total,
        "new": counts.get("new", 0),
        "update": counts.get("update", 0),
        "skip": counts.get("skip", 0),
        "invalid": counts.get("invalid", 0) + counts.get("error", 0),
    }


def check_import_job(job, *, on_progress=None):
    """Dry run: every row is imported inside a transaction that is rolled
    back; the job keeps the row errors and a preview of the changes."""
    _claim(job, [S.PENDING], S.CHECKING)
    try:
        resource = _run(job, dry_run=True, on_progress=on_progress)
    except FileProblem as exc:
        return _finish(job, S.INVALID, errors=[{"row": 1, "field": "", "message": str(exc)}], preview=[], summary={})
    except Exception as exc:
        logger.exception("Import job %s could not be checked", job.pk)
        return _finish(job, S.FAILED, errors=[unexpected_error(job, exc)])
    status = S.INVALID if resource.row_errors else S.PREVIEWED
    return _finish(
        job, status, errors=resource.row_errors, preview=resource.preview,
        summary=_summary(resource, job.total_rows), processed_rows=job.total_rows,
    )


def unexpected_error(job, exc):
    """The job's error for a fault that is not the file's: the person is told
    nothing was imported and where the details are; the traceback is logged."""
    return {
        "row": None, "field": "",
        "message": _("The import stopped on an unexpected error (%(error)s); nothing was imported. "
                     "The details are in the server log under import job %(id)s.")
        % {"error": type(exc).__name__, "id": job.pk},
    }


def confirm_import_job(job, *, acting_user):
    """A person confirmed a checked import: queue it."""
    require_importer(acting_user)
    if job.status != S.PREVIEWED or job.errors:
        raise ImportRefused(_("Only a checked import without errors can be confirmed."), code="invalid_state")
    _claim(job, [S.PREVIEWED], S.QUEUED)
    return job


def apply_import_job(job, *, on_progress=None):
    """Import for real, in ONE transaction: on any error the job is FAILED
    and nothing is committed."""
    if job.errors:
        raise ImportRefused(_("Only a checked import without errors can be applied."), code="invalid_state")
    _claim(job, [S.PREVIEWED, S.QUEUED], S.IMPORTING, processed_rows=0)
    try:
        resource = _run(job, dry_run=False, on_progress=on_progress)
    except FileProblem as exc:
        return _finish(job, S.FAILED, errors=[{"row": 1, "field": "", "message": str(exc)}])
    except Exception as exc:
        logger.exception("Import job %s failed", job.pk)
        return _finish(job, S.FAILED, errors=[unexpected_error(job, exc)])
    if resource.row_errors:
        return _finish(job, S.FAILED, errors=resource.row_errors, processed_rows=resource.processed)
    return _finish(
        job, S.DONE, summary=_summary(resource, job.total_rows), processed_rows=job.total_rows,
        preview=resource.preview,
    )


def enqueue(task, job):
    """Run a job's check or apply in the background once the current
    transaction commits (django-q2; synchronous in tests)."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(task, job.pk, task_name=f"import-{job.pk}-{task.rsplit('.', 1)[-1]}",
                                             group="imports"))


def status_of(job):
    """What the job page polls for."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "total_rows": job.total_rows,
        "processed_rows": progress.read(job),
        "finished": job.status in (S.PREVIEWED, S.INVALID, S.DONE, S.FAILED),
        "summary": job.summary,
        "error_count": len(job.errors or []),
    }
