"""Bulletin issues: made, rendered to PDF, published and withdrawn here and
nowhere else (the admin, the scheduled task and the demo call these).

- ``create_issue(series, period=…)``: the issue of a period, numbered in its
  series (第N期: within the year of issue, or running on), a draft. Asking
  again for the same period returns the issue already made.
- ``render_issue(bulletin)``: the PDF (``publishing.bulletin_content`` and
  the series' layout, through weasyprint), stored as a Wagtail document in
  the "Bulletins" collection; rendering again replaces the document. A
  published issue is not re-rendered: withdraw it first.
- ``publish_issue`` / ``withdraw_issue``: onto and off the archive page and
  the API.
- ``issue_due_bulletins(now)``: the scheduled task's work. For each active
  weekly or monthly series, the period just ended gets its issue, made,
  rendered and — when the series says so — published. An issue staff
  withdrew is never made again by the schedule. Safe to run as often as
  wanted, and again after a crash: each step looks at what is done.

Who may act: staff with the "change bulletin" permission (the groups of the
centre's administrator and supervisor roles, ``snippets.services.roles``,
or granted by hand); the scheduled task acts as nobody."""

import datetime
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.models import Collection

from .models import Bulletin, BulletinSeries
from .periods import parse_period, period_title
from .board import period_label

logger = logging.getLogger(__name__)

COLLECTION_NAME = "Bulletins"


class BulletinError(ValueError):
    """A bulletin action that cannot be done; the message says why."""


def check_editor(user):
    """Refuse a user who may not make or change bulletins (None: the scheduled task)."""
    if user is not None and not user.has_perm("publishing.change_bulletin"):
        raise BulletinError(_("You may not make or change bulletins."))


def period_name(period_text):
    """The period as printed (``publishing.periods.period_title``): 2025年10月, 2025年第41周（…）, 2025年."""
    start, _end, kind = parse_period(period_text)
    return period_title(start, kind)


def due_period(series, now=None):
    """The period a scheduled series' latest issue covers at ``now``: the
    week or month just ended (in the centre's time zone); None for a series
    issued on demand."""
    local = timezone.localtime(now or timezone.now())
    if series.schedule == BulletinSeries.Schedule.WEEKLY:
        monday = local.date() - datetime.timedelta(days=local.weekday() + 7)
        year, week, _day = monday.isocalendar()
        return f"{year}-W{week:02d}"
    if series.schedule == BulletinSeries.Schedule.MONTHLY:
        last_month = local.date().replace(day=1) - datetime.timedelta(days=1)
        return f"{last_month:%Y-%m}"
    return None


def canonical_period(period_text):
    """``period_text`` in its canonical form (``2025-10``), or BulletinError naming it."""
    try:
        start, _end, kind = parse_period(period_text)
    except ValueError as exc:
        raise BulletinError(str(exc)) from None
    return period_label(start, kind)


def _next_number(series, year):
    issues = Bulletin.objects.filter(series=series)
    if series.numbering == BulletinSeries.Numbering.PER_YEAR:
        highest = issues.filter(year=year).aggregate(n=Max("number"))["n"]
        if highest is None:
            return 1 if issues.exists() else series.first_number
        return highest + 1
    highest = issues.aggregate(n=Max("number"))["n"]
    return series.first_number if highest is None else highest + 1


def create_issue(series, *, period, title="", acting_user=None, now=None):
    """The issue of ``series`` for ``period`` (a period text): the one not
    withdrawn already made, or a new draft numbered next in the series.
    Raises BulletinError for an inactive series or a bad period."""
    check_editor(acting_user)
    period = canonical_period(period)
    if not series.is_active:
        raise BulletinError(_("The series %(series)s is not active.") % {"series": series.name})
    now = now or timezone.now()
    with transaction.atomic():
        # One numbering at a time per series: the row lock serialises concurrent makers.
        series = BulletinSeries.objects.select_for_update().get(pk=series.pk)
        existing = Bulletin.objects.filter(series=series, period=period, withdrawn_at__isnull=True).first()
        if existing is not None:
            return existing
        year = timezone.localtime(now).year
        return Bulletin.objects.create(
            series=series, year=year, number=_next_number(series, year), period=period,
            period_label=period_name(period), title=title, created_by=acting_user,
        )


def _collection():
    root = Collection.get_first_root_node()
    found = root.get_children().filter(name=COLLECTION_NAME).first()
    return found or root.add_child(name=COLLECTION_NAME)


def render_pdf_bytes(bulletin, *, now=None):
    """The issue's PDF as bytes and its page count, stored nowhere (for previews)."""
    from .bulletin_content import render_issue_html
    from .pdf import html_to_pdf

    return html_to_pdf(render_issue_html(bulletin, now=now))


def render_issue(bulletin, *, acting_user=None, now=None):
    """Render the issue to PDF and store it as its document (replacing an
    earlier rendering). Refuses a published or withdrawn issue."""
    check_editor(acting_user)
    bulletin.refresh_from_db()
    if bulletin.is_published:
        raise BulletinError(_("%(label)s is published: withdraw it before rendering it again.")
                            % {"label": bulletin.label})
    if bulletin.withdrawn_at is not None:
        raise BulletinError(_("%(label)s was withdrawn.") % {"label": bulletin.label})
    pdf, pages = render_pdf_bytes(bulletin, now=now)
    Document = get_document_model()
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        previous = bulletin.document
        slug = f"bulletin-{bulletin.series_id}-{bulletin.year}-{bulletin.number}"
        document = Document(title=str(bulletin.label), collection=_collection())
        document.file.save(f"{slug}.pdf", ContentFile(pdf), save=False)
        document.save()
        bulletin.document, bulletin.page_count, bulletin.rendered_at = document, pages, now or timezone.now()
        bulletin.save(update_fields=["document", "page_count", "rendered_at"])
        if previous is not None:
            transaction.on_commit(previous.delete)
    return bulletin


def publish_issue(bulletin, *, acting_user=None, at=None):
    """Publish the issue (at ``at``, or now). It must have its PDF."""
    check_editor(acting_user)
    bulletin.refresh_from_db()
    if bulletin.withdrawn_at is not None:
        raise BulletinError(_("%(label)s was withdrawn.") % {"label": bulletin.label})
    if bulletin.is_published:
        raise BulletinError(_("%(label)s is published already.") % {"label": bulletin.label})
    if bulletin.document_id is None:
        raise BulletinError(_("%(label)s has no PDF yet: render it first.") % {"label": bulletin.label})
    bulletin.is_published, bulletin.published_at = True, at or timezone.now()
    bulletin.save(update_fields=["is_published", "published_at"])
    return bulletin


def withdraw_issue(bulletin, *, reason, acting_user=None):
    """Take the issue off the site and out of the schedule's way for good,
    with the reason; its number is not reused."""
    check_editor(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise BulletinError(_("Say why the bulletin is withdrawn."))
    bulletin.refresh_from_db()
    if bulletin.withdrawn_at is not None:
        raise BulletinError(_("%(label)s was withdrawn already.") % {"label": bulletin.label})
    bulletin.withdrawn_at, bulletin.withdraw_reason, bulletin.is_published = timezone.now(), reason[:200], False
    bulletin.save(update_fields=["withdrawn_at", "withdraw_reason", "is_published"])
    return bulletin


def issue_due_bulletins(now=None):
    """Make, render and (when the series says so) publish the issue each
    scheduled series owes for the period just ended. Returns the issues
    touched. A failure in one series is logged and leaves the others be."""
    now = now or timezone.now()
    touched = []
    for series in BulletinSeries.objects.filter(is_active=True).exclude(schedule=BulletinSeries.Schedule.ON_DEMAND):
        period = due_period(series, now)
        if Bulletin.objects.filter(series=series, period=period, withdrawn_at__isnull=False).exists():
            continue  # staff withdrew it: the schedule does not make it again
        try:
            bulletin = create_issue(series, period=period, now=now)
            if bulletin.document_id is None:
                bulletin = render_issue(bulletin, now=now)
            if series.publish_automatically and not bulletin.is_published:
                bulletin = publish_issue(bulletin)
        except Exception:
            logger.exception("Bulletin of %s for %s could not be issued", series, period)
            continue
        touched.append(bulletin)
    return touched
