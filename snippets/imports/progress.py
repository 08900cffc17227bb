"""Live progress of an import while its transaction is still open.

The import runs in one transaction, so a progress figure written through
the same connection would stay invisible until the end. Where the figure
goes instead:

- PostgreSQL: a second connection (alias ``import_progress``, a copy of
  ``default`` made at run time) in autocommit mode updates
  ``ImportJob.processed_rows`` at once. The import transaction never
  touches the job row, so the two never wait for each other.
- SQLite: a second writer would wait for the import's write lock, so the
  figure goes to a small file in a directory shared by the web process and
  the worker on the same machine (``IMPORT_EXPORT_PROGRESS_DIR``, by
  default the system's temporary directory).

Both are best effort: a failed progress write never fails an import. The
job row gets the final figure when the job finishes, in both cases.
"""

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

ALIAS = "import_progress"


def _progress_dir():
    return Path(getattr(settings, "IMPORT_EXPORT_PROGRESS_DIR", "") or tempfile.gettempdir()) / "minsheng-imports"


def _progress_file(job_id):
    name = str(connections[DEFAULT_DB_ALIAS].settings_dict.get("NAME", "db"))
    # One file per database and job, so two test databases never mix.
    tag = hashlib.sha1(name.encode()).hexdigest()[:10]
    return _progress_dir() / f"{tag}-{job_id}.json"


def _side_connection():
    if ALIAS not in connections.settings:
        connections.settings[ALIAS] = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    return connections[ALIAS]


def report(job_id, processed):
    """Publish ``processed`` rows for the job, outside its transaction."""
    try:
        if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            side = _side_connection()
            with side.cursor() as cursor:
                from ..models import ImportJob

                cursor.execute(
                    f'UPDATE "{ImportJob._meta.db_table}" SET processed_rows = %s WHERE id = %s',
                    [processed, job_id],
                )
        else:
            path = _progress_file(job_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"processed": processed}), encoding="utf-8")
            os.replace(tmp, path)
    except Exception:  # progress is best effort
        logger.debug("Could not publish import progress for job %s", job_id, exc_info=True)


def read(job):
    """The best known number of processed rows of a job."""
    processed = job.processed_rows
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        try:
            data = json.loads(_progress_file(job.pk).read_text(encoding="utf-8"))
            processed = max(processed, int(data.get("processed", 0)))
        except (OSError, ValueError):
            pass
    return min(processed, job.total_rows) if job.total_rows else processed


def clear(job_id):
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        try:
            _progress_file(job_id).unlink()
        except OSError:
            pass
