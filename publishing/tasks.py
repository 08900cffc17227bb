"""django-q2 tasks of publishing: small functions that call the services."""

from django.utils.translation import gettext as _

from .bulletins import issue_due_bulletins, render_issue
from .models import Bulletin


def render_bulletin(bulletin_id):
    """Render one issue to PDF (the admin's "Make an issue" and "Render
    again"). An issue deleted or published meanwhile is left alone."""
    bulletin = Bulletin.objects.filter(pk=bulletin_id).first()
    if bulletin is None:
        return _("Bulletin %(id)s no longer exists.") % {"id": bulletin_id}
    if bulletin.is_published or bulletin.withdrawn_at is not None:
        return _("%(label)s was published or withdrawn meanwhile; not rendered.") % {"label": bulletin.label}
    bulletin = render_issue(bulletin)
    return _("%(label)s rendered: %(pages)s pages.") % {"label": bulletin.label, "pages": bulletin.page_count}


def issue_due_bulletins_task():
    """The issues scheduled series owe for the period just ended (hourly)."""
    issued = issue_due_bulletins()
    return [str(b.label) for b in issued]
