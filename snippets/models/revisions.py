"""Revisions for configuration snippets: every save from the admin keeps a
revision, so an administrator can see who changed a rule and what it was."""

from django.contrib.contenttypes.fields import GenericRelation
from wagtail.models import RevisionMixin


class RevisionedModel(RevisionMixin):
    """``RevisionMixin`` with the generic relation Wagtail recommends, so a
    deleted snippet takes its revisions with it."""

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="%(app_label)s_%(class)s")

    @property
    def revisions(self):
        return self._revisions

    class Meta:
        abstract = True
