"""What makes the cached public pages stale (``cms.cache``): each receiver
calls ``publishing.cache.public_content_changed()``, which moves the public
version on now and once more when the transaction commits.

- Wagtail pages: published, unpublished (scheduled expiry included), moved,
  deleted. Draft edits and revisions change nothing the public sees.
- Publishing: bulletins (the archive, the home page's latest issues),
  bulletin series and the typical cases staff choose for the board.
- Configuration shown on pages: channels (the home page), reply templates
  (the knowledge-base search), units, directory items and regions (the
  board's rankings and top lists), Wagtail sites and pages' view
  restrictions (a page made private).
- Figures: a roll-up refresh or rebuild that recomputed days
  (``casemodels.signals.rollups_refreshed``).

Receivers are connected per model (never to every model): a ``post_delete``
receiver without a sender would stop Django's fast bulk deletes everywhere.
``connect()`` is called once, from ``CmsConfig.ready``.
"""

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from casemodels.signals import rollups_refreshed
from publishing.cache import public_content_changed

# (app label, model name) saved or deleted: the public pages may show them.
SHOWN_MODELS = [
    ("publishing", "Bulletin"),
    ("publishing", "BulletinSeries"),
    ("publishing", "TypicalCase"),
    ("snippets", "Channel"),
    ("snippets", "ReplyTemplate"),
    ("snippets", "Unit"),
    ("snippets", "DirectoryItem"),
    ("snippets", "Region"),
    ("wagtailcore", "Site"),
    ("wagtailcore", "PageViewRestriction"),  # a page made private leaves the cache at once
]


def page_changed(sender, **kwargs):
    public_content_changed()


def row_changed(sender, **kwargs):
    if kwargs.get("raw"):  # fixtures being loaded
        return
    public_content_changed(using=kwargs.get("using"))


def figures_refreshed(sender, days=0, rows=0, **kwargs):
    if days or rows:
        public_content_changed()


def shown_models():
    """The models of ``SHOWN_MODELS`` that exist (a model not there yet is skipped)."""
    found = []
    for label, name in SHOWN_MODELS:
        try:
            found.append(apps.get_model(label, name))
        except LookupError:
            continue
    return found


def page_models():
    return [model for model in apps.get_models() if issubclass(model, Page)]


def connect():
    page_published.connect(page_changed, dispatch_uid="cms.cache.page_published")
    page_unpublished.connect(page_changed, dispatch_uid="cms.cache.page_unpublished")
    post_page_move.connect(page_changed, dispatch_uid="cms.cache.page_moved")
    for model in page_models():
        post_delete.connect(row_changed, sender=model, dispatch_uid=f"cms.cache.delete.{model._meta.label}")
    for model in shown_models():
        post_save.connect(row_changed, sender=model, dispatch_uid=f"cms.cache.save.{model._meta.label}")
        post_delete.connect(row_changed, sender=model, dispatch_uid=f"cms.cache.delete.{model._meta.label}")
    rollups_refreshed.connect(figures_refreshed, dispatch_uid="cms.cache.rollups")
