"""The django-q2 worker SIGKILLed in the middle of a bulletin's rendering
(the scheduled ``issue_due_bulletins_task``: make the issue the series owes,
render its PDF with weasyprint, publish it), then restarted: the issue is
made once, with one PDF document, published once.

The series holds one long text section (a few hundred paragraphs), so that
the rendering lasts seconds and the kill falls inside it: the issue's row
is committed (made first), its document not yet."""

import time

import pytest
from wagtail.documents import get_document_model

from benchmarks.load.harness import Worker
from publishing.bulletins import due_period
from publishing.models import Bulletin, BulletinSeries

from .helpers import enqueue, wait_for, worker_environment

pytestmark = pytest.mark.django_db(transaction=True)

PARAGRAPH = "<p>第{n}段：本期通报汇总各承办单位的受理、办结、回访情况，以及群众满意度和按时办结率。</p>"
LONG_TEXT = [("text", {"heading": "说明", "text": "".join(PARAGRAPH.format(n=n) for n in range(600))})]


def test_worker_killed_mid_render_makes_one_issue_with_one_pdf(tmp_path):
    # given a monthly series published automatically, owing last month's issue
    series = BulletinSeries.objects.create(name="月度通报（故障测试）", schedule="monthly", publish_automatically=True,
                                           sections=LONG_TEXT)
    env = worker_environment(Q_WORKERS=1, MEDIA_ROOT=tmp_path / "media")
    Document = get_document_model()
    documents_before = Document.objects.count()

    # when the scheduled task runs on a worker, SIGKILLed while the PDF is being rendered
    worker = Worker(env, tmp_path / "qcluster-1.log")
    try:
        enqueue("publishing.tasks.issue_due_bulletins_task", task_name="soak: bulletins")
        issue = wait_for(lambda: Bulletin.objects.filter(series=series).first(), timeout=180, every=0.02,
                         what="the issue made")
        time.sleep(1.0)  # inside weasyprint by now
    finally:
        worker.kill()
    issue.refresh_from_db()
    print(f"\nbulletin: SIGKILL during the rendering of {issue.label} (document {issue.document_id})")
    assert issue.document_id is None, "the rendering finished before the kill: lengthen LONG_TEXT"

    # and a new worker runs the task again (the hourly schedule would)
    worker = Worker(env, tmp_path / "qcluster-2.log")
    started = time.monotonic()
    try:
        enqueue("publishing.tasks.issue_due_bulletins_task", task_name="soak: bulletins after the restart")
        wait_for(lambda: Bulletin.objects.filter(series=series, is_published=True).exists(), timeout=300,
                 what="the issue published")
        # and once more, as the next hour's run does
        enqueue("publishing.tasks.issue_due_bulletins_task", task_name="soak: bulletins, the next hour")
        time.sleep(5)
    finally:
        worker.stop()
    print(f"bulletin: rendered and published {time.monotonic() - started:.1f}s after the restart")

    # then there is one issue for the period, published, with one PDF document, and no other document
    issues = Bulletin.objects.filter(series=series)
    assert issues.count() == 1
    issue = issues.get()
    assert issue.period == due_period(series)  # the worker's clock and this one agree on last month
    assert issue.is_published and issue.document_id is not None and issue.page_count > 1
    assert Document.objects.count() == documents_before + 1
    # the worker wrote the file under its MEDIA_ROOT (this process's storage is the suite's in-memory one)
    assert (tmp_path / "media" / issue.document.file.name).read_bytes()[:5] == b"%PDF-"
    print(f"bulletin: one issue ({issue.label}, {issue.page_count} pages), one document")
