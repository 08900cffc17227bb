"""django-q2 tasks of the import flow: small functions taking the job id."""

from ..models import ImportJob
from .services import apply_import_job, check_import_job


def _job(job_id):
    if isinstance(job_id, bool) or not isinstance(job_id, int):
        raise TypeError(f"An import job id must be an integer, not {job_id!r}.")
    try:
        return ImportJob.objects.get(pk=job_id)
    except ImportJob.DoesNotExist:
        raise LookupError(f"There is no import job {job_id}.") from None


def check_import_job_task(job_id):
    job = check_import_job(_job(job_id))
    return {"job": job.pk, "status": job.status}


def apply_import_job_task(job_id):
    job = apply_import_job(_job(job_id))
    return {"job": job.pk, "status": job.status}
